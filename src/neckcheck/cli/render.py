"""Render a Decision for people (rich text). No clinical logic here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from neckcheck.cli.edge import safe_text
from neckcheck.core.model import Decision

if TYPE_CHECKING:
    from rich.console import Console
    from rich.tree import Tree

    from neckcheck.core.explain import Part, RuleTrace
    from neckcheck.core.model import Rulebook

# Colour only repeats what the headline's words already say (NO_COLOR and dumb terminals lose
# nothing).
_STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold black on yellow",
    "clinician": "bold yellow",
    "avoid_technique": "bold magenta",
    "technique": "bold green",
}


def make_console(file: TextIO | None = None, plain: bool = False) -> Console:
    """A console for the result. `plain`: no colour, style or other escape sequence at all,
    whatever the terminal says it takes (a screen reader's, a dumb one)."""
    import sys

    from rich.console import Console

    # The width comes from the terminal itself (rich would assume 80 columns on a dumb one), and
    # a silly COLUMNS (0, negative, huge, not a number) is ignored, never allowed to hide the
    # result: the width stays within 20..500 columns.
    stream = file or sys.stdout
    if stream is None:  # stdout closed: the result cannot be shown, and must not vanish
        from neckcheck.cli.edge import OutputLost

        raise OutputLost("standard output is closed")
    width, height = _terminal_size(stream)
    # Plain: no colour, no escape codes, and the text as it is (no markup read in it).
    unstyled: dict[str, Any] = (
        {"color_system": None, "force_terminal": False, "no_color": True, "markup": False}
        if plain
        else {}
    )
    return Console(file=file, highlight=False, emoji=False, width=width, height=height, **unstyled)


def _terminal_size(stream: object) -> tuple[int, int]:
    import os

    from neckcheck.cli.settings import number_from_environment

    columns, lines = number_from_environment("COLUMNS"), number_from_environment("LINES")
    try:
        if getattr(stream, "isatty", lambda: False)():
            size = os.get_terminal_size(stream.fileno())  # type: ignore[attr-defined]
            columns, lines = columns or size.columns, lines or size.lines
    except (OSError, ValueError, AttributeError):
        pass
    return max(20, min(columns or 80, 500)), max(5, min(lines or 25, 1000))


def _items(console: Console, markers: list[str], texts: list[str], style: str = "") -> None:
    """A list with a hanging indent, so wrapped lines stay readable at 40 columns."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(ratio=1)
    for marker, text in zip(markers, texts, strict=True):
        grid.add_row(Text(marker), Text(safe_text(text), style=style))
    console.print(grid)


def render_text(decision: Decision, console: Console) -> None:
    from rich.text import Text

    def section(title: str) -> None:
        console.print()
        console.print(Text(title, style="bold underline"))

    # Rule texts are data: shown with any control character escaped, so a rules file can never
    # move the cursor or clear the screen.
    style = _STYLE.get(decision.disposition, "bold")
    if decision.warning:
        console.print(Text(safe_text("WARNING: " + decision.warning), style="bold"))
    console.print(Text(safe_text(decision.headline), style=style))
    console.print(Text(safe_text(decision.advice)))

    section("Why" if len(decision.reasons) == 1 else f"Why ({len(decision.reasons)} reasons)")
    for reason in decision.reasons:
        _items(console, ["-"], [reason.text])
        _items(console, [" "], ["Source: " + reason.source], style="dim")
    if decision.steps:
        section(safe_text(f"The technique: {decision.technique}"))
        _items(console, [f"{n}." for n in range(1, len(decision.steps) + 1)], list(decision.steps))
    if decision.cautions:
        section("Cautions")
        _items(console, ["!"] * len(decision.cautions), [c.text for c in decision.cautions])
    if decision.see_also:
        section("See also")
        _items(console, ["-"] * len(decision.see_also), list(decision.see_also))

    console.print()
    console.print(Text(safe_text(decision.disclaimer), style="italic"))
    console.print(Text(safe_text(f"Rules version {decision.rules_version}"), style="dim"))


def render_since_rise(decision: Decision, book: Rulebook, console: Console) -> None:
    """When the level of care rose since the earlier screening (--since), the line that says so:
    printed first, before everything else."""
    from rich.text import Text

    from neckcheck.formats.since import since_text

    words = since_text(decision, book)
    if words is not None and words.risen is not None:
        console.print(Text(safe_text(words.risen), style=_STYLE.get(decision.disposition, "")))


def render_since(decision: Decision, book: Rulebook, console: Console) -> None:
    """The "Since last time" section: each changed answer (its question, then and now), and
    the level of care then and now."""
    from rich.text import Text

    from neckcheck.formats.since import since_text

    words = since_text(decision, book)
    if words is None:
        return
    console.print()
    console.print(Text("Since last time", style="bold underline"))
    if not words.changes:
        _items(console, ["-"], ["No answer changed."])
    for question, then, now in words.changes:
        _items(console, ["-"], [question])
        _items(console, [" "], [f"then: {then}; now: {now}"], style="dim")
    _items(console, ["-"], [f"Level of care: then {words.level_then}; now {words.level_now}."])


_SECTION_TITLES = {
    "red_flags": "Red flags (every one is checked; all that match are reasons)",
    "patterns": "Patterns (checked only without a red flag; the first match decides)",
    "otherwise": "Otherwise (when nothing above decides)",
}

# The words of the rule files (all / any / not), so that each line can be checked against them;
# a truth is "true" or "false", never "yes" or "no", which are answers.
_OP_WORDS = {
    "all": "all (every part true)",
    "any": "any (at least one part true)",
    "not": "not (the part below false)",
}


def _truth(holds: bool) -> str:
    return "true" if holds else "false"


def _add_part(node: Tree, part: Part) -> None:
    from rich.text import Text

    style = "" if part.holds else "dim"
    if part.check is not None:
        c = part.check
        answer = "question skipped" if c.answer is None else f"answer: {c.answer}"
        node.add(Text(safe_text(f"{c.test}: {_truth(c.holds)} ({answer})"), style=style))
        return
    branch = node.add(Text(f"{_OP_WORDS[part.op]}: {_truth(part.holds)}", style=style))
    for child in part.parts:
        _add_part(branch, child)


def render_trace(trace: list[RuleTrace], console: Console) -> None:
    """Every rule as a tree: matched or not, a reason or not, and its condition in the shape of
    the rule file, each part with its truth for these answers and the answers it read."""
    from rich.text import Text
    from rich.tree import Tree

    root = Tree(Text("How the rules decided", style="bold"))
    root.add(
        Text(
            "Each condition is shown as the rule file writes it (all, any, not), each part with "
            "whether it is true for your answers; a comparison on a question that was not asked "
            "is false."
        )
    )
    branches: dict[str, Tree] = {}
    for t in trace:
        if t.section not in branches:
            branches[t.section] = root.add(Text(_SECTION_TITLES.get(t.section, t.section)))
        if t.fired:
            state, style = "FIRED", "bold"
        elif t.matched:
            state, style = "matched, not consulted", ""
        else:
            state, style = "no", "dim"
        node = branches[t.section].add(
            Text(safe_text(f"[{state}] {t.rule} -> {t.outcome}/{t.disposition}"), style=style)
        )
        if t.condition is None:
            node.add(Text("no condition: it decides when no rule above does", style=style))
        else:
            _add_part(node, t.condition)
    console.print()
    console.print(root)
