"""A rules folder with each kind of mistake gives a clear message naming file, line and id."""

from __future__ import annotations

from pathlib import Path

import pytest

from neckcheck.api import load_rulebook
from neckcheck.core.conditions import Compare
from neckcheck.core.errors import RulesError
from neckcheck.rulebook.load import default_rules_dir
from tests.conftest import RULES


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test set-up: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(folder: Path) -> str:
    with pytest.raises(RulesError) as info:
        load_rulebook(folder, allow_unproved=True)  # invalid rules: refused even so
    return str(info.value)


def line_of(folder: Path, name: str, needle: str) -> int:
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_shipped_rules_load() -> None:
    book = load_rulebook()
    assert book.warning is None  # shipped compiled and proved
    assert book.questions
    assert book.red_flags
    assert book.patterns
    assert (
        default_rules_dir().resolve() == RULES.resolve()
        or (default_rules_dir() / "decisions.yaml").is_file()
    )


def test_yes_and_no_stay_words_not_booleans(book) -> None:
    rule = next(r for r in book.red_flags if r.id == "emergency.meningitis")
    assert rule.when == Compare("meningitis_signs", "in", ("yes", "unsure"))


@pytest.mark.parametrize(
    ("name", "old", "new", "words"),
    [
        (
            "decisions.yaml",
            "{vascular_signs: [yes, unsure]}",
            "{vascular_sign: [yes, unsure]}",
            "'vascular_sign' is not a question",
        ),
        (
            "decisions.yaml",
            "{days_since_injury: {lte: 2}}",
            "{days_since_injury: {le: 2}}",
            "unknown comparison 'le'",
        ),
        (
            "decisions.yaml",
            "{head_injury: [yes, unsure]}",
            "{head_injury: [yes, maybe]}",
            "'maybe' is not one of its values",
        ),
        (
            "decisions.yaml",
            "{known_spine_problem: [surgery_or_fusion,",
            "{known_spine_problem: [surgery,",
            "'surgery' is not one of its values",
        ),
        ("decisions.yaml", "{age: {lt: 16}}", "{age: {lt: 200}}", "outside the question's range"),
        ("decisions.yaml", "{age: {lt: 16}}", "{age: {lt: sixteen}}", "takes a whole number"),
        (
            "decisions.yaml",
            "{injury: none, sore_back: yes",
            "{injury: {gt: 0}, sore_back: yes",
            "works on whole numbers only",
        ),
        (
            "decisions.yaml",
            "{head_injury: [yes, unsure]}",
            "{alll: [{head_injury: yes}]}",
            "'alll' is neither",
        ),
    ],
)
def test_condition_mistakes(rules_copy: Path, name: str, old: str, new: str, words: str) -> None:
    edit(rules_copy, name, old, new)
    line = line_of(rules_copy, name, new)
    message = load_error(rules_copy)
    assert words in message
    assert f"{rules_copy / name}:" in message
    assert f":{line}:" in message  # the line of the broken condition
    assert "rule '" in message  # names the rule id


def test_duplicate_rule_id(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "id: clinician.intoxicated", "id: clinician.neck_mark")
    assert "rule 'clinician.neck_mark' is defined more than once" in load_error(rules_copy)


def test_duplicate_question_id(rules_copy: Path) -> None:
    edit(rules_copy, "questions.yaml", "- id: low_back_pain", "- id: sore_front")
    assert "question 'sore_front' is defined more than once" in load_error(rules_copy)


NEXUS_SOURCE = (
    "source: NEXUS low-risk criteria (Hoffman et al., NEJM 2000), intoxication; NICE NG232"
)


def test_rule_without_source(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", f"    {NEXUS_SOURCE}\n", "")
    message = load_error(rules_copy)
    assert "'clinician.intoxicated'" in message
    assert "source: required field is missing" in message


def test_empty_source(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", NEXUS_SOURCE, "source: ' '")
    assert "'clinician.intoxicated': 'source' must name" in load_error(rules_copy)


def test_outcome_disposition_pair_not_in_spec(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "outcome: reverse_whiplash\n    disposition: technique",
         "outcome: reverse_whiplash\n    disposition: clinician")  # fmt: skip
    assert "reverse_whiplash/clinician is not one of the contract's pairs" in load_error(rules_copy)


def test_unknown_outcome_or_field(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "outcome: unclear", "outcome: maybe_fine")
    edit(rules_copy, "questions.yaml", "  - id: age\n", "  - id: age\n    colour: red\n")
    message = load_error(rules_copy)
    assert "rule 'pattern.unclear': outcome: Input should be" in message
    assert "question 'age': colour: unknown field" in message


def test_red_flag_rule_in_patterns(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "outcome: general_soreness\n    disposition: technique",
         "outcome: red_flag\n    disposition: clinician")  # fmt: skip
    assert "does not belong in patterns" in load_error(rules_copy)


def test_asked_when_may_only_read_earlier_questions(rules_copy: Path) -> None:
    edit(rules_copy, "questions.yaml", "asked_when: {injury: fall}", "asked_when: {sore_back: yes}")
    message = load_error(rules_copy)
    assert "question 'fall_direction'" in message
    assert "'sore_back' is not a question that can be read here" in message


def test_question_shape(rules_copy: Path) -> None:
    edit(rules_copy, "questions.yaml", "    min: 0\n    max: 120\n", "    min: 130\n    max: 120\n")
    assert "question 'age': min 130 is greater than max 120" in load_error(rules_copy)


def test_missing_outcome_text(rules_copy: Path) -> None:
    edit(
        rules_copy, "outcomes.yaml", "  - outcome: unclear\n", "  - outcome: traditional_whiplash\n"
    )
    assert "unclear/clinician needs exactly one entry, found 0" in load_error(rules_copy)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("version: [unclosed\n", "rulebook.yaml:2"),
        (
            "version: !!python/object/apply:os.system ['echo hacked']\n",
            "could not determine a constructor",
        ),
        ("a: &x [1]\nb: *x\n", "anchors"),
        ("version: 1\nversion: 2\n", "given twice"),
        ("- just\n- a list\n", "expected a mapping"),
        ("", "expected a mapping"),
    ],
)
def test_yaml_mistakes(rules_copy: Path, text: str, words: str) -> None:
    (rules_copy / "rulebook.yaml").write_text(text, encoding="utf-8")
    message = load_error(rules_copy)
    assert "rulebook.yaml" in message
    assert words in message


def test_missing_file_and_folder(rules_copy: Path, tmp_path: Path) -> None:
    (rules_copy / "cautions.yaml").unlink()
    assert "cautions.yaml: file is missing" in load_error(rules_copy)
    assert "not a rules folder" in load_error(tmp_path / "nowhere")


def test_every_problem_at_once(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "{vascular_signs: [yes, unsure]}", "{vascular_sign: yes}")
    edit(rules_copy, "cautions.yaml", "{low_back_pain: [yes, unsure]}", "{low_back_pain: often}")
    message = load_error(rules_copy)
    assert "vascular_sign" in message
    assert "caution 'no_foam_roller'" in message


def test_a_condition_reads_only_questions(book) -> None:  # type: ignore[no-untyped-def]
    """What the FHIR export reads a condition's key with: the question, or an error naming the
    key (never None passed on to become a wrong enableWhen)."""
    assert book.question_read("age").id == "age"
    with pytest.raises(ValueError, match="'agee', which is no question"):
        book.question_read("agee")


@pytest.mark.parametrize("version", ["''", '"\\e[31m"', "'" + "9" * 101 + "'"])
def test_a_version_a_saved_file_could_not_carry_is_refused(rules_copy: Path, version: str) -> None:
    """--save records the rules version and --since reads back only a printable one of at most
    100 characters: a folder with any other would write answers that cannot be compared."""
    text = (rules_copy / "rulebook.yaml").read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("version:"))
    edit(rules_copy, "rulebook.yaml", old, f"version: {version}")
    assert "version must be printable text of 1 to 100 characters" in load_error(rules_copy)
