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
from neckcheck.core.engine import certain_emergency, decide_partial
from neckcheck.core.model import Question, Rulebook
from neckcheck.core.progress import most_questions, progress, visible_groups

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True, slots=True)
class Step:
    """What the person sees of their progress."""

    section: str
    section_number: int
    sections: int
    number: int
    most: int  # the most questions this person can be asked in all
    editing: bool = False
    last_time: str | None = None  # the earlier answer (--since), shown beside the question

    def __str__(self) -> str:
        part = f"Part {self.section_number} of {self.sections}: {self.section}."
        if self.editing:
            return f"{part} Changing an answer."
        return f"{part} Question {self.number} of at most {self.most}."


@dataclass(frozen=True, slots=True)
class ReviewRow:
    key: str
    label: str
    answer: str


class Prompter(Protocol):
    def show(self, text: str) -> None: ...

    def ask(self, question: Question, step: Step, current: Value | None) -> Value | None:
        """The answer chosen. When an answer is being changed (`current` is the one given),
        None means the person went back without a change; a new question always gets an
        answer."""
        ...

    def confirm_change(self, question: Question, old: str, new: str) -> bool:
        """Whether the person confirms changing the answer `old` to `new` (both in words)."""
        ...

    def review(self, rows: Sequence[ReviewRow], changed: str | None) -> str | None:
        """The key of the answer to change, or None when the person confirms. `changed` says
        what the last change was, in words."""
        ...

    def stopped(self, why: Sequence[str], rows: Sequence[ReviewRow]) -> str | None:
        """After an early stop: says why, then the key of an answer to correct, or None to see
        the result."""
        ...


@dataclass(frozen=True, slots=True)
class InterviewResult:
    answers: dict[str, Value]  # answers to asked questions only
    ended_early: bool  # stopped on an emergency before every question was asked


def _step(
    book: Rulebook,
    question: Question,
    given: dict[str, Value],
    editing: bool,
    last_time: Mapping[str, str] | None = None,
) -> Step:
    state = progress(book, given)
    groups = visible_groups(book, state)
    if question.group not in groups:  # changing an answer the others have since made moot
        groups = tuple(g.id for g in book.groups if g.id in (*groups, question.group))
    answered = sum(1 for q in book.questions if q.id in state.facts and q.id != question.id)
    return Step(
        section=book.group_title(question.group),
        section_number=groups.index(question.group) + 1,
        sections=len(groups),
        number=answered + 1,
        most=most_questions(book, {k: v for k, v in given.items() if k != question.id}),
        editing=editing,
        last_time=(last_time or {}).get(question.id),
    )


def _rows(book: Rulebook, given: dict[str, Value]) -> list[ReviewRow]:
    return [
        ReviewRow(q.id, q.label, book.answer_label(q, given[q.id]))
        for q in book.questions
        if q.id in given
    ]


def _emergency_reasons(book: Rulebook, given: dict[str, Value]) -> list[str]:
    decision = decide_partial(given, book)
    return [r.text for r in decision.reasons if r.disposition == "emergency"]


def run_interview(
    book: Rulebook, prompter: Prompter, last_time: Mapping[str, str] | None = None
) -> InterviewResult:
    """Ask until every asked question is answered or emergency care is certain; then the
    review (or, after an early stop, why it stopped), where an answer is changed only by
    choosing it, choosing a new one and confirming. The engine decides again after every
    change: an emergency stands unless the corrected answers no longer call for it.
    `last_time`: question id -> the earlier answer's hint (neckcheck.formats.since, --since),
    shown beside the question and never pre-selected."""
    given: dict[str, Value] = {}
    changed: str | None = None
    prompter.show(book.intro)
    while True:
        state = progress(book, given)
        while state.next_question is not None and not certain_emergency(given, book):
            question = state.next_question
            answer = None
            while answer is None:  # a new question is only ever left with an answer
                step = _step(book, question, given, False, last_time)
                answer = prompter.ask(question, step, None)
            given[question.id] = answer
            state = progress(book, given)
        # An edit can make questions skipped: their answers no longer count, so drop them.
        given = dict(state.facts)
        early = state.next_question is not None
        if early:
            key = prompter.stopped(_emergency_reasons(book, given), _rows(book, given))
        else:
            key = prompter.review(_rows(book, given), changed)
        if key is None:
            return InterviewResult(given, ended_early=early)
        changed = _change(book, prompter, given, key)


def _change(book: Rulebook, prompter: Prompter, given: dict[str, Value], key: str) -> str | None:
    """Change one answer in two deliberate steps: the new answer, then its confirmation. What
    changed, in words, or None when nothing did."""
    question = book.question_read(key)
    old = given[key]
    new = prompter.ask(question, _step(book, question, given, True), old)
    if new is None or new == old:
        return None
    old_words, new_words = book.answer_label(question, old), book.answer_label(question, new)
    if not prompter.confirm_change(question, old_words, new_words):
        return None
    given[key] = new
    return f"{question.label}: {old_words} -> {new_words}"


@dataclass(frozen=True, slots=True)
class Offer:
    """One list of answers as the person sees it: values and their words, in order."""

    values: tuple[str, ...]
    labels: tuple[str, ...]


_YES = "\x00yes"  # "Yes" to a yes/no question that then asks which (no answer value is this)


def offers(book: Rulebook, question: Question) -> tuple[Offer, Offer | None]:
    """The answers to offer, numbered as they stand. Yes, No and Not sure keep the numbers 1, 2
    and 3 in every question that has them: a question whose answers include "No" besides
    several kinds of yes (a known spine problem) is asked as Yes / No / Not sure first, and
    after a Yes, which one (the second offer)."""
    values = question.allowed_values()
    labels = tuple(book.answer_label(question, v) for v in values)
    if question.type == "tri":
        return Offer(values, labels), None
    words = {label.casefold(): value for value, label in zip(values, labels, strict=True)}
    no = words.get(book.tri_labels.get("no", "No").casefold())
    unsure_label = book.tri_labels.get("unsure", "Not sure")
    unsure = words.get(unsure_label.casefold())
    kinds = [(v, w) for v, w in zip(values, labels, strict=True) if v not in (no, unsure)]
    if no is None or len(kinds) < 2:
        return Offer(values, labels), None
    first = [(_YES, book.tri_labels.get("yes", "Yes")), (no, book.answer_label(question, no))]
    if unsure is not None:
        first.append((unsure, unsure_label))
        kinds.append((unsure, unsure_label))
    return (
        Offer(tuple(v for v, _ in first), tuple(w for _, w in first)),
        Offer(tuple(v for v, _ in kinds), tuple(w for _, w in kinds)),
    )


def which_one(question: Question) -> str:
    """The follow-up after a Yes to a yes/no question with several kinds of yes."""
    return f"{question.label}: which one?"


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
_HOW = "(a number, then Enter)"  # short: "? Your answer: " and this fit 40 columns


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
    # "y" and "n" are Yes and No, though "n" also starts "Not sure".
    short = {"y": "yes", "n": "no"}.get(typed)
    if short in folded:
        return folded.index(short)
    starts = [i for i, label in enumerate(folded) if label.startswith(typed)]
    if len(starts) == 1:
        return starts[0]
    if starts:
        which = " or ".join(str(i + 1) for i in starts)
        return f'"{safe_text(text.strip())}" could be answer {which}: type its number.'
    return f'No answer starts with "{safe_text(text.strip())}": {how}.'


_PLAIN_PICK = "Type a number and press Enter:"
_PLAIN_REVIEW = "Check your answers."
_SHOW_RESULT = "These are right: show my result"
_SHOW_EMERGENCY = "Show my result: emergency care now"
_STOPPED = "The interview stopped early: your answers call for emergency care now."
_CORRECT = (
    "If you mistyped an answer, pick it to correct it; the result stays emergency care unless "
    "the corrected answers no longer call for it."
)
_YES_CHANGE = "Yes, change it"


def _keep(old: str) -> str:
    return f"No, keep {old}"


def _change_question(question: Question, old: str, new: str) -> str:
    return f'Change "{question.label}" from "{old}" to "{new}"?'


class PlainPrompter:
    """Prompts as plain lines, for a dumb terminal, a screen reader or a braille display: the
    question, its help and its numbered answers, each on a line of its own and never wrapped
    or redrawn; an answer is a typed line (its number, or the start of its words; y and n for
    Yes and No), and the answer taken is said back ("→ No"). Writes no escape sequence and no
    control character but the newline, and does not touch the terminal's settings: the
    terminal itself echoes and edits the line, and Ctrl-C, Ctrl-D and every signal act as on
    any program that reads lines."""

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
            self._line(f"Question {step.number} of at most {step.most} ({part}).")
        self._line(question.prompt)
        if step.last_time:
            self._line(f"({step.last_time})")
        if question.help:
            self._line("Help: " + question.help)

    def _took(self, words: str) -> None:
        self._line(f"\u2192 {words}")

    def ask(self, question: Question, step: Step, current: Value | None) -> Value | None:
        self._heading(question, step)
        if current is not None:
            now = self.book.answer_label(question, current)
            self._line(f"Your answer now: {now}. Enter alone goes back without a change.")
        if question.type == "int":
            pick = f"Type a whole number from {question.min} to {question.max} and press Enter:"
            while True:
                typed = self._read(pick)
                if current is not None and not typed.strip():
                    return None
                problem = int_problem(question, typed)
                if problem is None:
                    self._took(typed.strip())
                    return int(typed.strip())
                self._line(problem)
        first, kinds = offers(self.book, question)
        picked = self._pick(first, question.prompt, current is not None)
        if picked == _YES and kinds is not None:
            self._line(which_one(question))
            picked = self._pick(kinds, which_one(question), current is not None)
        return picked

    def _pick(self, offer: Offer, prompt: str, can_go_back: bool) -> str | None:
        self._choices(offer.labels)
        while True:
            typed = self._read(_PLAIN_PICK)
            if can_go_back and not typed.strip():
                return None
            picked = choice_problem(typed, offer.labels)
            if isinstance(picked, int):
                self._took(offer.labels[picked])
                return offer.values[picked]
            self._line(picked)
            self._line(prompt)
            self._choices(offer.labels)

    def confirm_change(self, question: Question, old: str, new: str) -> bool:
        self._line(_change_question(question, old, new))
        offer = Offer(("yes", "no"), (_YES_CHANGE, _keep(old)))
        return self._pick(offer, _change_question(question, old, new), True) == "yes"

    def _choices(self, labels: Sequence[str]) -> None:
        for number, label in enumerate(labels, 1):
            self._line(f"{number}. {label}")

    def _rows(self, heading: str, first: str, rows: Sequence[ReviewRow]) -> str | None:
        labels = [first] + [f"{r.label}: {r.answer}" for r in rows]
        self._choices(labels)
        while True:
            typed = self._read(_PLAIN_PICK)
            # An answer can be named by the start of its question's words too.
            picked = choice_problem(typed, [first] + [r.label for r in rows])
            if not isinstance(picked, int):
                again = choice_problem(typed, labels)
                picked = again if isinstance(again, int) else picked
            if isinstance(picked, int):
                self._took(labels[picked])
                return None if picked == 0 else rows[picked - 1].key
            self._line(picked)
            self._line(heading)
            self._choices(labels)

    def review(self, rows: Sequence[ReviewRow], changed: str | None) -> str | None:
        self._line()
        if changed is not None:
            self._line(f"Changed: {changed}")
        self._line(_PLAIN_REVIEW)
        self._line("Type 1 to see your result, or the number of an answer to change it.")
        return self._rows(_PLAIN_REVIEW, _SHOW_RESULT, rows)

    def stopped(self, why: Sequence[str], rows: Sequence[ReviewRow]) -> str | None:
        self._line()
        self._line(_STOPPED)
        for reason in why:
            self._line(f"- {reason}")
        self._line(_CORRECT)
        self._line("Type 1 to see your result, or the number of an answer to correct it.")
        return self._rows(_STOPPED, _SHOW_EMERGENCY, rows)


class QuestionaryPrompter:
    """Prompts in a terminal: the words (progress, help, the question) are written at once as
    plain text wrapped to the terminal's width; the choice list is questionary's, each answer
    wrapped to the width too (never cut), with an arrow in the right margin where more of a
    list lies above or below the window. So the first question is on screen before the prompt
    library (the slow part of starting) is loaded.

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
            textwrap.fill(
                part,
                width=self.width,
                break_on_hyphens=False,
                subsequent_indent="  " if part.startswith("- ") else "",  # a list item hangs
            )
            if part
            else ""
            for part in text.split("\n")
        ]
        shown = "\n".join(lines)
        if style and self.styled and shown:
            shown = f"{_STYLES[style]}{shown}\x1b[0m"
        self.stream.write(shown + "\n")
        self.stream.flush()

    def show(self, text: str) -> None:
        self._line(text)

    def _title(self, text: str, indent: int, hang: int = 0) -> str:
        """A choice's words wrapped at word boundaries to the list's width: the list is drawn
        with `indent` columns before the words (pointer and number) and the margin after; the
        lines after the first are indented `hang` columns more."""
        import textwrap

        width = max(12, self.width - indent - hang - _MARGIN - 1)
        lines = textwrap.wrap(safe_text(text), width=width, break_on_hyphens=False) or [""]
        return ("\n" + " " * (indent + hang)).join(lines)

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

    def ask(self, question: Question, step: Step, current: Value | None) -> Value | None:
        self._hold_keys()
        self._line()
        self._line(str(step), "dim")
        self._line("Help: " + question.help, "italic")
        self._line(question.prompt, "bold")
        if step.last_time:
            self._line(f"({step.last_time})", "dim")
        import questionary  # loaded while the person reads the question

        if question.type == "int":
            if current is not None:
                self._line(f"Your answer now: {current}. Esc goes back without a change.")
            typed = _ask(
                questionary.text(
                    _ANSWER,
                    default="" if current is None else str(current),
                    validate=lambda text: int_problem(question, text) or True,
                    validate_while_typing=True,
                ),
                can_go_back=current is not None,
            )
            return None if typed is None else int(str(typed).strip())
        first, kinds = offers(self.book, question)
        # Changing a kind of yes: the pointer starts on Yes, then on the kind given.
        start = (
            _YES if kinds and current in kinds.values and current not in first.values else current
        )
        if current is not None:
            now = self.book.answer_label(question, current)
            self._line(f"Your answer now: {now}. Esc goes back without a change.")
        changing = current is not None
        picked = self._pick(first, question.prompt, start, changing)
        if picked == _YES and kinds is not None:
            self._line(which_one(question), "bold")
            picked = self._pick(kinds, which_one(question), current, changing)
        return picked

    def _pick(
        self, offer: Offer, prompt: str, current: Value | None, can_go_back: bool
    ) -> str | None:
        """One choice list, numbered. The pointer starts on the person's current answer when
        there is one in the list, and otherwise on a line that is no answer, so that a stray
        Enter chooses nothing (it could otherwise pick "no accident" and skip the red flags).
        With `can_go_back`, Esc leaves with no answer (None)."""
        import questionary

        choices: list[Any] = [
            questionary.Choice(title=self._title(label, _INDENT), value=value, shortcut_key=str(n))
            for n, (value, label) in enumerate(zip(offer.values, offer.labels, strict=True), 1)
        ]
        if current is not None and str(current) in offer.values:
            picked = _ask(
                questionary.select(
                    _ANSWER,
                    choices=choices,
                    default=str(current),
                    use_shortcuts=True,
                    instruction=_HOW,
                ),
                can_go_back=can_go_back,
            )
            return None if picked is None else str(picked)
        unanswered = questionary.Choice(title=self._title(_UNANSWERED_TITLE, _INDENT),
                                        value=_UNANSWERED, shortcut_key=False)  # fmt: skip
        while True:
            picked = _ask(
                questionary.select(
                    _ANSWER, choices=[unanswered, *choices], use_shortcuts=True, instruction=_HOW
                ),
                can_go_back=can_go_back,
            )
            if picked is None or picked != _UNANSWERED:
                return None if picked is None else str(picked)
            self._line(_NOTHING_CHOSEN, "bold")
            self._line(prompt, "bold")

    def confirm_change(self, question: Question, old: str, new: str) -> bool:
        self._line(_change_question(question, old, new), "bold")
        offer = Offer(("yes", "no"), (_YES_CHANGE, _keep(old)))
        return self._pick(offer, _change_question(question, old, new), None, True) == "yes"

    def _wrap(self, text: str) -> str:
        # prompt_toolkit breaks long lines mid-word; wrap at word boundaries ourselves, leaving
        # room for the "? " mark and the widget's own hint.
        import textwrap

        width = max(20, self.width - 4)
        return "\n".join(textwrap.fill(safe_text(part), width=width) for part in text.split("\n"))

    def _rows(self, message: str, first: str, rows: Sequence[ReviewRow]) -> str | None:
        import questionary

        choices: list[Any] = [
            questionary.Choice(title=self._title(first, _ROW_INDENT), value=_CONFIRM),
            questionary.Separator(),
        ]
        choices += [
            questionary.Choice(
                title=self._title(f"{r.label}: {r.answer}", _ROW_INDENT, 2), value=r.key
            )
            for r in rows
        ]
        picked = _ask(
            questionary.select(
                self._wrap(message),
                choices=choices,
                default=_CONFIRM,
                use_search_filter=True,
                use_jk_keys=False,
                instruction=" ",  # the message says how
            )
        )
        return None if picked == _CONFIRM else str(picked)

    def review(self, rows: Sequence[ReviewRow], changed: str | None) -> str | None:
        self._line()
        how = (
            "Check your answers. Confirm, or pick one to change (arrow keys, or type a few "
            "letters to search), then Enter:"
        )
        # In the list's own heading, which stays on screen however long the list.
        return self._rows(
            how if changed is None else f"Changed: {changed}\n{how}", _SHOW_RESULT, rows
        )

    def stopped(self, why: Sequence[str], rows: Sequence[ReviewRow]) -> str | None:
        self._line()
        self._line(_STOPPED, "bold")
        for reason in why:
            self._line(f"- {reason}")
        self._line(_CORRECT)
        return self._rows(
            "Show your result, or pick an answer to correct (arrow keys, or type a few letters "
            "to search), then Enter:",
            _SHOW_EMERGENCY,
            rows,
        )


_MARGIN = 2  # the right margin of a choice list, where the "more" arrows go
_INDENT = 6  # a choice list's pointer (3 columns) and number ("1) ")
_ROW_INDENT = 3  # the review's rows: the pointer only


def _more_margin() -> Any:
    """A right margin that shows an arrow at the top when more of the list lies above the
    window, and at the bottom when more lies below."""
    from prompt_toolkit.layout.margins import Margin

    class MoreMargin(Margin):
        def get_width(self, get_ui_content: Any) -> int:
            return _MARGIN

        def create_margin(self, window_render_info: Any, width: int, height: int) -> Any:
            info = window_render_info
            if info is None:
                return []
            marks = [" "] * height
            if height and not info.top_visible:
                marks[0] = "\u2191"
            if height and not info.bottom_visible:
                marks[-1] = "\u2193"
            fragments: list[tuple[str, str]] = []
            for mark in marks:
                fragments += [("class:instruction", " " + mark), ("", "\n")]
            return fragments[:-1]

    return MoreMargin()


def _ask(question: Any, can_go_back: bool = False) -> Any:
    """Ask, with Ctrl-D ending the interview at every prompt (as Ctrl-C does): prompt_toolkit's
    choice lists would otherwise ignore it. With `can_go_back`, Esc leaves the prompt with no
    answer (None). A choice list gets the "more" margin, and its long lines wrap rather than
    being cut (should the window narrow after the words were wrapped to it).

    A SIGINT sent by another process (`kill -INT`) ends it too. While a prompt runs,
    prompt_toolkit takes SIGINT into its event loop and turns it into a `<sigint>` key, which
    its text prompt binds but a questionary choice list does not: the default binding ignores
    it, and the interview went on as if nothing had happened. Bound here, it is a Ctrl-C."""
    from prompt_toolkit.filters import to_filter
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.layout import ScrollOffsets
    from questionary.prompts.common import InquirerControl

    bindings = KeyBindings()

    @bindings.add("c-d", eager=True)
    def _end(event: Any) -> None:
        event.app.exit(exception=EOFError(), style="class:aborting")

    @bindings.add("<sigint>", eager=True)
    def _interrupted(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt(), style="class:aborting")

    if can_go_back:

        @bindings.add("escape", eager=True)
        def _back(event: Any) -> None:
            event.app.exit(result=None)

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), bindings])
    for window in app.layout.find_all_windows():
        if isinstance(window.content, InquirerControl):  # a choice list
            window.right_margins = [_more_margin()]
            window.wrap_lines = to_filter(True)
            # Keep the pointed answer's wrapped lines, and one line above it, in view.
            window.scroll_offsets = ScrollOffsets(top=1, bottom=3)
    return question.unsafe_ask()
