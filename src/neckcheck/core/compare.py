"""What changed between two screenings of the same person (`screen --since`): pure, no I/O.

Only the answers to questions that were asked count (a checked answer set's facts): a key of a
skipped question played no part in either decision, so it is no change either."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from neckcheck.core.model import URGENCY, Change, Since

if TYPE_CHECKING:
    from collections.abc import Sequence

    from neckcheck.core.answers import Answers
    from neckcheck.core.model import Decision


def more_urgent(disposition: str, than: str) -> bool:
    """SPEC.md section 2's order: technique < avoid_technique < clinician < urgent < emergency."""
    return URGENCY[disposition] > URGENCY[than]


def compare(
    before: Answers,
    after: Answers,
    decision_before: Decision,
    decision_after: Decision,
    order: Sequence[str] = (),
    *,
    given_at: str | None = None,
    rules_version_before: str | None = None,
) -> Since:
    """Each answer that differs, over the questions asked in either set (None where one set did
    not ask it), in `order` (the rulebook's question order) and then by key; the disposition
    then; whether the disposition now is more urgent."""
    keys = set(before.facts) | set(after.facts)
    rank = {key: place for place, key in enumerate(order)}
    changes = tuple(
        Change(key, before.facts.get(key), after.facts.get(key))
        for key in sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))
        if before.facts.get(key) != after.facts.get(key)
    )
    return Since(
        changes=changes,
        disposition_before=decision_before.disposition,
        more_urgent=more_urgent(decision_after.disposition, decision_before.disposition),
        given_at=given_at,
        rules_version_before=rules_version_before,
    )


def with_since(decision: Decision, since: Since) -> Decision:
    """The decision carrying the comparison (a copy: decisions are shared between screenings)."""
    return replace(decision, since=since)
