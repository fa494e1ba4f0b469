"""The drawn interview as a person sees it, at 40, 60, 80 and 120 columns: the real command in a
pseudo-terminal of that size, its output read through a terminal emulator (pyte). Every
question, help line, answer, review row and reason is on the screen whole (wrapped, never cut),
and a list taller than the window shows that more lies above or below. Every wait is on what
the screen shows."""

from __future__ import annotations

import os
from typing import Any

import pexpect
import pyte
import pytest

from neckcheck.api import screen
from neckcheck.cli.interview import offers
from neckcheck.core.model import Rulebook
from tests.cli import neckcheck_command
from tests.spec import NO_INJURY
from tests.test_interview_flow import ScriptedPrompter, run_interview, typed_for

# One worker runs every pseudo-terminal and browser test, one after another (pyproject.toml).
# The terminal tier: a real interview in a pseudo-terminal, one after another on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("terminal")]

MORE = "\u2191\u2193"  # the arrows in a list's margin


def flat(text: str) -> str:
    """Text as words: wrapping and indentation (and the margin's arrows) play no part."""
    return " ".join(text.translate({ord(c): " " for c in MORE}).split())


class Terminal:
    """The command in a pseudo-terminal of a given size, and the screen a person sees."""

    def __init__(self, columns: int, rows: int) -> None:
        command = neckcheck_command()
        env = dict(os.environ, TERM="xterm", NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1")
        self.screen = pyte.HistoryScreen(columns, rows, history=5000)
        self.stream = pyte.Stream(self.screen)
        self.child = pexpect.spawn(
            command[0],
            [*command[1:], "screen"],
            env=env,
            dimensions=(rows, columns),
            timeout=20,
            encoding="utf-8",
        )

    def display(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def everything(self) -> str:
        """What scrolled off the top, then the screen."""
        gone = [
            "".join(line[x].data for x in range(self.screen.columns)).rstrip()
            for line in self.screen.history.top
        ]
        return "\n".join([*gone, self.display()])

    def wait_for(self, *texts: str, whole: bool = False) -> None:
        """Read the program's output until the screen (or, `whole`, all written) shows every
        one of `texts` as words."""
        wanted = [flat(t) for t in texts]
        while True:
            shown = flat(self.everything() if whole else self.display())
            if all(w in shown for w in wanted):
                return
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=20))
            except (pexpect.TIMEOUT, pexpect.EOF) as gone:
                missing = [w for w in wanted if w not in shown]
                raise AssertionError(f"not on screen: {missing}\n{self.display()}") from gone

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def close(self) -> int:
        self.child.expect(pexpect.EOF)
        self.stream.feed(self.child.before or "")
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)


def answer_words(book: Rulebook, question: Any) -> list[str]:
    first, _ = offers(book, question)
    numbered = [f"{n}) {label}" for n, label in enumerate(first.labels, 1)]
    return numbered if question.type != "int" else []


@pytest.mark.parametrize("columns", [40, 60, 80, 120])
def test_every_word_is_on_screen_at_any_width(book: Rulebook, columns: int) -> None:
    answers = NO_INJURY
    scripted = ScriptedPrompter(answers)
    run_interview(book, scripted)
    term = Terminal(columns, 50)
    for key in scripted.asked:
        question = book.question_read(key)
        # The question, its help and each numbered answer, whole, before it is answered.
        term.wait_for(question.prompt, "Help: " + question.help, *answer_words(book, question))
        for line in typed_for(book, question, answers[key]):
            term.send(line + "\r")
    rows = [f"{r.label}: {r.answer}" for r in scripted.reviews[0]]
    term.wait_for("These are right: show my result")
    # Each review row is on screen whole while the pointer is on it.
    for row in rows:
        term.send("\x1b[B")  # Down
        term.wait_for(row)
    term.send("\x1b[B")  # past the last row, back to the top
    term.send("\r")
    decision = screen(answers, book)
    texts = [r.text for r in decision.reasons] + list(decision.steps) + [decision.disclaimer]
    assert term.close() == decision.exit_code
    term.wait_for(*texts, whole=True)


def test_a_list_taller_than_the_window_shows_more_above_and_below(book: Rulebook) -> None:
    term = Terminal(40, 12)
    injury = book.question_read("injury")
    term.wait_for(book.question_read("age").prompt)
    term.send("40\r")
    last = answer_words(book, injury)[-1]
    term.wait_for(answer_words(book, injury)[0])
    assert "\u2193" in term.display()
    assert "\u2191" not in term.display()
    assert flat(last) not in flat(term.display())  # below the window
    for _ in answer_words(book, injury):
        term.send("\x1b[B")
    term.wait_for(last)
    assert "\u2191" in term.display()  # the first answers are now above the window
    term.send("\x03")
    assert term.close() == 130
