"""The JSON text of batch's error lines, made for speed: a bad line must cost about what a good
one does (at most about 2x), whatever is wrong with it.

`error_json` writes any error from its (key, message) pairs: a line whose every value has the
wrong type has a problem per question, and none of them is made as an object. It writes what
`json.dumps(error.to_dict(), ensure_ascii=True, separators=(",", ":"))` writes for the error the
answer check raises, byte for byte (tests/test_batch.py).
"""

from __future__ import annotations

import json
from itertools import repeat
from operator import add

from neckcheck.core.errors import InputError

_text = json.encoder.encode_basestring_ascii  # what json.dumps(..., ensure_ascii=True) uses


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
