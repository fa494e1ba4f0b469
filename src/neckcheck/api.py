"""The Python API: the same results as the command line, in one module (`neckcheck` re-exports
every name of `__all__`).

    from neckcheck import load_rulebook, screen, screen_many, screen_lines
    book = load_rulebook()                      # the shipped rules, loaded once
    decision = screen({"age": 40, ...}, book)   # raises InputError for bad answers
    for result in screen_many(records, book):   # a Decision or an InputError per record
        ...
    for record in screen_lines(open("intake.jsonl", "rb")):  # exactly `neckcheck batch`
        ...

It builds on the layers below the shell (core, rulebook, formats, authoring) and never on the
shell itself: no terminal, no signal handler, nothing written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neckcheck.core.answers import check_answers, parse_json
from neckcheck.core.engine import decide
from neckcheck.core.errors import (
    InputError,
    MissingExtraError,
    NeckcheckError,
    RulesError,
    SinceError,
    UnprovedRulesError,
)
from neckcheck.core.model import Decision, Rulebook
from neckcheck.formats.documents import screen_document

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path
    from typing import Any

__all__ = [
    "Decision",
    "InputError",
    "MissingExtraError",
    "NeckcheckError",
    "Rulebook",
    "RulesError",
    "SinceError",
    "UnprovedRulesError",
    "check_answers",
    "decide",
    "load_rulebook",
    "parse_json",
    "screen",
    "screen_lines",
    "screen_many",
]


def load_rulebook(directory: Path | str | None = None, *, allow_unproved: bool = False) -> Rulebook:
    """Load a rules folder (default: the shipped rules) whose safety properties are proved.

    The shipped rules load from their compiled, proved copy. Any other folder is validated and
    proved afresh (that needs the `rules` extra: MissingExtraError without it). RulesError for
    a broken folder, UnprovedRulesError (a RulesError) for rules whose safety properties are not
    proved; with allow_unproved=True those load anyway, with `warning` saying why.
    """
    from neckcheck.authoring.prover import Prover
    from neckcheck.rulebook.load import open_rulebook

    return open_rulebook(directory, Prover(), allow_unproved=allow_unproved)


def screen(
    raw: object, rulebook: Rulebook, source: str = "answers", *, since: object = None
) -> Decision:
    """Check a parsed document and decide, exactly as `neckcheck screen` does: a plain answer
    set, a FHIR QuestionnaireResponse (an object with a resourceType, read strictly) or a saved
    interview (what --save writes). InputError for anything else, naming every problem
    (`source` names the document in them).

    `since`: an earlier screening of the same person, as --save wrote it (parsed JSON); the
    decision then carries what changed (`decision.since`, the "since" key of its JSON).
    SinceError when it cannot be compared, or when it says it was given later than now."""
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    return screen_document(raw, rulebook, source, since=since, now=now)


def screen_many(records: Iterable[object], rulebook: Rulebook) -> Iterator[Decision | InputError]:
    """Screen an iterable of parsed answer sets lazily, one result per record, in order: a
    Decision, or the InputError that names what is wrong with that record. A pure function of
    each record, so it maps over a Dask bag or a Spark DataFrame as it is."""
    for number, raw in enumerate(records, start=1):
        try:
            yield screen_document(raw, rulebook, f"record {number}")
        except InputError as exc:
            yield exc


def screen_lines(
    lines: Iterable[str | bytes], rulebook: Rulebook | None = None
) -> Iterator[dict[str, Any]]:
    """For each line, exactly the record `neckcheck batch` writes for it, as a dict: the
    decision with its 1-based "line", or {"line": N, "error": {...}}. The same strict reading
    (duplicate keys, a byte order mark, the size limit, a blank line is an invalid line), and it
    never stops on a bad line. Lines are numbered from 1 in each call. Default: the shipped
    rules."""
    from neckcheck.formats import jsonlines

    return jsonlines.screen_lines(lines, load_rulebook() if rulebook is None else rulebook)
