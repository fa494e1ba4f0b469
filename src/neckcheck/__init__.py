"""neckcheck: a safety-screening questionnaire for a sore neck after a fall or an accident.

The Python API (the same results as the command line):

    from neckcheck import load_rulebook, screen, screen_many
    book = load_rulebook()                      # the shipped rules, loaded once
    decision = screen({"age": 40, ...}, book)   # raises InputError for bad answers
    decision.outcome, decision.to_dict()
    for result in screen_many(records, book):   # a Decision or an InputError per record
        ...
    for record in screen_lines(open("intake.jsonl", "rb")):  # exactly `neckcheck batch`
        ...
    today = screen(answers, book, since=json.load(open("monday.json")))  # what --save wrote
    today.since                                 # what changed (SinceError if it cannot tell)

load_rulebook raises RulesError for a broken rules folder, UnprovedRulesError (a RulesError) for
rules whose safety properties are not proved, and MissingExtraError when another rules folder
needs the `rules` extra (pip install 'neckcheck[rules]'). All are NeckcheckError.

Names are imported on first use, so that `import neckcheck` stays cheap for scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.2.0"

_EXPORTS = {
    "Decision": "neckcheck.core.model",
    "Rulebook": "neckcheck.core.model",
    "InputError": "neckcheck.core.errors",
    "MissingExtraError": "neckcheck.core.errors",
    "NeckcheckError": "neckcheck.core.errors",
    "RulesError": "neckcheck.core.errors",
    "SinceError": "neckcheck.core.errors",
    "UnprovedRulesError": "neckcheck.core.errors",
    "check_answers": "neckcheck.core.answers",
    "parse_json": "neckcheck.core.answers",
    "decide": "neckcheck.core.engine",
    "screen": "neckcheck.formats.documents",
    "screen_many": "neckcheck.formats.documents",
    "load_rulebook": "neckcheck.rulebook.load",
    "screen_lines": "neckcheck.cli.batch",
}

__all__ = [
    "Decision",
    "InputError",
    "MissingExtraError",
    "NeckcheckError",
    "Rulebook",
    "RulesError",
    "SinceError",
    "UnprovedRulesError",
    "__version__",
    "check_answers",
    "decide",
    "load_rulebook",
    "parse_json",
    "screen",
    "screen_lines",
    "screen_many",
]

if TYPE_CHECKING:
    from neckcheck.cli.batch import screen_lines
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
    from neckcheck.formats.documents import screen, screen_many
    from neckcheck.rulebook.load import load_rulebook


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(__import__(_EXPORTS[name], fromlist=[name]), name)
    raise AttributeError(f"module 'neckcheck' has no attribute {name!r}")
