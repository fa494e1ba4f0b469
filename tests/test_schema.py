"""`neckcheck schema` agrees with neckcheck's own answer check, valid or not."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from neckcheck.core.answers import check_answers
from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from neckcheck.formats.schema import answer_schema
from tests.spec import BASELINE, NO_INJURY, QUESTIONS
from tests.strategies import answer_sets


@pytest.fixture(scope="module")
def validator(book: Rulebook) -> Draft202012Validator:
    schema = answer_schema(book)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def accepted(raw: Any, book: Rulebook) -> bool:
    try:
        check_answers(raw, book)
    except InputError:
        return False
    return True


ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 4000), st.floats(allow_nan=False),
    st.sampled_from(["yes", "no", "unsure", "Yes", "fall", "none", "vehicle", "backward", ""]),
    st.lists(st.integers(), max_size=2),
)  # fmt: skip


@given(
    answers=answer_sets(),
    drop=st.sets(st.sampled_from(list(QUESTIONS)), max_size=2),
    change=st.dictionaries(st.sampled_from([*QUESTIONS, "extra", "injry"]), ODD_VALUES,
                           max_size=2),
)  # fmt: skip
@example(answers=BASELINE, drop=set(), change={"vascular_signs": 1})
@example(answers=BASELINE, drop=set(), change={"age": True})
@example(answers=BASELINE, drop={"fall_direction"}, change={"injury": "vehicle"})
@example(answers=BASELINE, drop={"fall_direction"}, change={})
@example(answers=NO_INJURY, drop=set(), change={"fall_direction": "sideways"})
def test_schema_and_checker_agree(
    book: Rulebook, validator: Draft202012Validator, answers: dict, drop: set, change: dict
) -> None:
    raw = {k: v for k, v in answers.items() if k not in drop} | change
    # JSON Schema counts 40.0 as an integer; neckcheck wants a JSON integer (checked below).
    assume(not any(isinstance(v, float) and v.is_integer() for v in raw.values()))
    assert validator.is_valid(raw) == accepted(raw, book), raw


def test_integral_floats_are_refused_although_the_schema_cannot_say_so(
    book: Rulebook, validator: Draft202012Validator
) -> None:
    assert validator.is_valid(BASELINE | {"age": 40.0})
    assert not accepted(BASELINE | {"age": 40.0}, book)


@given(answers=answer_sets())
def test_every_valid_answer_set_fits_the_schema(
    book: Rulebook, validator: Draft202012Validator, answers: dict
) -> None:
    assert validator.is_valid(answers)


def test_schema_lists_every_question(book: Rulebook) -> None:
    schema = answer_schema(book)
    assert set(schema["properties"]) == set(QUESTIONS)
    assert schema["properties"]["age"]["minimum"] == 0
    assert schema["properties"]["age"]["maximum"] == 120
