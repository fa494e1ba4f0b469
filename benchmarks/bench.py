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


BOUNDARY_DAYS = (0, 1, 2, 3, 14, 15)  # SPEC section 2's time windows meet here
BOUNDARY_AGES = (15, 16, 64, 65)


def answer_set(rng: random.Random) -> dict:
    """A valid v2 answer set (SPEC.md section 1): every asked question answered, no skipped key.

    Mostly calm (each red-flag question yes or unsure about 1 time in 10) so that every branch of
    the decision is reached; days 0..30 and ages 10..90, with the boundaries of the time windows
    and of the rotation test's age range drawn more often. A few tri answers are JSON booleans,
    which section 1 accepts as yes/no."""

    def tri(calm: str = "no") -> str | bool:
        value = rng.choice([v for v in TRI if v != calm]) if rng.random() < 0.1 else calm
        if value != "unsure" and rng.random() < 0.02:
            return value == "yes"
        return value

    def some(values: tuple[str, ...]) -> str | bool:
        value = rng.choice(values)
        if value != "unsure" and rng.random() < 0.02:
            return value == "yes"
        return value

    injury = rng.choice(["none", "fall", "vehicle", "sport_or_blow", "other_accident"])
    injured = injury != "none"
    age = rng.choice(BOUNDARY_AGES) if rng.random() < 0.1 else rng.randint(10, 90)
    a: dict = {"age": age, "injury": injury}
    if injured:
        days = rng.choice(BOUNDARY_DAYS) if rng.random() < 0.3 else rng.randint(0, 30)
        a["days_since_injury"] = days
    if injury == "fall":
        a["fall_direction"] = rng.choice(["forward", "backward", "sideways", "unsure"])
    for key in ("vascular_signs", "new_headache", "meningitis_signs", "bladder_bowel"):
        a[key] = tri()
    a["neuro_symptoms"] = tri()
    if a["neuro_symptoms"] in ("yes", "unsure", True):
        a["neuro_onset"] = rng.choice(["sudden", "gradual", "unsure"])
    if injured:
        for key in (
            "head_injury",
            "dangerous_mechanism",
            "neck_mark",
            "possible_fracture",
            "blood_thinners",
        ):
            a[key] = tri()
        if days <= 14:
            a["intoxicated"] = tri()
    a["midline_tenderness"] = tri()
    a["bone_or_joint_disease"] = tri()
    a["known_spine_problem"] = (
        "none"
        if rng.random() < 0.8
        else rng.choice(
            ["disc_or_nerve", "surgery_or_fusion", "instability_or_misalignment", "unsure"]
        )
    )
    if (
        injured
        and 16 <= age <= 64
        and a["known_spine_problem"] in ("none", "disc_or_nerve")
        and all(
            a.get(key, "no") in ("no", False)  # intoxicated counts only where asked
            for key in (
                "vascular_signs",
                "new_headache",
                "meningitis_signs",
                "bladder_bowel",
                "neuro_symptoms",
                "head_injury",
                "dangerous_mechanism",
                "neck_mark",
                "possible_fracture",
                "intoxicated",
                "midline_tenderness",
                "bone_or_joint_disease",
            )
        )
    ):
        a["can_rotate_45"] = tri("yes")
    for key in ("bone_or_joint_pain", "cancer_history", "infection_risk", "night_pain"):
        a[key] = tri()
    for key in ("sore_back", "sore_front", "low_back_pain"):
        a[key] = some(TRI)
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


def agree(lines_path: Path, compiled: Path) -> tuple[int, int, int, list[str]]:
    """Compare the two screeners line by line (a sanity check).

    Returns the number of lines whose outcome or disposition differ, the number whose exit code,
    timeframe or caution ids differ, the number of error lines from `neckcheck batch` (every
    generated line is valid, so this should be 0), and a few examples of each problem."""
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
    inputs = lines_path.read_text(encoding="utf-8").splitlines()
    if len(ours) != len(inputs):
        return len(inputs), 0, 0, [f"neckcheck batch wrote {len(ours)} lines for {len(inputs)}"]
    differ = details = errors = 0
    examples: list[str] = []
    for answers, x, y in zip(inputs, ours, theirs, strict=True):
        o, t = json.loads(x), json.loads(y)
        if "error" in o:
            errors += 1
            if len(examples) < 6:
                examples.append(f"error on line {o.get('line')}: {o['error']}\n  in: {answers}")
            continue
        if (o["outcome"], o["disposition"]) != (t["outcome"], t["disposition"]):
            differ += 1
        elif (o["exit_code"], o["timeframe"], [c["id"] for c in o["cautions"]]) == (
            t["exit_code"],
            t["timeframe"],
            [c["id"] for c in t["cautions"]],
        ):
            continue
        else:
            details += 1
        if len(examples) < 6:
            keys = ("outcome", "disposition", "exit_code", "timeframe")
            examples.append(
                f"line {o['line']}: in: {answers}\n"
                f"  neckcheck:   {[o[k] for k in keys]} {[c['id'] for c in o['cautions']]}\n"
                f"  handwritten: {[t[k] for k in keys]} {[c['id'] for c in t['cautions']]}"
            )
    return differ, details, errors, examples


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
        differ, details, errors, examples = agree(data, compiled)
        print(
            f"agreement: {differ} lines differ in outcome or disposition, {details} more in "
            f"exit code, timeframe or cautions; {errors} error lines from neckcheck batch"
        )
        for example in examples:
            print(example, file=sys.stderr)

    rss = peak_rss_mb([NECKCHECK, "batch"], big)
    print(f"memory: peak RSS of neckcheck batch on {big:,} lines: {rss:.1f} MB (target < 100 MB)")


if __name__ == "__main__":
    main()
