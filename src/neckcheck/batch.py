"""JSON Lines screening: one output line per input line, in order, streamed.

Memory stays flat: a line is read (up to the edge's size cap), screened, written and forgotten.
Decisions repeat a great deal (a handful of outcomes and caution sets), so their JSON text is
cached by the rules and cautions that made them, and only the line number is written fresh.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from neckcheck.answers import parse_json
from neckcheck.edge import answers_of_document
from neckcheck.engine import decide
from neckcheck.errors import InputError, Problem
from neckcheck.model import Decision, Rulebook


@dataclass
class Summary:
    lines: int = 0
    errors: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def text(self) -> str:
        parts = [f"{n} {key}" for key, n in sorted(self.outcomes.items())]
        parts.append(f"{self.errors} invalid")
        return f"screened {self.lines} lines: " + ", ".join(parts)


_TEXT_CACHE_LIMIT = 2048  # distinct decisions kept as text (a few MB); beyond, built afresh


def _decision_text(decision: Decision, cache: dict[tuple[tuple[str, ...], ...], str]) -> str:
    # Keyed by what makes the decision (the rules that fired and the cautions shown), never by
    # object identity: a decision the engine did not keep may be freed and its id reused.
    key = (tuple(r.rule for r in decision.reasons), tuple(c.id for c in decision.cautions))
    text = cache.get(key)
    if text is None:
        text = json.dumps(decision.to_dict(), ensure_ascii=True, separators=(",", ":"))
        if len(cache) < _TEXT_CACHE_LIMIT:
            cache[key] = text
    return text


TOO_LONG = InputError([Problem("", "the line is longer than the size limit")], "line")


def result_lines(
    lines: Iterable[bytes | str | InputError | None], book: Rulebook, summary: Summary
) -> Iterator[str]:
    """For each input line (None: a line over the size limit; an InputError: a line known to be
    invalid before it is read), its output line: the decision
    with its 1-based "line", or {"line": N, "error": {...}}. Never stops on a bad line."""
    cache: dict[tuple[tuple[str, ...], ...], str] = {}
    for number, raw in enumerate(lines, start=1):
        summary.lines = number
        try:
            if raw is None:
                raise TOO_LONG
            if isinstance(raw, InputError):
                raise raw
            source = f"line {number}"
            answers, _ = answers_of_document(parse_json(raw, source), book, source)
            decision = decide(answers, book)
        except InputError as exc:
            summary.errors += 1
            error = json.dumps(exc.to_dict(), ensure_ascii=True, separators=(",", ":"))
            yield f'{{"line":{number},"error":{error}}}\n'
        else:
            summary.outcomes[decision.outcome] += 1
            yield f'{{"line":{number},{_decision_text(decision, cache)[1:]}\n'


LINE_BREAK = InputError([Problem("", "the line holds a line break inside it")], "line")


def _as_batch_reads(lines: Iterable[str | bytes]) -> Iterator[bytes | str | InputError | None]:
    """Each given line as `batch` would have read it from a stream: None when it is over the
    size limit, and an error when a line break inside it would have made it two lines."""
    from neckcheck.edge import MAX_DOCUMENT_BYTES

    for line in lines:
        if isinstance(line, str):
            body = line[:-1] if line.endswith("\n") else line
            size = len(body.encode("utf-8", "surrogatepass"))
            inner_break = "\n" in body
        elif isinstance(line, bytes | bytearray):
            body_bytes = line[:-1] if line.endswith(b"\n") else line
            size = len(body_bytes)
            inner_break = b"\n" in body_bytes
            line = bytes(line)
        else:
            raise TypeError(f"screen_lines takes str or bytes lines, not {type(line).__name__}")
        if size > MAX_DOCUMENT_BYTES:
            yield None
        elif inner_break:
            yield LINE_BREAK
        else:
            yield line


def screen_lines(
    lines: Iterable[str | bytes], rulebook: Rulebook | None = None
) -> Iterator[dict[str, Any]]:
    """For each line, exactly the record `neckcheck batch` writes for it, as a dict: the
    decision with its 1-based "line", or {"line": N, "error": {...}}. The same strict reading
    (duplicate keys, a byte order mark, the size limit, a blank line is an invalid line), and it
    never stops on a bad line. Lines are numbered from 1 in each call."""
    if rulebook is None:
        from neckcheck.rulebook import load_rulebook

        rulebook = load_rulebook()
    for text in result_lines(_as_batch_reads(lines), rulebook, Summary()):
        yield json.loads(text)


def run_batch(
    file: str | None, book: Rulebook, output: str | None = None, quiet: bool = False
) -> Summary:
    """`neckcheck batch`: stream the input to stdout (or, with `output`, to a private file that
    appears only when every line is done), show progress only on a terminal's stderr (never in
    the data stream), and end with a summary on stderr; `quiet`: neither."""
    import os
    import stat
    import sys

    from neckcheck import edge

    try:
        if file in (None, "-"):
            if sys.stdin is None:
                raise OSError(9, "standard input is closed")
            stream = sys.stdin.buffer
        else:
            stream = open(file, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        where = "stdin" if file in (None, "-") else edge.safe_text(str(file))
        raise InputError([Problem("", f"cannot read: {exc.strerror or exc}")], where) from None
    summary = Summary()
    with stream, contextlib.ExitStack() as stack:
        if output is not None:
            stack.enter_context(_terminated_as_exit())  # before the file exists
            sink = stack.enter_context(edge.private_file(output, "--output"))
            live = False

            def write(data: bytes, flush: bool = True) -> None:
                sink.write(data)
        else:
            # From a file, output is written in blocks (fast); from a pipe or a terminal, each
            # result is flushed at once, so a program feeding records one by one gets each
            # answer back.
            live = not stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
            write = edge.write_out
        results = result_lines(edge.bounded_lines(stream), book, summary)
        if edge.stderr_is_terminal() and not quiet:
            with _progress() as update:
                _write_all(results, live, summary, update, write)
        else:
            _write_all(results, live, summary, None, write)
    if output is not None and not quiet:
        edge.say(f"results written to {output}")
    if not quiet:
        edge.say(summary.text())
    return summary


def _write_all(
    results: Iterable[str],
    live: bool,
    summary: Summary,
    show: Callable[[Summary], None] | None,
    write: Callable[[bytes, bool], None],
) -> None:
    pending: list[str] = []
    for text in results:
        if live:
            write(text.encode("ascii"), True)
        else:
            pending.append(text)
            if len(pending) >= 512:
                write("".join(pending).encode("ascii"), False)
                pending.clear()
        if show is not None and summary.lines % 1000 == 0:
            show(summary)
    write("".join(pending).encode("ascii"), True)


@contextlib.contextmanager
def _terminated_as_exit() -> Iterator[None]:
    """SIGTERM while a result file is written: leave through the file's clean-up (which removes
    the unfinished file), not past it."""
    import signal
    import sys

    def stop(signum: int, frame: object) -> None:
        sys.exit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _progress:
    """A spinner on stderr that never captures stdout, and puts the cursor back when a signal
    (SIGTERM, SIGHUP) ends the run."""

    def __enter__(self) -> Callable[[Summary], None]:
        import signal

        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                            console=Console(stderr=True), transient=True,
                            redirect_stdout=False, redirect_stderr=False)  # fmt: skip
        self.bar.__enter__()
        task = self.bar.add_task("screening")

        def stop(signum: int, frame: object) -> None:
            self.bar.__exit__(None, None, None)
            raise SystemExit(128 + signum)

        self.previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
        return lambda summary: self.bar.update(task, description=summary.text())

    def __exit__(self, *exc: object) -> None:
        import signal

        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.bar.__exit__(None, None, None)
