"""The console script `neckcheck` and `python -m neckcheck`: Ctrl-C never prints a traceback,
from this module's first statement on.

Starting takes a while (typer, click and the rest are imported; on a loaded machine 100 ms and
more), and Python's own SIGINT handler raises KeyboardInterrupt wherever the program is: inside
an import, that is a traceback. So this module imports nothing at its top, and the first thing
`main` does is to make SIGINT end the program quietly: one line, exit 130 (the contract's
"interrupted"). Only when the command is about to run does Ctrl-C raise KeyboardInterrupt
again, so that the command unwinds (a file being written is removed, the terminal is put back)
and `edge.run` says "interrupted"; once it is done, a late Ctrl-C ends the program quietly
again. What runs before this module (the interpreter's start-up, the console script's own
`import re`) is not the program's to guard.
"""

# Neither `typing` nor `from __future__ import ...` (each imports a module): what this module
# costs before `main` runs is start-up that no handler guards yet.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType
    from typing import NoReturn

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as edge.EXIT_INTERRUPTED (not imported: it is not cheap)


def _stop(signum: int = 0, frame: "FrameType | None" = None) -> "NoReturn":
    """End the program: nothing is under way that needs undoing (no file is being written, no
    result is half-printed), so nothing but one line is said. SystemExit prints no traceback,
    wherever it is raised."""
    import os  # loaded by the interpreter's own start-up: this imports nothing

    # Not contextlib.suppress: the signal may come while contextlib itself is half imported.
    try:  # noqa: SIM105
        os.write(2, b"neckcheck: interrupted\n")
    except OSError:  # stderr closed or full: the exit code says it
        pass
    raise SystemExit(EXIT_INTERRUPTED)


def main() -> None:
    """The `neckcheck` command."""
    try:
        import signal

        signal.signal(signal.SIGINT, _stop)
        from neckcheck.cli import edge  # noqa: F401 - imported here, under the quiet handler
        from neckcheck.cli.commands import main as command_line

        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            command_line()
        finally:  # the command is done (its exit code on its way): a late Ctrl-C is quiet
            signal.signal(signal.SIGINT, _stop)
    except KeyboardInterrupt:  # one that came before the handler was set
        _stop()
