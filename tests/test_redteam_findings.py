"""Red-team findings, each fixed: every test here failed before its fix (see its docstring)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli import invoke, neckcheck_command
from tests.spec import NO_INJURY

VALID = NO_INJURY  # a valid answer set: no injury, no red flag


def test_batch_output_onto_its_own_input_is_refused(tmp_path: Path) -> None:
    """batch --output naming the input file replaced the intake data with the results."""
    data = (json.dumps(VALID) + "\n").encode() * 3
    (tmp_path / "in.jsonl").write_bytes(data)
    done = invoke(["batch", "in.jsonl", "--output", "in.jsonl"], cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert (tmp_path / "in.jsonl").read_bytes() == data


def test_batch_output_onto_its_own_stdin_file_is_refused(tmp_path: Path) -> None:
    """batch --output FILE < FILE replaces the intake data with the results (data loss)."""
    data = (json.dumps(VALID) + "\n").encode() * 3
    (tmp_path / "in.jsonl").write_bytes(data)
    with open(tmp_path / "in.jsonl", "rb") as stdin:  # a real file as stdin: a process
        done = subprocess.run([*neckcheck_command(), "batch", "--output", "in.jsonl"],
                              cwd=tmp_path, stdin=stdin, capture_output=True, timeout=60,
                              check=False)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert (tmp_path / "in.jsonl").read_bytes() == data


def test_screen_report_onto_the_answers_file_is_refused(tmp_path: Path) -> None:
    """screen --answers F --report F overwrites the answers with a Markdown report (data loss)."""
    text = json.dumps(VALID)
    (tmp_path / "a.json").write_text(text)
    done = invoke(["screen", "--answers", "a.json", "--report", "a.json"], cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert (tmp_path / "a.json").read_text() == text


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGQUIT])
def test_batch_output_leaves_no_temporary_file_on_hangup_or_quit(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """SIGHUP/SIGQUIT during batch --output leave a .neckcheck.*.tmp file of health data behind."""
    (tmp_path / "out.jsonl").write_text("old\n")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen([*neckcheck_command(), "batch", str(fifo), "--output", "out.jsonl"],
                            cwd=tmp_path, stderr=subprocess.PIPE)  # fmt: skip
    with open(fifo, "wb") as feed:
        feed.write((json.dumps(VALID) + "\n").encode())
        feed.flush()
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob(".neckcheck.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.01)  # waits on the state: the temporary file exists
        assert list(tmp_path.glob(".neckcheck.*.tmp")), "batch never began its file"
        proc.send_signal(sig)
        proc.communicate(timeout=30)
    assert (tmp_path / "out.jsonl").read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".neckcheck.")] == []


def test_batch_output_through_a_symlink_to_stdout_does_not_replace_the_link(
    tmp_path: Path,
) -> None:
    """--output LINK where LINK -> /proc/self/fd/1 (like /dev/stdout) and stdout is a file: the
    link itself is replaced by a new file (as root, `--output /dev/stdout` replaces the system's
    /dev/stdout) and nothing reaches stdout."""
    (tmp_path / "in.jsonl").write_text(json.dumps(VALID) + "\n")
    link = tmp_path / "mystdout"
    link.symlink_to("/proc/self/fd/1")
    with open(tmp_path / "stdout.txt", "wb") as out:
        command = [*neckcheck_command(), "batch", "in.jsonl", "--output", "mystdout"]
        done = subprocess.run(command, cwd=tmp_path, stdout=out, stderr=subprocess.PIPE,
                              timeout=60, check=False)  # fmt: skip
    assert link.is_symlink(), "the symbolic link was replaced by a regular file"
    assert done.returncode == 7, done.stderr  # the file was not written; the results were
    assert json.loads((tmp_path / "stdout.txt").read_bytes())["line"] == 1


def test_interview_ctrl_backslash_before_the_widget_restores_the_terminal(tmp_path: Path) -> None:
    """Ctrl-\\ (SIGQUIT) typed while the first question's words are up, before the choice list,
    kills neckcheck with the terminal left in -echo -icanon (keys held, never put back)."""
    pexpect = pytest.importorskip("pexpect")
    before, after = tmp_path / "before", tmp_path / "after"
    script = (f"trap : INT QUIT; stty -g > {before}; {' '.join(neckcheck_command())} screen; "
              f"echo RC=$?; stty -g > {after}")  # fmt: skip
    child = pexpect.spawn("sh", ["-c", script], encoding="utf-8", timeout=20)
    child.expect("How old")
    child.send("\x1c")
    child.expect(r"RC=(\d+)")
    child.expect(pexpect.EOF)
    assert after.read_text() == before.read_text()


def test_a_hand_edited_compiled_copy_with_its_digest_recomputed_is_not_trusted_as_proved(
    rules_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shipped-folder rulebook.compiled.json edited by hand (day limits 14 -> 13) with its
    digest recomputed is screened as proved, with no warning: a head injury 14 days ago gets the
    technique instead of emergency care (the stored proof record is trusted, never re-proved,
    and nothing checks that the compiled rulebook is what the YAML compiles to)."""
    from neckcheck.api import load_rulebook, screen
    from neckcheck.core.errors import RulesError
    from neckcheck.rulebook import load as rb

    compiled = rules_copy / "rulebook.compiled.json"
    stored = json.loads(compiled.read_text())
    stored["rulebook"] = json.loads(
        json.dumps(stored["rulebook"]).replace('"lte": 14', '"lte": 13')
    )
    stored["digest"] = rb.compiled_digest(stored)
    compiled.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n")
    monkeypatch.setattr(rb, "default_rules_path", lambda: str(rules_copy))
    answers = {**VALID, "injury": "fall", "days_since_injury": 14, "head_injury": "yes",
               "fall_direction": "forward", "dangerous_mechanism": "no", "neck_mark": "no",
               "possible_fracture": "no", "blood_thinners": "no", "intoxicated": "no",
               "can_rotate_45": "yes"}  # fmt: skip
    try:
        book = load_rulebook()
    except RulesError:
        return  # refused: fine
    decision = screen(answers, book)
    assert book.warning is not None or decision.disposition == "emergency", decision.disposition
