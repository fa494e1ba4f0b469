"""Packaging passes the ecosystem's own checks: `python -m build` makes a wheel and an sdist that
both carry the rules, `twine check` passes, and each installs into a fresh venv and screens."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, neckcheck_command
from tests.spec import BASELINE

pytestmark = pytest.mark.slow

RULE_FILES = ("rulebook.yaml", "questions.yaml", "decisions.yaml", "cautions.yaml",
              "outcomes.yaml", "technique.yaml", "rulebook.compiled.json")  # fmt: skip


def sh(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                          timeout=900, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    sh(sys.executable, "-m", "build", "--outdir", out, REPO)
    return out


def test_wheel_and_sdist_carry_the_rules(dist: Path) -> None:
    wheel = next(dist.glob("neckcheck-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"neckcheck/rules/{name}" for name in RULE_FILES} <= names
    sdist = next(dist.glob("neckcheck-*.tar.gz"))
    with tarfile.open(sdist) as archive:
        members = {m.split("/", 1)[1] for m in archive.getnames() if "/" in m}
    assert {f"rules/{name}" for name in RULE_FILES} <= members
    assert "README.md" in members


def test_twine_check_passes(dist: Path) -> None:
    out = sh(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert out.count("PASSED") == 2


@pytest.mark.parametrize("kind", ["whl", "tar.gz"])
def test_each_artifact_installs_and_screens(dist: Path, tmp_path: Path, kind: str) -> None:
    artifact = next(dist.glob(f"neckcheck-*.{kind}"))
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    sh(env / "bin" / "python", "-m", "pip", "install", "--quiet", artifact)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(BASELINE), encoding="utf-8")
    done = subprocess.run([env / "bin" / "neckcheck", "screen", "--answers", answers, "--json"],
                          capture_output=True, text=True, cwd=tmp_path, check=False)  # fmt: skip
    checkout = subprocess.run([*neckcheck_command(), "screen", "--answers", answers, "--json"],
                              capture_output=True, text=True, cwd=REPO, check=False)  # fmt: skip
    assert done.returncode == checkout.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(checkout.stdout)  # the same decision
    # The installed copy reads its own packaged rules, not the checkout's.
    probe = "import neckcheck.rulebook as r; print(r.default_rules_path())"
    where = sh(env / "bin" / "python", "-c", probe, cwd=tmp_path)
    assert str(env) in where
    check = subprocess.run([env / "bin" / "neckcheck", "rules", "check"], capture_output=True,
                           text=True, cwd=tmp_path, check=False)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def test_pipx_install_then_screen(tmp_path: Path) -> None:
    import os

    env = dict(os.environ, PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(tmp_path / "bin"))
    done = subprocess.run([sys.executable, "-m", "pipx", "install", str(REPO)], env=env,
                          capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    screen = subprocess.run([tmp_path / "bin" / "neckcheck", "screen", "--json"],
                            input=json.dumps(BASELINE), capture_output=True, text=True,
                            cwd=tmp_path, check=False)  # fmt: skip
    assert screen.returncode == 0, screen.stderr
    assert json.loads(screen.stdout)["outcome"] == "reverse_whiplash"
