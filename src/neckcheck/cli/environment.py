"""The program's surroundings, held in one object that the commands write through: the standard
streams (as text and as bytes), whether stdin and stderr are terminals, the environment
variables, and the rich consoles made on the streams.

The default one is the process's own, read when it is asked for: typer's CliRunner swaps
sys.stdin, sys.stdout and sys.stderr, so a test sees what a command reads and writes without a
process of its own. A test may also pass one of its own (`CliRunner().invoke(app, args,
obj=Environment(...))`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, TextIO

import neckcheck.cli.edge as edge

if TYPE_CHECKING:
    from rich.console import Console


def _buffer(stream: TextIO | None) -> IO[bytes] | None:
    buffer: IO[bytes] | None = getattr(stream, "buffer", None)
    return buffer


@dataclass(frozen=True)
class Environment:
    """The standard streams (None: closed) and the environment variables of one run."""

    stdin: TextIO | None
    stdout: TextIO | None
    stderr: TextIO | None
    environ: Mapping[str, str]

    @classmethod
    def current(cls) -> Environment:
        """The process's streams and variables as they are now."""
        return cls(sys.stdin, sys.stdout, sys.stderr, os.environ)

    @property
    def stdin_bytes(self) -> IO[bytes] | None:
        return _buffer(self.stdin)

    @property
    def stdout_bytes(self) -> IO[bytes] | None:
        return _buffer(self.stdout)

    @property
    def stderr_bytes(self) -> IO[bytes] | None:
        return _buffer(self.stderr)

    def stdin_is_terminal(self) -> bool:
        return edge.is_terminal(self.stdin)

    def stderr_is_terminal(self) -> bool:
        return edge.is_terminal(self.stderr)

    def write_out(self, data: bytes, flush: bool = True) -> None:
        """Result bytes to stdout (see edge.write_bytes for what a failure becomes)."""
        edge.write_bytes(self.stdout, data, flush)

    def print(self, text: str) -> None:
        """Result text to stdout, as UTF-8."""
        self.write_out(text.encode("utf-8"))

    def say(self, message: str) -> None:
        """One line on stderr, prefixed and escaped; a closed or full stderr loses it."""
        edge.say_to(self.stderr, message)

    def console(self, plain: bool = False) -> Console:
        """A rich console on stdout for a result; `plain`: no escape sequence at all."""
        from neckcheck.cli.render import make_console

        return make_console(self.stdout, plain=plain)
