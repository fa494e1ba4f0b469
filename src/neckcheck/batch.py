"""JSON Lines screening: one output line per input line, in order, streamed.

Memory stays flat: a line is read, screened, written and forgotten. Decisions repeat a great
deal (a handful of outcomes and caution sets), so their JSON text is cached and only the line
number is written fresh.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

from neckcheck.answers import parse_json
from neckcheck.engine import screen
from neckcheck.errors import InputError
from neckcheck.model import Decision, Rulebook

_CACHE_LIMIT = 4096  # distinct decisions kept as text; far more than the rules can produce


@dataclass
class Summary:
    lines: int = 0
    errors: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def text(self) -> str:
        parts = [f"{n} {key}" for key, n in sorted(self.outcomes.items())]
        parts.append(f"{self.errors} invalid")
        return f"screened {self.lines} lines: " + ", ".join(parts)


def _decision_text(decision: Decision, cache: dict[Decision, str]) -> str:
    text = cache.get(decision)
    if text is None:
        text = json.dumps(decision.to_dict(), ensure_ascii=False, separators=(",", ":"))
        if len(cache) < _CACHE_LIMIT:
            cache[decision] = text
    return text


def screen_lines(
    lines: Iterable[bytes],
    book: Rulebook,
    out: TextIO,
    on_line: Callable[[Summary], None] | None = None,
    flush_each: bool = False,
) -> Summary:
    """Screen each JSON line and write one result line for it; never stops on a bad line.
    With flush_each, every result is flushed as soon as it is written (for live pipes)."""
    summary = Summary()
    cache: dict[Decision, str] = {}
    write: Callable[[str], object] = out.write
    if flush_each:

        def write_and_flush(text: str) -> None:  # a record reaches a waiting reader at once
            out.write(text)
            out.flush()

        write = write_and_flush

    for number, raw in enumerate(lines, start=1):
        summary.lines = number
        try:
            decision = screen(parse_json(raw), book)
        except InputError as exc:
            summary.errors += 1
            error = json.dumps(exc.to_dict(), ensure_ascii=False, separators=(",", ":"))
            write(f'{{"line":{number},"error":{error}}}\n')
        else:
            summary.outcomes[decision.outcome] += 1
            write(f'{{"line":{number},{_decision_text(decision, cache)[1:]}\n')
        if on_line is not None:
            on_line(summary)
    return summary


def run_batch(file: str | None, book: Rulebook) -> Summary:
    """`neckcheck batch`: open the input, stream it to stdout, show progress only on a terminal's
    stderr (never in the data stream), and end with a summary on stderr."""
    import os
    import stat
    import sys

    from neckcheck.errors import Problem

    try:
        stream = sys.stdin.buffer if file in (None, "-") else open(file, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError([Problem("", f"cannot read: {exc.strerror or exc}")], str(file)) from None
    with stream:
        # From a file, output is written in blocks (fast); from a pipe or a terminal, each result
        # is flushed at once, so a program feeding records one by one gets each answer back.
        live = not stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn

            with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                          console=Console(stderr=True), transient=True) as bar:  # fmt: skip
                task = bar.add_task("screening")

                def show(summary: Summary) -> None:
                    if summary.lines % 1000 == 0:
                        bar.update(task, description=summary.text())

                summary = screen_lines(stream, book, sys.stdout, show, live)
        else:
            summary = screen_lines(stream, book, sys.stdout, None, live)
    sys.stdout.flush()
    print(f"neckcheck: {summary.text()}", file=sys.stderr)
    return summary
