"""The shape of an answer set as a pydantic model, built from the rulebook's questions.

One optional field per question, typed by its kind: a yes/no/not-sure question takes "yes",
"no", "unsure" or a JSON boolean; a number question a whole number in its range (strict: never
40.0, "40" or true); a choice question one of its values. A key no question has is refused.
Whether an answer is required depends on the answers before it (skip logic), which a field
type cannot say: `answers.check_answers` applies it after this model has validated the values.

Built with pydantic's public API only: a TypedDict of optional fields (`Literal`, `StrictBool`,
`StrictInt` with `Field(ge=, le=)`; a yes/no/not-sure field's union reports one error, through
`GetPydanticSchema`, instead of one per alternative), strict and closed (`ConfigDict(strict=True,
extra="forbid")`), read by a `TypeAdapter`. Every error it raises names its key in `loc`, so
one validation pass says which answers are wrong. Its JSON Schema is the answer schema's value
part (`formats.schema`). pydantic is imported only when the first answers are checked: help
and the interview's first question never pay for it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from neckcheck.core.model import TRI_VALUES, Question, Rulebook

if TYPE_CHECKING:
    from pydantic import TypeAdapter

Shape = tuple[str, int | None, int | None, tuple[str, ...]]


@functools.lru_cache(maxsize=128)
def value_type(kind: str, low: int | None, high: int | None, allowed: tuple[str, ...]) -> Any:
    """The type of one question's answer (one object per shape, so that pydantic builds the
    validator of a shape shared by many questions once)."""
    from typing import Annotated, Literal

    from pydantic import Field, GetPydanticSchema, StrictBool, StrictInt

    if kind == "tri":
        return Annotated[Literal[TRI_VALUES] | StrictBool, GetPydanticSchema(_one_error)]
    if kind == "int":
        return Annotated[StrictInt, Field(ge=low, le=high)]
    return Literal[allowed]


# The Python types a field of each kind can hold at all (the JSON types of its answers). A value
# of any other type read from JSON is refused without asking the model: a line whose every value
# has the wrong type costs a table look-up a key, not a validation error a key
# (tests/test_answers.py checks that the model refuses every one of them).
ACCEPTED_TYPES: dict[str, frozenset[type]] = {
    "tri": frozenset((str, bool)),
    "int": frozenset((int,)),
    "enum": frozenset((str,)),
}

TRI_ERROR = "tri_type"  # the error type of a value that is no yes/no/not-sure answer


def _one_error(source: Any, handler: Any) -> Any:
    """The union's schema with one error of its own when no alternative fits: a line whose
    every value has the wrong type then has one error a key, not two (errors() is half as
    long). The message is never shown: answers.py words every problem itself."""
    return {**handler(source), "custom_error_type": TRI_ERROR,
            "custom_error_message": "not a yes/no/not-sure answer"}  # fmt: skip


def shape(question: Question) -> Shape:
    return question.type, question.min, question.max, question.allowed_values()


def answer_model(rulebook: Rulebook) -> TypeAdapter[dict[str, object]]:
    """The rulebook's answer set model, built once per rulebook: every question an optional,
    strictly typed field; no other key allowed."""
    model: TypeAdapter[dict[str, object]] | None = rulebook.derived.get("answer_model")
    if model is None:
        from pydantic import ConfigDict, TypeAdapter, with_config
        from typing_extensions import TypedDict

        # The functional form: question ids are data, not names written in this file.
        typed_dict: Any = TypedDict
        fields = {q.id: value_type(*shape(q)) for q in rulebook.questions}
        answer_set = typed_dict("AnswerSet", fields, total=False)
        closed = with_config(ConfigDict(strict=True, extra="forbid"))(answer_set)
        model = TypeAdapter(closed)
        rulebook.derived["answer_model"] = model
    return model


@functools.lru_cache(maxsize=128)
def _value_model(shape: Shape) -> TypeAdapter[object]:
    from pydantic import ConfigDict, TypeAdapter

    return TypeAdapter(value_type(*shape), config=ConfigDict(strict=True))


def value_model(question: Question) -> TypeAdapter[object]:
    """The model of one answer to this question, with the same field type as in the answer
    set's model (the interview checks a typed number with it)."""
    return _value_model(shape(question))
