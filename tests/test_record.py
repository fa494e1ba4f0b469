"""The frozen records the core is made of (record.py) behave as the frozen dataclasses they
replace: construction, defaults, equality, hashing, repr, immutability, replace(), and the
same validation of rule files through pydantic."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from neckcheck.conditions import Compare
from neckcheck.errors import Problem
from neckcheck.model import (
    DISPOSITIONS,
    OUTCOMES,
    QUESTION_TYPES,
    Choice,
    Decision,
    Question,
    Rulebook,
    validation_types,
)
from neckcheck.record import Record, field
from neckcheck.rulebook import load_rulebook
from tests.spec import NO_INJURY


class Point(Record):
    x: int
    y: int = 0
    label: str = field(default="", compare=False)
    seen: list[int] = field(default_factory=list, init=False, compare=False, repr=False)


def test_construction_by_position_keyword_and_default() -> None:
    assert Point(1, 2).y == 2
    assert Point(x=1).y == 0
    assert Point(1, y=5, label="a").label == "a"
    assert Point._fields == ("x", "y", "label")


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "missing 'x'"),
        ((1, 2, "a", 4), {}, "takes 3 fields, not 4"),
        ((1,), {"x": 2}, "unexpected or repeated 'x'"),
        ((1,), {"z": 2}, "unexpected or repeated 'z'"),
        ((1,), {"seen": []}, "unexpected or repeated 'seen'"),  # init=False: not taken
    ],
)
def test_wrong_construction_is_a_type_error(
    args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)


def test_a_mutable_default_is_refused_as_dataclasses_do() -> None:
    with pytest.raises(ValueError, match="mutable default"):

        class Bad(Record):
            items: list[int] = []  # noqa: RUF012


def test_frozen() -> None:
    p = Point(1)
    with pytest.raises(AttributeError, match="frozen"):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del p.x  # type: ignore[misc]
    assert p.x == 1


def test_equality_and_hash_over_compared_fields_only() -> None:
    assert Point(1, 2, "a") == Point(1, 2, "b")
    assert hash(Point(1, 2, "a")) == hash(Point(1, 2, "b"))
    assert Point(1, 2) != Point(2, 1)
    assert Point(1) != (1, 0)
    assert len({Point(1), Point(1), Point(2)}) == 2


def test_repr_names_the_fields() -> None:
    assert repr(Point(1, 2, "a")) == "Point(x=1, y=2, label='a')"
    assert repr(Problem("age", "too old")) == "Problem(key='age', message='too old')"


def test_per_instance_values_are_not_shared_and_replace_starts_them_afresh() -> None:
    a, b = Point(1), Point(1)
    a.seen.append(1)
    assert b.seen == []
    c = a.replace(y=3)
    assert (c.x, c.y, c.seen) == (1, 3, [])
    assert a.y == 0  # the original is untouched


def test_rulebook_replace_keeps_the_fields_and_renews_the_derived_tables() -> None:
    book = load_rulebook()
    copy = book.replace(warning="w")
    assert copy == book  # warning is not compared
    assert copy.warning == "w"
    assert book.warning is None
    assert copy.derived is not book.derived
    assert copy.decisions is not book.decisions
    assert copy.question("age") == book.question("age")


def test_conditions_compare_without_their_line() -> None:
    assert Compare("age", "lt", 16, line=3) == Compare("age", "lt", 16, line=9)
    assert hash(Compare("age", "lt", 16, line=3)) == hash(Compare("age", "lt", 16))
    assert Compare("age", "lt", 16).test({"age": 15})


def test_derived_fields_are_filled_after_construction() -> None:
    q = Question(id="q", label="Q", group="g", type="enum", prompt="?", help="h",
                 choices=(Choice("a", "A"),))  # fmt: skip
    assert q.allowed_values() == ("a",)
    assert "choices" in Question._fields
    assert "decisions" not in Decision._fields
    assert "_by_id" not in Rulebook._fields
    assert "decisions" not in Rulebook._fields


def test_the_runtime_value_tuples_match_the_literal_types() -> None:
    from typing import get_args

    names = validation_types()
    assert get_args(names["QuestionType"]) == QUESTION_TYPES
    assert get_args(names["Outcome"]) == OUTCOMES
    assert get_args(names["Disposition"]) == DISPOSITIONS
    # and the Literal types type checkers read (model.py's TYPE_CHECKING block) say the same
    import ast
    from pathlib import Path

    import neckcheck.model

    tree = ast.parse(Path(neckcheck.model.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If)
                 and getattr(n.test, "id", "") == "TYPE_CHECKING")  # fmt: skip
    static = {
        n.targets[0].id: ast.literal_eval(n.value.slice)  # type: ignore[attr-defined]
        for n in block.body
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Subscript)
    }
    assert static == {"QuestionType": QUESTION_TYPES, "Outcome": OUTCOMES,
                      "Disposition": DISPOSITIONS}  # fmt: skip


def test_pydantic_validates_records_with_the_field_errors_of_a_dataclass() -> None:
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


SLOW = {"dataclasses", "typing", "inspect", "importlib.util"}


@pytest.mark.parametrize(
    ("args", "slow"),
    [
        # One answer set per process: not even the json package (re, enum; see fastjson.py).
        (["screen", "--json"], SLOW | {"json", "re", "enum"}),
        (["batch"], SLOW),  # millions of lines: json's start-up is nothing there
    ],
)
def test_a_scripted_screening_imports_no_dataclasses_no_typing(
    args: list[str], slow: set[str]
) -> None:
    """The start-up these records exist for: nothing on the scripted paths pulls them back in."""
    probe = (
        "import sys\n"
        "from neckcheck.cli import run_command_line\n"
        f"code = run_command_line({args!r})\n"
        "sys.stdout.flush()\n"
        f"slow = {sorted(slow)!r}\n"
        "slow = set(slow) & set(sys.modules)\n"
        "sys.stderr.write('SLOW=' + ','.join(sorted(slow)) + '\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], input=json.dumps(NO_INJURY) + "\n",
                          capture_output=True, text=True, check=False, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    first, _ = json.JSONDecoder().raw_decode(done.stdout)  # the decision, or batch's first line
    assert first["outcome"] == "general_soreness"
    assert "SLOW=\n" in done.stderr, done.stderr


# ---- field() options mean what they mean for a dataclass, or are refused ----------------------
# Nothing in the core uses these combinations yet; a record that did must not silently get
# other semantics than the frozen dataclass its type checker believes it is.


def test_a_default_factory_gives_each_instance_its_own_default() -> None:
    class Tagged(Record):
        name: str
        tags: list[str] = field(default_factory=list)

    a, b = Tagged("a"), Tagged("b")
    a.tags.append("x")
    assert b.tags == []
    assert Tagged("c", ["y"]).tags == ["y"]


def test_repr_false_hides_a_field_that_the_constructor_takes() -> None:
    class Login(Record):
        user: str
        token: str = field(default="", repr=False)

    assert repr(Login("ann", "s3cret")) == "Login(user='ann')"


def test_a_per_instance_field_is_compared_unless_told_otherwise() -> None:
    class Memo(Record):
        key: str
        notes: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    a, b = Memo("k"), Memo("k")
    a.notes["n"] = 1
    assert a != b  # a dataclass compares an init=False field unless compare=False


def test_a_mutable_default_is_refused_as_by_dataclasses() -> None:
    with pytest.raises(ValueError, match="mutable default"):

        class Shared(Record):
            items: list[int] = []  # noqa: RUF012


def test_field_options_that_cannot_work_are_refused_when_the_class_is_made() -> None:
    with pytest.raises(ValueError, match="both default and default_factory"):
        field(default=1, default_factory=int)
    with pytest.raises(TypeError, match="init=False needs a default"):
        field(init=False)

    class Counter(Record):
        name: str
        count: int = field(default=0, init=False)

    assert Counter("c").count == 0
    assert repr(Counter("c")) == "Counter(name='c', count=0)"


def test_pydantic_takes_a_record_as_it_takes_a_dataclass_instance() -> None:
    pytest.importorskip("pydantic")
    from pydantic import TypeAdapter

    choice = Choice("a", "A")
    assert TypeAdapter(Choice).validate_python(choice) is choice
    question = load_rulebook().questions[1]
    assert TypeAdapter(Question).validate_python(question) is question
