"""The contract's safety properties (v3 section 6), each as a hypothesis test, plus agreement with
the hand-written oracle (tests/spec.py) over the answer space that hypothesis explores.

Properties that compare two answer sets differing in one answer draw *full* answer sets, every
key present: a key that one of the pair does not ask is simply ignored there (the contract allows
skipped keys), so the comparison is "other answers equal" as section 6 means it."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from neckcheck.api import screen
from neckcheck.core.model import Rulebook
from tests.spec import (
    CLINICIAN_ANY_TIME,
    EMERGENCY_ANY_TIME,
    OUTCOMES,
    QUESTIONS,
    RED_FLAG_TRI,
    TIMEFRAMES,
    URGENCY,
    URGENT_ANY_TIME,
    is_asked,
    oracle,
)
from tests.strategies import answer_sets, value_of

TRI_KEYS = [k for k, (kind, _, _) in QUESTIONS.items() if kind == "tri"]
UNSURE_KEYS = [k for k, (kind, domain, _) in QUESTIONS.items() if "unsure" in domain]
INJURIES = st.sampled_from(["fall", "vehicle", "sport_or_blow", "other_accident"])
YES = st.sampled_from(["yes", "unsure", True])
EMERGENCY, URGENT, CLINICIAN = URGENCY["emergency"], URGENCY["urgent"], URGENCY["clinician"]


@st.composite
def full_sets(draw: st.DrawFn, /, **fixed: Any) -> dict[str, Any]:
    """An answer set carrying every key (asked or not), with `fixed` keys pinned."""
    answers = {k: draw(value_of(k)) for k in QUESTIONS}
    for key, pin in fixed.items():
        answers[key] = draw(pin) if isinstance(pin, st.SearchStrategy) else pin
    return answers


def urgency(answers: dict[str, Any], book: Rulebook) -> int:
    return URGENCY[screen(answers, book).disposition]


def window(days: int) -> int:
    """The urgency a failed head-turning test sets after an injury (contract section 2)."""
    return EMERGENCY if days <= 2 else URGENT if days <= 14 else CLINICIAN


@given(answers=answer_sets())
def test_engine_agrees_with_spec_oracle(book: Rulebook, answers: dict) -> None:
    decision = screen(answers, book)
    outcome, disposition, cautions = oracle(answers)
    assert (decision.outcome, decision.disposition) == (outcome, disposition)
    assert {c.id for c in decision.cautions} == cautions
    assert decision.exit_code == OUTCOMES[(outcome, disposition)]
    assert decision.timeframe == TIMEFRAMES[disposition]


@given(answers=answer_sets())
def test_completeness_exactly_one_outcome(book: Rulebook, answers: dict) -> None:
    decision = screen(answers, book)
    assert (decision.outcome, decision.disposition) in OUTCOMES
    assert decision.exit_code == OUTCOMES[(decision.outcome, decision.disposition)]
    assert decision.reasons, "every decision says why"
    fired_dispositions = {r.disposition for r in decision.reasons}
    assert decision.disposition == max(fired_dispositions, key=URGENCY.__getitem__)


# ---- Red-flag dominance: whatever the other answers, a red flag's urgency at least ----


@given(answers=full_sets(), key=st.sampled_from(EMERGENCY_ANY_TIME), value=YES)
def test_emergency_flag_dominates_everything(
    book: Rulebook, answers: dict, key: str, value: Any
) -> None:
    assert urgency(answers | {key: value}, book) == EMERGENCY


@given(answers=full_sets(), key=st.sampled_from(URGENT_ANY_TIME), value=YES)
def test_urgent_flag_is_never_lowered(book: Rulebook, answers: dict, key: str, value: Any) -> None:
    assert urgency(answers | {key: value}, book) >= URGENT


@given(answers=full_sets(), key=st.sampled_from(CLINICIAN_ANY_TIME), value=YES)
def test_clinician_flag_is_never_lowered(
    book: Rulebook, answers: dict, key: str, value: Any
) -> None:
    decision = screen(answers | {key: value}, book)
    assert decision.outcome == "red_flag"
    assert URGENCY[decision.disposition] >= CLINICIAN


@given(answers=full_sets(), a=YES, b=YES)
def test_infection_risk_with_night_pain_is_urgent(book: Rulebook, answers: dict, a: Any,
                                                  b: Any) -> None:  # fmt: skip
    assert urgency(answers | {"infection_risk": a, "night_pain": b}, book) >= URGENT


@given(answers=full_sets(), value=YES, onset=st.sampled_from(["sudden", "unsure"]))
def test_sudden_neuro_symptoms_are_an_emergency(
    book: Rulebook, answers: dict, value: Any, onset: str
) -> None:
    assert urgency(answers | {"neuro_symptoms": value, "neuro_onset": onset}, book) == EMERGENCY
    for key in ("cancer_history", "infection_risk"):  # cord pressure by a tumour or an abscess
        changed = answers | {"neuro_symptoms": value, "neuro_onset": "gradual", key: "yes"}
        assert urgency(changed, book) == EMERGENCY
    assert urgency(answers | {"neuro_symptoms": value}, book) >= CLINICIAN


@given(answers=full_sets(injury=INJURIES), value=YES, days=st.integers(0, 3650))
def test_injury_flags_dominate_by_time_since_injury(
    book: Rulebook, answers: dict, value: Any, days: int
) -> None:
    answers = answers | {"days_since_injury": days}
    head = urgency(answers | {"head_injury": value}, book)
    assert head == EMERGENCY if days <= 14 else head >= URGENT
    if days <= 14:
        assert urgency(answers | {"neuro_symptoms": value}, book) == EMERGENCY
    thinners = urgency(answers | {"blood_thinners": value}, book)
    assert thinners >= (URGENT if days <= 2 else CLINICIAN)
    # Every answer that makes turning the head unsafe fails the test (section 1).
    unsafe: list[dict[str, Any]] = [
        {"can_rotate_45": "no"}, {"can_rotate_45": "unsure"}, {"age": 65}, {"age": 15},
        {"known_spine_problem": "surgery_or_fusion"}, {"dangerous_mechanism": value},
        {"neck_mark": value}, {"possible_fracture": value}, {"midline_tenderness": value},
        {"bone_or_joint_disease": value},
    ]  # fmt: skip
    if days <= 14:
        unsafe.append({"intoxicated": value})
    for change in unsafe:
        assert urgency(answers | change, book) >= window(days), change


SERIOUS_SPINE = st.sampled_from(["surgery_or_fusion", "instability_or_misalignment", "unsure"])


@given(answers=full_sets(), age=st.integers(0, 15), spine=SERIOUS_SPINE)
def test_age_and_spine_flags_are_never_lowered(
    book: Rulebook, answers: dict, age: int, spine: str
) -> None:
    for change in ({"age": age}, {"known_spine_problem": spine}):
        decision = screen(answers | change, book)
        assert decision.outcome == "red_flag"


# ---- Unsure never safer; the red-flag answer never safer than its opposite ----


@given(answers=full_sets(), key=st.sampled_from(UNSURE_KEYS))
def test_unsure_is_never_safer_than_any_other_answer(
    book: Rulebook, answers: dict, key: str
) -> None:
    unsure = urgency(answers | {key: "unsure"}, book)
    for other in QUESTIONS[key][1]:
        assert unsure >= urgency(answers | {key: other}, book), other


@given(answers=full_sets(), key=st.sampled_from(RED_FLAG_TRI))
def test_yes_is_never_safer_than_no_on_red_flag_questions(
    book: Rulebook, answers: dict, key: str
) -> None:
    assert urgency(answers | {key: "yes"}, book) >= urgency(answers | {key: "no"}, book)


@given(answers=full_sets())
def test_failing_the_head_turn_is_never_safer_than_passing(book: Rulebook, answers: dict) -> None:
    no = urgency(answers | {"can_rotate_45": "no"}, book)
    assert no >= urgency(answers | {"can_rotate_45": "yes"}, book)


# ---- Monotone in time; a skipped head-turning test clears nobody ----


@given(answers=full_sets(injury=INJURIES), sooner=st.integers(0, 3650),
       later=st.integers(0, 3650))  # fmt: skip
def test_monotone_in_time(book: Rulebook, answers: dict, sooner: int, later: int) -> None:
    sooner, later = min(sooner, later), max(sooner, later)
    assert urgency(answers | {"days_since_injury": sooner}, book) >= urgency(
        answers | {"days_since_injury": later}, book
    )


@given(answers=full_sets(injury=INJURIES, days_since_injury=st.sampled_from([0, 2, 3, 14, 15,
                                                                            90])))  # fmt: skip
def test_a_skipped_head_turning_test_clears_nobody(book: Rulebook, answers: dict) -> None:
    if is_asked("can_rotate_45", answers):
        return
    assert urgency(answers, book) >= window(answers["days_since_injury"])


# ---- Same answers, same result ----


@given(answers=answer_sets(booleans=False))
def test_json_booleans_mean_yes_and_no(book: Rulebook, answers: dict) -> None:
    as_bools = {k: {"yes": True, "no": False}.get(v, v) if k in TRI_KEYS else v
                for k, v in answers.items()}  # fmt: skip
    assert screen(as_bools, book) == screen(answers, book)


@given(answers=answer_sets())
def test_same_answers_same_result(book: Rulebook, answers: dict) -> None:
    reordered = dict(reversed(list(answers.items())))
    assert screen(reordered, book) == screen(answers, book)
