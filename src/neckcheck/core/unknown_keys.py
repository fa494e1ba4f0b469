"""Problems for keys no question has: "did you mean" and their words.

Bounded work, so that a bad line costs about what a good one does: "did you mean" is searched
for the first few unknown keys only, at a few dictionary probes per letter, and at most
MAX_UNKNOWN_KEYS_LISTED unknown keys are listed, the rest counted.
"""

from __future__ import annotations

from typing import NamedTuple

from neckcheck.core.errors import MAX_UNKNOWN_KEYS_LISTED, InputError, Problem, more_problems
from neckcheck.core.model import Rulebook

MAX_SUGGESTED_LENGTH = 64  # a longer unknown key gets no "did you mean" (none is that long)
MAX_SUGGESTIONS = 3  # unknown keys of one answer set that get a "did you mean" search


_END = 3  # letters of a spelling's start and end kept in _Suggestions.heads and .tails


class _Suggestions(NamedTuple):
    """For "did you mean", built once per rulebook:
    - spellings: every question id, and every spelling one edit from it that a typo makes (a
      letter left out; with the key's own deletions below, also a letter added, changed or
      two swapped), with and without underscores, each mapped to its id (the first question
      wins). A look-up costs a few dict probes per letter of the key, where difflib compared
      every key with every id (about 100 times as long);
    - heads and tails: the first _END letters, and the last _END, of every spelling;
    - starts: every start of a question id of at least four letters, mapped to that id, or to
      None when it starts several."""

    spellings: dict[str, str]
    heads: frozenset[str]
    tails: frozenset[str]
    starts: dict[str, str | None]


def _suggestions(rulebook: Rulebook) -> _Suggestions:
    tables: _Suggestions | None = rulebook.derived.get("suggestions")
    if tables is None:
        spellings: dict[str, str] = {}
        starts: dict[str, str | None] = {}
        for q in rulebook.questions:
            for name in (q.id, q.id.replace("_", "")):
                spellings.setdefault(name, q.id)
                for i in range(len(name)):
                    spellings.setdefault(name[:i] + name[i + 1 :], q.id)
            for end in range(4, len(q.id) + 1):
                start = q.id[:end]
                starts[start] = q.id if starts.get(start, q.id) == q.id else None
        heads = frozenset(name[:_END] for name in spellings)
        tails = frozenset(name[-_END:] for name in spellings)
        tables = _Suggestions(spellings, heads, tails, starts)
        rulebook.derived["suggestions"] = tables
    return tables


def suggestion(key: str, rulebook: Rulebook) -> str | None:
    """The question id an unknown key most likely meant, or None: one edit away (a letter left
    out, added, changed, or two swapped), ignoring case, '-', ' ' and '_', or the start of
    exactly one id (at least four letters: "vascular"). Costs at most a few probes per letter,
    and nothing for a key longer than MAX_SUGGESTED_LENGTH.

    Most unknown keys are near no id, and are known as such from their first and last letters
    alone. A form of at least 2 * _END letters that is a spelling in the table starts as one
    does; one that is a spelling once its letter at i is left out starts as that spelling does
    when i >= _END, and ends as it does when i < _END (its last _END letters stay). So a form
    whose start starts no spelling and whose end ends none would find nothing: it is skipped."""
    if len(key) > MAX_SUGGESTED_LENGTH:
        return None
    spellings, heads, tails, starts = _suggestions(rulebook)
    word = key.lower().replace("-", "_").replace(" ", "_")
    for form in (word, word.replace("_", "")):
        if len(form) >= 2 * _END and form[:_END] not in heads and form[-_END:] not in tails:
            continue
        if (found := spellings.get(form)) is not None:
            return found
        for i in range(len(form)):
            if (found := spellings.get(form[:i] + form[i + 1 :])) is not None:
                return found
    return starts.get(word)


UNKNOWN_KEY = "unknown key"


def unknown_key_message(key: str, rulebook: Rulebook, suggest: bool) -> str:
    """What a problem says of an unknown key: "unknown key", with "did you mean" when `suggest`
    and a question is near."""
    near = suggestion(key, rulebook) if suggest else None
    return f"{UNKNOWN_KEY}; did you mean {near!r}?" if near else UNKNOWN_KEY


def unknown_key_problem(key: str, rulebook: Rulebook, suggest: bool) -> Problem:
    return Problem(key, unknown_key_message(key, rulebook, suggest))


def unknown_keys_error(keys: list[str], rulebook: Rulebook, source: str) -> InputError:
    """The error check_answers raises for an answer set whose only problems are these unknown
    keys (in the order given)."""
    listed = [
        (key, unknown_key_message(key, rulebook, n < MAX_SUGGESTIONS))
        for n, key in enumerate(keys[:MAX_UNKNOWN_KEYS_LISTED])
    ]
    return input_error(listed, len(keys) - len(listed), source)


def input_error(problems: list[tuple[str, str]], hidden: int, source: str) -> InputError:
    """The error for these problems, as (key, message) pairs, and `hidden` more unknown keys
    that were counted, not made."""
    if hidden:
        more = more_problems(hidden)
        problems = [*problems, (more.key, more.message)]
    return InputError.of_pairs(problems, source)
