"""The saved answer set: what `screen --save` writes, and reading it back, both to replay it
(`--answers`) and to compare with it (`--since`). Pure: parsed JSON in, records out, no I/O.

What --save writes (version 2): the answers as given, when they were given (ISO 8601 with its
offset), the rules version and the contract version they were screened under, and whether the
interview stopped early on an emergency (then the answers are incomplete on purpose):

    {"neckcheck_saved_interview": 2, "given_at": "2026-12-01T09:30:00+01:00",
     "rules_version": "...", "contract_version": 3, "ended_early": false, "answers": {...}}

Earlier versions wrote a completed interview as a plain answer set and an early stop as
{"neckcheck_saved_interview": 1, "ended_early": true, "answers": {...}}; both are still read.
Every shape is checked, never trusted."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from neckcheck.core.answers import check_answers
from neckcheck.core.engine import check_stopped_early
from neckcheck.core.errors import InputError, Problem
from neckcheck.core.model import CONTRACT_VERSION
from neckcheck.rulebook.rulecheck import MAX_VERSION

if TYPE_CHECKING:
    from collections.abc import Mapping

    from neckcheck.core.answers import Answers
    from neckcheck.core.model import Rulebook

SAVED_INTERVIEW = "neckcheck_saved_interview"
SAVED_VERSION = 2

_KEYS = {
    1: frozenset({SAVED_INTERVIEW, "ended_early", "answers"}),
    2: frozenset(
        {SAVED_INTERVIEW, "given_at", "rules_version", "contract_version", "ended_early", "answers"}
    ),
}


@dataclass(frozen=True, slots=True)
class SavedAnswers:
    """A saved answer set as read: the answers as given (not yet checked against any rules),
    whether the interview stopped early, and what the file recorded of when and under which
    rules (None: a file saved by an earlier version, which did not record it)."""

    answers: Mapping[str, object]
    ended_early: bool
    given_at: str | None = None
    rules_version: str | None = None
    contract_version: int | None = None

    def given_on(self) -> datetime.date | None:
        """The calendar day the answers were given, where the person was (its own offset)."""
        return None if self.given_at is None else parse_given_at(self.given_at).date()


def saved_interview(
    answers: Mapping[str, object], ended_early: bool, given_at: str, rules_version: str
) -> dict[str, object]:
    """What --save writes (version 2, above). `given_at`: ISO 8601 with the offset."""
    parse_given_at(given_at)  # a caller's mistake, never written
    return {
        SAVED_INTERVIEW: SAVED_VERSION,
        "given_at": given_at,
        "rules_version": rules_version,
        "contract_version": CONTRACT_VERSION,
        "ended_early": ended_early,
        "answers": dict(answers),
    }


def parse_given_at(text: str) -> datetime.datetime:
    """An ISO 8601 time with its offset; ValueError for anything else (a time without an offset
    could be any day somewhere)."""
    when = datetime.datetime.fromisoformat(text)
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{text!r} has no offset from UTC")
    return when


# A rules version is a short label ("2026.12.1"); a saved file's is shown and echoed in the
# comparison, so a tampered one must not carry a terminal escape or a lone surrogate. A rules
# folder is held to the same limit when it is loaded (rulebook.rulecheck).
MAX_RULES_VERSION = MAX_VERSION


def is_rules_version(value: object) -> bool:
    """A non-empty printable text of at most MAX_RULES_VERSION characters."""
    # isprintable() is false for control characters and for surrogates alike
    return isinstance(value, str) and 0 < len(value) <= MAX_RULES_VERSION and value.isprintable()


def is_saved_interview(raw: object) -> bool:
    """The document carries the saved interview's marker (of any version)."""
    return isinstance(raw, dict) and SAVED_INTERVIEW in raw


def read_saved_interview(raw: dict[str, object], source: str) -> SavedAnswers:
    """A document with the saved interview's marker, its shape checked: InputError naming the
    key for a version this neckcheck cannot read, a missing or unknown key, or a value of the
    wrong type."""
    version = raw.get(SAVED_INTERVIEW)
    if type(version) is not int or version not in _KEYS:
        raise InputError(
            [Problem(SAVED_INTERVIEW, "not a saved interview this version can read")], source
        )
    problems = [Problem(k, "unknown key") for k in raw if k not in _KEYS[version]]
    problems += [Problem(k, "missing") for k in sorted(_KEYS[version] - raw.keys())]
    if problems:
        raise InputError(problems, source)
    answers, ended_early = raw["answers"], raw["ended_early"]
    if not isinstance(answers, dict):
        problems.append(Problem("answers", "must be an object of answers"))
    if version == 1 and ended_early is not True:
        problems.append(Problem("ended_early", "must be true in a version 1 file"))
    elif type(ended_early) is not bool:
        problems.append(Problem("ended_early", "must be true or false"))
    if version == 1:
        if problems:
            raise InputError(problems, source)
        assert isinstance(answers, dict)
        return SavedAnswers(answers, True)
    given_at, rules_version, contract = (
        raw["given_at"], raw["rules_version"], raw["contract_version"]
    )  # fmt: skip
    if not isinstance(given_at, str):
        problems.append(Problem("given_at", "must be a time in ISO 8601 with its offset"))
    else:
        try:
            parse_given_at(given_at)
        except ValueError:
            problems.append(Problem("given_at", "must be a time in ISO 8601 with its offset"))
    if not is_rules_version(rules_version):
        problems.append(
            Problem(
                "rules_version",
                f"must be the rules version, a printable text of at most "
                f"{MAX_RULES_VERSION} characters",
            )
        )
    if type(contract) is not int:
        problems.append(Problem("contract_version", "must be a whole number"))
    elif contract != CONTRACT_VERSION:
        problems.append(
            Problem(
                "contract_version",
                f"saved under answer contract {contract}; this neckcheck reads contract "
                f"{CONTRACT_VERSION}, whose questions differ",
            )
        )
    if problems:
        raise InputError(problems, source)
    return SavedAnswers(
        cast("dict[str, object]", answers),
        bool(ended_early),
        str(given_at),
        str(rules_version),
        CONTRACT_VERSION,
    )


def checked_saved(saved: SavedAnswers, rulebook: Rulebook, source: str) -> tuple[Answers, bool]:
    """A saved interview's answers, checked: an early stop only as far as its emergency is
    certain (re-derived, never taken on trust), anything else as a whole answer set."""
    if saved.ended_early:
        return check_stopped_early(saved.answers, rulebook, source), True
    return check_answers(dict(saved.answers), rulebook, source), False


def document_to_save(given: object, ended_early: bool, given_at: str, rules_version: str) -> object:
    """What --save writes for a document screened from a script: a plain answer set or an
    early stop saved by an earlier version gains the time and the rules (version 2); a file
    --save wrote already is kept as it is (its answers were given when it says); a FHIR
    QuestionnaireResponse is kept as it is (it carries its own time)."""
    if isinstance(given, dict) and given.get(SAVED_INTERVIEW) == SAVED_VERSION:
        return given
    if isinstance(given, dict) and "resourceType" not in given:
        answers = given.get("answers") if is_saved_interview(given) else given
        if isinstance(answers, dict):
            return saved_interview(answers, ended_early, given_at, rules_version)
    return given
