"""Strict answers: every problem named by its key, all at once; nothing guessed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from neckcheck.answers import check_answers, parse_json
from neckcheck.errors import InputError
from neckcheck.model import Rulebook
from tests.spec import BASELINE, NO_INJURY


def problems(raw: Any, book: Rulebook) -> dict[str, str]:
    with pytest.raises(InputError) as info:
        check_answers(raw, book)
    return {p.key: p.message for p in info.value.problems}


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"age": "42"}, "age", "whole number"),
        ({"age": 42.0}, "age", "whole number"),
        ({"age": True}, "age", "whole number"),
        ({"age": None}, "age", "null"),
        ({"age": 121}, "age", "from 0 to 120"),
        ({"age": -1}, "age", "from 0 to 120"),
        ({"days_since_injury": 3651}, "days_since_injury", "from 0 to 3650"),
        ({"injury": "car"}, "injury", '"vehicle"'),
        ({"fall_direction": "Forward"}, "fall_direction", '"forward"'),
        ({"vascular_signs": "Yes"}, "vascular_signs", '"unsure"'),
        ({"vascular_signs": 1}, "vascular_signs", "whole number"),
        ({"vascular_signs": ["yes"]}, "vascular_signs", "a list"),
        ({"sore_back": {"value": "yes"}}, "sore_back", "an object"),
        ({"vasculr_signs": "no"}, "vasculr_signs", "did you mean 'vascular_signs'"),
        ({"notes": "hello"}, "notes", "unknown key"),
    ],
)
def test_each_bad_value_is_named(book: Rulebook, change: dict, key: str, words: str) -> None:
    found = problems(BASELINE | change, book)
    assert key in found
    assert words in found[key]


def test_all_problems_are_reported_at_once(book: Rulebook) -> None:
    raw = dict(BASELINE)
    del raw["sore_front"]
    raw |= {"age": "forty", "vasculr_signs": "yes", "intoxicated": "maybe"}
    assert set(problems(raw, book)) == {"age", "vasculr_signs", "intoxicated", "sore_front"}


def test_missing_asked_answers_follow_skip_logic(book: Rulebook) -> None:
    raw = {k: v for k, v in BASELINE.items() if k not in ("fall_direction", "head_injury")}
    found = problems(raw, book)
    assert set(found) == {"fall_direction", "head_injury"}
    assert "injury" in found["fall_direction"]  # says why it is asked


def test_skipped_questions_need_no_answer(book: Rulebook) -> None:
    assert "fall_direction" not in check_answers(NO_INJURY, book).facts
    with_vehicle = {k: v for k, v in BASELINE.items() if k != "fall_direction"}
    assert check_answers(with_vehicle | {"injury": "vehicle"}, book).facts["injury"] == "vehicle"


def test_skipped_keys_present_are_ignored(book: Rulebook) -> None:
    facts = check_answers(NO_INJURY | {"fall_direction": "backward", "days_since_injury": 0}, book)
    assert "fall_direction" not in facts.facts
    assert "days_since_injury" not in facts.facts


def test_bad_root_answer_does_not_invent_missing_ones(book: Rulebook) -> None:
    # With injury unreadable we cannot tell which questions are asked: only injury is reported.
    raw = {k: v for k, v in NO_INJURY.items()} | {"injury": "crash"}
    assert set(problems(raw, book)) == {"injury"}


@pytest.mark.parametrize("raw", [[], "yes", 42, None, [BASELINE]])
def test_not_an_object(book: Rulebook, raw: Any) -> None:
    assert "" in problems(raw, book)


def test_empty_object_names_every_always_asked_key(book: Rulebook) -> None:
    found = problems({}, book)
    assert {"age", "injury", "vascular_signs", "sore_back"} <= set(found)
    assert "days_since_injury" not in found  # depends on injury, which is missing


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"age": 40, "age": 41}', "more than once"),
        (b'{"age": NaN}', "NaN"),
        (b'{"age": Infinity}', "Infinity"),
        (b"{not json", "not valid JSON"),
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"injury": "\xff"}', "UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_parse_json_rejects(data: bytes, words: str) -> None:
    with pytest.raises(InputError) as info:
        parse_json(data)
    assert words in str(info.value)


def test_parse_json_accepts_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf" + json.dumps(BASELINE, indent=1).replace("\n", "\r\n").encode()
    assert parse_json(data) == BASELINE
