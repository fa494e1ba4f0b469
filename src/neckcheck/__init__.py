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

Every name is neckcheck.api's, imported on first use, so that `import neckcheck` stays cheap for
scripts.
"""

# Not `from typing import TYPE_CHECKING`: importing typing would lengthen every start-up of the
# command before its Ctrl-C handling is in place (neckcheck.cli.entry).
TYPE_CHECKING = False

__version__ = "0.2.0"

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

# Every name but the version lives in neckcheck.api, the one module of the Python API.
_API = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:
    from neckcheck.api import (
        Decision,
        InputError,
        MissingExtraError,
        NeckcheckError,
        Rulebook,
        RulesError,
        SinceError,
        UnprovedRulesError,
        check_answers,
        decide,
        load_rulebook,
        parse_json,
        screen,
        screen_lines,
        screen_many,
    )


def __getattr__(name: str) -> object:
    if name in _API:
        return getattr(__import__("neckcheck.api", fromlist=[name]), name)
    raise AttributeError(f"module 'neckcheck' has no attribute {name!r}")
