"""Numbers from the environment (issue 28, item 2): one function reads them all. A display size
that is not a plain whole number is ignored and never costs the decision; a proof setting that
is not is refused in one line naming it. `str.isdigit()` accepted "²", which `int()` refuses."""

from __future__ import annotations

import json
import os
import subprocess

import pexpect
import pytest

from neckcheck.cli.settings import SETTINGS, number_from_environment
from neckcheck.core.errors import UsageProblem
from tests.cli import neckcheck_command
from tests.spec import BASELINE

EMERGENCY = json.dumps(BASELINE | {"vascular_signs": "yes", "signs_recent": "yes"})

# Every shape a size can take that is not a plain whole number in range.
BAD = ["²", "٣", "-1", "0", "1e3", "+80", "80.0", "0x50", "8 0", "\u200980", "9" * 5000, "abc"]
BLANK = ["", " ", "\t"]


def run(
    args: list[str], env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*neckcheck_command(), *args], input=stdin.encode(), env=env,
                          capture_output=True, timeout=120, check=False)  # fmt: skip


def environment(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return env | changes


@pytest.mark.parametrize("value", BAD + BLANK)
@pytest.mark.parametrize("name", ["COLUMNS", "LINES"])
def test_a_bad_display_size_is_ignored(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    assert number_from_environment(name) is None


@pytest.mark.parametrize(("value", "number"), [("80", 80), (" 132 ", 132), ("1", 1)])
def test_a_plain_whole_number_is_used(
    monkeypatch: pytest.MonkeyPatch, value: str, number: int
) -> None:
    for name in SETTINGS:
        monkeypatch.setenv(name, value)
        assert number_from_environment(name) == number


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("name", ["NECKCHECK_VERIFY_TIMEOUT_MS", "NECKCHECK_VERIFY_RLIMIT"])
def test_a_bad_proof_setting_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(UsageProblem) as caught:
        number_from_environment(name)
    (line,) = caught.value.lines()
    assert name in line
    assert len(line) < 200  # 5,000 digits are not echoed


def test_an_unset_or_blank_proof_setting_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NECKCHECK_VERIFY_TIMEOUT_MS", raising=False)
    assert number_from_environment("NECKCHECK_VERIFY_TIMEOUT_MS") is None
    monkeypatch.setenv("NECKCHECK_VERIFY_RLIMIT", " ")
    assert number_from_environment("NECKCHECK_VERIFY_RLIMIT") is None


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "-1", "1e3"])
@pytest.mark.parametrize(("name", "args"), [("COLUMNS", ["screen"]),
                                            ("LINES", ["screen", "--explain"])])  # fmt: skip
def test_the_decision_survives_an_odd_size(name: str, args: list[str], value: str) -> None:
    done = run(args, environment(**{name: value}), EMERGENCY)
    assert done.returncode == 5, done.stderr
    assert b"EMERGENCY" in done.stdout
    assert done.stderr == b""


@pytest.mark.parametrize("value", ["²", "0", "9" * 5000])
@pytest.mark.parametrize("name", ["NECKCHECK_VERIFY_TIMEOUT_MS", "NECKCHECK_VERIFY_RLIMIT"])
def test_rules_check_refuses_a_bad_proof_setting_before_anything(name: str, value: str) -> None:
    done = run(["rules", "check"], environment(**{name: value}))
    assert done.returncode == 2
    assert done.stdout == b""
    (line,) = done.stderr.decode().splitlines()
    assert line.startswith("neckcheck: usage error: ")
    assert name in line


def test_the_batch_progress_line_survives_an_odd_width(tmp_path: object) -> None:
    """rich reads COLUMNS by itself unless it is handed a width: the progress line on a
    terminal's stderr is handed the checked one."""
    command = " ".join(neckcheck_command())
    child = pexpect.spawn("bash", ["-c", f"{command} batch > /dev/null <<< '{EMERGENCY}'"],
                          env=environment(COLUMNS="²", TERM="xterm"), timeout=120,
                          encoding="utf-8")  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "internal error" not in (child.before or "")
