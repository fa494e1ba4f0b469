"""Strict answers: every problem named by its key, all at once; nothing guessed."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neckcheck.core.answers import check_answers, parse_json
from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from tests.spec import BASELINE, NO_INJURY, QUESTIONS
from tests.strategies import SameAsId


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


# ---- Bad input costs no more than good input (issue 20, item 5): bounded work, no timing ----


def error_of(raw: Any, book: Rulebook) -> InputError:
    with pytest.raises(InputError) as info:
        check_answers(raw, book)
    return info.value


def test_an_object_with_too_many_keys_is_one_problem(book: Rulebook) -> None:
    """80,000 unknown keys: one problem that says how many, not 80,000 (each with a difflib
    search, which took about 6 s per object)."""
    from neckcheck.core.answers import max_keys

    raw = BASELINE | {f"k{n}": 1 for n in range(80_000)}
    error = error_of(raw, book)
    assert [p.key for p in error.problems] == [""]
    assert f"has {len(raw)} keys, more than the {max_keys(book)} read" in error.problems[0].message
    assert max_keys(book) >= len(book.questions)  # every valid answer set fits
    at_the_cap = BASELINE | {f"k{n}": 1 for n in range(max_keys(book) - len(BASELINE))}
    assert len(error_of(at_the_cap, book).problems) == 21  # still read key by key


def test_the_unknown_keys_listed_are_capped_and_the_rest_counted(book: Rulebook) -> None:
    from neckcheck.core.errors import MAX_UNKNOWN_KEYS_LISTED as CAP

    unknown = [f"unknown_{n}" for n in range(30)]
    error = error_of(BASELINE | dict.fromkeys(unknown, "no"), book)
    listed = error.problems[:CAP]
    assert [p.key for p in listed] == unknown[:CAP]  # in order, each named
    assert error.problems[CAP:] == [
        dataclasses.replace(error.problems[-1], key="", message="and 10 more problems, not listed")
    ]
    assert len(error.to_dict()["problems"]) == CAP + 1  # type: ignore[arg-type]
    assert len(error_of(BASELINE | dict.fromkeys(unknown[:21], "no"), book).problems) == 21


@pytest.mark.parametrize("bad", [0, None, "0", 1.5])
def test_every_bad_answer_is_named_whatever_else_is_wrong(book: Rulebook, bad: object) -> None:
    """SPEC: every problem at once, each naming its key. A whole answer set written with 0 for
    no (or null) has one problem per question, more than the unknown keys listed; each is
    named, and the unknown keys beside them are still capped."""
    from neckcheck.core.answers import check_value
    from neckcheck.core.errors import MAX_UNKNOWN_KEYS_LISTED as CAP

    every = {q.id: bad for q in book.questions}
    refused = []
    for q in book.questions:
        with contextlib.suppress(ValueError):
            check_value(q, bad)
            continue
        refused.append(q.id)
    assert len(refused) > CAP
    error = error_of(every, book)
    named = [p.key for p in error.problems]
    assert named == refused
    assert not any("more problem" in p.message for p in error.problems)
    unknown = [f"unknown_{n}" for n in range(30)]
    error = error_of(every | dict.fromkeys(unknown, "no"), book)
    named = [p.key for p in error.problems]
    assert named[: len(refused)] == refused
    assert named[len(refused) : -1] == unknown[:CAP]
    assert error.problems[-1].message == f"and {30 - CAP} more problems, not listed"


def test_suggestions_are_searched_for_the_first_unknown_keys_only(
    book: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    import neckcheck.core.unknown_keys as answers

    calls: list[str] = []
    real = answers.suggestion
    monkeypatch.setattr(answers, "suggestion",
                        lambda key, rules: calls.append(key) or real(key, rules))  # fmt: skip
    error_of(BASELINE | {f"vasculr_signs_{n}": "no" for n in range(30)}, book)  # under the cap
    assert calls == [f"vasculr_signs_{n}" for n in range(answers.MAX_SUGGESTIONS)]


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("injry", "injury"),  # a letter left out
        ("injurry", "injury"),  # one added
        ("injuty", "injury"),  # one changed
        ("ijnury", "injury"),  # two swapped
        ("vasculr_signs", "vascular_signs"),
        ("Age", "age"),
        ("days-since-injury", "days_since_injury"),
        ("daysSinceInjury", "days_since_injury"),
        ("vascular", "vascular_signs"),  # the start of one id
        ("neuro", None),  # the start of two
        ("notes", None),
        ("x" * 65, None),  # too long to be a typo of any id
        ("", None),
    ],
)
def test_did_you_mean(book: Rulebook, key: str, meant: str | None) -> None:
    from neckcheck.core.unknown_keys import suggestion

    assert suggestion(key, book) == meant
    message = problems(BASELINE | {key: "no"}, book)[key]
    assert message == (f"unknown key; did you mean {meant!r}?" if meant else "unknown key")


def _probed(key: str, book: Rulebook) -> str | None:
    """suggestion() making every probe, without its look at a key's first and last letters."""
    from neckcheck.core.unknown_keys import MAX_SUGGESTED_LENGTH, _suggestions

    if len(key) > MAX_SUGGESTED_LENGTH:
        return None
    tables = _suggestions(book)
    word = key.lower().replace("-", "_").replace(" ", "_")
    for form in (word, word.replace("_", "")):
        for probe in [form] + [form[:i] + form[i + 1 :] for i in range(len(form))]:
            if (found := tables.spellings.get(probe)) is not None:
                return found
    return tables.starts.get(word)


@st.composite
def near_ids(draw: st.DrawFn) -> str:
    """A question id with up to three typos (a letter added, left out, changed or swapped, a
    case or separator changed), or a few letters before or after it."""
    key: str = draw(st.sampled_from(sorted(QUESTIONS)))
    letters = st.sampled_from("abcdeinorstuy_- 0A")
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(key)))
        kind = draw(st.sampled_from(["add", "drop", "change", "swap", "case", "around"]))
        if kind == "add":
            key = key[:i] + draw(letters) + key[i:]
        elif kind == "drop":
            key = key[:i] + key[i + 1 :]
        elif kind == "change":
            key = key[:i] + draw(letters) + key[i + 1 :]
        elif kind == "swap" and i + 1 < len(key):
            key = key[:i] + key[i + 1] + key[i] + key[i + 2 :]
        elif kind == "case":
            key = key.upper().replace("_", draw(st.sampled_from(["-", " ", ""])))
        else:
            key = draw(st.text("abz_", max_size=3)) + key + draw(st.text("abz_", max_size=3))
    return key


@given(key=st.one_of(near_ids(), st.text(max_size=12)))
def test_did_you_mean_skips_no_key_a_probe_would_find(book: Rulebook, key: str) -> None:
    from neckcheck.core.unknown_keys import suggestion

    assert suggestion(key, book) == _probed(key, book)


def test_the_first_key_given_twice_is_named() -> None:
    text = "{" + ",".join(f'"k{n}": 1' for n in range(50_000)) + ', "k7": 2, "k3": 2}'
    with pytest.raises(InputError) as info:
        parse_json(text)
    assert "key 'k7' is given more than once" in info.value.problems[0].message


# ---- Through the Python API: the look-ups that spare the model decide as the model would ----


def test_a_key_that_is_not_text_is_refused_even_when_it_equals_an_id(book: Rulebook) -> None:
    """Never a silent answer: a key must be text, whatever it compares equal to. Its answer is
    not read, so the question it looks like is missing."""
    raw: dict[Any, object] = {k: v for k, v in BASELINE.items() if k != "age"}
    raw[SameAsId("age")] = 40
    error = error_of(raw, book)
    assert [(p.key, p.message) for p in error.problems] == [
        ("<SameAsId>", "a key must be text"),
        ("age", "missing answer"),
    ]
    raw[SameAsId("age")] = "forty"
    assert [p.key for p in error_of(raw | {"notes": 1}, book).problems] == [
        "<SameAsId>",
        "notes",
        "age",
    ]


@pytest.mark.parametrize("key", ["age", "vascular_signs", "injury"])
def test_a_list_holding_a_number_too_long_to_write_is_named(book: Rulebook, key: str) -> None:
    """Python refuses to write a whole number of more than 4,300 digits: the value is shown by
    its type, never a traceback."""
    found = problems(BASELINE | {key: [1, 10**5000]}, book)
    assert found[key].endswith("got <list> (a list)")


@pytest.mark.parametrize(
    ("key", "word"),
    [("sore_back", "yes"), ("chest_symptoms", "no"), ("injury", "vehicle"), ("sore_back", "1")],
)
def test_a_long_number_spelling_an_answer_is_read_as_the_model_reads_it(
    book: Rulebook, key: str, word: str
) -> None:
    """A LongNumber is a str: made through the Python API, one that spells an answer is taken
    by the model as that answer. The look-up that refuses a long number without the model must
    decide the same (and word the same problem otherwise)."""
    from neckcheck.core.answers import LongNumber, check_value

    question = book.question(key)
    assert question is not None
    value = LongNumber(word)
    try:
        expected: object = check_value(question, value)
    except ValueError as exc:
        expected = str(exc)
    try:
        found: object = check_answers(BASELINE | {key: value}, book).facts[key]
    except InputError as exc:
        found = {p.key: p.message for p in exc.problems}[key]
    assert found == expected
