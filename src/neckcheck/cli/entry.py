"""The console script `neckcheck` and `python -m neckcheck`: Ctrl-C never prints a traceback,
from this module's first statement on.

Starting takes a while (typer, click and the rest are imported; on a loaded machine 100 ms and
more), and Python's own SIGINT handler raises KeyboardInterrupt wherever the program is: inside
an import, that is a traceback. So this module imports nothing at its top, and the first thing
`main` does is to make SIGINT end the program quietly: one line, and the process ends by
SIGINT itself, as an uncaught Ctrl-C ends any program (the shell's $? is 130, the contract's
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
    """End the program at once, as Ctrl-C ends a program that does not catch it: nothing is
    under way that needs undoing (no file is being written, no result is half-printed), so
    one line is said and SIGINT itself ends the process (the shell's $? is 130). Not an
    exception: one raised here could land anywhere in an import, where Python may turn it
    into another (an error calling __set_name__) and print a traceback after all."""
    import os  # loaded by the interpreter's own start-up: this imports nothing
    import signal  # loaded by `main` before this handler was set

    # Not contextlib.suppress: the signal may come while contextlib itself is half imported.
    try:  # noqa: SIM105
        os.write(2, b"neckcheck: interrupted\n")
    except OSError:  # stderr closed or full: the exit status says it
        pass
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.raise_signal(signal.SIGINT)
    raise SystemExit(EXIT_INTERRUPTED)  # only if SIGINT could not end it (held back)


def warnings_never_raise() -> None:
    """Every warnings filter that would raise a warning as an error shows it instead (once per
    place, as the "default" action does); the other filters are kept as they are, in their
    order. PYTHONWARNINGS=error (or -W error) would otherwise turn a library's deprecation
    notice into a traceback and exit code 1, which the exit codes keep for neckcheck's bugs."""
    import warnings  # loaded by the interpreter's own start-up: this imports nothing

    kept = list(warnings.filters)
    if not any(action == "error" for action, *_ in kept):
        return
    warnings.resetwarnings()
    for action, message, category, module, lineno in kept:
        # A filter's message and module are kept compiled, or as text when set at start-up.
        warnings.filterwarnings(
            "default" if action == "error" else action,  # type: ignore[arg-type]
            str(getattr(message, "pattern", message) or ""),
            category if isinstance(category, type) else Warning,
            str(getattr(module, "pattern", module) or ""),
            lineno,
            append=True,
        )


def keep_validation_private() -> None:
    """No pydantic plugin installed beside neckcheck sees the answers it validates: a plugin
    (any package with a `pydantic` entry point) is handed every value validated, and may record
    or send it, where the program promises no telemetry. pydantic's documented switch, read
    when the first validator is built; set for this process only. It also spares the search of
    every installed package's entry points, and a broken plugin's import failing the command."""
    import os  # loaded by the interpreter's own start-up: this imports nothing

    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"


def main() -> None:
    """The `neckcheck` command."""
    try:
        import signal

        # Only where Ctrl-C would raise KeyboardInterrupt: a SIGINT ignored when the program
        # started (a background job of a script, `nohup`) stays ignored.
        guarded = signal.getsignal(signal.SIGINT) is signal.default_int_handler
        if guarded:
            signal.signal(signal.SIGINT, _stop)
        warnings_never_raise()  # before typer and the rest are imported
        keep_validation_private()
        import neckcheck.cli.edge as edge  # noqa: F401 - imported here, under the quiet handler
        from neckcheck.cli.commands import main as command_line

        if guarded:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            command_line()
        finally:  # the command is done (its exit code on its way): a late Ctrl-C is quiet
            if guarded:
                signal.signal(signal.SIGINT, _stop)
    except KeyboardInterrupt:  # one that came before the handler was set
        _stop()
