"""The `neckcheck` command's front door.

Scripts start neckcheck once per answer set, so the scripted JSON paths (`screen ... --json`
with answers given or piped, and `batch`) are served here from the core alone: no typer, rich,
questionary, pydantic or PyYAML is imported for them. Everything else (the interview, text
output, help, the rules commands, any option this door does not know) goes to the typer CLI, which
handles it fully; both call the same core functions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

from neckcheck.errors import InputError, NeckcheckError, Problem


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # stdin closed
        return False


def read_input(answers: str | None) -> tuple[bytes, str]:
    """The raw answer bytes and a name for messages, from a file, '-' or piped stdin."""
    if answers is None or answers == "-":
        data = sys.stdin.buffer.read()
        if answers is None and not data.strip():
            raise InputError(
                [Problem("", "no answers: nothing was piped in and there is no terminal to "
                             "ask in; give --answers FILE or pipe JSON in")],
                "neckcheck screen",
            )  # fmt: skip
        return data, "stdin"
    try:
        with open(answers, "rb") as file:
            return file.read(), answers
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(
            [Problem("", f"cannot read the answers file: {reason}")], answers
        ) from None


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that went away


def quiet_exit_on_broken_pipe() -> NoReturn:
    """The reader of our output went away (e.g. `| head -1`): nothing more can be said, and no
    traceback either. Point stdout at /dev/null so that the final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_BROKEN_PIPE)


class _PipeGuard:
    """stdout, but a broken pipe ends the program quietly wherever the write happens (typer
    would otherwise turn it into exit code 1, which SPEC.md keeps for bugs)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            quiet_exit_on_broken_pipe()

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            quiet_exit_on_broken_pipe()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def run_guarded(command: Callable[[], int]) -> NoReturn:
    """Run a command and exit with its code; errors become messages on stderr, never tracebacks."""
    if not isinstance(sys.stdout, _PipeGuard):
        sys.stdout = _PipeGuard(sys.stdout)
    try:
        code = command()
        sys.stdout.flush()
    except NeckcheckError as exc:
        for line in exc.lines():
            print(f"neckcheck: {line}", file=sys.stderr)
        code = exc.exit_code
    except BrokenPipeError:
        quiet_exit_on_broken_pipe()
    sys.exit(code)


def _screen_json_args(args: list[str]) -> tuple[bool, str | None]:
    """(served, the --answers value): served is True only when `args` are exactly what the fast
    screen path handles; anything else goes to the full command line."""
    answers: str | None = None
    seen_json = False
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--json" and not seen_json:
            seen_json = True
        elif arg in ("--answers", "-a") and rest and answers is None:
            answers = rest.pop(0)
        elif arg.startswith("--answers=") and answers is None:
            answers = arg.split("=", 1)[1]
        else:
            return False, None
    if not seen_json or (answers is None and stdin_is_terminal()):
        return False, None
    return True, answers


def _fast_screen(answers: str | None) -> int:
    from neckcheck.answers import parse_json
    from neckcheck.engine import screen
    from neckcheck.render import to_json
    from neckcheck.rulebook import load_rulebook

    book = load_rulebook()
    data, source = read_input(answers)
    decision = screen(parse_json(data, source), book, source)
    sys.stdout.write(to_json(decision) + "\n")
    return decision.exit_code


def _fast_batch(file: str | None) -> int:
    from neckcheck.batch import run_batch
    from neckcheck.rulebook import load_rulebook

    summary = run_batch(file, load_rulebook())
    return 2 if summary.errors else 0


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["screen"]:
        served, answers = _screen_json_args(args[1:])
        if served:
            run_guarded(lambda: _fast_screen(answers))
    elif args[:1] == ["batch"] and len(args) <= 2:
        file = args[1] if len(args) == 2 else None
        if file is None or file == "-" or not file.startswith("-"):
            run_guarded(lambda: _fast_batch(file))
    from neckcheck.cli import main as full_main

    full_main()
