"""The answer set's pydantic model (core.answer_model): built from the rulebook's questions, it is
what validates every value, and the JSON Schema of an answer set is written from it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from neckcheck.core.answer_model import ACCEPTED_TYPES, answer_model, value_model
from neckcheck.core.answers import (
    LongNumber,
    check_answers,
    check_value,
    parse_json,
    value_problem,
)
from neckcheck.core.errors import InputError
from neckcheck.core.model import Question, Rulebook
from neckcheck.formats.schema import answer_schema
from tests.spec import BASELINE, NO_INJURY
from tests.strategies import SameAsId

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**40), 10**40) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=4,
)


def with_question(book: Rulebook, key: str, **change: Any) -> Rulebook:
    questions = tuple(
        dataclasses.replace(q, **change) if q.id == key else q for q in book.questions
    )
    return dataclasses.replace(book, questions=questions)


def test_the_model_is_built_from_the_questions_and_once(book: Rulebook) -> None:
    schema = answer_model(book).json_schema()
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == [q.id for q in book.questions]
    assert "required" not in schema  # skip logic, not the model, says what is required
    assert answer_model(book) is answer_model(book)
    assert answer_model(book).validate_python({}) == {}


def test_one_pass_names_every_failing_key(book: Rulebook) -> None:
    """Each error of the model carries its key, whatever else is wrong: a key that is not
    text, an unknown key and two bad values, in one validation."""
    raw = {"age": "40", 7: "yes", "notes": 1, "injury": "car", "sore_back": "no"}
    with pytest.raises(ValidationError) as info:
        answer_model(book).validate_python(raw)
    named = {error["loc"][0] for error in info.value.errors()}
    assert named == {"age", 7, "notes", "injury"}


def test_a_wrong_yes_no_value_is_one_error_not_one_per_alternative(book: Rulebook) -> None:
    """A yes/no/not-sure value fits "yes"/"no"/"unsure" or a boolean; a value that fits neither
    is one error of its key (a line whose every value is wrong lists one error a key), and
    the JSON Schema still shows both alternatives."""
    tri = [q.id for q in book.questions if q.type == "tri"]
    raw = {key: [1] for key in tri} | {"sore_back": 1, "age": True, "injury": "no"}
    with pytest.raises(ValidationError) as info:
        answer_model(book).validate_python(raw)
    keys = [error["loc"][0] for error in info.value.errors()]
    assert sorted(keys) == sorted(raw)
    schema = answer_model(book).json_schema()["properties"]["sore_back"]
    assert schema["anyOf"] == [
        {"enum": ["yes", "no", "unsure"], "type": "string"},
        {"type": "boolean"},
    ]


def test_every_problem_is_found_in_one_validation(
    book: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = answer_model(book)
    calls: list[object] = []
    real = model.validate_python
    monkeypatch.setattr(model, "validate_python", lambda raw: calls.append(raw) or real(raw))
    raw = {"zz": 1, **BASELINE, "age": "x", 3: "no", "\ud800": 1, "injury": 2}
    with pytest.raises(InputError) as info:
        check_answers(raw, book)
    assert len(calls) == 1
    assert [p.key for p in info.value.problems] == ["zz", "age", "injury", "3", "\ud800"]


def test_a_changed_question_changes_what_is_accepted(book: Rulebook) -> None:
    """The model follows the rulebook: narrow the age range and 110 is refused with the new
    range named; the shipped rulebook still accepts it."""
    narrowed = with_question(book, "age", max=100)
    answers = {**BASELINE, "age": 110}
    assert check_answers(answers, book).facts["age"] == 110
    with pytest.raises(InputError) as info:
        check_answers(answers, narrowed)
    assert [(p.key, p.message) for p in info.value.problems] == [
        ("age", "must be from 0 to 100, got 110")
    ]


@pytest.mark.parametrize(
    ("key", "value", "canonical"),
    [
        ("vascular_signs", "yes", "yes"),
        ("vascular_signs", True, "yes"),
        ("vascular_signs", False, "no"),
        ("vascular_signs", "unsure", "unsure"),
        ("age", 0, 0),
        ("age", 120, 120),
        ("injury", "vehicle", "vehicle"),
    ],
)
def test_accepted_values_and_their_canonical_form(
    book: Rulebook, key: str, value: object, canonical: object
) -> None:
    question = book.question(key)
    assert question is not None
    assert check_value(question, value) == canonical


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("vascular_signs", 1),
        ("vascular_signs", 0),
        ("vascular_signs", "Yes"),
        ("vascular_signs", None),
        ("age", True),
        ("age", 40.0),
        ("age", "40"),
        ("age", 121),
        ("age", 10**40),
        ("injury", "Vehicle"),
        ("injury", True),
    ],
)
def test_strict_values_are_refused_by_the_model(book: Rulebook, key: str, value: object) -> None:
    """Strict: no coercion, so nothing is guessed (true is never 1, "40" is never 40)."""
    with pytest.raises(ValidationError):
        answer_model(book).validate_python({key: value})
    question = book.question(key)
    assert question is not None
    with pytest.raises(ValueError, match="must be"):
        check_value(question, value)


@given(value=JSON_VALUES, index=st.integers(0, 200))
def test_one_value_and_the_whole_model_agree(book: Rulebook, value: object, index: int) -> None:
    question: Question = book.questions[index % len(book.questions)]
    try:
        answer_model(book).validate_python({question.id: value})
        whole = True
    except ValidationError:
        whole = False
    try:
        value_model(question).validate_python(value)
        one = True
    except ValidationError:
        one = False
    assert whole == one


@given(value=JSON_VALUES | st.just(LongNumber("1" * 20 + "...")), index=st.integers(0, 200))
def test_a_type_a_question_never_accepts_is_refused_by_the_model_too(
    book: Rulebook, value: object, index: int
) -> None:
    """check_answers refuses a value whose type its question never accepts (ACCEPTED_TYPES)
    without asking the model, for speed: the model must refuse every such value too, and the
    problem must read exactly as the model's own path words it (check_value)."""
    question: Question = book.questions[index % len(book.questions)]
    if type(value) not in ACCEPTED_TYPES[question.type]:
        with pytest.raises(ValidationError):
            value_model(question).validate_python(value)
    try:
        check_value(question, value)
        expected = []
    except ValueError as exc:
        expected = [str(exc)]
    try:
        check_answers({**BASELINE, question.id: value}, book)
        found = []
    except InputError as exc:  # (a changed answer may ask questions BASELINE does not answer)
        found = [p.message for p in exc.problems if p.key == question.id]
    assert found == expected


def test_every_accepted_type_holds_an_answer(book: Rulebook) -> None:
    """ACCEPTED_TYPES is no wider than the model: each kind's types each hold a valid answer
    (and what JSON reads is all it lists)."""
    for question in book.questions:
        samples = {str: question.allowed_values()[:1], bool: [True], int: [question.min]}
        for kind in ACCEPTED_TYPES[question.type]:
            assert any(_accepts(question, v) for v in samples[kind]), (question.id, kind)
    accepted = set().union(*ACCEPTED_TYPES.values())
    assert {type(parse_json(t)) for t in ('"x"', "true", "1")} == accepted


def _accepts(question: Question, value: object) -> bool:
    try:
        value_model(question).validate_python(value)
    except ValidationError:
        return False
    return True


def test_the_json_schema_of_an_answer_set_is_written_from_the_model(book: Rulebook) -> None:
    written = answer_schema(book)["properties"]
    generated = answer_model(book).json_schema()["properties"]
    for q in book.questions:
        assert written[q.id]["title"] == q.prompt
        assert {k: v for k, v in written[q.id].items() if k not in ("title", "description")} == {
            k: v for k, v in generated[q.id].items() if k != "title"
        }


def test_the_model_is_a_pydantic_type_adapter(book: Rulebook) -> None:
    assert isinstance(answer_model(book), TypeAdapter)
    question = book.question("age")
    assert question is not None
    assert isinstance(value_model(question), TypeAdapter)


@pytest.mark.parametrize("key", ["\x80", "âge", "\ud800", "vasculár_signs"])
def test_a_key_that_is_not_ascii_is_still_an_unknown_key(book: Rulebook, key: str) -> None:
    """Such a key is kept from the model (pydantic refuses an object with a key that is not
    valid Unicode without naming any key), and still reported, alone or with other problems."""
    with pytest.raises(InputError) as info:
        check_answers(BASELINE | {key: "no"}, book)
    assert [p.key for p in info.value.problems] == [key]
    with pytest.raises(InputError) as info:
        check_answers(BASELINE | {key: "no", "age": "x"}, book)
    assert [p.key for p in info.value.problems] == ["age", key]


# ---- The answer check against the model alone ----

# Values JSON_VALUES rarely or never draws: what a question accepts, its edges, and what only the
# Python API can give (a LongNumber that spells an answer, a number too long to write).
_EDGE_VALUES = st.sampled_from(
    [
        "yes", "no", "unsure", "Yes", "", "none", "fall", "vehicle", "forward", "sudden",
        True, False, 0, 1, -1, 15, 16, 40, 64, 65, 120, 121, 3650, 3651, 40.0, None, [], [1],
        LongNumber("1" * 20 + "..."), LongNumber("yes"), LongNumber("fall"), [10**5000],
    ]
)  # fmt: skip
_ODD_KEYS = st.one_of(
    st.text(max_size=4),
    st.sampled_from(["agee", "Age", "âge", "\ud800", "notes"]),
    st.integers(-2, 2),
    st.builds(SameAsId, st.sampled_from(["age", "injury", "sore_back", "notes"])),
)


def _model_only(raw: dict[Any, object], book: Rulebook) -> list[tuple[str, str]]:
    """The value problems as the model alone finds them: the answers to questions (text keys
    only) validated together by answer_model, each refused one worded by value_problem, in the
    order given."""
    known = {k: v for k, v in raw.items() if type(k) is str and book.question(k) is not None}
    errors: list[Any] = []
    try:
        answer_model(book).validate_python(known)
    except ValidationError as exc:
        errors = exc.errors()
    first: dict[object, str] = {}
    for error in errors:
        first.setdefault(error["loc"][0], error["type"])
    return [
        (key, value_problem(question, value, first[key]))
        for key, value in known.items()
        if key in first and (question := book.question(key)) is not None
    ]


@given(data=st.data())
def test_the_answer_check_finds_what_the_model_alone_finds(
    book: Rulebook, data: st.DataObject
) -> None:
    """check_answers spares the model what a look-up can decide (a key no question has, a value
    of a type its question never takes); a set with odd keys and values of every kind must
    still get exactly the model's value problems, worded alike, with every key that is not
    text and every unknown key named in order, and nothing else but missing answers."""
    ids = [q.id for q in book.questions]
    raw: dict[Any, object] = dict(data.draw(st.sampled_from([BASELINE, NO_INJURY, {}])))
    for key in data.draw(st.lists(st.sampled_from(ids), max_size=3)):
        raw.pop(key, None)
    values = st.one_of(_EDGE_VALUES, JSON_VALUES)
    raw |= data.draw(st.dictionaries(st.sampled_from(ids), values, max_size=6))
    raw |= data.draw(st.dictionaries(_ODD_KEYS, JSON_VALUES, max_size=3))
    raw = dict(data.draw(st.permutations(list(raw.items()))))

    expected = _model_only(raw, book)
    not_text = [key for key in raw if type(key) is not str]
    unknown = [key for key in raw if type(key) is str and book.question(key) is None]
    try:
        facts = check_answers(raw, book).facts
    except InputError as exc:
        pairs = [(p.key, p.message) for p in exc.problems]
    else:
        pairs = []
        for key, value in facts.items():  # JSON true/false read as yes/no, the rest as given
            given = raw[key]
            assert value == ("yes" if given is True else "no" if given is False else given)
    values_found = [(k, m) for k, m in pairs if k in ids and not m.startswith("missing answer")]
    assert values_found == expected
    assert [m for _, m in pairs].count("a key must be text") == len(not_text)
    assert [k for k, m in pairs if m.startswith("unknown key")] == unknown
    rest = [m for _, m in pairs if not (m.startswith(("missing answer", "unknown key")))]
    assert len(rest) == len(expected) + len(not_text)
