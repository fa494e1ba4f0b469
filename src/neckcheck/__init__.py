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

load_rulebook raises RulesError for a broken rules folder, UnprovedRulesError (a RulesError) for
rules whose safety properties are not proved, and MissingExtraError when another rules folder
needs the `rules` extra (pip install 'neckcheck[rules]'). All are NeckcheckError.

Names are imported on first use, so that `import neckcheck` stays cheap for scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.2.0"

_EXPORTS = {
    "Decision": "neckcheck.model",
    "Rulebook": "neckcheck.model",
    "InputError": "neckcheck.errors",
    "MissingExtraError": "neckcheck.errors",
    "NeckcheckError": "neckcheck.errors",
    "RulesError": "neckcheck.errors",
    "UnprovedRulesError": "neckcheck.errors",
    "check_answers": "neckcheck.answers",
    "parse_json": "neckcheck.answers",
    "decide": "neckcheck.engine",
    "screen": "neckcheck.engine",
    "screen_many": "neckcheck.engine",
    "load_rulebook": "neckcheck.rulebook",
    "screen_lines": "neckcheck.batch",
}

__all__ = [
    "Decision",
    "InputError",
    "MissingExtraError",
    "NeckcheckError",
    "Rulebook",
    "RulesError",
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
    from neckcheck.answers import check_answers, parse_json
    from neckcheck.batch import screen_lines
    from neckcheck.engine import decide, screen, screen_many
    from neckcheck.errors import (
        InputError,
        MissingExtraError,
        NeckcheckError,
        RulesError,
        UnprovedRulesError,
    )
    from neckcheck.model import Decision, Rulebook
    from neckcheck.rulebook import load_rulebook


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(__import__(_EXPORTS[name], fromlist=[name]), name)
    raise AttributeError(f"module 'neckcheck' has no attribute {name!r}")
