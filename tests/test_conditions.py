"""The condition language: parsing, evaluation, the keys it reads, how it reads."""

from __future__ import annotations

import pytest

from neckcheck.core.conditions import All, AnyOf, Compare, ConditionError, Not, parse


def test_shorthands() -> None:
    assert parse({"injury": "fall"}) == Compare("injury", "eq", "fall")
    assert parse({"x": ["yes", "unsure"]}) == Compare("x", "in", ("yes", "unsure"))
    assert parse({"age": {"gte": 65}}) == Compare("age", "gte", 65)
    assert parse({"age": {"gte": 16, "lt": 65}}) == All(
        (Compare("age", "gte", 16), Compare("age", "lt", 65))
    )
    assert parse({"a": 1, "b": 2}) == All((Compare("a", "eq", 1), Compare("b", "eq", 2)))


def test_combinators_and_evaluation() -> None:
    cond = parse({"any": [{"not": {"injury": "none"}}, {"age": {"lt": 16}}]})
    assert isinstance(cond, AnyOf)
    assert isinstance(cond.parts[0], Not)
    assert cond.holds({"injury": "fall", "age": 40})
    assert cond.holds({"injury": "none", "age": 10})
    assert not cond.holds({"injury": "none", "age": 40})
    assert cond.reads == {"injury", "age"}


def test_absent_answer_makes_every_comparison_false() -> None:
    for op, value in [("eq", "x"), ("ne", "x"), ("in", ("x",)), ("not_in", ("x",)), ("lt", 3),
                      ("lte", 3), ("gt", 3), ("gte", 3)]:  # fmt: skip
        assert not Compare("k", op, value).holds({})


def test_reads_as_text() -> None:
    cond = parse({"all": [{"days_since_injury": {"lte": 2}}, {"x": ["yes", "unsure"]}]})
    assert str(cond) == "(days_since_injury <= 2 and x in [yes, unsure])"


@pytest.mark.parametrize(
    "raw",
    [
        {},
        [],
        "injury == fall",
        {"all": []},
        {"all": {"a": 1}},
        {"any": "x"},
        {"age": {"between": [1, 2]}},
        {"age": {"lt": "ten"}},
        {"age": {"lt": True}},
        {"x": True},
        {"x": None},
        {"x": [{"y": 1}]},
        {"x": {"in": "yes"}},
        {"not": []},
    ],
)
def test_malformed_conditions_are_refused(raw: object) -> None:
    with pytest.raises(ConditionError):
        parse(raw)
