"""The plain interview (`neckcheck screen --plain`, and any interview on TERM=dumb): the real
command in a pseudo-terminal, answers typed as numbers or words, and every byte it writes read
back. It must write no escape sequence and no control character but CR, LF and tab, from the
first question to the result, and reach the same decisions as the drawn interview."""

from __future__ import annotations

import io
import json
import os
import re
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest

from neckcheck.cli.interview import offers
from neckcheck.core.model import Question, Rulebook
from tests.cli import invoke, neckcheck_command
from tests.spec import BASELINE, NO_INJURY

# One worker runs every pseudo-terminal and browser test, one after another (pyproject.toml).
# The terminal tier: a real interview in a pseudo-terminal, one after another on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("terminal")]

REVIEW = b"Check your answers."
STOPPED = b"The interview stopped early: your answers call"
PICK = b"Type a number and press Enter: "
# Every C0 control but tab, LF and CR, and DEL: none may be written, whatever is typed.
CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def spawn(*args: str, term: str = "dumb", columns: int = 100) -> pexpect.spawn:
    command = neckcheck_command()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env["TERM"] = term
    child = pexpect.spawn(command[0], [*command[1:], "screen", *args], env=env,
                          dimensions=(40, columns), timeout=20)  # fmt: skip
    child.logfile_read = io.BytesIO()  # every byte the program (and the terminal's echo) wrote
    return child


def written(child: pexpect.spawn) -> bytes:
    log = child.logfile_read
    assert isinstance(log, io.BytesIO)
    return log.getvalue()


def finish(child: pexpect.spawn) -> int:
    """The exit code, once every byte written has been checked to be plain text."""
    child.expect(pexpect.EOF)
    child.close()
    assert_plain(written(child))
    return int(child.exitstatus if child.exitstatus is not None else -1)


def assert_plain(data: bytes) -> None:
    assert b"\x1b" not in data
    assert CONTROLS.findall(data) == []
    assert b"Traceback" not in data


def line(text: str) -> bytes:
    """A pattern for one whole line of the plain interview (never wrapped)."""
    return re.escape(b"\r\n" + text.encode("utf-8") + b"\r\n")


def answer(question: Question, answers: dict[str, Any]) -> Any:
    if question.id in answers:
        return answers[question.id]
    assert question.type == "tri", f"no answer for {question.id} in the test's answers"
    return "no"  # a question added after these tests were written: the calm answer


def typed(book: Rulebook, question: Question, value: Any, words: bool = False) -> list[bytes]:
    """The lines that give this answer: its number (or with `words` its words); for a kind of
    yes (a known spine problem), Yes first and then the kind."""
    if question.type == "int":
        return [str(value).encode()]
    first, kinds = offers(book, question)
    if value in first.values:
        offer, lines = first, []
    else:
        assert kinds is not None
        offer, lines = kinds, [b"Yes" if words else b"1"]
    index = offer.values.index(value)
    lines.append(offer.labels[index].encode() if words else str(index + 1).encode())
    return lines


def number(book: Rulebook, question: Question, value: Any) -> bytes:
    (only,) = typed(book, question, value)
    return only


def answer_until_review(
    child: pexpect.spawn, book: Rulebook, answers: dict[str, Any], words: bool = False
) -> list[str]:
    """Answer each question the screen shows (by its number, or with `words` by its label);
    return the ids asked, in order, once the review or the end has come."""
    questions = list(book.questions)
    patterns = [line(q.prompt) for q in questions] + [REVIEW, STOPPED, pexpect.EOF]
    asked: list[str] = []
    while True:
        index = child.expect(patterns)
        if index == len(questions) + 1:  # an early stop: show the result
            child.expect(PICK)
            child.send(b"1\r")
            continue
        if index >= len(questions):
            return asked
        question = questions[index]
        asked.append(question.id)
        for text in typed(book, question, answer(question, answers), words):
            child.expect(b"and press Enter: ")
            child.send(text + b"\r")


def review_number(child: pexpect.spawn, label: str) -> bytes:
    """The number the review gives the answer to the question labelled `label`."""
    child.expect(rb"\r\n(\d+)\. " + re.escape(label.encode()) + b": ")
    return bytes(child.match.group(1))


def test_a_whole_interview_by_numbers_reaches_the_technique(book: Rulebook) -> None:
    child = spawn()
    child.expect(b"starting with the signs that need")  # the intro
    child.expect(rb"\r\nQuestion 1 of at most 27 \(part 1 of \d+: ")
    asked = answer_until_review(child, book, BASELINE)
    skipped = ("sudden_onset", "signs_recent", "neuro_onset")
    assert asked == [q.id for q in book.questions if q.id not in skipped]
    child.expect(PICK)
    child.send(b"1\r")  # these are right
    child.expect(b"TECHNIQUE SUITS YOU")
    child.expect(b"Cautions")
    assert finish(child) == 0
    text = written(child)
    # Each question: where it is in the interview, the question, its help, the numbered
    # answers, each on its own line, then a short prompt.
    injury = book.question("injury")
    assert injury is not None
    shown = "\r\n".join(
        [injury.prompt, "Help: " + injury.help]
        + [f"{n}. {book.answer_label(injury, v)}" for n, v in enumerate(injury.allowed_values(), 1)]
    )
    assert shown.encode() + b"\r\n" + PICK in text
    assert re.search(rb"\r\nQuestion 2 of at most \d+ \(part 1 of \d+: [^\r\n]+\)\.\r\n", text)


def test_an_emergency_answer_stops_at_once(book: Rulebook) -> None:
    child = spawn()
    asked = answer_until_review(child, book, BASELINE | {"vascular_signs": "unsure"})
    assert asked[-1] == "vascular_signs"
    assert finish(child) == 5
    text = written(child)
    assert b"stopped early" in text
    assert b"EMERGENCY: get emergency care now" in text
    assert REVIEW not in text


def test_changing_an_answer_on_the_review(book: Rulebook) -> None:
    sore_front = book.question("sore_front")
    assert sore_front is not None
    child = spawn()
    answer_until_review(child, book, BASELINE)
    row = review_number(child, sore_front.label)
    child.expect(PICK)
    child.send(row + b"\r")
    child.expect(b"Changing an answer")
    child.expect(line(sore_front.prompt))
    child.expect(b"Your answer now: No. Enter alone goes back without a change.")
    child.expect(PICK)
    child.send(b"y\r")  # y is Yes
    child.expect(line("\u2192 Yes"))  # the answer taken, said back
    child.expect(b'Change "Sore at the front" from "No" to "Yes"?')
    child.expect(PICK)
    child.send(b"1\r")
    child.expect(line("Changed: Sore at the front: No -> Yes"))
    child.expect(REVIEW)
    child.expect(re.escape(f"{row.decode()}. {sore_front.label}: Yes".encode()))
    child.expect(PICK)
    child.send(b"1\r")
    child.expect(b"SKIP THIS TECHNIQUE")
    assert finish(child) == 3


def test_enter_alone_asks_again_and_an_invalid_answer_says_why(book: Rulebook) -> None:
    age, injury = book.questions[0], book.question("injury")
    assert age.type == "int"
    assert injury is not None
    child = spawn()
    child.expect(line(age.prompt))
    child.expect(b"and press Enter: ")
    child.send(b"\r")
    child.expect(f"Type a whole number from {age.min} to {age.max}.".encode())
    child.send(b"40\r")
    child.expect(line(injury.prompt))
    count = len(injury.allowed_values())
    for typed, why in (
        (b"", f"Nothing is chosen for you: type a number from 1 to {count}"),
        (b"   ", f"Nothing is chosen for you: type a number from 1 to {count}"),
        (b"0", f"There is no answer 0: type a number from 1 to {count}."),
        (b"99", f"There is no answer 99: type a number from 1 to {count}."),
        (b"zebra", 'No answer starts with "zebra"'),
    ):
        child.expect(PICK)
        child.send(typed + b"\r")
        child.expect(why.encode())
        child.expect(line(injury.prompt))  # asked again, with the answers
        child.expect(re.escape(b"1. "))
    child.expect(PICK)
    child.send(number(book, injury, "none") + b"\r")
    asked = answer_until_review(child, book, NO_INJURY)
    assert "days_since_injury" not in asked
    child.expect(PICK)
    child.send(b"\r")  # the review too: Enter alone shows no result
    child.expect(b"Nothing is chosen for you")
    child.expect(REVIEW)
    child.expect(PICK)
    child.send(b"1\r")
    child.expect(b"a sore or stiff neck with no recent injury")
    assert finish(child) == 0


def test_answers_typed_as_words(book: Rulebook) -> None:
    child = spawn()
    child.expect(line(book.questions[0].prompt))
    child.expect(b"and press Enter: ")
    child.send(b"40\r")
    injury = book.question("injury")
    assert injury is not None
    child.expect(line(injury.prompt))
    child.expect(PICK)
    child.send(b"  a   FALL \r")  # the start of a label, any case and spacing
    answer_until_review(child, book, BASELINE | {"injury": "fall"}, words=True)
    child.expect(PICK)
    child.send(b"these are\r")
    child.expect(b"TECHNIQUE SUITS YOU")
    assert finish(child) == 0
    assert b"What started it: A fall (" in written(child)


def test_a_word_that_starts_two_answers_is_refused_and_y_n_are_yes_no(book: Rulebook) -> None:
    child = until_asked(book, lambda question: question.id == "injury")
    child.send(b"a\r")  # A fall, A car crash, A sports injury, Another kind
    child.expect(b'"a" could be answer 1 or 2 or 3 or 4: type its number.')
    child.expect(PICK)
    child.send(b"5\r")  # no fall or accident
    child.expect(line("\u2192 " + book.answer_label(book.question_read("injury"), "none")))
    child.expect(PICK)
    child.send(b"n\r")  # No, though it starts "Not sure" too
    child.expect(line("\u2192 No"))
    child.expect(rb"\r\nQuestion \d+ of at most")
    child.expect(PICK)
    child.send(b"Y\r")  # chest pressure: Yes, an emergency
    child.expect(line("\u2192 Yes"))
    child.expect(STOPPED)
    child.sendcontrol("d")
    child.expect(b"cancelled, nothing saved")
    assert finish(child) == 130


def test_plain_on_a_colour_terminal_is_as_plain(book: Rulebook) -> None:
    child = spawn("--plain", term="xterm-256color")
    answer_until_review(child, book, BASELINE | {"injury": "vehicle"})
    child.expect(PICK)
    child.send(b"1\r")
    child.expect(b"SKIP THIS TECHNIQUE")
    assert finish(child) == 3


def test_the_result_fits_40_columns(book: Rulebook) -> None:
    child = spawn(columns=40)
    answer_until_review(child, book, BASELINE | {"injury": "vehicle"})
    child.expect(PICK)
    child.send(b"1\r")
    assert finish(child) == 3
    text = written(child).decode()
    result = text[text.index("SKIP THIS TECHNIQUE") :].replace("\r", "")
    assert [row for row in result.splitlines() if len(row) > 40] == []
    assert [row for row in result.splitlines() if row.endswith(" ")] == []  # no padding


def test_save_then_replay_gives_the_same_decision(book: Rulebook, tmp_path: Path) -> None:
    target = tmp_path / "answers.json"
    answers = BASELINE | {"low_back_pain": "unsure", "known_spine_problem": "disc_or_nerve"}
    child = spawn("--save", str(target), "--json")
    answer_until_review(child, book, answers)
    child.expect(PICK)
    child.send(b"1\r")
    assert finish(child) == 0
    text = written(child).decode()
    shown = json.loads(text[text.index('{\r\n  "outcome"') :].split("\r\n}", 1)[0] + "}")
    assert json.loads(target.read_text(encoding="utf-8"))["answers"] == answers
    replay = invoke(["screen", "--answers", str(target), "--json"])
    assert replay.returncode == 0
    assert json.loads(replay.stdout) == shown


def until_asked(book: Rulebook, wanted: Callable[[Question], bool], *args: str) -> pexpect.spawn:
    """The interview answered from BASELINE up to the first question that is `wanted`, which
    waits for its answer."""
    child = spawn(*args)
    questions = list(book.questions)
    patterns = [line(q.prompt) for q in questions]
    while True:
        question = questions[child.expect(patterns)]
        child.expect(b"and press Enter: ")
        if wanted(question):
            return child
        child.send(number(book, question, answer(question, BASELINE)) + b"\r")


def at_a_choice_list(book: Rulebook, *args: str) -> pexpect.spawn:
    return until_asked(book, lambda question: question.type != "int", *args)


@pytest.mark.parametrize(
    ("how", "code", "said"),
    [
        ("ctrl-c", 130, b"cancelled, nothing saved"),
        ("ctrl-d", 130, b"cancelled, nothing saved"),
        ("sigint", 130, b"cancelled, nothing saved"),
        ("sigterm", 143, b"stopped (SIGTERM), nothing saved"),
    ],
)
def test_interrupted(book: Rulebook, tmp_path: Path, how: str, code: int, said: bytes) -> None:
    target = tmp_path / "answers.json"
    child = at_a_choice_list(book, "--save", str(target))
    if how == "ctrl-c":
        child.sendcontrol("c")
    elif how == "ctrl-d":
        child.sendcontrol("d")
    else:
        os.kill(child.pid, signal.SIGINT if how == "sigint" else signal.SIGTERM)
    child.expect(re.escape(said))
    assert finish(child) == code
    assert not target.exists()


def test_hang_up_ends_it_and_saves_nothing(book: Rulebook, tmp_path: Path) -> None:
    target = tmp_path / "answers.json"
    child = at_a_choice_list(book, "--save", str(target))
    os.kill(child.pid, signal.SIGHUP)  # the terminal went away: nobody is left to read
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGHUP
    assert_plain(written(child))
    assert not target.exists()
