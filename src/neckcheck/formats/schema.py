"""JSON Schemas (2020-12) of what goes in and what comes out, generated from the rulebook.

- `answer_schema`: an answer set: each value as pydantic writes the answer model
  (core.answer_model) in JSON Schema. Skip logic becomes `if`/`then` pairs: an
  asked question is required. What a schema cannot say (a key given twice, 40.0 for 40) is still
  checked by neckcheck itself.
- `decision_schema`: a decision as `screen --json` prints it (and each decision line of
  `batch`), from the rules: the outcome/disposition pairs they can reach with their exit codes
  and time frames, the rule ids that can be the reason, and the caution ids each can carry.
  docs/decision.schema.json is its output for the shipped rules.

Pure functions: they return a dict and write nothing.
"""

from __future__ import annotations

from typing import Any

from neckcheck.core.answer_model import answer_model
from neckcheck.core.conditions import All, AnyOf, Compare, Condition, Not
from neckcheck.core.model import (
    CONTRACT_VERSION,
    OUTCOME_EXIT_CODES,
    TIMEFRAMES,
    URGENCY,
    Rulebook,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_BOUNDS = {"lt": "exclusiveMaximum", "lte": "maximum", "gt": "exclusiveMinimum", "gte": "minimum"}


def _value_schemas(rulebook: Rulebook) -> dict[str, dict[str, Any]]:
    """Each question's value, as pydantic writes the answer model's field in JSON Schema, with
    the question's own words as its title and description."""
    generated = answer_model(rulebook).json_schema()["properties"]
    return {
        q.id: {"title": q.prompt, "description": q.help}
        | {name: part for name, part in generated[q.id].items() if name != "title"}
        for q in rulebook.questions
    }


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
        "properties": _value_schemas(rulebook),
        "required": always,
        "additionalProperties": False,
        "allOf": conditional,
    }


_SELF_CARE = ("technique", "avoid_technique")
_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_TEXTS: dict[str, Any] = {"type": "array", "items": _TEXT}
_EMPTY: dict[str, Any] = {"type": "array", "maxItems": 0}


def _pair_schema(outcome: str, disposition: str, rulebook: Rulebook) -> dict[str, Any]:
    """What a decision with this outcome and disposition holds: the rule that decided it comes
    first among the reasons; a red flag lists every red flag that fired (none more urgent than
    itself), any other outcome exactly one rule; cautions, steps and see_also only as the
    contract allows for the disposition."""
    deciding = [
        r.id for r in rulebook.rules if (r.outcome, r.disposition) == (outcome, disposition)
    ]
    red_flag = outcome == "red_flag"
    also = [
        r for r in rulebook.red_flags if URGENCY[r.disposition] <= URGENCY[disposition]
    ] if red_flag else []  # fmt: skip
    reasons: dict[str, Any] = {
        "type": "array",
        "minItems": 1,
        "prefixItems": [{"properties": {"rule": {"enum": deciding}}}],
    }
    if red_flag:
        reasons["items"] = {
            "properties": {
                "rule": {"enum": [r.id for r in also]},
                "disposition": {
                    "enum": sorted({r.disposition for r in also}, key=lambda d: -URGENCY[d])
                },
            }
        }
    else:
        reasons["maxItems"] = 1
    shown = [c.id for c in rulebook.cautions if disposition in c.applies_to]
    cautions: dict[str, Any] = (
        {"type": "array", "items": {"properties": {"id": {"enum": shown}}}} if shown else _EMPTY
    )
    technique = disposition == "technique"
    return {
        "properties": {
            "outcome": {"const": outcome},
            "disposition": {"const": disposition},
            "exit_code": {"const": OUTCOME_EXIT_CODES[(outcome, disposition)]},
            "timeframe": {"const": TIMEFRAMES[disposition]},
            "reasons": reasons,
            "cautions": cautions,
            "steps": {**_TEXTS, "minItems": 1} if technique else _EMPTY,
            "technique": {"const": rulebook.technique.name} if technique else {"type": "null"},
            "see_also": _TEXTS if disposition in _SELF_CARE else _EMPTY,
        }
    }


def _since_schema(rulebook: Rulebook) -> dict[str, Any]:
    """The comparison with an earlier screening (`screen --since`)."""
    # Answers as the engine reads them: a tri answer as its word (true/false read as yes/no).
    values: dict[str, dict[str, Any]] = {
        q.id: {"type": "integer", "minimum": q.min, "maximum": q.max}
        if q.type == "int"
        else {"enum": list(q.allowed_values())}
        for q in rulebook.questions
    }
    change = {
        "type": "object",
        "required": ["key", "before", "after"],
        "properties": {"key": {"enum": list(values)}, "before": {}, "after": {}},
        "oneOf": [
            {
                "properties": {
                    "key": {"const": key},
                    "before": {"anyOf": [value, {"type": "null"}]},
                    "after": {"anyOf": [value, {"type": "null"}]},
                }
            }
            for key, value in values.items()
        ],
    }
    return {
        "type": "object",
        "description": (
            "Present only when the screening was compared with an earlier one (--since): each "
            "answer that differs (null where the question was not asked), the disposition "
            "then, and whether the disposition now is more urgent."
        ),
        "required": [
            "changes",
            "disposition_before",
            "more_urgent",
            "given_at",
            "rules_version_before",
        ],
        "properties": {
            "changes": {"type": "array", "items": change},
            "disposition_before": {"enum": list(URGENCY)},
            "more_urgent": {"type": "boolean"},
            "given_at": {"type": ["string", "null"], "format": "date-time"},
            "rules_version_before": {"type": ["string", "null"]},
        },
    }


def decision_schema(rulebook: Rulebook) -> dict[str, Any]:
    """The JSON Schema (2020-12) of one decision as `neckcheck screen --json` prints it, for the
    rules of `rulebook`. Keys may be added within a contract version, so other keys are allowed
    (`batch` adds "line"); none of those described here is ever missing."""
    pairs = sorted(
        {(r.outcome, r.disposition) for r in rulebook.rules},
        key=lambda pair: (-URGENCY[pair[1]], pair[0]),
    )
    rule_ids = [r.id for r in rulebook.rules]
    caution_ids = [c.id for c in rulebook.cautions]
    reason = {
        "type": "object",
        "required": ["rule", "text", "source", "disposition"],
        "properties": {
            "rule": {"enum": rule_ids, "description": "The id of a rule that fired."},
            "text": _TEXT,
            "source": _TEXT,
            "disposition": {
                "enum": sorted({r.disposition for r in rulebook.rules}, key=lambda d: -URGENCY[d])
            },
        },
    }
    caution = {
        "type": "object",
        "required": ["id", "text"],
        "properties": {"id": {"enum": caution_ids}, "text": _TEXT},
    }
    properties: dict[str, Any] = {
        "outcome": {"enum": sorted({o for o, _ in pairs})},
        "disposition": {"enum": sorted({d for _, d in pairs}, key=lambda d: -URGENCY[d])},
        "exit_code": {"enum": sorted({OUTCOME_EXIT_CODES[p] for p in pairs})},
        "timeframe": {"enum": sorted({TIMEFRAMES[d] for _, d in pairs}, key=str)},
        "headline": _TEXT,
        "advice": _TEXT,
        "reasons": {
            "type": "array",
            "minItems": 1,
            "items": reason,
            "description": "Every rule that fired, the deciding one first.",
        },
        "cautions": {"type": "array", "items": caution},
        "technique": {"type": ["string", "null"]},
        "steps": _TEXTS,
        "see_also": _TEXTS,
        "rules_version": {"type": "string", "minLength": 1},
        "contract_version": {"const": CONTRACT_VERSION},
        "disclaimer": _TEXT,
        "warning": {
            "type": "string",
            "description": "Present only when the rules used are not proved.",
        },
        "since": _since_schema(rulebook),
    }
    return {
        "$schema": DIALECT,
        "$id": f"https://neckcheck.invalid/schema/decision/{CONTRACT_VERSION}/{rulebook.version}",
        "title": "neckcheck decision",
        "description": (
            f"One screening's decision (contract version {CONTRACT_VERSION}, rules version "
            f"{rulebook.version}). Keys may be added within a contract version; none of these is "
            "removed or renamed. The exit code, the time frame and what the decision may carry "
            "follow from the outcome and the disposition."
        ),
        "type": "object",
        "required": [k for k in properties if k not in ("warning", "since")],
        "properties": properties,
        "oneOf": [_pair_schema(o, d, rulebook) for o, d in pairs],
    }
