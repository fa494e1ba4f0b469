"""`neckcheck batch`: the input stream or file in, JSON Lines out (to stdout or a result file),
progress and a summary on stderr. Each line is screened by neckcheck.formats.jsonlines."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from neckcheck.core.errors import InputError, Problem
from neckcheck.formats.jsonlines import Summary, result_lines

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from neckcheck.core.model import Rulebook


def run_batch(
    file: str | None,
    book: Rulebook,
    output: str | None = None,
    quiet: bool = False,
    force: bool = False,
) -> Summary:
    """`neckcheck batch`: stream the input to stdout (or, with `output`, to a private file that
    appears only when every line is done; a read-only one is replaced only with `force`), show
    progress only on a terminal's stderr (never in the data stream), and end with a summary on
    stderr; `quiet`: neither. If the output file cannot be written, the results go to stdout
    instead (edge.ResultFile), the summary is the same, and it notes `output_lost`."""
    import sys

    import neckcheck.cli.edge as edge

    if output is not None:
        edge.refuse_overwriting_input(output, "--output", file)
        edge.refuse_read_only(output, "--output", force)
    try:
        if file in (None, "-"):
            if sys.stdin is None:
                raise OSError(9, "standard input is closed")
            stream = sys.stdin.buffer
        else:
            edge.refuse_device(file)  # /dev/zero has no line break: it would be read forever
            stream = open(file, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        where = "stdin" if file in (None, "-") else edge.safe_text(str(file))
        raise InputError([Problem("", f"cannot read: {exc.strerror or exc}")], where) from None
    summary = Summary()
    with stream, contextlib.ExitStack() as stack:
        write: Callable[[bytes, bool], None] = edge.write_out
        target = None
        if output is not None:
            stack.enter_context(_terminated_as_exit())  # before the file exists
            target = stack.enter_context(edge.ResultFile(output, "--output", force))
            write = target.write
        # Output is written in blocks. From a pipe or a terminal to stdout, the results so far
        # are also written out before every read that may wait for input, so a program feeding
        # records one by one gets each answer back at once (and a busy pipe costs no write per
        # line).
        pending: list[str] = []
        flush_first = None if output is not None else lambda: _flush(pending, write)
        reader = edge.waiting_reader(stream, flush_first)
        results = result_lines(edge.bounded_lines(reader), book, summary)
        if edge.stderr_is_terminal() and not quiet:
            with _progress() as update:
                _write_all(results, pending, summary, update, write)
        else:
            _write_all(results, pending, summary, None, write)
    summary.output_lost = target is not None and not target.written
    if not quiet:
        if target is not None and target.written:
            edge.say(f"results written to {output}")
        edge.say(summary.text())
    return summary


@contextlib.contextmanager
def _terminated_as_exit() -> Iterator[None]:
    """SIGTERM, SIGHUP or SIGQUIT while a result file is written: leave through the file's
    clean-up (which removes the unfinished file), not past it."""
    import signal
    import sys

    def stop(signum: int, frame: object) -> None:
        sys.exit(128 + signum)

    signals = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
    previous = {signum: signal.signal(signum, stop) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _flush(pending: list[str], write: Callable[[bytes, bool], None]) -> None:
    if pending:
        text = "".join(pending)
        pending.clear()
        write(text.encode("ascii"), True)


def _write_all(
    results: Iterable[str],
    pending: list[str],
    summary: Summary,
    show: Callable[[Summary], None] | None,
    write: Callable[[bytes, bool], None],
) -> None:
    for text in results:
        pending.append(text)
        if len(pending) >= 512:
            write("".join(pending).encode("ascii"), False)
            pending.clear()
        if show is not None and summary.lines % 1000 == 0:
            show(summary)
    write("".join(pending).encode("ascii"), True)
    pending.clear()


class _progress:
    """A spinner on stderr that never captures stdout, and puts the cursor back when a signal
    (SIGTERM, SIGHUP) ends the run."""

    def __enter__(self) -> Callable[[Summary], None]:
        import signal
        import sys

        from rich.progress import Progress, SpinnerColumn, TextColumn

        from neckcheck.cli.render import make_console

        # Its size checked (rich would read COLUMNS itself, and fail on one like "²").
        console = make_console(file=sys.stderr)
        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                            console=console, transient=True,
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
