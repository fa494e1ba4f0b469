"""FHIR R4: the exported Questionnaire and a QuestionnaireResponse to it validate with the
fhir.resources package, and a response screens to the same decision as the plain answers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from neckcheck.engine import screen
from neckcheck.errors import InputError
from neckcheck.fhir import answers_from_response, questionnaire, response_from_answers
from neckcheck.model import Rulebook
from tests.conftest import neckcheck_command
from tests.rows import ROWS
from tests.spec import BASELINE, QUESTIONS

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
VIGNETTES = [json.loads(p.read_text(encoding="utf-8"))["answers"] for p in CASES]
VIGNETTES += [base | change for _, base, change, _, _ in ROWS]


def test_questionnaire_validates_and_mirrors_the_questions(book: Rulebook) -> None:
    resource = questionnaire(book)
    Questionnaire.model_validate(resource)
    items = {i["linkId"]: i for i in resource["item"]}
    assert list(items) == [q.id for q in book.questions]
    assert set(items) == set(QUESTIONS)
    assert items["age"]["type"] == "integer"
    assert items["vascular_signs"]["type"] == "choice"
    codes = [o["valueCoding"]["code"] for o in items["vascular_signs"]["answerOption"]]
    assert codes == ["yes", "no", "unsure"]
    assert all(i["required"] for i in items.values())
    # Skip logic: the injury questions are enabled only after an injury.
    options = [o["valueCoding"] for o in items["injury"]["answerOption"]]
    no_injury = next(o for o in options if o["code"] == "none")
    assert no_injury["code"] == "none"
    assert items["head_injury"]["enableWhen"] == [
        {"question": "injury", "operator": "!=", "answerCoding": no_injury}
    ]
    assert items["fall_direction"]["enableWhen"][0]["operator"] == "="
    assert "enableWhen" not in items["age"]


@pytest.mark.parametrize("answers", VIGNETTES)
def test_response_round_trip_gives_the_same_decision(book: Rulebook, answers: dict) -> None:
    response = response_from_answers(answers, book)
    QuestionnaireResponse.model_validate(response)
    assert response["status"] == "completed"
    exported = questionnaire(book)
    assert response["questionnaire"] == f"{exported['url']}|{exported['version']}"
    read = answers_from_response(response, book, "response")
    assert screen(read, book) == screen(answers, book)


def test_response_through_the_command(book: Rulebook, tmp_path: Path) -> None:
    path = tmp_path / "response.json"
    path.write_text(json.dumps(response_from_answers(BASELINE, book)), encoding="utf-8")
    done = subprocess.run([*neckcheck_command(), "screen", "--answers", str(path), "--json"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == screen(BASELINE, book).to_dict()


def test_export_command_prints_the_questionnaire(book: Rulebook) -> None:
    done = subprocess.run([*neckcheck_command(), "export", "fhir"], capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0
    assert json.loads(done.stdout) == questionnaire(book)


def response_with(book: Rulebook, items: list[dict[str, Any]]) -> dict[str, Any]:
    return response_from_answers({}, book) | {"item": items}


@pytest.mark.parametrize(
    ("resource", "key", "words"),
    [
        (lambda b: {"resourceType": "Patient"}, "resourceType", "not a QuestionnaireResponse"),
        (lambda b: response_with(b, [{"linkId": "age", "answer": [{"valueInteger": 40},
                                                                  {"valueInteger": 41}]}]),
         "age", "exactly one answer"),
        (lambda b: response_with(b, [{"linkId": "age", "answer": [{"valueInteger": 40}]},
                                     {"linkId": "age", "answer": [{"valueInteger": 90}]}]),
         "age", "more than once"),
        (lambda b: response_with(b, [{"answer": [{"valueInteger": 40}]}]), "item[0]", "linkId"),
        (lambda b: response_with(b, [{"linkId": "age", "answer": [{}]}]), "age", "value[x]"),
    ],
)  # fmt: skip
def test_bad_responses_name_the_link(book: Rulebook, resource: Any, key: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        answers_from_response(resource(book), book, "response")
    assert any(p.key == key and words in p.message for p in info.value.problems)


def test_response_answers_are_checked_like_any_answers(book: Rulebook) -> None:
    response = response_from_answers(BASELINE, book)
    response["item"] = [i for i in response["item"] if i["linkId"] != "head_injury"]
    read = answers_from_response(response, book, "response")
    with pytest.raises(InputError) as info:
        screen(read, book)
    assert {p.key for p in info.value.problems} == {"head_injury"}
    # A linkId that is no question cannot carry an answer (a misspelt key is never ignored).
    response["item"].append(
        {"linkId": "vasculr_signs", "answer": [{"valueCoding": {"code": "no"}}]}
    )
    with pytest.raises(InputError) as info:
        answers_from_response(response, book, "response")
    assert {p.key for p in info.value.problems} == {"vasculr_signs"}
