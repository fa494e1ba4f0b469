"""The interview as a person meets it: the real command in a pseudo-terminal, keys typed, the
screen read back (pexpect)."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import pexpect
import pytest

from neckcheck.cli.interview import offers, which_one
from neckcheck.core.model import Rulebook
from tests.cli import invoke, neckcheck_command
from tests.spec import BASELINE, NO_INJURY, oracle

# One worker runs every pseudo-terminal and browser test, one after another (pyproject.toml).
# The terminal tier: a real interview in a pseudo-terminal, one after another on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("terminal")]

REVIEW = "Check your answers"
STOPPED = r"The\s+interview\s+stopped\s+early:\s+your\s+answers\s+call"


def spawn(*args: str, cwd: Path | None = None) -> pexpect.spawn:
    command = neckcheck_command()
    # No one answers prompt_toolkit's cursor-position query in a bare pty; without this it
    # waits for the reply at every prompt.
    env = dict(os.environ, TERM="xterm", NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1")
    return pexpect.spawn(
        command[0], [*command[1:], "screen", *args], env=env, cwd=cwd, dimensions=(40, 100),
        timeout=20, encoding="utf-8",
    )  # fmt: skip


def words(text: str, count: int) -> str:
    """A pattern for the first words of a text, wherever the terminal wrapped it."""
    return r"\s+".join(re.escape(w) for w in text.split()[:count])


def prompt_start(question: Any) -> str:
    return words(question.prompt, 4)


def help_start(question: Any) -> str:
    return words("Help: " + question.help, 6)


def keys_for(book: Rulebook, question: Any, value: Any) -> list[str]:
    """The keys that give this answer: its number and Enter; for a kind of yes (a known spine
    problem), Yes first, then the kind's number once "which one?" is asked."""
    if question.type == "int":
        return [f"{value}\r"]
    first, kinds = offers(book, question)
    if value in first.values:
        return [f"{first.values.index(value) + 1}\r"]
    assert kinds is not None
    return ["1\r", f"{kinds.values.index(value) + 1}\r"]


def key_for(book: Rulebook, question: Any, value: Any) -> str:
    (key,) = keys_for(book, question, value)
    return key


def give(child: pexpect.spawn, book: Rulebook, question: Any, value: Any) -> None:
    first, *then = keys_for(book, question, value)
    child.send(first)
    for key in then:
        child.expect(re.escape(which_one(question)))
        child.send(key)


def answer_until_review(child: pexpect.spawn, book: Rulebook, answers: dict) -> list[str]:
    """Answer each question the screen shows from `answers`; return the ids asked, in order.
    After an early stop, Enter shows the result (the pointer starts on it)."""
    questions = list(book.questions)
    # The help line is printed once per question, just before its prompt: it tells which
    # question is on screen (the prompt itself is echoed again once answered).
    patterns = [help_start(q) for q in questions] + [REVIEW, STOPPED, pexpect.EOF]
    asked: list[str] = []
    while True:
        index = child.expect(patterns)
        if index == len(questions) + 1:
            child.expect("Show my result")
            child.send("\r")
            continue
        if index >= len(questions):
            return asked
        question = questions[index]
        child.expect(prompt_start(question))
        asked.append(question.id)
        give(child, book, question, answers[question.id])


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus if child.exitstatus is not None else -1)


def test_face_first_fall_from_first_question_to_steps(book: Rulebook) -> None:
    child = spawn()
    child.expect("starting with the signs that need")  # the intro
    child.expect(r"Part 1 of 6: About you and what happened\. Question 1 of at most 27")
    asked = answer_until_review(child, book, BASELINE)
    # An injury and no warning sign: every question but the one about a sudden start without an
    # injury, how recent the artery signs are, and how numbness came on.
    skipped = ("sudden_onset", "signs_recent", "neuro_onset")
    assert asked == [q.id for q in book.questions if q.id not in skipped]
    assert asked.index("can_rotate_45") > asked.index("midline_tenderness")
    child.expect(r"Age: 40")
    child.expect(r"Direction of the fall: Forward, face first")
    child.send("\r")  # confirm
    child.expect("TECHNIQUE SUITS YOU")
    child.expect(r"1\. Get a small, soft medicine ball")
    child.expect(r"10\. Adjust")
    child.expect("Cautions")
    child.expect("screening aid")
    assert finish(child) == 0


def test_no_injury_skips_injury_questions(book: Rulebook) -> None:
    answers = BASELINE | {"injury": "none", "sudden_onset": "no", "sore_back": "no"}
    child = spawn()
    asked = answer_until_review(child, book, answers)
    assert "days_since_injury" not in asked
    assert "fall_direction" not in asked
    assert "head_injury" not in asked
    child.send("\r")
    child.expect("a sore or stiff neck with no recent injury")
    assert finish(child) == 0


def test_emergency_answer_ends_the_interview_at_once(book: Rulebook) -> None:
    child = spawn()
    answers = BASELINE | {"vascular_signs": "unsure", "signs_recent": "yes"}
    asked = answer_until_review(child, book, answers)
    # On day 1 a warning sign skips the rotation test, which then counts as failed: an
    # emergency whatever signs_recent will say, so the interview stops at once.
    assert asked == ["age", "injury", "days_since_injury", "chest_symptoms", "vascular_signs"]
    output = child.before
    assert "EMERGENCY: get emergency care now" in output
    assert "stopped early" in output
    assert REVIEW not in output
    child.close()
    assert child.exitstatus == 5


def test_recent_injury_over_65_stops_after_the_two_day_answer(book: Rulebook) -> None:
    child = spawn()
    asked = answer_until_review(child, book, BASELINE | {"age": 66, "days_since_injury": 0})
    assert asked[-1] == "days_since_injury"
    assert re.search(words("Keep your neck still", 4), child.before)
    child.close()
    assert child.exitstatus == 5


def test_changing_an_answer_on_review_changes_the_decision(book: Rulebook) -> None:
    child = spawn()
    answer_until_review(child, book, BASELINE)
    child.send("Sore at the front")  # the review list filters as one types
    child.expect("Sore at the front: No")
    child.send("\r")
    child.expect(r"Changing an answer")
    child.expect(prompt_start(book.question("sore_front")))
    child.send("1\r")  # Yes
    child.expect('Change "Sore at the front" from "No" to "Yes"')
    child.send("1\r")  # Yes, change it
    child.expect("Changed: Sore at the front: No -> Yes")
    child.expect(REVIEW)
    child.expect("Sore at the front: Yes")
    child.send("\r")
    child.expect("SKIP THIS TECHNIQUE")
    assert finish(child) == 3


def test_edit_that_opens_new_questions_asks_them(book: Rulebook) -> None:
    child = spawn()
    answers = BASELINE | {"injury": "none", "sudden_onset": "no"}
    answer_until_review(child, book, answers)
    child.send("What started it")
    child.expect("What started it: No fall")
    child.send("\r")
    child.expect(prompt_start(book.question("injury")))
    child.send(key_for(book, book.question("injury"), "fall"))  # now the injury questions too
    child.expect("Yes, change it")
    child.send("1\r")
    asked = answer_until_review(child, book, BASELINE)
    assert {"days_since_injury", "fall_direction", "head_injury"} <= set(asked)
    child.send("\r")
    child.expect("reverse whiplash")
    assert finish(child) == 0


def test_enter_alone_never_picks_an_answer(book: Rulebook) -> None:
    """A stray Enter must not choose "no fall or accident" (which would skip every injury
    question) or any other answer: nothing is pre-selected."""
    child = spawn()
    child.expect(prompt_start(book.question("age")))
    child.send("70\r")
    child.expect(prompt_start(book.question("injury")))
    child.send("\r")
    child.expect("Nothing is chosen for you")
    child.expect(prompt_start(book.question("injury")))
    child.send(key_for(book, book.question("injury"), "fall"))
    child.expect(prompt_start(book.question("days_since_injury")))
    child.send("1\r")
    # 70 years old, a day after a fall: emergency care, whatever else is answered.
    child.expect("stopped early")
    child.expect("Show my result")
    child.send("\r")
    child.expect("EMERGENCY: get emergency care now")
    assert finish(child) == 5


def test_enter_alone_on_a_yes_no_question_asks_again(book: Rulebook) -> None:
    child = spawn()
    for key in ("age", "injury"):
        question = book.question(key)
        child.expect(prompt_start(question))
        child.send(key_for(book, question, NO_INJURY[key]))
    sudden = book.question("sudden_onset")
    child.expect(prompt_start(sudden))
    child.send("\r")
    child.expect("Nothing is chosen for you")
    child.expect(prompt_start(sudden))
    # Ctrl-C once the list is drawn again (a Ctrl-C in the instant the list starts up was once
    # seen lost under heavy load: a known race, noted for the product owner).
    child.expect(book.answer_label(sudden, "unsure"))
    child.sendcontrol("c")
    assert finish(child) == 130


def test_a_new_headache_after_a_massage_is_urgent_after_the_review(book: Rulebook) -> None:
    child = spawn()
    answers = NO_INJURY | {"new_headache": "yes", "signs_recent": "yes"}
    asked = answer_until_review(child, book, answers)
    assert len(asked) == 20  # no early stop: urgent is not an emergency
    child.expect("A new or different headache: Yes")
    child.send("\r")
    child.expect("URGENT: see a doctor today")
    assert finish(child) == 6


@pytest.mark.parametrize("typed", ["200", "abc", "4.5", "-3", ""])
def test_age_is_checked_as_typed(book: Rulebook, typed: str) -> None:
    child = spawn()
    child.expect(prompt_start(book.question("age")))
    child.send(typed + "\r")
    child.expect("Type a whole number from 0 to 120")
    child.send("\x08" * len(typed) + "40\r")
    child.expect(help_start(book.question("injury")))
    child.sendcontrol("c")
    assert finish(child) == 130


def test_ctrl_c_cancels_and_saves_nothing(book: Rulebook, tmp_path: Path) -> None:
    target = tmp_path / "answers.json"
    child = spawn("--save", str(target))
    child.expect(prompt_start(book.question("age")))
    child.send("40\r")
    child.expect(prompt_start(book.question("injury")))
    child.sendcontrol("c")
    child.expect("cancelled, nothing saved")
    assert finish(child) == 130
    assert "Traceback" not in (child.before or "")
    assert list(tmp_path.iterdir()) == []


def test_save_then_replay_gives_the_same_decision(book: Rulebook, tmp_path: Path) -> None:
    target = tmp_path / "answers.json"
    answers = BASELINE | {"low_back_pain": "unsure", "known_spine_problem": "disc_or_nerve"}
    child = spawn("--save", str(target), "--json")
    answer_until_review(child, book, answers)
    child.send("\r")
    child.expect(pexpect.EOF)
    screen_text = child.before
    child.close()
    assert child.exitstatus == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert saved["answers"] == answers
    assert (saved["neckcheck_saved_interview"], saved["ended_early"]) == (2, False)
    assert saved["rules_version"] == book.version
    interview_decision = json.loads(screen_text[screen_text.index('{\r\n  "outcome"') :]
                                    .split("\r\n}", 1)[0] + "}")  # fmt: skip
    replay = invoke(["screen", "--answers", str(target), "--json"])
    assert replay.returncode == 0
    assert json.loads(replay.stdout) == interview_decision
    assert (interview_decision["outcome"], interview_decision["disposition"]) == oracle(answers)[:2]
    assert {c["id"] for c in interview_decision["cautions"]} == oracle(answers)[2]


def test_report_after_an_interview_that_stopped_early(book: Rulebook, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    child = spawn("--report", str(target))
    answer_until_review(child, book, BASELINE | {"meningitis_signs": "yes"})
    child.close()
    assert child.exitstatus == 5
    text = target.read_text(encoding="utf-8")
    assert "stopped early" in text
    assert "EMERGENCY" in text
    assert "| What started the soreness? | A fall (" in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_unwritable_save_path_is_refused_before_asking(book: Rulebook, tmp_path: Path) -> None:
    child = spawn("--save", str(tmp_path / "missing" / "a.json"))
    child.expect("the folder does not exist")
    assert "--save" in child.before + child.after
    assert finish(child) == 2


@pytest.mark.parametrize("columns", [40])
def test_readable_at_40_columns(book: Rulebook, columns: int) -> None:
    # (On TERM=dumb the interview is the plain one: test_plain.py holds it to 40 columns.)
    command = neckcheck_command()
    env = dict(os.environ, TERM="xterm", NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(command[0], [*command[1:], "screen"], env=env,
                          dimensions=(60, columns), timeout=20, encoding="utf-8")  # fmt: skip
    answer_until_review(child, book, BASELINE | {"injury": "vehicle"})
    child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before)
    result = text[text.index("SKIP THIS TECHNIQUE") :].replace("\r", "")
    too_wide = [line for line in result.splitlines() if len(line) > columns]
    assert too_wide == []


@pytest.mark.parametrize("at", ["age", "injury", "vascular_signs"])
def test_ctrl_d_at_any_prompt_cancels(book: Rulebook, at: str) -> None:
    child = spawn()
    for key in ("age", "injury", "sudden_onset", "chest_symptoms", "vascular_signs"):
        question = book.question(key)
        child.expect(prompt_start(question))
        if key == at:
            child.sendcontrol("d")
            break
        child.send(key_for(book, question, NO_INJURY[key]))
    child.expect("cancelled, nothing saved")
    assert finish(child) == 130


def test_an_early_stop_that_was_saved_replays_to_the_same_emergency(
    book: Rulebook, tmp_path: Path
) -> None:
    target = tmp_path / "answers.json"
    child = spawn("--save", str(target), "--json")
    asked = answer_until_review(child, book, BASELINE | {"meningitis_signs": "yes"})
    assert asked[-1] == "meningitis_signs"
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert saved["ended_early"] is True
    replay = invoke(["screen", "--answers", str(target), "--json"])
    assert replay.returncode == 5, replay.stderr
    assert json.loads(replay.stdout)["reasons"][0]["rule"] == "emergency.meningitis"
    # The marker is no licence: answers that do not make the emergency certain are refused.
    saved["answers"]["meningitis_signs"] = "no"
    target.write_text(json.dumps(saved), encoding="utf-8")
    replay = invoke(["screen", "--answers", str(target), "--json"])
    assert replay.returncode == 2
    assert replay.stdout == ""
    assert "do not make emergency care certain" in replay.stderr


def test_save_and_report_to_one_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "same.json"
    done = invoke(["screen", "--save", str(target), "--report", str(target)], json.dumps(BASELINE))
    assert done.returncode == 2
    assert "same file" in done.stderr
    assert not target.exists()


def echo_and_lines_on(fd: int) -> bool:
    """Whether the terminal behind `fd` echoes and collects whole lines again (read through
    the pty's master, which shares the terminal's settings)."""
    import termios

    local = termios.tcgetattr(fd)[3]
    return bool(local & termios.ECHO) and bool(local & termios.ICANON)


def ended_restored(child: pexpect.spawn) -> int:
    """The exit code, once the program has ended with its terminal as it found it."""
    child.expect(pexpect.EOF)
    assert echo_and_lines_on(child.child_fd)
    return finish(child)


def first_choice_question(book: Rulebook) -> Any:
    return next(q for q in book.questions if q.type != "int" and q.asked_when is None)


@pytest.mark.parametrize("run", range(5))
def test_sigint_from_another_process_while_a_choice_list_is_drawn(book: Rulebook, run: int) -> None:
    """`kill -INT` is not a key: prompt_toolkit turns it into a `<sigint>` key that a choice
    list ignored by default, and the interview went on as if nothing had happened."""
    import signal

    target = first_choice_question(book)
    child = spawn()
    for question in book.questions:
        child.expect(prompt_start(question))
        if question.id == target.id:
            break
        child.send(key_for(book, question, BASELINE[question.id]))
    # The list is drawn once its last answer is on screen.
    child.expect(re.escape(book.answer_label(target, target.allowed_values()[-1])))
    assert not echo_and_lines_on(child.child_fd)  # the list reads single keys
    os.kill(child.pid, signal.SIGINT)
    child.expect("cancelled, nothing saved")
    assert ended_restored(child) == 130
    assert "Traceback" not in (child.before or "")


def test_sigint_from_another_process_on_the_review(book: Rulebook) -> None:
    import signal

    child = spawn()
    answer_until_review(child, book, BASELINE)
    child.expect("These are right")
    os.kill(child.pid, signal.SIGINT)
    child.expect("cancelled, nothing saved")
    assert ended_restored(child) == 130


def test_sudden_upper_back_pain_without_injury_stops_after_three_questions(
    book: Rulebook,
) -> None:
    """SPEC v3: a 46-year-old whose upper-back pain struck while awake, with no injury (a heart
    attack in a published case) is sent to emergency care before any other question."""
    child = spawn()
    asked = answer_until_review(child, book, NO_INJURY | {"age": 46, "sudden_onset": "yes"})
    assert asked == ["age", "injury", "sudden_onset"]
    assert "EMERGENCY: get emergency care now" in child.before
    assert "stopped early" in child.before
    child.close()
    assert child.exitstatus == 5


def test_long_standing_unchanged_dizziness_goes_to_a_clinician(book: Rulebook) -> None:
    """SPEC v3: 13 years of diagnosed, unchanged dizziness at 62 is a clinician's visit, not an
    ambulance: the interview asks how recent the signs are and goes on to the review."""
    child = spawn()
    answers = NO_INJURY | {"age": 62, "vascular_signs": "yes", "signs_recent": "no"}
    asked = answer_until_review(child, book, answers)
    assert asked[asked.index("vascular_signs") :][:3] == [
        "vascular_signs",
        "new_headache",
        "signs_recent",
    ]
    assert len(asked) == 20
    child.send("\r")
    child.expect("SEE A CLINICIAN")
    child.expect(words("have been there for more than four weeks", 7))
    assert finish(child) == 4


def test_esc_while_changing_an_answer_changes_nothing(book: Rulebook) -> None:
    child = spawn()
    answer_until_review(child, book, BASELINE)
    child.send("What started it")  # the review list filters as one types
    child.expect("What started it: A fall")
    child.send("\r")
    child.expect("Changing an answer")
    child.expect(r"Esc\s+goes\s+back\s+without\s+a\s+change")
    child.expect(re.escape(book.answer_label(book.question("injury"), "none")))
    child.send("2")  # moves to the car crash, and nothing more without Enter and a confirmation
    child.send("\x1b")
    child.expect(REVIEW)
    child.expect("What started it: A fall")
    assert "Changed:" not in child.before
    child.send("\r")
    child.expect("TECHNIQUE SUITS YOU")
    assert finish(child) == 0


def test_a_mistyped_answer_is_corrected_after_an_early_stop(book: Rulebook) -> None:
    """70 typed for 40, a day after a fall: the interview stops and says why; the age is
    corrected (the answer chosen, then the new one chosen and confirmed), the corrected
    answers no longer call for emergency care, and the interview goes on to the technique."""
    child = spawn()
    for key in ("age", "injury", "days_since_injury"):
        question = book.question(key)
        child.expect(prompt_start(question))
        child.send(key_for(book, question, 70 if key == "age" else BASELINE[key]))
    child.expect(STOPPED)
    scan = next(r for r in book.red_flags if r.id == "emergency.neck_scan_first_days")
    child.expect(words(scan.reason, 6))
    child.expect("Show my result")
    child.send("Age")
    child.expect("Age: 70")
    child.send("\r")
    child.expect("Changing an answer")
    child.expect(prompt_start(book.question("age")))
    child.send("\x08\x0840\r")
    child.expect('Change "Age" from "70" to "40"')
    child.send("1\r")
    asked = answer_until_review(child, book, BASELINE)
    assert asked[0] == "chest_symptoms"  # the interview goes on where it stopped
    assert re.search(r"Changed:\s+Age:\s+70\s+->\s+40", child.before)  # above the review
    child.send("\r")
    child.expect("TECHNIQUE SUITS YOU")
    assert finish(child) == 0
