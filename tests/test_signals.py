"""Signals that end the program while a requested file is being written (issue 28, item 1), and
Ctrl-C from the first statement of start-up on (item 4).

A file asked for with --save, --report or batch --output is written to a hidden temporary file
(`.neckcheck.*.tmp`, mode 0600, the whole report in it) and renamed into place when complete. A
signal that ends the program before the rename must leave no temporary file behind, and the
target absent or as it was.

The moment is made observable, never waited for with a sleep: the child runs the real command
line with os.fsync held at a gate. When the temporary file is written and about to be flushed,
the child says so on a pipe and waits; the test reads that, checks that the temporary file
exists, sends the signal, and then looks at the folder. Start-up is held the same way, inside
the import of typer (the slow part of starting), by an import hook of the child's."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def default_signals() -> None:
    """In the child: every signal tested as a terminal's user would send it, with its default
    action (a shell that starts tests in the background has them ignore SIGINT)."""
    for name in SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)


class Gated:
    """A neckcheck child process held at a gate (by default its file's fsync)."""

    def __init__(
        self,
        args: list[str],
        folder: Path,
        stdin: bytes,
        ignore: int | None = None,
        child: str = GATED_CHILD,
    ) -> None:
        self.ready_r, ready_w = os.pipe()
        gate_r, self.gate_w = os.pipe()

        def before() -> None:
            default_signals()
            if ignore is not None:  # as `nohup` does for SIGHUP
                signal.signal(ignore, signal.SIG_IGN)

        self.process = subprocess.Popen(
            [sys.executable, "-c", child, str(ready_w), str(gate_r), *args],
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
        """Block until the child is at the gate (its temporary file written, not yet renamed)."""
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
    assert json.loads(target.read_text(encoding="utf-8"))["answers"]["vascular_signs"] == "yes"
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


def test_a_signal_between_creating_and_tracking_the_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worst moment: the file exists and its name is not yet known to anyone. The signal
    waits until the file is tracked, and then removes it."""
    import tempfile
    import threading

    make = tempfile.mkstemp

    def make_then_signal(*args: Any, **kwargs: Any) -> tuple[int, str]:
        made: tuple[int, str] = make(*args, **kwargs)
        # As another program's `kill -USR1` reaches the one thread of a neckcheck process. A
        # test worker has more threads (xdist's), and a signal sent to the whole process
        # could go to one that does not hold it back.
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGUSR1)
        return made

    monkeypatch.setattr(tempfile, "mkstemp", make_then_signal)
    before = signal.getsignal(signal.SIGUSR1)
    with pytest.raises(SystemExit) as ended:
        unfinished.create(str(tmp_path))
    assert ended.value.code == 128 + signal.SIGUSR1
    assert list(tmp_path.iterdir()) == []
    unfinished.forget("")  # nothing is tracked: the handlers go back
    assert signal.getsignal(signal.SIGUSR1) is before


def test_an_unfinished_file_is_private(tmp_path: Path) -> None:
    fd, path = unfinished.create(str(tmp_path))
    try:
        assert os.stat(path).st_mode & 0o777 == 0o600
    finally:
        os.close(fd)
        os.unlink(path)
        unfinished.forget(path)


# ---- Ctrl-C during start-up (item 4) ----

# The child: start-up held inside the import of typer until the test opens the gate.
# argv: ready-fd gate-fd neckcheck-arguments...
HELD_START = """
import os, sys
ready, gate = int(sys.argv[1]), int(sys.argv[2])
class Hold:
    def find_spec(self, name, path=None, target=None):
        if name == "typer":
            sys.meta_path.remove(self)
            os.write(ready, b"x")
            os.read(gate, 1)
        return None
sys.meta_path.insert(0, Hold())
sys.argv = ["neckcheck", *sys.argv[3:]]
"""
ENTRIES = {
    "console script": "from neckcheck.cli.entry import main\nmain()\n",
    "python -m neckcheck": "import runpy\nrunpy.run_module('neckcheck', run_name='__main__')\n",
}


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_ctrl_c_while_starting_is_one_line_and_130(tmp_path: Path, entry: str) -> None:
    stdin = EMERGENCY.encode()
    child = Gated(["screen", "--json"], tmp_path, stdin, child=HELD_START + ENTRIES[entry])
    try:
        child.wait_until_held()  # inside the import of typer
        child.process.send_signal(signal.SIGINT)
        code, out, err = child.finish()
    finally:
        if child.process.poll() is None:
            child.process.kill()
    # Ended by SIGINT itself, as an uncaught Ctrl-C ends a program: a shell's $? is 130.
    assert (code, out, err) == (-signal.SIGINT, b"", b"neckcheck: interrupted\n")


def test_ctrl_c_ignored_by_the_parent_stays_ignored_while_starting(tmp_path: Path) -> None:
    start = HELD_START + ENTRIES["console script"]
    child = Gated(["screen", "--json"], tmp_path, EMERGENCY.encode(), signal.SIGINT, start)
    try:
        child.wait_until_held()
        child.process.send_signal(signal.SIGINT)
        child.open_gate()
        code, out, err = child.finish()
    finally:
        if child.process.poll() is None:
            child.process.kill()
    assert code == 5, err
    assert json.loads(out)["exit_code"] == 5


def test_the_console_script_starts_from_the_guarded_entry() -> None:
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="neckcheck")
    assert script.value == "neckcheck.cli.entry:main"


def test_importing_the_entry_loads_no_module_but_neckcheck_own() -> None:
    """The console script imports neckcheck.cli.entry, and with it its packages, before `main`
    can make Ctrl-C quiet: a module of the standard library imported then (typing, 40 ms and
    more on a loaded machine) widens the moment where Ctrl-C prints Python's traceback."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import neckcheck.cli.entry\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    loaded = done.stdout.decode().split()
    assert [name for name in loaded if name.split(".")[0] != "neckcheck"] == []


def guarded_frames(err: bytes) -> list[str]:
    """The frames of a traceback that ran in neckcheck's shell from the entry's `main` on: any
    frame in neckcheck/cli/ but the execution of the entry module itself (and its package)
    while the console script imports it, which comes before `main` can guard anything."""
    inside = os.path.join("neckcheck", "cli", "")
    frames = [line.strip() for line in err.decode(errors="replace").splitlines()]
    return [
        frame
        for frame in frames
        if frame.startswith("File ") and inside in frame
        and not (frame.endswith("in <module>") and ("entry.py" in frame or "__init__.py" in frame))
    ]  # fmt: skip


@pytest.mark.parametrize("delay_ms", [20, 50, 100, 200])
def test_ctrl_c_at_a_given_moment_of_start_up_prints_no_traceback_of_neckcheck(
    delay_ms: int,
) -> None:
    """The moment is what is tested, so the signal is sent at it. What runs before the first
    statement of neckcheck (the interpreter's start-up, the console script's `import re`) can
    still be interrupted with Python's traceback; no traceback runs through neckcheck's code."""
    from tests.cli import neckcheck_command

    for _ in range(3):
        process = subprocess.Popen(
            [*neckcheck_command(), "screen", "--json"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=default_signals,
        )  # fmt: skip
        assert process.stdin is not None
        process.stdin.write(EMERGENCY.encode())
        process.stdin.close()
        process.stdin = None
        time.sleep(delay_ms / 1000)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
        assert guarded_frames(err) == [], err.decode(errors="replace")
        if process.returncode == 5:  # it was done before the signal came
            assert json.loads(out)["exit_code"] == 5
        elif b"Traceback" not in err:
            assert process.returncode in (130, -signal.SIGINT), err
            assert err in (b"", b"neckcheck: interrupted\n")


# ---- Files that vanish mid-run ----


@pytest.mark.parametrize("vanishes", ["the temporary file", "the folder"])
def test_batch_results_survive_their_file_vanishing_before_the_rename(
    tmp_path: Path, vanishes: str
) -> None:
    """Another program removes the temporary file (or its whole folder) while batch finishes
    it: the rename fails, every result still goes to stdout, read back from the open file, and
    the exit code says that the file asked for was not written (7)."""
    import shutil

    folder = tmp_path / "out"
    folder.mkdir()
    with gated("--output", folder) as (child, _target):
        child.wait_until_held()
        if vanishes == "the folder":
            shutil.rmtree(folder)
        else:
            for path in folder.iterdir():
                path.unlink()
        child.open_gate()
        code, out, err = child.finish()
    assert code == 7, err
    (line,) = out.decode().splitlines()
    assert json.loads(line)["disposition"] == "emergency"
    assert b"the results were not written to this file" in err
