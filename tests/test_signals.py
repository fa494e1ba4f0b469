"""Signals that end the program while a requested file is being written (issue 28, item 1).

A file asked for with --save, --report or batch --output is written to a hidden temporary file
(`.neckcheck.*.tmp`, mode 0600, the whole report in it) and renamed into place when complete. A
signal that ends the program before the rename must leave no temporary file behind, and the
target absent or as it was.

The moment is made observable, never waited for with a sleep: the child runs the real command
line with os.fsync held at a gate. When the temporary file is written and about to be flushed,
the child says so on a pipe and waits; the test reads that, checks that the temporary file
exists, sends the signal, and then looks at the folder."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from neckcheck.cli import unfinished
from tests.spec import BASELINE

EMERGENCY = json.dumps(BASELINE | {"vascular_signs": "yes", "signs_recent": "yes"})

# The child: neckcheck's own main, with os.fsync held until the test opens the gate (or ends
# the child with a signal). argv: ready-fd gate-fd neckcheck-arguments...
GATED_CHILD = """
import os, sys
ready, gate = int(sys.argv[1]), int(sys.argv[2])
flush = os.fsync
def held(fd):
    os.write(ready, b"x")
    os.read(gate, 1)
    flush(fd)
os.fsync = held
sys.argv = ["neckcheck", *sys.argv[3:]]
from neckcheck.cli.commands import main
main()
"""

SIGNALS = ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM"]
TARGETS = {
    "--save": ["screen", "--save"],
    "--report": ["screen", "--report"],
    "--output": ["batch", "--quiet", "--output"],
}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".neckcheck."))


class Gated:
    """A neckcheck child process held at its file's fsync."""

    def __init__(self, args: list[str], folder: Path, stdin: bytes, ignore: int | None) -> None:
        self.ready_r, ready_w = os.pipe()
        gate_r, self.gate_w = os.pipe()

        def before() -> None:
            if ignore is not None:  # as `nohup` does for SIGHUP
                signal.signal(ignore, signal.SIG_IGN)

        self.process = subprocess.Popen(
            [sys.executable, "-c", GATED_CHILD, str(ready_w), str(gate_r), *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=folder,
            pass_fds=(ready_w, gate_r), preexec_fn=before,
        )  # fmt: skip
        os.close(ready_w)
        os.close(gate_r)
        assert self.process.stdin is not None
        self.process.stdin.write(stdin)
        self.process.stdin.close()
        self.process.stdin = None  # given in full: communicate has nothing more to send

    def wait_until_held(self) -> None:
        """Block until the child is at the gate: its temporary file written, not yet renamed."""
        readable, _, _ = select.select([self.ready_r], [], [], 120)
        assert readable, "the child never reached its file's fsync"
        assert os.read(self.ready_r, 1) == b"x", self.process.communicate()

    def open_gate(self) -> None:
        os.write(self.gate_w, b"x")

    def finish(self) -> tuple[int, bytes, bytes]:
        out, err = self.process.communicate(timeout=120)
        os.close(self.ready_r)
        os.close(self.gate_w)
        return self.process.returncode, out, err


@contextmanager
def gated(option: str, folder: Path, ignore: int | None = None) -> Iterator[tuple[Gated, Path]]:
    target = folder / "kept.out"
    args = [*TARGETS[option], str(target)]
    stdin = (EMERGENCY + "\n").encode()
    child = Gated(args, folder, stdin, ignore)
    try:
        yield child, target
    finally:
        if child.process.poll() is None:
            child.process.kill()
            child.process.wait()


@pytest.mark.parametrize("option", sorted(TARGETS))
@pytest.mark.parametrize("name", SIGNALS)
def test_a_signal_during_the_write_leaves_nothing_behind(
    tmp_path: Path, option: str, name: str
) -> None:
    signum = getattr(signal, name)
    with gated(option, tmp_path) as (child, target):
        child.wait_until_held()
        assert len(leftovers(tmp_path)) == 1  # the state under test: the report is on disk
        child.process.send_signal(signum)
        code, out, err = child.finish()
    assert leftovers(tmp_path) == []
    assert not target.exists()
    assert code == 128 + signum, err  # as the signal ends the program, never as a crash
    assert out == b""  # the files come before the decision: nothing was printed
    assert b"Traceback" not in err
    assert b"internal error" not in err


def test_the_file_is_complete_when_the_signal_comes_after_the_write(tmp_path: Path) -> None:
    with gated("--save", tmp_path) as (child, target):
        child.wait_until_held()
        child.open_gate()
        code, out, err = child.finish()
    assert code == 5, err
    assert b"EMERGENCY" in out
    assert json.loads(target.read_text(encoding="utf-8"))["vascular_signs"] == "yes"
    assert leftovers(tmp_path) == []


def test_a_signal_the_parent_ignores_stays_ignored(tmp_path: Path) -> None:
    """`nohup neckcheck screen --save ...`: a hang-up neither ends the run nor loses the file."""
    with gated("--report", tmp_path, ignore=signal.SIGHUP) as (child, target):
        child.wait_until_held()
        child.process.send_signal(signal.SIGHUP)
        child.open_gate()
        code, out, err = child.finish()
    assert code == 5, err
    assert b"EMERGENCY" in out
    assert "EMERGENCY" in target.read_text(encoding="utf-8")
    assert leftovers(tmp_path) == []


def test_the_handlers_are_put_back_once_no_file_is_unfinished(tmp_path: Path) -> None:
    before = {signum: signal.getsignal(signum) for signum in unfinished.ending_signals()}
    first, first_path = unfinished.create(str(tmp_path))
    second, second_path = unfinished.create(str(tmp_path))
    try:
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
        unfinished.forget(first_path)
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]  # one is left
    finally:
        for fd, path in ((first, first_path), (second, second_path)):
            os.close(fd)
            os.unlink(path)
        unfinished.forget(second_path)
    assert {signum: signal.getsignal(signum) for signum in before} == before
    assert list(tmp_path.iterdir()) == []


def test_an_unfinished_file_is_private(tmp_path: Path) -> None:
    fd, path = unfinished.create(str(tmp_path))
    try:
        assert os.stat(path).st_mode & 0o777 == 0o600
    finally:
        os.close(fd)
        os.unlink(path)
        unfinished.forget(path)
