"""One source of the rules at run time: the compiled copy, checked. The package keeps no rule
code, only the pin of the compiled copy it vouches for (rulebook/pinned.py): its digest, whose
proof record alone is trusted without proving, and its bytes' SHA-256, read without the checks
being repeated. Any other copy of the shipped folder is checked in full and proved afresh."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import neckcheck
from neckcheck.authoring.pin import pin_path, pin_text
from neckcheck.authoring.validation import load_validated
from neckcheck.core.errors import UnprovedRulesError
from neckcheck.core.model import Rulebook
from neckcheck.rulebook import pinned
from neckcheck.rulebook.load import (
    COMPILED,
    ProofRecord,
    compiled_digest,
    compiled_state,
    file_digest,
    open_rulebook,
)
from tests.conftest import RULES


class Tools:
    """RuleTools that record what loading asked of them (the real YAML reading, and proofs that
    say `holds` without proving anything)."""

    def __init__(self, holds: bool = False) -> None:
        self.holds = holds
        self.read: list[str] = []
        self.proved: list[Rulebook] = []

    def validate(self, folder: str) -> Rulebook:
        self.read.append(folder)
        return load_validated(Path(folder))

    def prove(self, book: Rulebook) -> ProofRecord:
        self.proved.append(book)
        unproved = () if self.holds else ("a property",)
        return ProofRecord(self.holds, ("a property",), (), unproved)


@pytest.fixture
def as_shipped(rules_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import neckcheck.rulebook.load as rulebook

    monkeypatch.setattr(rulebook, "default_rules_path", lambda: str(rules_copy))
    return rules_copy


def test_the_pin_is_current() -> None:
    assert Path(pin_path()).read_text(encoding="utf-8") == pin_text(), (
        "run python -m neckcheck.authoring.pin"
    )


def test_the_shipped_copy_is_the_pinned_one_and_loads_without_the_tools() -> None:
    state = compiled_state(RULES)
    assert state.pinned
    assert state.digest == pinned.COMPILED_DIGEST
    assert file_digest((RULES / COMPILED).read_bytes()) == pinned.COMPILED_FILE_SHA256
    assert state.book == compiled_state(RULES, trust_pinned=False).book  # the shortcut, checked
    tools = Tools()
    book = open_rulebook(None, tools)
    assert book.warning is None
    assert tools.proved == tools.read == []


def test_a_copy_with_other_bytes_is_checked_in_full_and_still_pinned(as_shipped: Path) -> None:
    """The same content with other spacing (a plain install may rewrite line ends): not the
    pinned bytes, so every check runs; its digest is the pinned one, so its proof counts."""
    path = as_shipped / COMPILED
    stored = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(stored, indent=2), encoding="utf-8")
    assert file_digest(path.read_bytes()) != pinned.COMPILED_FILE_SHA256
    tools = Tools()
    assert open_rulebook(None, tools).warning is None
    assert tools.proved == tools.read == []
    # and the strict reading refuses what a plain one would not see: a key given twice
    doubled = path.read_text(encoding="utf-8").replace(
        '"rulebook": {', '"format": 4, "rulebook": {'
    )
    path.write_text(doubled, encoding="utf-8")
    assert compiled_state(as_shipped).book is None


def forge(folder: Path, change: Any) -> None:
    """A hand edit of the compiled copy with its digest recomputed and its proof saying holds."""
    path = folder / COMPILED
    stored = json.loads(path.read_text(encoding="utf-8"))
    change(stored)
    stored["digest"] = compiled_digest(stored)
    path.write_text(json.dumps(stored, indent=1), encoding="utf-8")


def drop_vascular(stored: dict[str, Any]) -> None:
    flags = stored["rulebook"]["red_flags"]
    stored["rulebook"]["red_flags"] = [r for r in flags if r["id"] != "emergency.vascular"]


def test_a_forged_copy_in_the_shipped_folder_is_proved_afresh(as_shipped: Path) -> None:
    forge(as_shipped, drop_vascular)
    state = compiled_state(as_shipped)
    assert state.book is not None  # structurally valid: only the pin tells it apart
    assert state.proof is not None
    assert state.proof.holds
    assert not state.pinned
    # The forged copy is not used: the YAML is read and proved (and refused when not proved).
    with pytest.raises(UnprovedRulesError, match="not proved: a property"):
        open_rulebook(None, Tools())
    tools = Tools(holds=True)
    book = open_rulebook(None, tools)
    assert tools.read == [str(as_shipped)]
    assert tools.proved == [book]
    assert book == load_validated(RULES)
    assert "emergency.vascular" in {r.id for r in book.red_flags}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b + b" ",
        lambda b: b.replace(b'"emergency"', b'"technique"', 1),
        lambda b: b.replace(b'\n "rulebook": {', b'\n "format": 4,\n "rulebook": {', 1),
    ],
    ids=["trailing space", "downgraded disposition", "key given twice"],
)
def test_tampered_bytes_get_every_check(as_shipped: Path, tamper: Any) -> None:
    path = as_shipped / COMPILED
    data = path.read_bytes()
    changed = tamper(data)
    assert changed != data
    path.write_bytes(changed)
    assert file_digest(changed) != pinned.COMPILED_FILE_SHA256
    state = compiled_state(as_shipped)
    assert state.book is None or state.book == compiled_state(RULES).book  # spacing only


def test_no_rule_is_written_in_the_package_code() -> None:
    """Issue 28, item 7: no generated module holds the rules, so no stale or planted bytecode
    can change a decision; the rules are read from the checked compiled copy only."""
    source = Path(neckcheck.__file__).parent
    rule_ids = {r.id for r in neckcheck.load_rulebook().rules}
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [rule for rule in rule_ids if rule in text], path
