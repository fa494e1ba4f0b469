"""The JSON Schema (2020-12) of an answer set, generated from the rulebook's questions.

Skip logic becomes `if`/`then` pairs: an asked question is required. What a schema cannot say
(a key given twice, 40.0 for 40) is still checked by neckcheck itself.
"""

from __future__ import annotations

from typing import Any

from neckcheck.conditions import All, AnyOf, Compare, Condition, Not
from neckcheck.model import TRI_VALUES, Question, Rulebook

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_BOUNDS = {"lt": "exclusiveMaximum", "lte": "maximum", "gt": "exclusiveMinimum", "gte": "minimum"}


def _value_schema(q: Question) -> dict[str, Any]:
    base: dict[str, Any] = {"title": q.prompt, "description": q.help}
    if q.type == "tri":
        return base | {"enum": [*TRI_VALUES, True, False]}
    if q.type == "int":
        return base | {"type": "integer", "minimum": q.min, "maximum": q.max}
    return base | {"enum": [c.value for c in q.choices]}


# JSON true/false stand for yes/no in a tri answer, so a test for "yes" must accept true too.
_TRI_SPELLINGS: dict[object, list[object]] = {"yes": ["yes", True], "no": ["no", False]}


def _compare_schema(cmp: Compare, rulebook: Rulebook) -> dict[str, Any]:
    q = rulebook.question(cmp.key)
    spellings: list[object] = []
    for v in cmp.values():
        spellings += _TRI_SPELLINGS.get(v, [v]) if q is not None and q.type == "tri" else [v]
    if cmp.op in ("eq", "in"):
        test: dict[str, Any] = {"enum": spellings}
    elif cmp.op in ("ne", "not_in"):
        test = {"not": {"enum": spellings}}
    else:
        test = {_BOUNDS[cmp.op]: cmp.value}
    # An absent answer makes every comparison false, hence "required"; so does an answer to a
    # question that is not asked (it may be present, but plays no part), hence its own condition.
    schema: dict[str, Any] = {"required": [cmp.key], "properties": {cmp.key: test}}
    if q is not None and q.asked_when is not None:
        return {"allOf": [condition_schema(q.asked_when, rulebook), schema]}
    return schema


def condition_schema(cond: Condition, rulebook: Rulebook) -> dict[str, Any]:
    if isinstance(cond, Compare):
        return _compare_schema(cond, rulebook)
    if isinstance(cond, All):
        return {"allOf": [condition_schema(p, rulebook) for p in cond.parts]}
    if isinstance(cond, AnyOf):
        return {"anyOf": [condition_schema(p, rulebook) for p in cond.parts]}
    if isinstance(cond, Not):
        return {"not": condition_schema(cond.part, rulebook)}
    raise TypeError(f"unknown condition {cond!r}")


def answer_schema(rulebook: Rulebook) -> dict[str, Any]:
    """Schema of an answer set. Conditions read the raw answers here, so each comparison also
    carries the condition of the question it reads: a skipped question's answer plays no part."""
    always = [q.id for q in rulebook.questions if q.asked_when is None]
    conditional = [
        {"if": condition_schema(q.asked_when, rulebook), "then": {"required": [q.id]}}
        for q in rulebook.questions
        if q.asked_when is not None
    ]
    return {
        "$schema": DIALECT,
        "$id": f"https://neckcheck.invalid/schema/answers/{rulebook.version}",
        "title": "neckcheck answer set",
        "description": (
            "One screening's answers. neckcheck also rejects what this schema cannot express: "
            "a key given twice, and a whole number written with a decimal point (40.0)."
        ),
        "type": "object",
        "properties": {q.id: _value_schema(q) for q in rulebook.questions},
        "required": always,
        "additionalProperties": False,
        "allOf": conditional,
    }
