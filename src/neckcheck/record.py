"""Frozen records: what the core's data classes are made of.

A `Record` subclass behaves like a frozen dataclass: its fields are its annotations, in order; it
is built by keyword or position; equality and hashing go over its compared fields; it has a
readable repr; and nothing can be assigned after construction. It is not one because importing
`dataclasses` (with `inspect` and `typing`) and generating each class's methods cost a scripted
screening about 50 ms of start-up, more than everything else neckcheck does for one answer set.
`dataclass_transform` tells type checkers about it, so that constructor calls stay fully typed.

Pydantic (only when validating YAML rule files, the `rules` extra) validates a record through an
equivalent stdlib dataclass built from the same annotations on demand, then builds the record.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs start-up; type checkers read the block below
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, TypeVar, dataclass_transform

    _T = TypeVar("_T")
    _R = TypeVar("_R", bound="Record")
else:

    def dataclass_transform(**kwargs: object) -> Callable[[_T], _T]:
        return lambda cls: cls


__all__ = ["Record", "field"]

_NO_DEFAULT: Any = object()


class _Field:
    """What `field(...)` puts in a class body: read and removed when the class is made."""

    __slots__ = ("compare", "default", "factory", "init", "repr")

    def __init__(
        self, default: object, compare: bool, init: bool, factory: Any, repr: bool
    ) -> None:
        self.default, self.compare, self.init, self.factory = default, compare, init, factory
        self.repr = repr


def field(
    *,
    default: Any = _NO_DEFAULT,
    default_factory: Any = None,
    compare: bool = True,
    init: bool = True,
    repr: bool = True,
) -> Any:
    """A field with the options of `dataclasses.field`: `default_factory` makes a fresh default
    for each instance; `compare=False` leaves it out of equality and hashing; `repr=False` out
    of the repr; `init=False` (with a default or `default_factory`) makes a per-instance value
    the constructor does not take."""
    if default is not _NO_DEFAULT and default_factory is not None:
        raise ValueError("cannot specify both default and default_factory")
    if not init and default_factory is None:
        if default is _NO_DEFAULT:  # a dataclass would leave it to __post_init__
            raise TypeError("a field with init=False needs a default or a default_factory")
        default_factory = lambda: default  # noqa: E731
    return _Field(default, compare, init, default_factory, repr)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Record:
    __slots__ = ()

    # Set on each subclass when it is made (see __init_subclass__).
    _fields: ClassVar[tuple[str, ...]] = ()  # the constructor's, in order
    _annotations: ClassVar[dict[str, str]] = {}
    _compared: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, object]] = {}
    _factories: ClassVar[dict[str, Callable[[], object]]] = {}  # init=False fields
    _default_factories: ClassVar[dict[str, Callable[[], object]]] = {}  # the others'
    _shown: ClassVar[tuple[str, ...]] = ()  # in the repr

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotations = dict(cls._annotations)
        fields = list(cls._fields)
        compared = list(cls._compared)
        defaults = dict(cls._defaults)
        factories = dict(cls._factories)
        default_factories = dict(cls._default_factories)
        shown = list(cls._shown)
        # The class body's own annotations, as strings (no `inspect`: it costs start-up).
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
        for name, annotation in own.items():
            if annotation.startswith(("ClassVar", "Final")):
                continue
            annotations[name] = annotation
            spec = cls.__dict__.get(name, _NO_DEFAULT)
            if isinstance(spec, _Field):
                delattr(cls, name)  # the instance holds the value, never the class
                default, is_compared, is_shown = spec.default, spec.compare, spec.repr
            else:
                default, is_compared, is_shown = spec, True, True
                spec = None
            if default.__class__.__hash__ is None:  # unhashable: refused as by dataclasses
                raise ValueError(
                    f"mutable default {type(default)} for field {name} is not allowed: "
                    "use default_factory"
                )
            if is_compared and name not in compared:
                compared.append(name)
            if is_shown and name not in shown:
                shown.append(name)
            if spec is not None and not spec.init:
                factories[name] = spec.factory
                continue
            if name not in fields:
                fields.append(name)
            if default is not _NO_DEFAULT:
                defaults[name] = default
            elif spec is not None and spec.factory is not None:
                default_factories[name] = spec.factory
        cls._annotations = annotations
        cls._fields = tuple(fields)
        cls._compared = tuple(compared)
        cls._defaults = defaults
        cls._factories = factories
        cls._default_factories = default_factories
        cls._shown = tuple(shown)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes {len(fields)} fields, not {len(args)}")
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name in values or name not in fields:
                raise TypeError(f"{type(self).__name__}() got an unexpected or repeated {name!r}")
            values[name] = value
        if len(values) < len(fields):
            for name in fields:
                if name not in values:
                    if name in self._defaults:
                        values[name] = self._defaults[name]
                    elif name in self._default_factories:
                        values[name] = self._default_factories[name]()
                    else:
                        raise TypeError(f"{type(self).__name__}() is missing {name!r}")
        for name, factory in self._factories.items():
            values[name] = factory()
        self.__dict__.update(values)  # the one write: the record is frozen from here on
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is frozen")

    def _key(self) -> tuple[object, ...]:
        values = self.__dict__
        return tuple(values[name] for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined,unused-ignore]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        values = self.__dict__
        shown = ", ".join(f"{name}={values[name]!r}" for name in self._shown)
        return f"{type(self).__name__}({shown})"

    def replace(self: _R, **changes: Any) -> _R:
        """A copy with some fields changed (per-instance derived fields start afresh)."""
        values = {name: self.__dict__[name] for name in self._fields}
        values.update(changes)
        return type(self)(**values)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # Only when validating rule files: pydantic checks the fields of an equivalent frozen
        # dataclass (the same names, types, defaults and `extra: forbid`, so the same errors
        # and JSON Schema as before), then the record is built from it.
        import dataclasses
        import sys

        from pydantic_core import core_schema

        module = sys.modules[cls.__module__]
        names = {**vars(module), **getattr(module, "validation_types", dict)()}
        specs: list[Any] = []
        for name in cls._fields:
            annotation = eval(cls._annotations[name], names)
            if name in cls._defaults:
                specs.append((name, annotation, dataclasses.field(default=cls._defaults[name])))
            elif name in cls._default_factories:
                factory = cls._default_factories[name]
                specs.append((name, annotation, dataclasses.field(default_factory=factory)))
            else:
                specs.append((name, annotation))
        config = getattr(cls, "__pydantic_config__", {})
        shape = dataclasses.make_dataclass(
            cls.__name__, specs, namespace={"__pydantic_config__": config}, frozen=True
        )
        shape.__module__ = cls.__module__

        def to_record(value: Any, validate: Any) -> Any:
            if isinstance(value, cls):  # taken as it is, as pydantic takes a dataclass instance
                return value
            checked = validate(value)
            return cls(**{name: getattr(checked, name) for name in cls._fields})

        return core_schema.no_info_wrap_validator_function(
            to_record, handler.generate_schema(shape)
        )
