"""The JSON Schema of the decision output (docs/decision.schema.json) is generated from the rules,
stays current, accepts every decision neckcheck makes, and refuses what it cannot make."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from jsonschema import Draft202012Validator

from neckcheck import screen, screen_lines
from neckcheck.core.model import Rulebook
from neckcheck.formats.schema import decision_schema
from tests.conftest import REPO
from tests.strategies import answer_sets

CASES = sorted((REPO / "tests" / "cases").glob("*.json"))
DOC = REPO / "docs" / "decision.schema.json"


@pytest.fixture(scope="module")
def validator(book: Rulebook) -> Draft202012Validator:
    schema = decision_schema(book)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(validator: Draft202012Validator, decision: object) -> list[str]:
    return [e.message for e in validator.iter_errors(decision)]


def test_docs_decision_schema_is_generated_from_the_rules(book: Rulebook) -> None:
    expected = json.dumps(decision_schema(book), indent=2) + "\n"
    assert DOC.read_text(encoding="utf-8") == expected, (
        "regenerate docs/decision.schema.json from neckcheck.formats.schema.decision_schema"
    )


def test_the_schema_is_a_pure_function_of_the_rules(book: Rulebook) -> None:
    assert decision_schema(book) == decision_schema(book)
    schema = decision_schema(book)
    assert schema["properties"]["contract_version"] == {"const": 3}
    assert set(schema["properties"]["reasons"]["items"]["properties"]["rule"]["enum"]) == {
        r.id for r in book.rules
    }
    assert schema["properties"]["cautions"]["items"]["properties"]["id"]["enum"] == [
        c.id for c in book.cautions
    ]


def case_decision(path: Path, book: Rulebook) -> dict[str, object]:
    answers = json.loads(path.read_text(encoding="utf-8"))["answers"]
    return screen(answers, book).to_dict()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_case_decision_is_valid(
    path: Path, book: Rulebook, validator: Draft202012Validator
) -> None:
    decision = case_decision(path, book)
    assert errors(validator, decision) == []


def test_the_cases_reach_every_outcome_pair_of_the_schema(
    book: Rulebook, validator: Draft202012Validator
) -> None:
    reached = {(d["outcome"], d["disposition"]) for d in (case_decision(p, book) for p in CASES)}
    branches = decision_schema(book)["oneOf"]
    pairs = {(b["properties"]["outcome"]["const"], b["properties"]["disposition"]["const"])
             for b in branches}  # fmt: skip
    assert pairs == reached


@given(answers=answer_sets())
def test_random_decisions_are_valid(
    answers: dict[str, Any], book: Rulebook, validator: Draft202012Validator
) -> None:
    decision = screen(answers, book).to_dict()
    assert errors(validator, decision) == []


def test_batch_decision_lines_are_valid(book: Rulebook, validator: Draft202012Validator) -> None:
    lines = [json.dumps(json.loads(p.read_text(encoding="utf-8"))["answers"]) for p in CASES]
    records = list(screen_lines(lines, book))
    assert [r["line"] for r in records] == list(range(1, len(CASES) + 1))
    for record in records:
        assert errors(validator, record) == []


def test_a_decision_from_unproved_rules_is_valid(rules_copy: Path) -> None:
    from neckcheck.api import load_rulebook

    book = load_rulebook(rules_copy, allow_unproved=True)
    decision = screen(json.loads(CASES[0].read_text(encoding="utf-8"))["answers"], book).to_dict()
    assert "warning" in decision
    assert errors(Draft202012Validator(decision_schema(book)), decision) == []


def by_outcome(book: Rulebook, outcome: str, disposition: str) -> dict[str, Any]:
    for path in CASES:
        decision = case_decision(path, book)
        if (decision["outcome"], decision["disposition"]) == (outcome, disposition):
            return decision
    raise LookupError((outcome, disposition))


PATTERN_RULE = "pattern.back_sore_no_injury"
MUTATIONS = {
    "unknown outcome": ("reverse_whiplash", "technique", lambda d: d.update(outcome="fine")),
    "exit code of another outcome": (
        "red_flag", "emergency", lambda d: d.update(exit_code=0)),
    "a red flag's time frame dropped": (
        "red_flag", "urgent", lambda d: d.update(timeframe=None)),
    "an emergency shown as self-care": (
        "red_flag", "emergency", lambda d: d.update(disposition="technique")),
    "steps on a red flag": ("red_flag", "clinician", lambda d: d.update(steps=["press here"])),
    "cautions on a red flag": (
        "red_flag", "emergency", lambda d: d.update(cautions=[{"id": "soft_ball", "text": "x"}])),
    "unknown caution id": (
        "general_soreness", "technique", lambda d: d["cautions"][0].update(id="be_careful")),
    "unknown rule id": ("unclear", "clinician", lambda d: d["reasons"][0].update(rule="nope")),
    "a pattern reason first on a red flag": (
        "red_flag", "urgent",
        lambda d: d["reasons"].insert(0, {**d["reasons"][0], "rule": PATTERN_RULE}),
    ),
    "no reasons": ("traditional_whiplash", "avoid_technique", lambda d: d.update(reasons=[])),
    "two reasons for a pattern": (
        "reverse_whiplash", "technique", lambda d: d["reasons"].append(d["reasons"][0])),
    "no steps for the technique": ("general_soreness", "technique", lambda d: d.update(steps=[])),
    "a technique named on a referral": (
        "unclear", "clinician", lambda d: d.update(technique="posterior release")),
    "another contract version": (
        "reverse_whiplash", "technique", lambda d: d.update(contract_version=2)),
    "a required key missing": ("red_flag", "urgent", lambda d: d.pop("disclaimer")),
    "empty headline": ("red_flag", "emergency", lambda d: d.update(headline="")),
}  # fmt: skip


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_mutated_decision_is_refused(
    mutation: str, book: Rulebook, validator: Draft202012Validator
) -> None:
    outcome, disposition, change = MUTATIONS[mutation]
    decision = by_outcome(book, outcome, disposition)
    assert errors(validator, decision) == []  # valid before the change
    mutated = copy.deepcopy(decision)
    change(mutated)
    assert mutated != decision
    assert errors(validator, mutated) != [], mutation


def test_the_manual_example_decision_is_valid(validator: Draft202012Validator) -> None:
    page = (REPO / "docs" / "scripting.md").read_text(encoding="utf-8")
    shown = page.split("prints (exit code 0):\n\n```json\n", 1)[1].split("```", 1)[0]
    assert errors(validator, json.loads(shown)) == []
    assert "](decision.schema.json)" in page
    assert "docs/decision.schema.json" in (REPO / "README.md").read_text(encoding="utf-8")


def test_schema_decision_command_prints_it() -> None:
    from tests.cli import invoke

    done = invoke(["schema", "--decision"])
    assert done.returncode == 0
    assert json.loads(done.stdout) == json.loads(DOC.read_text(encoding="utf-8"))
    answers = invoke(["schema"])
    assert json.loads(answers.stdout) != json.loads(done.stdout)


def since_decision(book: Rulebook) -> dict[str, Any]:
    """A decision compared with an earlier screening: a technique result on day 1, then a new
    headache on day 5."""
    from neckcheck.formats.saved import saved_interview

    before = json.loads((REPO / "tests/cases/face_first_hiking_fall.json").read_text())["answers"]
    saved = saved_interview(before, False, "2026-12-01T09:00:00+01:00", book.version)
    after = {k: v for k, v in before.items() if k != "can_rotate_45"} | {
        "days_since_injury": 5, "new_headache": "yes", "signs_recent": "yes"}  # fmt: skip
    return screen(after, book, since=saved).to_dict()


def test_a_decision_with_since_is_valid(book: Rulebook, validator: Draft202012Validator) -> None:
    decision = since_decision(book)
    assert decision["since"]["more_urgent"] is True
    assert errors(validator, decision) == []


SINCE_MUTATIONS = {
    "more_urgent not a boolean": lambda s: s.update(more_urgent="yes"),
    "unknown disposition before": lambda s: s.update(disposition_before="fine"),
    "a change of an unknown key": lambda s: s["changes"][0].update(key="mood"),
    "a change to a value no question takes": lambda s: s["changes"][1].update(after="maybe"),
    "a number out of range": lambda s: s["changes"][0].update(after=9999),
    "a key missing": lambda s: s.pop("given_at"),
}


@pytest.mark.parametrize("mutation", sorted(SINCE_MUTATIONS))
def test_a_mutated_since_is_refused(
    mutation: str, book: Rulebook, validator: Draft202012Validator
) -> None:
    decision = since_decision(book)
    assert [c["key"] for c in decision["since"]["changes"]][:2] == [
        "days_since_injury", "new_headache"]  # fmt: skip
    SINCE_MUTATIONS[mutation](decision["since"])
    assert errors(validator, decision) != [], mutation
