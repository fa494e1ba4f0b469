"""Every entry point reads documents alike (issue 20, item 4): `neckcheck.screen`, `screen_many`,
`screen_lines`, `neckcheck batch` and `neckcheck screen` accept and refuse the same documents
(plain answer sets, FHIR QuestionnaireResponses, saved early stops) with the same problems, and
a FHIR response is data, not text to copy: an element that is not of its R4 datatype (an `id`
such as `../../Patient/x`, a bidirectional override, a dateTime that is none) is refused,
naming it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

import neckcheck
from neckcheck.api import load_rulebook
from neckcheck.cli.edge import safe_text
from neckcheck.core.errors import InputError
from neckcheck.core.model import Decision, Rulebook
from neckcheck.formats.fhir import response_from_answers
from neckcheck.formats.fhir_decision import response_reference, risk_assessment
from tests.cli import invoke
from tests.spec import BASELINE

BOOK = load_rulebook()
VERSION = BOOK.version
CANONICAL = response_from_answers(BASELINE, BOOK)["questionnaire"]
EMERGENCY_STOP = {"neckcheck_saved_interview": 1, "ended_early": True,
                  "answers": {"age": 40, "injury": "none", "chest_symptoms": "yes"}}  # fmt: skip


def response(**top: Any) -> dict[str, Any]:
    """A valid response (BASELINE) with these top-level elements set."""
    return response_from_answers(BASELINE, BOOK) | top


def coded(**coding: Any) -> dict[str, Any]:
    """A valid response whose vascular_signs coding has these elements added."""
    document = response_from_answers(BASELINE, BOOK)
    for group in document["item"]:
        for item in group["item"]:
            if item["linkId"] == "vascular_signs":
                item["answer"][0]["valueCoding"].update(coding)
    return document


# (name, document, None when accepted, else the keys the problems name)
DOCUMENTS: list[tuple[str, object, list[str] | None]] = [
    ("plain", BASELINE, None),
    ("plain, unknown key", BASELINE | {"injry": "fall"}, ["injry"]),
    ("plain, wrong type", BASELINE | {"age": "40"}, ["age"]),
    ("not an object", [BASELINE], [""]),
    ("saved early stop", EMERGENCY_STOP, None),
    ("response", response(), None),
    ("response with an id", response(id="qr-1.2"), None),
    ("id of 64 characters", response(id="a" * 64), None),
    ("id of 65 characters", response(id="a" * 65), ["id"]),
    ("id as a path", response(id="../../Patient/x"), ["id"]),
    ("id with a bidi override", response(id="abc\u202eexe.fdp"), ["id"]),
    ("id with a newline", response(id="a\nb"), ["id"]),
    ("empty id", response(id=""), ["id"]),
    ("id as a number", response(id=7), ["id"]),
    ("authored, full", response(authored="2024-05-01T10:30:00+02:00"), None),
    ("authored, a date", response(authored="2024-05-01"), None),
    ("authored, a year", response(authored="2024"), None),
    ("authored, no zone", response(authored="2024-05-01T10:30:00"), ["authored"]),
    ("authored, words", response(authored="yesterday"), ["authored"]),
    ("authored, month 13", response(authored="2024-13-01"), ["authored"]),
    ("authored, a number", response(authored=20240501), ["authored"]),
    ("language", response(language="en-GB"), None),
    ("language, empty", response(language=""), ["language"]),
    ("subject", response(subject={"reference": "Patient/1", "display": "A. N. Other"}), None),
    ("subject as text", response(subject="Patient/1"), ["subject"]),
    ("subject, reference a number", response(subject={"reference": 1}), ["subject"]),
    ("subject, bidi override", response(subject={"reference": "Patient/\u202e1"}), ["subject"]),
    ("subject, control character", response(subject={"display": "x\x1b[2J"}), ["subject"]),
    ("subject, unknown element", response(subject={"ref": "Patient/1"}), ["subject"]),
    ("author, type a uri", response(author={"reference": "#p", "type": "Practitioner"}), None),
    ("basedOn", response(basedOn=[{"reference": "ServiceRequest/1"}]), None),
    ("basedOn not a list", response(basedOn={"reference": "ServiceRequest/1"}), ["basedOn"]),
    ("partOf of text", response(partOf=["Procedure/1"]), ["partOf[0]"]),
    ("meta as text", response(meta="v1"), ["meta"]),
    ("identifier as a list", response(identifier=[{"value": "1"}]), ["identifier"]),
    ("extension of text", response(extension=["x"]), ["extension"]),
    ("another version of the form", response(questionnaire=f"{CANONICAL}9"), ["questionnaire"]),
    ("coding with this version", coded(version=VERSION), None),
    ("coding with another version", coded(version="2020.1.1"), ["vascular_signs"]),
    ("coding with a version number", coded(version=3), ["vascular_signs"]),
]
IDS = [name for name, _, _ in DOCUMENTS]

Outcome = tuple[str, Any]  # ("decision", its JSON) or ("error", [(key, message), ...])


def of_decision(decision: Decision) -> Outcome:
    return "decision", json.loads(json.dumps(decision.to_dict()))


def of_error(error: InputError) -> Outcome:
    return "error", [(p.key, p.message) for p in error.problems]


def of_record(record: dict[str, Any]) -> Outcome:
    record = dict(record)
    record.pop("line")
    if "error" in record:
        return "error", [(p["key"], p["message"]) for p in record["error"]["problems"]]
    return "decision", record


def api_screen(document: object) -> Outcome:
    try:
        return of_decision(neckcheck.screen(copy.deepcopy(document), BOOK))
    except InputError as exc:
        return of_error(exc)


def api_screen_many(document: object) -> Outcome:
    (result,) = neckcheck.screen_many([copy.deepcopy(document)], BOOK)
    return of_error(result) if isinstance(result, InputError) else of_decision(result)


def api_screen_lines(document: object) -> Outcome:
    (record,) = neckcheck.screen_lines([json.dumps(document)], BOOK)
    return of_record(record)


ENTRY_POINTS: dict[str, Callable[[object], Outcome]] = {
    "neckcheck.screen": api_screen,
    "neckcheck.screen_many": api_screen_many,
    "neckcheck.screen_lines": api_screen_lines,
}


@pytest.fixture(scope="module")
def batch_outcomes() -> list[Outcome]:
    """`neckcheck batch` over every document at once (one line each)."""
    lines = "".join(json.dumps(document) + "\n" for _, document, _ in DOCUMENTS)
    done = invoke(["batch", "--quiet"], lines)
    assert "Traceback" not in done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["line"] for r in records] == list(range(1, len(DOCUMENTS) + 1))
    return [of_record(r) for r in records]


@pytest.mark.parametrize(("name", "document", "refused"), DOCUMENTS, ids=IDS)
def test_every_entry_point_accepts_and_refuses_alike(
    name: str, document: object, refused: list[str] | None, batch_outcomes: list[Outcome]
) -> None:
    outcomes = {entry: read(document) for entry, read in ENTRY_POINTS.items()}
    outcomes["neckcheck batch"] = batch_outcomes[IDS.index(name)]
    first = outcomes["neckcheck.screen"]
    assert all(outcome == first for outcome in outcomes.values()), outcomes
    kind, detail = first
    if refused is None:
        assert kind == "decision", detail
    else:
        assert kind == "error"
        assert sorted({key for key, _ in detail}) == sorted(refused), detail

    # `neckcheck screen --json`: the same decision on stdout, or the same problems on stderr.
    done = invoke(["screen", "--json"], json.dumps(document))
    if kind == "decision":
        assert done.returncode == detail["exit_code"], done.stderr
        assert json.loads(done.stdout) == detail
    else:
        assert (done.returncode, done.stdout) == (2, "")
        shown = [safe_text(f"neckcheck: stdin: {key}: {message}" if key else
                           f"neckcheck: stdin: {message}") for key, message in detail]  # fmt: skip
        assert done.stderr.splitlines() == shown


def test_only_an_r4_id_is_copied_into_the_risk_assessment(book: Rulebook) -> None:
    decision = neckcheck.screen(BASELINE, book)
    assert response_reference(response(id="qr-1")) == "QuestionnaireResponse/qr-1"
    for hostile in ("../../Patient/x", "a\u202eb", "a" * 65, "", 7, "a b"):
        assert response_reference(response(id=hostile)) is None
        basis = risk_assessment(decision, book, response_reference(response(id=hostile)))["basis"]
        assert "reference" not in basis[0]


def test_screen_fhir_refuses_a_hostile_id_naming_it() -> None:
    hostile = json.dumps(response(id="../../Patient/x\u202e"))
    done = invoke(["screen", "--fhir"], hostile)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("neckcheck: stdin: id: must be a FHIR id")
    assert "Patient/x" in done.stderr
    assert "\u202e" not in done.stderr
