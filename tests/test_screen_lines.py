"""`neckcheck.screen_lines`: for every line, exactly the record `neckcheck batch` writes, with the
same strict reading, so that a pipeline built on it (see the Dask and Spark recipes) can never
turn a line that batch refuses into a result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from neckcheck import screen_lines
from neckcheck.cli.edge import MAX_DOCUMENT_BYTES
from neckcheck.core.model import Rulebook
from tests.spec import BASELINE
from tests.strategies import answer_sets
from tests.test_batch import batch

CASES = sorted(Path(__file__).parent.joinpath("cases").glob("*.json"))

# A red flag ("vascular_signs": "yes") hidden by a later duplicate key saying "no": a reader that
# keeps the last key would offer the technique.
DUPLICATE_RED_FLAG = (
    json.dumps(BASELINE)[:-1] + ', "vascular_signs": "yes", "vascular_signs": "no"}'
).replace('"vascular_signs": "no", ', "", 1)

HOSTILE = [
    "",
    "   ",
    "\ufeff" + json.dumps(BASELINE),
    DUPLICATE_RED_FLAG,
    "not json",
    "[1, 2]",
    json.dumps(BASELINE | {"age": True}),
    json.dumps(BASELINE | {"age": 1e400}),
    '{"age": NaN}',
]


def _lines() -> list[str]:
    return [json.dumps(json.loads(p.read_text())["answers"]) for p in CASES] + HOSTILE


def test_every_record_equals_batch_on_the_cases_and_hostile_lines() -> None:
    lines = _lines()
    run = batch("".join(line + "\n" for line in lines).encode())
    expected = [json.loads(out) for out in run.stdout.splitlines()]
    assert len(expected) == len(lines)
    assert list(screen_lines(lines)) == expected
    # bytes lines, with or without their newline, read the same
    assert list(screen_lines(line.encode() + b"\n" for line in lines)) == expected


def test_a_duplicate_key_red_flag_is_an_error_never_a_technique(book: Rulebook) -> None:
    assert DUPLICATE_RED_FLAG.count('"vascular_signs"') == 2
    (record,) = screen_lines([DUPLICATE_RED_FLAG], book)
    assert record["line"] == 1
    assert "vascular_signs" in record["error"]["message"]
    assert "outcome" not in record


def test_size_limit_and_a_line_break_inside_a_line(book: Rulebook) -> None:
    padded = json.dumps(BASELINE)[:-1] + ', "x": "' + "a" * MAX_DOCUMENT_BYTES + '"}'
    two_lines = json.dumps(BASELINE, indent=1)
    records = list(screen_lines([padded, two_lines, json.dumps(BASELINE)], book))
    assert "size limit" in records[0]["error"]["message"]
    assert "line break" in records[1]["error"]["message"]
    assert records[2]["outcome"] == "reverse_whiplash"
    assert records[2]["line"] == 3


def test_anything_but_str_or_bytes_is_a_type_error(book: Rulebook) -> None:
    with pytest.raises(TypeError, match="str or bytes"):
        list(screen_lines([BASELINE], book))  # type: ignore[list-item]


@settings(max_examples=60, deadline=None)
@given(answer_sets())
def test_random_answer_sets_match_the_api(answers: dict[str, object]) -> None:
    from neckcheck import load_rulebook, screen

    book = load_rulebook()
    (record,) = screen_lines([json.dumps(answers)], book)
    assert record == {"line": 1, **screen(answers, book).to_dict()}
