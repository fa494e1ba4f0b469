"""Hypothesis strategies for answer sets drawn from SPEC.md's domains."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.spec import QUESTIONS, is_asked

PATTERN_KEYS = ("sore_back", "sore_front", "low_back_pain")
CALM = {"can_rotate_45": "yes"}
# The thresholds SPEC.md v3 uses (days 2/3 and 14/15, ages 15/16 and 64/65), weighted so that
# they are actually hit, and a plain adult age (40) so that the rotation test is reached.
EDGES = {"days_since_injury": (0, 1, 2, 3, 14, 15), "age": (15, 16, 40, 64, 65)}
# One draw in CALM_ODDS of a red-flag question is any value at all; the rest are the calm answer.
# can_rotate_45 is asked only when a dozen red-flag questions are all no, so flags must be rare
# for the rotation test, the thresholds and the patterns to be reached.
CALM_ODDS = 16


def value_of(key: str, booleans: bool = True) -> st.SearchStrategy[Any]:
    kind, domain, _ = QUESTIONS[key]
    if kind == "int":
        lo, hi = domain
        return st.one_of(st.sampled_from(EDGES[key]), st.integers(lo, hi))
    if kind == "tri":
        spellings = ["yes", "no", "unsure", True, False] if booleans else ["yes", "no", "unsure"]
        anything = st.sampled_from(spellings)
        if key in PATTERN_KEYS:
            return anything
        calm = CALM.get(key, "no")
        # Shrinks towards the calm answer (index 0).
        return st.integers(0, CALM_ODDS - 1).flatmap(
            lambda i: st.just(calm) if i < CALM_ODDS - 1 else anything
        )
    if key == "known_spine_problem":
        return st.one_of(st.sampled_from(["none", "disc_or_nerve"]), st.sampled_from(domain))
    return st.sampled_from(list(domain))


@st.composite
def answer_sets(
    draw: st.DrawFn, /, booleans: bool = True, skipped_keys: bool = True, **fixed: Any
) -> dict[str, Any]:
    """A valid v3 answer set: every question is drawn (neuro_onset, intoxicated and
    can_rotate_45 included), then the skipped ones are dropped, or sometimes kept when
    `skipped_keys` allows it (a skipped key may be present). `fixed` pins keys to a value or to a
    strategy (e.g. injury=st.sampled_from([...])) before skip logic is applied."""
    full = {k: draw(value_of(k, booleans)) for k in QUESTIONS}
    for key, pin in fixed.items():
        full[key] = draw(pin) if isinstance(pin, st.SearchStrategy) else pin
    keep_skipped = draw(st.booleans()) if skipped_keys else False
    return {k: v for k, v in full.items() if keep_skipped or is_asked(k, full)}


class SameAsId:
    """A key that is not text but compares equal to a question's id (hash and ==): what the
    Python API may be given, never JSON."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        return other == self.name
