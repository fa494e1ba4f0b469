"""The interview's flow with a scripted prompter: skip logic, early stop, review and edit.
Hypothesis drives it with every kind of answer set; the terminal itself is tested in
test_interview.py."""

from __future__ import annotations

import io
import itertools
import re
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
    offers,
    run_interview,
)
from neckcheck.core.conditions import Value
from neckcheck.core.engine import decide_partial
from neckcheck.core.model import Question, Rulebook
from neckcheck.core.progress import most_questions
from tests.conftest import REPO
from tests.spec import BASELINE, effective
from tests.strategies import answer_sets


class ScriptedPrompter:
    """Answers from a dict; on the review (or after an early stop) picks the next of `edits`
    (or `corrections`): a value of None goes back without a change (Esc), and `confirm` says
    whether each change is confirmed."""

    def __init__(
        self,
        answers: dict[str, Any],
        edits: Sequence[tuple[str, Any]] = (),
        corrections: Sequence[tuple[str, Any]] = (),
        confirm: bool = True,
    ) -> None:
        self.answers = dict(answers)
        self.edits = list(edits)
        self.corrections = list(corrections)
        self.confirm = confirm
        self.picked: Any = None
        self.asked: list[str] = []
        self.steps: list[Step] = []
        self.reviews: list[list[ReviewRow]] = []
        self.changes: list[str | None] = []
        self.confirms: list[tuple[str, str, str]] = []
        self.stops: list[list[str]] = []
        self.shown: list[str] = []

    def show(self, text: str) -> None:
        self.shown.append(text)

    def ask(self, question: Question, step: Step, current: Value | None) -> Value | None:
        self.asked.append(question.id)
        self.steps.append(step)
        if current is not None:
            assert step.editing
            return self.picked  # type: ignore[no-any-return]
        return self.answers[question.id]  # type: ignore[no-any-return]

    def confirm_change(self, question: Question, old: str, new: str) -> bool:
        self.confirms.append((question.id, old, new))
        return self.confirm

    def _pick(self, picks: list[tuple[str, Any]]) -> str | None:
        if not picks:
            return None
        key, value = picks.pop(0)
        self.picked = value
        if value is not None and self.confirm:
            self.answers[key] = value
        return key

    def review(self, rows: Sequence[ReviewRow], changed: str | None) -> str | None:
        self.reviews.append(list(rows))
        self.changes.append(changed)
        return self._pick(self.edits)

    def stopped(self, why: Sequence[str], rows: Sequence[ReviewRow]) -> str | None:
        self.stops.append(list(why))
        return self._pick(self.corrections)


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


def test_review_edit_to_an_emergency_is_reviewed_then_decided(book: Rulebook) -> None:
    prompter = ScriptedPrompter(BASELINE, edits=[("head_injury", "unsure")])
    result = run_interview(book, prompter)
    # Every question still asked was answered: not an early stop, an emergency all the same.
    assert not result.ended_early
    assert prompter.changes == [None, "Hit the head, then blacked out, confused, vomited, "
                                "sleepy or headache: No -> Not sure"]  # fmt: skip
    assert screen(result.answers, book).reasons[0].rule == "emergency.head_injury"


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


def typed_for(book: Rulebook, question: Question, value: Any) -> list[str]:
    """The lines a person types to give this answer: its number, or for a kind of yes, 1 for
    Yes and then the kind's number."""
    if question.type == "int":
        return [str(value)]
    first, kinds = offers(book, question)
    if value in first.values:
        return [str(first.values.index(value) + 1)]
    assert kinds is not None
    return ["1", str(kinds.values.index(value) + 1)]


def typed_answers(book: Rulebook, asked: list[str], answers: dict[str, Any]) -> list[str]:
    return [
        line for key in asked for line in typed_for(book, book.question_read(key), answers[key])
    ]


@given(answers=answer_sets(booleans=False))
def test_the_plain_prompter_reaches_what_the_drawn_one_does(book: Rulebook, answers: dict) -> None:
    scripted = ScriptedPrompter(answers)
    expected = run_interview(book, scripted)
    plain = PlainPrompter(book)
    plain.stream = io.StringIO()
    lines = typed_answers(book, scripted.asked, answers)
    plain.source = _Typed([*lines, "1"])  # 1: show the result, after the review or a stop
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
    # Enter alone on the review asks again; an invalid answer says why; a new answer is
    # changed only once confirmed (Enter alone on the confirmation keeps the old one); when
    # changing an answer, Enter alone goes back without a change.
    plain.source = _Typed([*first, "", row, "x", none, "", row, none, "1", sudden, row, "", "1"])
    result = run_interview(book, plain)
    assert result == expected
    text = plain.stream.getvalue()
    fall = book.answer_label(injury, "fall")
    no_fall = book.answer_label(injury, "none")
    assert text.count(f"Your answer now: {fall}") == 2
    assert f"Your answer now: {no_fall}" in text
    assert 'No answer starts with "x"' in text
    assert text.count("Nothing is chosen for you") == 1
    assert text.count("Changing an answer") == 3
    assert text.count(f'Change "What started it" from "{fall}" to "{no_fall}"?') == 2
    assert text.count(f"Changed: What started it: {fall} -> {no_fall}") == 1
    assert f"\u2192 {no_fall}\n" in text  # the answer taken, said back


def test_choice_problem() -> None:
    labels = ["Yes", "No", "Not sure"]
    assert choice_problem("2", labels) == 1
    assert choice_problem(" 3. ", labels) == 2
    assert choice_problem("no", labels) == 1  # a whole label, though it starts another
    assert choice_problem("NOT", labels) == 2
    assert choice_problem("  not   sure ", labels) == 2
    assert choice_problem("y", labels) == 0
    assert choice_problem("n", labels) == 1  # n is No, y is Yes
    assert choice_problem("Y", labels) == 0
    assert choice_problem("n", ["Now", "Never"]) == '"n" could be answer 1 or 2: type its number.'
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


@given(answers=answer_sets(booleans=False))
def test_the_counter_never_rises_and_parts_never_skip(book: Rulebook, answers: dict) -> None:
    prompter = ScriptedPrompter(answers)
    result = run_interview(book, prompter)
    steps = prompter.steps
    assert steps[0].most == most_questions(book, {})
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    for before, after in itertools.pairwise(steps):
        assert after.most <= before.most
        assert after.section_number in (before.section_number, before.section_number + 1)
    assert steps[0].section_number == 1
    assert all(s.number <= s.most for s in steps)
    if not result.ended_early:
        # The last question's part is the last part this person was shown.
        assert steps[-1].section_number == steps[-1].sections
        assert len(steps) <= steps[-1].most


def test_one_figure_in_the_intro_the_counter_and_the_manual(book: Rulebook) -> None:
    most = most_questions(book, {})
    assert f"up to {most} short questions" in book.intro
    manual = (REPO / "docs" / "interview.md").read_text(encoding="utf-8")
    figures = {int(n) for n in re.findall(r"(?:of at most|longest interview has) (\d+)", manual)}
    assert figures == {most}
    # The figure is reached: a person injured a week ago with long-standing, unchanged
    # dizziness is asked every question but the three that exclude theirs (sudden pain with no
    # injury, how numbness came on, the head-turning test). New numbness would stop it early.
    longest = BASELINE | {"days_since_injury": 7, "vascular_signs": "yes", "signs_recent": "no"}
    prompter = ScriptedPrompter(longest)
    assert not run_interview(book, prompter).ended_early
    assert len(prompter.asked) == most
    assert str(prompter.steps[0]).endswith(f"Question 1 of at most {most}.")


def test_a_change_takes_a_confirmation_and_esc_changes_nothing(book: Rulebook) -> None:
    # Not confirmed: nothing changes.
    prompter = ScriptedPrompter(BASELINE, edits=[("injury", "vehicle")], confirm=False)
    result = run_interview(book, prompter)
    assert result.answers == effective(BASELINE)
    assert prompter.confirms == [
        (
            "injury",
            "A fall (a trip, a slip, off a ladder, stairs, a bike or a horse)",
            "A car or other vehicle crash, as driver, passenger, cyclist or on foot",
        )
    ]
    assert prompter.changes == [None, None]
    # Esc on the answers (None): back to the review, nothing to confirm.
    prompter = ScriptedPrompter(BASELINE, edits=[("injury", None)])
    result = run_interview(book, prompter)
    assert result.answers == effective(BASELINE)
    assert prompter.confirms == []
    assert prompter.steps[-1].editing
    # Confirmed: changed, and the review says what changed.
    prompter = ScriptedPrompter(BASELINE, edits=[("injury", "vehicle")])
    result = run_interview(book, prompter)
    assert result.answers["injury"] == "vehicle"
    assert prompter.changes[-1] == (
        "What started it: A fall (a trip, a slip, off a ladder, stairs, a bike or a horse) -> "
        "A car or other vehicle crash, as driver, passenger, cyclist or on foot"
    )


def test_a_correction_after_an_early_stop(book: Rulebook) -> None:
    # 70 typed for 40, a day after a fall: the interview stops, says why, and takes the
    # correction; the corrected answers no longer call for emergency care, so it goes on.
    prompter = ScriptedPrompter(BASELINE | {"age": 70}, corrections=[("age", 40)])
    result = run_interview(book, prompter)
    assert len(prompter.stops) == 1
    assert any("scan" in why.lower() or "x-ray" in why.lower() for why in prompter.stops[0])
    assert not result.ended_early
    assert result.answers == effective(BASELINE)
    assert prompter.reviews  # then the review, as any full interview
    # A correction that still calls for it: the emergency stands, and is said again.
    prompter = ScriptedPrompter(BASELINE | {"age": 70}, corrections=[("age", 80)])
    result = run_interview(book, prompter)
    assert len(prompter.stops) == 2
    assert result.ended_early
    assert result.answers == {"age": 80, "injury": "fall", "days_since_injury": 1}
    assert decide_partial(result.answers, book).disposition == "emergency"
    # No correction: the emergency as it was.
    prompter = ScriptedPrompter(BASELINE | {"age": 70})
    assert run_interview(book, prompter).ended_early
    assert prompter.reviews == []


def test_yes_no_and_not_sure_keep_their_numbers(book: Rulebook) -> None:
    yes, no, unsure = (book.tri_labels[v] for v in ("yes", "no", "unsure"))
    seen = 0
    for question in book.questions:
        if question.type == "int":
            continue
        first, kinds = offers(book, question)
        labels = list(first.labels)
        if no in labels:
            seen += 1
            assert labels[:2] == [yes, no], question.id
            if unsure in [book.answer_label(question, v) for v in question.allowed_values()]:
                assert labels[2] == unsure, question.id
        if kinds is not None:  # after a Yes, which kind; every answer is still offered
            assert set(first.values[1:]) | set(kinds.values) == set(question.allowed_values())
    assert seen == 1 + sum(q.type == "tri" for q in book.questions)  # the spine question too
