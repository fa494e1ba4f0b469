"""The JSON text of batch's error lines, made for speed: a bad line must cost about what a good
one does (at most about 2x), whatever is wrong with it.

- `unknown_keys_json`: the error of a line whose only problems are keys no question has,
  written directly instead of made as an error and dumped.
- `error_json`: any error, written from its (key, message) pairs: a line whose every value
  has the wrong type has a problem per question, and none of them is made as an object.

Each writes what `json.dumps(error.to_dict(), ensure_ascii=True, separators=(",", ":"))`
writes for the error the answer check raises, byte for byte (tests/test_batch.py).
"""

from __future__ import annotations

import functools
import json
from itertools import repeat
from operator import add

from neckcheck.core.errors import MAX_UNKNOWN_KEYS_LISTED, InputError, more_problems
from neckcheck.core.model import Rulebook
from neckcheck.core.unknown_keys import MAX_SUGGESTIONS, UNKNOWN_KEY, unknown_key_message

_text = json.encoder.encode_basestring_ascii  # what json.dumps(..., ensure_ascii=True) uses
_PLAIN_END = ',"message":' + _text(UNKNOWN_KEY) + "}"  # a key's problem, after the key
_PLAIN_JOIN = _PLAIN_END + ',{"key":'


def error_json(error: InputError) -> str:
    """An error as batch writes it: byte for byte json.dumps(error.to_dict(), ensure_ascii=True,
    separators=(",", ":")), written from its (key, message) pairs (every key and message is
    text) by the encoder json.dumps uses for text, in loops that run in C (map): a line whose
    every value has the wrong type has a problem per question, and no dict is made for one."""
    problems = ""
    if error.pairs:
        keys, messages = zip(*error.pairs, strict=True)
        encoded = map(add, map(add, map(_text, keys), repeat(',"message":')), map(_text, messages))
        problems = '{"key":' + '},{"key":'.join(encoded) + "}"
    return f'{{"code":{_text(error.code)},"message":{_text(str(error))},"problems":[{problems}]}}'


def unknown_keys_json(keys: list[str], rulebook: Rulebook) -> str:
    """Byte for byte error_json(unknown_keys_error(keys, ...)), written directly: for batch,
    which knows from the generated check that a line's only problems are these unknown keys.
    The error and its problems are never made; each key is encoded once, by the encoder
    json.dumps uses, and the keys past the first few (which get no "did you mean") are joined
    around fixed text."""
    listed = keys[:MAX_UNKNOWN_KEYS_LISTED]
    first, rest = listed[:MAX_SUGGESTIONS], listed[MAX_SUGGESTIONS:]
    if "" in rest:  # the one key its message does not start with (Problem.__str__)
        first, rest = listed, []
    messages, problems = [], []
    for n, key in enumerate(first):
        message = unknown_key_message(key, rulebook, n < MAX_SUGGESTIONS)
        messages.append(f"{key}: {message}" if key else message)
        problems.append(f'{{"key":{_text(key)},"message":{_text(message)}}}')
    if rest:
        messages.append(f": {UNKNOWN_KEY}; ".join(rest) + f": {UNKNOWN_KEY}")
        problems.append('{"key":' + _PLAIN_JOIN.join(map(_text, rest)) + _PLAIN_END)
    if len(keys) > len(listed):
        message, problem = _more_json(len(keys) - len(listed))
        messages.append(message)
        problems.append(problem)
    return (
        f'{{"code":{_text(InputError.code)},"message":{_text("; ".join(messages))},'
        f'"problems":[{",".join(problems)}]}}'
    )


@functools.lru_cache(maxsize=64)
def _more_json(count: int) -> tuple[str, str]:
    """more_problems(count) in an error's message, and as JSON in its problems."""
    more = more_problems(count)
    return str(more), f'{{"key":{_text(more.key)},"message":{_text(more.message)}}}'
