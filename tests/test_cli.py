"""The installed command, run as a user or a script would: exit codes, stdout, stderr."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from neckcheck import __version__
from tests.cli import Done, invoke
from tests.spec import BASELINE, JSON_KEYS, NO_INJURY, OUTCOMES, TIMEFRAMES


def assert_input_error(done: Done, *keys: str) -> None:
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    for key in keys:
        assert key in done.stderr


@pytest.mark.parametrize(
    ("answers", "outcome", "disposition"),
    [
        (BASELINE, "reverse_whiplash", "technique"),
        (NO_INJURY, "general_soreness", "technique"),
        (BASELINE | {"injury": "vehicle"}, "traditional_whiplash", "avoid_technique"),
        (BASELINE | {"sore_back": "unsure"}, "unclear", "clinician"),
        (BASELINE | {"bone_or_joint_pain": "unsure"}, "red_flag", "clinician"),
        (NO_INJURY | {"new_headache": "yes", "signs_recent": "yes"}, "red_flag", "urgent"),
        (BASELINE | {"vascular_signs": True, "signs_recent": "yes"}, "red_flag", "emergency"),
    ],
)
def test_json_output_and_exit_code(
    tmp_path: Path, answers: dict[str, Any], outcome: str, disposition: str
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    done = invoke(["screen", "--answers", str(path), "--json"])
    assert done.stderr == ""
    result = json.loads(done.stdout)
    assert done.returncode == OUTCOMES[(outcome, disposition)] == result["exit_code"]
    assert (result["outcome"], result["disposition"]) == (outcome, disposition)
    assert set(JSON_KEYS) <= set(result)
    assert result["timeframe"] == TIMEFRAMES[disposition]
    assert result["contract_version"] == 3
    assert all(set(r) >= {"rule", "text", "source"} for r in result["reasons"])
    if disposition == "technique":
        assert result["steps"]
        assert result["see_also"]
        assert {"stop_if_pain", "soft_ball"} <= {c["id"] for c in result["cautions"]}
    elif disposition == "avoid_technique":
        assert result["steps"] == []
        assert result["see_also"]
        assert {"stop_if_pain", "front_of_neck", "warning_signs"} <= {
            c["id"] for c in result["cautions"]
        }
    else:
        assert result["steps"] == result["cautions"] == result["see_also"] == []


def test_piped_stdin_dash_and_file_agree(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(BASELINE), encoding="utf-8")
    piped = invoke(["screen", "--json"], stdin=json.dumps(BASELINE))
    dash = invoke(["screen", "--answers", "-", "--json"], stdin=json.dumps(BASELINE))
    from_file = invoke(["screen", "-a", str(path), "--json"])
    assert piped.stdout == dash.stdout == from_file.stdout
    assert piped.returncode == dash.returncode == from_file.returncode == 0


def test_text_output_for_people() -> None:
    done = invoke(["screen"], stdin=json.dumps(BASELINE | {"low_back_pain": "yes"}))
    assert done.returncode == 0
    out = done.stdout
    assert "TECHNIQUE SUITS YOU" in out
    assert "1. " in out
    assert "10. " in out
    assert "Source: Posterior Neck Release + Spine Traction (self-care web article" in out
    assert "foam roller" in out
    assert "screening aid" in out
    assert "\x1b[" not in out  # no colour codes when stdout is not a terminal


def test_emergency_text_says_so_without_colour() -> None:
    done = invoke(["screen"], stdin=json.dumps(BASELINE | {"bladder_bowel": "yes", "age": 70}))
    assert done.returncode == 5
    assert done.stdout.startswith("EMERGENCY")
    assert "Why (3 reasons)" in done.stdout


def test_urgent_text_says_today_without_colour_at_40_columns() -> None:
    env = dict(os.environ, COLUMNS="40", NO_COLOR="1")
    done = invoke(
        ["screen"],
        stdin=json.dumps(NO_INJURY | {"new_headache": "yes", "signs_recent": "yes"}),
        env=env,
    )
    assert done.returncode == 6
    assert done.stdout.startswith("URGENT: see a doctor today")
    assert "\x1b[" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 40
    flat = " ".join(done.stdout.split())
    for words in ("within hours", "urgent care", "same-day appointment", "torn artery"):
        assert words in flat


@pytest.mark.parametrize(
    ("stdin", "keys"),
    [
        (json.dumps(BASELINE | {"injry": "fall"}), ["injry", "unknown key", "injury"]),
        (json.dumps(BASELINE | {"age": "42"}), ["age", "whole number"]),
        (json.dumps(BASELINE | {"age": 200}), ["age", "0 to 120"]),
        (json.dumps({k: v for k, v in BASELINE.items() if k != "head_injury"}),
         ["head_injury", "missing"]),
        (json.dumps(BASELINE | {"injury": "crash"}), ["injury", "vehicle"]),
        (json.dumps(BASELINE | {"sore_back": "Yes"}), ["sore_back"]),
        ("{not json", ["not valid JSON"]),
        ("[1, 2]", ["JSON object"]),
        ('"yes"', ["JSON object"]),
        ('{"age": 40, "age": 41}', ["age", "more than once"]),
        ("", ["nothing was piped in"]),
        (b"\xff\xfe{}", ["UTF-8"]),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_problem(stdin: str | bytes, keys: list[str]) -> None:
    assert_input_error(invoke(["screen", "--json"], stdin=stdin), *keys)


def test_all_bad_keys_named_together() -> None:
    raw = BASELINE | {"age": "forty", "vasculr_signs": "no", "sore_front": "perhaps"}
    assert_input_error(
        invoke(["screen"], stdin=json.dumps(raw)), "age", "vasculr_signs", "sore_front"
    )


def test_no_terminal_and_nothing_piped() -> None:
    done = invoke(["screen"], stdin=b"")
    assert_input_error(done, "nothing was piped in and there is no terminal")


def test_missing_answers_file() -> None:
    assert_input_error(
        invoke(["screen", "--answers", "/nonexistent/a.json"]), "/nonexistent/a.json"
    )


def test_usage_errors_exit_2() -> None:
    assert invoke(["screen", "--no-such-flag"]).returncode == 2
    assert invoke(["no-such-command"]).returncode == 2


def test_bad_rules_folder_exits_2(tmp_path: Path) -> None:
    assert_input_error(invoke(["screen", "--rules", str(tmp_path)], stdin=json.dumps(BASELINE)),
                       "questions.yaml")  # fmt: skip


def test_version_names_the_program_the_rules_and_the_contract(book) -> None:
    for flag in ("--version", "-V"):
        done = invoke([flag])
        assert done.returncode == 0
        assert done.stdout.splitlines() == [
            f"neckcheck {__version__}",
            f"rules {book.version} (shipped)",
            "answer and decision contract version 3",
        ]


def test_schema_command_prints_json_schema() -> None:
    done = invoke(["schema"])
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_rules_check_on_shipped_rules() -> None:
    done = invoke(["rules", "check"])
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout


def test_python_dash_m(tmp_path: Path) -> None:
    import sys

    done = subprocess.run([sys.executable, "-m", "neckcheck", "--version"], capture_output=True,
                          text=True, check=False, cwd=tmp_path)  # fmt: skip
    assert done.stdout.splitlines()[0] == f"neckcheck {__version__}"


def test_nothing_written_to_disk(tmp_path: Path) -> None:
    before = set(tmp_path.iterdir())
    invoke(["screen", "--json"], stdin=json.dumps(BASELINE), cwd=tmp_path)
    assert set(tmp_path.iterdir()) == before


def test_manual_example_is_what_neckcheck_prints() -> None:
    """The example of docs/scripting.md (it was the README's): the answers and what they print."""
    from tests.conftest import REPO

    page = (REPO / "docs" / "scripting.md").read_text(encoding="utf-8")
    given = page.split("neckcheck screen --json <<'JSON'\n", 1)[1].split("\nJSON\n", 1)[0]
    shown = page.split("prints (exit code 0):\n\n```json\n", 1)[1].split("```", 1)[0]
    done = invoke(["screen", "--json"], stdin=given)
    assert done.returncode == 0
    assert json.loads(done.stdout) == json.loads(shown)


def test_readme_opens_with_the_two_commands() -> None:
    from tests.conftest import REPO

    head = (REPO / "README.md").read_text(encoding="utf-8").split("```sh\n", 1)[1].split("```")[0]
    commands = [line for line in head.splitlines() if line and not line.startswith("#")]
    assert commands[0].endswith("neckcheck screen")
    assert commands[1].endswith("pytest")
    # Each does its own set-up on a fresh machine: what .ci/run installs for the tests included.
    assert "python3 -m venv" in commands[0]
    assert "pip install ." in commands[0]
    for needed in ("python3 -m venv", "pip install -e '.[test]'", "chromium", "npm ci"):
        assert needed in commands[1], needed


def test_explain_json_lists_every_rule(book) -> None:
    answers = BASELINE | {"midline_tenderness": "unsure", "age": 70}
    done = invoke(["screen", "--json", "--explain"], stdin=json.dumps(answers))
    assert done.returncode == 5
    result = json.loads(done.stdout)
    trace = {t["rule"]: t for t in result["explain"]}
    assert set(trace) == {r.id for r in book.rules}
    assert [t["rule"] for t in result["explain"] if t["fired"]] == sorted(
        (r["rule"] for r in result["reasons"]), key=[r.id for r in book.rules].index
    )
    age_rule = trace["clinician.age_65_after_injury"]
    assert age_rule["matched"]
    assert {"test": "age >= 65", "key": "age", "answer": 70, "holds": True} in age_rule["checks"]
    # The head-turning test was skipped (age 70): the comparison on it is false, so it fails.
    scan = trace["emergency.neck_scan_first_days"]
    assert scan["fired"]
    assert {"test": "can_rotate_45 = yes", "key": "can_rotate_45", "answer": None,
            "holds": False} in scan["checks"]  # fmt: skip
    # The pattern matched but was not consulted: a red flag decided.
    assert trace["pattern.back_loaded_after_accident"]["matched"]
    assert not trace["pattern.back_loaded_after_accident"]["fired"]
    assert not trace["pattern.unclear"]["matched"]


def test_explain_text_is_a_tree() -> None:
    done = invoke(["screen", "--explain"], stdin=json.dumps(BASELINE))
    assert done.returncode == 0
    assert "How the rules decided" in done.stdout
    assert "[FIRED] pattern.back_loaded_after_accident" in done.stdout
    assert "fall_direction in [forward, sideways]: true" in done.stdout
    assert "[no] emergency.vascular" in done.stdout


def test_plain_json_has_no_explain() -> None:
    assert "explain" not in json.loads(
        invoke(["screen", "--json"], stdin=json.dumps(BASELINE)).stdout
    )


def test_manual_graph_is_generated_from_the_rules() -> None:
    """The decision as a picture in docs/rules.md (it was in the README)."""
    from tests.conftest import REPO

    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    shown = page.split("<!-- rules-graph:start -->\n```mermaid\n", 1)[1].split("```", 1)[0]
    assert shown == invoke(["rules", "graph"]).stdout, (
        "run `neckcheck rules graph` into docs/rules.md"
    )


def test_rules_report_names_tests_for_every_rule(book) -> None:
    from tests.conftest import REPO

    done = invoke(["rules", "report", "--tests", str(REPO / "tests")])
    assert done.returncode == 0
    rows = [line for line in done.stdout.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [r.id for r in book.rules]
    assert all("**none**" not in row for row in rows)
    assert "tests/rows.py" in rows[0]
    assert "tests/cases/fever_stiff_neck.json" in done.stdout


def test_report_for_the_clinician(tmp_path: Path) -> None:
    import stat

    target = tmp_path / "report.md"
    answers = BASELINE | {"midline_tenderness": "unsure", "blood_thinners": "yes",
                          "days_since_injury": 20}  # fmt: skip
    del answers["intoxicated"]  # not asked after day 14
    done = invoke(["screen", "--report", str(target)], stdin=json.dumps(answers))
    assert done.returncode == 4
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# neckcheck screening report")
    assert "- Date: 20" in text
    assert "SEE A CLINICIAN" in text
    assert "(rule `clinician.midline_tenderness`)" in text
    assert "*Source: NEXUS low-risk criteria" in text
    assert "| Does it hurt when you press gently on the bony bumps" in text
    assert "| Not sure |" in text
    assert "Rules version: " in text
    assert "screening aid" in text
    assert "## The technique" not in text  # no steps with a referral


def test_report_from_a_fhir_response(book, tmp_path: Path) -> None:
    from neckcheck.formats.fhir import response_from_answers

    target = tmp_path / "report.md"
    response = response_from_answers(BASELINE, book)
    done = invoke(["screen", "--report", str(target), "--json"], stdin=json.dumps(response))
    assert done.returncode == 0
    assert "## The technique: Posterior neck release" in target.read_text(encoding="utf-8")


def test_no_color_is_honoured() -> None:
    import os

    emergency = json.dumps(BASELINE | {"vascular_signs": "yes", "signs_recent": "yes"})
    coloured = invoke(["screen"], stdin=emergency, env=dict(os.environ, FORCE_COLOR="1"))
    assert "\x1b[1;37;41mEMERGENCY" in coloured.stdout  # colour when a terminal is assumed
    plain = invoke(["screen"], stdin=emergency,
                env=dict(os.environ, FORCE_COLOR="1", NO_COLOR="1"))  # fmt: skip
    assert plain.stdout.startswith("\x1b[1mEMERGENCY")  # bold stays; no colour at all
    import re

    codes = re.findall(r"\x1b\[([0-9;]*)m", plain.stdout)
    params = {int(p) for code in codes for p in code.split(";") if p}
    assert params <= {0, 1, 2, 3, 4, 22, 23, 24}  # bold, dim, italic, underline, resets only
