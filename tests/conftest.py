from __future__ import annotations

import os
import shutil
import sys
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

settings.register_profile(
    "default", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=1000, deadline=None)
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


def neckcheck_command() -> list[str]:
    """The installed console script next to this interpreter (what a user runs)."""
    script = Path(sys.executable).with_name("neckcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "neckcheck"]
