"""Files written on request (--save, --report, batch --output) that cannot be written, and
targets that must not be replaced; and rule texts that must not hold control or bidirectional
formatting characters.

The rule for files (docs/scripting.md "Files written on request", docs/batch.md, `screen -h`,
`batch -h`): once a screening is done, a file that cannot be written never costs its result. The
decision (batch: every result line) is on stdout, one line on stderr names the file and what was not
written, the file is left as it was, and the exit code is the one the run has without the file.
What can be found wrong before anything is read (a read-only file without --force) is a usage
error: exit 2, nothing on stdout.

Faults are made two ways: in-process, by making the writes to the file fail (os.write, fsync,
rename), and for real in a child process, with RLIMIT_FSIZE (`ulimit -f`): a write past the
limit fails with EFBIG, as on a full disk."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import resource
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from neckcheck.core.errors import InputError, RulesError
from neckcheck.core.model import Rulebook
from tests.cli import Done, invoke, neckcheck_command
from tests.spec import BASELINE

# One answer set per exit code (SPEC.md section 2).
BY_CODE = {
    0: BASELINE,
    3: BASELINE | {"sore_front": "yes"},
    4: BASELINE | {"night_pain": "yes"},
    5: BASELINE | {"vascular_signs": "yes", "signs_recent": "yes"},
    6: BASELINE | {"cancer_history": "yes"},
}
MODES = {"text": [], "json": ["--json"], "fhir": ["--fhir"]}
LOST = {"--save": "the answers were not saved", "--report": "the report was not written"}


def _stdout_holds(mode: str, out: str, code: int) -> None:
    """The decision is on stdout, in the mode asked for."""
    if mode == "json":
        assert json.loads(out)["exit_code"] == code
    elif mode == "fhir":
        assert json.loads(out)["resourceType"] == "RiskAssessment"
    else:
        assert out.strip()
        assert not out.lstrip().startswith("{")


def _one_line_naming(err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in err


def _run_in_process(args: list[str], stdin: bytes) -> Done:
    """`neckcheck ARGS` in this process (so that a patched os.write is the one used)."""
    return invoke(args, stdin)


def _failing_file_writes(monkeypatch: pytest.MonkeyPatch, error: int, after: int = 0) -> None:
    """Writes to any descriptor but the standard streams fail with `error` once `after` bytes
    went through (a disk that fills up part way)."""
    real = os.write
    sent = {"bytes": 0}

    def write(fd: int, data: Any) -> int:
        if fd <= 2:
            return real(fd, data)
        room = after - sent["bytes"]
        if room <= 0:
            raise OSError(error, os.strerror(error))
        done = real(fd, bytes(data)[:room])
        sent["bytes"] += done
        return done

    monkeypatch.setattr(os, "write", write)


# ---- screen: a file that cannot be written never hides the decision ----------------------------


@pytest.mark.parametrize("code", sorted(BY_CODE))
@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("option", ["--save", "--report"])
def test_a_full_disk_never_hides_the_decision_nor_its_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, mode: str, code: int
) -> None:
    target = tmp_path / "out.file"
    target.write_text("earlier\n", encoding="utf-8")
    target.chmod(0o600)
    _failing_file_writes(monkeypatch, errno.ENOSPC, after=10)
    args = ["screen", *MODES[mode], option, str(target)]
    done = _run_in_process(args, json.dumps(BY_CODE[code]).encode())
    assert done.returncode == code
    _stdout_holds(mode, done.stdout, code)
    _one_line_naming(done.stderr, option, str(target), LOST[option], "No space left on device")
    assert target.read_text(encoding="utf-8") == "earlier\n"  # as it was, never half-written
    assert [p.name for p in tmp_path.iterdir()] == ["out.file"]  # no temporary file left


@pytest.mark.parametrize("fails", ["fsync", "replace"])
def test_a_failure_when_the_file_is_put_in_place_is_said_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    def broken(*args: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, fails, broken)
    target = tmp_path / "report.md"
    args = ["screen", "--json", "--report", str(target)]
    done = _run_in_process(args, json.dumps(BY_CODE[6]).encode())
    assert done.returncode == 6
    _stdout_holds("json", done.stdout, 6)
    _one_line_naming(done.stderr, "--report", str(target), "Input/output error")
    assert list(tmp_path.iterdir()) == []


def _file_size_limit(limit: int) -> Callable[[], None]:
    def limited() -> None:  # in the child: a write past `limit` bytes fails with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def _run_limited(args: list[str], stdin: bytes, cwd: Path, limit: int) -> Any:
    return subprocess.run([*neckcheck_command(), *args], input=stdin, capture_output=True,
                          cwd=cwd, timeout=120, preexec_fn=_file_size_limit(limit),
                          check=False)  # fmt: skip


@pytest.mark.parametrize(
    ("mode", "option", "code"),
    [
        ("json", "--save", 5),
        ("json", "--report", 5),
        ("fhir", "--report", 6),
        ("fhir", "--save", 6),
        ("text", "--report", 4),
        ("text", "--save", 0),
        ("json", "--report", 3),
    ],
)
def test_a_file_too_large_for_the_limit_never_hides_the_decision(
    tmp_path: Path, mode: str, option: str, code: int
) -> None:
    """A real fault: `ulimit -f` (RLIMIT_FSIZE) makes the write fail with EFBIG."""
    args = ["screen", *MODES[mode], option, "out.file"]
    done = _run_limited(args, json.dumps(BY_CODE[code]).encode(), tmp_path, limit=64)
    assert done.returncode == code, done.stderr
    _stdout_holds(mode, done.stdout.decode(), code)
    _one_line_naming(done.stderr.decode(), option, "out.file", LOST[option], "File too large")
    assert list(tmp_path.iterdir()) == []


# ---- batch --output: the results go to stdout instead -----------------------------------------


def _intake(count: int, invalid: bool = False) -> bytes:
    lines = [json.dumps(BY_CODE[(0, 3, 4, 5, 6)[i % 5]]) for i in range(count)]
    if invalid:
        lines[7] = '{"age": "forty"}'
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def intake_and_results() -> tuple[bytes, bytes]:
    """More than two output blocks of 512 lines, with every outcome, and what plain `batch`
    writes for it."""
    data = _intake(1200)
    done = subprocess.run([*neckcheck_command(), "batch", "--quiet"], input=data,
                          capture_output=True, timeout=120, check=True)  # fmt: skip
    return data, done.stdout


@pytest.mark.parametrize("limit", [0, 2500, 1_500_000])
def test_batch_output_too_large_for_the_limit_goes_to_stdout_instead(
    tmp_path: Path, intake_and_results: tuple[bytes, bytes], limit: int
) -> None:
    """A real fault at the first byte, inside the first block, and part way through a later
    block (a write that went out in part): every result reaches stdout, once, in order."""
    data, expected = intake_and_results
    (tmp_path / "out.jsonl").write_text("earlier\n", encoding="utf-8")
    done = _run_limited(["batch", "--output", "out.jsonl", "--quiet"], data, tmp_path, limit)
    assert done.returncode == 7  # every line screened; the file asked for was not written
    assert done.stdout == expected
    _one_line_naming(done.stderr.decode(), "--output", "out.jsonl", "File too large",
                     "standard output")  # fmt: skip
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == "earlier\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("missing/out.jsonl", "the folder does not exist"),
        ("/dev/full", "not a regular file"),
        ("a-folder", "it is a directory"),
        ("-", "give a file name"),
    ],
)
def test_batch_output_to_a_target_that_cannot_take_it_goes_to_stdout(
    tmp_path: Path, target: str, words: str
) -> None:
    """As for `screen --save` from a script: a target that cannot take the file costs no
    result. Every result goes to stdout, one line says why, and the exit code says that the
    file was not written (7), or that a line was invalid (2, which wins)."""
    (tmp_path / "a-folder").mkdir()
    for invalid, code in ((False, 7), (True, 2)):
        data = _intake(12, invalid=invalid)
        plain = subprocess.run([*neckcheck_command(), "batch", "--quiet"], input=data,
                               capture_output=True, timeout=60, check=False)  # fmt: skip
        done = subprocess.run([*neckcheck_command(), "batch", "--output", target, "--quiet"],
                              input=data, capture_output=True, cwd=tmp_path, timeout=60,
                              check=False)  # fmt: skip
        assert done.returncode == code
        assert plain.returncode == (2 if invalid else 0)
        assert done.stdout == plain.stdout
        _one_line_naming(done.stderr.decode(), "--output", target, words, "standard output")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder"]
    assert list((tmp_path / "a-folder").iterdir()) == []


def test_batch_output_that_fails_keeps_the_exit_code_of_an_invalid_line(tmp_path: Path) -> None:
    data = _intake(20, invalid=True)
    done = _run_limited(["batch", "--output", "out.jsonl"], data, tmp_path, limit=100)
    assert done.returncode == 2  # a line was invalid, as without the file
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["line"] for r in records] == list(range(1, 21))
    assert "error" in records[7]
    err = done.stderr.decode()
    assert "--output out.jsonl" in err
    assert "screened 20 lines" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fails", "after"), [("write", 0), ("write", 5000), ("fsync", 0),
                                              ("replace", 0)])  # fmt: skip
def test_batch_output_that_fails_anywhere_loses_no_result(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    intake_and_results: tuple[bytes, bytes],
    fails: str,
    after: int,
) -> None:
    data, expected = intake_and_results
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(data)
    if fails == "write":
        _failing_file_writes(monkeypatch, errno.EDQUOT, after)
    else:

        def broken(*args: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, fails, broken)
    done = invoke(["batch", str(source), "--output", str(target), "--quiet"])
    assert done.returncode == 7  # every line screened; the file asked for was not written
    assert done.stdout.encode() == expected
    _one_line_naming(done.stderr, "--output", str(target), "standard output")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_batch_output_whose_results_cannot_be_read_back_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An I/O error that also loses what was written: said, exit 2, no temporary file left."""
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(_intake(1200))
    _failing_file_writes(monkeypatch, errno.EIO, after=5000)

    def unreadable(*args: object) -> bytes:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "pread", unreadable)
    done = invoke(["batch", str(source), "--output", str(target), "--quiet"])
    assert done.returncode == 2
    assert "could not be read back" in done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# ---- A read-only file is not replaced without --force -----------------------------------------


def _read_only(path: Path) -> None:
    path.write_text("keep me\n", encoding="utf-8")
    path.chmod(0o444)


@pytest.mark.parametrize("option", ["--save", "--report", "--output"])
def test_a_read_only_file_is_refused_before_anything_is_read(tmp_path: Path, option: str) -> None:
    """The shell's `>` refuses a 0444 file (for anyone but root); so does neckcheck, even run as
    root, and before screening: exit 2 and nothing on stdout, like any usage error."""
    target = tmp_path / "kept"
    _read_only(target)
    command = "batch" if option == "--output" else "screen"
    for extra in ([], ["--json"]):
        done = invoke([command, *extra, option, str(target)], json.dumps(BY_CODE[5]))
        assert done.returncode == 2
        assert done.stdout == ""
        _one_line_naming(done.stderr, option, str(target), "read-only", "0444",
                         "--force")  # fmt: skip
        assert target.read_text(encoding="utf-8") == "keep me\n"
        assert target.stat().st_mode & 0o777 == 0o444
        if command == "batch":
            break


@pytest.mark.parametrize("option", ["--save", "--report", "--output"])
def test_force_replaces_a_read_only_file(tmp_path: Path, option: str) -> None:
    target = tmp_path / "kept"
    _read_only(target)
    command = ["batch"] if option == "--output" else ["screen", "--json"]
    done = invoke([*command, option, str(target), "--force"], json.dumps(BY_CODE[5]))
    assert done.returncode == (0 if option == "--output" else 5)
    assert target.read_text(encoding="utf-8") != "keep me\n"
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_file_made_read_only_during_the_screening_is_not_replaced(tmp_path: Path) -> None:
    """Checked again when the file is written: the write is refused and said, the decision
    stands."""
    from neckcheck.cli import edge

    target = tmp_path / "kept"
    _read_only(target)
    with pytest.raises(InputError, match="read-only"):
        edge.write_private(str(target), "new", "--save")
    edge.write_private(str(target), "new", "--save", force=True)
    assert target.read_text(encoding="utf-8") == "new"


# ---- Rule texts hold no control or bidirectional formatting characters ------------------------


def _tamper(folder: Path, name: str, change: Callable[[Any], None]) -> None:
    """Rewrite one rule file with a change, as JSON (which YAML reads), escapes and all."""
    from neckcheck.authoring.yamlsafe import load_yaml

    data = load_yaml(folder / name)
    change(data)
    (folder / name).write_text(json.dumps(data, indent=1), encoding="ascii")


def _first_choice(data: Any) -> dict[str, Any]:
    first: dict[str, Any] = next(c for q in data["questions"] for c in q.get("choices", ()))
    return first


def _append(entry: dict[str, Any], field: str, text: str) -> None:
    entry[field] = entry[field] + text


TAMPERED = [
    ("decisions.yaml", lambda d: _append(d["red_flags"][0], "reason", "\u202e"), "U+202E",
     "rule '"),
    ("decisions.yaml", lambda d: _append(d["patterns"][0], "source", "\x1b[2J"), "U+001B",
     "source"),
    ("questions.yaml", lambda d: _append(d["questions"][1], "prompt", "\u2066"), "U+2066",
     "question '"),
    ("questions.yaml", lambda d: _append(d["questions"][2], "help", "\u200f"), "U+200F", "help"),
    ("questions.yaml", lambda d: _append(_first_choice(d), "label", "\x9b"), "U+009B",
     "choices["),
    ("questions.yaml", lambda d: _append(d["groups"][0], "title", "\x85"), "U+0085", "group '"),
    ("cautions.yaml", lambda d: _append(d["cautions"][0], "text", "\u200e"), "U+200E",
     "caution '"),
    ("outcomes.yaml", lambda d: _append(d["outcomes"][0], "headline", "\x07"), "U+0007",
     "headline"),
    ("technique.yaml", lambda d: d["steps"].__setitem__(1, d["steps"][1] + "\u202a"), "U+202A",
     "steps[1]"),
    ("rulebook.yaml", lambda d: _append(d, "disclaimer", "\x7f"), "U+007F", "disclaimer"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "change", "code_point", "place"), TAMPERED)
def test_rule_texts_with_control_or_bidi_characters_are_refused(
    rules_copy: Path, name: str, change: Callable[[Any], None], code_point: str, place: str
) -> None:
    from neckcheck.authoring.validation import load_validated

    _tamper(rules_copy, name, change)
    with pytest.raises(RulesError) as caught:
        load_validated(rules_copy)
    [message] = caught.value.messages
    assert message.startswith(str(rules_copy / name) + ": ")
    assert code_point in message
    assert place in message
    assert "\x1b" not in message
    assert "\u202e" not in message


def test_rules_check_names_every_such_character(rules_copy: Path) -> None:
    for name, change, _, _ in TAMPERED:
        _tamper(rules_copy, name, change)
    done = invoke(["rules", "check", str(rules_copy)])
    assert done.returncode == 2
    assert done.stdout == ""
    err = done.stderr_bytes.decode("ascii")  # nothing of the texts is echoed
    for _, _, code_point, _ in TAMPERED:
        assert code_point in err
    assert "Traceback" not in err


def test_newlines_and_tabs_stay_allowed_in_rule_texts(rules_copy: Path) -> None:
    from neckcheck.authoring.validation import load_validated

    _tamper(rules_copy, "decisions.yaml",
            lambda d: _append(d["red_flags"][0], "reason", "\n\tsecond line"))  # fmt: skip
    assert load_validated(rules_copy).red_flags[0].reason.endswith("\n\tsecond line")


def test_a_compiled_copy_with_such_a_character_fails_the_shared_checks(book: Rulebook) -> None:
    """The compiled copy of a folder is held to the same checks (rulecheck.check_references)."""
    from neckcheck.rulebook.rulecheck import check_references

    rule = book.red_flags[0]
    edited = dataclasses.replace(rule, reason=rule.reason + "\u2067")
    tampered = dataclasses.replace(book, red_flags=(edited, *book.red_flags[1:]))
    problems = list(check_references(tampered, lambda name: name))
    assert len(problems) == 1
    assert problems[0].startswith(f"decisions.yaml: rule '{rule.id}': reason: holds U+2067")
    assert list(check_references(book, lambda name: name)) == []
