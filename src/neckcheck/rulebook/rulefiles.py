"""Reading and writing the files of a rules folder without trusting the file system.

Reading (`read_rule_file`):

- A file is opened with O_NONBLOCK (and O_NOCTTY), so opening a FIFO or a device never waits,
  then checked with fstat on the open descriptor: anything but a regular file (a FIFO, a device,
  a socket, a folder) is refused as "not a regular file" and never read.
- Size is capped: at most MAX_RULE_FILE_BYTES (1 MiB) for each YAML rule file and
  MAX_COMPILED_BYTES (8 MiB) for the compiled copy, checked before reading and again while
  reading (a file that grows meanwhile is refused too). The shipped files are a few dozen KiB.
- Symbolic links are followed: a rule file may be a link. So no message made here or by the
  callers echoes a file's content; they name the file, the line and the kind of problem only.

Writing (`write_atomic`): the new content goes to a temporary file in the same folder, which is
flushed to disk (fsync) and then renamed over the target (os.replace), so a reader sees the old
file or the new one, never half of one. A target that is a symbolic link is refused rather than
written through (its target could be any file), and every OSError (a read-only folder, a full
disk) becomes a one-line RulesError, never a traceback.

Only the standard library and neckcheck.core.errors: the screening path imports this module.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

from neckcheck.core.errors import RulesError

# The YAML files of a rules folder, in the order they are read and hashed.
FILES = (
    "rulebook.yaml",
    "questions.yaml",
    "decisions.yaml",
    "cautions.yaml",
    "outcomes.yaml",
    "technique.yaml",
)

MAX_RULE_FILE_BYTES = 1024 * 1024
MAX_COMPILED_BYTES = 8 * 1024 * 1024

_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class MissingFile(RulesError):
    """The file does not exist (a RulesError saying so)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def describe_os_error(exc: OSError) -> str:
    """An OSError in a few words, without the path (the caller names the file)."""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if code == errno.EROFS:
        return "the file system is read-only"
    if code == errno.ENOSPC:
        return "no space left on the device"
    if code == errno.ELOOP:
        return "too many levels of symbolic links"
    if code == errno.ENOENT:
        return "no such file or folder"
    if code == errno.ENOTDIR:
        return "a part of the path is not a folder"
    return exc.strerror or type(exc).__name__


def read_rule_file(path: str, limit: int = MAX_RULE_FILE_BYTES) -> bytes:
    """The bytes of one regular file of at most `limit` bytes, or a RulesError naming the file
    and what is wrong (MissingFile when it does not exist). Never blocks, never hangs."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        raise MissingFile([f"{path}: file is missing"]) from None
    except OSError as exc:
        raise RulesError([f"{path}: cannot be read: {describe_os_error(exc)}"]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RulesError(
                [f"{path}: cannot be read: not a regular file ({_kind(info.st_mode)})"]
            )
        too_big = RulesError(
            [f"{path}: cannot be read: larger than {_size(limit)}, the limit for this file"]
        )
        if info.st_size > limit:
            raise too_big
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(limit + 1 - total, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise too_big
        return b"".join(chunks)
    except OSError as exc:
        raise RulesError([f"{path}: cannot be read: {describe_os_error(exc)}"]) from None
    finally:
        os.close(fd)


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file at `path` with `data` atomically (see the module docstring), or raise a
    RulesError with one line saying why not. A symbolic link at `path` is refused."""
    folder = os.path.dirname(path) or "."
    try:
        info: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise RulesError([f"{path}: cannot be written: {describe_os_error(exc)}"]) from None
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise RulesError(
            [f"{path}: is a symbolic link; refusing to write through it (remove the link first)"]
        )
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise RulesError([f"{path}: cannot be written: not a regular file ({_kind(info.st_mode)})"])
    # The new file takes the old one's permissions, or the usual ones (0o666 less the umask).
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666
    temp = ""
    try:
        fd, temp = _create_temp(folder, os.path.basename(path), mode)
        try:
            if info is not None:
                os.fchmod(fd, mode)  # not narrowed by the umask: the same as before
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)  # renames over a link itself, never writes through one
        temp = ""
        _sync_folder(folder)
    except OSError as exc:
        reason = describe_os_error(exc)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason += f" (is the folder {folder} read-only?)"
        raise RulesError([f"{path}: cannot be written: {reason}"]) from None
    finally:
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _create_temp(folder: str, name: str, mode: int) -> tuple[int, str]:
    import secrets

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temp, flags, mode), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "cannot create a temporary file")


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (best effort: not every system can fsync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
