"""`neckcheck rules evaluate`: read the cases (a file, `-` for standard input, or the project's
own cases), evaluate one rulebook, or two case by case, and print the result. The judging is
neckcheck.authoring.evaluate's; this module only reads, prints and chooses the exit code."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import neckcheck.cli.edge as edge
from neckcheck.core.errors import InputError, Problem

if TYPE_CHECKING:
    from neckcheck.cli.environment import Environment
    from neckcheck.core.model import Rulebook

SHIPPED_CASES = "the shipped cases (cases/vignettes.jsonl)"
EXIT_SAFE = 0


def shipped_cases_path() -> str:
    """The project's clinical cases: inside the installed package, or the checkout's cases/."""
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # the package's folder
    packaged = os.path.join(here, "cases", "vignettes.jsonl")
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(here)), "cases", "vignettes.jsonl")


def _lines(env: Environment, path: str) -> tuple[list[bytes | str], str]:
    """The case lines of a file or of standard input (`-`), each within the size cap."""
    if path == "-":
        stdin = env.stdin_bytes
        if stdin is None:
            raise InputError([Problem("", "standard input is closed")], "stdin")
        return _bounded(edge.waiting_reader(stdin), "stdin"), "stdin"
    shown = edge.safe_text(path)
    edge.refuse_device(path)
    try:
        with open(path, "rb") as file:
            if os.path.isdir(path):
                raise IsADirectoryError(21, "it is a folder")
            return _bounded(file, shown), shown
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError([Problem("", f"cannot read the cases file: {reason}")], shown) from None


def _bounded(stream: object, source: str) -> list[bytes | str]:
    lines: list[bytes | str] = []
    for number, line in enumerate(edge.bounded_lines(stream), start=1):  # type: ignore[arg-type]
        if line is None:
            raise InputError(
                [Problem(f"line {number}", "longer than the size limit of a line")], source
            )
        lines.append(line)
    return lines


def run_evaluate(
    env: Environment,
    cases_path: str | None,
    book: Rulebook,
    against: tuple[str, Rulebook] | None,
    as_json: bool,
) -> int:
    """Evaluate and print; the exit code: edge.EXIT_NOT_SHOWN_SAFE when any case is
    under-triaged (by either rulebook), else 0. Input errors (InputError, exit 2) name the line
    and the key."""
    from neckcheck.authoring.evaluate import (
        any_under,
        evaluate_lines,
        evaluation_json,
        evaluation_text,
    )

    lines, source = _lines(env, cases_path or shipped_cases_path())
    if cases_path is None:
        source = SHIPPED_CASES
    evaluation = evaluate_lines(lines, book, source)
    other = None
    if against is not None:
        folder, other_book = against
        # The other rulebook's questions may differ: its problems name the line too.
        other = (edge.safe_text(folder), evaluate_lines(lines, other_book, source))
    if as_json:  # one line: a clinic's case list can be long
        env.write_out(edge.json_bytes(evaluation_json(evaluation, other), indent=None))
    else:
        env.print(edge.safe_text(evaluation_text(evaluation, source, other)))
    return edge.EXIT_NOT_SHOWN_SAFE if any_under(evaluation, other) else EXIT_SAFE
