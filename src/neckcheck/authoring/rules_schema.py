"""JSON Schemas of the rule files, so that an editor (through yaml-language-server) can check
and complete them. Generated from the same shapes the loader validates with, plus the condition
language, whose question ids come from the rulebook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from neckcheck.authoring.validation import SHAPES
from neckcheck.core.conditions import COMBINATORS, ORDER_OPS, SET_OPS
from neckcheck.core.errors import RulesError
from neckcheck.core.model import Rulebook
from neckcheck.rulebook.rulefiles import describe_os_error, write_atomic

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def condition_schema(book: Rulebook) -> dict[str, Any]:
    value: dict[str, Any] = {"type": ["string", "integer"]}
    values = {"type": "array", "items": value, "minItems": 1}
    comparisons = {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            **{op: value for op in SET_OPS if op in ("eq", "ne")},
            "in": values,
            "not_in": values,
            **{op: {"type": "integer"} for op in ORDER_OPS},
        },
    }
    ref = {"$ref": "#/$defs/Condition"}
    return {
        "description": "A condition: all/any/not, or question ids mapped to a value, a list of "
        "values, or comparisons (eq ne in not_in lt lte gt gte). See README.md, Conditions.",
        "type": "object",
        "minProperties": 1,
        "propertyNames": {"enum": [*COMBINATORS, *(q.id for q in book.questions)]},
        "properties": {
            "all": {"type": "array", "items": ref, "minItems": 1},
            "any": {"type": "array", "items": ref, "minItems": 1},
            "not": ref,
        },
        "additionalProperties": {"anyOf": [value, values, comparisons]},
    }


def _mark_conditions(node: Any) -> Any:
    """pydantic shows a condition field as an empty schema; point it at the Condition def."""
    if isinstance(node, dict):
        if {} in node.get("anyOf", []):  # only a condition has no schema of its own
            return {"anyOf": [{"$ref": "#/$defs/Condition"}, {"type": "null"}]}
        return {k: _mark_conditions(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_mark_conditions(v) for v in node]
    return node


def rule_file_schemas(book: Rulebook) -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema (2020-12) of that rule file."""
    from pydantic import TypeAdapter

    schemas = {}
    for name, shape in SHAPES.items():
        schema = _mark_conditions(TypeAdapter(shape).json_schema())
        schema.setdefault("$defs", {})["Condition"] = condition_schema(book)
        schemas[name] = {"$schema": DIALECT, **schema, "title": f"neckcheck rules: {name}"}
    return schemas


def write_schemas(book: Rulebook, target: Path | str | None = None) -> list[Path]:
    """Write a JSON Schema for each rule file (for editors) into `target` (default: the rules
    folder's schemas/), each atomically and never through a symbolic link; any problem is a
    RulesError with one line. Returns the paths written."""
    folder = Path(target) if target is not None else Path(book.source) / "schemas"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RulesError(
            [f"{folder}: cannot create the folder: {describe_os_error(exc)}"]
        ) from None
    written = []
    for name, schema in rule_file_schemas(book).items():
        path = folder / name.replace(".yaml", ".schema.json")
        write_atomic(str(path), (json.dumps(schema, indent=2) + "\n").encode("utf-8"))
        written.append(path)
    return written
