"""`neckcheck batch`, the Python API and the lean scripted path: the same answers give the same
result everywhere (SPEC.md section 6), the stream goes on past bad lines, and it streams."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neckcheck import InputError, screen_many
from neckcheck.core.model import Rulebook
from neckcheck.formats.documents import screen
from tests.conftest import neckcheck_command
from tests.spec import BASELINE, NO_INJURY, QUESTIONS
from tests.strategies import answer_sets


def batch(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*neckcheck_command(), "batch", *args], input=stdin,
                          capture_output=True, timeout=120, check=False)  # fmt: skip


def jsonl(*records: object) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def test_one_line_out_per_line_in_with_bad_lines_in_between() -> None:
    data = (
        jsonl(BASELINE)
        + b'{"age": "forty"}\n'
        + b"\n"
        + b"not json\n"
        + jsonl(NO_INJURY | {"vascular_signs": "yes", "signs_recent": "yes"})
        + jsonl([1, 2])
        + jsonl(BASELINE | {"injury": "vehicle"})
    )
    done = batch(data)
    assert done.returncode == 2
    out = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [o["line"] for o in out] == [1, 2, 3, 4, 5, 6, 7]
    assert out[0]["outcome"] == "reverse_whiplash"
    assert {p["key"] for p in out[1]["error"]["problems"]} >= {"age", "injury", "sore_back"}
    assert "empty" in out[2]["error"]["message"]
    assert "not valid JSON" in out[3]["error"]["message"]
    assert out[4]["disposition"] == "emergency"
    assert "JSON object" in out[5]["error"]["message"]
    assert out[6]["outcome"] == "traditional_whiplash"
    summary = done.stderr.decode()
    assert "screened 7 lines" in summary
    assert "4 invalid" in summary
    assert "1 reverse_whiplash" in summary
    assert "Traceback" not in summary


def test_all_valid_exits_0_and_reads_a_file_or_dash(tmp_path: Path) -> None:
    data = jsonl(BASELINE, NO_INJURY)
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    from_file, from_dash, from_stdin = batch(b"", str(path)), batch(data, "-"), batch(data)
    assert from_file.returncode == from_dash.returncode == from_stdin.returncode == 0
    assert from_file.stdout == from_dash.stdout == from_stdin.stdout
    assert len(from_file.stdout.splitlines()) == 2


def test_empty_input_and_missing_file(tmp_path: Path) -> None:
    empty = batch(b"")
    assert (empty.returncode, empty.stdout) == (0, b"")
    assert "screened 0 lines" in empty.stderr.decode()
    missing = batch(b"", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2
    assert missing.stdout == b""
    assert "nope.jsonl" in missing.stderr.decode()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/full"])
def test_a_device_is_refused_before_it_is_read(device: str) -> None:
    # /dev/zero never holds a line break, and the line-size limit only skips to the next one:
    # read, it would keep batch busy forever. It is refused at once instead.
    if not Path(device).is_char_device():
        pytest.skip(f"no {device}")
    done = subprocess.run([*neckcheck_command(), "batch", device], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=30, check=False)  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode().splitlines() == [
        f"neckcheck: {device}: cannot read: it is a device, not a file (give a file or pipe the "
        "data in)"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_and_dev_stdin_are_still_read(tmp_path: Path) -> None:
    data = jsonl(BASELINE, NO_INJURY)
    expected = batch(data)
    assert expected.returncode == 0
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as writer:  # waits for batch to open the other end
            writer.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    from_fifo = batch(b"", str(fifo))
    writer.join(timeout=30)
    from_dev_stdin = batch(data, "/dev/stdin")  # a pipe behind /dev/stdin
    for done in (from_fifo, from_dev_stdin):
        assert (done.returncode, done.stdout) == (0, expected.stdout)
        assert len(done.stdout.splitlines()) == 2


def test_batch_agrees_with_screen_json_and_the_api(book: Rulebook, tmp_path: Path) -> None:
    records = [BASELINE, NO_INJURY, BASELINE | {"age": 80}, NO_INJURY | {"sore_front": "unsure"}]
    out = [json.loads(x) for x in batch(jsonl(*records)).stdout.decode().splitlines()]
    for number, (record, line) in enumerate(zip(records, out, strict=True), start=1):
        path = tmp_path / f"{number}.json"
        path.write_text(json.dumps(record), encoding="utf-8")
        command = [*neckcheck_command(), "screen", "--answers", str(path), "--json"]
        single = subprocess.run(command, capture_output=True, text=True, check=False)
        assert line == {"line": number, **json.loads(single.stdout)}
        assert line == {"line": number, **screen(record, book).to_dict()}


@settings(max_examples=25, deadline=None)
@given(records=st.lists(answer_sets(), min_size=1, max_size=40))
def test_batch_is_the_api_line_by_line(book: Rulebook, records: list[dict]) -> None:
    out = batch(jsonl(*records)).stdout.decode().splitlines()
    api = list(screen_many(records, book))
    assert [json.loads(line) for line in out] == [
        {"line": n, **d.to_dict()}
        for n, d in enumerate(api, start=1)  # type: ignore[union-attr]
    ]


def test_screen_many_yields_errors_as_values(book: Rulebook) -> None:
    results = list(screen_many([BASELINE, {"age": 40}, NO_INJURY], book))
    assert results[0] == screen(BASELINE, book)
    assert isinstance(results[1], InputError)
    assert "record 2" in results[1].lines()[0]
    assert results[2] == screen(NO_INJURY, book)


def test_batch_streams_a_live_pipe() -> None:
    # A program feeding one record at a time gets each answer back before sending the next.
    child = subprocess.Popen([*neckcheck_command(), "batch"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert child.stdin is not None
    assert child.stdout is not None
    for number, record in enumerate([BASELINE, NO_INJURY, {"bad": 1}], start=1):
        child.stdin.write(jsonl(record))
        child.stdin.flush()
        assert json.loads(child.stdout.readline())["line"] == number
    child.stdin.close()
    assert child.wait(timeout=30) == 2


def test_scripted_paths_import_no_terminal_stack_and_help_no_pydantic(tmp_path: Path) -> None:
    """The scripted paths load no terminal library, parser or solver; pydantic (the answer
    model) is loaded only once answers arrive, never for help."""
    path = tmp_path / "a.json"
    path.write_text(json.dumps(BASELINE), encoding="utf-8")
    probe = (
        "import atexit, sys\n"
        "heavy = ('rich', 'questionary', 'prompt_toolkit', 'pydantic', 'yaml', 'z3')\n"
        "atexit.register(lambda: sys.stderr.write('LOADED=' + ','.join(sorted({m.split('.')[0]"
        " for m in sys.modules if m.split('.')[0] in heavy})) + '\\n'))\n"
        "from neckcheck.cli.commands import main\n"
        "sys.argv = ['neckcheck'] + sys.argv[1:]\n"
        "main()\n"
    )
    for args, stdin, loaded in ((["screen", "--answers", str(path), "--json"], b"", "pydantic"),
                                (["screen", "--json"], jsonl(BASELINE), "pydantic"),
                                (["batch"], jsonl(BASELINE, {"age": "forty"}), "pydantic"),
                                (["screen", "-h"], b"", ""),
                                ([], b"", "")):  # fmt: skip
        done = subprocess.run([sys.executable, "-c", probe, *args], input=stdin,
                              capture_output=True, check=False)  # fmt: skip
        assert done.returncode == (2 if args == ["batch"] else 0), done.stderr
        assert f"LOADED={loaded}\n" in done.stderr.decode(), (args, done.stderr)


def test_a_long_varied_batch_agrees_with_the_oracle_line_by_line() -> None:
    """More distinct decisions than any cache keeps (red flags drawn often, so that the reasons
    combine in thousands of ways): every line must still carry its own decision. A cache keyed by
    object identity once handed out an older decision's text after about 12,800 lines."""
    import random

    from tests.spec import QUESTIONS, is_asked, oracle

    rng = random.Random(7)
    records = []
    for _ in range(20_000):
        full = {}
        for key, (kind, domain, _) in QUESTIONS.items():
            full[key] = rng.randint(*domain) if kind == "int" else rng.choice(domain)
            if key == "days_since_injury":
                full[key] = rng.choice([0, 1, 2, 3, 14, 15, rng.randint(0, 60)])
        records.append({k: v for k, v in full.items() if is_asked(k, full)})
    out = batch(jsonl(*records)).stdout.decode().splitlines()
    assert len(out) == len(records)
    distinct = set()
    for record, text in zip(records, out, strict=True):
        line = json.loads(text)
        outcome, disposition, cautions = oracle(record)
        assert (line["outcome"], line["disposition"]) == (outcome, disposition), record
        assert {c["id"] for c in line["cautions"]} == cautions
        distinct.add(tuple(r["rule"] for r in line["reasons"]))
    assert len(distinct) > 4096  # more than the engine's own cache of decisions


# ---- Unknown keys: the shortcut from the generated check gives the careful path's very error ----


def test_unknown_key_lines_are_byte_for_byte_the_interpreted_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lines that are valid answer sets plus unknown keys are recognised from the generated
    check (issue 20, item 5: they cost several times a valid line); every such line, and every
    near miss that must take the careful path (a key twice, NaN, a nested value, a FHIR or a
    saved-interview marker, an escaped quote, too many keys), gives exactly the record of the
    interpreted rules."""
    from neckcheck.cli.batch import Summary, result_lines
    from neckcheck.rulebook.load import load_rulebook

    generated, interpreted = load_rulebook(), load_rulebook()
    assert generated is not interpreted
    assert generated.derived.get("generated") is not None
    interpreted.derived.pop("generated")
    base = json.dumps(BASELINE)[:-1]
    extras = [
        '"injry": "fall"',
        '"notes": "x", "Age": 40, "vasculr_signs": true, "extra": null, "n": 12345678901234567890',
        ", ".join(f'"k{n}": "no"' for n in range(30)),
        ", ".join(f'"k{n}": 1' for n in range(40)),  # over 64 keys in all
        '"notes": NaN',
        '"notes": 1.5',
        '"notes": 1e400',  # read as infinity: the careful path
        '"notes": -2.5e-3',
        '"notes": {"a": 1, "a": 2}',
        '"notes": ["x"]',
        '"resourceType": "QuestionnaireResponse"',
        '"neckcheck_saved_interview": 1',
        '"no\\"tes": "x"',
        '"notes": "say \\"no\\""',
        '"notes": "x", "notes": "y"',
        '"age": 40',  # a known key twice
        '"notes": "\\u202e"',
    ]
    lines = [f"{base}, {extra}}}\n".encode() for extra in extras]
    lines += [f"\ufeff{base}, {extras[0]}}} \n".encode(), f"{base}, {extras[0]}}} x\n".encode()]
    import neckcheck.cli.batch as batch

    shortcut: list[list[str]] = []
    real = batch.unknown_keys_json

    def counted(keys: list[str], book: Rulebook) -> str:
        shortcut.append(keys)
        return real(keys, book)

    monkeypatch.setattr(batch, "unknown_keys_json", counted)
    ours = list(result_lines(lines, generated, Summary()))
    theirs = list(result_lines(lines, interpreted, Summary()))
    assert ours == theirs
    assert all('"error"' in line for line in ours)
    assert [keys[0] for keys in shortcut] == ["injry", "notes", "k0", "notes", "notes", "notes",
                                              "injry"]  # fmt: skip


# Keys no question has: any text (lone surrogates, quotes, backslashes, line separators, the
# empty key), typos that get a "did you mean", and plain field names.
UNKNOWN_KEYS = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=10),
    st.sampled_from(["", "injry", "vasculr_signs", "Age", "days-since-injury", "vascular",
                     "neuro", "notes", "x" * 70, "a\\b", 'say "no"', "\u2028", "\x00", "k;"]),
    st.builds("{}_{}".format, st.sampled_from(sorted(QUESTIONS)), st.integers(0, 99)),
).filter(lambda key: key not in QUESTIONS)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(UNKNOWN_KEYS, max_size=70))
def test_unknown_keys_json_is_json_dumps_of_the_error(keys: list[str], book: Rulebook) -> None:
    """Every key named up to the listed limit, then "and N more", with the same "did you mean"
    for the first few: the text batch writes is the error's own JSON, byte for byte."""
    from neckcheck.core.unknown_keys import unknown_keys_error
    from neckcheck.formats.batch_lines import unknown_keys_json

    error = unknown_keys_error(keys, book, "line 1")
    expected = json.dumps(error.to_dict(), ensure_ascii=True, separators=(",", ":"))
    assert unknown_keys_json(keys, book) == expected


@settings(max_examples=150, deadline=None)
@given(
    raw=answer_sets(),
    keys=st.lists(UNKNOWN_KEYS, min_size=1, max_size=45, unique=True),
    values=st.lists(st.sampled_from(["no", "", 0, -7, 10**20, True, None]), min_size=45),
    ascii_only=st.booleans(),
)
def test_lines_with_many_unknown_keys_are_the_careful_errors(
    raw: dict[str, object], keys: list[str], values: list[object], ascii_only: bool
) -> None:
    """A valid answer set plus up to 45 unknown keys (past the listed limit, and past the most
    keys an answer set may hold): the shortcut's error line is the careful path's, byte for
    byte, and the shortcut is taken whenever the line is one it can know (no key holds a
    quotation mark, which the duplicate check counts, and not too many keys)."""
    from unittest import mock

    import neckcheck.cli.batch as batch
    from neckcheck.core.answers import max_keys
    from neckcheck.rulebook.load import load_rulebook

    generated, interpreted = load_rulebook(), load_rulebook()
    interpreted.derived.pop("generated")
    line = raw | dict(zip(keys, values, strict=False))
    data = json.dumps(line, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass") + b"\n"
    with mock.patch.object(batch, "unknown_keys_json", wraps=batch.unknown_keys_json) as spy:
        ours = list(batch.result_lines([data], generated, batch.Summary()))
    theirs = list(batch.result_lines([data], interpreted, batch.Summary()))
    assert ours == theirs
    assert '"error"' in ours[0]
    knowable = len(line) <= max_keys(generated) and not any('"' in key for key in keys)
    valid_utf8 = not any(0xD800 <= ord(c) <= 0xDFFF for key in keys for c in key)
    assert spy.called == (knowable and (ascii_only or valid_utf8))


def test_a_line_refused_again_gets_the_same_error_and_is_checked_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 28, item 5: a stream that repeats one bad line (every value of the wrong type)
    checks and words it once. Each repeat's record is the one the line gets on its own, and a
    line that differs by a byte is checked afresh."""
    import neckcheck.cli.batch as batch
    from neckcheck.rulebook.load import load_rulebook

    book = load_rulebook()
    wrong = jsonl({key: [1] for key in BASELINE})
    other = jsonl({key: [2] for key in BASELINE})
    typo = jsonl(BASELINE | {"injury": "Fall"})
    lines = [wrong, other, wrong, jsonl(BASELINE), typo, wrong, typo]
    checked: list[object] = []
    real = batch.answers_of_document
    monkeypatch.setattr(batch, "answers_of_document",
                        lambda raw, *rest: checked.append(raw) or real(raw, *rest))  # fmt: skip
    ours = [json.loads(text) for text in batch.result_lines(lines, book, batch.Summary())]
    assert len(checked) == 3  # wrong, other and typo, once each
    for number, (line, record) in enumerate(zip(lines, ours, strict=True), start=1):
        alone = json.loads(next(batch.result_lines([line], load_rulebook(), batch.Summary())))
        assert record == alone | {"line": number}
    assert ours[0]["error"] != ours[1]["error"]
    assert "error" not in ours[3]


def test_refused_lines_are_remembered_within_bounds() -> None:
    from neckcheck.formats.batch_lines import RefusedLines

    refused = RefusedLines(most=2, longest=10)
    refused.remember(b"a" * 11, "too long")
    refused.remember(b"one", "1")
    refused.remember(b"two", "2")
    refused.remember(b"three", "3")
    assert [refused.get(line) for line in (b"a" * 11, b"one", b"two", b"three")] == [
        None, "1", "2", None
    ]  # fmt: skip
