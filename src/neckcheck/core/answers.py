"""Read and check an answer set against the rulebook's questions.

Never guesses: an unknown key, a value of the wrong type or out of range, or a missing answer to
an asked question is a Problem naming its key, and all problems are reported together.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from neckcheck.core.answer_model import ACCEPTED_TYPES, answer_model, value_model
from neckcheck.core.conditions import Value
from neckcheck.core.errors import MAX_UNKNOWN_KEYS_LISTED, InputError, Problem
from neckcheck.core.model import Question, Rulebook
from neckcheck.core.unknown_keys import MAX_SUGGESTIONS, input_error, unknown_key_message

if TYPE_CHECKING:
    from neckcheck.core.conditions import Test


@dataclass(frozen=True, slots=True)
class Answers:
    """A checked answer set. `facts` holds the answers to asked questions only: the answers to
    skipped questions play no part in any decision."""

    facts: Mapping[str, Value]


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen = dict(pairs)
    if len(seen) != len(pairs):
        # A later "no" must never hide an earlier "yes" (SPEC.md section 1). The first key met
        # twice, found in one pass (an object of 80,000 keys must not cost 80,000 passes).
        met: set[str] = set()
        for key, _ in pairs:
            if key in met:
                raise ValueError(f"key {key!r} is given more than once")
            met.add(key)
    return seen


class LongNumber(str):
    """A JSON number with more digits than any answer can have: kept as text so that the answer
    check names its key (Python would refuse to convert it, with a message about its limits)."""


def _parse_int(digits: str) -> int | LongNumber:
    return int(digits) if len(digits) <= 30 else LongNumber(digits[:20] + "...")


_decode = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_constant=_reject_constant, parse_int=_parse_int
).decode


def parse_json(data: bytes | str, source: str = "answers") -> object:
    """Parse one JSON document strictly: UTF-8 (a BOM is allowed), no duplicate keys, no NaN."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                [Problem("", f"not valid UTF-8 text (byte {exc.start})")], source
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if not text or text.isspace():
        raise InputError([Problem("", "no answers given (the input is empty)")], source)
    try:
        return _decode(text)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            where = f" at line {exc.lineno} column {exc.colno}"
            raise InputError([Problem("", f"not valid JSON: {exc.msg}{where}")], source) from None
        raise InputError([Problem("", f"not valid JSON: {exc}")], source) from None
    except RecursionError:
        raise InputError([Problem("", "not valid JSON: nested too deeply")], source) from None


_KINDS: dict[type, str] = {
    LongNumber: "a number with too many digits",
    type(None): "null",
    bool: "a boolean",
    int: "a whole number",
    float: "a decimal number",
    str: "text",
    list: "a list",
    dict: "an object",
}


def _kind(value: object) -> str:
    kind = _KINDS.get(type(value))
    if kind is not None:
        return kind
    for base, kind in _KINDS.items():  # a subclass, through the Python API
        if isinstance(value, base):
            return kind
    return type(value).__name__


# One encoder, made once: json.dumps(value) builds a new one on every call, which was most of
# the cost of a line whose every value has the wrong type. Its output is json.dumps(value)'s.
_encode = json.JSONEncoder().encode


_WHOLE = frozenset((int,))


def _shown(value: object) -> str:
    """A value for a message: short, and escaped (it may hold control characters)."""
    try:
        # A whole number as the encoder writes it (int.__repr__), without building the encoder,
        # which costs ~10x more; a decimal number as Python writes it.
        if type(value) is int or isinstance(value, float):
            text = repr(value)
        elif type(value) is list and set(map(type, value)) <= _WHOLE:
            text = repr(value)  # the encoder's text for a list of whole numbers, in ~1/10
        else:
            text = _encode(value)
    except (TypeError, ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 40 else text[:37] + "..."


# The error types of a number in range of its type, but out of the question's range.
_OUT_OF_RANGE = frozenset(("greater_than_equal", "less_than_equal"))


def _wording(question: Question) -> tuple[str, str | None]:
    """What a problem with this question's value says before the value: (for a value of the
    wrong kind, which the value's kind then follows; for a number out of range, or None)."""
    if question.type == "tri":
        return 'must be "yes", "no" or "unsure" (or true/false), got ', None
    if question.type == "int":
        lo, hi = question.min, question.max
        return f"must be a whole number from {lo} to {hi}, got ", f"must be from {lo} to {hi}, got "
    choices = ", ".join(f'"{v}"' for v in question.allowed_values())
    return f"must be one of {choices}, got ", None


class _Wording(NamedTuple):
    """What _sort_out needs of a question: _wording's two texts, the types of JSON values its
    answer can never have (a list, null, a decimal number, a number too long to read ...), and
    its answers in words: a LongNumber is a str to the model, which takes one that spells a
    word (made through the Python API, LongNumber("yes") is "yes"), so it is the model's to
    read, like any other text."""

    wrong: str
    out_of_range: str | None
    refused: frozenset[type]
    words: frozenset[str]


def _wordings(rulebook: Rulebook) -> dict[object, _Wording]:
    """The _Wording of every question, by id, made once per rulebook."""
    table: dict[object, _Wording] | None = rulebook.derived.get("value_wording")
    if table is None:
        json_types = frozenset(_KINDS)
        table = {
            q.id: _Wording(
                *_wording(q),
                json_types - ACCEPTED_TYPES[q.type],
                frozenset(q.allowed_values()) if str in ACCEPTED_TYPES[q.type] else frozenset(),
            )
            for q in rulebook.questions
        }
        rulebook.derived["value_wording"] = table
    return table


def _worded(wording: tuple[str, str | None], value: object, error_type: str) -> str:
    wrong, out_of_range = wording
    if out_of_range is not None and error_type in _OUT_OF_RANGE:
        return out_of_range + _shown(value)
    return f"{wrong}{_shown(value)} ({_KINDS.get(type(value)) or _kind(value)})"


def value_problem(question: Question, value: object, error_type: str) -> str:
    """Why a value is not an answer to this question, in the person's words (`error_type` is
    the validator's: a number out of range reads differently from a value of the wrong kind)."""
    return _worded(_wording(question), value, error_type)


_MISSING = object()


def _canonical(value: object) -> Value:
    """A validated value as the rules read it: JSON true/false stand for "yes"/"no"."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value  # type: ignore[return-value]


def check_value(question: Question, value: object) -> Value:
    """Return the answer's canonical value, or raise ValueError with a message for the person."""
    from pydantic import ValidationError

    try:
        valid = value_model(question).validate_python(value)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        raise ValueError(value_problem(question, value, error["type"])) from None
    return _canonical(valid)


def max_keys(rulebook: Rulebook) -> int:
    """The most keys an answer set may hold: one per question is all a valid one has; a little
    room beyond that, so that every unknown key of a sloppy one is still named. An object with
    more is refused as a whole, in one problem, before any key is looked at."""
    return max(64, 2 * len(rulebook.questions))


def too_many_keys(raw: Mapping[str, object], rulebook: Rulebook) -> Problem | None:
    """The problem of an answer set with more keys than max_keys, else None."""
    if len(raw) <= max_keys(rulebook):
        return None
    most, questions = max_keys(rulebook), len(rulebook.questions)
    return Problem("", f"the answer set has {len(raw)} keys, more than the {most} read: a valid "
                       f"one has one per question ({questions})")  # fmt: skip


def _plan(rulebook: Rulebook) -> tuple[tuple[str, Test | None, bool], ...]:
    """The questions in order with their compiled asked-when test and whether a JSON boolean
    may stand for their answer (a yes/no/not-sure question), built once per rulebook."""
    plan: tuple[tuple[str, Test | None, bool], ...] | None = rulebook.derived.get("answer_plan")
    if plan is None:
        plan = tuple(
            (q.id, q.asked_when.test if q.asked_when is not None else None, q.type == "tri")
            for q in rulebook.questions
        )
        rulebook.derived["answer_plan"] = plan
    return plan


def check_answers(raw: object, rulebook: Rulebook, source: str = "answers") -> Answers:
    """Check a parsed JSON value as an answer set; raise InputError listing every problem.

    The values are validated by the answer set's pydantic model (answer_model), in one pass
    whose errors name their keys; skip logic then decides which answers are required. Problems
    come in the order of the keys given, then the missing answers in the order of the
    questions."""
    if not isinstance(raw, dict):
        raise InputError(
            [Problem("", f"an answer set must be a JSON object, got {_kind(raw)}")], source
        )
    if len(raw) > 64 and (whole := too_many_keys(raw, rulebook)) is not None:
        raise InputError([whole], source)
    wordings = _wordings(rulebook)
    values: Mapping[object, object]
    problems: list[tuple[str, str]]
    unresolved: set[str]
    if (
        raw.keys() <= wordings.keys()
        and set(map(type, raw.values())) <= _ANSWER_TYPES
        and set(map(type, raw)) <= _TEXT
    ):
        # The common case, every key a question's and every value of a type some answer has:
        # the model reads the answer set as it is. (Every key text, too: through the Python
        # API, an object that is not text may still compare equal to a question's id.)
        failed = _refused_by_model(raw, rulebook)
        if failed is None:
            values, problems, hidden, unresolved = raw, [], 0, set()
        else:
            values, problems, hidden, unresolved = _sort_out(raw, failed, wordings, rulebook)
    else:
        # First without the model: _sort_out reports an unknown key, and a value of a type its
        # question never accepts (a list, an object, null, a decimal number ...), by a look-up.
        # The model then reads the values left; only if it refuses one are the problems sorted
        # out again, to keep them in the order of the keys.
        values, problems, hidden, unresolved = _sort_out(raw, {}, wordings, rulebook)
        if values and (failed := _refused_by_model(values, rulebook)) is not None:
            values, problems, hidden, unresolved = _sort_out(raw, failed, wordings, rulebook)

    if not unresolved:  # the common case: every value valid; is every asked question answered?
        # (Unknown keys alone change nothing that is asked: they are reported as they are.)
        facts: dict[str, Value] = {}
        for key, asked_test, tri in _plan(rulebook):
            if asked_test is None or asked_test(facts):
                value = values.get(key, _MISSING)
                if value is _MISSING:
                    break  # missing: the careful path below names it
                if tri:  # _canonical, inlined: it ran once an answer on every line
                    value = "yes" if value is True else "no" if value is False else value
                facts[key] = value  # type: ignore[assignment]
        else:
            if problems:
                raise input_error(problems, hidden, source)
            return Answers(facts)

    facts = {}
    for q in rulebook.questions:
        when = q.asked_when
        if when is not None:
            if unresolved and not when.reads.isdisjoint(unresolved):
                unresolved.add(q.id)  # cannot tell whether it is asked until those are fixed
                continue
            if not when.test(facts):
                continue
        if q.id in values:
            facts[q.id] = _canonical(values[q.id])
        elif q.id not in unresolved:
            why = f" (asked because {q.asked_when})" if q.asked_when is not None else ""
            problems.append((q.id, f"missing answer{why}"))
            unresolved.add(q.id)
    if problems:
        raise input_error(problems, hidden, source)
    return Answers(facts)


# The types of every value some question accepts (answer_model.ACCEPTED_TYPES).
_ANSWER_TYPES = frozenset().union(*ACCEPTED_TYPES.values())
_TEXT = frozenset((str,))
_KIND_WORDS = {kind: f" ({words})" for kind, words in _KINDS.items()}


def _refused_by_model(given: dict[object, object], rulebook: Rulebook) -> dict[object, str] | None:
    """None when the answer set's model accepts these answers; else each key it refused, with
    the type of its first error (one a key in the answer model; only a number's type
    matters)."""
    from pydantic import ValidationError

    try:
        answer_model(rulebook).validate_python(given)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return {(error["loc"] or ("",))[0]: error["type"] for error in reversed(errors)}
    return None


def _sort_out(
    raw: dict[Any, object],
    failed: dict[object, str],
    wordings: dict[object, _Wording],
    rulebook: Rulebook,
) -> tuple[dict[object, object], list[tuple[str, str]], int, set[str]]:
    """For an answer set with a problem (`failed`: the error type of each key the model
    refused): the valid values, the problems in the order of the keys given, how many more were
    counted but not made, and the questions whose value is not known. A value of a type its
    question never accepts is refused here, whether or not the model was shown it.

    Bounded work: a problem for an unknown key is made only while it will be listed (the rest
    are counted), and a "did you mean" searched for the first few unknown keys only. A bad
    value is worded from its question's words, made once per rulebook (_wordings)."""
    values: dict[object, object] = {}
    problems: list[tuple[str, str]] = []  # (key, message): see InputError.of_pairs
    hidden = unknown = 0
    unresolved: set[str] = set()
    for key, value in raw.items():
        if not isinstance(key, str):  # through the Python API: {1: "yes"}
            problems.append((_shown(key), "a key must be text"))
        elif (wording := wordings.get(key)) is not None:
            # _worded, inlined: a line may have a problem a key
            kind = type(value)
            if kind in wording.refused and (kind is not LongNumber or value not in wording.words):
                # a JSON type: it has its words
                problems.append((key, wording.wrong + _shown(value) + _KIND_WORDS[kind]))
            elif (error_type := failed.get(key)) is None:
                values[key] = value
                continue
            elif wording.out_of_range is not None and error_type in _OUT_OF_RANGE:
                problems.append((key, wording.out_of_range + _shown(value)))
            else:
                problems.append((key, f"{wording.wrong}{_shown(value)} ({_kind(value)})"))
            unresolved.add(key)
        elif unknown >= MAX_UNKNOWN_KEYS_LISTED:
            hidden += 1
        else:
            unknown += 1
            problems.append((key, unknown_key_message(key, rulebook, unknown <= MAX_SUGGESTIONS)))
    return values, problems, hidden, unresolved
