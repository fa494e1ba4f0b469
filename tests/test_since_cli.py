"""`screen --since FILE` and `rules evaluate` on the command line, run in this process as the
console script runs them: exit codes, stdout, stderr, and every error path (exit 2, one line,
nothing on stdout)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from neckcheck.core.model import Rulebook
from neckcheck.formats.saved import saved_interview
from tests.cli import invoke
from tests.conftest import REPO
from tests.spec import BASELINE, NO_INJURY

MONDAY = "2026-12-01T09:00:00+01:00"
FALL = json.loads((REPO / "tests/cases/face_first_hiking_fall.json").read_text())["answers"]
HEADACHE = {k: v for k, v in FALL.items() if k != "can_rotate_45"} | {
    "days_since_injury": 5, "new_headache": "yes", "signs_recent": "yes"}  # fmt: skip


def neckcheck(
    args: list[str], capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:  # fmt: skip
    """(exit code, stdout, stderr) of `neckcheck ARGS`, run in this process."""
    done = invoke(args, stdin=stdin)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def files(tmp_path: Path, book: Rulebook) -> Path:
    (tmp_path / "today.json").write_text(json.dumps(HEADACHE), encoding="utf-8")
    saved = saved_interview(FALL, False, MONDAY, book.version)
    (tmp_path / "monday.json").write_text(json.dumps(saved), encoding="utf-8")
    return tmp_path


Run = Any


def test_since_text_says_first_that_the_level_rose(
    files: Path, capfd: Run, monkeypatch: Run
) -> None:
    args = ["screen", "--answers", str(files / "today.json"), "--since", str(files / "monday.json")]
    code, out, err = neckcheck([*args, "--plain"], capfd, monkeypatch)
    assert (code, err) == (6, "")  # the decision's own exit code
    assert out.startswith("More urgent than last time: then self-care with the technique, now")
    assert "\nSince last time\n" in out
    assert "Level of care: then self-care with the technique; now a doctor today." in out


def test_since_json_and_the_report(files: Path, capfd: Run, monkeypatch: Run) -> None:
    report = files / "report.md"
    args = ["screen", "--answers", str(files / "today.json"), "--since", str(files / "monday.json"),
            "--json", "--report", str(report)]  # fmt: skip
    code, out, err = neckcheck(args, capfd, monkeypatch)
    assert code == 6
    since = json.loads(out)["since"]
    assert since["disposition_before"] == "technique"
    assert since["more_urgent"] is True
    assert {"key": "new_headache", "before": "no", "after": "yes"} in since["changes"]
    assert {"key": "can_rotate_45", "before": "yes", "after": None} in since["changes"]
    assert "## Since last time" in report.read_text(encoding="utf-8")
    assert err == f"neckcheck: report written to {report}\n"


def test_since_with_piped_answers_and_an_unchanged_level(
    files: Path, capfd: Run, monkeypatch: Run
) -> None:
    code, out, _ = neckcheck(["screen", "--json", "--since", str(files / "monday.json")], capfd,
                             monkeypatch, stdin=json.dumps(FALL))  # fmt: skip
    assert code == 0
    assert json.loads(out)["since"] | {"given_at": None} == {
        "changes": [], "disposition_before": "technique", "more_urgent": False,
        "given_at": None, "rules_version_before": json.loads(out)["rules_version"]}  # fmt: skip


def test_save_from_a_script_keeps_when_and_under_which_rules(
    files: Path, book: Rulebook, capfd: Run, monkeypatch: Run
) -> None:
    saved = files / "saved.json"
    code, out, _ = neckcheck(["screen", "--answers", str(files / "today.json"), "--json",
                              "--save", str(saved)], capfd, monkeypatch)  # fmt: skip
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["answers"] == HEADACHE
    assert (document["neckcheck_saved_interview"], document["rules_version"]) == (2, book.version)
    assert document["given_at"][-6] in "+-"  # an offset from UTC
    replay, again, _ = neckcheck(["screen", "--answers", str(saved), "--json"], capfd, monkeypatch)
    assert (replay, again) == (code, out)


def test_a_plain_answer_set_saved_by_an_earlier_version_is_read(
    files: Path, capfd: Run, monkeypatch: Run
) -> None:
    old = files / "old.json"
    old.write_text(json.dumps(FALL), encoding="utf-8")
    code, out, _ = neckcheck(["screen", "--answers", str(files / "today.json"), "--json",
                              "--since", str(old)], capfd, monkeypatch)  # fmt: skip
    assert code == 6
    assert json.loads(out)["since"]["given_at"] is None


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("missing.json", None, "cannot read the answers file"),
        ("folder", "folder", "cannot read the answers file"),
        ("list.json", "[1]", "not a saved answer set"),
        ("fhir.json", '{"resourceType": "QuestionnaireResponse"}', "not a saved answer set"),
        ("bad.json", "{", "not valid JSON"),
        ("v2.json", json.dumps({"age": 40, "injury": "none"}), "cannot be compared"),
        ("contract.json", "contract", "contract_version: saved under answer contract 2"),
        ("-", None, "standard input holds today's answers"),
        ("/dev/zero", None, "device"),
    ],
)
def test_a_since_that_cannot_be_compared_is_a_usage_error(
    files: Path, book: Rulebook, capfd: Run, monkeypatch: Run, name: str, content: str | None,
    words: str,
) -> None:  # fmt: skip
    path = name if name in ("-", "/dev/zero") else str(files / name)
    if content == "folder":
        Path(path).mkdir()
    elif content == "contract":
        old = saved_interview(FALL, False, MONDAY, book.version) | {"contract_version": 2}
        Path(path).write_text(json.dumps(old), encoding="utf-8")
    elif content is not None:
        Path(path).write_text(content, encoding="utf-8")
    for mode in (["--json"], []):
        code, out, err = neckcheck(["screen", "--answers", str(files / "today.json"), *mode,
                                    "--since", path], capfd, monkeypatch)  # fmt: skip
        assert (code, out) == (2, "")
        assert err.count("\n") == 1
        assert err.startswith(f"neckcheck: usage error: --since {path}: ")
        assert words in err


# ---- rules evaluate ----


def cases_file(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def case(case_id: str, answers: dict[str, Any], *acceptable: str) -> str:
    return json.dumps({"id": case_id, "answers": answers, "acceptable": list(acceptable)})


def test_evaluate_the_shipped_cases(capfd: Run, monkeypatch: Run) -> None:
    code, out, err = neckcheck(["rules", "evaluate"], capfd, monkeypatch)
    assert (code, err) == (0, "")
    assert out.startswith("84 cases from the shipped cases (cases/vignettes.jsonl)")
    assert "safe 84, under-triaged 0, over-triaged 0" in out
    code, out, _ = neckcheck(["rules", "evaluate", "--json"], capfd, monkeypatch)
    data = json.loads(out)
    assert code == 0
    assert {k: data[k] for k in ("cases", "safe", "under", "over", "under_cases", "over_cases")
            } == {"cases": 84, "safe": 84, "under": 0, "over": 0, "under_cases": [],
                  "over_cases": []}  # fmt: skip


def test_evaluate_exits_8_when_a_case_is_under_triaged(
    tmp_path: Path, capfd: Run, monkeypatch: Run
) -> None:
    under, fine = case("desk", NO_INJURY, "clinician"), case("ok", BASELINE, "technique")
    path = cases_file(tmp_path, under, fine)
    code, out, err = neckcheck(["rules", "evaluate", path, "--json"], capfd, monkeypatch)
    assert (code, err) == (8, "")
    assert json.loads(out)["under_cases"] == ["desk"]
    code, out, _ = neckcheck(["rules", "evaluate", "-"], capfd, monkeypatch,
                             stdin=case("desk", NO_INJURY, "clinician"))  # fmt: skip
    assert code == 8
    assert "- desk: technique (acceptable: clinician); rules: " in out


def weaken(rules: Path) -> None:
    """Lower the new-headache red flag from urgent to clinician, on purpose."""
    path = rules / "decisions.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: urgent.new_headache")
    end = text.index("disposition: urgent", start)
    path.write_text(text[:end] + "disposition: clinician" + text[end + len("disposition: urgent"):],
                    encoding="utf-8")  # fmt: skip


def test_against_a_weakened_folder_lists_the_lowered_cases_and_exits_8(
    rules_copy: Path, capfd: Run, monkeypatch: Run
) -> None:
    weaken(rules_copy)
    args = ["rules", "evaluate", "--against", str(rules_copy)]
    code, out, err = neckcheck(args, capfd, monkeypatch)
    assert (code, out) == (2, "")  # unproved rules are refused, as everywhere
    assert err.count("\n") == 1
    assert "not proved" in err
    code, out, err = neckcheck([*args, "--allow-unproved-rules"], capfd, monkeypatch)
    assert code == 8
    assert "2 cases changed, 0 safer, 2 less safe" in out
    assert "- new_headache_after_neck_massage: urgent -> clinician, LESS SAFE" in out
    assert "WARNING: " in err
    code, out, _ = neckcheck([*args, "--allow-unproved-rules", "--json"], capfd, monkeypatch)
    changed = json.loads(out)["against"]["changed"]
    assert {c["change"] for c in changed} == {"less_safe"}
    # The weakened folder evaluated by itself, with --rules: the same two cases, under-triaged.
    code, out, _ = neckcheck(["rules", "evaluate", "--rules", str(rules_copy), "--json",
                              "--allow-unproved-rules"], capfd, monkeypatch)  # fmt: skip
    assert (code, json.loads(out)["under_cases"]) == (8, [c["id"] for c in changed])


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (["{"], "cases.jsonl: line 1:"),
        ([case("a", NO_INJURY, "fine")], "cases.jsonl: line 1: acceptable:"),
        ([case("a", NO_INJURY, "technique"), case("b", NO_INJURY | {"age": -1}, "technique")],
         "cases.jsonl: line 2: answers.age:"),
        ([], "no case in the file"),
    ],
)  # fmt: skip
def test_evaluate_input_errors_name_the_line_and_the_key(
    tmp_path: Path, capfd: Run, monkeypatch: Run, lines: list[str], words: str
) -> None:
    code, out, err = neckcheck(["rules", "evaluate", cases_file(tmp_path, *lines)], capfd,
                               monkeypatch)  # fmt: skip
    assert (code, out) == (2, "")
    assert words in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["rules", "evaluate", "missing.jsonl"], "cannot read the cases file"),
        (["rules", "evaluate", "/dev/zero"], "device"),
        (["rules", "evaluate", "--against", "no-such-folder"], "no-such-folder"),
        (["rules", "evaluate", "--rules", "no-such-folder"], "no-such-folder"),
        (["rules", "evaluate", "--jsn"], "No such option"),
    ],
)
def test_evaluate_refuses_what_it_cannot_use(
    tmp_path: Path, capfd: Run, monkeypatch: Run, args: list[str], words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = neckcheck(args, capfd, monkeypatch)
    assert (code, out) == (2, "")
    assert words in err
    assert "Traceback" not in err


def test_the_plain_interview_shows_last_time_and_the_rise(files: Path, book: Rulebook) -> None:
    from tests.test_plain import PICK, answer_until_review, finish, spawn, written

    child = spawn("--plain", "--since", str(files / "monday.json"))
    answer_until_review(child, book, HEADACHE)
    child.expect(PICK)
    child.send(b"1\r")
    assert finish(child) == 6
    text = written(child).decode().replace("\r\n", "\n")
    headache = next(q.prompt for q in book.questions if q.id == "new_headache")
    assert f"\n{headache}\n(last time: No)\n" in text
    days = text.split("\n(last time: 1; ", 1)[1].split("\n", 1)[0]
    assert days.endswith("for the same injury)")
    result = text.rsplit("Type a number and press Enter: 1\n", 1)[1].split("\n", 1)[1]
    assert result.lstrip("\n").startswith("More urgent than last time:")  # before all else
    assert "\nSince last time\n" in result


# ---- red team: tampered saved files ----


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"given_at": "2099-01-01T00:00:00+00:00"}, "given_at: 2099-01-01T00:00:00+00:00 is later"),
        ({"rules_version": "2026.12.1\x1b[2J"}, "rules_version: must be the rules version"),
        ({"rules_version": "\ud800"}, "rules_version: must be the rules version"),
        ({"rules_version": "9" * 300}, "rules_version: must be the rules version"),
    ],
    ids=["given in the future", "escape code", "lone surrogate", "300 characters"],
)
def test_a_tampered_since_file_is_a_usage_error(
    files: Path, book: Rulebook, change: dict[str, str], words: str
) -> None:
    """A time later than now was never when answers were given (a date hint would count
    backwards), and a rules version is a short printable text, never a terminal escape."""
    tampered = saved_interview(FALL, False, MONDAY, book.version) | change
    path = files / "tampered.json"
    path.write_text(json.dumps(tampered), encoding="utf-8")
    for mode in (["--json"], ["--plain"]):
        done = invoke(["screen", "--answers", str(files / "today.json"), *mode,
                       "--since", str(path)])  # fmt: skip
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.count("\n") == 1
        assert words in done.stderr


def test_since_with_fhir_is_refused_rather_than_dropped(files: Path) -> None:
    """The FHIR RiskAssessment has no place for the comparison: refused, not silently lost."""
    done = invoke(["screen", "--answers", str(files / "today.json"), "--fhir",
                   "--since", str(files / "monday.json")])  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert "--since" in done.stderr
    assert "--fhir" in done.stderr
    assert done.stderr.count("\n") == 1
