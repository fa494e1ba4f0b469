"""The compiled rulebook: the same rulebook as the validated YAML, proved, used only while
current and valid (tests/test_rules_trust.py: edited, damaged and unproved copies)."""

from __future__ import annotations

import json
from pathlib import Path

from neckcheck.api import load_rulebook
from neckcheck.authoring.validation import load_validated
from neckcheck.core.conditions import parse
from neckcheck.core.model import Rulebook
from neckcheck.rulebook.load import COMPILED, COMPILED_FORMAT, compiled_state, sources_hash
from neckcheck.rulebook.rulecheck import book_from_plain, to_plain
from tests.cli import invoke
from tests.conftest import RULES


def test_shipped_compiled_copy_is_current_valid_proved_and_equal(book: Rulebook) -> None:
    state = compiled_state(RULES)
    assert state.book is not None, f"run `neckcheck rules compile rules` ({state.reason})"
    assert state.proof is not None
    assert state.proof.holds, state.proof.why_not()
    assert state.proof.failed == state.proof.unproved == ()
    assert state.book == load_validated(RULES)
    assert book == state.book
    assert book.warning is None
    stored = json.loads((RULES / COMPILED).read_text(encoding="utf-8"))
    assert stored["format"] == COMPILED_FORMAT
    assert stored["sources"] == sources_hash(RULES)
    assert stored["rulebook"] == to_plain(load_validated(RULES))


def test_conditions_round_trip(book: Rulebook) -> None:
    conditions = [r.when for r in book.rules] + [q.asked_when for q in book.questions]
    for cond in filter(None, conditions):
        assert parse(cond.to_plain()) == cond


def test_plain_round_trip(book: Rulebook) -> None:
    assert book_from_plain(to_plain(book), book.source) == book


def test_an_edit_makes_the_copy_stale(rules_copy: Path) -> None:
    before = sources_hash(rules_copy)
    path = rules_copy / "decisions.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{age: {lt: 16}}",
                                                              "{age: {lt: 18}}"))  # fmt: skip
    assert sources_hash(rules_copy) != before
    state = compiled_state(rules_copy)
    assert state.book is None
    assert "compiled from other YAML files" in state.reason
    book = load_rulebook(rules_copy, allow_unproved=True)  # falls back to the YAML: the edit counts
    rule = next(r for r in book.red_flags if r.id == "clinician.under_16")
    assert rule.when is not None
    assert rule.when.to_plain() == {"age": {"lt": 18}}
    assert book.warning is not None


def test_a_damaged_copy_is_ignored(rules_copy: Path) -> None:
    (rules_copy / COMPILED).write_text("{not json", encoding="utf-8")
    assert compiled_state(rules_copy).book is None
    assert load_rulebook(rules_copy, allow_unproved=True) == load_validated(RULES)


def test_rules_compile_command(rules_copy: Path) -> None:
    (rules_copy / COMPILED).unlink()
    done = invoke(["rules", "compile", str(rules_copy)])
    assert done.returncode == 0, done.stderr
    stored = json.loads((rules_copy / COMPILED).read_text(encoding="utf-8"))
    assert stored["sources"] == sources_hash(rules_copy)
    assert stored["proof"]["holds"] is True
    assert compiled_state(rules_copy).book == load_validated(RULES)
    assert load_rulebook(rules_copy).warning is None
