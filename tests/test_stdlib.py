"""The core's records are standard frozen dataclasses, JSON goes through the json package and
digests through hashlib: what these tests hold is what the project relies on from them (pydantic
validating rule files into the dataclasses, the Literal types agreeing with their run-time
tuples, json's messages in answer errors), and that no module reaches into CPython's private
modules."""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

import neckcheck
from neckcheck.api import load_rulebook, screen
from neckcheck.core.answers import parse_json
from neckcheck.core.conditions import Compare
from neckcheck.core.errors import InputError, Problem
from neckcheck.core.model import (
    DISPOSITIONS,
    OUTCOMES,
    QUESTION_TYPES,
    Choice,
    Decision,
    Disposition,
    Outcome,
    Question,
    QuestionType,
    Rulebook,
)
from neckcheck.formats.escape import _UNSAFE, _escape_char, safe_text
from tests.spec import NO_INJURY

SOURCE = Path(neckcheck.__file__).parent


def test_a_decision_is_a_dataclass_for_the_standard_library() -> None:
    decision = screen(NO_INJURY, load_rulebook())
    assert dataclasses.is_dataclass(decision)
    plain = dataclasses.asdict(decision)
    assert plain["outcome"] == decision.outcome == "general_soreness"
    assert plain["cautions"][0] == {
        "id": decision.cautions[0].id,
        "text": decision.cautions[0].text,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.outcome = "red_flag"  # type: ignore[misc]
    assert "decisions" not in {f.name for f in dataclasses.fields(Decision)}


def test_rulebook_replace_keeps_the_fields_and_renews_the_derived_tables() -> None:
    book = load_rulebook()
    copy = dataclasses.replace(book, warning="w")
    assert copy == book  # warning is not compared
    assert copy.warning == "w"
    assert book.warning is None
    assert copy.derived is not book.derived
    assert copy.decisions is not book.decisions
    assert copy.question("age") == book.question("age")
    init = {f.name for f in dataclasses.fields(Rulebook) if f.init}
    assert not init & {"_by_id", "decisions", "derived"}


def test_conditions_compare_without_their_line() -> None:
    assert Compare("age", "lt", 16, line=3) == Compare("age", "lt", 16, line=9)
    assert hash(Compare("age", "lt", 16, line=3)) == hash(Compare("age", "lt", 16))
    assert Compare("age", "lt", 16).test({"age": 15})
    assert repr(Problem("age", "too old")) == "Problem(key='age', message='too old')"


def test_the_runtime_value_tuples_match_the_literal_types() -> None:
    assert get_args(QuestionType) == QUESTION_TYPES
    assert get_args(Outcome) == OUTCOMES
    assert get_args(Disposition) == DISPOSITIONS


def test_pydantic_validates_rule_file_dataclasses_with_the_field_errors_of_a_dataclass() -> None:
    pytest.importorskip("pydantic")
    from pydantic import TypeAdapter, ValidationError

    adapter = TypeAdapter(Question)
    good = {"id": "q", "label": "Q", "group": "g", "type": "enum", "prompt": "?", "help": "h",
            "choices": [{"value": "a", "label": "A"}],
            "asked_when": {"age": {"lt": 16}}}  # fmt: skip
    q = adapter.validate_python(good)
    assert isinstance(q, Question)
    assert isinstance(q.choices[0], Choice)
    assert q.choices == (Choice("a", "A"),)
    assert q.min is None
    assert q.asked_when == Compare("age", "lt", 16)
    with pytest.raises(ValidationError) as info:
        adapter.validate_python({**good, "type": "text", "extra": 1, "choices": [{"value": "a"}]})
    kinds = {(e["loc"], e["type"]) for e in info.value.errors()}
    assert (("type",), "literal_error") in kinds
    assert (("extra",), "unexpected_keyword_argument") in kinds
    assert (("choices", 0, "label"), "missing") in kinds
    question = load_rulebook().questions[1]
    assert adapter.validate_python(question) == question


def test_answer_errors_keep_json_messages() -> None:
    for text, message in [
        ('{"age": 40} x', "not valid JSON: Extra data at line 1 column 13"),
        ('{"age": 40, "age": 41}', "not valid JSON: key 'age' is given more than once"),
        ('{"age": NaN}', "not valid JSON: NaN is not a number JSON allows"),
        ("[", "not valid JSON: Expecting value at line 1 column 2"),
    ]:
        with pytest.raises(InputError) as info:
            parse_json(text.encode())
        assert str(info.value) == message


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=20) | st.sampled_from(
    ["", "\x00", "\x7f", "\u202e", "\u2028", "é", "日本", "\U0001f600", '"\\/', "\ud800"]
)


@given(texts)
def test_safe_text_shortcut_agrees_with_the_full_escape(text: str) -> None:
    assert safe_text(text) == re.sub(_UNSAFE, _escape_char, text)


def test_every_character_safe_text_escapes_is_unprintable() -> None:
    unsafe = re.compile(_UNSAFE)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unsafe.match(char):
            assert not char.isprintable(), hex(code)


def private_imports(tree: ast.AST) -> list[str]:
    """Modules named with a leading underscore at the top level (`_json`, `_sha256`, ...): the
    private parts of CPython's standard library (`__future__` is a public one). A private module
    of the project's own (`from neckcheck import _x`) is not one of them."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [n for n in names if n.startswith("_") and n != "__future__"]
    return found


def test_no_module_imports_a_private_standard_library_module() -> None:
    found = {
        str(path.relative_to(SOURCE)): names
        for path in sorted(SOURCE.rglob("*.py"))
        if (names := private_imports(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}
    # and the check itself sees what it is looking for
    assert private_imports(ast.parse("import _json\nfrom _sha2 import sha256")) == [
        "_json",
        "_sha2",
    ]
    assert private_imports(ast.parse("from neckcheck import _private")) == []
