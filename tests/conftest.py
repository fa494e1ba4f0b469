from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from neckcheck.api import load_rulebook
from neckcheck.core.model import Rulebook

# pytest-xdist's workers export COLUMNS and LINES (80 x 24). The commands the tests start would
# take them over the size of the pseudo-terminal they run in, so they go.
for _size in ("COLUMNS", "LINES"):
    os.environ.pop(_size, None)

# A shell starts a background job (`pytest &` in a script) with SIGINT ignored, and every
# process a test starts would inherit that: the Ctrl-C tests would time out. They test Ctrl-C as
# a terminal delivers it, so the suite puts Python's usual handler back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

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
