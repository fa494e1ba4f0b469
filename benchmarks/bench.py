"""neckcheck's speed and memory figures, each beside its yardstick, measured in one run.

    python benchmarks/bench.py            # the full run (about two minutes)
    python benchmarks/bench.py --quick    # smaller sizes, for a smoke test

- cold start: `neckcheck screen --answers F --json` against `python -c pass` (same venv);
  target at most 6x, goal 3x.
- batch throughput: `neckcheck batch` against benchmarks/handwritten.py (SPEC.md as if/else)
  on the same 100,000 valid lines; target at most 2x, goal 1x.
- memory: peak RSS of `neckcheck batch` on 1,000,000 lines streamed in; target under 100 MB.

Medians of repeated runs, since these machines are shared and noisy. Figures only: nothing here
passes or fails a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
NECKCHECK = str(Path(PYTHON).with_name("neckcheck"))
TRI = ("yes", "no", "unsure")


def answer_set(rng: random.Random) -> dict:
    """A valid answer set, mostly calm so that every branch of the decision is reached."""
    injury = rng.choice(["none", "fall", "vehicle", "sport_or_blow", "other_accident"])

    def tri(calm: str = "no") -> str:
        return rng.choice(TRI) if rng.random() < 0.1 else calm

    a: dict = {"age": rng.randint(10, 90), "injury": injury}
    for key in (
        "vascular_signs",
        "meningitis_signs",
        "bladder_bowel",
        "neuro_symptoms",
        "midline_tenderness",
        "bone_or_joint_pain",
        "serious_history",
        "bone_or_joint_disease",
    ):
        a[key] = tri()
    a["known_spine_problem"] = (
        "none"
        if rng.random() < 0.8
        else rng.choice(
            ["disc_or_nerve", "surgery_or_fusion", "instability_or_misalignment", "unsure"]
        )
    )
    for key in ("sore_back", "sore_front", "low_back_pain"):
        a[key] = rng.choice(TRI)
    if injury != "none":
        a["days_since_injury"] = rng.randint(0, 30)
        for key in (
            "head_injury",
            "dangerous_mechanism",
            "possible_fracture",
            "blood_thinners",
            "intoxicated",
        ):
            a[key] = tri()
        a["can_rotate_45"] = tri("yes")
    if injury == "fall":
        a["fall_direction"] = rng.choice(["forward", "backward", "sideways", "unsure"])
    return a


def write_lines(path: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            out.write(json.dumps(answer_set(rng)) + "\n")


def timed(command: list[str], stdin_path: Path | None = None) -> float:
    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        subprocess.run(
            command, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        return time.perf_counter() - start
    finally:
        if stdin_path:
            stdin.close()  # type: ignore[union-attr]


def median_pair(
    a: list[str], b: list[str], runs: int, stdin: Path | None = None
) -> tuple[float, float]:
    """Interleave the two commands so that load on the machine hits both alike."""
    ta, tb = [], []
    for _ in range(runs):
        ta.append(timed(a, stdin))
        tb.append(timed(b, stdin))
    return statistics.median(ta), statistics.median(tb)


def peak_rss_mb(command: list[str], lines: int) -> float:
    """Peak resident memory of `command` while `lines` answer sets are streamed into it.

    Read from /proc (VmHWM, the high-water mark of the running program) rather than from
    wait4's rusage, which also counts the pages a forked child shares with this process
    before it executes the command."""
    generator = subprocess.Popen(
        [PYTHON, __file__, "--generate", str(lines)], stdout=subprocess.PIPE
    )
    child = subprocess.Popen(
        command, stdin=generator.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    assert generator.stdout is not None
    generator.stdout.close()
    peak_kb = 0
    status = Path(f"/proc/{child.pid}/status")
    while child.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except OSError:
            break
        time.sleep(0.05)
    generator.wait()
    return peak_kb / 1024


def agree(lines_path: Path, compiled: Path) -> int:
    """Both screeners give the same outcome and disposition on every line (a sanity check)."""
    ours = subprocess.run(
        [NECKCHECK, "batch", str(lines_path)], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    with lines_path.open("rb") as stdin:
        theirs = subprocess.run(
            [PYTHON, str(HERE / "handwritten.py"), str(compiled)],
            stdin=stdin,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    pairs = zip(ours, theirs, strict=True)
    differ = sum(
        1
        for x, y in pairs
        if (json.loads(x)["outcome"], json.loads(x)["disposition"])
        != (json.loads(y)["outcome"], json.loads(y)["disposition"])
    )
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke test")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate is not None:
        rng = random.Random(2)
        out = sys.stdout
        for _ in range(args.generate):
            out.write(json.dumps(answer_set(rng)) + "\n")
        return

    runs, lines, big = (5, 5_000, 50_000) if args.quick else (31, 100_000, 1_000_000)
    compiled = Path(
        __import__("neckcheck.rulebook", fromlist=["x"]).default_rules_dir(),
        "rulebook.compiled.json",
    )
    print(
        f"neckcheck benchmarks, {date.today()}, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        answers = Path(tmp, "answers.json")
        answers.write_text(json.dumps(answer_set(random.Random(3))), encoding="utf-8")
        bare, ours = median_pair(
            [PYTHON, "-c", "pass"], [NECKCHECK, "screen", "--answers", str(answers), "--json"], runs
        )
        print(
            f"cold start: python -c pass {bare * 1000:.1f} ms, neckcheck screen --json "
            f"{ours * 1000:.1f} ms, ratio {ours / bare:.1f}x (target 6x, goal 3x)"
        )

        data = Path(tmp, "lines.jsonl")
        write_lines(data, lines)
        hand, batch = median_pair(
            [PYTHON, str(HERE / "handwritten.py"), str(compiled)],
            [NECKCHECK, "batch"],
            3 if not args.quick else 1,
            stdin=data,
        )
        print(
            f"batch throughput on {lines:,} lines: hand-written {hand:.2f} s "
            f"({lines / hand:,.0f} lines/s), neckcheck batch {batch:.2f} s "
            f"({lines / batch:,.0f} lines/s), ratio {batch / hand:.2f}x (target 2x, goal 1x)"
        )
        print(f"agreement: {agree(data, compiled)} lines differ in outcome or disposition")

    rss = peak_rss_mb([NECKCHECK, "batch"], big)
    print(f"memory: peak RSS of neckcheck batch on {big:,} lines: {rss:.1f} MB (target < 100 MB)")


if __name__ == "__main__":
    main()
