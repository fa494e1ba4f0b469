"""JSON in and out without importing the `json` package, for start-up.

`import json` brings in `re`, and with it `enum`: about 17 ms, near half of what a scripted
screening costs beyond Python's own start-up. The work is done by the json package's C part
(`_json`: the scanner and the string escaper) either way; this module calls it directly.

Exactly json's results, or json itself: a document the C scanner does not read plainly (any
error, a byte-order mark, text after the document) and a value holding anything but dicts with
text keys, lists, tuples, text, whole numbers, booleans and None are handed to the json package,
so that every result and every message is the json package's own. tests/test_fastjson.py
compares the two on random and hostile documents.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs start-up; type checkers read the block below
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_json: Any
try:
    import _json
except ImportError:  # pragma: no cover - a Python without json's C part: json does it all
    _json = None

__all__ = ["decoder", "dumps_ascii"]

_SPACE = " \t\n\r"  # JSON's whitespace, all that json.loads allows around a document


class _Settings:
    """What the C scanner reads its settings from (the attributes of a json.JSONDecoder)."""

    def __init__(self, object_pairs_hook: Any, parse_int: Any, parse_constant: Any) -> None:
        self.strict = True
        self.object_hook = None
        self.object_pairs_hook = object_pairs_hook
        self.parse_float = float
        self.parse_int = parse_int or int
        self.parse_constant = parse_constant or _CONSTANTS.__getitem__


def decoder(
    *,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
    parse_int: Callable[[str], Any] | None = None,
    parse_constant: Callable[[str], Any] | None = None,
) -> Callable[[str], Any]:
    """A function that reads one JSON document from text exactly as
    `json.JSONDecoder(object_pairs_hook=..., parse_int=..., parse_constant=...).decode` does:
    the same value, or the same exception."""
    if _json is None:  # pragma: no cover
        import json

        return json.JSONDecoder(
            object_pairs_hook=object_pairs_hook, parse_int=parse_int, parse_constant=parse_constant
        ).decode
    scan = _json.make_scanner(_Settings(object_pairs_hook, parse_int, parse_constant))

    def decode(text: str) -> Any:
        start = len(text) - len(text.lstrip(_SPACE))
        try:
            value, end = scan(text, start)
        except Exception:  # json below raises the very error, with its message
            pass
        else:
            if not text[end:].strip(_SPACE):
                return value
        import json

        return json.JSONDecoder(
            object_pairs_hook=object_pairs_hook, parse_int=parse_int, parse_constant=parse_constant
        ).decode(text)

    return decode


_CONSTANTS = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}


class _NotPlain(Exception):
    """A value the writer below leaves to the json package."""


def dumps_ascii(value: object, indent: int | None = None) -> str:
    """`json.dumps(value, ensure_ascii=True, indent=indent, separators=...)`, with the separators
    json uses for that indent (", " and ": " with an indent, "," and ":" without)."""
    parts: list[str] = []
    try:
        if _json is None:  # pragma: no cover
            raise _NotPlain
        _write(value, parts, indent, "\n")
    except (_NotPlain, RecursionError):  # RecursionError: json says "Circular reference"
        import json

        separators = (",", ":") if indent is None else (",", ": ")
        return json.dumps(value, ensure_ascii=True, indent=indent, separators=separators)
    return "".join(parts)


_quote: Callable[[str], str] = _json.encode_basestring_ascii if _json is not None else repr


def _write(value: object, parts: list[str], indent: int | None, newline: str) -> None:
    if type(value) is str:
        parts.append(_quote(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif type(value) is int:
        parts.append(int.__repr__(value))
    elif type(value) is dict:
        if not value:
            parts.append("{}")
            return
        inner = newline + " " * indent if indent is not None else ""
        between = "," + inner
        colon = ": " if indent is not None else ":"
        parts.append("{" + inner)
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            if not first:
                parts.append(between)
            first = False
            parts.append(_quote(key) + colon)
            _write(item, parts, indent, inner)
        parts.append((newline if indent is not None else "") + "}")
    elif type(value) is list or type(value) is tuple:
        if not value:
            parts.append("[]")
            return
        inner = newline + " " * indent if indent is not None else ""
        parts.append("[" + inner)
        first = True
        for item in value:
            if not first:
                parts.append("," + inner)
            first = False
            _write(item, parts, indent, inner)
        parts.append((newline if indent is not None else "") + "]")
    else:  # floats, other numbers, other containers: json knows them best
        raise _NotPlain
