"""The edge of the program: where bytes come in and go out.

One place owns what the core never sees:
- the three standard streams: results go to stdout as bytes (JSON is pure ASCII, so it is valid
  whatever the locale or PYTHONIOENCODING), messages go to stderr and are dropped, never
  redirected, when stderr is closed or full;
- the size caps: an answer set (a file, stdin, or one batch line) is read up to
  MAX_DOCUMENT_BYTES and no further, so /dev/zero, an endless pipe or a 2 GB file cannot eat
  memory;
- the input formats: a plain answer set, a FHIR QuestionnaireResponse, or an interview saved
  after an early emergency stop, turned into plain answers by neckcheck.formats.documents (pure, and
  shared with the Python API; the engine's decision knows answers only);
- escaping: anything echoed from the input or from a file (a key, a value, a path) is shown with
  control characters and lone surrogates escaped, so it cannot move the cursor, clear the screen
  or fake a headline;
- files written on request (--save, --report, batch --output): regular files only, owner-only,
  all or nothing, never a read-only file without --force, and a file that cannot be written
  never costs the result (see "Files written on request" below);
- the mapping of every failure to an exit code (contract section 5).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import sys
from typing import IO, TYPE_CHECKING, TextIO

from neckcheck.core.errors import InputError, NeckcheckError, Problem

# The input formats turned into plain answers: pure, in neckcheck.formats.documents (the Python
# API reads documents through them too); named here as well for the commands.
from neckcheck.formats.documents import (
    MAX_DOCUMENT_BYTES as MAX_DOCUMENT_BYTES,
)
from neckcheck.formats.documents import (
    SAVED_INTERVIEW as SAVED_INTERVIEW,
)
from neckcheck.formats.documents import (
    answers_from_document as answers_from_document,
)
from neckcheck.formats.documents import (
    answers_of_document as answers_of_document,
)
from neckcheck.formats.documents import (
    is_saved_interview as is_saved_interview,
)
from neckcheck.formats.documents import (
    saved_interview as saved_interview,
)

# Escaping is pure string work, shared with the formats (the Markdown report): it lives there.
from neckcheck.formats.escape import one_line as one_line
from neckcheck.formats.escape import safe_text as safe_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, NoReturn

    from neckcheck.core.model import Rulebook
    from neckcheck.formats.since import Previous


EXIT_BUG = 1
EXIT_USAGE = 2
# The rules are not shown safe: `rules evaluate` found a case under-triaged, or `rules check` /
# `rules compile` found a safety property that fails or is left unproved. Not 1: the contract
# keeps 1 for a bug in neckcheck (SPEC section 5), and a clinic's CI must tell the two apart.
EXIT_NOT_SHOWN_SAFE = 8
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away
EXIT_TERMINATED = 143  # 128 + SIGTERM


def now_iso() -> str:
    """The time now where the person is, in ISO 8601 with the offset (what --save records)."""
    import datetime

    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


# ---- Standard streams ----


class OutputLost(Exception):
    """Standard output is closed or cannot take more (a full disk): the result did not arrive."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def say(message: str) -> None:
    """One line on the current stderr (see say_to): sys.stderr when asked, which typer's
    CliRunner swaps for its own."""
    say_to(sys.stderr, message)


def say_to(stream: TextIO | None, message: str) -> None:
    """One line on `stream` (stderr), prefixed and escaped. A closed or full stderr loses the
    message, never the result: nothing falls back to stdout."""
    if stream is None:
        return
    try:
        stream.flush()  # whatever text went before, in order
        stream.buffer.write(("neckcheck: " + one_line(message) + "\n").encode("utf-8"))
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _stdout_buffer(stream: TextIO | None) -> Any:
    if stream is None:
        raise OutputLost("standard output is closed")
    try:
        stream.flush()  # whatever text went before, in order
        return stream.buffer
    except (OSError, ValueError, AttributeError) as exc:
        raise OutputLost(_reason(exc)) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return "standard output is closed"


def write_out(data: bytes, flush: bool = True) -> None:
    """Write result bytes to the current stdout (see write_bytes): sys.stdout when asked."""
    write_bytes(sys.stdout, data, flush)


def write_bytes(stream: TextIO | None, data: bytes, flush: bool = True) -> None:
    """Write result bytes to `stream` (stdout); a closed or full stdout raises OutputLost, a
    reader that went away raises BrokenPipeError (both are turned into exit codes by
    `exit_code`)."""
    out = _stdout_buffer(stream)
    try:
        out.write(data)
        if flush:
            out.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    except (OSError, ValueError) as exc:
        raise OutputLost(_reason(exc)) from None


class _GuardedStdout:
    """sys.stdout for the text that libraries write (rich): a reader that went away ends
    the program quietly (141), a closed or full stdout is a lost result, wherever the write
    happens (an uncaught one would end in exit code 1, which is kept for bugs)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except (OSError, ValueError) as exc:
            raise OutputLost(_reason(exc)) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()
        except (OSError, ValueError) as exc:
            raise OutputLost(_reason(exc)) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def json_bytes(data: object, indent: int | None = 2) -> bytes:
    """JSON as pure ASCII (non-ASCII characters escaped): valid in any locale and encoding.
    Compact (no spaces) without an indent."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(data, ensure_ascii=True, indent=indent, separators=separators)
    return (text + "\n").encode("ascii")


def make_text_streams_safe() -> None:
    """Text written by libraries (rich) must not fail on a character the locale cannot
    encode (such characters are escaped instead), and stdout is guarded (see _GuardedStdout).
    A closed stream is left as None: messages are then dropped, results are refused."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
    if sys.stdout is not None and not isinstance(sys.stdout, _GuardedStdout):
        sys.stdout = _GuardedStdout(sys.stdout)


def stdin_is_terminal() -> bool:
    return is_terminal(sys.stdin)


def stderr_is_terminal() -> bool:
    return is_terminal(sys.stderr)


def is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # closed
        return False


@contextlib.contextmanager
def sigint_cancels(cancel: Callable[[], None]) -> Iterator[Callable[[], bool]]:
    """While the block runs, SIGINT (Ctrl-C, or `kill -INT`) raises nothing: it calls `cancel`
    at once, from a watcher thread, and the block asks the function it is given whether it
    came. For work that waits inside a C library (the z3 solver): Python runs a signal handler
    only when that call returns, and a KeyboardInterrupt raised at some other point (a
    finalizer) can be lost or print a traceback. Outside the main thread it does nothing."""
    import signal
    import socket
    import threading

    came = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield came.is_set
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)

    def note(signum: int, frame: object) -> None:
        came.set()

    def watch() -> None:  # the interpreter writes each signal's number to `writer` at once
        while data := reader.recv(64):
            if signal.SIGINT in data:
                came.set()
                cancel()

    previous = signal.signal(signal.SIGINT, note)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="neckcheck-sigint", daemon=True)
    watcher.start()
    try:
        yield came.is_set
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous)
        writer.close()  # the watcher reads the end and stops
        watcher.join()
        reader.close()


# ---- Reading input, bounded ----


class WaitingReader(io.RawIOBase):
    """A file descriptor read so that "no data yet" waits and never reads as the end of input.

    A parent process may leave standard input in non-blocking mode; then Python's buffered
    reads take an empty pipe for the end, and a batch would stop early with exit 0, every line
    still to come lost. Reads the descriptor itself, so it is made before anything is read from
    it; closing it leaves the descriptor open, to whoever opened it. `before_read` runs before
    each read that may wait (batch writes out its results so far there, for a program that
    feeds records one by one)."""

    def __init__(self, fd: int, before_read: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._fd = fd
        self._before_read = before_read

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def readinto(self, buffer: Any) -> int:
        if self._before_read is not None:
            self._before_read()
        while True:
            try:
                data = os.read(self._fd, len(buffer))
            except BlockingIOError:  # non-blocking and nothing there yet: wait for it
                import select

                select.select([self._fd], [], [])
                continue
            buffer[: len(data)] = data
            return len(data)


def waiting_reader(stream: IO[bytes], before_read: Callable[[], None] | None = None) -> IO[bytes]:
    """`stream` (not read from yet) as a buffered reader that waits for data (see
    WaitingReader); a regular file, which never makes a reader wait, is returned as it is."""
    try:
        fd = stream.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's in-memory stream)
        return stream
    if regular:
        return stream
    return io.BufferedReader(WaitingReader(fd, before_read))


def read_bounded(stream: IO[bytes], source: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """Everything up to `limit` bytes; more is an input error (and is never read)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError([Problem("", f"larger than the {_size(limit)} limit")], source)
    return data


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def read_document(
    path: str | None, must_be_given: bool, stdin: TextIO | None = None
) -> tuple[bytes, str]:
    """The raw bytes of one answer set and a name for messages: from a file, '-' or piped stdin
    (`stdin`, else the current sys.stdin). `must_be_given`: nothing piped in is then an error
    that says how to give answers."""
    if path is None or path == "-":
        stdin = stdin if stdin is not None else sys.stdin
        if stdin is None:
            raise InputError([Problem("", "standard input is closed")], "stdin")
        data = read_bounded(waiting_reader(stdin.buffer), "stdin")
        if must_be_given and path is None and not data.strip():
            raise InputError(
                [Problem("", "no answers: nothing was piped in and there is no terminal to "
                             "ask in; give --answers FILE or pipe JSON in")],
                "stdin",
            )  # fmt: skip
        return data, "stdin"
    try:
        with open(path, "rb") as file:
            if stat.S_ISDIR(os.fstat(file.fileno()).st_mode):
                raise IsADirectoryError(21, "it is a folder")
            return read_bounded(file, safe_text(path)), safe_text(path)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            [Problem("", f"cannot read the answers file: {reason}")], safe_text(path)
        ) from None


def read_since(path: str, book: Rulebook) -> Previous:
    """The earlier screening of `screen --since FILE`: the file --save wrote, read with the same
    caps as an answers file. Anything that keeps it from being compared (missing, unreadable,
    a device, not JSON, not a saved answer set, another answer contract) is a SinceError: a
    usage error, exit 2, one line."""
    from neckcheck.core.answers import parse_json
    from neckcheck.core.errors import SinceError
    from neckcheck.formats.since import previous_screening

    shown = safe_text(path)
    if path == "-":
        raise SinceError(path, "give the file --save wrote; standard input holds today's answers")
    try:
        refuse_device(path)
        data, source = read_document(path, must_be_given=True)
        raw = parse_json(data, source)
    except InputError as exc:
        raise SinceError(shown, "; ".join(str(p) for p in exc.problems)) from None
    import datetime

    return previous_screening(raw, book, shown, datetime.datetime.now(datetime.UTC))


def refuse_device(path: str) -> None:
    """Refuse a character or block device (/dev/zero, /dev/urandom, a disk) before it is opened
    or read: an endless stream with no line break would keep `batch` reading forever, since the
    line-size limit only skips to the next line break. Regular files and FIFOs (a named pipe,
    `<(...)`, /dev/stdin when it is a pipe or a file) are read as they are."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # absent or unusable: opening it says why
        return
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise InputError(
            [Problem("", "cannot read: it is a device, not a file (give a file or pipe the data "
                         "in)")],
            safe_text(path),
        )  # fmt: skip


def bounded_lines(stream: IO[bytes], limit: int = MAX_DOCUMENT_BYTES) -> Iterator[bytes | None]:
    """The lines of a stream, each at most `limit` bytes; a longer line yields None (the caller
    reports it) and its rest is skipped without being kept in memory."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the over-long line
                rest = stream.readline(64 * 1024)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


# ---- Files written on request ----
#
# The rule (README "Exit codes", `screen -h`, `batch -h`): what can be found wrong with a target
# before anything is read or asked is refused as a usage error (exit 2, nothing on stdout). Once
# a screening is done, a file that cannot be written never costs its result: the result goes to
# stdout, one line on stderr names the file and what was not written, the file is left absent or
# as it was (never half-written), and the exit code is the one the run has without the file.


def _where(path: str, option: str) -> str:
    return f"{option} {safe_text(path)}"


def refuse_read_only(path: str, option: str, force: bool) -> None:
    """Refuse to replace an existing file that the shell's `>` would not write (read-only, or
    not writable by this user), unless `force`. The mode bits are read, not only access(2):
    root may write a 0444 file, and the shell's `>` of a user would still refuse it."""
    if force:
        return
    try:
        info = os.stat(path)
    except OSError:  # absent (or unusable: check_target says why)
        return
    if not stat.S_ISREG(info.st_mode):
        return
    if info.st_mode & 0o222 and os.access(path, os.W_OK):
        return
    mode = f"mode {stat.S_IMODE(info.st_mode):04o}"
    raise InputError(
        [Problem("", f"the file exists and is read-only ({mode}); give --force to replace it")],
        _where(path, option),
    )


def check_target(path: str, option: str, force: bool = False) -> None:
    """Refuse a target that cannot take the file: a folder that does not exist, a name too long,
    anything that exists and is not a regular file (a FIFO, a device, a folder), or a read-only
    file without `force`. Health data never replaces a device."""
    where = _where(path, option)
    folder = os.path.dirname(path) or "."
    name = os.path.basename(path)
    if not name or path.endswith(os.sep) or name in (".", "..", "-"):
        raise InputError([Problem("", "give a file name, not a folder (or '-')")], where)
    try:
        max_name = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        max_name = 255
    if len(name.encode("utf-8", "surrogateescape")) > max_name:
        raise InputError([Problem("", f"the file name is longer than {max_name} bytes")], where)
    if not os.path.isdir(folder):
        raise InputError([Problem("", "the folder does not exist")], where)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError([Problem("", f"cannot use it: {exc.strerror or exc}")], where) from None
    if os.path.islink(path):  # the link or what it points to? Neither is guessed.
        raise InputError([Problem("", "it is a symbolic link; give the file itself")], where)
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError([Problem("", "it is a directory; give a file name")], where)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise InputError([Problem("", "it exists and is not a regular file")], where)
    if not os.access(folder, os.W_OK):
        raise InputError([Problem("", "no permission to write in that folder")], where)
    refuse_read_only(path, option, force)


def same_file(first: str, second: str) -> bool:
    """Whether two paths name one file: the same path, or links to one file."""
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def is_stdin_file(path: str) -> bool:
    """Whether `path` names the file that standard input reads from (`< answers.json`)."""
    stdin = sys.stdin
    try:
        given, target = os.fstat(stdin.fileno() if stdin is not None else 0), os.stat(path)
    except (OSError, ValueError, AttributeError):  # not a file (a test's in-memory stream)
        return False
    return stat.S_ISREG(given.st_mode) and (given.st_dev, given.st_ino) == (
        target.st_dev,
        target.st_ino,
    )


def refuse_overwriting_input(target: str, option: str, source: str | None) -> None:
    """A result file must never replace the input it is made from: `source` is the input file
    (None or '-': standard input, which may itself be a file)."""
    reads = is_stdin_file(target) if source in (None, "-") else same_file(target, source)
    if reads:
        raise InputError(
            [Problem("", "that is the input file; give the result its own file")],
            f"{option} {safe_text(target)}",
        )


def _not_written(exc: OSError, where: str) -> InputError:
    return InputError([Problem("", f"{exc.strerror or type(exc).__name__}")], where)


def _write_all(fd: int, data: bytes | memoryview) -> int:
    """Write every byte (os.write may take fewer); return how many were written, and on a
    failure raise the OSError with `written` set to the bytes that did go out."""
    view = memoryview(data)
    done = 0
    while done < len(view):
        try:
            done += os.write(fd, view[done:])
        except OSError as exc:
            exc.written = done  # type: ignore[attr-defined]
            raise
    return done


def write_private(path: str, text: str, option: str, force: bool = False) -> None:
    """Write health data readable by its owner only (0600), all or nothing: a temporary file in
    the same folder, flushed to disk, then renamed over `path` (a rename replaces a symbolic link
    itself, never its target). Any failure (a target that cannot take the file, a full disk, a
    quota, an I/O error) is an InputError naming the option and the file, and leaves `path` as
    it was and no temporary file behind, also when an exception or any signal that ends the
    program comes before the rename (neckcheck.cli.unfinished)."""
    import neckcheck.cli.unfinished as unfinished

    check_target(path, option, force)
    where = _where(path, option)
    folder = os.path.dirname(path) or "."
    try:
        fd, tmp = unfinished.create(folder)  # 0600
    except OSError as exc:
        raise _not_written(exc, where) from None
    done = False
    try:
        try:
            _write_all(fd, text.encode("utf-8"))
            os.fsync(fd)
            os.close(fd)
            fd = -1
            os.replace(tmp, path)
        except OSError as exc:
            raise _not_written(exc, where) from None
        done = True
    finally:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        unfinished.forget(tmp)


class ResultFile:
    """`batch --output`: the results written to a private temporary file beside `path` (0600),
    renamed over `path` by `finish` only when every line is done, all or nothing.

    If the file cannot be written (a full disk, a quota, an I/O error, the size limit of
    `ulimit -f`), no result is lost: one line on stderr names the file and says that the results
    go to standard output instead; the results so far are read back from the temporary file and
    written there, and every later one follows them. `path` is then left as it was, and
    `written` stays False (batch then exits 7). Use it as a context manager: the temporary
    file is removed however the block ends (an error, Ctrl-C), and whatever signal ends the
    program before it is in place (neckcheck.cli.unfinished).
    """

    def __init__(self, path: str, option: str, force: bool = False) -> None:
        import neckcheck.cli.unfinished as unfinished

        self.path = path
        self.where = _where(path, option)
        self._fd, self._tmp = -1, ""
        self._written = 0  # bytes in the temporary file
        self.written = False  # True once `path` holds every result
        self.to_stdout = False  # True once the results go to standard output instead
        # A target that cannot take the file (a missing folder, a device, a folder, no
        # permission) costs no result either, as for `screen --save` from a script: said in
        # one line, and every result goes to stdout. (A read-only file without --force is
        # refused earlier, before any line is read: batch.run_batch.)
        try:
            check_target(path, option, force)
        except InputError as exc:
            self._say_not_written(exc.problems[0].message)
            self.to_stdout = True
            return
        try:
            self._fd, self._tmp = unfinished.create(os.path.dirname(path) or ".")
        except OSError as exc:
            self._say_not_written(f"cannot create a file there: {exc.strerror or exc}")
            self.to_stdout = True

    def _say_not_written(self, reason: str) -> None:
        say(f"{self.where}: the results were not written to this file ({reason}); they go to "
            "standard output instead, and the file is left as it was")  # fmt: skip

    def __enter__(self) -> ResultFile:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        try:
            if kind is None:
                self.finish()
        finally:  # also when finishing fails: the unfinished file goes all the same
            self._close()
            if self._tmp and not self.written:
                with contextlib.suppress(OSError):
                    os.unlink(self._tmp)
            self._forget()

    def _forget(self) -> None:
        import neckcheck.cli.unfinished as unfinished

        if self._tmp:
            unfinished.forget(self._tmp)

    def _close(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1

    def write(self, data: bytes, flush: bool = True) -> None:
        if self.to_stdout:
            write_out(data, flush)
            return
        try:
            self._written += _write_all(self._fd, data)
        except OSError as exc:
            sent: int = getattr(exc, "written", 0)
            self._written += sent
            self._fall_back(exc)
            write_out(data[sent:], flush)

    def finish(self) -> None:
        """Every line is done: put the file in place (or, if that fails, the results on stdout).
        Leaving the block without an error calls it."""
        if self.to_stdout:
            return
        try:
            os.fsync(self._fd)
            # Still open: if the rename fails because the file or its folder was removed
            # meanwhile, the results are read back from the descriptor, which outlives the name.
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self._fall_back(exc)
            return
        self.written = True
        self._forget()
        self._close()  # flushed to disk already: nothing is lost if closing says otherwise

    def _fall_back(self, exc: OSError) -> None:
        """Say that the file is not written, and copy what the temporary file holds to stdout."""
        self._say_not_written(exc.strerror or type(exc).__name__)
        self.to_stdout = True
        offset = 0
        while offset < self._written:
            try:
                chunk = os.pread(self._fd, min(1024 * 1024, self._written - offset), offset)
            except OSError as lost:
                raise self._unreadable(lost) from None
            if not chunk:
                raise self._unreadable(OSError(0, "the temporary file is shorter than written"))
            write_out(chunk, False)
            offset += len(chunk)
        self._close()
        with contextlib.suppress(OSError):
            os.unlink(self._tmp)
        self._forget()

    def _unreadable(self, exc: OSError) -> InputError:
        reason = exc.strerror or type(exc).__name__
        return InputError(
            [Problem("", f"the results written so far could not be read back either: {reason}")],
            self.where,
        )


# ---- Running a command: every failure becomes an exit code ----


def _quiet_broken_pipe() -> NoReturn:
    """The reader went away (e.g. `| head -1`): nothing more can be said, and no traceback. Point
    stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
    except OSError:
        pass
    sys.exit(EXIT_BROKEN_PIPE)


def exit_code(command: Callable[[], int]) -> int:
    """Run a command and return its exit code. This is the one place where failures become exit
    codes and messages on stderr, never tracebacks for bad input (contract section 5). A reader
    that went away ends the program here (SystemExit 141)."""
    try:
        return command()
    except NeckcheckError as exc:
        for line in exc.lines():
            say(line)
        return exc.exit_code
    except BrokenPipeError:
        _quiet_broken_pipe()
    except OutputLost as exc:
        say(f"the result could not be written to standard output: {exc.reason}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except RecursionError:
        say("the input is nested too deeply")
        return EXIT_USAGE
    except OSError as exc:  # the environment, not the input: a full disk, a closed stream
        say(f"{exc.strerror or type(exc).__name__}")
        return EXIT_USAGE
    except Exception as exc:  # a bug: say so in one line (a traceback on request)
        if os.environ.get("NECKCHECK_DEBUG"):
            raise
        say(f"internal error ({type(exc).__name__}); please report it. "
            "NECKCHECK_DEBUG=1 shows the details")  # fmt: skip
        return EXIT_BUG


def run(command: Callable[[], int]) -> NoReturn:
    """Run a command in this process's own streams and exit with its code (see exit_code)."""
    make_text_streams_safe()
    try:
        code = exit_code(command)
        _flush_stdout()
    except SystemExit as exc:  # a library or a signal handler may end the command this way
        code = exc.code if isinstance(exc.code, int) else EXIT_USAGE if exc.code else 0
        try:
            _flush_stdout()
        except OutputLost as lost:
            say(f"the result could not be written to standard output: {lost.reason}")
            code = EXIT_USAGE
    except OutputLost as exc:
        say(f"the result could not be written to standard output: {exc.reason}")
        code = EXIT_USAGE
    sys.exit(code)


def _flush_stdout() -> None:
    """Flush what libraries wrote as text; a failure is a lost result."""
    for stream in (sys.stdout, sys.__stdout__):
        if stream is None:
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()
        except (OSError, ValueError) as exc:
            raise OutputLost(_reason(exc)) from None
