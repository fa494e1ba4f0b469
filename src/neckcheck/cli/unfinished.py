"""Files being written on request, removed whatever signal ends the program meanwhile.

A file the user asked for (--save, --report, batch --output) is written to a private temporary
file beside it and renamed over it when complete. Until then the temporary file holds health
data under a hidden name, so it must not outlive the program: a `finally` removes it when the
program ends by an exception, but a signal whose default action ends the process (SIGTERM,
SIGHUP, SIGUSR1, SIGALRM...) ends it at once, `finally` or not.

So while any such file exists, every signal that would end the program is caught: the handler
removes every unfinished file first, then ends the program as it would have ended (the handler
that was there before is called: Ctrl-C still raises KeyboardInterrupt, a command's own handler
still runs), or, where nothing was there but the default, with exit code 128 + the signal's
number (143 for SIGTERM, as the contract says). A signal the parent set to be ignored (`nohup`)
stays ignored. The file is created with these signals held, so that none can come between its
creation and its being tracked. SIGKILL cannot be caught: nothing can clean up after it.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import signal
    from collections.abc import Callable
    from types import FrameType

    Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None

# Every signal whose default action ends the process and that Python code can catch (SIGKILL
# and SIGSTOP cannot be; faults such as SIGSEGV must not be). Names missing on a platform are
# skipped.
_ENDING = (
    "SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGVTALRM",
    "SIGPROF", "SIGPIPE", "SIGXCPU", "SIGXFSZ", "SIGIO", "SIGPWR", "SIGSTKFLT",
)  # fmt: skip

_tracked: set[str] = set()
_previous: dict[int, Handler] = {}


def ending_signals() -> list[int]:
    import signal

    return [int(getattr(signal, name)) for name in _ENDING if hasattr(signal, name)]


def create(folder: str) -> tuple[int, str]:
    """A new temporary file in `folder`, readable by its owner only (0600): its descriptor and
    path. It is removed if a signal ends the program before `forget(path)` is called."""
    import tempfile

    if not _tracked:
        _catch()
    held = _hold()
    try:
        try:
            fd, path = tempfile.mkstemp(dir=folder, prefix=".neckcheck.", suffix=".tmp")
        except BaseException:
            if not _tracked:
                _release_handlers()
            raise
        _tracked.add(path)
    finally:
        _let_go(held)  # a signal that came meanwhile is handled here, the file tracked
    return fd, path


def forget(path: str) -> None:
    """`path` is no longer unfinished (renamed into place, or removed): a signal leaves it be.
    The signals are handled as before once no file is left."""
    _tracked.discard(path)
    if not _tracked:
        _release_handlers()


def remove_all() -> None:
    """Remove every unfinished file (a signal is ending the program)."""
    for path in list(_tracked):
        with contextlib.suppress(OSError):
            os.unlink(path)
        _tracked.discard(path)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    remove_all()
    previous = _previous.get(signum)
    if callable(previous):
        previous(signum, frame)  # Ctrl-C's KeyboardInterrupt, or a command's own handler
        return
    raise SystemExit(128 + signum)


def _catch() -> None:
    """Put _on_signal on every ending signal that is not ignored. Only the main thread can set
    handlers; elsewhere the files are tracked, and removed by the caller's `finally` only."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for signum in ending_signals():
        current = signal.getsignal(signum)
        if current is signal.SIG_IGN or current is None or current is _on_signal:
            continue  # ignored (nohup), or set outside Python: left as it is
        _previous[signum] = current
        signal.signal(signum, _on_signal)


def _release_handlers() -> None:
    import signal

    for signum, handler in list(_previous.items()):
        with contextlib.suppress(ValueError, TypeError, OSError):
            if signal.getsignal(signum) is _on_signal:  # not replaced by someone since
                signal.signal(signum, handler)
        del _previous[signum]


def _hold() -> set[int] | None:
    """Hold the ending signals back (they wait, none is lost); the mask before, to put back."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        return None
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, ending_signals()))


def _let_go(held: set[int] | None) -> None:
    import signal

    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
