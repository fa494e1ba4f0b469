"""neckcheck's speed and memory figures, each beside its yardstick, measured in one run.

    python benchmarks/bench.py            # the full run (a few minutes)
    python benchmarks/bench.py --quick    # smaller sizes, a smoke test (CI; under a minute)
    python benchmarks/bench.py --only invalid   # only the invalid-line rows (full sizes)
    python benchmarks/bench.py --only batch     # only the batch rows (full sizes)

Every figure is a median of interleaved runs (the command and its yardstick take turns, so that
load on a shared machine hits both alike), printed beside its yardstick with the ratio:

- first question: `neckcheck screen` in a pseudo-terminal, from start until the first
  question's words are on screen, against `python -c pass`; goal 8x.
- JSON cold start: `neckcheck screen --json < answers.json` against `python -c pass`; goal 3x.
- help: `neckcheck --help` against `python -c pass`.
- against typer itself: the two start-up figures above against benchmarks/typer_floor.py, the
  smallest typer app doing the same start-up work (read one answer set and print JSON; ask one
  questionary question); goal 1.15x. What is left above it is neckcheck's own work. The JSON
  figure is also shown against the same app validating the answer set with pydantic-core, as
  neckcheck does.
- batch: `neckcheck batch` against benchmarks/handwritten.py (SPEC.md as if/else, the same
  JSON Lines in and out) on the same valid lines, goal 1.0x; and against a bare
  json.loads/json.dumps loop over the same lines (the I/O floor no screener can beat).
- invalid lines: `neckcheck batch` on 20,000 lines with one unknown key each, and with 30
  each (holding text, or floats), and with every value of the wrong type (the same [1]
  everywhere, and a value of each line's own), against the same 20,000 answer sets valid;
  goal: at most about 2x. One object of
  80,000 unknown keys, and 20 such lines, against the json.loads/json.dumps loop on the same
  lines (reading them at all costs that).
- memory: peak RSS of `neckcheck batch` on 1,000,000 lines streamed in; goal: flat, 25 MB.

A check, not a figure: the hand-written screener agrees with `neckcheck batch` line by line.
The children run with bytecode caching on (as installed programs do), whatever
PYTHONDONTWRITEBYTECODE says here. Nothing here passes or fails a test.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import pty
import random
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
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
    """A valid v3 answer set (SPEC.md section 1): every asked question answered, no skipped key.

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
    if not injured:
        a["sudden_onset"] = tri()
    for key in ("chest_symptoms", "vascular_signs", "new_headache", "meningitis_signs",
                "bladder_bowel"):  # fmt: skip
        a[key] = tri()
    if a["vascular_signs"] in ("yes", "unsure", True) or a["new_headache"] in (
        "yes",
        "unsure",
        True,
    ):
        a["signs_recent"] = some(TRI)
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
                "chest_symptoms",
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


def write_lines(
    path: Path,
    count: int,
    seed: int = 1,
    unknown: int = 0,
    unknown_value: object = "no",
    wrong: str | None = None,
) -> None:
    """`count` valid answer sets, one a line; with `unknown`, each line also holds that many
    keys no question has (each line its own, so no suggestion or text is ever reused), each
    holding `unknown_value`. With `wrong`, every value has the wrong type instead: [1]
    ("same", as a system that writes every value the wrong way sends it), or [n] with n the
    line's number ("own": no two lines alike, so nothing is reused)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            answers = answer_set(rng)
            answers.update({f"note_{n}_{k}": unknown_value for k in range(unknown)})
            if wrong is not None:
                answers = dict.fromkeys(answers, [1] if wrong == "same" else [n])
            out.write(json.dumps(answers) + "\n")


def write_cases(lines_path: Path, path: Path) -> None:
    """The answer sets of `lines_path` as `rules evaluate` cases, every disposition acceptable."""
    acceptable = ["emergency", "urgent", "clinician", "avoid_technique", "technique"]
    with lines_path.open(encoding="utf-8") as given, path.open("w", encoding="utf-8") as out:
        for n, text in enumerate(given, start=1):
            case = {"id": f"case {n}", "answers": json.loads(text), "acceptable": acceptable}
            out.write(json.dumps(case) + "\n")


def write_wide_objects(path: Path, count: int, keys: int = 80_000) -> None:
    """`count` lines, each one object of `keys` unknown keys (about 0.9 MB a line)."""
    line = "{" + ",".join(f'"k{n}":1' for n in range(keys)) + "}\n"
    path.write_text(line * count, encoding="ascii")


# The children run as an installed program does: with cached bytecode.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
FLOOR = (
    "import json, sys\n"
    "out = sys.stdout\n"
    "for line in sys.stdin.buffer:\n"
    "    out.write(json.dumps(json.loads(line), separators=(',', ':')) + '\\n')\n"
)


def timed(command: list[str], stdin_path: Path | None = None) -> float:
    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        subprocess.run(
            command,
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            env=ENV,
        )
        return time.perf_counter() - start
    finally:
        if stdin_path:
            stdin.close()  # type: ignore[union-attr]


def first_words(command: list[str], needle: bytes, timeout: float = 60.0) -> float:
    """Seconds from starting `command` in a pseudo-terminal (100 columns, TERM=xterm) until
    `needle` is on its screen; the program is then killed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    env = dict(ENV, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    start = time.perf_counter()
    child = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if needle in seen:
                return time.perf_counter() - start
        raise RuntimeError(f"{needle!r} never appeared; the screen ended with {seen[-300:]!r}")
    finally:
        child.kill()
        child.wait()
        os.close(master)


def median_pair(
    a: list[str], b: list[str], runs: int, stdin: Path | None = None
) -> tuple[float, float]:
    """Interleave the two commands so that load on the machine hits both alike."""
    ta, tb = [], []
    for _ in range(runs):
        ta.append(timed(a, stdin))
        tb.append(timed(b, stdin))
    return statistics.median(ta), statistics.median(tb)


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.platform()}"
    )


def line(what: str, ours: float, what_yard: str, yard: float, goal: str, unit: str = "ms") -> str:
    scale, digits = (1000, 1) if unit == "ms" else (1, 2)
    return (
        f"  {what}: {ours * scale:.{digits}f} {unit}   vs {what_yard}: {yard * scale:.{digits}f} "
        f"{unit}   "
        f"ratio {ours / yard:.2f}x   ({goal})"
    )


def peak_rss_mb(command: list[str], lines: int) -> float:
    """Peak resident memory of `command` while `lines` answer sets are streamed into it.

    Read from /proc (VmHWM, the high-water mark of the running program) rather than from
    wait4's rusage, which also counts the pages a forked child shares with this process
    before it executes the command."""
    generator = subprocess.Popen(
        [PYTHON, __file__, "--generate", str(lines)], stdout=subprocess.PIPE
    )
    child = subprocess.Popen(
        command,
        stdin=generator.stdout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
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
        [NECKCHECK, "batch", str(lines_path)], capture_output=True, text=True, check=False, env=ENV
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


def invalid_rows(tmp: Path, invalid: int, wide: int, batch_runs: int) -> None:
    """Bad input costs no more than good input: invalid lines against the same number of
    valid ones (the same answer sets, plus keys no question has), and objects of 80,000
    unknown keys against the I/O floor on the very same lines."""
    ours_cmd, floor_cmd = [NECKCHECK, "batch"], [PYTHON, "-c", FLOOR]
    print(f"invalid lines ({invalid:,} lines each; goal: at most about 2x the valid lines)")
    valid = Path(tmp, "valid.jsonl")
    write_lines(valid, invalid, seed=4)
    kinds: list[tuple[str, dict]] = []
    for unknown in (1, 30):
        keys = f"{unknown} unknown key{'s' if unknown > 1 else ''}"
        kinds.append((f"{keys} a line", {"unknown": unknown}))
        kinds.append((f"{keys} holding {'a float' if unknown == 1 else 'floats'} a line",
                      {"unknown": unknown, "unknown_value": 1.5}))  # fmt: skip
    kinds.append(("every value of the wrong type ([1])", {"wrong": "same"}))
    kinds.append(("every value of the wrong type, no two lines alike", {"wrong": "own"}))
    for what, shape in kinds:
        bad = Path(tmp, "invalid.jsonl")
        write_lines(bad, invalid, seed=4, **shape)
        t_bad, t_good = [], []
        for _ in range(batch_runs):
            t_bad.append(timed(ours_cmd, bad))
            t_good.append(timed(ours_cmd, valid))
        bad_s, good_s = statistics.median(t_bad), statistics.median(t_good)
        print(line(what, bad_s, "valid lines", good_s, "goal 2x", "s"))
    for count in (1, wide):
        path = Path(tmp, f"wide-{count}.jsonl")
        write_wide_objects(path, count)
        ours_s, floor_s = median_pair(ours_cmd, floor_cmd, batch_runs, stdin=path)
        what = f"{count} object{'s' if count > 1 else ''} of 80,000 unknown keys"
        print(line(what, ours_s, "json.loads/json.dumps loop", floor_s, "I/O floor", "s"))


def batch_rows(tmp: Path, lines: int, batch_runs: int, compiled: Path) -> None:
    """`neckcheck batch` on valid lines against the hand-written reference and the I/O floor,
    and the agreement check."""
    data = tmp / "lines.jsonl"
    write_lines(data, lines)
    hand_cmd = [PYTHON, str(HERE / "handwritten.py"), str(compiled)]
    floor_cmd = [PYTHON, "-c", FLOOR]
    ours_cmd = [NECKCHECK, "batch"]
    t_hand, t_ours, t_floor = [], [], []
    for _ in range(batch_runs):
        t_hand.append(timed(hand_cmd, data))
        t_ours.append(timed(ours_cmd, data))
        t_floor.append(timed(floor_cmd, data))
    hand, batch, floor = (statistics.median(t) for t in (t_hand, t_ours, t_floor))
    print(f"batch, {lines:,} valid lines (neckcheck batch: {lines / batch:,.0f} lines/s)")
    print(line("neckcheck batch", batch, "hand-written reference", hand, "goal 1.0x", "s"))
    print(line("neckcheck batch", batch, "json.loads/json.dumps loop", floor, "I/O floor",
               "s"))  # fmt: skip
    differ, details, errors, examples = agree(data, compiled)
    print(
        f"  agreement with the hand-written reference: {differ} lines differ in outcome or "
        f"disposition, {details} more in exit code, timeframe or cautions; {errors} error "
        "lines from neckcheck batch"
    )
    for example in examples:
        print(example, file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke test")
    parser.add_argument("--only", choices=["invalid", "batch"], help="only these rows (same sizes)")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate is not None:
        rng = random.Random(2)
        out = sys.stdout
        for _ in range(args.generate):
            out.write(json.dumps(answer_set(rng)) + "\n")
        return

    runs, batch_runs, lines, big, invalid, wide = (
        (5, 3, 5_000, 50_000, 2_000, 2) if args.quick else (21, 5, 100_000, 1_000_000, 20_000, 20)
    )
    from neckcheck.api import load_rulebook
    from neckcheck.rulebook.load import default_rules_dir

    compiled = Path(default_rules_dir(), "rulebook.compiled.json")
    first = load_rulebook().questions[0].prompt
    needle = " ".join(first.split()[:3]).encode("utf-8")
    bare = [PYTHON, "-c", "pass"]
    print(f"neckcheck benchmarks, {date.today()}{' (--quick)' if args.quick else ''}"
          f"{f' (--only {args.only})' if args.only else ''}")  # fmt: skip
    print(f"machine: {machine()}")
    print(f"medians of interleaved runs ({runs} for start-up, {batch_runs} for batch)")
    if args.only == "invalid":
        with tempfile.TemporaryDirectory() as tmp:
            timed([NECKCHECK, "--help"])  # bytecode written
            invalid_rows(Path(tmp), invalid, wide, batch_runs)
        return
    if args.only == "batch":
        with tempfile.TemporaryDirectory() as tmp:
            timed([NECKCHECK, "--help"])  # bytecode written
            batch_rows(Path(tmp), lines, batch_runs, compiled)
        return
    with tempfile.TemporaryDirectory() as tmp:
        answers = Path(tmp, "answers.json")
        answers.write_text(json.dumps(answer_set(random.Random(3))), encoding="utf-8")
        screen_json = [NECKCHECK, "screen", "--json"]
        for warm in (bare, screen_json, [NECKCHECK, "--help"]):  # bytecode written, caches warm
            timed(warm, answers)
        first_words([NECKCHECK, "screen"], needle)

        t_bare, t_first = [], []
        for _ in range(runs):
            t_bare.append(timed(bare))
            t_first.append(first_words([NECKCHECK, "screen"], needle))
        bare_ms, first_ms = statistics.median(t_bare), statistics.median(t_first)
        print("start-up")
        print(line("first question on screen (pty)", first_ms, "python -c pass", bare_ms,
                   "goal 8x"))  # fmt: skip
        bare_ms, json_ms = median_pair(bare, screen_json, runs, stdin=answers)
        print(line("screen --json < answers.json", json_ms, "python -c pass", bare_ms,
                   "goal 3x"))  # fmt: skip
        bare_ms, help_ms = median_pair(bare, [NECKCHECK, "--help"], runs)
        print(line("neckcheck --help", help_ms, "python -c pass", bare_ms, "no goal"))

        # The same start-up work done by the smallest typer app (benchmarks/typer_floor.py).
        floor_app = [PYTHON, str(HERE / "typer_floor.py")]
        floor_json = [*floor_app, "screen", "--json"]
        floor_ask = [*floor_app, "ask", first]
        timed(floor_json, answers)
        first_words(floor_ask, needle)
        t_floor_ask, t_first = [], []
        for _ in range(runs):
            t_floor_ask.append(first_words(floor_ask, needle))
            t_first.append(first_words([NECKCHECK, "screen"], needle))
        floor_ms, first_ms = statistics.median(t_floor_ask), statistics.median(t_first)
        print("against the smallest typer app doing the same start-up work")
        print(line("first question on screen (pty)", first_ms, "typer + questionary app",
                   floor_ms, "goal 1.15x"))  # fmt: skip
        floor_ms, json_ms = median_pair(floor_json, screen_json, runs, stdin=answers)
        print(line("screen --json < answers.json", json_ms, "typer app reading JSON", floor_ms,
                   "goal 1.15x"))  # fmt: skip
        # neckcheck validates the answers with pydantic-core; so does this floor.
        floor_ms, json_ms = median_pair([*floor_json, "--validate"], screen_json, runs,
                                        stdin=answers)  # fmt: skip
        print(line("screen --json < answers.json", json_ms, "... validating with pydantic",
                   floor_ms, "goal 1.15x"))  # fmt: skip

        batch_rows(Path(tmp), lines, batch_runs, compiled)

        data = Path(tmp, "lines.jsonl")
        cases = Path(tmp, "cases.jsonl")
        write_cases(data, cases)
        evaluate_cmd = [NECKCHECK, "rules", "evaluate", str(cases), "--json"]
        t_evaluate, t_batch = [], []
        for _ in range(batch_runs):
            t_evaluate.append(timed(evaluate_cmd))
            t_batch.append(timed([NECKCHECK, "batch"], data))
        evaluated, batch = statistics.median(t_evaluate), statistics.median(t_batch)
        print(f"rules evaluate, the same {lines:,} answer sets as cases")
        print(line("rules evaluate --json", evaluated, "neckcheck batch", batch,
                   "goal: batch speed, 1.0x", "s"))  # fmt: skip

        invalid_rows(Path(tmp), invalid, wide, batch_runs)

    rss = peak_rss_mb([NECKCHECK, "batch"], big)
    print("memory")
    print(f"  peak RSS of neckcheck batch on {big:,} lines: {rss:.1f} MB (goal: flat, 25 MB)")


if __name__ == "__main__":
    main()
