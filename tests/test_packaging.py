"""Packaging passes the ecosystem's own checks: `python -m build` makes a wheel and an sdist that
both carry the rules, py.typed and the LICENSE, `twine check` passes, each installs into a fresh
venv and screens without the `rules` extra, and mypy --strict accepts a script that uses the
public API of the installed wheel."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from tests.cli import neckcheck_command
from tests.conftest import REPO
from tests.spec import BASELINE

# The wheel is built once, on one worker (pyproject.toml).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

RULE_FILES = ("rulebook.yaml", "questions.yaml", "decisions.yaml", "cautions.yaml",
              "outcomes.yaml", "technique.yaml", "rulebook.compiled.json")  # fmt: skip


def sh(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                          timeout=900, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="session")  # one build per worker, whatever runs between the tests
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    sh(sys.executable, "-m", "build", "--outdir", out, REPO)
    return out


def test_wheel_and_sdist_carry_the_rules(dist: Path) -> None:
    wheel = next(dist.glob("neckcheck-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"neckcheck/rules/{name}" for name in RULE_FILES} <= names
    assert "neckcheck/cases/vignettes.jsonl" in names
    sdist = next(dist.glob("neckcheck-*.tar.gz"))
    with tarfile.open(sdist) as archive:
        members = {m.split("/", 1)[1] for m in archive.getnames() if "/" in m}
    assert {f"rules/{name}" for name in RULE_FILES} <= members
    assert "cases/vignettes.jsonl" in members
    assert {"README.md", "LICENSE", "src/neckcheck/py.typed", "docs/answers.md"} <= members
    # The manual's sources, so that `mkdocs build` works from the sdist too.
    assert {"mkdocs.yml", "CHANGELOG.md", "docs/index.md", "docs/clinicians.md"} <= members


def test_wheel_and_sdist_carry_py_typed_and_the_license(dist: Path) -> None:
    wheel = next(dist.glob("neckcheck-*.whl"))
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    assert "neckcheck/py.typed" in names
    licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    text = archive.read(licence).decode("utf-8")
    assert text == (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "2026 neckcheck developers" in text
    metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    assert b"License-Expression: MIT" in metadata
    with tarfile.open(next(dist.glob("neckcheck-*.tar.gz"))) as sdist:
        member = next(m for m in sdist.getnames() if m.endswith("/LICENSE") and m.count("/") == 1)
        stored = sdist.extractfile(member)
        assert stored is not None
        assert stored.read().decode("utf-8") == text


def test_the_base_install_needs_no_extra_and_the_rules_extra_adds_the_prover(dist: Path) -> None:
    """What each install declares: the base carries no solver, no YAML parser, no validation
    library and no test tool; `rules` adds the first three; `test` holds `rules`."""
    wheel = next(dist.glob("neckcheck-*.whl"))
    metadata = (
        zipfile.ZipFile(wheel)
        .read(
            next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".dist-info/METADATA"))
        )
        .decode("utf-8")
    )
    requires = [line.split(": ", 1)[1] for line in metadata.splitlines()
                if line.startswith("Requires-Dist: ")]  # fmt: skip
    base = {r.split(">")[0].split("[")[0].lower() for r in requires if "extra ==" not in r}
    rules = {r.split(">")[0].lower() for r in requires if "extra == 'rules'" in r}
    test = {r.split(">")[0].split("[")[0].lower() for r in requires if "extra == 'test'" in r}
    heavy = {"z3-solver", "pyyaml"}
    tools = {"pytest", "hypothesis", "mypy", "ruff", "dask", "jsonschema", "build", "twine"}
    assert not base & (heavy | tools), base
    assert "pydantic" in base  # it validates every answer set
    assert rules == heavy
    assert heavy | tools <= test


def test_twine_check_passes(dist: Path) -> None:
    out = sh(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert out.count("PASSED") == 2


def installed(env: Path) -> set[str]:
    probe = (
        "import importlib.metadata as m\n"
        "print('\\n'.join(d.metadata['Name'].lower() for d in m.distributions()))"
    )
    return set(sh(env / "bin" / "python", "-c", probe).split())


@pytest.mark.parametrize("kind", ["whl", "tar.gz"])
def test_each_artifact_installs_and_screens(dist: Path, tmp_path: Path, kind: str) -> None:
    artifact = next(dist.glob(f"neckcheck-*.{kind}"))
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    sh(env / "bin" / "python", "-m", "pip", "install", "--quiet", artifact)
    present = installed(env)
    assert not present & {"z3-solver", "pyyaml", "pytest", "hypothesis", "mypy", "dask"}, present
    assert "pydantic" in present  # it validates every answer set
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(BASELINE), encoding="utf-8")
    done = subprocess.run([env / "bin" / "neckcheck", "screen", "--answers", answers, "--json"],
                          capture_output=True, text=True, cwd=tmp_path, check=False)  # fmt: skip
    checkout = subprocess.run([*neckcheck_command(), "screen", "--answers", answers, "--json"],
                              capture_output=True, text=True, cwd=REPO, check=False)  # fmt: skip
    assert done.returncode == checkout.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(checkout.stdout)  # the same decision
    # The installed copy reads its own packaged rules, not the checkout's.
    probe = "import neckcheck.rulebook.load as r; print(r.default_rules_path())"
    where = sh(env / "bin" / "python", "-c", probe, cwd=tmp_path)
    assert str(env) in where
    # Proving needs the `rules` extra: without it, one line says what to install.
    check = subprocess.run([env / "bin" / "neckcheck", "rules", "check"], capture_output=True,
                           text=True, cwd=tmp_path, check=False)  # fmt: skip
    assert check.returncode == 2, check.stdout + check.stderr
    assert check.stdout == ""
    assert check.stderr.count("\n") == 1
    assert "pip install 'neckcheck[rules]'" in check.stderr
    if kind == "whl":  # with the extra, the installed copy proves its own rules
        sh(
            env / "bin" / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            f"neckcheck[rules] @ {artifact.as_uri()}",
        )
        assert {"z3-solver", "pyyaml"} <= installed(env)
        check = subprocess.run([env / "bin" / "neckcheck", "rules", "check"], capture_output=True,
                               text=True, cwd=tmp_path, check=False)  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr


TYPED_SCRIPT = """\
from __future__ import annotations

from collections.abc import Iterator

import neckcheck
from neckcheck import (
    Decision,
    InputError,
    Rulebook,
    load_rulebook,
    screen,
    screen_lines,
    screen_many,
)


def outcomes(book: Rulebook, records: list[dict[str, object]]) -> list[str]:
    found: list[str] = []
    for result in screen_many(records, book):
        if isinstance(result, InputError):
            found.extend(problem.key for problem in result.problems)
        else:
            found.append(result.outcome)
    return found


def lines(book: Rulebook) -> Iterator[dict[str, object]]:
    return screen_lines(["{}", b"{}"], book)


book: Rulebook = load_rulebook()
decision: Decision = screen({"age": 40}, book)
code: int = decision.exit_code
timeframe: str | None = decision.timeframe
reasons: list[str] = [reason.rule for reason in decision.reasons]
cautions: list[str] = [caution.id for caution in decision.cautions]
as_json: dict[str, object] = decision.to_dict()
version: str = neckcheck.__version__
reveal_type(decision.outcome)
reveal_type(screen_lines)
"""


def test_mypy_strict_accepts_the_public_api_of_the_installed_wheel(
    dist: Path, tmp_path: Path
) -> None:
    """The wheel alone, installed without dependencies into a fresh venv: mypy (run from this
    venv) reads neckcheck from that venv's site-packages, which it does only for a package
    marked typed (py.typed); the revealed types show it read the annotations."""
    wheel = next(dist.glob("neckcheck-*.whl"))
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    sh(sys.executable, "-m", "pip", "--python", env / "bin" / "python", "install", "--quiet",
       "--no-deps", wheel)  # fmt: skip
    where = sh(env / "bin" / "python", "-c", "import neckcheck.cli.batch as b; print(b.__file__)")
    assert where.startswith(str(env)), where
    script = tmp_path / "use_api.py"
    script.write_text(TYPED_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable",
         env / "bin" / "python", "--config-file", "", script],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r'use_api.py:\d+: note: Revealed type is "(builtins\.)?str"', done.stdout)
    assert "neckcheck.core.model.Rulebook" in done.stdout, done.stdout  # screen_lines, typed
    assert "Success: no issues found in 1 source file" in done.stdout


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
