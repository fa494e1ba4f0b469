"""The documents neckcheck reads, turned into checked answers: a plain answer set, a FHIR
QuestionnaireResponse (read strictly by neckcheck.formats.fhir), or an interview saved after an
early emergency stop. Pure: parsed JSON in, checked answers out, no I/O. Every entry point (`screen`
and `batch` on the command line, `screen`, `screen_many` and `screen_lines` in Python) reads a
document through `answers_of_document` (or `screen_document`), so that they accept and refuse
the same documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from neckcheck.core.answers import check_answers
from neckcheck.core.engine import check_stopped_early, decide
from neckcheck.core.errors import InputError, Problem

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from neckcheck.core.answers import Answers
    from neckcheck.core.model import Decision, Rulebook

SAVED_INTERVIEW = "neckcheck_saved_interview"
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
    if is_saved_early_stop(raw):
        assert isinstance(raw, dict)
        given = saved_early_stop_answers(raw, source)
        return check_stopped_early(given, rulebook, source), True
    return check_answers(answers_from_document(raw, rulebook, source), rulebook, source), False


def saved_interview(answers: Mapping[str, object], ended_early: bool) -> dict[str, object]:
    """What --save writes: the plain answers, or, for an interview that stopped early on an
    emergency, the answers given wrapped with a marker (they are incomplete on purpose)."""
    if not ended_early:
        return dict(answers)
    return {SAVED_INTERVIEW: 1, "ended_early": True, "answers": dict(answers)}


def is_saved_early_stop(raw: object) -> bool:
    return isinstance(raw, dict) and SAVED_INTERVIEW in raw


def saved_early_stop_answers(raw: dict[str, Any], source: str) -> dict[str, object]:
    """The answers of a saved early stop; its shape is checked, never trusted."""
    if (
        set(raw) != {SAVED_INTERVIEW, "ended_early", "answers"}
        or (type(raw[SAVED_INTERVIEW]) is not int or raw[SAVED_INTERVIEW] != 1)
        or (raw["ended_early"] is not True or not isinstance(raw["answers"], dict))
    ):
        raise InputError(
            [Problem(SAVED_INTERVIEW, "not a saved interview this version can read")], source
        )
    answers: dict[str, object] = raw["answers"]
    return answers


def screen_document(raw: object, rulebook: Rulebook, source: str = "answers") -> Decision:
    """Check a parsed document and decide, exactly as `neckcheck screen` and `batch` do: a plain
    answer set, a FHIR QuestionnaireResponse (an object with a resourceType, read strictly) or
    an interview saved after an early emergency stop (see above). InputError for
    anything else, naming every problem."""
    if isinstance(raw, dict) and ("resourceType" in raw or SAVED_INTERVIEW in raw):
        return decide(answers_of_document(raw, rulebook, source)[0], rulebook)
    return decide(check_answers(raw, rulebook, source), rulebook)
