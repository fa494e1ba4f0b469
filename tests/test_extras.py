"""The lean install: screening with the shipped rules needs none of the `rules` extra (z3-solver,
PyYAML) (pydantic, which validates every answer set, is a dependency), and whatever does need
it says in one line what to install, with exit 2.

The absence of a module is simulated in a child process with `sys.modules[name] = None`, which
makes every import of it fail as if it were not installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec import BASELINE

EXTRA = ("z3", "yaml")
# The command line is built by typer, which (from 0.29) reads its commands with pydantic: a
# dependency of every install, so the command line screens without the extra but with pydantic.
NOT_FOR_THE_COMMAND_LINE = EXTRA
INSTALL = "pip install 'neckcheck[rules]'"

# Run the command line (or a snippet) with the named modules made unimportable.
CLI = (
    "import sys\n"
    "blocked = sys.argv[1].split(',')\n"
    "for name in blocked:\n"
    "    sys.modules[name] = None\n"
    "sys.argv = ['neckcheck'] + sys.argv[2:]\n"
    "from neckcheck.cli.commands import main\n"
    "main()\n"
)


def without(
    modules: tuple[str, ...], *args: str | Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, ",".join(modules), *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_install_line(done: subprocess.CompletedProcess[str], package: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert package in lines[0]
    assert INSTALL in lines[0]
    assert "Traceback" not in done.stderr


def test_rules_check_without_z3_says_what_to_install() -> None:
    one_install_line(without(("z3",), "rules", "check"), "z3-solver")


def test_rules_compile_without_z3_says_what_to_install(rules_copy: Path) -> None:
    before = (rules_copy / "rulebook.compiled.json").read_bytes()
    one_install_line(without(("z3",), "rules", "compile", rules_copy), "z3-solver")
    assert (rules_copy / "rulebook.compiled.json").read_bytes() == before  # left as it was


@pytest.mark.parametrize(("blocked", "package"), [(("z3",), "z3-solver"), (("yaml",), "PyYAML")])
def test_another_rules_folder_without_the_extra_says_what_to_install(
    rules_copy: Path, tmp_path: Path, blocked: tuple[str, ...], package: str
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(BASELINE), encoding="utf-8")
    done = without(blocked, "screen", "--rules", rules_copy, "--answers", answers, "--json")
    one_install_line(done, package)
    one_install_line(without(blocked, "rules", "check", rules_copy), package)


API = (
    "import sys\n"
    "blocked = sys.argv[1].split(',')\n"
    "for name in blocked:\n"
    "    sys.modules[name] = None\n"
    "import neckcheck\n"
    "try:\n"
    "    neckcheck.load_rulebook(sys.argv[2], allow_unproved=sys.argv[3] == 'unproved')\n"
    "except neckcheck.MissingExtraError as exc:\n"
    "    print(exc.code, exc.exit_code, exc.package, exc, sep='|')\n"
)


@pytest.mark.parametrize(
    ("blocked", "mode", "package"),
    [
        (("yaml",), "unproved", "PyYAML"),
        (("z3",), "proved", "z3-solver"),
    ],
)
def test_the_api_raises_missing_extra_error(
    rules_copy: Path, blocked: tuple[str, ...], mode: str, package: str
) -> None:
    done = subprocess.run([sys.executable, "-c", API, ",".join(blocked), str(rules_copy), mode],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    code, exit_code, named, message = done.stdout.strip().split("|")
    assert (code, exit_code, named) == ("missing_extra", "2", package)
    assert INSTALL in message


def test_another_rules_folder_loads_unproved_without_z3(rules_copy: Path) -> None:
    """Only proving needs the solver: with allow_unproved, YAML and pydantic suffice."""
    probe = API.replace("print(exc.code", "raise SystemExit(exc.code")
    probe += "else:\n    print('loaded')\n"
    done = subprocess.run([sys.executable, "-c", probe, "z3", str(rules_copy), "unproved"],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded"


def test_screening_with_the_shipped_rules_needs_none_of_the_extra(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(BASELINE), encoding="utf-8")
    done = without(NOT_FOR_THE_COMMAND_LINE, "screen", "--answers", answers, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "reverse_whiplash"
    lines = json.dumps(BASELINE) + "\n" + '{"age": 40, "age": 41}\n'
    done = without(NOT_FOR_THE_COMMAND_LINE, "batch", stdin=lines)
    assert done.returncode == 2, done.stderr  # the second line is invalid: a key given twice
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert records[0]["outcome"] == "reverse_whiplash"
    assert records[1]["error"]["code"] == "invalid_answers"
    # The Python API, with every module of the extra unimportable.
    probe = (
        "import sys\n"
        "for name in ('z3', 'yaml'):\n"
        "    sys.modules[name] = None\n"
        "import json, neckcheck\n"
        "book = neckcheck.load_rulebook()\n"
        "print(neckcheck.screen(json.loads(sys.argv[1]), book).outcome)\n"
        "print(next(neckcheck.screen_lines([sys.argv[1]], book))['outcome'])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, json.dumps(BASELINE)],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["reverse_whiplash", "reverse_whiplash"]
