"""The edge of the program under hostile conditions: stream faults (stdout closed, full or
broken; stderr closed or full), locales and encodings, control characters, lone surrogates,
nesting depth, size caps, odd Python values, repeated options, silly widths, interruptions and
files written on request. Each class has a test that fails without its fix."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pexpect
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neckcheck.api import screen
from neckcheck.cli.edge import MAX_DOCUMENT_BYTES, safe_text
from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from neckcheck.formats.jsonlines import Summary, result_lines
from tests.cli import can_see_where_processes_wait, invoke, neckcheck_command, wait_until_blocked
from tests.spec import BASELINE, NO_INJURY

ANSWERS = json.dumps(BASELINE)
EMERGENCY = json.dumps(BASELINE | {"vascular_signs": "yes", "signs_recent": "yes"})
ESC = "\x1b"


def sh(script: str, stdin: str | bytes = b"", env: dict[str, str] | None = None,
       timeout: float = 60) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    """Run a shell line with `nc` standing for the installed command."""
    command = " ".join(f"'{part}'" for part in neckcheck_command())
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(["bash", "-c", f"nc() {{ {command} \"$@\"; }}; {script}"], input=data,
                          capture_output=True, timeout=timeout, env=env or dict(os.environ),
                          check=False)  # fmt: skip


def cli(args: str, stdin: str | bytes = b"", env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    """`neckcheck ARGS` in this process (no shell, no stream fault): its streams as bytes."""
    done = invoke(args.split(), stdin, env=env, cwd=cwd)
    return subprocess.CompletedProcess(args, done.returncode, done.stdout_bytes, done.stderr_bytes)


def no_traceback(done: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in done.stderr
    assert b"internal error" not in done.stderr


# ---- Stream faults ------------------------------------------------------------------------------

SCRIPTED = [
    ("screen --json", ANSWERS),
    ("screen", ANSWERS),
    ("screen --json --explain", EMERGENCY),
    ("batch", ANSWERS + "\n" + EMERGENCY + "\n"),
    ("schema", ""),
    ("export fhir", ""),
    ("-h", ""),  # help is a result too: typer's writer would drop it and exit 0
    ("rules check -h", ""),
]


@pytest.mark.parametrize(("args", "stdin"), SCRIPTED)
@pytest.mark.parametrize("fault", ["closed", "full"])
def test_stdout_closed_or_full_is_said_once_and_fails(args: str, stdin: str, fault: str) -> None:
    redirect = ">&-" if fault == "closed" else ">/dev/full"
    done = sh(f"nc {args} {redirect}; echo rc=$? >&2", stdin)
    no_traceback(done)
    messages = [line for line in done.stderr.decode().splitlines() if "standard output" in line]
    assert len(messages) == 1, done.stderr
    rc = int(re.findall(r"rc=(\d+)", done.stderr.decode())[-1])
    assert rc not in (0, 1), "a lost result is never success, and not a bug either"


@pytest.mark.parametrize(("args", "stdin"), SCRIPTED)
@pytest.mark.parametrize("fault", ["2>&-", "2>/dev/full"])
def test_results_reach_stdout_whatever_stderr_is(args: str, stdin: str, fault: str) -> None:
    done = sh(f"nc {args} {fault}", stdin)
    assert done.stdout.strip(), "the result must reach stdout"
    if args == "batch":
        assert [json.loads(x)["line"] for x in done.stdout.decode().splitlines()] == [1, 2]
    elif args.startswith("screen --json"):
        assert json.loads(done.stdout)["outcome"]
    if args.startswith("screen"):
        assert done.returncode == (5 if "explain" in args else 0)


def test_exit_codes_survive_a_closed_stderr() -> None:
    assert sh("nc screen --json 2>&-", EMERGENCY).returncode == 5
    assert sh("nc screen --json 2>&-", ANSWERS).returncode == 0


def test_a_reader_that_goes_away_ends_quietly_with_141() -> None:
    lines = (ANSWERS + "\n") * 50_000
    done = sh("nc batch | head -c 10 >/dev/null; echo rc=${PIPESTATUS[0]}", lines)
    assert b"rc=141" in done.stdout
    assert done.stderr.count(b"\n") <= 1  # at most the summary... and no traceback
    no_traceback(done)


def test_batch_from_a_terminal_into_a_file_keeps_every_result(tmp_path: Path) -> None:
    """The progress display (stderr is a terminal here) never captures the results."""
    source = tmp_path / "intake.jsonl"
    target = tmp_path / "decisions.jsonl"
    source.write_text((ANSWERS + "\n") * 3000 + EMERGENCY + "\n", encoding="utf-8")
    command = " ".join(neckcheck_command())
    child = pexpect.spawn("bash", ["-c", f"{command} batch {source} > {target}"],
                          env=dict(os.environ, TERM="xterm"), timeout=60,
                          encoding="utf-8")  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3001
    assert json.loads(lines[-1])["disposition"] == "emergency"
    assert '"outcome"' not in (child.before or "")  # nothing of the data on the terminal


def test_sigterm_during_batch_progress_restores_the_cursor(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    source.write_text((ANSWERS + "\n") * 300_000, encoding="utf-8")
    command = " ".join(neckcheck_command())
    child = pexpect.spawn("bash", ["-c", f"exec {command} batch {source} > /dev/null"],
                          env=dict(os.environ, TERM="xterm"), timeout=60,
                          encoding="utf-8")  # fmt: skip
    child.expect("screened")  # the progress line is up, the cursor hidden
    child.kill(signal.SIGTERM)
    child.expect(pexpect.EOF)
    assert "\x1b[?25h" in (child.before or "")  # the cursor is shown again
    child.close()
    assert child.exitstatus == 143


# ---- Encodings and escaping ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "env", [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"}, {"LC_ALL": "C"},
            {"PYTHONIOENCODING": "utf-16"}, {"LANG": "tr_TR.ISO-8859-9"}],
)  # fmt: skip
def test_json_is_valid_whatever_the_encoding(env: dict[str, str]) -> None:
    full = dict(os.environ, **env)
    for args in ("screen --json", "batch"):
        done = sh(f"nc {args}", ANSWERS + "\n", env=full)
        assert done.returncode == 0, done.stderr
        assert done.stdout.isascii()
        if args == "batch":
            json.loads(done.stdout.decode("ascii").splitlines()[0])
        else:
            json.loads(done.stdout.decode("ascii"))
    text = sh("nc screen", ANSWERS, env=full)
    assert text.returncode == 0
    no_traceback(text)


HOSTILE = [f"{ESC}[2J{ESC}[H", "\x9b31m", "\u202eEMERGENCY", "\x07\x08", "\ud800", "\udfff"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_echoed_keys_and_values_are_escaped(hostile: str) -> None:
    document = json.dumps(BASELINE | {f"x{hostile}": "yes", "sore_back": hostile})
    for args in ("screen --json", "screen"):
        done = cli(args, document)
        assert done.returncode == 2
        assert done.stdout == b""
        text = done.stderr.decode("utf-8")
        assert ESC not in text
        assert "\x9b" not in text
        assert "\u202e" not in text
        assert "\x07" not in text
        assert "\ud800" not in text
        no_traceback(done)
    done = cli("batch", document + "\n" + ANSWERS + "\n")
    lines = done.stdout.decode("ascii").splitlines()
    assert "error" in json.loads(lines[0])
    assert "outcome" in json.loads(lines[1])


@pytest.mark.parametrize("breaker", ["\n", "\r", "\t", "\u2028", "\u2029", "\u200b", "\u200e",
                                     "\u200f", "\u061c", "\ufeff"])  # fmt: skip
def test_a_key_cannot_forge_a_line_of_stderr(breaker: str) -> None:
    """Each problem is one line that starts with "neckcheck:": a key holding a line break (or
    a separator, a zero-width or direction mark) is escaped, never shown as a line of its own."""
    key = f"x{breaker}neckcheck: answers saved to notes.json{breaker}y"
    done = cli("screen --json", json.dumps(BASELINE | {key: "yes"}))
    assert done.returncode == 2
    lines = done.stderr.decode("utf-8").split("\n")
    assert lines[-1] == ""
    assert len(lines) == 2, lines  # the one problem, then the final newline
    assert lines[0].startswith("neckcheck: stdin: x\\")
    assert lines[0].endswith(": unknown key")
    assert breaker not in lines[0]
    assert not any(c in lines[0] for c in "\r\u2028\u2029")


def test_a_path_with_control_characters_is_escaped(tmp_path: Path) -> None:
    missing = str(tmp_path / f"a{ESC}[2Jb.json")
    done = invoke(["screen", "--answers", missing, "--json"])
    assert done.returncode == 2
    assert ESC not in done.stderr
    assert "\\x1b[2J" in done.stderr


def test_safe_text_escapes_what_a_terminal_would_obey() -> None:
    assert safe_text("ok\nnext\ttab") == "ok\nnext\ttab"
    assert safe_text(f"{ESC}[2J") == "\\x1b[2J"
    assert safe_text("\ud800") == "\\ud800"
    assert safe_text("\u202e") == "\\u202e"


@given(key=st.text(max_size=12), value=st.one_of(st.text(max_size=12), st.integers(),
                                                  st.none(), st.booleans()))  # fmt: skip
def test_any_text_in_a_key_or_value_is_an_input_error_never_a_crash(
    book: Rulebook, key: str, value: Any
) -> None:
    summary = Summary()
    document = json.dumps(BASELINE | {key: value}, ensure_ascii=True).encode()
    [line] = list(result_lines([document], book, summary))
    parsed = json.loads(line)
    assert line.isascii()
    assert "error" in parsed or "outcome" in parsed


# ---- Nesting, size, odd values ------------------------------------------------------------------


@pytest.mark.parametrize("depth", [900, 1000, 5000, 100_000])
def test_deep_nesting_is_an_input_error(depth: int) -> None:
    deep = "[" * depth + "]" * depth
    for document in (deep, '{"age": ' + deep + "}"):
        done = cli("screen --json", document)
        assert done.returncode == 2
        no_traceback(done)
    done = cli("batch", deep + "\n" + ANSWERS + "\n")
    lines = done.stdout.decode().splitlines()
    assert "error" in json.loads(lines[0])
    assert "outcome" in json.loads(lines[1])


def test_the_api_refuses_deep_nesting_in_a_value(book: Rulebook) -> None:
    value: Any = []
    for _ in range(50_000):
        value = [value]
    with pytest.raises(InputError):
        screen(BASELINE | {"age": value}, book)


@pytest.mark.parametrize("odd", [Decimal(40), {1, 2}, b"yes", 40.0, object(), float("nan")])
def test_odd_python_values_are_input_errors(book: Rulebook, odd: Any) -> None:
    with pytest.raises(InputError) as caught:
        screen(BASELINE | {"age": odd}, book)
    assert caught.value.problems[0].key == "age"


def test_non_text_keys_are_input_errors(book: Rulebook) -> None:
    with pytest.raises(InputError) as caught:
        screen({**BASELINE, 1: "yes", None: "no"}, book)  # type: ignore[dict-item]
    assert [p.message for p in caught.value.problems] == ["a key must be text"] * 2


@pytest.mark.parametrize("source", ["--answers /dev/zero", "--answers - < /dev/zero"])
def test_an_endless_input_is_cut_at_the_size_cap(source: str) -> None:
    started = time.monotonic()
    done = sh(f"nc screen --json {source}")
    assert done.returncode == 2
    assert b"larger than the" in done.stderr
    assert time.monotonic() - started < 30
    no_traceback(done)


def test_an_endless_pipe_is_cut_at_the_size_cap() -> None:
    done = sh("yes | nc screen --json")
    assert done.returncode == 2
    assert b"larger than the" in done.stderr


def test_a_batch_line_over_the_cap_is_an_error_line_and_the_stream_goes_on() -> None:
    long = '{"age": "' + "x" * (MAX_DOCUMENT_BYTES + 10) + '"}'
    done = cli("batch", long + "\n" + ANSWERS + "\n")
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [list(line)[:2] for line in lines] == [["line", "error"], ["line", "outcome"]]
    assert lines[0]["line"] == 1
    assert lines[1]["line"] == 2
    assert done.returncode == 2


# ---- The command line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    ["screen --json --answers a.json --answers b.json", "screen -a a.json --answers=b.json --json",
     "screen --json --json", "batch --rules r --rules s"],
)  # fmt: skip
def test_an_option_given_twice_is_a_usage_error(args: str) -> None:
    done = cli(args, ANSWERS)
    assert done.returncode == 2
    assert done.stdout == b""
    assert b"more than once" in done.stderr


@pytest.mark.parametrize("columns", ["0", "-1", "3", "abc", "99999999"])
def test_a_silly_width_never_hides_the_result(columns: str) -> None:
    done = cli("screen", EMERGENCY, env={"COLUMNS": columns})
    assert done.returncode == 5
    assert b"EMERGENCY" in done.stdout
    assert b"Why" in done.stdout


WAITS = pytest.mark.skipif(not can_see_where_processes_wait(), reason="no /proc/PID/wchan")


@WAITS
def test_ctrl_c_while_reading_piped_answers_exits_130() -> None:
    process = subprocess.Popen([*neckcheck_command(), "screen", "--json"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    wait_until_blocked(process.pid, "pipe")  # it is waiting for the rest of the answers
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert out == b""
    assert b"Traceback" not in err


@WAITS
def test_ctrl_c_during_batch_exits_130() -> None:
    process = subprocess.Popen([*neckcheck_command(), "batch"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write((ANSWERS + "\n").encode())
    process.stdin.flush()
    first = process.stdout.readline()  # written out before batch waits for the next line
    wait_until_blocked(process.pid, "pipe", "poll", "select")  # ... which it now does
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert json.loads(first)["line"] == 1  # what was done stays done
    assert out == b""


# ---- Files written on request -------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--save", "--report"])
def test_only_regular_files_are_written(tmp_path: Path, option: str) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (str(fifo), "/dev/null", "/dev/full"):
        for answers, code in ((ANSWERS, 0), (EMERGENCY, 5)):
            done = cli(f"screen {option} {target} --json", answers)
            # Refused, said on stderr; the result is still shown, with its own exit code.
            assert done.returncode == code, target
            assert b"not a regular file" in done.stderr
            assert option.encode() in done.stderr
            assert json.loads(done.stdout)["exit_code"] == code
    assert Path("/dev/full").is_char_device()
    assert fifo.is_fifo()


@pytest.mark.parametrize("target", ["dir/", ".", "-"])
def test_a_folder_like_name_is_refused(tmp_path: Path, target: str) -> None:
    (tmp_path / "dir").mkdir()
    done = cli(f"screen --save {target} --json", EMERGENCY, cwd=tmp_path)
    assert done.returncode == 5  # from a script the decision is never lost to a bad file name
    assert b"--save" in done.stderr
    assert json.loads(done.stdout)["disposition"] == "emergency"
    assert not (tmp_path / "-").exists()
    assert (tmp_path / "dir").is_dir()


def test_links_to_one_file_are_the_same_file(tmp_path: Path) -> None:
    first = tmp_path / "a.json"
    first.write_text("{}", encoding="utf-8")
    (tmp_path / "soft").symlink_to(first)
    os.link(first, tmp_path / "hard")
    for other in ("soft", "hard"):
        done = cli(f"screen --save {first} --report {tmp_path / other} --json", ANSWERS)
        assert done.returncode == 2
        assert b"same file" in done.stderr


@pytest.mark.parametrize("option", ["--save", "--report"])
def test_missing_folder_and_long_name_name_the_option(tmp_path: Path, option: str) -> None:
    for target, words in ((tmp_path / "nope" / "a.json", b"the folder does not exist"),
                          (tmp_path / ("x" * 300), b"longer than")):  # fmt: skip
        done = cli(f"screen {option} {target} --json", EMERGENCY)
        assert done.returncode == 5  # the emergency is not lost to a bad file name
        assert json.loads(done.stdout)["disposition"] == "emergency"
        assert words in done.stderr
        assert option.encode() in done.stderr


def test_files_are_written_even_when_the_reader_went_away(tmp_path: Path) -> None:
    target = tmp_path / "saved.json"
    done = sh(f"nc screen --save {target} | head -c 1 > /dev/null; echo rc=${{PIPESTATUS[0]}}",
              EMERGENCY)  # fmt: skip
    assert json.loads(target.read_text(encoding="utf-8"))["answers"]["vascular_signs"] == "yes"
    assert b"rc=141" in done.stdout or b"rc=5" in done.stdout


def test_a_failed_save_never_hides_a_red_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neckcheck.cli import edge

    def failing(path: str, text: str, option: str, force: bool = False) -> None:
        raise InputError([edge.Problem("", "No space left on device")],
                         f"{option} {path}")  # fmt: skip

    monkeypatch.setattr(edge, "write_private", failing)
    for answers, expected in ((EMERGENCY, 5), (ANSWERS, 0), (json.dumps(NO_INJURY), 0)):
        done = invoke(["screen", "--save", str(tmp_path / "a.json"), "--json"], answers)
        assert done.returncode == expected
        assert json.loads(done.stdout)["exit_code"] == expected
        assert "No space left on device" in done.stderr


@pytest.mark.parametrize("arg", [f"--answrs{ESC}[2J", f"--rules=/tmp/{ESC}]0;x\x07"])
def test_control_characters_on_the_command_line_are_never_echoed(arg: str) -> None:
    done = invoke(["screen", arg])
    assert done.returncode == 2
    assert ESC not in done.stderr
    assert "\\x1b" in done.stderr


def test_a_number_with_thousands_of_digits_names_its_key(book: Rulebook) -> None:
    document = json.dumps(BASELINE).replace('"age": 40', '"age": 4' + "0" * 5000)
    done = sh("nc screen --json", document)
    assert done.returncode == 2
    assert b"age: must be a whole number" in done.stderr
    assert b"int_max_str_digits" not in done.stderr


def test_a_saved_early_stop_marker_must_be_exactly_1(book: Rulebook) -> None:
    given = {"age": 40, "injury": "none", "sudden_onset": "yes"}
    for marker, code in ((1, 5), (True, 2), (1.0, 2), ("1", 2)):
        saved = {"neckcheck_saved_interview": marker, "ended_early": True, "answers": given}
        assert sh("nc screen --json", json.dumps(saved)).returncode == code, marker


def test_a_contained_resource_in_a_response_is_refused(book: Rulebook) -> None:
    from neckcheck.formats.fhir import answers_from_response, response_from_answers

    response = response_from_answers(BASELINE, book)
    response["contained"] = [
        response_from_answers(BASELINE | {"vascular_signs": "yes", "signs_recent": "yes"}, book)
    ]
    with pytest.raises(InputError) as caught:
        answers_from_response(response, book, "test")
    assert [p.key for p in caught.value.problems] == ["contained"]


# ---- Standard input left in non-blocking mode by a parent process ------------------------------


def _run_on_nonblocking_pipe(args: list[str], pieces: list[bytes]) -> subprocess.CompletedProcess:
    """Run neckcheck with stdin a pipe in non-blocking mode, writing `pieces` with pauses
    between them (the child must wait for each; an empty pipe is not the end of input)."""
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    child = subprocess.Popen([*neckcheck_command(), *args], stdin=read_end,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    os.close(read_end)
    try:
        for number, piece in enumerate(pieces):
            if number:  # the child has read what came, and waits for more (or has ended)
                wait_until_blocked(child.pid, "poll", "select", "pipe")
            os.write(write_end, piece)
    finally:
        os.close(write_end)
    out, err = child.communicate(timeout=60)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


@WAITS
@pytest.mark.parametrize("output", [False, True], ids=["stdout", "output file"])
def test_batch_on_a_nonblocking_stdin_waits_for_every_line(output: bool, tmp_path: Path) -> None:
    line = (json.dumps(NO_INJURY) + "\n").encode()
    target = tmp_path / "out.jsonl"
    args = ["batch", "-o", str(target)] if output else ["batch"]
    done = _run_on_nonblocking_pipe(args, [line, line, line])
    assert done.returncode == 0, done.stderr
    text = target.read_text(encoding="utf-8") if output else done.stdout.decode()
    assert [json.loads(r)["line"] for r in text.splitlines()] == [1, 2, 3]
    assert b"screened 3 lines" in done.stderr


@WAITS
def test_screen_on_a_nonblocking_stdin_waits_for_the_whole_document() -> None:
    document = json.dumps(NO_INJURY).encode()
    half = len(document) // 2
    done = _run_on_nonblocking_pipe(["screen", "--json"], [document[:half], document[half:]])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "general_soreness"
