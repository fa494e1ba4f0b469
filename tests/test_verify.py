"""`neckcheck rules check`: the proofs hold on the shipped rules, every deliberately broken rule
file yields a counterexample that the real command reproduces, and no red-flag rule can be
deleted or flipped without `rules check` or the SPEC guard of this suite failing."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from neckcheck.conditions import All, AnyOf, Compare, Condition, Not
from neckcheck.engine import screen
from neckcheck.model import URGENCY, Rulebook
from neckcheck.rulebook import load_rulebook
from neckcheck.verify import verify
from tests.conftest import neckcheck_command
from tests.guard import spec_violations
from tests.test_rulebook import edit


def test_shipped_rules_prove_every_property(book: Rulebook) -> None:
    report = verify(book)
    assert [r.name for r in report.results if not r.holds] == []
    assert all(r.checked > 0 for r in report.results)
    names = " ".join(r.name for r in report.results)
    for prop in ("completeness", "red-flag dominance", "unsure is never safer", "no dead rule",
                 "skipped"):  # fmt: skip
        assert prop in names


def test_shipped_rules_pass_the_spec_guard(book: Rulebook) -> None:
    assert spec_violations(book) == []


def failing(folder: Path) -> dict[str, list[str]]:
    report = verify(load_rulebook(folder))
    return {r.name.split(":")[0]: r.failures for r in report.results if not r.holds}


def replay(answers: dict, rules: Path) -> dict:
    """What the real command decides for these answers with these rules."""
    done = subprocess.run([*neckcheck_command(), "screen", "--rules", str(rules), "--json"],
                          input=json.dumps(answers), capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.stderr == "", done.stderr
    return json.loads(done.stdout)


def test_unsure_left_out_of_a_red_flag(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "when: {head_injury: [yes, unsure]}",
         "when: {head_injury: yes}")  # fmt: skip
    report = verify(load_rulebook(rules_copy))
    result = next(r for r in report.results if r.name.startswith("unsure"))
    assert not result.holds
    example = result.counterexamples[0]
    assert example["head_injury"] == "unsure"
    with_unsure = replay(example, rules_copy)
    with_yes = replay(example | {"head_injury": "yes"}, rules_copy)
    assert URGENCY[with_unsure["disposition"]] < URGENCY[with_yes["disposition"]]


def test_pattern_shadowed_is_a_dead_rule(rules_copy: Path) -> None:
    # A catch-all pattern first: every later pattern and `otherwise` become dead.
    extra = "        - {sore_front: no}\n        - {sore_front: unsure}\n"
    edit(rules_copy, "decisions.yaml", "        - {sore_front: yes}\n",
         "        - {sore_front: yes}\n" + extra)  # fmt: skip
    failures = failing(rules_copy)
    assert "no dead rule" in failures
    assert any("pattern.back_loaded_after_accident never decides" in f
               for f in failures["no dead rule"])  # fmt: skip


def test_read_of_a_question_that_is_always_skipped(rules_copy: Path) -> None:
    rule = "    when: {injury: none, sore_back: yes, sore_front: no"
    edit(rules_copy, "decisions.yaml", rule + "}", rule + ", not: {head_injury: yes}}")
    failures = failing(rules_copy)
    assert failures == {"no rule reads a question that is skipped whenever the rule matters": [
        "pattern.back_sore_no_injury reads head_injury, which is never asked when "
        "pattern.back_sore_no_injury decides"]}  # fmt: skip


def test_unread_question(rules_copy: Path) -> None:
    text = (rules_copy / "cautions.yaml").read_text(encoding="utf-8")
    text = text.replace("    when: {low_back_pain: [yes, unsure]}\n", "    when: {injury: none}\n")
    (rules_copy / "cautions.yaml").write_text(text, encoding="utf-8")
    failures = failing(rules_copy)
    assert failures["every question is read by a rule, a caution or the skip logic"] == [
        "question low_back_pain is asked but no rule reads it"
    ]


def test_dead_caution(rules_copy: Path) -> None:
    edit(rules_copy, "cautions.yaml", "when: {known_spine_problem: disc_or_nerve}",
         "when: {known_spine_problem: surgery_or_fusion}")  # fmt: skip
    assert "no dead caution" in failing(rules_copy)


def test_cli_exit_codes_and_counterexample(rules_copy: Path) -> None:
    ok = subprocess.run([*neckcheck_command(), "rules", "check"], capture_output=True, text=True,
                        check=False)  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "every property holds" in ok.stdout
    edit(rules_copy, "decisions.yaml", "when: {bladder_bowel: [yes, unsure]}",
         "when: {bladder_bowel: yes}")  # fmt: skip
    bad = subprocess.run([*neckcheck_command(), "rules", "check", str(rules_copy)],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert bad.returncode == 1
    assert "FAIL unsure is never safer" in bad.stdout
    line = next(x for x in bad.stdout.splitlines() if x.strip().startswith("{"))
    example = json.loads(line)
    assert replay(example, rules_copy)["disposition"] != "emergency"  # unsure slips through
    assert replay(example | {"bladder_bowel": "yes"}, rules_copy)["disposition"] == "emergency"


# ---- Mutations: no red-flag rule without a guard ----------------------------------------------

FLIP = {"eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in", "lt": "gte", "gte": "lt",
        "lte": "gt", "gt": "lte"}  # fmt: skip


def flip_last(cond: Condition) -> Condition:
    """The condition with its last comparison turned around (e.g. lte 2 -> gt 2)."""
    if isinstance(cond, Compare):
        return dataclasses.replace(cond, op=FLIP[cond.op])
    if isinstance(cond, All | AnyOf):
        return dataclasses.replace(cond, parts=(*cond.parts[:-1], flip_last(cond.parts[-1])))
    assert isinstance(cond, Not)
    return Not(flip_last(cond.part))


def caught(book: Rulebook) -> list[str]:
    guards = [f"rules check: {r.name}" for r in verify(book).results if not r.holds]
    if spec_violations(book):
        guards.append("SPEC guard of the test suite")
    return guards


RED_FLAG_IDS = [r.id for r in load_rulebook().red_flags]


@pytest.mark.parametrize("rule_id", RED_FLAG_IDS)
def test_deleting_a_red_flag_rule_is_caught(book: Rulebook, rule_id: str) -> None:
    mutant = dataclasses.replace(book, red_flags=tuple(r for r in book.red_flags
                                                      if r.id != rule_id))  # fmt: skip
    assert caught(mutant), f"deleting {rule_id} went unnoticed"


@pytest.mark.parametrize("rule_id", RED_FLAG_IDS)
def test_flipping_a_red_flag_comparison_is_caught(book: Rulebook, rule_id: str) -> None:
    red_flags = tuple(
        dataclasses.replace(r, when=flip_last(r.when)) if r.id == rule_id and r.when else r
        for r in book.red_flags
    )
    assert caught(dataclasses.replace(book, red_flags=red_flags)), f"flipping {rule_id} unnoticed"


def test_mutants_are_real(book: Rulebook) -> None:
    # The mutation helpers change behaviour: a flipped vascular rule no longer fires on "yes".
    answers = {"vascular_signs": "yes"}
    rule = next(r for r in book.red_flags if r.id == "emergency.vascular")
    assert rule.when is not None
    assert rule.when.holds(answers)
    assert not flip_last(rule.when).holds(answers)
    assert screen  # the engine used by the guard is the real one
