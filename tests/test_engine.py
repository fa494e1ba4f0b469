"""SPEC.md section 2 decision intent, a row per rule, plus the clinical vignettes in cases/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neckcheck.answers import check_answers
from neckcheck.engine import decide, screen
from neckcheck.model import Rulebook
from tests.rows import ROWS
from tests.spec import BASELINE, NO_INJURY, oracle


@pytest.mark.parametrize(("rule", "base", "change", "outcome", "disposition"), ROWS)
def test_each_rule_decides_as_spec_says(
    book: Rulebook, rule: str, base: dict, change: dict, outcome: str, disposition: str
) -> None:
    answers = base | change
    decision = screen(answers, book)
    assert (decision.outcome, decision.disposition) == (outcome, disposition)
    assert rule in [r.rule for r in decision.reasons]
    assert oracle(answers)[:2] == (outcome, disposition)  # the row agrees with SPEC.md too


def test_every_rule_has_a_row(book: Rulebook) -> None:
    assert {r.id for r in book.rules} == {row[0] for row in ROWS}


def test_red_flag_lists_all_its_red_flags_most_urgent_first(book: Rulebook) -> None:
    answers = BASELINE | {"midline_tenderness": "yes", "vascular_signs": "yes", "age": 70}
    decision = screen(answers, book)
    fired = [r.rule for r in decision.reasons]
    assert set(fired) == {"clinician.midline_tenderness", "emergency.vascular", "emergency.ccr_age"}
    assert [r.disposition for r in decision.reasons] == ["emergency", "emergency", "clinician"]
    assert decision.disposition == "emergency"


def test_skipped_keys_play_no_part(book: Rulebook) -> None:
    # fall_direction "backward" would mean traditional whiplash, but with no injury it is not asked.
    answers = NO_INJURY | {"fall_direction": "backward", "head_injury": "yes", "age": 70}
    decision = screen(answers, book)
    assert decision.outcome == "general_soreness"


def test_no_technique_text_without_technique(book: Rulebook) -> None:
    for change in ({"sore_front": "yes"}, {"vascular_signs": "yes"}, {"sore_back": "unsure"}):
        decision = screen(BASELINE | change, book)
        assert decision.disposition != "technique"
        assert (decision.steps, decision.cautions, decision.see_also) == ((), (), ())


def test_cautions_follow_spec(book: Rulebook) -> None:
    answers = BASELINE | {"known_spine_problem": "disc_or_nerve", "low_back_pain": "unsure"}
    decision = screen(answers, book)
    assert [c.id for c in decision.cautions] == [
        "stop_if_pain", "soft_ball", "no_traction", "no_foam_roller", "recent_injury",
        "warning_signs",
    ]  # fmt: skip
    quiet = screen(NO_INJURY, book)
    assert [c.id for c in quiet.cautions] == ["stop_if_pain", "soft_ball"]
    two_days = screen(BASELINE | {"days_since_injury": 2}, book)
    assert "recent_injury" not in {c.id for c in two_days.cautions}
    assert "warning_signs" in {c.id for c in two_days.cautions}


def test_decide_takes_checked_answers(book: Rulebook) -> None:
    checked = check_answers(BASELINE, book)
    assert decide(checked, book) == screen(BASELINE, book)


CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_clinical_vignette(book: Rulebook, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    decision = screen(case["answers"], book)
    assert decision.outcome == case["expect"]["outcome"], case["story"]
    assert decision.disposition == case["expect"]["disposition"], case["story"]
    for rule in case["expect"].get("rules", []):
        assert rule in [r.rule for r in decision.reasons]
    for caution in case["expect"].get("cautions", []):
        assert caution in [c.id for c in decision.cautions]
    assert oracle(case["answers"])[:2] == (decision.outcome, decision.disposition)


def test_there_are_vignettes() -> None:
    assert len(CASES) >= 8
