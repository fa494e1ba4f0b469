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
from neckcheck.api import screen
from neckcheck.core.model import Rulebook
from tests.cli import Done, invoke, neckcheck_command, process
from tests.spec import BASELINE, NO_INJURY, QUESTIONS
from tests.strategies import answer_sets


def batch(stdin: bytes, *args: str) -> Done:
    return invoke(["batch", *args], stdin)


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
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["line"] for o in out] == [1, 2, 3, 4, 5, 6, 7]
    assert out[0]["outcome"] == "reverse_whiplash"
    assert {p["key"] for p in out[1]["error"]["problems"]} >= {"age", "injury", "sore_back"}
    assert "empty" in out[2]["error"]["message"]
    assert "not valid JSON" in out[3]["error"]["message"]
    assert out[4]["disposition"] == "emergency"
    assert "JSON object" in out[5]["error"]["message"]
    assert out[6]["outcome"] == "traditional_whiplash"
    summary = done.stderr
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
    assert (empty.returncode, empty.stdout) == (0, "")
    assert "screened 0 lines" in empty.stderr
    missing = batch(b"", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert "nope.jsonl" in missing.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/full"])
def test_a_device_is_refused_before_it_is_read(device: str) -> None:
    # /dev/zero never holds a line break, and the line-size limit only skips to the next one:
    # read, it would keep batch busy forever. It is refused at once instead.
    if not Path(device).is_char_device():
        pytest.skip(f"no {device}")
    done = batch(b"", device)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
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
    from_dev_stdin = process(["batch", "/dev/stdin"], data)  # a pipe behind /dev/stdin
    for done in (from_fifo, from_dev_stdin):
        assert (done.returncode, done.stdout) == (0, expected.stdout)
        assert len(done.stdout.splitlines()) == 2


def test_batch_agrees_with_screen_json_and_the_api(book: Rulebook, tmp_path: Path) -> None:
    records = [BASELINE, NO_INJURY, BASELINE | {"age": 80}, NO_INJURY | {"sore_front": "unsure"}]
    out = [json.loads(x) for x in batch(jsonl(*records)).stdout.splitlines()]
    for number, (record, line) in enumerate(zip(records, out, strict=True), start=1):
        path = tmp_path / f"{number}.json"
        path.write_text(json.dumps(record), encoding="utf-8")
        single = invoke(["screen", "--answers", str(path), "--json"])
        assert line == {"line": number, **json.loads(single.stdout)}
        assert line == {"line": number, **screen(record, book).to_dict()}


@settings(max_examples=25, deadline=None)
@given(records=st.lists(answer_sets(), min_size=1, max_size=40))
def test_batch_is_the_api_line_by_line(book: Rulebook, records: list[dict]) -> None:
    out = batch(jsonl(*records)).stdout.splitlines()
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


def test_scripted_paths_import_no_terminal_stack(tmp_path: Path) -> None:
    """The scripted paths and help load no terminal library, YAML parser or solver."""
    path = tmp_path / "a.json"
    path.write_text(json.dumps(BASELINE), encoding="utf-8")
    probe = (
        "import atexit, sys\n"
        # typer (0.29) builds its commands with pydantic: it is loaded on every path.
        "heavy = ('rich', 'questionary', 'prompt_toolkit', 'yaml', 'z3')\n"
        "atexit.register(lambda: sys.stderr.write('LOADED=' + ','.join(sorted(m for m in"
        " sys.modules if m.split('.')[0] in heavy)) + '\\n'))\n"
        "from neckcheck.cli.commands import main\n"
        "sys.argv = ['neckcheck'] + sys.argv[1:]\n"
        "main()\n"
    )
    for args, stdin in ((["screen", "--answers", str(path), "--json"], b""),
                        (["screen", "--json"], jsonl(BASELINE)),
                        (["batch"], jsonl(BASELINE, {"age": "forty"})),
                        (["screen", "-h"], b""),
                        ([], b"")):  # fmt: skip
        done = subprocess.run([sys.executable, "-c", probe, *args], input=stdin,
                              capture_output=True, check=False)  # fmt: skip
        assert done.returncode == (2 if args == ["batch"] else 0), done.stderr
        assert "LOADED=\n" in done.stderr.decode(), (args, done.stderr)


@pytest.mark.slow  # 20,000 lines: the bug showed after about 12,800
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
    out = batch(jsonl(*records)).stdout.splitlines()
    assert len(out) == len(records)
    distinct = set()
    for record, text in zip(records, out, strict=True):
        line = json.loads(text)
        outcome, disposition, cautions = oracle(record)
        assert (line["outcome"], line["disposition"]) == (outcome, disposition), record
        assert {c["id"] for c in line["cautions"]} == cautions
        distinct.add(tuple(r["rule"] for r in line["reasons"]))
    assert len(distinct) > 4096  # more than the engine's own cache of decisions


# ---- Decision texts: put together from pieces, byte for byte the decision's JSON ----------------


def test_decision_texts_are_json_dumps_of_the_decision(book: Rulebook) -> None:
    from neckcheck.core.engine import decision_of
    from neckcheck.formats.jsonlines import _Texts

    texts = _Texts(book)
    keys = {((rule.id,), ()) for rule in book.rules}
    flags = [r.id for r in book.red_flags]
    keys |= {(tuple(flags[i : i + 3]), ()) for i in range(len(flags))}
    keys |= {((p.id,), tuple(c.id for c in book.cautions)) for p in book.patterns}
    keys |= {((book.otherwise.id,), ("stop_if_pain", "warning_signs"))}
    for key in keys:
        decision = decision_of(key, book)
        expected = json.dumps(decision.to_dict(), ensure_ascii=True, separators=(",", ":"))
        assert "{" + texts.text(key) == expected
        assert "{" + texts.text(key) == expected  # cached, the same


# Keys no question has: any text (lone surrogates, quotes, backslashes, line separators, the
# empty key), typos that get a "did you mean", and plain field names.
UNKNOWN_KEYS = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=10),
    st.sampled_from(["", "injry", "vasculr_signs", "Age", "days-since-injury", "vascular",
                     "neuro", "notes", "x" * 70, "a\\b", 'say "no"', "\u2028", "\x00", "k;"]),
    st.builds("{}_{}".format, st.sampled_from(sorted(QUESTIONS)), st.integers(0, 99)),
).filter(lambda key: key not in QUESTIONS)  # fmt: skip


@given(keys=st.lists(UNKNOWN_KEYS, max_size=70))
def test_error_json_is_json_dumps_of_the_error(keys: list[str], book: Rulebook) -> None:
    """Every key named up to the listed limit, then "and N more", with the same "did you mean"
    for the first few: the text batch writes is the error's own JSON, byte for byte, whatever
    the keys hold (lone surrogates, quotes, line separators, the empty key)."""
    from neckcheck.core.unknown_keys import unknown_keys_error
    from neckcheck.formats.batch_lines import error_json

    error = unknown_keys_error(keys, book, "line 1")
    expected = json.dumps(error.to_dict(), ensure_ascii=True, separators=(",", ":"))
    assert error_json(error) == expected
