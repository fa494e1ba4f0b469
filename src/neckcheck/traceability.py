"""Documents generated from a rulebook: the rule report (which test exercises which rule) and a
Mermaid flowchart of the decision. Pure text in, text out."""

from __future__ import annotations

import re
from pathlib import Path

from neckcheck.model import OUTCOME_EXIT_CODES, URGENCY, Rule, Rulebook

_TEST_DEF = re.compile(r"^\s*def (test_\w+)", re.MULTILINE)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def tests_exercising(rule_id: str, tests_dir: Path) -> list[str]:
    """Test files (and test functions) that name the rule id: tables, vignettes, assertions."""
    found: list[str] = []
    for path in sorted(tests_dir.rglob("*")):
        if path.suffix not in (".py", ".json") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if rule_id not in text:
            continue
        name = path.relative_to(tests_dir.parent).as_posix()
        functions: list[str] = []
        if path.suffix == ".py":
            for match in re.finditer(re.escape(rule_id), text):
                defs = _TEST_DEF.findall(text, 0, match.start())
                if defs and defs[-1] not in functions:
                    functions.append(defs[-1])
        found.append(f"{name}::{', '.join(functions)}" if functions else name)
    return found


def rules_report(book: Rulebook, tests_dir: Path | None) -> str:
    lines = [
        f"# neckcheck rules report (rules version {book.version})",
        "",
        "| id | outcome | disposition | reason | source | tests |",
        "|---|---|---|---|---|---|",
    ]
    for rule in book.rules:
        if tests_dir is not None and tests_dir.is_dir():
            tests = "<br>".join(tests_exercising(rule.id, tests_dir)) or "**none**"
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
