"""The two ways a test runs the command line: `invoke`, in this process through typer's
CliRunner (most tests), and `process`, a real `neckcheck` process, for what needs one (a
pseudo-terminal, a signal, a closed or full standard stream, an install). Both give the
same record: returncode, stdout and stderr as text."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from neckcheck.cli import app


@dataclass(frozen=True)
class Done:
    """What one command line did: the streams as text, and as the bytes written."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    stdout_bytes: bytes = b""
    stderr_bytes: bytes = b""


def neckcheck_command() -> list[str]:
    """The installed console script next to this interpreter (what a user runs)."""
    script = Path(sys.executable).with_name("neckcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "neckcheck"]


def invoke(
    args: list[str],
    stdin: bytes | str | None = b"",
    env: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
) -> Done:
    """Run `neckcheck ARGS` in this process (CliRunner: its own stdin, stdout and stderr).
    `env`: variables set (a value None: unset) for the run only. An exception that the command
    line let through is raised here, so a test sees it as the bug it is."""
    runner = CliRunner()
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        result = runner.invoke(
            app, args, input=stdin, env=env, catch_exceptions=False, prog_name="neckcheck"
        )
    return Done(list(args), result.exit_code, result.stdout, result.stderr,
                result.stdout_bytes, result.stderr_bytes)  # fmt: skip


def process(
    args: list[str],
    stdin: bytes | str | None = b"",
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> Done:
    """Run `neckcheck ARGS` as a process of its own. `env`: variables added to this process's
    environment (the whole environment is never replaced, so the venv stays found)."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(
        [*neckcheck_command(), *args],
        input=data,
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **env} if env is not None else None,
        timeout=timeout,
        check=False,
    )
    return Done(list(args), done.returncode, done.stdout.decode(errors="replace"),
                done.stderr.decode(errors="replace"), done.stdout, done.stderr)  # fmt: skip


def wait_until_blocked(pid: int, *where: str, timeout: float = 30) -> None:
    """Wait until process `pid` is blocked in the kernel in one of `where` (words of the
    function /proc/PID/wchan names: "pipe" for a read of an empty pipe, "poll" or "select" for
    a wait on one), or has ended. Waits on that state, never for a guessed time."""
    proc = f"/proc/{pid}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"{proc}/stat", encoding="ascii") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return  # it ended: what it printed tells the test why
            with open(f"{proc}/wchan", encoding="ascii") as wchan:
                if any(word in wchan.read() for word in where):
                    return
        except FileNotFoundError:
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} was never blocked in {where}")


def can_see_where_processes_wait() -> bool:
    """Whether /proc shows where a process waits (Linux, wchan not hidden)."""
    try:
        with open(f"/proc/{os.getpid()}/wchan", encoding="ascii") as wchan:
            return wchan.read() != ""
    except OSError:
        return False
