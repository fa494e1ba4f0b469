"""The documents neckcheck reads, turned into checked answers: a plain answer set, a FHIR
QuestionnaireResponse (read strictly by neckcheck.formats.fhir), or a saved interview (read by
neckcheck.formats.saved). Pure: parsed JSON in, checked answers out, no I/O. Every entry point
(`screen` and `batch` on the command line, `screen`, `screen_many` and `screen_lines` in Python)
reads a document through `answers_of_document` (or `screen_document`), so that they accept and
refuse the same documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from neckcheck.core.answers import check_answers
from neckcheck.core.engine import decide
from neckcheck.formats.saved import (
    SAVED_INTERVIEW,
    checked_saved,
    is_saved_interview,
    read_saved_interview,
    saved_interview,
)

if TYPE_CHECKING:
    import datetime

    from neckcheck.core.answers import Answers
    from neckcheck.core.model import Decision, Rulebook

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "SAVED_INTERVIEW",
    "answers_from_document",
    "answers_of_document",
    "checked_saved",
    "is_saved_interview",
    "saved_interview",
    "screen_document",
]

MAX_DOCUMENT_BYTES = 1024 * 1024  # one answer set, or one batch line (a FHIR response fits)


def answers_from_document(raw: object, rulebook: Rulebook, source: str) -> object:
    """A parsed document as a plain answer set. A FHIR QuestionnaireResponse (an object with a
    resourceType) is read strictly as its answers; anything else is taken as a plain answer set
    and checked as such by the core."""
    if isinstance(raw, dict) and "resourceType" in raw:
        from neckcheck.formats.fhir import answers_from_response

        return answers_from_response(raw, rulebook, source)
    return raw


def answers_of_document(raw: object, rulebook: Rulebook, source: str) -> tuple[Answers, bool]:
    """Any document neckcheck reads, checked as answers: (the answers, whether they are those of
    an interview that stopped early on an emergency)."""
    if is_saved_interview(raw):
        assert isinstance(raw, dict)
        return checked_saved(read_saved_interview(raw, source), rulebook, source)
    return check_answers(answers_from_document(raw, rulebook, source), rulebook, source), False


def screen_document(
    raw: object,
    rulebook: Rulebook,
    source: str = "answers",
    *,
    since: object = None,
    now: datetime.datetime | None = None,
) -> Decision:
    """Check a parsed document and decide, exactly as `neckcheck screen` and `batch` do: a plain
    answer set, a FHIR QuestionnaireResponse (an object with a resourceType, read strictly) or
    a saved interview (see neckcheck.formats.saved). InputError for anything else, naming every
    problem.

    `since`: an earlier screening of the same person, as --save wrote it (parsed JSON); the
    decision then carries what changed (`decision.since`, the "since" key of its JSON).
    SinceError when it cannot be compared, or when it was given later than `now`."""
    if isinstance(raw, dict) and ("resourceType" in raw or SAVED_INTERVIEW in raw):
        answers = answers_of_document(raw, rulebook, source)[0]
    else:
        answers = check_answers(raw, rulebook, source)
    decision = decide(answers, rulebook)
    if since is None:
        return decision
    from neckcheck.formats.since import previous_screening, with_comparison

    previous = previous_screening(since, rulebook, now=now)
    return with_comparison(decision, answers, previous, rulebook)
