"""The compiled rulebook: the same rulebook as the validated YAML, used only while current."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from neckcheck.conditions import parse
from neckcheck.model import Rulebook
from neckcheck.rulebook import COMPILED, _load_compiled, load_rulebook, sources_hash
from neckcheck.validation import load_validated
from tests.conftest import RULES, neckcheck_command


def test_shipped_compiled_copy_is_current_and_equal(book: Rulebook) -> None:
    compiled = _load_compiled(str(RULES))
    assert compiled is not None, "run `neckcheck rules compile rules`"
    assert compiled == load_validated(RULES)
    assert book == compiled


def test_conditions_round_trip(book: Rulebook) -> None:
    conditions = [r.when for r in book.rules] + [q.asked_when for q in book.questions]
    for cond in filter(None, conditions):
        assert parse(cond.to_plain()) == cond


def test_an_edit_makes_the_copy_stale(rules_copy: Path) -> None:
    before = sources_hash(rules_copy)
    path = rules_copy / "decisions.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{age: {lt: 16}}",
                                                              "{age: {lt: 18}}"))  # fmt: skip
    assert sources_hash(rules_copy) != before
    assert _load_compiled(str(rules_copy)) is None
    book = load_rulebook(rules_copy)  # falls back to the YAML: the edit counts
    rule = next(r for r in book.red_flags if r.id == "clinician.under_16")
    assert rule.when is not None
    assert rule.when.to_plain() == {"age": {"lt": 18}}


def test_a_damaged_copy_is_ignored(rules_copy: Path) -> None:
    (rules_copy / COMPILED).write_text("{not json", encoding="utf-8")
    assert _load_compiled(str(rules_copy)) is None
    assert load_rulebook(rules_copy) == load_validated(RULES)


def test_rules_compile_command(rules_copy: Path) -> None:
    (rules_copy / COMPILED).unlink()
    done = subprocess.run([*neckcheck_command(), "rules", "compile", str(rules_copy)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    stored = json.loads((rules_copy / COMPILED).read_text(encoding="utf-8"))
    assert stored["sources"] == sources_hash(rules_copy)
    assert _load_compiled(str(rules_copy)) == load_validated(RULES)
