"""JSON Lines screening: one output line per input line, in order, streamed; what `neckcheck
batch` writes and `screen_lines` returns. No I/O: lines in, text lines out (cli/batch.py reads
and writes the streams and files).

Memory stays flat: a line is read (up to the edge's size cap), screened, written and forgotten.
Decisions repeat a great deal (a handful of outcomes and caution sets), so their JSON text is
cached by the rules and cautions that made them, and only the line number is written fresh.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import TYPE_CHECKING

from neckcheck.core.answers import parse_json
from neckcheck.core.engine import decide, decision_key
from neckcheck.core.errors import InputError, Problem
from neckcheck.core.model import Rulebook
from neckcheck.formats.batch_lines import error_json
from neckcheck.formats.documents import MAX_DOCUMENT_BYTES, answers_of_document

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

    from neckcheck.core.answers import Answers


class Summary:
    """What a run screened, counted as it goes: lines, invalid lines, and each outcome."""

    def __init__(self) -> None:
        self.lines = 0
        self.errors = 0
        self.outcomes: Counter[str] = Counter()
        self.output_lost = False  # the command's result file was asked for and not written

    def text(self) -> str:
        parts = [f"{n} {key}" for key, n in sorted(self.outcomes.items())]
        parts.append(f"{self.errors} invalid")
        return f"screened {self.lines} lines: " + ", ".join(parts)


_TEXT_CACHE_LIMIT = 1024  # texts kept by (rules, cautions); beyond, put together afresh
_Key = tuple[tuple[str, ...], tuple[str, ...]]


class _Texts:
    """A decision's JSON text (ASCII, compact, its first "{" left off), put together from
    pieces made once per rulebook: what the top rule decides (outcome, texts, steps), each
    rule's reason and each caution. Byte for byte json.dumps(decision.to_dict()), which
    tests/test_batch.py checks; built from the same Decision objects the engine makes."""

    def __init__(self, book: Rulebook) -> None:
        from neckcheck.core.engine import decision_of

        def dumps(value: object) -> str:
            return json.dumps(value, ensure_ascii=True, separators=(",", ":"))

        self.head: dict[str, str] = {}
        self.tail: dict[str, str] = {}
        self.outcome: dict[str, str] = {}
        self.reason: dict[str, str] = {}
        for rule in book.rules:
            plain = decision_of(((rule.id,), ()), book)
            reasons: Any = plain.to_dict()["reasons"]
            self.reason[rule.id] = dumps(reasons[0])
            text = dumps(dataclasses.replace(plain, reasons=(), cautions=()).to_dict())
            head, middle, tail = text.partition(',"reasons":[],"cautions":[]')
            if not middle or _MIDDLE in tail:
                raise AssertionError("a decision's JSON does not split")  # never with json.dumps
            self.head[rule.id] = head[1:] + ',"reasons":['
            self.tail[rule.id] = "]" + tail
            self.outcome[rule.id] = rule.outcome
        self.caution = {c.id: dumps({"id": c.id, "text": c.text}) for c in book.cautions}
        self.cache: dict[_Key, str] = {}

    def text(self, key: _Key) -> str:
        text = self.cache.get(key)
        if text is None:
            fired, shown = key
            top = fired[0]
            reason, caution = self.reason, self.caution
            text = (
                self.head[top]
                + ",".join([reason[r] for r in fired])
                + _MIDDLE
                + ",".join([caution[c] for c in shown])
                + self.tail[top]
            )
            if len(self.cache) < _TEXT_CACHE_LIMIT:
                self.cache[key] = text
        return text


_MIDDLE = '],"cautions":['


def _decision_line(answers: Answers, book: Rulebook, texts: _Texts | None) -> tuple[str, str]:
    """(the outcome, the decision's JSON text without its first "{"). The text is cached by
    what makes the decision (the rules that fired and the cautions shown), never by object
    identity or the decision's whole content."""
    if texts is None:  # texts are made for the rulebook's own warning only
        decision = decide(answers, book)
        text = json.dumps(decision.to_dict(), ensure_ascii=True, separators=(",", ":"))
        return decision.outcome, text[1:]
    key = decision_key(answers, book)
    return texts.outcome[key[0][0]], texts.text(key)


TOO_LONG = InputError([Problem("", "the line is longer than the size limit")], "line")


def result_lines(
    lines: Iterable[bytes | str | InputError | None], book: Rulebook, summary: Summary
) -> Iterator[str]:
    """For each input line (None: a line over the size limit; an InputError: a line known to be
    invalid before it is read), its output line: the decision
    with its 1-based "line", or {"line": N, "error": {...}}. Never stops on a bad line."""
    texts = None if book.warning else _Texts(book)
    outcomes = summary.outcomes
    for number, raw in enumerate(lines, start=1):
        summary.lines = number
        try:
            if raw is None:
                raise TOO_LONG
            if isinstance(raw, InputError):
                raise raw
            source = f"line {number}"
            answers, _ = answers_of_document(parse_json(raw, source), book, source)
            outcome, text = _decision_line(answers, book, texts)
        except InputError as exc:
            summary.errors += 1
            yield f'{{"line":{number},"error":{error_json(exc)}}}\n'
        else:
            outcomes[outcome] += 1
            yield f'{{"line":{number},{text}\n'


LINE_BREAK = InputError([Problem("", "the line holds a line break inside it")], "line")


def _as_batch_reads(lines: Iterable[str | bytes]) -> Iterator[bytes | str | InputError | None]:
    """Each given line as `batch` would have read it from a stream: None when it is over the
    size limit, and an error when a line break inside it would have made it two lines."""
    for line in lines:
        if isinstance(line, str):
            body = line[:-1] if line.endswith("\n") else line
            size = len(body.encode("utf-8", "surrogatepass"))
            inner_break = "\n" in body
        elif isinstance(line, bytes | bytearray):
            body_bytes = line[:-1] if line.endswith(b"\n") else line
            size = len(body_bytes)
            inner_break = b"\n" in body_bytes
            line = bytes(line)
        else:
            raise TypeError(f"screen_lines takes str or bytes lines, not {type(line).__name__}")
        if size > MAX_DOCUMENT_BYTES:
            yield None
        elif inner_break:
            yield LINE_BREAK
        else:
            yield line


def screen_lines(lines: Iterable[str | bytes], rulebook: Rulebook) -> Iterator[dict[str, Any]]:
    """For each line, exactly the record `neckcheck batch` writes for it, as a dict: the
    decision with its 1-based "line", or {"line": N, "error": {...}}. The same strict reading
    (duplicate keys, a byte order mark, the size limit, a blank line is an invalid line), and it
    never stops on a bad line. Lines are numbered from 1 in each call."""
    for text in result_lines(_as_batch_reads(lines), rulebook, Summary()):
        yield json.loads(text)
