"""The shape of an answer set as a pydantic model, built from the rulebook's questions.

One optional field per question, typed by its kind: a yes/no/not-sure question takes "yes",
"no", "unsure" or a JSON boolean; a number question a whole number in its range (strict: never
40.0, "40" or true); a choice question one of its values. A key no question has is refused.
Whether an answer is required depends on the answers before it (skip logic), which a field
type cannot say: `answers.check_answers` applies it after this model has validated the values.

The model is pydantic's core schema, validated by pydantic-core: built in well under a
millisecond, where a `create_model` class costs tens of milliseconds of start-up for the same
validator. Its JSON Schema comes from pydantic's generator (`formats.schema`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from neckcheck.core.model import TRI_VALUES, Question, Rulebook

if TYPE_CHECKING:
    from pydantic_core import SchemaValidator
    from pydantic_core.core_schema import CoreSchema


def _value_schema(
    kind: str, low: int | None, high: int | None, allowed: tuple[str, ...]
) -> CoreSchema:
    """The field type of one question's answer."""
    from pydantic_core import core_schema

    if kind == "tri":
        return core_schema.union_schema(
            [core_schema.literal_schema(list(TRI_VALUES)), core_schema.bool_schema(strict=True)]
        )
    if kind == "int":
        return core_schema.int_schema(ge=low, le=high, strict=True)
    return core_schema.literal_schema(list(allowed))


def _shape(question: Question) -> tuple[str, int | None, int | None, tuple[str, ...]]:
    return question.type, question.min, question.max, question.allowed_values()


def answer_core_schema(rulebook: Rulebook) -> CoreSchema:
    """The answer set's core schema: every question an optional, strictly typed field; no other
    key allowed."""
    from pydantic_core import core_schema

    fields = {
        q.id: core_schema.typed_dict_field(_value_schema(*_shape(q)), required=False)
        for q in rulebook.questions
    }
    return core_schema.typed_dict_schema(fields, extra_behavior="forbid", strict=True)


def answer_validator(rulebook: Rulebook) -> SchemaValidator:
    """The validator of the rulebook's answer sets, built once per rulebook."""
    validator: Any = rulebook.derived.get("answer_validator")
    if validator is None:
        from pydantic_core import SchemaValidator

        validator = SchemaValidator(answer_core_schema(rulebook))
        rulebook.derived["answer_validator"] = validator
    return validator  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=128)
def _one_value_validator(
    kind: str, low: int | None, high: int | None, allowed: tuple[str, ...]
) -> SchemaValidator:
    from pydantic_core import SchemaValidator

    return SchemaValidator(_value_schema(kind, low, high, allowed))


def value_validator(question: Question) -> SchemaValidator:
    """The validator of one answer to this question, with the same field type as in the answer
    set's model (the interview checks a typed number with it)."""
    return _one_value_validator(*_shape(question))
