"""FHIR R4: a decision as a RiskAssessment a record system can store (for `screen --fhir`). Plain
data in, a plain dict out, no I/O: the disposition, every reason with its rule and source, the
advice and the disclaimer, and a reference to the QuestionnaireResponse it was made from."""

from __future__ import annotations

from typing import Any

from neckcheck.core.model import Decision, Rulebook
from neckcheck.formats.fhir_export import BASE, canonical

DISPOSITION_SYSTEM = f"{BASE}:CodeSystem:disposition"
OUTCOME_SYSTEM = f"{BASE}:CodeSystem:outcome"
RULE_SYSTEM = f"{BASE}:CodeSystem:rule"


def risk_assessment(
    decision: Decision, book: Rulebook, response_reference: str | None = None
) -> dict[str, Any]:
    """The decision as an R4 RiskAssessment: `code` is the outcome, one `prediction` per reason
    (its disposition as the outcome, its text and source as the rationale), `mitigation` the
    advice, `basis` the QuestionnaireResponse (a reference such as "QuestionnaireResponse/1" or
    "urn:uuid:...", when the caller has one). The subject is unknown to neckcheck: the record
    system fills it in (it is required by FHIR, so a placeholder display stands in)."""
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "status": "final",
        "method": {
            "coding": [
                {
                    "system": f"{BASE}:rules",
                    "code": book.version,
                    "display": f"neckcheck rules {book.version}",
                }
            ],
            "text": f"neckcheck screening, rules {decision.rules_version}",
        },
        "code": {
            "coding": [{"system": OUTCOME_SYSTEM, "code": decision.outcome}],
            "text": decision.headline,
        },
        "subject": {"display": "the person who answered the questionnaire"},
        "prediction": [
            {
                "outcome": {
                    "coding": [
                        {"system": DISPOSITION_SYSTEM, "code": reason.disposition},
                        {"system": RULE_SYSTEM, "code": reason.rule},
                    ],
                    "text": reason.disposition,
                },
                "rationale": f"{reason.text} (source: {reason.source})",
            }
            for reason in decision.reasons
        ],
        "mitigation": decision.advice,
        "note": [{"text": decision.disclaimer}],
    }
    resource["prediction"].insert(
        0,
        {
            "outcome": {
                "coding": [{"system": DISPOSITION_SYSTEM, "code": decision.disposition}],
                "text": f"disposition: {decision.disposition}",
            },
            "rationale": "the decision: the most urgent disposition among the reasons"
            + (f", within the timeframe '{decision.timeframe}'" if decision.timeframe else ""),
        },
    )
    basis: dict[str, str] = {"display": f"a QuestionnaireResponse to {canonical(book)}"}
    if response_reference:
        basis["reference"] = response_reference
    resource["basis"] = [basis]
    if decision.warning:
        resource["note"].append({"text": decision.warning})
    return resource


def response_reference(document: object) -> str | None:
    """The reference of the QuestionnaireResponse a decision was made from, when the document
    screened was one with an id (else None: a plain answer set has no identity). Only an id of
    the R4 datatype is copied (reading the response refuses any other, naming `id`; this is the
    second lock): never a path such as ../../Patient/x, nor text that reads backwards."""
    if isinstance(document, dict) and document.get("resourceType") == "QuestionnaireResponse":
        import re

        from neckcheck.formats.fhir import FHIR_ID

        ident = document.get("id")
        if isinstance(ident, str) and re.fullmatch(FHIR_ID, ident):
            return f"QuestionnaireResponse/{ident}"
    return None
