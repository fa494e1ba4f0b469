"""The interview: asks the rulebook's questions in order, stops early on an emergency, and ends
with a review screen where any answer can be changed.

The flow talks to a small Prompter interface, so it can be driven by questionary in a terminal or
by a scripted fake in tests. Neither the flow nor the prompter holds clinical logic: the order,
texts and skip logic come from the rules, and the early stop from the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from neckcheck.cli.edge import safe_text
from neckcheck.core.answers import check_value
from neckcheck.core.conditions import Value
from neckcheck.core.engine import certain_emergency
from neckcheck.core.model import Question, Rulebook
from neckcheck.core.progress import Progress, progress

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True, slots=True)
class Step:
    """What the person sees of their progress."""

    section: str
    section_number: int
    sections: int
    number: int
    expected: int
    editing: bool = False
    last_time: str | None = None  # the earlier answer (--since), shown beside the question

    def __str__(self) -> str:
        part = f"Part {self.section_number} of {self.sections}: {self.section}."
        if self.editing:
            return f"{part} Changing an answer."
        return f"{part} Question {self.number} of about {self.expected}."


@dataclass(frozen=True, slots=True)
class ReviewRow:
    key: str
    label: str
    answer: str


class Prompter(Protocol):
    def show(self, text: str) -> None: ...

    def ask(self, question: Question, step: Step, default: Value | None) -> Value: ...

    def review(self, rows: Sequence[ReviewRow]) -> str | None:
        """The key of the answer to change, or None when the person confirms."""
        ...


@dataclass(frozen=True, slots=True)
class InterviewResult:
    answers: dict[str, Value]  # answers to asked questions only
    ended_early: bool  # stopped on an emergency before every question was asked


def _step(
    book: Rulebook,
    question: Question,
    state: Progress,
    editing: bool = False,
    last_time: Mapping[str, str] | None = None,
) -> Step:
    groups = [g.id for g in book.groups if any(q.group == g.id for q in book.questions)]
    answered = sum(1 for q in book.questions if q.id in state.facts and q.id != question.id)
    return Step(
        section=book.group_title(question.group),
        section_number=groups.index(question.group) + 1,
        sections=len(groups),
        number=answered + 1,
        expected=state.expected,
        editing=editing,
        last_time=(last_time or {}).get(question.id),
    )


def run_interview(
    book: Rulebook, prompter: Prompter, last_time: Mapping[str, str] | None = None
) -> InterviewResult:
    """`last_time`: question id -> the earlier answer's hint (neckcheck.formats.since), shown
    beside the question and never pre-selected."""
    given: dict[str, Value] = {}
    prompter.show(book.intro)
    while True:
        state = progress(book, given)
        while state.next_question is not None:
            question = state.next_question
            step = _step(book, question, state, last_time=last_time)
            given[question.id] = prompter.ask(question, step, None)
            if certain_emergency(given, book):
                return InterviewResult(dict(progress(book, given).facts), ended_early=True)
            state = progress(book, given)
        # An edit can make questions skipped: their answers no longer count, so drop them.
        given = dict(state.facts)
        rows = [
            ReviewRow(q.id, q.label, book.answer_label(q, given[q.id]))
            for q in book.questions
            if q.id in given
        ]
        key = prompter.review(rows)
        if key is None:
            return InterviewResult(given, ended_early=False)
        question = next(q for q in book.questions if q.id == key)
        step = _step(book, question, state, True, last_time)
        given[key] = prompter.ask(question, step, given[key])
        if certain_emergency(given, book):
            return InterviewResult(dict(progress(book, given).facts), ended_early=True)


def int_problem(question: Question, text: str) -> str | None:
    """Why typed text is not a valid answer to a number question, or None if it is."""
    stripped = text.strip()
    if not stripped.isdigit():
        return f"Type a whole number from {question.min} to {question.max}."
    try:
        check_value(question, int(stripped))
    except ValueError:
        return f"Type a whole number from {question.min} to {question.max}."
    return None


_CONFIRM = "\x00confirm"  # a value no question id can take
_UNANSWERED = "\x00unanswered"  # nor any answer
_UNANSWERED_TITLE = "(no answer yet: press a number, or use the arrow keys)"
_NOTHING_CHOSEN = (
    "Nothing is chosen for you: press the number of an answer, or move to it, then Enter."
)


_STYLES = {"dim": "\x1b[2m", "italic": "\x1b[3m", "bold": "\x1b[1m"}
_ANSWER = "Your answer:"


def os_isatty(fd: int) -> bool:
    import os

    return os.isatty(fd)


def _styled_terminal(stream: Any) -> bool:
    """Styles (dim, italic, bold: never colour, which would only repeat the words) only on a
    terminal that takes them: not with NO_COLOR set, nor on a dumb terminal."""
    import os

    if os.environ.get("NO_COLOR") or os.environ.get("TERM", "") in ("dumb", "unknown"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def choice_problem(text: str, labels: Sequence[str]) -> int | str:
    """The index of the answer that typed text names, or why it names none. An answer is named
    by its number, by its whole label, or by the start of one label only (case and spacing do
    not matter); an empty line names nothing."""
    typed = " ".join(text.split()).casefold()
    count = len(labels)
    how = f"type a number from 1 to {count}" if count > 1 else "type 1"
    if not typed:
        return f"Nothing is chosen for you: {how}, then press Enter."
    number = typed[:-1] if typed.endswith(".") else typed
    if number.isdigit():  # ASCII digits only: str.isdigit() also takes other scripts' digits
        if number.isascii() and 1 <= int(number) <= count:
            return int(number) - 1
        return f"There is no answer {safe_text(number)}: {how}."
    folded = [" ".join(label.split()).casefold() for label in labels]
    if typed in folded:
        return folded.index(typed)
    starts = [i for i, label in enumerate(folded) if label.startswith(typed)]
    if len(starts) == 1:
        return starts[0]
    if starts:
        which = " or ".join(str(i + 1) for i in starts)
        return f'"{safe_text(text.strip())}" could be answer {which}: type its number.'
    return f'No answer starts with "{safe_text(text.strip())}": {how}.'


_PLAIN_PICK = "Type a number and press Enter:"
_PLAIN_REVIEW = "Check your answers."
_PLAIN_CONFIRM = "These are right: show my result"


class PlainPrompter:
    """Prompts as plain lines, for a dumb terminal, a screen reader or a braille display: the
    question, its help and its numbered answers, each on a line of its own and never wrapped
    or redrawn; an answer is a typed line (its number, or the start of its words). Writes no
    escape sequence and no control character but the newline, and does not touch the
    terminal's settings: the terminal itself echoes and edits the line, and Ctrl-C, Ctrl-D
    and every signal act as on any program that reads lines."""

    def __init__(self, book: Rulebook) -> None:
        import sys

        self.book = book
        self.stream: Any = sys.stdout
        self.source: Any = sys.stdin
        if self.stream is None:  # stdout closed: nothing can be asked, and nothing must vanish
            from neckcheck.cli.edge import OutputLost

            raise OutputLost("standard output is closed")

    def _line(self, text: str = "") -> None:
        self.stream.write(safe_text(text) + "\n")
        self.stream.flush()

    def _read(self, prompt: str) -> str:
        """One typed line, after the prompt (on the same line). End of input is EOFError."""
        self.stream.write(prompt + " ")
        self.stream.flush()
        line = self.source.buffer.readline()
        if not line:  # Ctrl-D, or the terminal went away
            raise EOFError
        return str(line.decode("utf-8", "replace"))

    def show(self, text: str) -> None:
        for part in text.split("\n"):
            self._line(part)

    def _heading(self, question: Question, step: Step) -> None:
        self._line()
        part = f"part {step.section_number} of {step.sections}: {step.section}"
        if step.editing:
            self._line(f"Changing an answer ({part}).")
        else:
            self._line(f"Question {step.number} of about {step.expected} ({part}).")
        self._line(question.prompt)
        if step.last_time:
            self._line(f"({step.last_time})")
        if question.help:
            self._line("Help: " + question.help)

    def ask(self, question: Question, step: Step, default: Value | None) -> Value:
        self._heading(question, step)
        if question.type == "int":
            pick = f"Type a whole number from {question.min} to {question.max} and press Enter:"
            if default is not None:
                self._line(f"Your answer now: {default}. Enter alone keeps it.")
            while True:
                typed = self._read(pick)
                if default is not None and not typed.strip():
                    return default
                problem = int_problem(question, typed)
                if problem is None:
                    return int(typed.strip())
                self._line(problem)
        values = question.allowed_values()
        labels = [self.book.answer_label(question, v) for v in values]
        self._choices(labels)
        if default is not None:
            self._line(f"Your answer now: {self.book.answer_label(question, default)}. "
                       "Enter alone keeps it.")  # fmt: skip
        while True:
            typed = self._read(_PLAIN_PICK)
            if default is not None and not typed.strip():
                return default
            picked = choice_problem(typed, labels)
            if isinstance(picked, int):
                return str(values[picked])
            self._line(picked)
            self._line(question.prompt)
            self._choices(labels)

    def _choices(self, labels: Sequence[str]) -> None:
        for number, label in enumerate(labels, 1):
            self._line(f"{number}. {label}")

    def review(self, rows: Sequence[ReviewRow]) -> str | None:
        labels = [_PLAIN_CONFIRM] + [f"{r.label}: {r.answer}" for r in rows]
        self._line()
        self._line(_PLAIN_REVIEW)
        self._line("Type 1 to see your result, or the number of an answer to change it.")
        self._choices(labels)
        while True:
            typed = self._read(_PLAIN_PICK)
            # An answer can be named by the start of its question's words too.
            picked = choice_problem(typed, [_PLAIN_CONFIRM] + [r.label for r in rows])
            if not isinstance(picked, int):
                again = choice_problem(typed, labels)
                picked = again if isinstance(again, int) else picked
            if isinstance(picked, int):
                return None if picked == 0 else rows[picked - 1].key
            self._line(picked)
            self._line(_PLAIN_REVIEW)
            self._choices(labels)


class QuestionaryPrompter:
    """Prompts in a terminal: the words (progress, help, the question) are written at once as
    plain text wrapped to the terminal's width; the choice list is questionary's. So the first
    question is on screen before the prompt library (the slow part of starting) is loaded.

    `console` is optional and only read for its width (the interview writes to stdout); cli
    may build the prompter as QuestionaryPrompter(book), which imports no rich at all."""

    def __init__(self, book: Rulebook, console: Console | None = None) -> None:
        import sys

        from neckcheck.cli.render import _terminal_size

        self.book = book
        self.stream: Any = sys.stdout
        if self.stream is None:  # stdout closed: nothing can be asked, and nothing must vanish
            from neckcheck.cli.edge import OutputLost

            raise OutputLost("standard output is closed")
        self.width = console.width if console is not None else _terminal_size(self.stream)[0]
        self.styled = _styled_terminal(self.stream)
        self.held = False

    def _line(self, text: str = "", style: str = "") -> None:
        import textwrap

        text = safe_text(text)
        lines = [
            textwrap.fill(part, width=self.width, break_on_hyphens=False) if part else ""
            for part in text.split("\n")
        ]
        shown = "\n".join(lines)
        if style and self.styled and shown:
            shown = f"{_STYLES[style]}{shown}\x1b[0m"
        self.stream.write(shown + "\n")
        self.stream.flush()

    def show(self, text: str) -> None:
        self._line(text)

    def _hold_keys(self) -> None:
        """From the first question on, keys typed before a choice list is up (while the prompt
        library loads) wait for it as they are: the terminal stops collecting whole lines,
        where Ctrl-D would be swallowed as end-of-line. Ctrl-C still interrupts at once. The
        terminal's own settings are put back when the program ends."""
        if self.held:
            return
        self.held = True
        import sys

        try:
            import atexit
            import termios

            fd = sys.stdin.fileno()
            if not os_isatty(fd):
                return
            before = termios.tcgetattr(fd)
            held = termios.tcgetattr(fd)
            held[3] &= ~(termios.ICANON | termios.ECHO)
            held[6][termios.VMIN] = 1
            held[6][termios.VTIME] = 0
            termios.tcsetattr(fd, termios.TCSANOW, held)
        except (ImportError, AttributeError, ValueError, OSError):
            return

        def put_back() -> None:
            import contextlib

            with contextlib.suppress(OSError, ValueError):
                termios.tcsetattr(fd, termios.TCSANOW, before)

        def put_back_and_die(signum: int, frame: object) -> None:
            # Ctrl-\ or a hang-up ends the program without running atexit: put the terminal
            # back first, then end as that signal would have.
            import os
            import signal

            put_back()
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        atexit.register(put_back)
        import signal

        for signum in (signal.SIGQUIT, signal.SIGHUP):
            signal.signal(signum, put_back_and_die)

    def ask(self, question: Question, step: Step, default: Value | None) -> Value:
        self._hold_keys()
        self._line()
        self._line(str(step), "dim")
        self._line("Help: " + question.help, "italic")
        self._line(question.prompt, "bold")
        if step.last_time:
            self._line(f"({step.last_time})", "dim")
        import questionary  # loaded while the person reads the question

        if question.type == "int":
            typed = _ask(
                questionary.text(
                    _ANSWER,
                    default="" if default is None else str(default),
                    validate=lambda text: int_problem(question, text) or True,
                    validate_while_typing=True,
                )
            )
            return int(str(typed).strip())
        values = question.allowed_values()
        choices: list[Any] = [
            questionary.Choice(title=safe_text(self.book.answer_label(question, v)), value=v)
            for v in values
        ]
        if default is not None:  # changing an answer: the person's own answer is the start
            picked: Any = _ask(
                questionary.select(
                    _ANSWER, choices=choices, default=str(default), use_shortcuts=True
                )
            )
            return str(picked)
        # Nothing is pre-selected: the pointer starts on a line that is no answer, so a stray
        # Enter chooses nothing (it could otherwise pick "no accident" and skip the red flags).
        unanswered = questionary.Choice(title=_UNANSWERED_TITLE, value=_UNANSWERED,
                                        shortcut_key=False)  # fmt: skip
        while True:
            picked = _ask(
                questionary.select(_ANSWER, choices=[unanswered, *choices], use_shortcuts=True)
            )
            if picked != _UNANSWERED:
                return str(picked)
            self._line(_NOTHING_CHOSEN, "bold")
            self._line(question.prompt, "bold")

    def _wrap(self, text: str) -> str:
        # prompt_toolkit breaks long lines mid-word; wrap at word boundaries ourselves, leaving
        # room for the "? " mark and the widget's own hint.
        import textwrap

        return textwrap.fill(text, width=max(20, self.width - 4))

    def review(self, rows: Sequence[ReviewRow]) -> str | None:
        import questionary

        self._line()
        choices: list[Any] = [
            questionary.Choice(title="These are right: show my result", value=_CONFIRM),
            questionary.Separator(),
        ]
        choices += [
            questionary.Choice(title=safe_text(f"{r.label}: {r.answer}"), value=r.key) for r in rows
        ]
        picked = _ask(
            questionary.select(
                self._wrap("Check your answers. Confirm, or pick one to change (type to search):"),
                choices=choices,
                default=_CONFIRM,
                use_search_filter=True,
                use_jk_keys=False,
            )
        )
        return None if picked == _CONFIRM else str(picked)


def _ask(question: Any) -> Any:
    """Ask, with Ctrl-D ending the interview at every prompt (as Ctrl-C does): prompt_toolkit's
    choice lists would otherwise ignore it.

    A SIGINT sent by another process (`kill -INT`) ends it too. While a prompt runs,
    prompt_toolkit takes SIGINT into its event loop and turns it into a `<sigint>` key, which
    its text prompt binds but a questionary choice list does not: the default binding ignores
    it, and the interview went on as if nothing had happened. Bound here, it is a Ctrl-C."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    bindings = KeyBindings()

    @bindings.add("c-d", eager=True)
    def _end(event: Any) -> None:
        event.app.exit(exception=EOFError(), style="class:aborting")

    @bindings.add("<sigint>", eager=True)
    def _interrupted(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt(), style="class:aborting")

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), bindings])
    return question.unsafe_ask()
