"""Read and validate a rules folder from its YAML files into a Rulebook (the full, slow path:
PyYAML and pydantic; `rulebook.load_rulebook` takes a compiled copy when one is current).

Every problem is collected and reported at once, each with the file, the line (where YAML gives
it) and the id of the question, rule or caution concerned. Loading never executes code: the YAML
reader is a safe one, and conditions are data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neckcheck.conditions import ORDER_OPS, Compare, Condition, ConditionError
from neckcheck.errors import RulesError
from neckcheck.model import (
    OUTCOME_EXIT_CODES,
    TRI_VALUES,
    Caution,
    Group,
    OutcomeText,
    Question,
    Rule,
    Rulebook,
    Technique,
)
from neckcheck.rulebook import FILES
from neckcheck.yamlsafe import LineDict, load_yaml

# SPEC.md section 3: cautions and see_also belong to the self-care outcomes only.
SELF_CARE = ("technique", "avoid_technique")

# The shape of each file, validated by pydantic (`extra: forbid` rejects unknown fields).
_FORBID_EXTRA: Any = {"extra": "forbid"}


@dataclass(frozen=True)
class MetaFile:
    __pydantic_config__ = _FORBID_EXTRA
    version: str
    disclaimer: str
    intro: str
    tri_labels: dict[str, str]


@dataclass(frozen=True)
class QuestionsFile:
    __pydantic_config__ = _FORBID_EXTRA
    groups: tuple[Group, ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class DecisionsFile:
    __pydantic_config__ = _FORBID_EXTRA
    red_flags: tuple[Rule, ...]
    patterns: tuple[Rule, ...]
    otherwise: Rule


@dataclass(frozen=True)
class CautionsFile:
    __pydantic_config__ = _FORBID_EXTRA
    cautions: tuple[Caution, ...]


@dataclass(frozen=True)
class OutcomesFile:
    __pydantic_config__ = _FORBID_EXTRA
    outcomes: tuple[OutcomeText, ...]


SHAPES: dict[str, type] = {
    "rulebook.yaml": MetaFile,
    "questions.yaml": QuestionsFile,
    "decisions.yaml": DecisionsFile,
    "cautions.yaml": CautionsFile,
    "outcomes.yaml": OutcomesFile,
    "technique.yaml": Technique,
}


def load_validated(folder: Path) -> Rulebook:
    """Load and validate a rules folder; raise RulesError listing every problem found."""
    if not folder.is_dir():
        raise RulesError([f"{folder}: not a rules folder (it does not exist or is not a folder)"])
    parsed: dict[str, Any] = {}
    problems: list[str] = []
    for name in FILES:
        path = folder / name
        try:
            raw = load_yaml(path)
        except RulesError as exc:
            problems.extend(exc.messages)
            continue
        parsed[name], file_problems = _validate_shape(path, raw, SHAPES[name])
        problems.extend(file_problems)
    if problems:
        raise RulesError(problems)
    meta: MetaFile = parsed["rulebook.yaml"]
    qfile: QuestionsFile = parsed["questions.yaml"]
    dfile: DecisionsFile = parsed["decisions.yaml"]
    book = Rulebook(
        version=meta.version,
        disclaimer=meta.disclaimer,
        intro=meta.intro,
        tri_labels=meta.tri_labels,
        groups=qfile.groups,
        questions=qfile.questions,
        red_flags=dfile.red_flags,
        patterns=dfile.patterns,
        otherwise=dfile.otherwise,
        cautions=parsed["cautions.yaml"].cautions,
        outcomes=parsed["outcomes.yaml"].outcomes,
        technique=parsed["technique.yaml"],
        source=str(folder),
    )
    problems = list(_check_references(book, folder))
    if problems:
        raise RulesError(problems)
    return book


def _validate_shape(path: Path, raw: object, shape: type) -> tuple[Any, list[str]]:
    from pydantic import TypeAdapter, ValidationError

    if not isinstance(raw, dict):
        return None, [f"{path}: expected a mapping at the top of the file, found {raw!r}"]
    try:
        return TypeAdapter(shape).validate_python(raw), []
    except ValidationError as exc:
        return None, [_describe(path, raw, err) for err in exc.errors()]


_KINDS = {
    "groups": "group",
    "questions": "question",
    "red_flags": "rule",
    "patterns": "rule",
    "otherwise": "rule",
    "cautions": "caution",
    "outcomes": "outcome text",
}


def _describe(path: Path, raw: object, err: Any) -> str:
    """Turn one pydantic error into 'file:line: question 'x': field: message'."""
    loc: Sequence[object] = err.get("loc", ())
    node: object = raw
    line: int | None = getattr(raw, "line", None)
    owner = ""
    kind = _KINDS.get(str(loc[0]), "entry") if loc else "entry"
    for step in loc:
        if isinstance(node, LineDict):
            line = node.line_of(step) or line
            if isinstance(node.get("id"), str):
                owner = f"{kind} {node['id']!r}: "
        try:
            node = node[step]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
    ctx_error = err.get("ctx", {}).get("error")
    if isinstance(ctx_error, ConditionError):
        line = ctx_error.line or line
        message = str(ctx_error)
    elif err.get("type") in ("unexpected_keyword_argument", "extra_forbidden"):
        message = "unknown field (not part of the rules format)"
    elif err.get("type") == "missing":
        message = "required field is missing"
    else:
        message = str(err.get("msg", "invalid"))
    named = [str(s) for s in loc if not isinstance(s, int)]
    field_path = ".".join(named[1:] if owner and len(named) > 1 else named)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {owner}{field_path}: {message}"


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def _check_references(book: Rulebook, folder: Path) -> Iterable[str]:
    """Cross-file checks pydantic cannot do: ids, references, value domains, SPEC pairs."""
    qpath, dpath, cpath, opath = (
        folder / "questions.yaml",
        folder / "decisions.yaml",
        folder / "cautions.yaml",
        folder / "outcomes.yaml",
    )
    for dup in _duplicates(g.id for g in book.groups):
        yield f"{qpath}: group {dup!r} is defined more than once"
    for dup in _duplicates(q.id for q in book.questions):
        yield f"{qpath}: question {dup!r} is defined more than once"
    for dup in _duplicates(r.id for r in book.rules):
        yield f"{dpath}: rule {dup!r} is defined more than once"
    for dup in _duplicates(c.id for c in book.cautions):
        yield f"{cpath}: caution {dup!r} is defined more than once"

    mpath = folder / "rulebook.yaml"
    if set(book.tri_labels) != set(TRI_VALUES):
        yield f"{mpath}: tri_labels must name exactly {', '.join(TRI_VALUES)}"
    group_ids = {g.id for g in book.groups}
    earlier: dict[str, Question] = {}
    for q in book.questions:
        if q.id in ("all", "any", "not"):
            yield f"{qpath}: question {q.id!r}: this id is reserved for the condition language"
        if q.group not in group_ids:
            yield f"{qpath}: question {q.id!r}: group {q.group!r} is not defined under groups"
        yield from (f"{qpath}: question {q.id!r}: {m}" for m in _question_shape(q))
        if q.asked_when is not None:
            for m in _condition_problems(q.asked_when, earlier, "asked_when"):
                yield f"{_at(qpath, m)}: question {q.id!r}: {m[1]}"
        earlier[q.id] = q

    questions = {q.id: q for q in book.questions}
    sections = (("red_flags", book.red_flags), ("patterns", book.patterns))
    for section, rules in sections:
        for rule in rules:
            if rule.when is None:
                yield f"{dpath}: rule {rule.id!r}: 'when' is required in {section}"
            else:
                for m in _condition_problems(rule.when, questions, "when"):
                    yield f"{_at(dpath, m)}: rule {rule.id!r}: {m[1]}"
            if (section == "red_flags") != (rule.outcome == "red_flag"):
                yield (
                    f"{dpath}: rule {rule.id!r}: outcome {rule.outcome!r} does not belong in "
                    f"{section} (red_flag rules go in red_flags, all others in patterns)"
                )
    if book.otherwise.when is not None:
        yield (
            f"{dpath}: rule {book.otherwise.id!r}: 'otherwise' applies when nothing else does, "
            "so it takes no 'when'"
        )
    if book.otherwise.outcome == "red_flag":
        yield f"{dpath}: rule {book.otherwise.id!r}: 'otherwise' cannot be a red_flag"
    for rule in book.rules:
        if (rule.outcome, rule.disposition) not in OUTCOME_EXIT_CODES:
            yield (
                f"{dpath}: rule {rule.id!r}: outcome/disposition pair "
                f"{rule.outcome}/{rule.disposition} is not in SPEC.md section 2"
            )
        if not rule.source.strip():
            yield f"{dpath}: rule {rule.id!r}: 'source' must name where the rule comes from"
        if not rule.reason.strip():
            yield f"{dpath}: rule {rule.id!r}: 'reason' must not be empty"

    for caution in book.cautions:
        if not caution.applies_to:
            yield f"{cpath}: caution {caution.id!r}: applies_to must name at least one outcome"
        for disposition in caution.applies_to:
            if disposition not in SELF_CARE:
                yield (
                    f"{cpath}: caution {caution.id!r}: applies_to: cautions go with "
                    f"{' or '.join(SELF_CARE)} outcomes only, not {disposition}"
                )
        if caution.when is not None:
            for m in _condition_problems(caution.when, questions, "when"):
                yield f"{_at(cpath, m)}: caution {caution.id!r}: {m[1]}"

    pairs: list[tuple[str, str]] = [(t.outcome, t.disposition) for t in book.outcomes]
    for pair in pairs:
        if pair not in OUTCOME_EXIT_CODES:
            yield f"{opath}: {pair[0]}/{pair[1]} is not an outcome/disposition pair of SPEC.md"
    for text in book.outcomes:
        if text.see_also and text.disposition not in SELF_CARE:
            yield (
                f"{opath}: {text.outcome}/{text.disposition}: see_also goes with "
                f"{' or '.join(SELF_CARE)} outcomes only"
            )
    for spec_pair in OUTCOME_EXIT_CODES:
        if (found := pairs.count(spec_pair)) != 1:
            yield f"{opath}: {'/'.join(spec_pair)} needs exactly one entry, found {found}"


def _at(path: Path, located: tuple[int | None, str]) -> str:
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
            yield f"choice {dup!r} is listed more than once"
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
        yield f"{cmp.key!r} is not a question that can be read here (unknown, or not asked before)"
        return
    if q.type == "int":
        for v in cmp.values():
            if not isinstance(v, int):
                yield f"{cmp.key!r} is a whole number; {v!r} is not"
            elif q.min is not None and q.max is not None and not q.min <= v <= q.max:
                yield f"{cmp.key!r}: {v} is outside the question's range {q.min}..{q.max}"
        return
    if cmp.op in ORDER_OPS:
        yield f"{cmp.key!r} is a {q.type} question; '{cmp.op}' works on whole numbers only"
        return
    allowed = q.allowed_values()
    for v in cmp.values():
        if v not in allowed:
            yield f"{cmp.key!r}: {v!r} is not one of its values ({', '.join(allowed)})"
