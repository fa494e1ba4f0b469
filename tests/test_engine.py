"""The contract's decision intent (v3 section 2), a row per rule, plus the clinical vignettes in
cases/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neckcheck.api import screen
from neckcheck.core.answers import check_answers
from neckcheck.core.engine import decide
from neckcheck.core.model import Rulebook
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
    answers = BASELINE | {"midline_tenderness": "yes", "new_headache": "yes", "age": 70,
                          "signs_recent": "yes", "days_since_injury": 5}  # fmt: skip
    decision = screen(answers, book)
    fired = [r.rule for r in decision.reasons]
    assert fired == [
        "urgent.new_headache",
        "urgent.neck_scan_first_weeks",
        "clinician.age_65_after_injury",
        "clinician.midline_tenderness",
    ]
    assert [r.disposition for r in decision.reasons] == ["urgent", "urgent", "clinician",
                                                         "clinician"]  # fmt: skip
    assert (decision.disposition, decision.exit_code, decision.timeframe) == ("urgent", 6, "today")
    with_vascular = screen(answers | {"vascular_signs": "yes", "signs_recent": "yes"}, book)
    assert with_vascular.reasons[0].rule == "emergency.vascular"
    assert (with_vascular.disposition, with_vascular.timeframe) == ("emergency", "now")
    assert len(with_vascular.reasons) == len(decision.reasons) + 1


def test_skipped_keys_play_no_part(book: Rulebook) -> None:
    # fall_direction "backward" would mean traditional whiplash, but with no injury it is not asked.
    answers = NO_INJURY | {"fall_direction": "backward", "head_injury": "yes", "age": 70}
    decision = screen(answers, book)
    assert decision.outcome == "general_soreness"


def test_no_technique_text_without_technique(book: Rulebook) -> None:
    for change in (
        {"vascular_signs": "yes", "signs_recent": "yes"},
        {"new_headache": "yes", "signs_recent": "yes"},
        {"sore_back": "unsure"},
    ):
        decision = screen(BASELINE | change, book)
        assert decision.disposition not in ("technique", "avoid_technique")
        assert (decision.steps, decision.cautions, decision.see_also) == ((), (), ())


def test_traditional_whiplash_gets_cautions_and_front_release(book: Rulebook) -> None:
    decision = screen(BASELINE | {"sore_front": "yes"}, book)
    assert decision.disposition == "avoid_technique"
    assert decision.steps == ()
    assert [c.id for c in decision.cautions] == [
        "stop_if_pain", "front_of_neck", "recent_injury", "warning_signs",
    ]  # fmt: skip
    assert len(decision.see_also) == 3
    front = " ".join(decision.see_also).lower()
    for part in ("chest", "biceps", "shoulder"):
        assert part in front
    assert "neck" not in front  # the front and sides of the neck are left to a therapist
    assert "therapist" in decision.advice


def test_cautions_follow_spec(book: Rulebook) -> None:
    answers = BASELINE | {"known_spine_problem": "disc_or_nerve", "low_back_pain": "unsure"}
    decision = screen(answers, book)
    assert [c.id for c in decision.cautions] == [
        "stop_if_pain", "soft_ball", "no_traction", "no_foam_roller", "front_of_neck",
        "recent_injury", "warning_signs",
    ]  # fmt: skip
    quiet = screen(NO_INJURY, book)
    assert [c.id for c in quiet.cautions] == [
        "stop_if_pain", "soft_ball", "front_of_neck", "warning_signs",
    ]  # fmt: skip
    two_days = screen(BASELINE | {"days_since_injury": 2}, book)
    assert "recent_injury" not in {c.id for c in two_days.cautions}
    assert "warning_signs" in {c.id for c in two_days.cautions}


def test_decide_takes_checked_answers(book: Rulebook) -> None:
    checked = check_answers(BASELINE, book)
    assert decide(checked, book) == screen(BASELINE, book)


CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
# Every vignette states all of these, and every one is asserted.
EXPECT_KEYS = {"outcome", "disposition", "exit_code", "timeframe", "rules", "cautions"}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_clinical_vignette(book: Rulebook, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert set(case) == {"story", "answers", "expect"}
    expect = case["expect"]
    assert set(expect) == EXPECT_KEYS, "expect must state exactly the keys the test asserts"
    decision = screen(case["answers"], book)
    got = {
        "outcome": decision.outcome,
        "disposition": decision.disposition,
        "exit_code": decision.exit_code,
        "timeframe": decision.timeframe,
        "rules": [r.rule for r in decision.reasons],  # in the order the decision lists them
        "cautions": [c.id for c in decision.cautions],  # in section 3's order
    }
    assert got == expect, case["story"]
    # Section 4: steps only for the technique; the follow-on (technique) or front-release
    # (avoid_technique) techniques only for those two.
    assert bool(decision.steps) == (decision.disposition == "technique")
    assert bool(decision.see_also) == (decision.disposition in ("technique", "avoid_technique"))
    # The vignette agrees with the hand-written SPEC oracle too.
    by_spec = oracle(case["answers"])
    assert by_spec == (got["outcome"], got["disposition"], set(got["cautions"]))


def test_there_are_vignettes() -> None:
    assert len(CASES) >= 8
