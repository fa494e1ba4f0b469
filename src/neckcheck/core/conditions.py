"""The condition language of the rules: declarative data, parsed into a small typed tree.

Spelling in YAML (a condition is always a mapping):

    {all: [C, ...]}            every condition holds
    {any: [C, ...]}            at least one holds
    {not: C}                   C does not hold
    {key: value}               the answer to `key` equals value
    {key: [v1, v2]}            the answer is one of the values
    {key: {op: value, ...}}    comparisons, all of which hold; op is one of
                               eq ne in not_in lt lte gt gte
    {k1: ..., k2: ...}         several entries in one mapping: all of them hold

An answer that is absent (its question was skipped) makes every comparison on it false, so
"keys of skipped questions play no part". Nothing here evaluates strings as code; the verifier can
reason about these trees exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

Value = str | int
Facts = Mapping[str, Value]

COMBINATORS = ("all", "any", "not")
SET_OPS = ("eq", "ne", "in", "not_in")
ORDER_OPS = ("lt", "lte", "gt", "gte")
OPERATORS = SET_OPS + ORDER_OPS

_SYMBOLS = {"eq": "=", "ne": "!=", "in": "in", "not_in": "not in", "lt": "<", "lte": "<=",
            "gt": ">", "gte": ">="}  # fmt: skip


class ConditionError(ValueError):
    """A condition that is not well formed; `line` points into the YAML file when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


Test = Callable[[Facts], bool]
Guard = tuple[str, frozenset[Value], Test | None]


class Condition:
    """Base of the condition tree. Subclasses are frozen dataclasses; this base keeps a
    `__dict__` (no `__slots__`) for the compiled test and the keys read, cached per instance."""

    def holds(self, facts: Facts) -> bool:
        return self.test(facts)

    @cached_property
    def test(self) -> Test:
        """The condition compiled once into a plain function (batch screens millions)."""
        return self._compile()

    def _compile(self) -> Test:
        raise NotImplementedError

    def guard(self) -> Guard | None:
        """(key, allowed values, rest): the condition holds exactly when facts.get(key) is in
        the allowed values and `rest` (None: nothing more) holds, so a caller can test the
        membership inline, without a call; None when the condition does not split so."""
        return None

    def compares(self) -> Iterator[Compare]:
        """Every comparison in the tree, so callers can check keys and values."""
        raise NotImplementedError

    def settled(self, facts: Facts, known: frozenset[str] | set[str]) -> bool | None:
        """The condition on a partial answer set: True or False when the answers still to come
        cannot change it, None when they can. `known` holds the keys already answered or known
        to be skipped; any other key may yet take any value, or be skipped."""
        raise NotImplementedError

    @cached_property
    def reads(self) -> frozenset[str]:
        """The answer keys this condition reads."""
        return frozenset(c.key for c in self.compares())

    def to_plain(self) -> dict[str, Any]:
        """The condition in its YAML spelling: parse(c.to_plain()) == c."""
        raise NotImplementedError

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # Lets pydantic validate a `Condition` field from raw YAML without this module importing
        # pydantic at start-up (the screening path does not need it).
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            _parse_for_pydantic, json_schema_input_schema=core_schema.any_schema()
        )


def _parse_for_pydantic(raw: object) -> Condition:
    if isinstance(raw, Condition):
        return raw
    return parse(raw)


@dataclass(frozen=True, slots=True)
class Compare(Condition):
    key: str
    op: str
    value: Value | tuple[Value, ...]
    line: int | None = field(default=None, compare=False)

    def _compile(self) -> Test:
        key, op = self.key, self.op
        value: Any = self.value  # a whole number for the order comparisons (parse checks it)
        # Answers are never None, so f.get(key) is None exactly when the question was skipped,
        # and an absent answer makes every comparison false. One closure per operator, so that
        # a test is one call (batch screens millions of lines).
        if op in ("eq", "in"):
            values = self.allowed()
            assert values is not None
            return lambda f: f.get(key) in values
        if op in ("ne", "not_in"):
            excluded = frozenset(self.values())
            return lambda f: (v := f.get(key)) is not None and v not in excluded
        if op == "lt":
            return lambda f: (v := f.get(key)) is not None and v < value
        if op == "lte":
            return lambda f: (v := f.get(key)) is not None and v <= value
        if op == "gt":
            return lambda f: (v := f.get(key)) is not None and v > value
        if op == "gte":
            return lambda f: (v := f.get(key)) is not None and v >= value
        raise ValueError(f"unknown comparison {op!r}")  # parse() lets none through

    def guard(self) -> Guard | None:
        allowed = self.allowed()
        return None if allowed is None else (self.key, allowed, None)

    def allowed(self) -> frozenset[Value] | None:
        """For `eq` and `in`: the values that make it hold (an absent answer, None, is never
        one of them), so a caller can test `facts.get(key) in allowed` without a call."""
        return frozenset(self.values()) if self.op in ("eq", "in") else None

    def compares(self) -> Iterator[Compare]:
        yield self

    def settled(self, facts: Facts, known: frozenset[str] | set[str]) -> bool | None:
        return self.test(facts) if self.key in known else None

    def values(self) -> tuple[Value, ...]:
        return self.value if isinstance(self.value, tuple) else (self.value,)

    def to_plain(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {self.key: {self.op: value}}

    def __str__(self) -> str:
        if isinstance(self.value, tuple):
            shown = "[" + ", ".join(str(v) for v in self.value) + "]"
        else:
            shown = str(self.value)
        return f"{self.key} {_SYMBOLS[self.op]} {shown}"


@dataclass(frozen=True, slots=True)
class All(Condition):
    parts: tuple[Condition, ...]

    def _compile(self) -> Test:
        return _every(self._conjuncts)

    @cached_property
    def _conjuncts(self) -> tuple[_Step, ...]:
        return _steps(_flat(self.parts, All))

    def guard(self) -> Guard | None:
        if not self._conjuncts or self._conjuncts[0][2] is not None:
            return None
        key, allowed, _ = self._conjuncts[0]
        rest = self._conjuncts[1:]
        return key, allowed, _every(rest) if rest else None

    def compares(self) -> Iterator[Compare]:
        for p in self.parts:
            yield from p.compares()

    def settled(self, facts: Facts, known: frozenset[str] | set[str]) -> bool | None:
        results = [p.settled(facts, known) for p in self.parts]
        if False in results:
            return False
        return None if None in results else True

    def to_plain(self) -> dict[str, Any]:
        return {"all": [p.to_plain() for p in self.parts]}

    def __str__(self) -> str:
        return "(" + " and ".join(str(p) for p in self.parts) + ")"


@dataclass(frozen=True, slots=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def _compile(self) -> Test:
        return _some(_steps(_flat(self.parts, AnyOf)))

    def compares(self) -> Iterator[Compare]:
        for p in self.parts:
            yield from p.compares()

    def settled(self, facts: Facts, known: frozenset[str] | set[str]) -> bool | None:
        results = [p.settled(facts, known) for p in self.parts]
        if True in results:
            return True
        return None if None in results else False

    def to_plain(self) -> dict[str, Any]:
        return {"any": [p.to_plain() for p in self.parts]}

    def __str__(self) -> str:
        return "(" + " or ".join(str(p) for p in self.parts) + ")"


@dataclass(frozen=True, slots=True)
class Not(Condition):
    part: Condition

    def _compile(self) -> Test:
        part = self.part
        if isinstance(part, Compare) and (allowed := part.allowed()) is not None:
            key = part.key
            return lambda f: f.get(key) not in allowed
        inner = part.test
        return lambda f: not inner(f)

    def compares(self) -> Iterator[Compare]:
        yield from self.part.compares()

    def settled(self, facts: Facts, known: frozenset[str] | set[str]) -> bool | None:
        inner = self.part.settled(facts, known)
        return None if inner is None else not inner

    def to_plain(self) -> dict[str, Any]:
        return {"not": self.part.to_plain()}

    def __str__(self) -> str:
        return f"not {self.part}"


# One step of an `all` or `any`: (key, allowed values, None) for a test of membership, done
# inline without a call; ("", empty, test) for any other part.
_Step = tuple[str, frozenset[Value], Test | None]
_NOTHING: frozenset[Value] = frozenset()


def _flat(parts: tuple[Condition, ...], kind: type[Condition]) -> list[Condition]:
    """The parts with nested combinators of the same kind spliced in, in order: (a and (b and
    c)) tests a, b, c in that order and stops at the same first false part."""
    flat: list[Condition] = []
    for part in parts:
        if isinstance(part, All | AnyOf) and type(part) is kind:
            flat.extend(_flat(part.parts, kind))
        else:
            flat.append(part)
    return flat


def _steps(parts: list[Condition]) -> tuple[_Step, ...]:
    """The parts as steps, the tests of membership first (inline, no call, cheapest). The tests
    are pure and the answers checked, so the order changes how soon an `all` or `any` stops,
    never what it gives; and a comparison is never made where it was not made before."""
    inline: list[_Step] = []
    called: list[_Step] = []
    for part in parts:
        allowed = part.allowed() if isinstance(part, Compare) else None
        if isinstance(part, Compare) and allowed is not None:
            inline.append((part.key, allowed, None))
        else:
            called.append(("", _NOTHING, part.test))
    return (*inline, *called)


def _every(steps: tuple[_Step, ...]) -> Test:
    """A test that all steps hold, in order; one or two steps as one expression."""
    if len(steps) == 1:
        key, allowed, test = steps[0]
        return test if test is not None else (lambda f: f.get(key) in allowed)
    if len(steps) == 2:
        (k1, a1, t1), (k2, a2, t2) = steps
        if t1 is None and t2 is None:
            return lambda f: f.get(k1) in a1 and f.get(k2) in a2
        if t1 is None and t2 is not None:
            return lambda f: f.get(k1) in a1 and t2(f)
        if t1 is not None and t2 is not None:
            return lambda f: t1(f) and t2(f)

    def every(facts: Facts) -> bool:
        get = facts.get
        for key, allowed, test in steps:
            if test is None:
                if get(key) not in allowed:
                    return False
            elif not test(facts):
                return False
        return True

    return every


def _some(steps: tuple[_Step, ...]) -> Test:
    """A test that at least one step holds, in order; two steps as one expression."""
    if len(steps) == 2:
        (k1, a1, t1), (k2, a2, t2) = steps
        if t1 is None and t2 is None:
            return lambda f: f.get(k1) in a1 or f.get(k2) in a2
        if t1 is None and t2 is not None:
            return lambda f: f.get(k1) in a1 or t2(f)
        if t1 is not None and t2 is not None:
            return lambda f: t1(f) or t2(f)

    def some(facts: Facts) -> bool:
        get = facts.get
        for key, allowed, test in steps:
            if test is None:
                if get(key) in allowed:
                    return True
            elif test(facts):
                return True
        return False

    return some


def _line(raw: object, key: object = None) -> int | None:
    line_of = getattr(raw, "line_of", None)
    return line_of(key) if callable(line_of) else None


def _is_value(v: object) -> bool:
    # bool is an int in Python; a YAML true/false in a condition is a mistake, not a number.
    return isinstance(v, str | int) and not isinstance(v, bool)


def kind_of(value: object) -> str:
    """What kind of thing a value read from a file is, for error messages: a message names the
    kind ("found text"), never the value itself, so that no file content is ever echoed."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "empty text" if not value else "text"
    if isinstance(value, Mapping):
        return "an empty mapping" if not value else "a mapping"
    if isinstance(value, list | tuple):
        return "an empty list" if not value else "a list"
    if isinstance(value, bytes | bytearray):
        return "binary data"
    return "a date" if type(value).__name__ in ("date", "datetime") else "an unsupported value"


# What a rules file names things with: question ids, rule ids, operators, answer values.
_NAME = r"[A-Za-z_][A-Za-z0-9_.]{0,39}"


def shown(value: object) -> str:
    """A key, an operator or a value from a file, as an error message may show it: quoted when it
    looks like a name a rules file uses (an id or a short word), a whole number as itself, and
    anything else only by its kind, so that a message never echoes a file's text."""
    import re  # only for messages: `re` (with `enum`) costs a scripted screening's start-up

    if isinstance(value, str) and re.fullmatch(_NAME, value):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**6:
        return str(value)
    return f"({kind_of(value)})"


def parse(raw: object) -> Condition:
    """Parse a YAML mapping into a condition tree, or raise ConditionError saying what is wrong.
    Messages name keys and operators (`shown`), and only the kind of a wrong value."""
    if not isinstance(raw, Mapping) or not raw:
        raise ConditionError(
            f"a condition must be a non-empty mapping, found {kind_of(raw)}", _line(raw)
        )
    parts = [_parse_entry(raw, key, value) for key, value in raw.items()]
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def _parse_list(raw: object, key: str, value: object) -> tuple[Condition, ...]:
    if not isinstance(value, list) or not value:
        raise ConditionError(
            f"{shown(key)} takes a non-empty list of conditions, found {kind_of(value)}",
            _line(raw, key),
        )
    return tuple(parse(item) for item in value)


def _parse_entry(raw: object, key: object, value: object) -> Condition:
    line = _line(raw, key)
    if not isinstance(key, str):
        raise ConditionError(f"condition keys must be text, found {kind_of(key)}", line)
    if key == "all":
        return All(_parse_list(raw, key, value))
    if key == "any":
        return AnyOf(_parse_list(raw, key, value))
    if key == "not":
        return Not(parse(value))
    if _is_value(value):
        return Compare(key, "eq", value, line)  # type: ignore[arg-type]
    if isinstance(value, list):
        return Compare(key, "in", _value_tuple(key, value, line), line)
    if isinstance(value, Mapping) and value:
        tests = [_parse_op(key, op, operand, line) for op, operand in value.items()]
        return tests[0] if len(tests) == 1 else All(tuple(tests))
    raise ConditionError(
        f"{shown(key)}: expected a value, a list of values or a mapping of comparisons, "
        f"found {kind_of(value)}",
        line,
    )


def _value_tuple(key: str, value: list[object], line: int | None) -> tuple[Value, ...]:
    if any(isinstance(v, Mapping) for v in value):
        raise ConditionError(
            f"{shown(key)}: a list of conditions goes under 'all' or 'any', and "
            f"{shown(key)} is neither",
            line,
        )
    if not value or not all(_is_value(v) for v in value):
        raise ConditionError(f"{shown(key)}: a list must hold text or whole numbers only", line)
    return tuple(value)  # type: ignore[arg-type]


def _parse_op(key: str, op: object, operand: object, line: int | None) -> Compare:
    if op not in OPERATORS:
        raise ConditionError(
            f"{shown(key)}: unknown comparison {shown(op)}; use one of {', '.join(OPERATORS)}", line
        )
    assert isinstance(op, str)
    if op in ("in", "not_in"):
        if not isinstance(operand, list):
            raise ConditionError(
                f"{shown(key)}: '{op}' takes a list of values, found {kind_of(operand)}", line
            )
        return Compare(key, op, _value_tuple(key, operand, line), line)
    if op in ORDER_OPS and (not isinstance(operand, int) or isinstance(operand, bool)):
        raise ConditionError(
            f"{shown(key)}: '{op}' takes a whole number, found {kind_of(operand)}", line
        )
    if not _is_value(operand):
        raise ConditionError(
            f"{shown(key)}: '{op}' takes a single value, found {kind_of(operand)}", line
        )
    return Compare(key, op, operand, line)  # type: ignore[arg-type]
