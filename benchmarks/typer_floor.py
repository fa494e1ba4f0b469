"""The floor neckcheck's start-up is measured against: the smallest typer app that does the same
start-up work, and nothing else.

    python benchmarks/floor.py screen --json < answers.json   # read one answer set, print JSON
    python benchmarks/floor.py screen --json --validate < answers.json   # ... validated first
    python benchmarks/floor.py ask "Question words"           # ask one questionary question

`screen --json` reads one JSON object from standard input and prints it back as indented ASCII
JSON (neckcheck also checks and decides, which this floor does not). `ask` asks one yes/no/not
sure question with questionary, as the interview's first question is asked. No neckcheck module
is imported. With `--validate`, the answer set is first validated as neckcheck validates it: by
a pydantic TypeAdapter over a strict, closed TypedDict of one field per key (a word from a fixed
list, a whole number in a range or a boolean), built at start-up, unknown keys refused.
"""

from __future__ import annotations

import json
import sys

import typer

app = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False)


@app.command()
def screen(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    validate: bool = typer.Option(False, "--validate", help="Validate with pydantic."),
) -> None:
    """Read one answer set and print it as JSON."""
    answers = json.loads(sys.stdin.buffer.read())
    if validate:
        from typing import Annotated, Literal, NotRequired

        from pydantic import ConfigDict, Field, StrictBool, StrictInt, TypeAdapter
        from typing_extensions import TypedDict

        def field(value: object) -> object:
            if isinstance(value, bool):
                return NotRequired[StrictBool]
            if isinstance(value, int):
                return NotRequired[Annotated[StrictInt, Field(ge=0, le=3650)]]
            # a word: one of a few, as a yes/no/not sure or a choice question takes
            return NotRequired[Literal[tuple(sorted({"yes", "no", "unsure", str(value)}))]]

        fields = {key: field(value) for key, value in answers.items()}
        model = TypedDict("Answers", fields)  # type: ignore[misc]
        model.__pydantic_config__ = ConfigDict(strict=True, extra="forbid")  # type: ignore[attr-defined]
        answers = TypeAdapter(model).validate_python(answers)
    sys.stdout.write(json.dumps(answers, indent=2, ensure_ascii=True) + "\n")


@app.command()
def ask(words: str = typer.Argument(..., help="The question.")) -> None:
    """Ask one question with questionary."""
    import questionary

    questionary.select(words, choices=["Yes", "No", "Not sure"]).ask()


if __name__ == "__main__":
    app()
