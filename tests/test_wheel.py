"""The wheel carries the rules: installed into a fresh venv, neckcheck screens from anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO, neckcheck_command
from tests.spec import BASELINE

pytestmark = pytest.mark.slow


def sh(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_wheel_installs_and_screens_from_another_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, REPO)
    wheel = next(dist.glob("neckcheck-*.whl"))

    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "neckcheck/rules/decisions.yaml" in names
    assert "neckcheck/rules/questions.yaml" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    sh(python, "-m", "pip", "install", "--quiet", wheel)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    answers = elsewhere / "answers.json"
    answers.write_text(json.dumps(BASELINE), encoding="utf-8")
    installed = subprocess.run(
        [env_dir / "bin" / "neckcheck", "screen", "--answers", answers, "--json"],
        capture_output=True, text=True, cwd=elsewhere, timeout=120, check=False,
    )  # fmt: skip
    checkout = subprocess.run(
        [*neckcheck_command(), "screen", "--answers", answers, "--json"],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert installed.returncode == checkout.returncode == 0, installed.stderr
    assert json.loads(installed.stdout) == json.loads(checkout.stdout)
    # The installed copy reads its own packaged rules, not the checkout's.
    where = sh(python, "-c", "import neckcheck.rulebook as r; print(r.default_rules_dir())",
               cwd=elsewhere).stdout.strip()  # fmt: skip
    assert str(env_dir) in where
