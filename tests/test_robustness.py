"""Bad input never hurts: whatever a user, a script or a file system does, neckcheck answers
with a decision or a clear error (exit 2), never a traceback, a guess or lost output."""

from __future__ import annotations

import errno
import json
import math
import os
import random
import subprocess
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neckcheck.api import screen
from neckcheck.core.answers import parse_json
from neckcheck.core.errors import InputError
from neckcheck.core.model import Decision, Rulebook
from tests.cli import invoke, neckcheck_command
from tests.spec import BASELINE, QUESTIONS, oracle
from tests.test_interview import help_start, prompt_start, spawn

KEYS = [*QUESTIONS, "injry", "Age", "", "notes"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["yes", "no", "unsure", "fall", "none", "forward", "disc_or_nerve"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=8,
)  # fmt: skip


def outcome_of(data: bytes, book: Rulebook) -> Decision | InputError:
    try:
        return screen(parse_json(data), book)
    except InputError as exc:
        return exc


def assert_sound(result: Decision | InputError, data: bytes) -> None:
    """A decision that SPEC.md's oracle agrees with, or an error that names its problems."""
    if isinstance(result, InputError):
        assert result.problems
        assert all(p.message for p in result.problems)
        return
    raw = json.loads(data.decode("utf-8-sig"))
    assert (result.outcome, result.disposition) == oracle(raw)[:2]


@given(
    base=st.sampled_from([BASELINE, {}, {"age": 40}]),
    changes=st.dictionaries(st.sampled_from(KEYS), json_values, max_size=4),
    drop=st.sets(st.sampled_from(list(QUESTIONS)), max_size=3),
)
def test_any_json_at_any_key(book: Rulebook, base: dict, changes: dict, drop: set) -> None:
    raw = {k: v for k, v in base.items() if k not in drop} | changes
    data = json.dumps(raw).encode()
    assert_sound(outcome_of(data, book), data)


@given(document=json_values)
def test_any_json_document(book: Rulebook, document: Any) -> None:
    data = json.dumps(document).encode()
    assert_sound(outcome_of(data, book), data)


@given(data=st.binary(max_size=200))
def test_any_bytes(book: Rulebook, data: bytes) -> None:
    result = outcome_of(data, book)
    if isinstance(result, Decision):
        assert_sound(result, data)
    else:
        assert result.problems


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"age": 1e400}', "age"),  # a float too big: inf
        (b'{"age": 1' + b"0" * 5000 + b"}", "age: must be a whole number"),  # 5001 digits
        (b'{"age": 40.0}', "whole number"),
        (b'{"age": -0}', "injury"),  # -0 is 0: fine; the other answers are missing
        (b'{"age": {"age": 1, "age": 2}}', "more than once"),  # duplicates nested too
        (b'{"age": NaN}', "NaN"),
        (b'{"age": -Infinity}', "Infinity"),
        (b"\xef\xbb\xbf[]", "JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
    ],
)
def test_odd_documents(book: Rulebook, data: bytes, words: str) -> None:
    result = outcome_of(data, book)
    assert isinstance(result, InputError)
    assert words in str(result)


def run(args: list[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    """The command line in this process, its streams as the bytes written."""
    done = invoke(args, data)
    return subprocess.CompletedProcess(args, done.returncode, done.stdout_bytes, done.stderr_bytes)


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"age": 40' + b" " * (50 * 1024 * 1024) + b', "x": 1}',  # 50 MB
        b"\x00\xff\xfe garbage \x80",
        b'{"injury": "fa\xc3ll"}',
        b"\xef\xbb\xbf" + json.dumps(BASELINE).replace(", ", ",\r\n").encode(),
    ],
    ids=["deep", "50MB", "binary", "bad-utf8", "bom-crlf"],
)
def test_command_never_tracebacks(data: bytes) -> None:
    done = run(["screen", "--json"], data)
    assert b"Traceback" not in done.stderr
    if done.returncode == 0:  # the BOM + CRLF one is valid
        assert json.loads(done.stdout)["outcome"] == "reverse_whiplash"
    else:
        assert (done.returncode, done.stdout) == (2, b"")
        assert done.stderr.startswith(b"neckcheck: ")


def test_batch_survives_every_kind_of_line() -> None:
    lines = [b"[" * 50_000 + b"]" * 50_000, b"\xff\xfe", b"{}", b"null", b'"yes"',
             b'{"age": NaN}', json.dumps(BASELINE).encode(), b"\xef\xbb\xbf{}", b"\r"]  # fmt: skip
    done = run(["batch"], b"\n".join(lines) + b"\n")
    assert b"Traceback" not in done.stderr
    out = [json.loads(x) for x in done.stdout.splitlines()]
    assert [o["line"] for o in out] == list(range(1, len(lines) + 1))
    assert [("error" in o) for o in out] == [True] * 6 + [False] + [True] * 2
    assert done.returncode == 2


# ---- Output that goes nowhere -------------------------------------------------------------------


def test_batch_into_head_ends_quietly(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text((json.dumps(BASELINE) + "\n") * 20_000, encoding="utf-8")
    command = " ".join(neckcheck_command())
    done = subprocess.run(f"{command} batch {big} | head -1", shell=True, capture_output=True,
                          timeout=120, check=False)  # fmt: skip
    assert json.loads(done.stdout)["line"] == 1
    assert done.stderr == b""


def test_screen_into_head_ends_quietly() -> None:
    command = " ".join(neckcheck_command())
    script = f'{command} screen --json --explain | head -c 10; echo "rc=${{PIPESTATUS[0]}}"'
    done = subprocess.run(["bash", "-c", script], input=json.dumps(BASELINE).encode(),
                          capture_output=True, timeout=60, check=False)  # fmt: skip
    assert done.stdout.startswith(b'{\n  "outco')
    assert done.stderr == b""
    assert done.stdout.strip().endswith((b"rc=0", b"rc=141"))


def test_save_is_all_or_nothing_on_a_full_disk(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:  # fmt: skip
    from neckcheck.cli import edge

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "answers.json"
    with pytest.raises(InputError, match="No space left on device"):
        edge.write_private(str(target), json.dumps(BASELINE), "--save")
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


def test_save_replaces_an_old_file_atomically(tmp_path: Path) -> None:
    from neckcheck.cli import edge

    target = tmp_path / "answers.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    edge.write_private(str(target), "new", "--save")
    assert target.read_text(encoding="utf-8") == "new"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["answers.json"]


def test_save_into_a_missing_folder_or_onto_a_folder(tmp_path: Path) -> None:
    answers = json.dumps(BASELINE).encode()
    for target, words in ((tmp_path / "missing" / "a.json", b"the folder does not exist"),
                          (tmp_path, b"directory")):  # fmt: skip
        done = run(["screen", "--save", str(target), "--answers", "-", "--json"], answers)
        assert done.returncode == 0  # the decision's own code; the file's failure is said
        assert json.loads(done.stdout)["exit_code"] == 0
        assert words in done.stderr
        assert b"Traceback" not in done.stderr


# ---- Broken rules folders -----------------------------------------------------------------------


def rules_error(folder: Path) -> subprocess.CompletedProcess[bytes]:
    done = run(["screen", "--rules", str(folder), "--json"], json.dumps(BASELINE).encode())
    assert done.returncode == 2
    assert done.stdout == b""
    assert b"Traceback" not in done.stderr
    return done


def test_missing_empty_and_unreadable_rules(tmp_path: Path, rules_copy: Path) -> None:
    assert b"not a rules folder" in rules_error(tmp_path / "nowhere").stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert b"questions.yaml: file is missing" in rules_error(empty).stderr
    (rules_copy / "questions.yaml").unlink()
    (rules_copy / "questions.yaml").mkdir()  # a folder where a file should be: cannot be read
    assert b"questions.yaml: cannot be read" in rules_error(rules_copy).stderr


def test_yaml_bomb_is_refused_at_once(rules_copy: Path) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
             for p, c in zip("abcdefgh", "bcdefghi", strict=True)]  # fmt: skip
    (rules_copy / "decisions.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")
    started = time.perf_counter()
    done = rules_error(rules_copy)
    assert b"anchors and aliases" in done.stderr
    assert b"decisions.yaml:1" in done.stderr
    assert time.perf_counter() - started < 30  # refused, not expanded to 10^10 items


def test_python_tags_construct_nothing(rules_copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    (rules_copy / "technique.yaml").write_text(
        f"name: !!python/object/apply:os.system ['touch {marker}']\nsteps: []\n", encoding="utf-8"
    )
    assert b"technique.yaml:1" in rules_error(rules_copy).stderr
    assert not marker.exists()


def test_condition_on_an_unknown_question(rules_copy: Path) -> None:
    path = rules_copy / "decisions.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{bladder_bowel: [yes, unsure]}", "{bladder: [yes, unsure]}"))
    assert b"'bladder' is not a question" in rules_error(rules_copy).stderr


# ---- The terminal -------------------------------------------------------------------------------


def test_eof_mid_interview(book: Rulebook) -> None:
    child = spawn()
    child.expect(prompt_start(book.question("age")))
    child.sendeof()  # Ctrl-D: the input ends
    child.expect("cancelled, nothing saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before


def test_sigterm_mid_interview(book: Rulebook, tmp_path: Path) -> None:
    child = spawn("--save", str(tmp_path / "a.json"))
    child.expect(
        help_start(book.question("injury")) if False else prompt_start(book.question("age"))
    )
    child.send("40\r")
    child.expect(help_start(book.question("injury")))
    child.kill(15)
    child.expect("stopped \\(SIGTERM\\), nothing saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 143
    assert list(tmp_path.iterdir()) == []


# ---- The slow tier: a long fuzzing run ----------------------------------------------------------


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(12 if depth < 3 else 8)
    return [
        lambda: None, lambda: rng.random() < 0.5, lambda: rng.randint(-10, 4000),
        lambda: rng.choice([0.5, -1.0, 40.0, 1e308, math.inf]),
        lambda: rng.choice(["yes", "no", "unsure", "Yes", "", "fall", "none", "vehicle"]),
        lambda: rng.choice(["forward", "backward", "disc_or_nerve", "sport_or_blow"]),
        lambda: rng.choice(["yes", "no", "unsure"]), lambda: rng.randint(0, 120),
        lambda: [random_value(rng, depth + 1) for _ in range(rng.randrange(3))],
        lambda: {rng.choice(KEYS): random_value(rng, depth + 1) for _ in range(rng.randrange(3))},
        lambda: rng.choice(["yes", "no"]), lambda: rng.randint(0, 3),
    ][kind]()  # fmt: skip


def fuzz_document(rng: random.Random) -> bytes:
    raw: Any = dict(BASELINE)
    for _ in range(rng.randrange(4)):
        action = rng.randrange(4)
        key = rng.choice(KEYS)
        if action == 0:
            raw.pop(rng.choice(list(QUESTIONS)), None)
        else:
            raw[key] = random_value(rng)
    if rng.random() < 0.05:
        raw = random_value(rng)
    data = json.dumps(raw, allow_nan=True).encode()
    if rng.random() < 0.05:  # damage the bytes themselves
        cut = rng.randrange(len(data) + 1)
        data = data[:cut] + bytes([rng.randrange(256)]) + data[cut:]
    return data


@pytest.mark.slow
def test_fuzzing_run_of_100000_inputs(book: Rulebook) -> None:
    rng = random.Random(20261125)
    started = time.perf_counter()
    decisions = errors = 0
    for _ in range(100_000):
        data = fuzz_document(rng)
        result = outcome_of(data, book)
        if isinstance(result, InputError):
            errors += 1
            assert result.problems
        else:
            decisions += 1
            assert_sound(result, data)
    elapsed = time.perf_counter() - started
    print(f"\nfuzzing: 100000 inputs, {decisions} decisions, {errors} input errors, "
          f"0 failures, {elapsed:.1f} s")  # fmt: skip
    assert decisions > 1000  # the run reaches the decision logic, not only the error paths
    assert errors > 1000


@pytest.mark.slow
def test_fuzzed_lines_through_the_real_batch_command() -> None:
    rng = random.Random(7)
    lines = [fuzz_document(rng).replace(b"\n", b" ") for _ in range(5_000)]
    done = run(["batch"], b"\n".join(lines) + b"\n")
    assert b"Traceback" not in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["line"] for r in results] == list(range(1, len(lines) + 1))
    assert done.returncode == (2 if any("error" in r for r in results) else 0)
