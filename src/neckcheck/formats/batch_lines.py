"""The JSON text of batch's error lines, made for speed: a bad line must cost about what a good
one does (at most about 2x), whatever is wrong with it.

- `unknown_keys_json`: the error of a line whose only problems are keys no question has,
  written directly instead of made as an error and dumped.
- `RefusedLines`: the error text of lines already refused, by their exact bytes, so that a
  stream repeating one bad line (a system that writes every value the wrong way) checks and
  words it once.

Each writes what `json.dumps(error.to_dict(), ensure_ascii=True, separators=(",", ":"))`
writes for the error the answer check raises, byte for byte (tests/test_batch.py).
"""

from __future__ import annotations

import functools
import json

from neckcheck.core.errors import MAX_UNKNOWN_KEYS_LISTED, InputError, more_problems
from neckcheck.core.model import Rulebook
from neckcheck.core.unknown_keys import MAX_SUGGESTIONS, UNKNOWN_KEY, unknown_key_message

_text = json.encoder.encode_basestring_ascii  # what json.dumps(..., ensure_ascii=True) uses
_PLAIN_END = ',"message":' + _text(UNKNOWN_KEY) + "}"  # a key's problem, after the key
_PLAIN_JOIN = _PLAIN_END + ',{"key":'


_compact = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def error_json(error: InputError) -> str:
    """An error as batch writes it: compact ASCII JSON (one encoder, made once)."""
    return _compact(error.to_dict())


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


class RefusedLines:
    """The error text of the first `most` distinct lines refused (each at most `longest`
    bytes), by their exact bytes. What a line is refused for depends on its bytes and the
    rulebook alone, never on its place in the stream (an error names no line number), so a
    line seen again gets the same text. Bounded: at most `most` * (`longest` + the longest
    error) held."""

    def __init__(self, most: int = 256, longest: int = 4096) -> None:
        self.most = most
        self.longest = longest
        self.texts: dict[bytes, str] = {}

    def get(self, line: bytes) -> str | None:
        return self.texts.get(line)

    def remember(self, line: bytes, error: str) -> None:
        if len(self.texts) < self.most and len(line) <= self.longest:
            self.texts[line] = error
