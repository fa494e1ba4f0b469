"""`neckcheck rules check`: the proofs hold on the shipped rules, every deliberately broken rule
file yields a counterexample that the real command reproduces, a proof the solver cannot finish
is reported unproved (never proved), and no red-flag rule can be deleted or weakened without
`rules check` or the SPEC guard of this suite failing."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import z3

from neckcheck.api import load_rulebook
from neckcheck.authoring import verify as verify_module
from neckcheck.authoring.verify import ROTATION, _Encoding, red_flag_answers, verify
from neckcheck.cli.commands import EXIT_CODES
from neckcheck.cli.edge import EXIT_INTERRUPTED, EXIT_NOT_SHOWN_SAFE, EXIT_USAGE
from neckcheck.core.conditions import All, AnyOf, Compare, Condition, Not
from neckcheck.core.model import URGENCY, Rulebook
from tests.cli import Done, invoke, neckcheck_command
from tests.guard import spec_violations
from tests.test_rulebook import edit

# Every property `rules check` proves, by the start of its name: SPEC.md section 6 first.
PROPERTIES = (
    "completeness",
    "red-flag dominance",
    "the contract's red flags",
    "unsure is never safer than any other answer to the same question",
    "the red-flag answer is never safer than its opposite",
    "monotone in time",
    "a skipped rotation question clears nobody",
    "a skipped rotation test is explained",
    "no dead rule",
    "no dead caution",
    "no rule reads a question that is skipped",
    "every question is read",
)


def test_shipped_rules_prove_every_property(book: Rulebook) -> None:
    report = verify(book)
    assert [r.name for r in report.results if not r.holds] == []
    assert not report.interrupted
    assert len(report.results) == len(PROPERTIES)
    for result, start in zip(report.results, PROPERTIES, strict=True):
        assert result.name.startswith(start)
        assert result.status == "proved"
        assert result.checked > 0
        assert result.proved == result.checked
        assert result.unproved == []
        assert result.findings == []


def test_red_flag_answers_are_derived_from_the_rules(book: Rulebook) -> None:
    # SPEC.md section 6: yes over no on every tri red-flag question, no over yes on
    # can_rotate_45, which the rules read as `not {can_rotate_45: yes}`.
    answers = red_flag_answers(book)
    assert answers[ROTATION] == "no"
    assert {k for k, v in answers.items() if v != "yes"} == {ROTATION}
    assert {"vascular_signs", "new_headache", "intoxicated", "neck_mark"} <= answers.keys()
    assert "sore_front" not in answers  # read by patterns only


def test_shipped_rules_pass_the_spec_guard(book: Rulebook) -> None:
    assert spec_violations(book) == []


def failing(folder: Path) -> dict[str, list[str]]:
    report = verify(load_rulebook(folder, allow_unproved=True))
    return {r.name.split(":")[0]: r.failures for r in report.results if not r.holds}


def result_of(folder: Path, start: str) -> verify_module.PropertyResult:
    report = verify(load_rulebook(folder, allow_unproved=True))
    return next(r for r in report.results if r.name.startswith(start))


def replay(answers: dict[str, Any], rules: Path) -> dict[str, Any]:
    """What the real command decides for these answers with these rules."""
    done = invoke(["screen", "--rules", str(rules), "--json", "--allow-unproved-rules"],
                  json.dumps(answers))  # fmt: skip
    assert done.stderr == "", done.stderr
    decision: dict[str, Any] = json.loads(done.stdout)
    return decision


def urgency(answers: dict[str, Any], rules: Path) -> int:
    return URGENCY[replay(answers, rules)["disposition"]]


def cli_rules_check() -> tuple[int, str]:
    """`neckcheck rules check` in this process (so that a patched solver is the one used)."""
    done = invoke(["rules", "check"])
    return done.returncode, done.stdout


def rules_check(*args: str, env: dict[str, str] | None = None) -> Done:
    return invoke(["rules", "check", *args], env=env)


# ---- Each property catches its own kind of mistake --------------------------------------------


def test_unsure_left_out_of_a_red_flag(rules_copy: Path) -> None:
    # emergency.head_injury on yes only: an unsure on day 3-14 gets only the urgent scan rule.
    edit(rules_copy, "decisions.yaml", "- {head_injury: [yes, unsure]}", "- {head_injury: yes}")
    result = result_of(rules_copy, "unsure")
    assert result.status == "FAIL"
    example = result.counterexamples[0]
    assert example["head_injury"] == "unsure"
    assert urgency(example, rules_copy) < urgency(example | {"head_injury": "yes"}, rules_copy)


def test_unsure_on_an_enum_question(rules_copy: Path) -> None:
    edit(
        rules_copy, "decisions.yaml", "- {neuro_onset: [sudden, unsure]}", "- {neuro_onset: sudden}"
    )
    result = result_of(rules_copy, "unsure")
    assert any(f.startswith("neuro_onset: 'unsure' gives") for f in result.failures)
    example = next(f.example for f in result.findings if f.text.startswith("neuro_onset"))
    assert example is not None
    assert example["neuro_onset"] == "unsure"
    assert urgency(example, rules_copy) < urgency(example | {"neuro_onset": "sudden"}, rules_copy)


def test_unsure_on_a_question_no_red_flag_reads(rules_copy: Path) -> None:
    # Taking an unsure front for "not sore" offers the technique where "sore" avoids it.
    edit(rules_copy, "decisions.yaml", "when: {injury: none, sore_back: yes, sore_front: no}",
         "when: {injury: none, sore_back: yes, sore_front: [no, unsure]}")  # fmt: skip
    result = result_of(rules_copy, "unsure")
    finding = next(f for f in result.findings if f.text.startswith("sore_front"))
    assert finding.example is not None
    assert finding.example["sore_front"] == "unsure"
    with_unsure = replay(finding.example, rules_copy)
    with_yes = replay(finding.example | {"sore_front": "yes"}, rules_copy)
    assert (with_unsure["disposition"], with_yes["disposition"]) == ("technique", "avoid_technique")


def test_yes_safer_than_no(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "when: {midline_tenderness: [yes, unsure]}",
         "when: {midline_tenderness: [no, unsure]}")  # fmt: skip
    result = result_of(rules_copy, "the red-flag answer")
    assert "midline_tenderness: the red-flag rules read 'no' as the red flag; the contract says " \
           "yes over no" in result.failures  # fmt: skip
    finding = next(f for f in result.findings if f.example is not None)
    assert finding.text.startswith("midline_tenderness: the red-flag answer 'yes' gives")
    example = finding.example
    assert example is not None
    assert example["midline_tenderness"] == "yes"
    assert urgency(example, rules_copy) < urgency(example | {"midline_tenderness": "no"},
                                                  rules_copy)  # fmt: skip


def test_rotation_read_the_wrong_way_round(rules_copy: Path) -> None:
    # The scan rules on "can turn the head" instead of "cannot": yes is now the red flag.
    path = rules_copy / "decisions.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("- not: {can_rotate_45: yes}") == 3
    path.write_text(text.replace("- not: {can_rotate_45: yes}", "- not: {can_rotate_45: no}"),
                    encoding="utf-8")  # fmt: skip
    assert red_flag_answers(load_rulebook(rules_copy, allow_unproved=True))[ROTATION] == "yes"
    result = result_of(rules_copy, "the red-flag answer")
    assert f"{ROTATION}: the red-flag rules read 'yes' as the red flag; the contract says " \
           "no over yes" in result.failures  # fmt: skip
    finding = next(f for f in result.findings if f.example is not None)
    assert finding.text.startswith(f"{ROTATION}: the red-flag answer 'no' gives")
    example = finding.example
    assert example is not None
    assert example[ROTATION] == "no"
    assert urgency(example, rules_copy) < urgency(example | {ROTATION: "yes"}, rules_copy)


def test_a_later_day_more_urgent(rules_copy: Path) -> None:
    # The emergency scan window cut to days 0-1: day 2 falls between it and the urgent one.
    edit(rules_copy, "decisions.yaml", "- {days_since_injury: {lte: 2}}\n        - not:",
         "- {days_since_injury: {lte: 1}}\n        - not:")  # fmt: skip
    result = result_of(rules_copy, "monotone in time")
    assert result.status == "FAIL"
    (finding,) = result.findings
    example = finding.example
    assert example is not None
    days = example["days_since_injury"]
    assert finding.text.startswith(f"days_since_injury {days} gives")
    later = example | {"days_since_injury": days + 1}
    assert urgency(example, rules_copy) < urgency(later, rules_copy)


def test_a_skipped_rotation_test_that_clears(rules_copy: Path) -> None:
    # "Cannot turn" read as the answers no or unsure only: a skipped question no longer fires.
    window = "- {days_since_injury: {lte: 2}}\n        - "
    edit(rules_copy, "decisions.yaml", window + "not: {can_rotate_45: yes}",
         window + "{can_rotate_45: [no, unsure]}")  # fmt: skip
    result = result_of(rules_copy, "a skipped rotation question clears nobody")
    assert result.status == "FAIL"
    (finding,) = result.findings
    assert finding.text.endswith("would give emergency")
    example = finding.example
    assert example is not None
    assert ROTATION not in example
    assert example["injury"] != "none"
    assert example["days_since_injury"] <= 2
    # SPEC.md section 1: a skipped test is a failed one, which on days 0-2 means emergency care.
    assert replay(example, rules_copy)["disposition"] != "emergency"
    assert replay(example, Path(load_rulebook().source))["disposition"] == "emergency"


def test_a_skipped_rotation_test_left_unexplained(rules_copy: Path) -> None:
    # An unsure dangerous accident still skips the rotation test (and so gets the scan rule's
    # urgency), but no reason names the accident any more.
    edit(rules_copy, "decisions.yaml", "when: {dangerous_mechanism: [yes, unsure]}",
         "when: {dangerous_mechanism: yes}")  # fmt: skip
    failures = failing(rules_copy)
    assert list(failures) == ["a skipped rotation test is explained"]
    result = result_of(rules_copy, "a skipped rotation test is explained")
    (finding,) = result.findings
    assert "no fired red flag reads dangerous_mechanism" in finding.text
    example = finding.example
    assert example is not None
    assert example["dangerous_mechanism"] == "unsure"
    reasons = [r["rule"] for r in replay(example, rules_copy)["reasons"]]
    assert reasons
    assert not any("dangerous_mechanism" in r for r in reasons)
    shipped = [r["rule"] for r in replay(example, Path(load_rulebook().source))["reasons"]]
    assert "clinician.dangerous_mechanism" in shipped


def test_pattern_shadowed_is_a_dead_rule(rules_copy: Path) -> None:
    # A catch-all pattern first: every later pattern and `otherwise` become dead.
    extra = "        - {sore_front: no}\n        - {sore_front: unsure}\n"
    edit(rules_copy, "decisions.yaml", "        - {sore_front: yes}\n",
         "        - {sore_front: yes}\n" + extra)  # fmt: skip
    failures = failing(rules_copy)
    assert "no dead rule" in failures
    assert any("pattern.back_loaded_after_accident never decides" in f
               for f in failures["no dead rule"])  # fmt: skip


def test_red_flag_that_only_names_a_reason_is_alive(book: Rulebook) -> None:
    # clinician.intoxicated never decides (an intoxicated person skips the rotation test, and
    # the scan rules are more urgent), but it fires and is listed as a reason: not dead.
    result = next(r for r in verify(book).results if r.name.startswith("no dead rule"))
    assert result.holds


def test_read_of_a_question_that_is_always_skipped(rules_copy: Path) -> None:
    rule = "    when: {injury: none, sore_back: yes, sore_front: no"
    edit(rules_copy, "decisions.yaml", rule + "}", rule + ", not: {head_injury: yes}}")
    failures = failing(rules_copy)
    assert failures == {"no rule reads a question that is skipped whenever the rule matters": [
        "pattern.back_sore_no_injury reads head_injury, which is never asked when "
        "pattern.back_sore_no_injury decides"]}  # fmt: skip


def test_unread_question(rules_copy: Path) -> None:
    text = (rules_copy / "cautions.yaml").read_text(encoding="utf-8")
    text = text.replace("    when: {low_back_pain: [yes, unsure]}\n", "    when: {injury: none}\n")
    (rules_copy / "cautions.yaml").write_text(text, encoding="utf-8")
    failures = failing(rules_copy)
    assert failures["every question is read by a rule, a caution or the skip logic"] == [
        "question low_back_pain is asked but no rule reads it"
    ]


def test_dead_caution(rules_copy: Path) -> None:
    edit(rules_copy, "cautions.yaml", "when: {known_spine_problem: disc_or_nerve}",
         "when: {known_spine_problem: surgery_or_fusion}")  # fmt: skip
    assert failing(rules_copy)["no dead caution"] == [
        "caution no_traction never shows with a technique outcome"
    ]


def test_caution_dead_for_one_of_its_dispositions(rules_copy: Path) -> None:
    # A backward fall always avoids the technique: shown with avoid_technique, never technique.
    edit(rules_copy, "cautions.yaml", "when: {days_since_injury: {lte: 1}}",
         "when: {fall_direction: backward}")  # fmt: skip
    assert failing(rules_copy)["no dead caution"] == [
        "caution recent_injury never shows with a technique outcome"
    ]


def test_cli_exit_codes_and_counterexample(rules_copy: Path) -> None:
    ok = rules_check()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "every property holds" in ok.stdout
    assert "UNPROVED" not in ok.stdout
    assert "FAIL" not in ok.stdout
    edit(rules_copy, "decisions.yaml", "when: {bladder_bowel: [yes, unsure]}",
         "when: {bladder_bowel: yes}")  # fmt: skip
    bad = rules_check(str(rules_copy))
    assert bad.returncode == EXIT_NOT_SHOWN_SAFE
    assert "FAIL unsure is never safer" in bad.stdout
    assert "properties FAIL" in bad.stdout.splitlines()[-1]
    line = next(x for x in bad.stdout.splitlines() if x.strip().startswith("{"))
    example = json.loads(line)
    assert replay(example, rules_copy)["disposition"] != "emergency"  # unsure slips through
    assert replay(example | {"bladder_bowel": "yes"}, rules_copy)["disposition"] == "emergency"


# ---- A proof the solver does not finish is unproved, never proved ------------------------------


def test_resource_limit_leaves_every_solver_property_unproved(book: Rulebook) -> None:
    report = verify(book, rlimit=1)
    assert not report.holds
    for result in report.results:
        if result.name.startswith("every question is read"):  # no solver involved
            assert result.status == "proved"
            continue
        assert result.status == "unproved", result.name
        assert not result.holds
        assert result.findings == []
        assert result.unproved
        assert all("z3 answered unknown (" in u and "resource limit" in u
                   for u in result.unproved)  # fmt: skip
    assert report.unproved == [r.name for r in report.results][:-1]


def test_timeouts_are_unproved_never_failed(book: Rulebook) -> None:
    # 1 ms per solver call: some calls finish, some time out (how many depends on the machine).
    report = verify(book, timeout_ms=1)
    assert not report.interrupted
    for result in report.results:
        assert result.status in ("proved", "unproved")
        assert result.holds == (result.status == "proved")
        assert all("z3 answered unknown (timeout" in u for u in result.unproved)
        assert result.proved + len(result.unproved) == result.checked


def test_solver_unknown_is_unproved(book: Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(z3.Solver, "check", lambda self, *a: z3.unknown)
    report = verify(book)
    monotone = next(r for r in report.results if r.name.startswith("monotone in time"))
    assert monotone.status == "unproved"
    assert monotone.proved == 0
    assert monotone.unproved == ["days_since_injury d vs d + 1: z3 answered unknown (unknown)"]
    assert not report.interrupted
    exit_code, output = cli_rules_check()
    assert exit_code == EXIT_NOT_SHOWN_SAFE
    assert f"UNPROVED {monotone.name}" in output
    assert "unproved: days_since_injury d vs d + 1: z3 answered unknown" in output
    last = output.splitlines()[-1]
    assert "unproved" in last
    assert "monotone in time" in last
    assert "every property holds" not in output


def test_interrupted_solver(book: Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C inside z3 makes the check return unknown (z3 handles the signal itself).
    monkeypatch.setattr(z3.Solver, "check", lambda self, *a: z3.unknown)
    monkeypatch.setattr(z3.Solver, "reason_unknown", lambda self: "interrupted from keyboard")
    report = verify(book)
    assert report.interrupted
    first = report.results[0]
    assert first.unproved[0].endswith("z3 answered unknown (interrupted from keyboard)")
    assert first.unproved[1].endswith("not attempted: the check was interrupted")
    done = invoke(["rules", "check"])
    exit_code, out, err = done.returncode, done.stdout, done.stderr
    assert exit_code == 130  # SPEC.md section 5
    assert "Proved over" not in out  # half a proof is none: no table, no verdict
    assert err == "neckcheck: interrupted: the safety properties were not proved\n"


def test_cli_unproved_exits_not_shown_safe() -> None:
    env = {**os.environ, "NECKCHECK_VERIFY_RLIMIT": "1"}
    done = rules_check(env=env)
    assert done.returncode == EXIT_NOT_SHOWN_SAFE, done.stdout + done.stderr
    assert "every property holds" not in done.stdout
    assert "UNPROVED monotone in time" in done.stdout
    assert "unproved: days_since_injury d vs d + 1: z3 answered unknown (" in done.stdout
    assert "resource limit" in done.stdout
    assert "11 unproved: completeness" in done.stdout.splitlines()[-1]


def test_a_deleted_red_flag_makes_check_and_compile_exit_not_shown_safe(rules_copy: Path) -> None:
    """Rules that are not shown safe exit 8, as an under-triaged case does in `rules evaluate`;
    never 1, which SPEC section 5 keeps for a bug in neckcheck."""
    decisions = rules_copy / "decisions.yaml"
    text = decisions.read_text(encoding="utf-8")
    start = text.index("  - id: emergency.chest_symptoms\n")
    end = text.index("  - id: ", start + 1)
    decisions.write_text(text[:start] + text[end:], encoding="utf-8")
    checked = rules_check(str(rules_copy))
    assert checked.returncode == EXIT_NOT_SHOWN_SAFE, checked.stdout + checked.stderr
    assert "FAIL the contract's red flags" in checked.stdout
    assert "properties FAIL" in checked.stdout.splitlines()[-1]
    compiled = invoke(["rules", "compile", str(rules_copy)])
    assert compiled.returncode == EXIT_NOT_SHOWN_SAFE, compiled.stdout + compiled.stderr
    assert "not proved: the contract's red flags" in compiled.stdout


@pytest.mark.parametrize("command", ["check", "compile"])
def test_the_exit_codes_of_check_and_compile_are_documented_and_none_is_1(command: str) -> None:
    shown = " ".join(invoke(["rules", command, "-h"]).stdout.split())
    codes = [int(code) for code in re.findall(r"(?:Exit|;) (\d+) when", shown)]
    assert codes == [0, EXIT_NOT_SHOWN_SAFE, EXIT_USAGE, EXIT_INTERRUPTED], shown
    assert "not 1, which is kept for a bug" in shown
    scripting = (Path(__file__).parents[1] / "docs" / "scripting.md").read_text(encoding="utf-8")
    row = next(line for line in scripting.splitlines()
               if line.startswith(f"| {EXIT_NOT_SHOWN_SAFE} |"))  # fmt: skip
    assert f"`rules {command}`" in row
    listed = dict(EXIT_CODES)[str(EXIT_NOT_SHOWN_SAFE)]
    assert f"rules {command}" in listed


def test_counterexample_the_engine_does_not_reproduce_is_unproved(
    rules_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # If the encoding and the engine disagreed, a solver counterexample would not replay: that
    # is no proof of the property and no confirmed failure either.
    edit(rules_copy, "decisions.yaml", "when: {bladder_bowel: [yes, unsure]}",
         "when: {bladder_bowel: yes}")  # fmt: skip
    broken = load_rulebook(rules_copy, allow_unproved=True)
    calm = {**{q.id: "no" for q in broken.questions if q.type == "tri"}, "meningitis_signs": "yes"}
    emergency = verify_module.screen_document(
        {"age": 40, "injury": "none", "known_spine_problem": "none", **calm}, broken
    )
    assert emergency.disposition == "emergency"
    monkeypatch.setattr(verify_module, "screen_document", lambda answers, book: emergency)
    report = verify(broken)
    unsure = next(r for r in report.results if r.name.startswith("unsure"))
    assert unsure.status == "unproved"
    assert any("bladder_bowel unsure vs" in u and "does not replay in the engine" in u
               for u in unsure.unproved)  # fmt: skip
    caution = next(r for r in report.results if r.name.startswith("no dead caution"))
    assert caution.status == "unproved"  # the witnesses do not replay either
    assert not report.holds


# ---- Mutations: no red-flag rule without a guard ----------------------------------------------


def _weaker_compares(c: Compare, book: Rulebook, positive: bool) -> Iterator[tuple[str, Compare]]:
    """Each one-step weakening of a comparison that pushes its rule towards firing (under a
    `not`, positive is False and the weakening goes the other way): an int threshold moved by
    one (lte 2 -> lte 1, gte 65 -> gte 66, lt 16 -> lt 15), or one value fewer in the set of
    answers that fire ([yes, unsure] -> yes, or `not yes` -> `not [yes, no]`)."""
    q = book.question(c.key)
    assert q is not None
    if q.type == "int":
        step = {"lt": -1, "lte": -1, "gt": 1, "gte": 1}[c.op]
        assert isinstance(c.value, int)
        new = c.value + step if positive else c.value - step
        yield f"{c.key} {c.op} {c.value} -> {new}", dataclasses.replace(c, value=new)
        return
    domain = q.allowed_values()
    holding = [v for v in domain if c.holds({c.key: v})]
    if positive:  # one value fewer fires
        fewer = [[v for v in holding if v != drop] for drop in holding] if len(holding) > 1 else []
    else:  # one value more holds inside the `not`
        rest = [v for v in domain if v not in holding]
        fewer = [[v for v in domain if v in holding or v == add] for add in rest] \
            if len(rest) > 1 else []  # fmt: skip
    for values in fewer:
        yield f"{c.key} {holding} -> {values}", Compare(c.key, "in", tuple(values))


def weakenings(cond: Condition, book: Rulebook, positive: bool = True) -> Iterator[
        tuple[str, Condition]]:  # fmt: skip
    if isinstance(cond, Compare):
        yield from _weaker_compares(cond, book, positive)
    elif isinstance(cond, Not):
        for label, new in weakenings(cond.part, book, not positive):
            yield f"not ({label})", Not(new)
    else:
        assert isinstance(cond, All | AnyOf)
        for i, part in enumerate(cond.parts):
            for label, new in weakenings(part, book, positive):
                parts = (*cond.parts[:i], new, *cond.parts[i + 1 :])
                yield label, dataclasses.replace(cond, parts=parts)


def mutants(book: Rulebook) -> dict[str, Rulebook]:
    """Every red-flag rule deleted, and every one-step weakening of each of its comparisons,
    generated from the shipped decisions.yaml."""
    out: dict[str, Rulebook] = {}
    for rule in book.red_flags:
        rest = tuple(r for r in book.red_flags if r.id != rule.id)
        out[f"delete {rule.id}"] = dataclasses.replace(book, red_flags=rest)
        assert rule.when is not None
        for label, when in weakenings(rule.when, book):
            flags = tuple(dataclasses.replace(r, when=when) if r.id == rule.id else r
                          for r in book.red_flags)  # fmt: skip
            out[f"{rule.id}: {label}"] = dataclasses.replace(book, red_flags=flags)
    return out


@cache
def shipped_mutants() -> dict[str, Rulebook]:
    return mutants(load_rulebook())


@cache
def guard_ready() -> bool:
    """The SPEC guard counts only once it passes on the shipped rules (it tracks SPEC.md v3)."""
    return spec_violations(load_rulebook()) == []


def caught(book: Rulebook) -> list[str]:
    guards = [f"rules check: {r.name}" for r in verify(book).results if not r.holds]
    if not guards and guard_ready() and spec_violations(book):
        guards.append("SPEC guard of the test suite")
    return guards


def test_mutations_cover_every_red_flag_and_threshold(book: Rulebook) -> None:
    labels = list(shipped_mutants())
    assert len(labels) > 2 * len(book.red_flags)
    for rule in book.red_flags:
        assert f"delete {rule.id}" in labels
    for expected in (
        "emergency.neck_scan_first_days: days_since_injury lte 2 -> 1",
        "emergency.head_injury: days_since_injury lte 14 -> 13",
        "clinician.age_65_after_injury: age gte 65 -> 66",
        "clinician.under_16: age lt 16 -> 15",
        "emergency.vascular: vascular_signs ['yes', 'unsure'] -> ['yes']",
        "emergency.vascular: signs_recent ['yes', 'unsure'] -> ['yes']",
        "urgent.new_headache: signs_recent ['yes', 'unsure'] -> ['yes']",
        "delete emergency.chest_symptoms",
        "delete emergency.sudden_onset",
        "delete clinician.long_standing_signs",
        "emergency.neck_scan_first_days: not (can_rotate_45 ['yes'] -> ['yes', 'no'])",
    ):
        assert expected in labels


@pytest.mark.parametrize("label", list(shipped_mutants()))
def test_mutant_is_real(book: Rulebook, label: str) -> None:
    """Each mutant's rule fires on strictly fewer answer sets (or none): a real weakening."""
    mutant = shipped_mutants()[label]
    rule_id = label.split(":")[0].removeprefix("delete ")
    before = _Encoding(book)
    after = _Encoding(mutant)
    was, still = before.fires[rule_id], after.fires.get(rule_id, z3.BoolVal(False))
    assert before.search(was, z3.Not(still), calm=False).verdict == "sat", f"{label} loses nothing"
    assert before.search(still, z3.Not(was), calm=False).verdict == "unsat", f"{label} gains"


@pytest.mark.slow  # a whole proof for each of the 122 mutants
@pytest.mark.parametrize("label", list(shipped_mutants()))
def test_mutant_is_caught(label: str) -> None:
    guards = caught(shipped_mutants()[label])
    ready = "" if guard_ready() else " (the SPEC guard does not pass on the shipped rules yet)"
    assert guards, f"{label} went unnoticed by rules check and the SPEC guard{ready}"


@pytest.mark.parametrize(
    ("what", "old", "new"),
    [
        # signs_recent asked only after dizziness and the like: a new headache alone then
        # skips it, and no rule reads the headache any more.
        (
            "signs_recent asked for vascular_signs only",
            "        - {vascular_signs: [yes, unsure]}\n        - {new_headache: [yes, unsure]}\n"
            "    prompt: Did any",
            "        - {vascular_signs: [yes, unsure]}\n        - {vascular_signs: [yes, unsure]}\n"
            "    prompt: Did any",
        ),
    ],
)
def test_v3_question_mutations_fail_rules_check(
    rules_copy: Path, what: str, old: str, new: str
) -> None:
    edit(rules_copy, "questions.yaml", old, new)
    report = verify(load_rulebook(rules_copy, allow_unproved=True))
    assert not report.holds, what


def threads_of(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except FileNotFoundError:  # it has ended
        return 0


def stop_while_proving(process: subprocess.Popen[bytes]) -> None:
    """Hold the process still while it proves. Before the proof it has one thread; from the
    start of verify() on it has more (the signal watcher, z3's timers). No clock is involved:
    the process is stopped, then looked at."""
    import signal

    while True:
        if threads_of(process.pid) > 1:
            process.send_signal(signal.SIGSTOP)
            if threads_of(process.pid) > 1:
                return
            process.send_signal(signal.SIGCONT)
        assert process.poll() is None, "the proof ended before it could be interrupted"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("run", range(3))
def test_sigint_while_proving_exits_130_with_one_line(run: int) -> None:
    import signal

    process = subprocess.Popen([*neckcheck_command(), "rules", "check"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)  # fmt: skip
    stop_while_proving(process)
    process.send_signal(signal.SIGINT)  # as `kill -INT`, or Ctrl-C in its terminal
    process.send_signal(signal.SIGCONT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, (out, err)
    assert b"every property holds" not in out
    assert b"Traceback" not in err
    assert len(err.decode().splitlines()) == 1
    assert err.startswith(b"neckcheck: interrupted")
