"""The JSON Schemas of the rule files: shipped up to date, and they accept the shipped files and
catch an editor's typical mistakes."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from neckcheck.authoring.rules_schema import rule_file_schemas
from neckcheck.authoring.yamlsafe import load_yaml
from neckcheck.core.model import Rulebook
from neckcheck.rulebook.load import FILES
from tests.conftest import RULES


@pytest.mark.parametrize("name", FILES)
def test_shipped_schema_is_current_and_referenced(book: Rulebook, name: str) -> None:
    schema_name = name.replace(".yaml", ".schema.json")
    shipped = json.loads((RULES / "schemas" / schema_name).read_text(encoding="utf-8"))
    assert shipped == rule_file_schemas(book)[name], "run `neckcheck rules schemas rules`"
    first_line = (RULES / name).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema=schemas/{schema_name}"


@pytest.mark.parametrize("name", FILES)
def test_shipped_files_fit_their_schema(book: Rulebook, name: str) -> None:
    schema = rule_file_schemas(book)[name]
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(load_yaml(RULES / name)))
    assert errors == []


@pytest.mark.parametrize(
    "when",
    [
        {"vascular_sign": ["yes", "unsure"]},  # unknown question id
        {"age": {"le": 2}},  # unknown comparison
        {"age": {"lt": "ten"}},  # not a number
        {"all": []},  # empty list
        {},
    ],
)
def test_schema_catches_condition_mistakes(book: Rulebook, when: dict) -> None:
    decisions = load_yaml(RULES / "decisions.yaml")
    decisions["red_flags"][0]["when"] = when
    validator = Draft202012Validator(rule_file_schemas(book)["decisions.yaml"])
    assert not validator.is_valid(decisions)


def test_schema_catches_unknown_fields(book: Rulebook) -> None:
    questions = load_yaml(RULES / "questions.yaml")
    questions["questions"][0]["colour"] = "red"
    assert not Draft202012Validator(rule_file_schemas(book)["questions.yaml"]).is_valid(questions)
