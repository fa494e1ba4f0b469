"""The command line's conventions, read as a newcomer meets them: help on every command with -h,
no `<bool>` and no click internals, paths shown as FILE or DIR, the exit codes in `screen -h`
(the rules' own), how to start when nothing is given, usage errors in one line, an option given
twice refused, shell completion, NECKCHECK_RULES, and --exit-zero for scripts."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from neckcheck.cli import clidoc
from neckcheck.cli.commands import WIDTH
from neckcheck.core.model import OUTCOME_EXIT_CODES
from tests.cli import invoke, neckcheck_command
from tests.spec import BASELINE, NO_INJURY

ALL = clidoc.commands()
LEAVES = [(path, command) for path, command in ALL if not hasattr(command, "commands")]
COMPLETION = ("install_completion", "show_completion")  # typer's, on the top command only


def _rules_copy(tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(Path(__file__).parents[1] / "rules", tmp_path / "rules"))


# One run of every command in this process (typer's CliRunner): what it prints on stdout and its
# exit code, with the streams the runner gives it.
IN_PROCESS: list[tuple[list[str], str | bytes, int, str]] = [
    (["screen", "--json"], json.dumps(BASELINE), 0, '"outcome": "reverse_whiplash"'),
    (["screen", "--json"], json.dumps(BASELINE | {"vascular_signs": "yes",
                                                  "signs_recent": "yes"}), 5, '"emergency"'),
    (["screen"], json.dumps(BASELINE | {"injury": "vehicle"}), 3, "TECHNIQUE"),
    (["screen", "--fhir"], json.dumps(BASELINE), 0, '"resourceType": "RiskAssessment"'),
    (["batch"], json.dumps(BASELINE) + "\n{}\n", 2, '"line":2,"error"'),
    (["schema"], "", 0, '"$schema"'),
    (["schema", "--decision"], "", 0, '"outcome"'),
    (["export", "fhir"], "", 0, '"resourceType": "Questionnaire"'),
    (["export", "fhir", "--response", "-"], json.dumps(BASELINE),
     0, '"resourceType": "QuestionnaireResponse"'),
    (["rules", "reference"], "", 0, "vascular_signs"),
    (["rules", "reference", "--red-flags"], "", 0, "emergency"),
    (["rules", "report"], "", 0, "| id |"),
    (["rules", "graph"], "", 0, "flowchart"),
    (["rules", "evaluate"], "", 0, "safe 84, under-triaged 0, over-triaged 0"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "stdin", "code", "shown"), IN_PROCESS,
                         ids=[" ".join(case[0]) for case in IN_PROCESS])  # fmt: skip
def test_every_command_runs_in_process(args: list[str], stdin: str, code: int, shown: str) -> None:
    done = invoke(args, stdin=stdin)
    assert done.returncode == code, done.stderr
    assert shown in done.stdout


@pytest.mark.slow
def test_the_rules_commands_that_prove_run_in_process(tmp_path: Path) -> None:
    folder = _rules_copy(tmp_path)
    checked = invoke(["rules", "check", str(folder)])
    assert checked.returncode == 0, checked.stderr
    assert "every property holds" in checked.stdout
    compiled = invoke(["rules", "compile", str(folder)])
    assert compiled.returncode == 0, compiled.stderr
    assert compiled.stdout == f"wrote {folder / 'rulebook.compiled.json'}\n"
    schemas = invoke(["rules", "schemas", str(folder), "--out", str(tmp_path / "out")])
    assert schemas.returncode == 0, schemas.stderr
    assert schemas.stdout.startswith(f"wrote {tmp_path / 'out'}")


def test_every_command_of_the_app_is_run_by_a_test_here() -> None:
    def path(args: list[str]) -> str:
        words = [word for word in args if not word.startswith("-")]
        return " ".join(["neckcheck", *words[: 2 if words[0] in ("rules", "export") else 1]])

    proved = {"neckcheck rules check", "neckcheck rules compile", "neckcheck rules schemas"}
    assert {path(args) for args, *_ in IN_PROCESS} | proved == {p for p, _ in LEAVES}


@pytest.mark.parametrize(("path", "command"), ALL, ids=[path for path, _ in ALL])
def test_help_with_h_and_help_on_every_command(path: str, command: Any) -> None:
    words = path.split()[1:]
    short, long = invoke([*words, "-h"]), invoke([*words, "--help"])
    assert short.returncode == long.returncode == 0
    assert short.stdout == long.stdout == clidoc.help_of(path) + "\n"
    assert short.stderr == ""
    text = short.stdout
    assert text.startswith(f"Usage: {path}")
    for internal in ("<bool>", "[default:", "BOOLEAN", "TEXT", "--no-", "SPEC"):
        assert internal not in text, internal
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    for param in command.params:
        if param.param_type_name != "option":
            continue
        assert param.opts[-1] in text
        if not param.is_flag and param.name not in COMPLETION:  # paths say what they are
            assert param.metavar in ("FILE", "DIR"), param.opts


def test_nothing_given_says_how_to_start_and_exits_0() -> None:
    done = invoke([])
    assert done.returncode == 0
    assert "To start, run: neckcheck screen" in done.stdout
    assert done.stderr == ""


def test_screen_help_lists_the_outcomes_exit_codes() -> None:
    text = invoke(["screen", "-h"]).stdout
    listed = dict(re.findall(r"^  (\d+) +(\S.*)$", text.split("Exit codes:")[1], re.M))
    assert set(listed) == {"0", "1", "2", "3", "4", "5", "6", "130", "141", "143"}
    # Each outcome's code is there, described by its disposition's plain meaning.
    words = {"technique": "suits", "avoid_technique": "not this technique",
             "clinician": "clinician", "urgent": "URGENT", "emergency": "EMERGENCY"}  # fmt: skip
    for (outcome, disposition), code in OUTCOME_EXIT_CODES.items():
        assert words[disposition] in listed[str(code)], (outcome, disposition, code)


# Messages worded by typer (its own click) are marked; the others are neckcheck's own checks.
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scren"], "No such command 'scren'. Did you mean 'screen'?"),  # typer
        (["screen", "--jsn"], "No such option: --jsn. Did you mean --json?"),  # typer
        (["screen", "--json", "--json"], "option --json is given more than once"),
        (["screen", "-a", "x", "--answers=y"], "option --answers is given more than once"),
        (["batch", "-q", "--quiet"], "option --quiet is given more than once"),
        (["screen", "--answers"], "Option '--answers' requires an argument"),  # typer
        (["screen", "--answers", "--json"], "option --answers needs a value (FILE)"),
        (["screen", "--answers="], "needs a value (FILE), not an empty one"),
        (["screen", "--json=yes"], "Option '--json' does not take a value"),  # typer
        (["screen", "extra"], "Got unexpected extra argument(s) (extra)"),  # typer
        (["batch", "a", "b"], "Got unexpected extra argument(s) (b)"),  # typer
        (["batch", ""], "FILE is empty"),
        (["rules", "check", "--rules", "x"], "No such option: --rules"),  # typer
        (["screen", "--json\x1b[2J"], "control characters"),
        (["-x"], "No such option: -x"),  # typer
    ],
)
def test_what_the_command_line_refuses(args: list[str], message: str) -> None:
    done = invoke(args, stdin=json.dumps(BASELINE))
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("neckcheck: usage error: ")
    assert message in line
    assert line.endswith(" -h`")  # where to read more
    assert "\x1b" not in line
    assert not line.startswith("neckcheck: neckcheck")


def test_a_later_value_never_hides_an_earlier_one(tmp_path: Path) -> None:
    """click keeps the last value of an option given twice; neckcheck refuses the line instead,
    before anything is read or written."""
    target = tmp_path / "answers.json"
    target.write_text(json.dumps(BASELINE | {"vascular_signs": "yes", "signs_recent": "yes"}))
    done = invoke(["screen", "--json", "--answers", str(target), "--answers", "-"],
               stdin=json.dumps(BASELINE))  # fmt: skip
    assert done.returncode == 2
    assert "option --answers is given more than once" in done.stderr
    assert done.stdout == ""


def test_shell_completion_for_bash() -> None:
    script = invoke(["--show-completion", "bash"])
    assert script.returncode == 0, script.stderr
    assert "_neckcheck_completion()" in script.stdout
    assert "complete -o default -F _neckcheck_completion neckcheck" in script.stdout

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        env = {**os.environ, "_NECKCHECK_COMPLETE": "complete_bash", "COMP_WORDS": line,
               "COMP_CWORD": str(len(words) - 1)}  # fmt: skip
        done = subprocess.run(neckcheck_command(), env=env, capture_output=True, text=True,
                              check=False, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("neckcheck sc") == ["screen", "schema"]
    assert complete("neckcheck ") == ["screen", "batch", "schema", "rules", "export"]
    assert complete("neckcheck rules c") == ["check", "compile"]
    assert "--json" in complete("neckcheck screen --j")


def test_no_message_repeats_the_program_name(tmp_path: Path) -> None:
    cases = [
        invoke(["screen"], stdin=b""),
        invoke(["screen", "--answers", str(tmp_path / "no.json")]),
        invoke(["screen", "--json"], stdin="{}"),
        invoke(["batch", str(tmp_path)]),
        invoke(["screen", "--rules", str(tmp_path)], stdin=json.dumps(BASELINE)),
    ]
    for done in cases:
        assert done.returncode == 2
        assert done.stderr
        assert "neckcheck: neckcheck" not in done.stderr, done.stderr


def test_arguments_after_double_dash_are_not_options(tmp_path: Path) -> None:
    target = tmp_path / "--json"
    target.write_text(json.dumps(BASELINE) + "\n", encoding="utf-8")
    done = invoke(["batch", "--", str(target)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "reverse_whiplash"
    same = invoke(["batch", "--", "--json"], cwd=tmp_path)
    assert same.returncode == 0, same.stderr
    assert same.stdout == done.stdout
    refused = invoke(["screen", "--", "--json"], stdin=json.dumps(BASELINE))
    assert refused.returncode == 2
    assert "unexpected extra argument" in refused.stderr


def test_neckcheck_rules_env_and_the_option_wins(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "NECKCHECK_RULES": str(empty)}
    answers = json.dumps(BASELINE)
    from_env = invoke(["screen", "--json"], stdin=answers, env=env)
    assert from_env.returncode == 2  # the folder named by the variable is the one loaded
    assert str(empty) in from_env.stderr
    shipped = Path(__file__).parents[1] / "rules"
    from_option = invoke(["screen", "--json", "--rules", str(shipped)], stdin=answers, env=env)
    assert from_option.returncode == 0, from_option.stderr
    assert invoke(["rules", "reference"], env=env).returncode == 2
    assert invoke(["rules", "reference", str(shipped)], env=env).returncode == 0
    unset = invoke(["screen", "--json"], stdin=answers, env={**os.environ, "NECKCHECK_RULES": ""})
    assert unset.returncode == 0  # an empty variable is no folder: the shipped rules


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        (BASELINE, 0),
        (BASELINE | {"injury": "vehicle"}, 3),
        (NO_INJURY | {"new_headache": "yes", "signs_recent": "yes"}, 6),
        (BASELINE | {"vascular_signs": "yes", "signs_recent": "yes"}, 5),
    ],
)
def test_exit_zero_keeps_the_decision_in_the_output(answers: dict[str, object], code: int) -> None:
    plain = invoke(["screen", "--json"], stdin=json.dumps(answers))
    zero = invoke(["screen", "--json", "--exit-zero"], stdin=json.dumps(answers))
    assert plain.returncode == code
    assert zero.returncode == 0
    assert zero.stdout == plain.stdout
    assert json.loads(zero.stdout)["exit_code"] == code


def test_exit_zero_never_hides_an_input_error() -> None:
    done = invoke(["screen", "--json", "--exit-zero"], stdin=json.dumps(BASELINE | {"age": "x"}))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "age" in done.stderr


def _jsonl(*records: object) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def test_batch_output_file_is_private_and_equals_stdout(tmp_path: Path) -> None:
    data = _jsonl(
        BASELINE, {"age": "x"}, NO_INJURY | {"vascular_signs": "yes", "signs_recent": "yes"}
    )
    plain = invoke(["batch"], stdin=data)
    target = tmp_path / "out.jsonl"
    done = invoke(["batch", "--output", str(target)], stdin=data)
    assert done.returncode == plain.returncode == 2
    assert done.stdout == ""
    assert target.read_text(encoding="ascii") == plain.stdout
    assert target.stat().st_mode & 0o777 == 0o600
    assert "results written to" in done.stderr
    assert "screened 3 lines" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temporary file left


def test_batch_quiet_says_nothing_but_errors(tmp_path: Path) -> None:
    done = invoke(["batch", "-q", "-o", str(tmp_path / "out.jsonl")], stdin=_jsonl(BASELINE))
    assert done.returncode == 0
    assert done.stderr == ""
    unreadable = invoke(["batch", "-q", str(tmp_path / "missing.jsonl")])
    assert unreadable.returncode == 2
    assert "cannot read" in unreadable.stderr


def test_batch_output_appears_only_when_every_line_is_done(tmp_path: Path) -> None:
    import signal
    import subprocess
    import time

    target = tmp_path / "out.jsonl"
    target.write_text("old results\n", encoding="utf-8")
    child = subprocess.Popen([*neckcheck_command(), "batch", "-o", str(target)],
                             stdin=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert child.stdin is not None
    child.stdin.write(_jsonl(BASELINE) * 50)
    child.stdin.flush()
    deadline = time.monotonic() + 30
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the temporary file exists once the first lines are in
    assert target.read_text(encoding="utf-8") == "old results\n"
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == 143
    assert target.read_text(encoding="utf-8") == "old results\n"  # never half a result
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_batch_output_never_writes_what_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    """Nothing is written into a FIFO or a folder; the results are not lost to it either: they
    go to stdout, one line says why, and the exit code (7) says that the file was not written."""
    target = tmp_path / "target"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    done = invoke(["batch", "-o", str(target)], stdin=_jsonl(BASELINE))
    assert done.returncode == 7  # every line screened, the file asked for not written
    assert "--output" in done.stderr
    assert "standard output" in done.stderr
    assert json.loads(done.stdout)["line"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["target"]
    if kind == "folder":
        assert list(target.iterdir()) == []


def test_docs_cli_md_is_generated_from_the_app() -> None:
    path = Path(__file__).parents[1] / "docs" / "cli.md"
    assert path.read_text(encoding="utf-8") == clidoc.reference(), (
        "docs/cli.md is stale: python -m neckcheck.cli.clidoc > docs/cli.md"
    )
    for command_path, _ in ALL:
        assert f"## `{command_path}`" in path.read_text(encoding="utf-8")


def test_a_warning_turned_into_an_error_never_ends_a_command() -> None:
    """PYTHONWARNINGS=error (issue 28): warnings are shown, never raised, from start-up on."""
    import warnings

    from neckcheck.cli.entry import warnings_never_raise

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=ImportWarning)
        warnings_never_raise()
        with warnings.catch_warnings(record=True) as shown:
            warnings.warn("a library's notice", DeprecationWarning, stacklevel=1)
        assert [str(w.message) for w in shown] == ["a library's notice"]
        assert ("ignore", ImportWarning) in [(f[0], f[2]) for f in warnings.filters]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "code"),
    [(["-h"], 0), (["screen", "--json"], 0), (["batch"], 0), (["schema"], 0),
     (["export", "fhir"], 0), (["rules", "graph"], 0), (["screen", "--jsn"], 2)],
)  # fmt: skip
def test_pythonwarnings_error_runs_every_command(args: list[str], code: int) -> None:
    from tests.cli import process

    done = process(args, stdin=json.dumps(BASELINE), env={"PYTHONWARNINGS": "error"})
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr


def test_the_shell_uses_typer_through_its_public_names_only() -> None:
    """No click of its own (typer carries one), nothing of typer's private modules, and none of
    the private parser names the old shell reached for."""
    src = Path(__file__).parents[1] / "src" / "neckcheck"
    banned = re.compile(
        r"^\s*(import click|from click)|typer\._|_protected_args|make_parser|_OptionParser", re.M
    )
    found = [
        f"{path.relative_to(src)}: {match.group(0).strip()}"
        for path in sorted(src.rglob("*.py"))
        for match in banned.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_app_is_importable_from_the_shell_package() -> None:
    from neckcheck.cli import app
    from neckcheck.cli.commands import app as same

    assert app is same


def test_a_command_reads_and_writes_through_the_environment_it_is_given() -> None:
    """The streams are injected: given an Environment of its own, a command reads its answers
    from it and writes its result and its messages to it, and nothing to the process's own."""
    import io

    from typer.testing import CliRunner

    from neckcheck.cli import app
    from neckcheck.cli.environment import Environment

    def stream(data: str = "") -> io.TextIOWrapper:
        return io.TextIOWrapper(io.BytesIO(data.encode()), encoding="utf-8")

    def written(text: Any) -> str:
        text.flush()
        return str(text.buffer.getvalue().decode())

    env = Environment(stream(json.dumps(BASELINE)), stream(), stream(), environ={})
    result = CliRunner().invoke(app, ["screen", "--json"], obj=env, catch_exceptions=False)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert json.loads(written(env.stdout))["outcome"] == "reverse_whiplash"
    env = Environment(stream(), stream(), stream(), environ={})
    result = CliRunner().invoke(app, ["screen", "--jsn"], obj=env, catch_exceptions=False)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", "")
    assert written(env.stderr).startswith("neckcheck: usage error: No such option: --jsn")
