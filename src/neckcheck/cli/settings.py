"""Every number the program takes from the environment, read by one function.

A value is used only when it is a plain whole number in ASCII digits within its range:
`str.isdigit()` alone also accepts "²" or "٣", which `int()` refuses, and 5,000 digits, which
`int()` refuses too. What happens to any other value depends on what the variable changes:
- a display size (COLUMNS, LINES) only lays the text out: a bad one is ignored, as if unset (the
  terminal's own size, or the default, is used), and never costs the result;
- a proof setting (NECKCHECK_VERIFY_TIMEOUT_MS, NECKCHECK_VERIFY_RLIMIT) changes what `rules
  check` can prove: a bad one is refused, a usage error of one line naming the variable, since
  a guessed limit would prove something other than what was asked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

_Z3_UNSIGNED_MAX = 2**32 - 1  # z3 reads both proof settings as unsigned 32-bit numbers


class Setting(NamedTuple):
    """One numeric environment variable: its range, and whether a bad value is refused."""

    minimum: int
    maximum: int
    refused: bool  # True: a bad value is a usage error; False: it is ignored
    unit: str


SETTINGS = {
    "COLUMNS": Setting(1, 100_000, refused=False, unit="columns"),
    "LINES": Setting(1, 100_000, refused=False, unit="lines"),
    "NECKCHECK_VERIFY_TIMEOUT_MS": Setting(1, _Z3_UNSIGNED_MAX, refused=True, unit="milliseconds"),
    "NECKCHECK_VERIFY_RLIMIT": Setting(1, _Z3_UNSIGNED_MAX, refused=True, unit="z3 resource units"),
}

_SHOWN = 24  # characters of a refused value quoted in its message


def number_from_environment(name: str, environ: Mapping[str, str] | None = None) -> int | None:
    """The number in environment variable `name` (one of SETTINGS), or None when it is unset,
    empty or blank. A bad value is None for a display size and a UsageProblem (one line naming
    the variable and what it takes) for a proof setting. `environ`: the run's variables (the
    process's own when None)."""
    setting = SETTINGS[name]
    text = (
        (os.environ if environ is None else environ).get(name, "").strip(" \t\n\r\f\v")
    )  # ASCII blanks only
    if not text:
        return None
    digits = len(str(setting.maximum))
    if text.isascii() and text.isdigit() and len(text) <= digits:
        value = int(text)
        if setting.minimum <= value <= setting.maximum:
            return value
    if not setting.refused:
        return None
    from neckcheck.cli.edge import one_line
    from neckcheck.core.errors import UsageProblem

    shown = repr(text) if len(text) <= _SHOWN else f"{text[:_SHOWN]!r}... ({len(text)} characters)"
    raise UsageProblem(
        f"the environment variable {name}={one_line(shown)} is not a whole number of "
        f"{setting.unit} ({setting.minimum} to {setting.maximum}); correct it or unset it"
    )
