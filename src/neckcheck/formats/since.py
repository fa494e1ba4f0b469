"""An earlier screening to compare with (`screen --since FILE`, `screen(..., since=...)`): the
saved answer set read and checked under today's rules, the comparison attached to today's
decision, and the words that show it (the interview's "last time" hints, the level of care then
and now). Pure: parsed JSON in, records and text out; the clock's date is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from neckcheck.core.compare import compare, with_since
from neckcheck.core.engine import decide
from neckcheck.core.errors import InputError, SinceError
from neckcheck.formats.saved import (
    SavedAnswers,
    checked_saved,
    is_saved_interview,
    parse_given_at,
    read_saved_interview,
)

if TYPE_CHECKING:
    import datetime

    from neckcheck.core.answers import Answers
    from neckcheck.core.conditions import Value
    from neckcheck.core.model import Decision, Question, Rulebook

# The level of care of each disposition, in a person's words.
LEVELS = {
    "emergency": "emergency care now",
    "urgent": "a doctor today",
    "clinician": "a clinician in the next days",
    "avoid_technique": "self-care without this technique",
    "technique": "self-care with the technique",
}


@dataclass(frozen=True, slots=True)
class Previous:
    """An earlier screening: the file as read, its answers checked under today's rules, and the
    decision today's rules make of them."""

    saved: SavedAnswers
    answers: Answers
    decision: Decision


def previous_screening(
    raw: object,
    rulebook: Rulebook,
    source: str = "since",
    now: datetime.datetime | None = None,
) -> Previous:
    """A parsed saved answer set as an earlier screening. What --save writes (any version) and a
    plain answer set (what versions before 0.3 saved) are read; anything else, or answers that
    today's questions do not accept (another answer contract), is a SinceError. `now` (with its
    offset): a file that says its answers were given later than that is one too, since no
    answer comes from the future (a clock set wrong, or a tampered file)."""
    if not isinstance(raw, dict) or "resourceType" in raw:
        raise SinceError(source, "not a saved answer set (what `screen --save` writes)")
    try:
        if is_saved_interview(raw):
            saved = read_saved_interview(raw, source)
        else:  # a completed interview saved by a version before 0.3: the plain answers
            saved = SavedAnswers(raw, False)
        answers, _ = checked_saved(saved, rulebook, source)
    except InputError as exc:
        raise SinceError(
            source, f"cannot be compared with this screening's questions ({exc})"
        ) from None
    if now is not None and saved.given_at is not None and parse_given_at(saved.given_at) > now:
        raise SinceError(
            source,
            f"given_at: {saved.given_at} is later than now ({now.isoformat(timespec='seconds')}); "
            "answers cannot come from the future",
        )
    return Previous(saved, answers, decide(answers, rulebook))


def with_comparison(
    decision: Decision, answers: Answers, previous: Previous, rulebook: Rulebook
) -> Decision:
    """Today's decision carrying what changed since `previous`."""
    since = compare(
        previous.answers,
        answers,
        previous.decision,
        decision,
        [q.id for q in rulebook.questions],
        given_at=previous.saved.given_at,
        rules_version_before=previous.saved.rules_version,
    )
    return with_since(decision, since)


def _days(count: int) -> str:
    return "1 day ago" if count == 1 else f"{count} days ago"


def last_time_hints(previous: Previous, rulebook: Rulebook, today: datetime.date) -> dict[str, str]:
    """For each question answered last time, the hint the interview shows beside it ("last time:
    No"). For the days since the injury, also how many days have passed since then, so that the
    person counts from the same injury. Never a default: the person answers afresh."""
    hints: dict[str, str] = {}
    given_on = previous.saved.given_on()
    for key, value in previous.answers.facts.items():
        question = rulebook.question(key)
        if question is None:
            continue
        hint = f"last time: {rulebook.answer_label(question, value)}"
        if key == "days_since_injury" and given_on is not None and isinstance(value, int):
            passed = (today - given_on).days
            if passed > 0:
                hint += f"; {_days(passed)}, so {value + passed} days today for the same injury"
            elif passed == 0:
                hint += ", earlier today"
        hints[key] = hint
    return hints


@dataclass(frozen=True, slots=True)
class SinceText:
    """The words of the "Since last time" section: the line that comes first, before anything
    else, when the level of care rose (else None); each changed answer as (question, then,
    now); the level of care then and now."""

    risen: str | None
    changes: tuple[tuple[str, str, str], ...]
    level_then: str
    level_now: str


def since_text(decision: Decision, rulebook: Rulebook) -> SinceText | None:
    """The "Since last time" words of a decision that carries a comparison, else None."""
    since = decision.since
    if since is None:
        return None
    then, now = LEVELS[since.disposition_before], LEVELS[decision.disposition]
    risen = f"More urgent than last time: then {then}, now {now}." if since.more_urgent else None
    rows: list[tuple[str, str, str]] = []
    for change in since.changes:
        question = rulebook.question_read(change.key)

        def shown(value: Value | None, question: Question = question) -> str:
            return "not asked" if value is None else rulebook.answer_label(question, value)

        rows.append((question.prompt, shown(change.before), shown(change.after)))
    return SinceText(risen, tuple(rows), then, now)
