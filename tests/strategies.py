"""Hypothesis strategies for answer sets drawn from SPEC.md's domains."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.spec import QUESTIONS, is_asked

PATTERN_KEYS = ("sore_back", "sore_front", "low_back_pain")
CALM = {"can_rotate_45": "yes"}


def value_of(key: str, booleans: bool = True) -> st.SearchStrategy[Any]:
    kind, domain, _ = QUESTIONS[key]
    if kind == "int":
        lo, hi = domain
        # Weight the thresholds the rules use, or they would almost never be hit.
        edges = [v for v in (0, 1, 2, 3, 15, 16, 64, 65, lo, hi) if lo <= v <= hi]
        return st.one_of(st.sampled_from(edges), st.integers(lo, hi))
    if kind == "tri":
        spellings = ["yes", "no", "unsure", True, False] if booleans else ["yes", "no", "unsure"]
        anything = st.sampled_from(spellings)
        if key in PATTERN_KEYS:
            return anything
        # Red flags are rare in a set drawn this way, so that the answers that decide (one
        # flag among calm answers, a threshold, the pattern) are actually reached.
        return st.one_of(st.just(CALM.get(key, "no")), st.just(CALM.get(key, "no")), anything)
    if key == "known_spine_problem":
        return st.one_of(st.just("none"), st.sampled_from(list(domain)))
    return st.sampled_from(list(domain))


@st.composite
def answer_sets(
    draw: st.DrawFn, booleans: bool = True, skipped_keys: bool = True, **fixed: Any
) -> dict:
    """A valid answer set: every asked question answered; skipped ones sometimes present.
    `fixed` pins keys to a value or to a strategy (e.g. injury=st.sampled_from([...]))."""
    full = {k: draw(value_of(k, booleans)) for k in QUESTIONS}
    for key, pin in fixed.items():
        full[key] = draw(pin) if isinstance(pin, st.SearchStrategy) else pin
    keep_skipped = draw(st.booleans()) if skipped_keys else False
    return {k: v for k, v in full.items() if keep_skipped or is_asked(k, full)}
