"""The condition language: parsing, evaluation, the keys it reads, how it reads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neckcheck.core.conditions import All, AnyOf, Compare, Condition, ConditionError, Not, parse


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


# The compiled tests splice nested combinators, test memberships first and inline, and split a
# guard off for callers: checked here against a plain reading of the condition language.
_KEYS = ("a", "b", "c")
_VALUES = ("yes", "no", "unsure", 0, 3, 7)


def _meaning(cond: Condition, facts: dict[str, str | int]) -> bool:
    if isinstance(cond, All):
        return all(_meaning(p, facts) for p in cond.parts)
    if isinstance(cond, AnyOf):
        return any(_meaning(p, facts) for p in cond.parts)
    if isinstance(cond, Not):
        return not _meaning(cond.part, facts)
    assert isinstance(cond, Compare)
    if cond.key not in facts:
        return False  # a skipped question: every comparison on it is false
    answer, value = facts[cond.key], cond.value
    if cond.op in ("eq", "ne", "in", "not_in"):
        found = answer in cond.values()
        return found if cond.op in ("eq", "in") else not found
    if not isinstance(answer, int):
        return False  # the rules compare order only on whole-number questions
    assert isinstance(value, int)
    return {"lt": answer < value, "lte": answer <= value, "gt": answer > value,
            "gte": answer >= value}[cond.op]  # fmt: skip


_compares = st.one_of(
    st.builds(Compare, st.sampled_from(_KEYS), st.sampled_from(("eq", "ne")),
              st.sampled_from(_VALUES)),
    st.builds(Compare, st.sampled_from(_KEYS), st.sampled_from(("in", "not_in")),
              st.lists(st.sampled_from(_VALUES), min_size=1, max_size=3).map(tuple)),
    st.builds(Compare, st.just("n"), st.sampled_from(("lt", "lte", "gt", "gte")),
              st.integers(0, 9)),
)  # fmt: skip
_conditions = st.recursive(
    _compares,
    lambda inner: st.one_of(
        st.builds(All, st.lists(inner, min_size=1, max_size=4).map(tuple)),
        st.builds(AnyOf, st.lists(inner, min_size=1, max_size=4).map(tuple)),
        st.builds(Not, inner),
    ),
    max_leaves=12,
)
_facts = st.tuples(
    st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_VALUES)),
    st.dictionaries(st.just("n"), st.integers(0, 9)),  # a whole-number question
).map(lambda both: {**both[0], **both[1]})


@given(cond=_conditions, facts=_facts)
def test_compiled_test_and_guard_mean_what_the_condition_says(
    cond: Condition, facts: dict[str, str | int]
) -> None:
    expected = _meaning(cond, facts)
    assert cond.test(facts) is expected
    guard = cond.guard()
    if guard is not None:
        key, allowed, rest = guard
        assert (facts.get(key) in allowed and (rest is None or rest(facts))) is expected


def test_order_comparisons_skip_absent_and_compare_numbers() -> None:
    days = parse({"all": [{"d": {"gte": 3}}, {"d": {"lte": 14}}, {"x": "yes"}]})
    assert days.guard() is not None  # the membership on x is split off as the guard
    assert days.holds({"d": 3, "x": "yes"})
    assert days.holds({"d": 14, "x": "yes"})
    assert not days.holds({"d": 2, "x": "yes"})
    assert not days.holds({"d": 15, "x": "yes"})
    assert not days.holds({"x": "yes"})
    assert not days.holds({"d": 5, "x": "no"})
    assert parse({"d": {"gt": 1}}).guard() is None
