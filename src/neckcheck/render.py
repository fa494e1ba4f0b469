"""Render a Decision for people (rich text) or programs (JSON). No clinical logic here."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TextIO

from neckcheck.model import Decision

if TYPE_CHECKING:
    from rich.console import Console

# Colour only repeats what the headline's words already say (NO_COLOR and dumb terminals lose
# nothing).
_STYLE = {
    "emergency": "bold white on red",
    "clinician": "bold yellow",
    "avoid_technique": "bold magenta",
    "technique": "bold green",
}


def to_json(decision: Decision) -> str:
    return json.dumps(decision.to_dict(), ensure_ascii=False, indent=2)


def make_console(file: TextIO | None = None) -> Console:
    from rich.console import Console

    return Console(file=file, highlight=False, emoji=False)


def render_text(decision: Decision, console: Console) -> None:
    from rich.padding import Padding
    from rich.text import Text

    def section(title: str) -> None:
        console.print()
        console.print(Text(title, style="bold underline"))

    console.print(Text(decision.headline, style=_STYLE.get(decision.disposition, "bold")))
    console.print(Text(decision.advice))

    section("Why" if len(decision.reasons) == 1 else f"Why ({len(decision.reasons)} reasons)")
    for reason in decision.reasons:
        console.print(Padding(Text("- " + reason.text), (0, 0, 0, 1)))
        console.print(Padding(Text("Source: " + reason.source, style="dim"), (0, 0, 0, 3)))

    if decision.steps:
        section(f"The technique: {decision.technique}")
        for number, step in enumerate(decision.steps, start=1):
            console.print(Padding(Text(f"{number}. {step}"), (0, 0, 0, 1)))
    if decision.cautions:
        section("Cautions")
        for caution in decision.cautions:
            console.print(Padding(Text("! " + caution.text), (0, 0, 0, 1)))
    if decision.see_also:
        section("See also")
        for item in decision.see_also:
            console.print(Padding(Text("- " + item), (0, 0, 0, 1)))

    console.print()
    console.print(Text(decision.disclaimer, style="italic"))
    console.print(Text(f"Rules version {decision.rules_version}", style="dim"))
