"""Documents generated from a rulebook: the rule report (which test exercises which rule) and a
Mermaid flowchart of the decision. Pure text in, text out."""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from neckcheck.core.model import (
    CONTRACT_VERSION,
    OUTCOME_EXIT_CODES,
    TIMEFRAMES,
    URGENCY,
    Rule,
    Rulebook,
)

_TEST_DEF = re.compile(r"^\s*def (test_\w+)", re.MULTILINE)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def test_files(tests_dir: Path) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """The tests folder's Python and JSON files, read once: (name, text, the test functions'
    starts and names). Installed packages (node_modules) and hidden folders are not tests."""
    files = []
    for path in sorted(tests_dir.rglob("*")):
        parts = path.relative_to(tests_dir).parts
        if path.suffix not in (".py", ".json") or not path.is_file():
            continue
        if any(part == "node_modules" or part.startswith(".") for part in parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        defs = [(m.start(), m.group(1)) for m in _TEST_DEF.finditer(text)]
        files.append((path.relative_to(tests_dir.parent).as_posix(), text, defs))
    return files


def tests_exercising(
    rule_id: str, files: list[tuple[str, str, list[tuple[int, str]]]]
) -> list[str]:
    """Test files (and test functions) that name the rule id: tables, vignettes, assertions."""
    found: list[str] = []
    for name, text, defs in files:
        if rule_id not in text:
            continue
        functions: list[str] = []
        if name.endswith(".py"):
            starts = [start for start, _ in defs]
            for match in re.finditer(re.escape(rule_id), text):
                index = bisect.bisect_right(starts, match.start()) - 1  # the def above it
                if index >= 0 and defs[index][1] not in functions:
                    functions.append(defs[index][1])
        found.append(f"{name}::{', '.join(functions)}" if functions else name)
    return found


def rules_report(book: Rulebook, tests_dir: Path | None) -> str:
    lines = [
        f"# neckcheck rules report (rules version {book.version})",
        "",
        "| id | outcome | disposition | reason | source | tests |",
        "|---|---|---|---|---|---|",
    ]
    files = test_files(tests_dir) if tests_dir is not None and tests_dir.is_dir() else None
    for rule in book.rules:
        if files is not None:
            tests = "<br>".join(tests_exercising(rule.id, files)) or "**none**"
        else:
            tests = "(no tests folder)"
        lines.append(
            f"| `{rule.id}` | {rule.outcome} | {rule.disposition} | {_cell(rule.reason)} | "
            f"{_cell(rule.source)} | {tests} |"
        )
    lines += [
        "",
        "tests/rows.py is the table that tests/test_engine.py::test_each_rule_decides_as_spec_says "
        "runs, and tests/cases/ holds the vignettes of "
        "tests/test_engine.py::test_clinical_vignette. "
        "Every rule is also covered by the property tests (tests/test_properties.py), by the "
        "proofs of `neckcheck rules check` and by the mutation tests (tests/test_verify.py).",
    ]
    return "\n".join(lines) + "\n"


def _label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def _outcome_node(rule: Rule) -> str:
    code = OUTCOME_EXIT_CODES[(rule.outcome, rule.disposition)]
    return _label(f"{rule.outcome} / {rule.disposition}<br>exit {code}")


def mermaid(book: Rulebook) -> str:
    """A flowchart of the decision, from the questions to the outcomes."""
    out = ["flowchart TD"]
    out.append('  subgraph Q["Questions, in the order asked"]')
    out.append("    direction TB")
    previous = None
    for n, group in enumerate(book.groups):
        ids = [q.id for q in book.questions if q.group == group.id]
        if not ids:
            continue
        node = f"G{n}"
        out.append(f"    {node}[{_label(group.title + '<br>' + ', '.join(ids))}]")
        if previous:
            out.append(f"    {previous} --> {node}")
        previous = node
    out.append("  end")
    out.append("  Q --> F0")
    levels = sorted({URGENCY[r.disposition] for r in book.red_flags}, reverse=True)
    step = 0
    for level in levels:
        flags = [r for r in book.red_flags if URGENCY[r.disposition] == level]
        title = f"Any {flags[0].disposition} red flag?<br>" + "<br>".join(r.id for r in flags)
        out.append(f"  F{step}{{{_label(title)}}}")
        out.append(f"  F{step} -- yes --> R{step}[[{_outcome_node(flags[0])}]]")
        out.append(f"  F{step} -- no --> F{step + 1}")
        step += 1
    for n, pattern in enumerate(book.patterns):
        node = f"F{step + n}"
        out.append(f"  {node}{{{_label(pattern.id + '<br>' + str(pattern.when))}}}")
        out.append(f"  {node} -- yes --> P{n}[{_outcome_node(pattern)}]")
        out.append(f"  {node} -- no --> F{step + n + 1}")
    last = f"F{step + len(book.patterns)}"
    out.append(f"  {last}[{_outcome_node(book.otherwise)}]")
    return "\n".join(out) + "\n"


_TYPE_WORDS = {"tri": "yes / no / unsure", "int": "whole number", "enum": "one of"}


def answer_reference(book: Rulebook) -> str:
    """The answer-set contract in Markdown, generated from the rules: every key with its type,
    values and when it is asked, then the outcomes with their exit codes and time frames."""
    lines = [
        "# The neckcheck answer set and decision",
        "",
        "<!-- Generated by `neckcheck rules reference` from rules/; a test fails when it is stale."
        " -->",
        "",
        f"Contract version {CONTRACT_VERSION}, rules version {book.version}.",
        "",
        "An answer set is one JSON object (UTF-8, a byte-order mark allowed) whose keys are the "
        'question ids below. A key given twice is an error. `tri` answers are `"yes"`, `"no"` '
        'or `"unsure"` (JSON `true`/`false` count as yes/no); `int` answers are JSON whole '
        'numbers in range (`"42"` is an error); `enum` answers are one of the listed strings.',
        "",
        "Every question that is asked must be answered. A question is asked when its condition "
        "holds; a key for a question that is not asked may be given, is still type-checked, and "
        "plays no part in the decision. An unknown key, a wrong type, a value out of range or a "
        "missing answer is an input error: every problem is reported at once, each naming its "
        "key, with exit code 2 and nothing on standard output.",
        "",
        "On every red-flag question, `unsure` counts as `yes`. After an injury, the head-turning "
        "test (`can_rotate_45`) counts as failed when the answer is `no` or `unsure`, and also "
        "when it is not asked: it is asked only when the other answers make moving the neck safe.",
        "",
        "## Questions, in the order asked",
        "",
        "| # | key | type | values | asked when | question |",
        "|---|---|---|---|---|---|",
    ]
    for n, q in enumerate(book.questions, start=1):
        if q.type == "int":
            values = f"{q.min} to {q.max}"
        else:
            values = ", ".join(f"`{v}` ({book.answer_label(q, v)})" for v in q.allowed_values())
        when = "always" if q.asked_when is None else f"`{q.asked_when}`"
        lines.append(
            f"| {n} | `{q.id}` | {q.type} | {_cell(values)} | {_cell(when)} | {_cell(q.prompt)} |"
        )
    lines += [
        "",
        "## Outcomes",
        "",
        "Exactly one per answer set. The exit code of `neckcheck screen` is the outcome's code; "
        "4, 5 or 6 mean no self-treatment, and 5 or 6 mean care today.",
        "",
        "| outcome | disposition | exit code | timeframe | headline |",
        "|---|---|---|---|---|",
    ]
    for (outcome, disposition), code in sorted(
        OUTCOME_EXIT_CODES.items(), key=lambda item: -URGENCY[item[0][1]]
    ):
        timeframe = TIMEFRAMES[disposition]
        headline = book.text_for(outcome, disposition).headline
        lines.append(
            f"| `{outcome}` | `{disposition}` | {code} | "
            f"{'`' + timeframe + '`' if timeframe else 'null'} | {_cell(headline)} |"
        )
    lines += [
        "",
        "Other exit codes: 2 for a usage or input error, 130 when interrupted, 141 when the "
        "reader of the output goes away, 143 on SIGTERM, 1 for a bug in neckcheck.",
        "",
        "## Cautions",
        "",
        "Shown, in this order, with the self-care outcomes they apply to when their condition "
        "holds; other outcomes carry none.",
        "",
        "| id | shown with | when | says |",
        "|---|---|---|---|",
    ]
    for c in book.cautions:
        when = "always" if c.when is None else f"`{c.when}`"
        lines.append(f"| `{c.id}` | {', '.join(c.applies_to)} | {_cell(when)} | {_cell(c.text)} |")
    lines += [
        "",
        "## JSON output (`--json`)",
        "",
        "One object with the keys `outcome`, `disposition`, `exit_code`, `timeframe` (`now`, "
        "`today`, `soon` or null), `headline`, `advice`, `reasons` (every rule that fired, most "
        "urgent first, each with `rule`, `text`, `source` and `disposition`), `cautions` (each "
        "with `id` and `text`), `technique`, `steps` (empty unless the disposition is "
        "`technique`), `see_also` (empty unless it is `technique` or `avoid_technique`), "
        f"`rules_version`, `contract_version` ({CONTRACT_VERSION}) and `disclaimer`. Keys may be "
        "added; none of these is removed or renamed within this contract version.",
    ]
    return "\n".join(lines) + "\n"


_LEVEL_WORDS = {
    "emergency": "Emergency care now",
    "urgent": "A doctor today, within hours",
    "clinician": "A clinician in the next days, before any self-treatment",
}


def _whole(name: str) -> str:
    """A rule id or an answer key in code, which the manual's style sheet keeps whole (never
    broken inside a word); elsewhere the span is invisible."""
    return f'<span class="whole-name">`{name}`</span>'


def _reads(book: Rulebook, rule: Rule) -> str:
    """The condition, then each question it reads: its key beside its short wording."""
    if rule.when is None:
        return "anything else"
    keys = sorted(rule.when.reads, key=[q.id for q in book.questions].index)
    named = "<br>".join(f"`{key}`: {_cell(book.question_read(key).label)}" for key in keys)
    return f"`{_cell(str(rule.when))}`<br>{named}"


def red_flag_reference(book: Rulebook) -> str:
    """Every red flag for clinicians, generated from the rules: grouped by level of care, each
    with when it fires, what the person is told and where its threshold comes from; then the
    patterns that decide when no red flag fires."""
    lines = [
        "# Red flags, for clinicians",
        "",
        "<!-- Generated by `neckcheck rules reference --red-flags` from rules/; a test fails when"
        " it is stale. -->",
        "",
        f"Rules version {book.version}, contract version {CONTRACT_VERSION}.",
        "",
        "Every red flag is evaluated on every answer set, and all that fire are listed in the "
        "result, most urgent first; the most urgent decides the disposition. No self-care "
        "technique is offered when any of them fires. On every red-flag question `unsure` "
        "counts as `yes`, and after an injury a head-turning test (`can_rotate_45`) that was not "
        "asked counts as failed. The conditions use the answer keys of [the answer-set "
        "reference](answers.md); a comparison on a question that was not asked is false.",
    ]
    levels = sorted({r.disposition for r in book.red_flags}, key=lambda d: -URGENCY[d])
    for disposition in levels:
        flags = [r for r in book.red_flags if r.disposition == disposition]
        code = OUTCOME_EXIT_CODES[("red_flag", disposition)]
        timeframe = TIMEFRAMES[disposition]
        lines += [
            "",
            f"## {_LEVEL_WORDS.get(disposition, disposition)} (`{disposition}`)",
            "",
            f"Disposition `{disposition}`, exit code {code}, timeframe "
            f"{'`' + timeframe + '`' if timeframe else 'null'}; {len(flags)} red flags.",
            "",
            "| rule | fires when, and the questions it reads | the person is told | source |",
            "|---|---|---|---|",
        ]
        for r in flags:
            lines.append(
                f"| {_whole(r.id)} | {_reads(book, r)} | {_cell(r.reason)} | {_cell(r.source)} |"
            )
    lines += [
        "",
        "## When no red flag fires",
        "",
        "The first pattern that matches decides; if none does, the result is the last row.",
        "",
        "| rule | outcome / disposition | exit code | matches when, and the questions it reads | "
        "the person is told | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in (*book.patterns, book.otherwise):
        code = OUTCOME_EXIT_CODES[(r.outcome, r.disposition)]
        lines.append(
            f"| {_whole(r.id)} | `{r.outcome}` / `{r.disposition}` | {code} | {_reads(book, r)} | "
            f"{_cell(r.reason)} | {_cell(r.source)} |"
        )
    lines += [
        "",
        "## The questions, as the person reads them",
        "",
        "Each key the rules read, in the order asked, with the question's wording and its help "
        "line as shown in the interview, and the answers it takes.",
        "",
        "| key | the question | help shown with it | answers |",
        "|---|---|---|---|",
    ]
    for q in book.questions:
        if q.type == "int":
            answers = f"a whole number, {q.min} to {q.max}"
        else:
            answers = "<br>".join(f"`{v}`: {book.answer_label(q, v)}" for v in q.allowed_values())
        lines.append(f"| {_whole(q.id)} | {_cell(q.prompt)} | {_cell(q.help)} | {_cell(answers)} |")
    return "\n".join(lines) + "\n"
