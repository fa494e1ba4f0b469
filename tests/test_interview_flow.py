"""The interview's flow with a scripted prompter: skip logic, early stop, review and edit.
Hypothesis drives it with every kind of answer set; the terminal itself is tested in
test_interview.py."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from hypothesis import given

from neckcheck.api import screen
from neckcheck.cli.interview import (
    PlainPrompter,
    ReviewRow,
    Step,
    choice_problem,
    int_problem,
    run_interview,
)
from neckcheck.core.conditions import Value
from neckcheck.core.engine import decide_partial
from neckcheck.core.model import Question, Rulebook
from tests.spec import BASELINE, effective
from tests.strategies import answer_sets


class ScriptedPrompter:
    def __init__(self, answers: dict[str, Any], edits: Sequence[tuple[str, Any]] = ()) -> None:
        self.answers = dict(answers)
        self.edits = list(edits)
        self.asked: list[str] = []
        self.steps: list[Step] = []
        self.reviews: list[list[ReviewRow]] = []
        self.shown: list[str] = []

    def show(self, text: str) -> None:
        self.shown.append(text)

    def ask(self, question: Question, step: Step, default: Value | None) -> Value:
        self.asked.append(question.id)
        self.steps.append(step)
        return self.answers[question.id]

    def review(self, rows: Sequence[ReviewRow]) -> str | None:
        self.reviews.append(list(rows))
        if not self.edits:
            return None
        key, value = self.edits.pop(0)
        self.answers[key] = value
        return key


@given(answers=answer_sets(booleans=False))
def test_interview_reaches_the_same_decision_as_json(book: Rulebook, answers: dict) -> None:
    prompter = ScriptedPrompter(answers)
    result = run_interview(book, prompter)
    full = screen(answers, book)
    if result.ended_early:
        # Stopping early never changes the verdict: the full answers are an emergency too.
        assert decide_partial(result.answers, book).disposition == "emergency"
        assert full.disposition == "emergency"
        assert prompter.reviews == []
    else:
        assert result.answers == effective(answers)
        assert screen(result.answers, book) == full
    assert len(set(prompter.asked)) == len(prompter.asked)  # nothing asked twice
    assert set(prompter.asked) <= set(effective(answers))  # skipped questions are not asked


def test_steps_show_progress(book: Rulebook) -> None:
    prompter = ScriptedPrompter(BASELINE)
    run_interview(book, prompter)
    assert [s.number for s in prompter.steps] == list(range(1, 28))
    assert prompter.steps[0].section_number == 1
    assert prompter.steps[-1].section_number == prompter.steps[-1].sections == 6
    assert str(prompter.steps[0]).startswith("Part 1 of 6: About you and what happened.")
    assert prompter.shown == [book.intro]


def test_review_edit_reopens_and_drops_questions(book: Rulebook) -> None:
    # Change "a fall" to "no fall or accident": the injury questions drop out of the answers.
    answers = BASELINE | {"sore_back": "no", "sudden_onset": "no"}
    prompter = ScriptedPrompter(answers, edits=[("injury", "none")])
    result = run_interview(book, prompter)
    assert "days_since_injury" not in result.answers
    # The edit opens the one question asked only without an injury.
    assert [r.key for r in prompter.reviews[1]] == [
        q.id for q in book.questions if q.asked_when is None or q.id == "sudden_onset"
    ]
    assert screen(result.answers, book).outcome == "general_soreness"


def test_review_edit_to_an_emergency_stops(book: Rulebook) -> None:
    prompter = ScriptedPrompter(BASELINE, edits=[("head_injury", "unsure")])
    result = run_interview(book, prompter)
    assert result.ended_early
    assert decide_partial(result.answers, book).reasons[0].rule == "emergency.head_injury"


def test_early_stop_only_when_certain(book: Rulebook) -> None:
    # Numbness that came on slowly is an emergency only after a recent injury, or with cancer
    # or an infection risk; without those the interview must go on (the answers about cancer
    # and infection are still to come).
    gradual = {
        "injury": "none",
        "sudden_onset": "no",
        "neuro_symptoms": "yes",
        "neuro_onset": "gradual",
    }
    prompter = ScriptedPrompter(BASELINE | gradual)
    result = run_interview(book, prompter)
    assert not result.ended_early
    assert screen(result.answers, book).disposition == "clinician"
    prompter = ScriptedPrompter(BASELINE | gradual | {"cancer_history": "yes"})
    result = run_interview(book, prompter)
    assert result.ended_early
    assert prompter.asked[-1] == "cancer_history"
    assert decide_partial(result.answers, book).disposition == "emergency"


def test_a_skipped_head_turning_test_stops_as_soon_as_it_is_certain(book: Rulebook) -> None:
    # 70 years old, a day after a fall: the head-turning test will not be asked, so the scan
    # rule holds whatever else is answered; the interview stops after the day is known.
    prompter = ScriptedPrompter(BASELINE | {"age": 70})
    result = run_interview(book, prompter)
    assert result.ended_early
    assert prompter.asked == ["age", "injury", "days_since_injury"]
    decision = decide_partial(result.answers, book)
    assert decision.reasons[0].rule == "emergency.neck_scan_first_days"
    # On day 5 the same answers mean "today", not "now": no early stop, the review comes.
    prompter = ScriptedPrompter(BASELINE | {"age": 70, "days_since_injury": 5})
    result = run_interview(book, prompter)
    assert not result.ended_early
    assert screen(result.answers, book).disposition == "urgent"
    assert "can_rotate_45" not in prompter.asked


def test_review_lists_answers_in_words(book: Rulebook) -> None:
    prompter = ScriptedPrompter(BASELINE | {"can_rotate_45": "unsure"})
    run_interview(book, prompter)
    # can_rotate_45 unsure within two days is an emergency: no review at all.
    assert prompter.reviews == []
    prompter = ScriptedPrompter(BASELINE | {"low_back_pain": "unsure"})
    run_interview(book, prompter)
    rows = {r.key: r.answer for r in prompter.reviews[0]}
    assert rows["low_back_pain"] == "Not sure"
    assert rows["fall_direction"] == "Forward, face first"
    assert rows["age"] == "40"


def test_int_problem(book: Rulebook) -> None:
    age = book.question("age")
    assert age is not None
    assert int_problem(age, "40") is None
    assert int_problem(age, " 7 ") is None
    for bad in ("", "abc", "4.5", "-3", "121", "1e2"):
        assert int_problem(age, bad) == "Type a whole number from 0 to 120."


class _Typed:
    """Standard input for PlainPrompter: the lines a person would type."""

    def __init__(self, lines: list[str]) -> None:
        self.buffer = io.BytesIO("".join(f"{line}\n" for line in lines).encode())


def typed_answers(book: Rulebook, asked: list[str], answers: dict[str, Any]) -> list[str]:
    lines = []
    for key in asked:
        question = book.question(key)
        assert question is not None
        value = answers[key]
        if question.type == "int":
            lines.append(str(value))
        else:
            lines.append(str(list(question.allowed_values()).index(value) + 1))
    return lines


@given(answers=answer_sets(booleans=False))
def test_the_plain_prompter_reaches_what_the_drawn_one_does(book: Rulebook, answers: dict) -> None:
    scripted = ScriptedPrompter(answers)
    expected = run_interview(book, scripted)
    plain = PlainPrompter(book)
    plain.stream = io.StringIO()
    lines = typed_answers(book, scripted.asked, answers)
    plain.source = _Typed(lines if expected.ended_early else [*lines, "1"])
    assert run_interview(book, plain) == expected
    assert plain.source.buffer.read() == b""  # every line read, none left over
    assert all(line.isprintable() for line in plain.stream.getvalue().split("\n"))


def test_plain_review_edit_and_empty_lines(book: Rulebook) -> None:
    answers = BASELINE | {"sore_back": "no", "sudden_onset": "no"}
    scripted = ScriptedPrompter(answers, edits=[("injury", "none")])
    expected = run_interview(book, scripted)
    # The edit opens one question, asked only without an injury.
    assert scripted.asked[-2:] == ["injury", "sudden_onset"]
    first = typed_answers(book, scripted.asked[:-2], answers)
    (sudden,) = typed_answers(book, ["sudden_onset"], answers)
    injury = book.question("injury")
    assert injury is not None
    none = str(list(injury.allowed_values()).index("none") + 1)
    row = injury.label.lower()[:12]  # a row is picked by the start of its question's words too
    plain = PlainPrompter(book)
    plain.stream = io.StringIO()
    # Enter alone on the review asks again; an invalid answer says why; when changing an
    # answer, Enter alone keeps the one given.
    plain.source = _Typed([*first, "", row, "x", none, sudden, row, "", "1"])
    result = run_interview(book, plain)
    assert result == expected
    text = plain.stream.getvalue()
    assert "Your answer now: A fall (" in text
    assert "Your answer now: No fall or accident" in text
    assert 'No answer starts with "x"' in text
    assert text.count("Nothing is chosen for you") == 1
    assert text.count("Changing an answer") == 2


def test_choice_problem() -> None:
    labels = ["Yes", "No", "Not sure"]
    assert choice_problem("2", labels) == 1
    assert choice_problem(" 3. ", labels) == 2
    assert choice_problem("no", labels) == 1  # a whole label, though it starts another
    assert choice_problem("NOT", labels) == 2
    assert choice_problem("  not   sure ", labels) == 2
    assert choice_problem("y", labels) == 0
    assert choice_problem("n", labels) == '"n" could be answer 2 or 3: type its number.'
    assert choice_problem("", labels) == (
        "Nothing is chosen for you: type a number from 1 to 3, then press Enter."
    )
    assert choice_problem("4", labels) == "There is no answer 4: type a number from 1 to 3."
    assert choice_problem("0", labels) == "There is no answer 0: type a number from 1 to 3."
    assert choice_problem("\u0663", labels) == (  # an Arabic-Indic three: not a number here
        "There is no answer \u0663: type a number from 1 to 3."
    )
    assert (
        choice_problem("maybe", labels) == 'No answer starts with "maybe": type a number '
        "from 1 to 3."
    )
    assert (
        choice_problem("\x1b[A", labels) == 'No answer starts with "\\x1b[A": type a '
        "number from 1 to 3."
    )
