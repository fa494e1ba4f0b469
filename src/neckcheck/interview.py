"""The interview: asks the rulebook's questions in order, stops early on an emergency, and ends
with a review screen where any answer can be changed.

The flow talks to a small Prompter interface, so it can be driven by questionary in a terminal or
by a scripted fake in tests. Neither the flow nor the prompter holds clinical logic: the order,
texts and skip logic come from the rules, and the early stop from the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from neckcheck.answers import Progress, check_value, progress
from neckcheck.conditions import Value
from neckcheck.edge import safe_text
from neckcheck.engine import certain_emergency
from neckcheck.model import Question, Rulebook

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class Step:
    """What the person sees of their progress."""

    section: str
    section_number: int
    sections: int
    number: int
    expected: int
    editing: bool = False

    def __str__(self) -> str:
        part = f"Part {self.section_number} of {self.sections}: {self.section}."
        if self.editing:
            return f"{part} Changing an answer."
        return f"{part} Question {self.number} of about {self.expected}."


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class InterviewResult:
    answers: dict[str, Value]  # answers to asked questions only
    ended_early: bool  # stopped on an emergency before every question was asked


def _step(book: Rulebook, question: Question, state: Progress, editing: bool = False) -> Step:
    groups = [g.id for g in book.groups if any(q.group == g.id for q in book.questions)]
    answered = sum(1 for q in book.questions if q.id in state.facts and q.id != question.id)
    return Step(
        section=book.group_title(question.group),
        section_number=groups.index(question.group) + 1,
        sections=len(groups),
        number=answered + 1,
        expected=state.expected,
        editing=editing,
    )


def run_interview(book: Rulebook, prompter: Prompter) -> InterviewResult:
    given: dict[str, Value] = {}
    prompter.show(book.intro)
    while True:
        state = progress(book, given)
        while state.next_question is not None:
            question = state.next_question
            given[question.id] = prompter.ask(question, _step(book, question, state), None)
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
        given[key] = prompter.ask(question, _step(book, question, state, True), given[key])
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


class QuestionaryPrompter:
    """Prompts in a terminal with questionary; help and progress printed with rich."""

    def __init__(self, book: Rulebook, console: Console) -> None:
        self.book = book
        self.console = console

    def show(self, text: str) -> None:
        from rich.text import Text

        self.console.print(Text(safe_text(text)))

    def ask(self, question: Question, step: Step, default: Value | None) -> Value:
        import questionary
        from rich.text import Text

        self.console.print()
        self.console.print(Text(str(step), style="dim"))
        self.console.print(Text(safe_text("Help: " + question.help), style="italic"))
        message = self._wrap(safe_text(question.prompt))
        if question.type == "int":
            typed = _ask(
                questionary.text(
                    message,
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
                    message, choices=choices, default=str(default), use_shortcuts=True
                )
            )
            return str(picked)
        # Nothing is pre-selected: the pointer starts on a line that is no answer, so a stray
        # Enter chooses nothing (it could otherwise pick "no accident" and skip the red flags).
        unanswered = questionary.Choice(title=_UNANSWERED_TITLE, value=_UNANSWERED,
                                        shortcut_key=False)  # fmt: skip
        while True:
            picked = _ask(
                questionary.select(message, choices=[unanswered, *choices], use_shortcuts=True)
            )
            if picked != _UNANSWERED:
                return str(picked)
            self.console.print(Text(_NOTHING_CHOSEN, style="bold"))

    def _wrap(self, text: str) -> str:
        # prompt_toolkit breaks long lines mid-word; wrap at word boundaries ourselves, leaving
        # room for the "? " mark and the widget's own hint.
        import textwrap

        return textwrap.fill(text, width=max(20, self.console.width - 4))

    def review(self, rows: Sequence[ReviewRow]) -> str | None:
        import questionary

        self.console.print()
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
    choice lists would otherwise ignore it."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    bindings = KeyBindings()

    @bindings.add("c-d", eager=True)
    def _end(event: Any) -> None:
        event.app.exit(exception=EOFError(), style="class:aborting")

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), bindings])
    return question.unsafe_ask()
