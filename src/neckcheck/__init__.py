"""neckcheck: a safety-screening questionnaire for a sore neck after a fall or an accident.

The Python API (the same results as the command line):

    from neckcheck import load_rulebook, screen
    book = load_rulebook()                 # the shipped rules, checked once
    decision = screen({"age": 40, ...}, book)
    decision.outcome, decision.to_dict()
"""

from neckcheck.answers import check_answers, parse_json
from neckcheck.engine import decide, screen
from neckcheck.errors import InputError, NeckcheckError, RulesError
from neckcheck.model import Decision, Rulebook
from neckcheck.rulebook import load_rulebook

__version__ = "0.1.0"

__all__ = [
    "Decision",
    "InputError",
    "NeckcheckError",
    "Rulebook",
    "RulesError",
    "__version__",
    "check_answers",
    "decide",
    "load_rulebook",
    "parse_json",
    "screen",
]
