"""`--explain` shows each rule's real structure: the tree of all / any / not in the shape of the
rule file, each part with its truth for the answers given, so that what it prints can be checked
by hand against the rule file."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from neckcheck.cli.render import render_trace
from neckcheck.core.answers import check_answers
from neckcheck.core.conditions import parse
from neckcheck.core.explain import Part, explain
from neckcheck.core.model import Rulebook
from tests.guard import calm_sample
from tests.spec import BASELINE


def plain(part: Part, compares: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The tree back in the spelling of the rule file; `compares` maps each printed comparison
    to its own spelling."""
    if part.check is not None:
        return compares[part.check.test]
    if part.op == "not":
        return {"not": plain(part.parts[0], compares)}
    return {part.op: [plain(p, compares) for p in part.parts]}


def shown(answers: dict[str, Any], book: Rulebook) -> str:
    out = io.StringIO()
    # Wide enough that no line wraps: each printed line is one node of the tree.
    console = Console(file=out, width=300, color_system=None, highlight=False)
    render_trace(explain(check_answers(answers, book), book), console)
    return out.getvalue()


def rule_block(text: str, rule: str) -> list[str]:
    """The lines of one rule in the printed tree, from its header to the next rule."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if f"] {rule} ->" in line)
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if "] " in line and " -> " in line:
            break
        block.append(line)
    return block


def truth_holds(part: Part) -> None:
    """Every node's truth follows from its parts' truths, as all / any / not say."""
    for child in part.parts:
        truth_holds(child)
    if part.op == "all":
        assert part.holds == all(p.holds for p in part.parts)
    elif part.op == "any":
        assert part.holds == any(p.holds for p in part.parts)
    elif part.op == "not":
        assert len(part.parts) == 1
        assert part.holds == (not part.parts[0].holds)
    else:
        assert part.op == "compare"
        assert part.check is not None
        assert not part.parts
        assert part.holds == part.check.holds


@pytest.mark.parametrize("answers", [BASELINE, *calm_sample(60, seed=27)])
def test_the_tree_is_the_rule_file_and_its_truths_add_up(
    answers: dict[str, Any], book: Rulebook
) -> None:
    checked = check_answers(answers, book)
    facts = checked.facts
    by_id = {r.id: r for r in book.rules}
    for trace in explain(checked, book):
        rule = by_id[trace.rule]
        if rule.when is None:
            assert trace.condition is None
            continue
        assert trace.condition is not None
        # The same structure as the rule file: rebuilt from the tree, it parses to the rule.
        compares = {str(c): c.to_plain() for c in rule.when.compares()}
        assert parse(plain(trace.condition, compares)) == rule.when
        truth_holds(trace.condition)
        assert trace.condition.holds == rule.when.holds(facts) == trace.matched
        for check in trace.checks:
            assert check.answer == facts.get(check.key)


def test_a_not_shows_its_part_false_and_itself_true(book: Rulebook) -> None:
    # The head does not turn on day 1: the scan rule fires through `not: {can_rotate_45: yes}`.
    answers = BASELINE | {"days_since_injury": 1, "can_rotate_45": "no"}
    block = rule_block(shown(answers, book), "emergency.neck_scan_first_days")
    text = "\n".join(block)
    assert block[0].strip(" │├└─").startswith("[FIRED] emergency.neck_scan_first_days")
    assert "all (every part true): true" in text
    assert "days_since_injury <= 2: true (answer: 1)" in text
    not_line = next(n for n, line in enumerate(block) if "not (the part below false): true" in line)
    assert "can_rotate_45 = yes: false (answer: no)" in block[not_line + 1]
    # The comparison sits under the `not`, one level deeper.
    assert block[not_line + 1].index("can_rotate_45") > block[not_line].index("not")
    assert "can_rotate_45 = yes? yes" not in text


def test_a_skipped_rotation_test_is_shown_as_skipped(book: Rulebook) -> None:
    answers = BASELINE | {"days_since_injury": 0, "midline_tenderness": "unsure"}
    answers.pop("can_rotate_45")
    block = "\n".join(rule_block(shown(answers, book), "emergency.neck_scan_first_days"))
    assert "can_rotate_45 = yes: false (question skipped)" in block
    assert "not (the part below false): true" in block


def test_a_fired_pattern_shows_which_alternative_held(book: Rulebook) -> None:
    # A face-first fall: of the pattern's two alternatives, the fall holds and the other not.
    block = rule_block(shown(BASELINE, book), "pattern.back_loaded_after_accident")
    text = "\n".join(block)
    assert block[0].strip(" │├└─").startswith("[FIRED] pattern.back_loaded_after_accident")
    any_line = next(n for n, line in enumerate(block) if "any (at least one part true)" in line)
    assert block[any_line].endswith(": true")
    # The false alternative is printed as false under a true `any`, not as a failed check.
    assert "injury in [sport_or_blow, other_accident]: false (answer: fall)" in text
    assert "fall_direction in [forward, sideways]: true (answer: forward)" in text
    assert "sore_front = no: true (answer: no)" in text


def test_the_json_carries_the_tree(book: Rulebook) -> None:
    answers = BASELINE | {"days_since_injury": 1, "can_rotate_45": "no"}
    traces = {t.rule: t.to_dict() for t in explain(check_answers(answers, book), book)}
    scan = traces["emergency.neck_scan_first_days"]["condition"]
    assert scan == {
        "op": "all",
        "holds": True,
        "parts": [
            {"op": "compare", "test": "days_since_injury <= 2", "key": "days_since_injury",
             "answer": 1, "holds": True},
            {"op": "not", "holds": True, "parts": [
                {"op": "compare", "test": "can_rotate_45 = yes", "key": "can_rotate_45",
                 "answer": "no", "holds": False}]},
        ],
    }  # fmt: skip
    assert traces["pattern.unclear"]["condition"] is None


def test_a_nested_condition_is_evaluated_part_by_part() -> None:
    from neckcheck.core.explain import evaluate

    condition = parse({"any": [{"a": "yes"}, {"not": {"b": {"gte": 3}}}]})
    part = evaluate(condition, {"a": "no", "b": 2})
    assert (part.op, part.holds) == ("any", True)
    assert [p.holds for p in part.parts] == [False, True]
    assert part.parts[1].parts[0].check is not None
    assert part.parts[1].parts[0].check.test == "b >= 3"
    assert not part.parts[1].parts[0].holds


def test_the_manuals_example_is_what_explain_prints(book: Rulebook) -> None:
    from tests.conftest import REPO

    page = (REPO / "docs" / "scripting.md").read_text(encoding="utf-8")
    example = page.split("prints the same tree:\n\n```text\n", 1)[1].split("```", 1)[0]
    answers = BASELINE | {"days_since_injury": 1, "can_rotate_45": "no"}
    block = rule_block(shown(answers, book), "emergency.neck_scan_first_days")
    indent = block[0].index("[FIRED]")
    assert [line[indent:] for line in block] == example.splitlines()
