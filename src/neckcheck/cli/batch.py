"""JSON Lines screening: one output line per input line, in order, streamed.

Memory stays flat: a line is read (up to the edge's size cap), screened, written and forgotten.
Decisions repeat a great deal (a handful of outcomes and caution sets), so their JSON text is
cached by the rules and cautions that made them, and only the line number is written fresh.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
from collections import Counter
from itertools import filterfalse
from typing import TYPE_CHECKING

from neckcheck.core.answers import max_keys, parse_json
from neckcheck.core.engine import decide
from neckcheck.core.errors import InputError, Problem
from neckcheck.core.model import Decision, Rulebook
from neckcheck.formats.batch_lines import RefusedLines, error_json, unknown_keys_json
from neckcheck.formats.documents import SAVED_INTERVIEW, answers_of_document

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any


class Summary:
    """What a run screened, counted as it goes: lines, invalid lines, and each outcome."""

    def __init__(self) -> None:
        self.lines = 0
        self.errors = 0
        self.outcomes: Counter[str] = Counter()

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
    tests/test_rulecode.py checks; built from the same Decision objects the engine makes."""

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


def _decision_text(decision: Decision, texts: _Texts) -> str:
    # Keyed by what makes the decision (the rules that fired and the cautions shown), never by
    # object identity or the decision's whole content.
    key = (tuple(r.rule for r in decision.reasons), tuple(c.id for c in decision.cautions))
    if decision.warning:  # texts are made for the rulebook's own warning only
        text = json.dumps(decision.to_dict(), ensure_ascii=True, separators=(",", ":"))
        return text[1:]
    return texts.text(key)


_PLAIN: Any = json.JSONDecoder()  # its scan_once: the C scanner


def _no_key_twice(text: str, doc: dict[str, Any]) -> bool:
    """For a line the generated check accepted: whether its text gives no key twice (JSON
    readers keep the last, and a later "no" must never hide an earlier "yes").

    The accepted answer set holds only question ids and plain words or numbers, none with a
    quotation mark. So a text with no key twice has exactly two quotation marks per key and per
    text value; a key given twice adds at least the two of its own (and whatever its hidden
    value held), never fewer."""
    texts = list(map(type, doc.values())).count(str)
    return text.count('"') == 2 * (len(doc) + texts)


# The values an unknown key may hold for the shortcut below: those the strict reading reads as
# the plain reading does (a float only when finite: NaN and Infinity are refused by the strict
# reading; a list or an object may hold a key twice).
_PLAIN_VALUES = frozenset((str, int, bool, type(None)))


def _plain_values(values: list[Any]) -> bool:
    kinds = set(map(type, values))
    if float in kinds:
        kinds.discard(float)
        floats = [v for v in values if v.__class__ is float] if kinds else values
        if not all(map(math.isfinite, floats)):
            return False
    return _PLAIN_VALUES.issuperset(kinds)


def _only_unknown_keys(
    doc: dict[str, Any],
    questions: frozenset[str],
    most: int,
    fast: Callable[[dict[str, Any]], Any],
) -> list[str] | None:
    """The unknown keys of a plainly read line, in order, when they are its only problem: the
    rest is a plainly valid answer set (the generated check says so), and each unknown key
    holds a plain value and is no other format's marker (resourceType, a saved interview).
    Takes the unknown keys out of `doc` (which is read no further)."""
    if len(doc) > most or doc.keys() <= questions:
        return None
    if "resourceType" in doc or SAVED_INTERVIEW in doc:
        return None
    unknown = list(filterfalse(questions.__contains__, doc))
    if not _plain_values(list(map(doc.pop, unknown))):
        return None
    return unknown if fast(doc) is not None else None


TOO_LONG = InputError([Problem("", "the line is longer than the size limit")], "line")


def result_lines(
    lines: Iterable[bytes | str | InputError | None], book: Rulebook, summary: Summary
) -> Iterator[str]:
    """For each input line (None: a line over the size limit; an InputError: a line known to be
    invalid before it is read), its output line: the decision
    with its 1-based "line", or {"line": N, "error": {...}}. Never stops on a bad line."""
    texts = _Texts(book)
    outcomes = summary.outcomes
    # The shipped rules as generated code (rulecode.py): a plainly valid line is checked and
    # decided in one call; anything else (None) takes the careful path, which names the problem.
    generated = book.derived.get("generated")
    fast = generated.screen_raw if generated is not None and book.warning is None else None
    scan = _PLAIN.scan_once
    questions, most = frozenset(q.id for q in book.questions), max_keys(book)
    one_each = len(questions)  # the most keys a valid answer set holds
    refused = RefusedLines()
    number = 0
    for raw in lines:
        number += 1
        summary.lines = number
        if fast is not None and raw.__class__ is bytes:
            # JSON without the strict reader's hooks (C only), then checks that make it as
            # strict: only JSON whitespace after the object, and no key given twice (see
            # _no_key_twice). Anything else, and the careful path reads the line again.
            try:
                text = raw.decode()
                if text[:1] == "\ufeff":
                    text = text[1:]
                doc, end = scan(text, 0)
            except Exception:  # the careful path below says what is wrong
                doc = None
            if (
                doc.__class__ is dict
                and len(doc) <= one_each  # else not valid: spare the generated check
                and (key := fast(doc)) is not None
                and not text[end:].strip(" \t\n\r")
                and _no_key_twice(text, doc)
            ):
                outcomes[texts.outcome[key[0][0]]] += 1
                yield f'{{"line":{number},{texts.text(key)}\n'
                continue
            # Bad input costs no more than good input: a line that is a valid answer set plus
            # unknown keys (a typo, a field of another system) is known as such from the
            # generated check too, and gets the very error the careful path would give, its
            # JSON text written directly (unknown_keys_json).
            if (
                doc.__class__ is dict
                and not text[end:].strip(" \t\n\r")
                and _no_key_twice(text, doc)
                and (unknown := _only_unknown_keys(doc, questions, most, fast))
            ):
                summary.errors += 1
                yield f'{{"line":{number},"error":{unknown_keys_json(unknown, book)}}}\n'
                continue
        if raw.__class__ is bytes and (known := refused.get(raw)) is not None:
            summary.errors += 1  # a line refused before: its error again (batch_lines)
            yield f'{{"line":{number},"error":{known}}}\n'
            continue
        try:
            if raw is None:
                raise TOO_LONG
            if isinstance(raw, InputError):
                raise raw
            source = f"line {number}"
            answers, _ = answers_of_document(parse_json(raw, source), book, source)
            decision = decide(answers, book)
        except InputError as exc:
            summary.errors += 1
            error = error_json(exc)
            if isinstance(raw, bytes):
                refused.remember(raw, error)
            yield f'{{"line":{number},"error":{error}}}\n'
        else:
            outcomes[decision.outcome] += 1
            yield f'{{"line":{number},{_decision_text(decision, texts)}\n'


LINE_BREAK = InputError([Problem("", "the line holds a line break inside it")], "line")


def _as_batch_reads(lines: Iterable[str | bytes]) -> Iterator[bytes | str | InputError | None]:
    """Each given line as `batch` would have read it from a stream: None when it is over the
    size limit, and an error when a line break inside it would have made it two lines."""
    from neckcheck.cli.edge import MAX_DOCUMENT_BYTES

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


def screen_lines(
    lines: Iterable[str | bytes], rulebook: Rulebook | None = None
) -> Iterator[dict[str, Any]]:
    """For each line, exactly the record `neckcheck batch` writes for it, as a dict: the
    decision with its 1-based "line", or {"line": N, "error": {...}}. The same strict reading
    (duplicate keys, a byte order mark, the size limit, a blank line is an invalid line), and it
    never stops on a bad line. Lines are numbered from 1 in each call."""
    if rulebook is None:
        from neckcheck.rulebook.load import load_rulebook

        rulebook = load_rulebook()
    for text in result_lines(_as_batch_reads(lines), rulebook, Summary()):
        yield json.loads(text)


def run_batch(
    file: str | None,
    book: Rulebook,
    output: str | None = None,
    quiet: bool = False,
    force: bool = False,
) -> Summary:
    """`neckcheck batch`: stream the input to stdout (or, with `output`, to a private file that
    appears only when every line is done; a read-only one is replaced only with `force`), show
    progress only on a terminal's stderr (never in the data stream), and end with a summary on
    stderr; `quiet`: neither. If the output file cannot be written, the results go to stdout
    instead (edge.ResultFile), and the summary is the same."""
    import sys

    from neckcheck.cli import edge

    if output is not None:
        edge.refuse_overwriting_input(output, "--output", file)
        edge.refuse_read_only(output, "--output", force)
    try:
        if file in (None, "-"):
            if sys.stdin is None:
                raise OSError(9, "standard input is closed")
            stream = sys.stdin.buffer
        else:
            edge.refuse_device(file)  # /dev/zero has no line break: it would be read forever
            stream = open(file, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        where = "stdin" if file in (None, "-") else edge.safe_text(str(file))
        raise InputError([Problem("", f"cannot read: {exc.strerror or exc}")], where) from None
    summary = Summary()
    with stream, contextlib.ExitStack() as stack:
        write: Callable[[bytes, bool], None] = edge.write_out
        target = None
        if output is not None:
            stack.enter_context(_terminated_as_exit())  # before the file exists
            target = stack.enter_context(edge.ResultFile(output, "--output", force))
            write = target.write
        # Output is written in blocks. From a pipe or a terminal to stdout, the results so far
        # are also written out before every read that may wait for input, so a program feeding
        # records one by one gets each answer back at once (and a busy pipe costs no write per
        # line).
        pending: list[str] = []
        flush_first = None if output is not None else lambda: _flush(pending, write)
        reader = edge.waiting_reader(stream, flush_first)
        results = result_lines(edge.bounded_lines(reader), book, summary)
        if edge.stderr_is_terminal() and not quiet:
            with _progress() as update:
                _write_all(results, pending, summary, update, write)
        else:
            _write_all(results, pending, summary, None, write)
    if not quiet:
        if target is not None and target.written:
            edge.say(f"results written to {output}")
        edge.say(summary.text())
    return summary


@contextlib.contextmanager
def _terminated_as_exit() -> Iterator[None]:
    """SIGTERM, SIGHUP or SIGQUIT while a result file is written: leave through the file's
    clean-up (which removes the unfinished file), not past it."""
    import signal
    import sys

    def stop(signum: int, frame: object) -> None:
        sys.exit(128 + signum)

    signals = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
    previous = {signum: signal.signal(signum, stop) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _flush(pending: list[str], write: Callable[[bytes, bool], None]) -> None:
    if pending:
        text = "".join(pending)
        pending.clear()
        write(text.encode("ascii"), True)


def _write_all(
    results: Iterable[str],
    pending: list[str],
    summary: Summary,
    show: Callable[[Summary], None] | None,
    write: Callable[[bytes, bool], None],
) -> None:
    for text in results:
        pending.append(text)
        if len(pending) >= 512:
            write("".join(pending).encode("ascii"), False)
            pending.clear()
        if show is not None and summary.lines % 1000 == 0:
            show(summary)
    write("".join(pending).encode("ascii"), True)
    pending.clear()


class _progress:
    """A spinner on stderr that never captures stdout, and puts the cursor back when a signal
    (SIGTERM, SIGHUP) ends the run."""

    def __enter__(self) -> Callable[[Summary], None]:
        import signal

        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                            console=Console(stderr=True), transient=True,
                            redirect_stdout=False, redirect_stderr=False)  # fmt: skip
        self.bar.__enter__()
        task = self.bar.add_task("screening")

        def stop(signum: int, frame: object) -> None:
            self.bar.__exit__(None, None, None)
            raise SystemExit(128 + signum)

        self.previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
        return lambda summary: self.bar.update(task, description=summary.text())

    def __exit__(self, *exc: object) -> None:
        import signal

        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.bar.__exit__(None, None, None)
