"""The decision as an R4 RiskAssessment (neckcheck.formats.fhir_decision): valid, and it keeps the
disposition, every reason with its rule and source, and the reference to the response."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.riskassessment import RiskAssessment

from neckcheck.api import screen
from neckcheck.core.model import Rulebook
from neckcheck.formats.fhir import response_from_answers
from neckcheck.formats.fhir_decision import DISPOSITION_SYSTEM, RULE_SYSTEM, risk_assessment
from tests.cli import invoke

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_case_as_a_risk_assessment(book: Rulebook, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    decision = screen(case["answers"], book)
    resource = risk_assessment(decision, book, "QuestionnaireResponse/example")
    RiskAssessment.model_validate(resource)
    first, *reasons = resource["prediction"]
    assert first["outcome"]["coding"] == [
        {"system": DISPOSITION_SYSTEM, "code": case["expect"]["disposition"]}
    ]
    rules = [next(c["code"] for c in p["outcome"]["coding"] if c["system"] == RULE_SYSTEM)
             for p in reasons]  # fmt: skip
    assert rules == case["expect"]["rules"]
    for reason, prediction in zip(decision.reasons, reasons, strict=True):
        assert reason.text in prediction["rationale"]
        assert reason.source in prediction["rationale"]
    assert resource["basis"][0]["reference"] == "QuestionnaireResponse/example"
    assert resource["code"]["coding"][0]["code"] == case["expect"]["outcome"]
    assert resource["note"][0]["text"] == book.disclaimer


def test_without_a_reference_the_basis_names_the_questionnaire(book: Rulebook) -> None:
    case = json.loads(CASES[0].read_text(encoding="utf-8"))
    resource = risk_assessment(screen(case["answers"], book), book)
    RiskAssessment.model_validate(resource)
    assert "reference" not in resource["basis"][0]
    assert book.version in resource["basis"][0]["display"]


@pytest.mark.parametrize("path", CASES[::10], ids=lambda p: p.stem)
def test_screen_fhir_prints_the_risk_assessment(book: Rulebook, path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    response = response_from_answers(case["answers"], book) | {"id": "intake-7"}
    done = invoke(["screen", "--fhir"], json.dumps(response))
    assert done.returncode == case["expect"]["exit_code"], done.stderr
    resource = json.loads(done.stdout)
    RiskAssessment.model_validate(resource)
    assert resource == risk_assessment(screen(case["answers"], book), book,
                                       "QuestionnaireResponse/intake-7")  # fmt: skip


def test_screen_json_and_fhir_together_is_a_usage_error() -> None:
    done = invoke(["screen", "--fhir", "--json"], "{}")
    assert done.returncode == 2
    assert "--fhir" in done.stderr
