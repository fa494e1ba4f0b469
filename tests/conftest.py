from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from neckcheck.api import load_rulebook
from neckcheck.core.model import Rulebook

# pytest-xdist's workers export COLUMNS and LINES (80 x 24). The commands the tests start would
# take them over the size of the pseudo-terminal they run in, so they go.
for _size in ("COLUMNS", "LINES"):
    os.environ.pop(_size, None)

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"

# The usual 100 examples by default; CI may ask for more (HYPOTHESIS_PROFILE=ci).
settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def book() -> Rulebook:
    return load_rulebook(RULES)


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped rules, for tests that break it on purpose."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


_SIGNALS = [s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)]


@pytest.fixture(autouse=True)
def process_state_is_put_back() -> Iterator[None]:
    """What an in-process run changes in this worker process (signal dispositions, the blocked
    signal mask, the environment) is inherited by every process a later test starts: a SIGINT
    left ignored or blocked makes a later Ctrl-C test hang. Each test gets them back as found."""
    handlers = {s: signal.getsignal(s) for s in _SIGNALS}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    environ = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    yield
    changed = []
    for s, handler in handlers.items():
        if signal.getsignal(s) != handler and handler is not None:
            changed.append(signal.Signals(s).name)
            signal.signal(s, handler)
    if signal.pthread_sigmask(signal.SIG_SETMASK, mask) != mask:
        changed.append("mask")
    now = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    if now != environ:
        changed.append(
            "environ: "
            + " ".join(
                sorted(k for k in now.keys() | environ.keys() if now.get(k) != environ.get(k))
            )
        )
        for name in now.keys() - environ.keys():
            del os.environ[name]
        os.environ.update(environ)
    if changed and os.environ.get("NECKCHECK_LEAKS"):
        with open(os.environ["NECKCHECK_LEAKS"], "a") as f:
            f.write(f"{os.environ.get('PYTEST_CURRENT_TEST')} {changed}\n")
