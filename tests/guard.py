"""The test suite's SPEC.md guard as one function, so mutation tests can ask whether a broken
rulebook would be caught: the rule table, the vignettes and a fixed sample compared with the
hand-written oracle."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from neckcheck.api import screen
from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from tests.rows import ROWS
from tests.spec import QUESTIONS, TRI, is_asked, oracle

CASES = Path(__file__).parent / "cases"


def calm_sample(count: int, seed: int = 0, skipped: bool = False) -> list[dict[str, Any]]:
    """Valid v3 answer sets with few red flags, so that the rotation test, the thresholds and the
    patterns are reached (deterministic). Every question is drawn, then only the asked ones are
    kept (or, with `skipped`, every key: a skipped key may be present and is ignored)."""
    rng = random.Random(seed)
    # The thresholds SPEC.md v3 uses (days 2/3 and 14/15, ages 15/16 and 64/65), and a plain
    # adult age (40) so that the rotation test is reached.
    edges = {"days_since_injury": (0, 1, 2, 3, 14, 15), "age": (15, 16, 40, 64, 65)}
    sets = []
    for _ in range(count):
        full: dict[str, Any] = {}
        for key, (kind, domain, _) in QUESTIONS.items():
            if kind == "int":
                lo, hi = domain
                full[key] = rng.choice(edges[key]) if rng.random() < 0.7 else rng.randint(lo, hi)
            elif kind == "tri" and key not in ("sore_back", "sore_front", "low_back_pain"):
                # can_rotate_45 is asked only when a dozen red flags are all no: keep flags rare.
                calm = "yes" if key == "can_rotate_45" else "no"
                full[key] = rng.choice(TRI) if rng.random() < 0.06 else calm
            elif key == "known_spine_problem" and rng.random() < 0.6:
                full[key] = rng.choice(("none", "disc_or_nerve"))
            else:
                full[key] = rng.choice(domain)
        sets.append({k: v for k, v in full.items() if skipped or is_asked(k, full)})
    return sets


SAMPLE = calm_sample(3000)


def spec_violations(book: Rulebook) -> list[str]:
    found: list[str] = []

    def compare(label: str, answers: dict[str, Any], expected: tuple[str, str]) -> None:
        try:
            d = screen(answers, book)
        except InputError as exc:
            found.append(f"{label}: {exc}")
            return
        if (d.outcome, d.disposition) != expected:
            found.append(f"{label}: {d.outcome}/{d.disposition}, SPEC says {'/'.join(expected)}")

    for rule, base, change, outcome, disposition in ROWS:
        compare(f"row {rule} {change}", base | change, (outcome, disposition))
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        compare(path.stem, case["answers"], (case["expect"]["outcome"],
                                             case["expect"]["disposition"]))  # fmt: skip
    for i, answers in enumerate(SAMPLE):
        compare(f"sample {i}", answers, oracle(answers)[:2])
    return found
