"""Checks of a rulebook that need no parser and no validation library, shared by the two ways
a rules folder loads: from its YAML files (`validation.load_validated`) and from its compiled
copy (`rulebook.load_rulebook`, which runs on every screening and so must stay light: this module
imports neither PyYAML nor pydantic nor z3).

- `check_references`: the cross-file checks: ids, references between files, value domains,
  the outcome/disposition pairs of SPEC.md.
- `to_plain` / `book_from_plain`: a rulebook as JSON data and back. `book_from_plain` trusts
  nothing: every field's type, no unknown or missing key, every condition in the exact spelling
  `to_plain` writes; anything else raises PlainError, whose message names where (a path such as
  rulebook.questions[3].min) and what kind of problem, never the content.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from neckcheck.core.conditions import (
    ORDER_OPS,
    Compare,
    Condition,
    ConditionError,
    kind_of,
    parse,
    shown,
)
from neckcheck.core.model import (
    DISPOSITIONS,
    OUTCOME_EXIT_CODES,
    OUTCOMES,
    QUESTION_TYPES,
    TRI_VALUES,
    Caution,
    Choice,
    Group,
    OutcomeText,
    Question,
    Rule,
    Rulebook,
    Technique,
)

if TYPE_CHECKING:
    from typing import Any

# SPEC.md section 3: cautions and see_also belong to the self-care outcomes only.
SELF_CARE = ("technique", "avoid_technique")

# Where a problem is: a rule file's name -> the place to name in the message.
Where = Callable[[str], str]


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


MAX_VERSION = 100  # characters of a rules version


def check_references(book: Rulebook, where: Where) -> Iterable[str]:
    """Cross-file checks a shape cannot express: ids, references, value domains, SPEC pairs.
    `where` turns a rule file's name into the place each message names."""
    qpath, dpath, cpath, opath = (
        where("questions.yaml"),
        where("decisions.yaml"),
        where("cautions.yaml"),
        where("outcomes.yaml"),
    )
    for dup in _duplicates(g.id for g in book.groups):
        yield f"{qpath}: group {shown(dup)} is defined more than once"
    for dup in _duplicates(q.id for q in book.questions):
        yield f"{qpath}: question {shown(dup)} is defined more than once"
    for dup in _duplicates(r.id for r in book.rules):
        yield f"{dpath}: rule {shown(dup)} is defined more than once"
    for dup in _duplicates(c.id for c in book.cautions):
        yield f"{cpath}: caution {shown(dup)} is defined more than once"

    mpath = where("rulebook.yaml")
    # A saved answer set records the version, and reads back only a printable one of at most
    # MAX_VERSION characters (formats.saved): a folder must not write files it cannot read.
    if not (0 < len(book.version) <= MAX_VERSION and book.version.isprintable()):
        yield f"{mpath}: version must be printable text of 1 to {MAX_VERSION} characters"
    if set(book.tri_labels) != set(TRI_VALUES):
        yield f"{mpath}: tri_labels must name exactly {', '.join(TRI_VALUES)}"
    group_ids = {g.id for g in book.groups}
    earlier: dict[str, Question] = {}
    for q in book.questions:
        if q.id in ("all", "any", "not"):
            yield f"{qpath}: question {shown(q.id)}: this id is reserved for the condition language"
        if q.group not in group_ids:
            yield (
                f"{qpath}: question {shown(q.id)}: group {shown(q.group)} is not defined "
                "under groups"
            )
        yield from (f"{qpath}: question {shown(q.id)}: {m}" for m in _question_shape(q))
        if q.asked_when is not None:
            for m in _condition_problems(q.asked_when, earlier, "asked_when"):
                yield f"{_at(qpath, m)}: question {shown(q.id)}: {m[1]}"
        earlier[q.id] = q

    questions = {q.id: q for q in book.questions}
    sections = (("red_flags", book.red_flags), ("patterns", book.patterns))
    for section, rules in sections:
        for rule in rules:
            if rule.when is None:
                yield f"{dpath}: rule {shown(rule.id)}: 'when' is required in {section}"
            else:
                for m in _condition_problems(rule.when, questions, "when"):
                    yield f"{_at(dpath, m)}: rule {shown(rule.id)}: {m[1]}"
            if (section == "red_flags") != (rule.outcome == "red_flag"):
                yield (
                    f"{dpath}: rule {shown(rule.id)}: outcome {shown(rule.outcome)} does not "
                    f"belong in {section} (red_flag rules go in red_flags, all others in patterns)"
                )
    if book.otherwise.when is not None:
        yield (
            f"{dpath}: rule {shown(book.otherwise.id)}: 'otherwise' applies when nothing else "
            "does, so it takes no 'when'"
        )
    if book.otherwise.outcome == "red_flag":
        yield f"{dpath}: rule {shown(book.otherwise.id)}: 'otherwise' cannot be a red_flag"
    for rule in book.rules:
        if (rule.outcome, rule.disposition) not in OUTCOME_EXIT_CODES:
            yield (
                f"{dpath}: rule {shown(rule.id)}: outcome/disposition pair "
                f"{rule.outcome}/{rule.disposition} is not one of the contract's pairs (the "
                "outcome table of `neckcheck rules reference`)"
            )
        if not rule.source.strip():
            yield f"{dpath}: rule {shown(rule.id)}: 'source' must name where the rule comes from"
        if not rule.reason.strip():
            yield f"{dpath}: rule {shown(rule.id)}: 'reason' must not be empty"

    for caution in book.cautions:
        if not caution.applies_to:
            yield f"{cpath}: caution {shown(caution.id)}: applies_to must name at least one outcome"
        for disposition in caution.applies_to:
            if disposition not in SELF_CARE:
                yield (
                    f"{cpath}: caution {shown(caution.id)}: applies_to: cautions go with "
                    f"{' or '.join(SELF_CARE)} outcomes only, not {disposition}"
                )
        if caution.when is not None:
            for m in _condition_problems(caution.when, questions, "when"):
                yield f"{_at(cpath, m)}: caution {shown(caution.id)}: {m[1]}"

    pairs: list[tuple[str, str]] = [(t.outcome, t.disposition) for t in book.outcomes]
    for pair in pairs:
        if pair not in OUTCOME_EXIT_CODES:
            yield (
                f"{opath}: {pair[0]}/{pair[1]} is not one of the contract's outcome/disposition "
                "pairs"
            )
    for text in book.outcomes:
        if text.see_also and text.disposition not in SELF_CARE:
            yield (
                f"{opath}: {text.outcome}/{text.disposition}: see_also goes with "
                f"{' or '.join(SELF_CARE)} outcomes only"
            )
    for spec_pair in OUTCOME_EXIT_CODES:
        if (found := pairs.count(spec_pair)) != 1:
            yield f"{opath}: {'/'.join(spec_pair)} needs exactly one entry, found {found}"

    yield from text_problems(book, where)


# ---- Characters a rule text may not hold ----------------------------------------------------

# Every reader of the rules (the interview, the text and JSON decisions, the report, FHIR) shows
# their texts as they are. So none may hold what can move a terminal's
# cursor, clear a screen or make a text read otherwise than it is stored: C0 controls (bar
# newline and tab, which YAML's block scalars need), DEL, C1 controls, the bidirectional marks,
# embeddings, overrides and isolates, the line and paragraph separators, and lone surrogates.
_NOT_IN_TEXT = (
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)

# Which file each part of the rulebook comes from (rulefiles.FILES), by its key in to_plain.
_FILE_OF = {
    "version": "rulebook.yaml",
    "disclaimer": "rulebook.yaml",
    "intro": "rulebook.yaml",
    "tri_labels": "rulebook.yaml",
    "groups": "questions.yaml",
    "questions": "questions.yaml",
    "red_flags": "decisions.yaml",
    "patterns": "decisions.yaml",
    "otherwise": "decisions.yaml",
    "cautions": "cautions.yaml",
    "outcomes": "outcomes.yaml",
    "technique": "technique.yaml",
}
# What each top-level part of the rule files holds, as messages name it.
OWNER_KIND = {
    "groups": "group",
    "questions": "question",
    "red_flags": "rule",
    "patterns": "rule",
    "otherwise": "rule",
    "cautions": "caution",
    "outcomes": "outcome text",
}


def _kind_of_char(code: int) -> str:
    if code <= 0x9F:
        return "a control character"
    if 0xD800 <= code <= 0xDFFF:
        return "a lone surrogate"
    if code in (0x2028, 0x2029):
        return "a line or paragraph separator"
    return "a bidirectional formatting character"


def text_problems(book: Rulebook, where: Where) -> Iterable[str]:
    """Every text of the rulebook (reasons, prompts, help, labels, titles, steps, cautions,
    sources, ids...) free of the characters in _NOT_IN_TEXT; each one found is named by its
    file, the question, rule or caution that holds it, the field and the code point (never the
    text itself)."""
    import re

    unsafe = re.compile(_NOT_IN_TEXT)
    for part, value in to_plain(book).items():
        path = where(_FILE_OF.get(part, "rulebook.yaml"))
        for field, text in _texts_in(value, "" if part in OWNER_KIND else part):
            for match in unsafe.finditer(text):
                code = ord(match.group())
                owner = _owner(part, value, field)
                yield (
                    f"{path}: {owner}{field[1] if owner else field[0]}: holds U+{code:04X}, "
                    f"{_kind_of_char(code)}, at character {match.start() + 1}; rule texts may "
                    "not hold control or bidirectional formatting characters"
                )
                break  # one message per text is enough to find it


def _texts_in(value: Any, at: str) -> Iterable[tuple[tuple[str, str], str]]:
    """Each string in a plain value, with its place: (the full path, the path inside the
    question, rule or caution that holds it)."""
    if isinstance(value, str):
        yield (at, _inner(at)), value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts_in(item, f"{at}.{key}" if at else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts_in(item, f"{at}[{index}]")


def _inner(at: str) -> str:
    """`[3].choices[1].label` -> `choices[1].label`; any other path as it is."""
    if at.startswith("["):
        return at.partition("]")[2].lstrip(".")
    return at


def _owner(part: str, value: Any, field: tuple[str, str]) -> str:
    """Who holds the text: "rule 'x': " (an id that reads as a name), else its place."""
    kind = OWNER_KIND.get(part)
    if kind is None:
        return ""
    place, item = part, value
    if field[0].startswith("["):  # an entry of a list: its index comes first
        index = field[0][: field[0].index("]") + 1]
        place, item = part + index, value[int(index[1:-1])]
    if part == "outcomes":
        return f"outcome text {item['outcome']}/{item['disposition']}: "
    name = shown(item.get("id")) if isinstance(item, dict) else ""
    return f"{kind} {name if name.startswith(chr(39)) else place}: "


def _at(path: str, located: tuple[int | None, str]) -> str:
    return f"{path}:{located[0]}" if located[0] else str(path)


def _question_shape(q: Question) -> Iterable[str]:
    if q.type == "int":
        if q.min is None or q.max is None:
            yield "an int question needs both min and max"
        elif q.min > q.max:
            yield f"min {q.min} is greater than max {q.max}"
        if q.choices:
            yield "an int question takes no choices"
    else:
        if q.min is not None or q.max is not None:
            yield f"a {q.type} question takes no min or max"
    if q.type == "enum":
        values = [c.value for c in q.choices]
        if len(values) < 2:
            yield "an enum question needs at least two choices"
        for dup in _duplicates(values):
            yield f"choice {shown(dup)} is listed more than once"
    if q.type == "tri" and q.choices:
        yield "a tri question has the fixed choices yes/no/unsure and takes no choices"


def _condition_problems(
    cond: Condition, questions: dict[str, Question], field: str
) -> Iterable[tuple[int | None, str]]:
    """Check every comparison against the question it reads: known key, right kind of value."""
    for cmp in cond.compares():
        yield from ((cmp.line, f"{field}: {m}") for m in _compare_problems(cmp, questions))


def _compare_problems(cmp: Compare, questions: dict[str, Question]) -> Iterable[str]:
    q = questions.get(cmp.key)
    if q is None:
        yield (
            f"{shown(cmp.key)} is not a question that can be read here "
            "(unknown, or not asked before)"
        )
        return
    if q.type == "int":
        for v in cmp.values():
            if not isinstance(v, int):
                yield f"{shown(cmp.key)} is a whole number; {shown(v)} is not"
            elif q.min is not None and q.max is not None and not q.min <= v <= q.max:
                yield (
                    f"{shown(cmp.key)}: {shown(v)} is outside the question's range {q.min}..{q.max}"
                )
        return
    if cmp.op in ORDER_OPS:
        yield f"{shown(cmp.key)} is a {q.type} question; '{cmp.op}' works on whole numbers only"
        return
    allowed = q.allowed_values()
    for v in cmp.values():
        if v not in allowed:
            yield f"{shown(cmp.key)}: {shown(v)} is not one of its values ({', '.join(allowed)})"


# ---- The rulebook as JSON data ----------------------------------------------------------------


def to_plain(book: Rulebook) -> dict[str, Any]:
    """A validated rulebook as JSON data (conditions in their YAML spelling)."""

    def when(c: Condition | None) -> Any:
        return None if c is None else c.to_plain()

    def rule(r: Rule) -> dict[str, Any]:
        return {"id": r.id, "outcome": r.outcome, "disposition": r.disposition,
                "reason": r.reason, "source": r.source, "when": when(r.when)}  # fmt: skip

    return {
        "version": book.version,
        "disclaimer": book.disclaimer,
        "intro": book.intro,
        "tri_labels": dict(book.tri_labels),
        "groups": [{"id": g.id, "title": g.title} for g in book.groups],
        "questions": [
            {
                "id": q.id,
                "label": q.label,
                "group": q.group,
                "type": q.type,
                "prompt": q.prompt,
                "help": q.help,
                "min": q.min,
                "max": q.max,
                "choices": [{"value": c.value, "label": c.label} for c in q.choices],
                "asked_when": when(q.asked_when),
            }
            for q in book.questions
        ],
        "red_flags": [rule(r) for r in book.red_flags],
        "patterns": [rule(r) for r in book.patterns],
        "otherwise": rule(book.otherwise),
        "cautions": [
            {
                "id": c.id,
                "applies_to": list(c.applies_to),
                "text": c.text,
                "source": c.source,
                "when": when(c.when),
            }
            for c in book.cautions
        ],
        "outcomes": [
            {
                "outcome": o.outcome,
                "disposition": o.disposition,
                "headline": o.headline,
                "advice": o.advice,
                "see_also": list(o.see_also),
            }
            for o in book.outcomes
        ],
        "technique": {
            "name": book.technique.name,
            "steps": list(book.technique.steps),
            "see_also": list(book.technique.see_also),
        },
    }


class PlainError(ValueError):
    """JSON data that is not a rulebook as `to_plain` writes it. The message names the place
    (e.g. rulebook.questions[3].min) and the kind of problem, never the content."""


_QUESTION_TYPES = QUESTION_TYPES
_OUTCOMES = OUTCOMES
_DISPOSITIONS = DISPOSITIONS

_BOOK_FIELDS = (
    "version",
    "disclaimer",
    "intro",
    "tri_labels",
    "groups",
    "questions",
    "red_flags",
    "patterns",
    "otherwise",
    "cautions",
    "outcomes",
    "technique",
)
_RULE_FIELDS = ("id", "outcome", "disposition", "reason", "source", "when")


def _object(raw: object, at: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """A JSON object with exactly these fields (no unknown field, none missing)."""
    if not isinstance(raw, dict):
        raise PlainError(f"{at}: expected an object, found {kind_of(raw)}")
    if any(key not in fields for key in raw):
        raise PlainError(f"{at}: has a field that is not part of the compiled format")
    for name in fields:
        if name not in raw:
            raise PlainError(f"{at}.{name}: required field is missing")
    return raw


def _text(raw: object, at: str) -> str:
    if not isinstance(raw, str):
        raise PlainError(f"{at}: expected text, found {kind_of(raw)}")
    return raw


def _word(raw: object, at: str, allowed: tuple[str, ...]) -> Any:
    if not isinstance(raw, str) or raw not in allowed:
        raise PlainError(f"{at}: expected one of {', '.join(allowed)}")
    return raw


def _whole(raw: object, at: str) -> int | None:
    if raw is not None and (not isinstance(raw, int) or isinstance(raw, bool)):
        raise PlainError(f"{at}: expected a whole number or null, found {kind_of(raw)}")
    return raw


def _array(raw: object, at: str) -> list[Any]:
    if not isinstance(raw, list):
        raise PlainError(f"{at}: expected a list, found {kind_of(raw)}")
    return raw


def _texts(raw: object, at: str) -> tuple[str, ...]:
    return tuple(_text(item, f"{at}[{i}]") for i, item in enumerate(_array(raw, at)))


def _condition(raw: object, at: str) -> Condition | None:
    if raw is None:
        return None
    try:
        cond = parse(raw)
    except (ConditionError, RecursionError):
        raise PlainError(f"{at}: not a valid condition") from None
    if cond.to_plain() != raw:
        raise PlainError(f"{at}: a condition not in the spelling the compiler writes")
    return cond


def _rule(raw: object, at: str) -> Rule:
    r = _object(raw, at, _RULE_FIELDS)
    return Rule(
        id=_text(r["id"], f"{at}.id"),
        outcome=_word(r["outcome"], f"{at}.outcome", _OUTCOMES),
        disposition=_word(r["disposition"], f"{at}.disposition", _DISPOSITIONS),
        reason=_text(r["reason"], f"{at}.reason"),
        source=_text(r["source"], f"{at}.source"),
        when=_condition(r["when"], f"{at}.when"),
    )


def _question(raw: object, at: str) -> Question:
    fields = ("id", "label", "group", "type", "prompt", "help", "min", "max", "choices",
              "asked_when")  # fmt: skip
    q = _object(raw, at, fields)
    choices = []
    for i, item in enumerate(_array(q["choices"], f"{at}.choices")):
        c = _object(item, f"{at}.choices[{i}]", ("value", "label"))
        choices.append(
            Choice(
                value=_text(c["value"], f"{at}.choices[{i}].value"),
                label=_text(c["label"], f"{at}.choices[{i}].label"),
            )
        )
    return Question(
        id=_text(q["id"], f"{at}.id"),
        label=_text(q["label"], f"{at}.label"),
        group=_text(q["group"], f"{at}.group"),
        type=_word(q["type"], f"{at}.type", _QUESTION_TYPES),
        prompt=_text(q["prompt"], f"{at}.prompt"),
        help=_text(q["help"], f"{at}.help"),
        min=_whole(q["min"], f"{at}.min"),
        max=_whole(q["max"], f"{at}.max"),
        choices=tuple(choices),
        asked_when=_condition(q["asked_when"], f"{at}.asked_when"),
    )


def book_from_plain(raw: object, source: str, *, at: str = "rulebook") -> Rulebook:
    """The Rulebook that `to_plain` wrote as `raw`, checked field by field (see the module
    docstring). The cross-file checks are `check_references`, which the caller runs."""
    data = _object(raw, at, _BOOK_FIELDS)
    labels = data["tri_labels"]
    if not isinstance(labels, dict):
        raise PlainError(f"{at}.tri_labels: expected an object, found {kind_of(labels)}")
    for value in labels.values():
        _text(value, f"{at}.tri_labels")
    groups = []
    for i, item in enumerate(_array(data["groups"], f"{at}.groups")):
        g = _object(item, f"{at}.groups[{i}]", ("id", "title"))
        groups.append(
            Group(
                id=_text(g["id"], f"{at}.groups[{i}].id"),
                title=_text(g["title"], f"{at}.groups[{i}].title"),
            )
        )
    cautions = []
    for i, item in enumerate(_array(data["cautions"], f"{at}.cautions")):
        where = f"{at}.cautions[{i}]"
        c = _object(item, where, ("id", "applies_to", "text", "source", "when"))
        applies = _array(c["applies_to"], f"{where}.applies_to")
        cautions.append(
            Caution(
                id=_text(c["id"], f"{where}.id"),
                applies_to=tuple(
                    _word(d, f"{where}.applies_to[{j}]", _DISPOSITIONS)
                    for j, d in enumerate(applies)
                ),
                text=_text(c["text"], f"{where}.text"),
                source=_text(c["source"], f"{where}.source"),
                when=_condition(c["when"], f"{where}.when"),
            )
        )
    outcomes = []
    for i, item in enumerate(_array(data["outcomes"], f"{at}.outcomes")):
        where = f"{at}.outcomes[{i}]"
        o = _object(item, where, ("outcome", "disposition", "headline", "advice", "see_also"))
        outcomes.append(
            OutcomeText(
                outcome=_word(o["outcome"], f"{where}.outcome", _OUTCOMES),
                disposition=_word(o["disposition"], f"{where}.disposition", _DISPOSITIONS),
                headline=_text(o["headline"], f"{where}.headline"),
                advice=_text(o["advice"], f"{where}.advice"),
                see_also=_texts(o["see_also"], f"{where}.see_also"),
            )
        )
    t = _object(data["technique"], f"{at}.technique", ("name", "steps", "see_also"))
    return Rulebook(
        version=_text(data["version"], f"{at}.version"),
        disclaimer=_text(data["disclaimer"], f"{at}.disclaimer"),
        intro=_text(data["intro"], f"{at}.intro"),
        tri_labels=dict(labels),
        groups=tuple(groups),
        questions=tuple(_question(q, f"{at}.questions[{i}]")
                        for i, q in enumerate(_array(data["questions"], f"{at}.questions"))),
        red_flags=tuple(_rule(r, f"{at}.red_flags[{i}]")
                        for i, r in enumerate(_array(data["red_flags"], f"{at}.red_flags"))),
        patterns=tuple(_rule(r, f"{at}.patterns[{i}]")
                       for i, r in enumerate(_array(data["patterns"], f"{at}.patterns"))),
        otherwise=_rule(data["otherwise"], f"{at}.otherwise"),
        cautions=tuple(cautions),
        outcomes=tuple(outcomes),
        technique=Technique(
            name=_text(t["name"], f"{at}.technique.name"),
            steps=_texts(t["steps"], f"{at}.technique.steps"),
            see_also=_texts(t["see_also"], f"{at}.technique.see_also"),
        ),
        source=source,
    )  # fmt: skip
