"""`rules evaluate`, the library part: reading clinical cases (every input error names its line
and key), judging each case under- or over-triaged, comparing two rulebooks case by case, and
the project's own cases shipped in that format (cases/vignettes.jsonl)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from neckcheck import screen
from neckcheck.authoring.evaluate import (
    any_under,
    changes,
    evaluate,
    evaluation_json,
    evaluation_text,
    read_cases,
    screen_case,
    verdict,
)
from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from tests.conftest import REPO
from tests.spec import BASELINE, NO_INJURY
from tests.strategies import answer_sets

SHIPPED = REPO / "cases" / "vignettes.jsonl"
VIGNETTES = sorted((REPO / "tests" / "cases").glob("*.json"))
GENERAL = "neckcheck vignette written from SPEC.md (contract v3) and CLINICAL.md"


def vignette_lines() -> list[str]:
    """cases/vignettes.jsonl as made from tests/cases (`python -m tests.test_evaluate` writes
    it): the expected disposition is the one acceptable; the story is the note, and its
    published case type, when it names one, the source."""
    lines = []
    for path in VIGNETTES:
        case = json.loads(path.read_text(encoding="utf-8"))
        published = re.search(r"\(published case type: ([^)]*)\)", case["story"])
        record = {
            "id": path.stem,
            "answers": case["answers"],
            "acceptable": [case["expect"]["disposition"]],
            "source": f"published case type: {published.group(1)}" if published else GENERAL,
            "note": case["story"],
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return lines


def line(case_id: str, answers: dict[str, Any], *acceptable: str, **more: object) -> str:
    return json.dumps({"id": case_id, "answers": answers, "acceptable": list(acceptable), **more})


def test_the_shipped_cases_are_the_test_vignettes() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == "".join(vignette_lines()), (
        "regenerate cases/vignettes.jsonl from tests/cases (see vignette_lines)"
    )
    assert len(VIGNETTES) > 50


def test_the_shipped_rules_triage_every_shipped_case_safely(book: Rulebook) -> None:
    cases = read_cases(SHIPPED.read_bytes().splitlines(), book, str(SHIPPED))
    result = evaluate(cases, book)
    data = result.to_dict()
    count = len(VIGNETTES)
    assert (data["cases"], data["safe"], data["under"], data["over"]) == (count, count, 0, 0)
    assert not any_under(result)
    sent, due = result.care_today()
    assert sent == due > 10
    assert sum(sum(row.values()) for row in result.table().values()) == len(VIGNETTES)


@given(answers=answer_sets())
def test_a_case_is_screened_by_batch_s_path_to_the_same_decision(
    book: Rulebook, answers: dict[str, Any]
) -> None:
    assert screen_case(answers, book, "case") == screen(answers, book)


@pytest.mark.parametrize(
    ("disposition", "acceptable", "expected"),
    [
        ("technique", ["clinician", "urgent"], "under"),
        ("clinician", ["clinician", "urgent"], "safe"),
        ("urgent", ["clinician", "urgent"], "safe"),
        ("emergency", ["clinician", "urgent"], "over"),
        ("clinician", ["technique", "urgent"], "safe"),  # between two acceptable ones
        ("avoid_technique", ["urgent"], "under"),
    ],
)
def test_verdict(disposition: str, acceptable: list[str], expected: str) -> None:
    assert verdict(disposition, acceptable) == expected


def test_under_and_over_triaged_cases_are_listed_with_their_rules(book: Rulebook) -> None:
    lines = [
        line("fever", NO_INJURY | {"meningitis_signs": "yes"}, "clinician"),  # over
        line("desk", NO_INJURY, "urgent", "emergency"),  # under
        line("fine", NO_INJURY, "technique"),
    ]
    result = evaluate(read_cases(lines, book, "x.jsonl"), book)
    data = result.to_dict()
    assert (data["under_cases"], data["over_cases"], data["safe"]) == (["desk"], ["fever"], 1)
    assert any_under(result)
    assert result.care_today() == (0, 1)
    assert result.table() == {
        "emergency": {"technique": 0, "clinician": 1, "urgent/emergency": 0},
        "technique": {"technique": 1, "clinician": 0, "urgent/emergency": 1},
    }
    text = evaluation_text(result, "x.jsonl")
    assert "safe 1, under-triaged 1, over-triaged 1" in text
    assert "- desk: technique (acceptable: urgent, emergency); rules: pattern." in text
    assert "- fever: emergency (acceptable: clinician); rules: emergency.meningitis" in text
    assert "0 of 1 sent to emergency or urgent care (0%)" in text


def test_two_rulebooks_compared_case_by_case(book: Rulebook) -> None:
    cases = read_cases([line("a", NO_INJURY, "technique"),
                        line("b", BASELINE, "technique")], book, "x")  # fmt: skip
    before = evaluate(cases, book)
    after = evaluate(cases, book)
    assert changes(before, after) == []
    lowered = type(after)(after.rules_version, (
        after.results[0],
        type(after.results[1])(cases[1], "urgent", ("urgent.x",), "over"),
    ))  # fmt: skip
    (change,) = changes(before, lowered)
    assert (change.id, change.before, change.after, change.safer) == ("b", "technique",
                                                                       "urgent", True)  # fmt: skip
    data = evaluation_json(lowered, ("weak", before))
    assert data["against"]["changed"] == [  # type: ignore[index]
        {"id": "b", "before": "urgent", "after": "technique", "change": "less_safe"}
    ]
    text = evaluation_text(lowered, "x", ("weak", before))
    assert "Against weak (rules version" in text
    assert "- b: urgent -> technique, LESS SAFE" in text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "line 2"),
        ("[1]", "line 2: a case must be a JSON object"),
        ('{"id": "x", "answers": {}}', "line 2: acceptable: missing"),
        (line("x", NO_INJURY, "technique", mood="ok"), "line 2: mood: unknown key"),
        (line("", NO_INJURY, "technique"), "line 2: id: must be a text"),
        (line("x", NO_INJURY), "line 2: acceptable: must be a list of one or more"),
        (line("x", NO_INJURY, "fine"), 'line 2: acceptable: "fine": not a disposition'),
        (line("x", NO_INJURY, "urgent", "urgent"), "line 2: acceptable: names a disposition twice"),
        (line("x", NO_INJURY | {"age": 400}, "technique"), "line 2: answers.age:"),
        (line("x", {k: v for k, v in NO_INJURY.items() if k != "sore_back"}, "technique"),
         "line 2: answers.sore_back: missing"),
        (line("x", NO_INJURY, "technique", source=5), "line 2: source: must be a text"),
        (line("first", NO_INJURY, "technique"), "line 2: id: 'first' is also line 1"),
        ('{"id": "x", "id": "y", "answers": {}, "acceptable": ["technique"]}', "line 2"),
    ],
)  # fmt: skip
def test_input_errors_name_the_line_and_the_key(book: Rulebook, text: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        read_cases([line("first", NO_INJURY, "technique"), text], book, "cases.jsonl")
    assert caught.value.source == "cases.jsonl"
    shown = caught.value.lines()
    assert any(problem in message for message in shown), shown
    assert all(message.startswith("cases.jsonl: line 2") for message in shown)


def test_every_bad_line_is_reported_and_blank_lines_are_skipped(book: Rulebook) -> None:
    with pytest.raises(InputError) as caught:
        read_cases(["[1]", "", line("x", NO_INJURY, "fine"), "  "], book, "c")
    assert [p.key.split(":")[0] for p in caught.value.problems] == ["line 1", "line 3"]
    with pytest.raises(InputError, match="no case in the file"):
        read_cases(["", "\n"], book, "c")


def test_cases_read_as_bytes_or_text(book: Rulebook, tmp_path: Path) -> None:
    text = line("a", NO_INJURY, "technique") + "\n"
    assert read_cases([text], book, "c") == read_cases([text.encode()], book, "c")


if __name__ == "__main__":
    SHIPPED.write_text("".join(vignette_lines()), encoding="utf-8")


def test_run_evaluate_prints_and_chooses_the_exit_code(
    book: Rulebook, tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    from neckcheck.cli.edge import EXIT_NOT_SHOWN_SAFE
    from neckcheck.cli.environment import Environment
    from neckcheck.cli.evaluate import EXIT_SAFE, run_evaluate

    env = Environment.current()

    assert run_evaluate(env, None, book, None, as_json=True) == EXIT_SAFE
    data = json.loads(capfdbinary.readouterr().out)
    assert (data["cases"], data["under"]) == (len(VIGNETTES), 0)
    assert run_evaluate(env, None, book, None, as_json=False) == EXIT_SAFE
    assert (
        capfdbinary.readouterr()
        .out.decode()
        .startswith(
            f"{len(VIGNETTES)} cases from the shipped cases (cases/vignettes.jsonl), rules version"
        )
    )
    under = tmp_path / "under.jsonl"
    under.write_text(line("desk", NO_INJURY, "urgent") + "\n", encoding="utf-8")
    assert run_evaluate(env, str(under), book, None, as_json=False) == EXIT_NOT_SHOWN_SAFE
    text = capfdbinary.readouterr().out.decode()
    assert text.startswith(f"1 case from {under}, rules version {book.version}\n")
    assert "- desk: technique (acceptable: urgent)" in text
    # With the same rules against themselves nothing changes, and the under-triage still counts.
    assert run_evaluate(env, str(under), book, ("same", book), as_json=True) == EXIT_NOT_SHOWN_SAFE
    data = json.loads(capfdbinary.readouterr().out)
    assert data["against"]["changed"] == []
    assert data["against"]["under_cases"] == ["desk"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "cannot read the cases file"),
        ("folder", "cannot read the cases file"),
        ("x" * (1024 * 1024 + 10), "line 1: longer than the size limit"),
    ],
)
def test_run_evaluate_refuses_what_it_cannot_read(
    book: Rulebook, tmp_path: Path, content: str | None, words: str
) -> None:
    from neckcheck.cli.environment import Environment
    from neckcheck.cli.evaluate import run_evaluate

    env = Environment.current()

    path = tmp_path / "cases.jsonl"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run_evaluate(env, str(path), book, None, as_json=False)
    assert any(words in message for message in caught.value.lines()), caught.value.lines()
    with pytest.raises(InputError, match="device"):
        run_evaluate(env, "/dev/zero", book, None, as_json=False)
