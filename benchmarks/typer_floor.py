"""The floor neckcheck's start-up is measured against: the smallest typer app that does the same
start-up work, and nothing else.

    python benchmarks/floor.py screen --json < answers.json   # read one answer set, print JSON
    python benchmarks/floor.py ask "Question words"           # ask one questionary question

`screen --json` reads one JSON object from standard input and prints it back as indented ASCII
JSON (neckcheck also checks and decides, which this floor does not). `ask` asks one yes/no/not
sure question with questionary, as the interview's first question is asked. No neckcheck module
is imported.
"""

from __future__ import annotations

import json
import sys

import typer

app = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False)


@app.command()
def screen(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Read one answer set and print it as JSON."""
    answers = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(answers, indent=2, ensure_ascii=True) + "\n")


@app.command()
def ask(words: str = typer.Argument(..., help="The question.")) -> None:
    """Ask one question with questionary."""
    import questionary

    questionary.select(words, choices=["Yes", "No", "Not sure"]).ask()


if __name__ == "__main__":
    app()
