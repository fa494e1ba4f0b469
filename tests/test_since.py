"""`screen --since`, the library part: the saved answer set (version 2, and the files earlier
versions saved), the comparison in the core, and the words the interview and the result show."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from neckcheck import screen
from neckcheck.core.answers import check_answers
from neckcheck.core.compare import compare, more_urgent
from neckcheck.core.engine import decide
from neckcheck.core.errors import InputError, SinceError
from neckcheck.core.model import DISPOSITIONS, Rulebook
from neckcheck.formats.saved import (
    document_to_save,
    read_saved_interview,
    saved_interview,
)
from neckcheck.formats.since import last_time_hints, previous_screening, since_text
from tests.conftest import REPO

MONDAY = "2026-12-01T09:00:00+01:00"
FALL = json.loads((REPO / "tests/cases/face_first_hiking_fall.json").read_text())["answers"]
# Four days later: a new headache, so the rotation test is no longer asked.
HEADACHE = {k: v for k, v in FALL.items() if k != "can_rotate_45"} | {
    "days_since_injury": 5, "new_headache": "yes", "signs_recent": "yes"}  # fmt: skip


def saved(book: Rulebook, given: dict[str, Any] = FALL, /, **changes: object) -> dict[str, Any]:
    return saved_interview(given, False, MONDAY, book.version) | changes


def test_more_urgent_follows_the_contract_order() -> None:
    order = ["technique", "avoid_technique", "clinician", "urgent", "emergency"]
    assert sorted(DISPOSITIONS, key=order.index) == order
    for lower, disposition in enumerate(order):
        for other in order:
            assert more_urgent(disposition, other) is (lower > order.index(other))


def test_compare_lists_each_change_over_the_questions_asked_in_either_set(
    book: Rulebook,
) -> None:
    before, after = check_answers(FALL, book), check_answers(HEADACHE, book)
    since = compare(before, after, decide(before, book), decide(after, book),
                    [q.id for q in book.questions])  # fmt: skip
    assert [(c.key, c.before, c.after) for c in since.changes] == [
        ("days_since_injury", 1, 5),
        ("new_headache", "no", "yes"),
        ("signs_recent", None, "yes"),  # not asked on day 1
        ("can_rotate_45", "yes", None),  # not asked once the headache is there
    ]
    assert (since.disposition_before, since.more_urgent) == ("technique", True)
    same = compare(after, after, decide(after, book), decide(after, book))
    assert (same.changes, same.more_urgent) == ((), False)
    back = compare(after, before, decide(after, book), decide(before, book))
    assert (back.disposition_before, back.more_urgent) == ("urgent", False)


def test_a_skipped_key_is_no_change(book: Rulebook) -> None:
    # intoxicated is not asked after day 14: a different answer to it changes nothing.
    late = FALL | {"days_since_injury": 20}
    a, b = check_answers(late, book), check_answers(late | {"intoxicated": "yes"}, book)
    assert compare(a, b, decide(a, book), decide(b, book)).changes == ()


def test_screen_with_since_carries_the_comparison_and_keeps_its_decision(
    book: Rulebook,
) -> None:
    plain = screen(HEADACHE, book)
    compared = screen(HEADACHE, book, since=saved(book))
    assert compared.since is not None
    assert plain.since is None  # decisions are shared: the comparison is on a copy
    assert (compared.disposition, compared.exit_code) == (plain.disposition, plain.exit_code)
    data = compared.to_dict()
    assert data["since"]["disposition_before"] == "technique"
    assert data["since"]["more_urgent"] is True
    assert data["since"]["given_at"] == MONDAY
    assert data["since"]["rules_version_before"] == book.version
    assert {k: v for k, v in data.items() if k != "since"} == plain.to_dict()
    assert "since" not in plain.to_dict()


def test_a_saved_file_replays_to_the_same_decision(book: Rulebook) -> None:
    document = saved(book)
    assert document["neckcheck_saved_interview"] == 2
    assert document["contract_version"] == 3
    assert screen(document, book) == screen(FALL, book)


def test_files_earlier_versions_saved_are_still_read(book: Rulebook) -> None:
    stop = {"age": 40, "injury": "none", "sudden_onset": "yes"}
    early = {"neckcheck_saved_interview": 1, "ended_early": True, "answers": stop}
    assert screen(early, book).disposition == "emergency"
    # An earlier version saved a completed interview as the plain answers.
    since = screen(HEADACHE, book, since=FALL).since
    assert since is not None
    assert (since.disposition_before, since.given_at, since.rules_version_before) == (
        "technique", None, None)  # fmt: skip
    since = screen(HEADACHE, book, since=early).since
    assert since is not None
    assert since.disposition_before == "emergency"
    assert since.more_urgent is False


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"given_at": "2026-12-01T09:00:00"}, "given_at"),  # no offset
        ({"given_at": "Monday"}, "given_at"),
        ({"given_at": 5}, "given_at"),
        ({"rules_version": ""}, "rules_version"),
        ({"contract_version": 2}, "contract_version"),
        ({"contract_version": "3"}, "contract_version"),
        ({"ended_early": "no"}, "ended_early"),
        ({"answers": [1]}, "answers"),
        ({"comment": "hi"}, "comment"),
        ({"neckcheck_saved_interview": 3}, "neckcheck_saved_interview"),
        ({"neckcheck_saved_interview": True}, "neckcheck_saved_interview"),
    ],
)
def test_a_saved_file_of_the_wrong_shape_names_the_key(
    book: Rulebook, change: dict[str, object], key: str
) -> None:
    with pytest.raises(InputError) as caught:
        screen(saved(book, **change), book, "monday.json")
    assert key in [p.key for p in caught.value.problems]
    assert caught.value.source == "monday.json"


def test_a_missing_key_of_a_saved_file_is_named(book: Rulebook) -> None:
    document = saved(book)
    del document["given_at"]
    with pytest.raises(InputError) as caught:
        read_saved_interview(document, "x")
    assert [(p.key, p.message) for p in caught.value.problems] == [("given_at", "missing")]


def test_saved_interview_refuses_a_time_without_offset(book: Rulebook) -> None:
    with pytest.raises(ValueError, match="offset"):
        saved_interview(FALL, False, "2026-12-01T09:00:00", book.version)


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ([FALL], "not a saved answer set"),
        ("answers", "not a saved answer set"),
        ({"resourceType": "QuestionnaireResponse"}, "not a saved answer set"),
        ({"age": 40}, "cannot be compared"),  # another contract's answers: keys are missing
        ({**FALL, "serious_history": "no"}, "serious_history: unknown key"),
    ],
)
def test_a_since_that_cannot_be_compared_is_one_usage_error(
    book: Rulebook, document: object, words: str
) -> None:
    with pytest.raises(SinceError) as caught:
        screen(HEADACHE, book, since=document)
    assert words in str(caught.value)
    assert caught.value.exit_code == 2
    assert len(caught.value.lines()) == 1
    assert caught.value.lines()[0].startswith("usage error: --since ")


def test_a_since_saved_under_another_contract_is_refused(book: Rulebook) -> None:
    with pytest.raises(SinceError, match="contract 2"):
        previous_screening(saved(book, contract_version=2), book, "old.json")


def test_last_time_hints_show_each_earlier_answer_and_count_the_days(book: Rulebook) -> None:
    previous = previous_screening(saved(book), book)
    hints = last_time_hints(previous, book, datetime.date(2026, 12, 5))
    assert set(hints) == set(previous.answers.facts)
    assert hints["new_headache"] == "last time: No"
    assert hints["can_rotate_45"] == "last time: Yes"
    assert hints["days_since_injury"] == (
        "last time: 1; 4 days ago, so 5 days today for the same injury"
    )
    same_day = last_time_hints(previous, book, datetime.date(2026, 12, 1))
    assert same_day["days_since_injury"] == "last time: 1, earlier today"
    next_day = last_time_hints(previous, book, datetime.date(2026, 12, 2))
    assert next_day["days_since_injury"].startswith("last time: 1; 1 day ago, so 2 days")
    legacy = last_time_hints(previous_screening(FALL, book), book, datetime.date(2026, 12, 5))
    assert legacy["days_since_injury"] == "last time: 1"  # no date saved: nothing to count


def test_since_text_puts_a_rise_first_and_names_each_question(book: Rulebook) -> None:
    text = since_text(screen(HEADACHE, book, since=saved(book)), book)
    assert text is not None
    assert text.risen is not None
    assert "then self-care with the technique" in text.risen
    assert "now a doctor today" in text.risen
    prompts = {q.id: q.prompt for q in book.questions}
    assert text.changes[1] == (prompts["new_headache"], "No", "Yes")
    assert text.changes[2] == (prompts["signs_recent"], "not asked", "Yes")
    assert (text.level_then, text.level_now) == ("self-care with the technique", "a doctor today")
    calmer = since_text(screen(FALL, book, since=saved(book, HEADACHE)), book)
    assert calmer is not None
    assert calmer.risen is None
    assert since_text(screen(FALL, book), book) is None


def test_what_save_writes_from_a_script(book: Rulebook) -> None:
    kept = document_to_save(FALL, False, MONDAY, book.version)
    assert kept == saved(book)
    assert document_to_save(kept, False, "2026-12-09T10:00:00+00:00", "x") is kept
    early = {"neckcheck_saved_interview": 1, "ended_early": True, "answers": {"age": 1}}
    upgraded = document_to_save(early, True, MONDAY, book.version)
    assert isinstance(upgraded, dict)
    assert (upgraded["neckcheck_saved_interview"], upgraded["ended_early"]) == (2, True)
    fhir = {"resourceType": "QuestionnaireResponse"}
    assert document_to_save(fhir, False, MONDAY, book.version) is fhir


def rendered(decision: Any, book: Rulebook) -> list[str]:
    from neckcheck.cli.render import make_console, render_since, render_since_rise, render_text

    console = make_console(plain=True)
    with console.capture() as captured:
        render_since_rise(decision, book, console)
        render_text(decision, console)
        render_since(decision, book, console)
    return [line.rstrip() for line in captured.get().splitlines()]


def test_the_text_result_says_first_that_the_level_rose(book: Rulebook) -> None:
    decision = screen(HEADACHE, book, since=saved(book))
    lines = rendered(decision, book)
    words = " ".join(" ".join(lines).split())
    assert words.startswith(
        "More urgent than last time: then self-care with the technique, now a doctor today. "
        + decision.headline
    )
    section = lines[lines.index("Since last time") :]
    text = " ".join(" ".join(section).split())
    headache = next(q.prompt for q in book.questions if q.id == "new_headache")
    assert f"{headache} then: No; now: Yes" in text
    assert "then: not asked; now: Yes" in text
    assert "Level of care: then self-care with the technique; now a doctor today." in text


def test_the_text_result_without_a_rise_or_without_since(book: Rulebook) -> None:
    calmer = rendered(screen(FALL, book, since=saved(book, HEADACHE)), book)
    assert calmer[0] == screen(FALL, book).headline
    assert "Since last time" in calmer
    unchanged = rendered(screen(FALL, book, since=saved(book)), book)
    assert "No answer changed." in " ".join(unchanged)
    assert "Since last time" not in rendered(screen(FALL, book), book)


def test_the_report_carries_the_comparison(book: Rulebook) -> None:
    from neckcheck.formats.report import markdown_report

    decision = screen(HEADACHE, book, since=saved(book))
    facts = check_answers(HEADACHE, book).facts
    report = markdown_report(decision, facts, book, "2026-12-05 10:00 CET", False).splitlines()
    assert report[2].startswith("**More urgent than last time:")
    section = report[report.index("## Since last time") :]
    assert f"Compared with the answers given on {MONDAY}." in section
    assert "| Question | Then | Now |" in section
    assert any(line.endswith("| No | Yes |") for line in section)
    assert "Level of care: then self-care with the technique; now a doctor today." in section
    plain = markdown_report(screen(HEADACHE, book), facts, book, "x", False)
    assert "Since last time" not in plain
    assert "More urgent" not in plain


def test_the_interview_shows_each_earlier_answer_and_selects_none(book: Rulebook) -> None:
    from neckcheck.cli.interview import PlainPrompter, run_interview
    from tests.test_interview_flow import ScriptedPrompter

    hints = last_time_hints(previous_screening(saved(book), book), book, datetime.date(2026, 12, 5))
    defaults: list[object] = []

    class Recording(ScriptedPrompter):
        def ask(self, question: Any, step: Any, default: Any) -> Any:
            defaults.append(default)
            return super().ask(question, step, default)

    prompter = Recording(HEADACHE)
    result = run_interview(book, prompter, last_time=hints)
    assert result.answers == check_answers(HEADACHE, book).facts
    assert defaults == [None] * len(prompter.asked)  # the person answers afresh
    shown = {q: s.last_time for q, s in zip(prompter.asked, prompter.steps, strict=True)}
    assert shown["new_headache"] == "last time: No"
    assert shown["signs_recent"] is None  # not asked last time
    assert "so 5 days today" in str(shown["days_since_injury"])
    # The plain prompter writes the hint under the question.
    import io

    plain = PlainPrompter(book)
    plain.stream = io.StringIO()
    plain.source = io.TextIOWrapper(io.BytesIO(b"2\n"))
    question = book.question_read("new_headache")
    plain.ask(question, prompter.steps[prompter.asked.index("new_headache")], None)
    assert "(last time: No)" in plain.stream.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("missing.json", None, "No such file"),
        ("folder", "folder", "cannot read"),
        ("bad.json", "{not json", "not valid JSON"),
        ("list.json", "[1, 2]", "not a saved answer set"),
        ("v2.json", json.dumps({"age": 40, "injury": "none"}), "cannot be compared"),
    ],
)
def test_reading_a_since_file_that_cannot_be_compared_is_one_usage_error(
    book: Rulebook, tmp_path: Any, name: str, content: str | None, words: str
) -> None:
    from neckcheck.cli.edge import read_since

    path = tmp_path / name
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SinceError) as caught:
        read_since(str(path), book)
    (message,) = caught.value.lines()
    assert message.startswith(f"usage error: --since {path}: ")
    assert words in message
    assert caught.value.exit_code == 2


def test_reading_a_since_file_refuses_stdin_and_a_device(book: Rulebook) -> None:
    from neckcheck.cli.edge import read_since

    with pytest.raises(SinceError, match="standard input holds today's answers"):
        read_since("-", book)
    with pytest.raises(SinceError, match="device"):
        read_since("/dev/zero", book)


def test_reading_a_saved_since_file(book: Rulebook, tmp_path: Any) -> None:
    from neckcheck.cli.edge import read_since

    path = tmp_path / "monday.json"
    path.write_text(json.dumps(saved(book)), encoding="utf-8")
    previous = read_since(str(path), book)
    assert previous.saved.given_at == MONDAY
    assert previous.decision == screen(FALL, book)


def test_answers_saved_later_than_now_cannot_be_compared(book: Rulebook) -> None:
    """The clock is passed in: a file given after it is refused, one given at it is read; the
    Python API reads the clock itself, so a file from 2099 is refused there too."""
    saved = saved_interview(FALL, False, MONDAY, book.version)
    monday = datetime.datetime.fromisoformat(MONDAY)
    assert previous_screening(saved, book, now=monday).saved.given_at == MONDAY
    with pytest.raises(SinceError, match=r"given_at: .* is later than now"):
        previous_screening(saved, book, now=monday - datetime.timedelta(seconds=1))
    future = saved | {"given_at": "2099-01-01T00:00:00+00:00"}
    with pytest.raises(SinceError, match="later than now"):
        screen(HEADACHE, book, since=future)
