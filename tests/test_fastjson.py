"""fastjson reads and writes JSON exactly as the json package does (it is only there to spare
start-up): the same values, the same text, the same exceptions with the same messages."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neckcheck import answers, fastjson
from neckcheck.answers import parse_json
from neckcheck.edge import _UNSAFE, _escape_char, safe_text
from neckcheck.errors import InputError

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=20) | st.sampled_from(
    ["", "\x00", "\x7f", "\u202e", "\u2028", "é", "日本", "\U0001f600", '"\\/', "\ud800"]
)
plain = st.none() | st.booleans() | st.integers() | texts
values = st.recursive(
    plain | st.floats(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(texts, inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=2)
    ),  # non-text keys: json's own business
    max_leaves=20,
)


def outcome(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    try:
        return "value", repr(call(*args, **kwargs))  # repr: NaN equals itself there
    except Exception as exc:  # the same kind of error with the same message
        return type(exc).__name__, str(exc)


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from([None, 0, 2, 4]))
def test_writes_exactly_what_json_dumps_writes(value: object, indent: int | None) -> None:
    separators = (",", ":") if indent is None else (",", ": ")
    expected = outcome(json.dumps, value, ensure_ascii=True, indent=indent, separators=separators)
    assert outcome(fastjson.dumps_ascii, value, indent) == expected


def test_a_decision_is_written_without_falling_back_to_json() -> None:
    # The screening path's values are all plain: the writer must not need json for them.
    decision = {"a": [1, "é", None, True, False, {"b": []}, {}], "c": ("x",)}
    parts: list[str] = []
    fastjson._write(decision, parts, 2, "\n")
    assert "".join(parts) == json.dumps(decision, indent=2)


# The hooks answers.parse_json reads answer sets with (a key given twice, NaN, long numbers).
HOOKS: list[dict[str, Any]] = [
    {},
    {"object_pairs_hook": answers._no_duplicates, "parse_constant": answers._reject_constant,
     "parse_int": answers._parse_int},
]  # fmt: skip


def reads_alike(text: str) -> None:
    for hooks in HOOKS:
        expected = outcome(json.JSONDecoder(**hooks).decode, text)
        assert outcome(fastjson.decoder(**hooks), text) == expected, (text, hooks)


@settings(max_examples=400, deadline=None)
@given(
    values,
    st.sampled_from([None, 0, 1]),
    st.text(alphabet=" \t\n\r", max_size=3),
    st.text(alphabet=" \t\n\r", max_size=3),
)
def test_reads_exactly_what_json_reads(value: object, indent: int | None, before: str,
                                       after: str) -> None:  # fmt: skip
    reads_alike(before + json.dumps(value, indent=indent) + after)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='{}[]":,0123456789.eE+-tfnulraNIy \t\n\r\\\ufeffx', max_size=30))
def test_reads_broken_documents_exactly_as_json(text: str) -> None:
    reads_alike(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "{}",
        '{"a": 1} x',
        '{"a": 1}{"b": 2}',
        '{"a": 1, "a": 2}',
        "\ufeff{}",
        "[NaN]",
        "[-Infinity]",
        '{"a": 1e400}',
        "[1.5]",
        "9" * 5000,
        '"\\ud800"',
        '{"a":' * 100_000,
        "[" * 100_000 + "]" * 100_000,
        '{"a": 1}\x00',
        '{"a": 1}\u00a0',
        '"tab\there"',
        "[1,]",
        "{'a': 1}",
    ],
    ids=lambda t: repr(t[:12]),
)
def test_reads_hostile_documents_exactly_as_json(text: str) -> None:
    reads_alike(text)


def test_answer_errors_keep_their_messages() -> None:
    for text, message in [
        ('{"age": 40} x', "not valid JSON: Extra data at line 1 column 13"),
        ('{"age": 40, "age": 41}', "not valid JSON: key 'age' is given more than once"),
        ('{"age": NaN}', "not valid JSON: NaN is not a number JSON allows"),
        ("[", "not valid JSON: Expecting value at line 1 column 2"),
    ]:
        with pytest.raises(InputError) as info:
            parse_json(text.encode())
        assert str(info.value) == message


@settings(max_examples=400, deadline=None)
@given(texts)
def test_safe_text_shortcut_agrees_with_the_full_escape(text: str) -> None:
    assert safe_text(text) == re.sub(_UNSAFE, _escape_char, text)


def test_every_character_safe_text_escapes_is_unprintable() -> None:
    unsafe = re.compile(_UNSAFE)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unsafe.match(char):
            assert not char.isprintable(), hex(code)
