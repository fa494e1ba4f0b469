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

from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from neckcheck.formats.documents import screen
from neckcheck.formats.fhir import answers_from_response, questionnaire, response_from_answers
from neckcheck.formats.fhir_export import answer_codings
from tests.conftest import neckcheck_command
from tests.rows import ROWS
from tests.spec import BASELINE, QUESTIONS
from tests.test_fhir_strict import every_item

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
VIGNETTES = [json.loads(p.read_text(encoding="utf-8"))["answers"] for p in CASES]
VIGNETTES += [base | change for _, base, change, _, _ in ROWS]


def test_questionnaire_validates_and_mirrors_the_questions(book: Rulebook) -> None:
    resource = questionnaire(book)
    Questionnaire.model_validate(resource)
    items = {i["linkId"]: i for i in every_item(resource) if i["type"] not in ("group", "display")}
    assert list(items) == [q.id for q in book.questions]
    assert set(items) == set(QUESTIONS)
    assert items["age"]["type"] == "integer"
    assert items["vascular_signs"]["type"] == "choice"
    codes = [c["code"] for c in answer_codings(resource, items["vascular_signs"])]
    assert codes == ["yes", "no", "unsure"]
    assert all(i["required"] for i in items.values())
    # Skip logic: the injury questions are enabled only by an explicit injury, never by `!=`.
    injuries = [c for c in answer_codings(resource, items["injury"]) if c["code"] != "none"]
    assert len(injuries) == 4
    assert items["head_injury"]["enableWhen"] == [
        {"question": "injury", "operator": "=", "answerCoding": c} for c in injuries
    ]
    assert items["head_injury"]["enableBehavior"] == "any"
    operators = {w["operator"] for i in items.values() for w in i.get("enableWhen", [])}
    assert "!=" not in operators
    assert items["fall_direction"]["enableWhen"][0]["operator"] == "="
    assert "enableWhen" not in items["age"]


def test_the_form_reads_as_the_interview(book: Rulebook) -> None:
    resource = questionnaire(book)
    first = resource["item"][0]
    assert first["type"] == "display"
    assert first["text"] == book.disclaimer
    groups = resource["item"][1:]
    assert [g["text"] for g in groups] == [g.title for g in book.groups]
    assert [g["prefix"] for g in groups] == [f"{n}." for n in range(1, len(groups) + 1)]
    for group in groups:
        assert group["type"] == "group"
        asked = [i["linkId"] for i in group["item"] if i["type"] != "display"]
        assert asked == [q.id for q in book.questions if f"part.{q.group}" == group["linkId"]]
    for question in every_item(resource):
        if question["type"] == "choice":
            controls = [
                e["valueCodeableConcept"]["coding"][0]["code"]
                for e in question["extension"]
                if e["url"].endswith("itemControl")
            ]
            assert controls == ["radio-button"]
        if question["type"] in ("choice", "integer"):
            (help_item,) = question["item"]
            assert help_item["type"] == "display"
            assert help_item["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "help"
        if question["type"] == "integer":
            urls = {e["url"].rsplit("/", 1)[1] for e in question["extension"]}
            assert {"minValue", "maxValue", "questionnaire-unit", "entryFormat"} <= urls


def test_codes_mean_one_thing_within_a_system(book: Rulebook) -> None:
    resource = questionnaire(book)
    value_sets = {r["id"]: r for r in resource["contained"]}
    assert {r["resourceType"] for r in value_sets.values()} == {"ValueSet"}
    meanings: dict[tuple[str, str], str] = {}
    for item in every_item(resource):
        if item["type"] != "choice":
            continue
        value_set = value_sets[item["answerValueSet"].removeprefix("#")]
        (include,) = value_set["compose"]["include"]
        concepts = {c["code"]: c["display"] for c in include["concept"]}
        codings = answer_codings(resource, item)
        assert [c["code"] for c in codings] == list(concepts)
        assert value_set["expansion"]["total"] == len(codings)
        for coding in codings:
            key = (coding["system"], coding["code"])
            assert meanings.setdefault(key, coding["display"]) == coding["display"], key
            assert coding["system"] == include["system"]
            assert concepts[coding["code"]] == coding["display"]
    # One ValueSet per system, and a system's codes are the same wherever they are offered.
    systems = [v["compose"]["include"][0]["system"] for v in value_sets.values()]
    assert len(systems) == len(set(systems))
    injury_none = meanings[(next(s for s in systems if s.endswith("injury")), "none")]
    assert injury_none != meanings[(next(s for s in systems if s.endswith("problem")), "none")]


# Elements of type Reference.reference, canonical, uri or url that a Questionnaire of this
# export (its items, extensions, codings, meta) can hold, including value[x] choices.
URI_ELEMENTS = frozenset(
    {"reference", "url", "system", "profile", "implicitRules", "derivedFrom", "definition",
     "answerValueSet", "valueUri", "valueUrl", "valueCanonical", "source", "questionnaire",
     "instantiatesCanonical", "instantiatesUri"}
)  # fmt: skip


def dom_3_unreferenced(resource: dict[str, Any]) -> list[str]:
    """R4 dom-3: "If the resource is contained in another resource, it SHALL be referred to from
    elsewhere in the resource". The ids of the contained resources whose '#id' is not among the
    reference / canonical / uri / url values of the resource outside its contained resources."""
    found: set[str] = set()
    pending: list[Any] = [v for k, v in resource.items() if k != "contained"]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in URI_ELEMENTS and isinstance(value, str):
                    found.add(value)
                elif key == "profile" and isinstance(value, list):
                    found.update(v for v in value if isinstance(v, str))
                else:
                    pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)
    return [
        r.get("id", "") for r in resource.get("contained", []) if f"#{r.get('id')}" not in found
    ]


def test_dom_3_every_contained_resource_is_referred_to(book: Rulebook) -> None:
    resource = questionnaire(book)
    assert resource["contained"]
    assert dom_3_unreferenced(resource) == []
    # The check is not vacuous: a contained resource that nothing names by '#id' fails it, and
    # so does one named only from inside another contained resource.
    lonely = {"resourceType": "CodeSystem", "id": "lonely", "url": "urn:x:lonely",
              "status": "active", "content": "complete"}  # fmt: skip
    assert dom_3_unreferenced(resource | {"contained": [*resource["contained"], lonely]}) == [
        "lonely"
    ]
    pointing = {"resourceType": "ValueSet", "id": "pointing", "status": "active",
                "url": "#lonely", "compose": {"include": [{"system": "#lonely"}]}}  # fmt: skip
    unnamed = dom_3_unreferenced(resource | {"contained": [lonely, pointing]})
    assert unnamed == ["lonely", "pointing"]


def test_the_metadata_is_complete(book: Rulebook) -> None:
    resource = questionnaire(book)
    for element in ("url", "version", "name", "title", "status", "date", "publisher",
                    "subjectType", "purpose", "copyright"):  # fmt: skip
        assert resource[element], element
    assert resource["version"] == book.version
    assert "neckcheck" in resource["url"]
    year, month, _ = book.version.split(".")
    assert resource["date"] == f"{year}-{int(month):02d}"
    assert (
        "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"
        in (resource["meta"]["profile"])
    )


def test_r4_invariants(book: Rulebook) -> None:
    """que-1 to que-13 of the R4 Questionnaire, where they apply to this form."""
    resource = questionnaire(book)
    items = every_item(resource)
    links = [i["linkId"] for i in items]
    assert len(links) == len(set(links))  # que-2
    for item in items:
        kind = item["type"]
        if kind == "group":
            assert item.get("item")  # que-1
        if kind == "display":
            assert "item" not in item  # que-1
            assert "code" not in item  # que-3
            assert "required" not in item  # que-6
            assert "repeats" not in item  # que-6
            assert "readOnly" not in item  # que-9
        assert not ("answerOption" in item and "answerValueSet" in item)  # que-4
        if "answerOption" in item or "answerValueSet" in item:
            assert kind in ("choice", "open-choice")  # que-5
        assert "maxLength" not in item  # que-10
        assert "initial" not in item  # que-8, que-11, que-13
        when = item.get("enableWhen", [])
        assert ("enableBehavior" in item) == (len(when) > 1)  # que-12
        for entry in when:
            assert entry["question"] in links
            if entry["operator"] == "exists":  # que-7
                assert "answerBoolean" in entry
    assert resource["name"].isidentifier()  # que-0: a computer-friendly name


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
    for group in response["item"]:
        group["item"] = [i for i in group["item"] if i["linkId"] != "head_injury"]
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


@pytest.mark.parametrize("path", CASES[::7], ids=lambda p: p.stem)
def test_export_response_round_trips_through_the_commands(
    book: Rulebook, path: Path, tmp_path: Path
) -> None:
    answers = json.loads(path.read_text(encoding="utf-8"))["answers"]
    plain = tmp_path / "answers.json"
    plain.write_text(json.dumps(answers), encoding="utf-8")
    made = subprocess.run([*neckcheck_command(), "export", "fhir", "--response", str(plain)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert made.returncode == 0, made.stderr
    response = json.loads(made.stdout)
    QuestionnaireResponse.model_validate(response)
    assert response["questionnaire"] == f"{questionnaire(book)['url']}|{book.version}"
    assert [g["linkId"] for g in response["item"]] == [
        f"part.{g.id}" for g in book.groups if any(
            q.group == g.id and q.id in response_keys(response) for q in book.questions)
    ]  # fmt: skip
    results = []
    for document in (plain, "-"):
        done = subprocess.run([*neckcheck_command(), "screen", "--answers", str(document),
                               "--json"], input=made.stdout, capture_output=True, text=True,
                              check=False)  # fmt: skip
        results.append((done.returncode, json.loads(done.stdout)))
    assert results[0] == results[1]
    assert results[0][0] == json.loads(path.read_text(encoding="utf-8"))["expect"]["exit_code"]


def response_keys(response: dict[str, Any]) -> set[str]:
    return {i["linkId"] for g in response["item"] for i in g["item"]}


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"age": 500}, "age: must be from 0 to 120"),
        ({"neckcheck_saved_interview": 1, "ended_early": True,
          "answers": {"age": 40, "injury": "none", "vascular_signs": "yes"}}, "stopped early"),
        ("not json", "JSON"),
    ],
)  # fmt: skip
def test_export_response_refuses_what_screen_refuses(document: Any, words: str) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    done = subprocess.run([*neckcheck_command(), "export", "fhir", "--response", "-"],
                          input=text, capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert words in done.stderr


def test_a_part_whose_questions_may_all_be_skipped_shows_only_with_one_of_them(
    book: Rulebook,
) -> None:
    """No title over an empty part ("About the injury" after no injury). The browser tier checks
    the rendered form; here, which parts carry a condition and that it reads their questions'."""
    form = questionnaire(book)
    parts = {item["linkId"]: item for item in form["item"] if item["type"] == "group"}
    conditional = {
        f"part.{g.id}"
        for g in book.groups
        if all(q.asked_when is not None for q in book.questions if q.group == g.id)
    }
    assert conditional == {"part.injury", "part.movement"}  # the shipped rules' two such parts
    for link, part in parts.items():
        expressions = [e["valueExpression"]["expression"] for e in part.get("extension", [])]
        if link in conditional:
            assert len(expressions) == 1
            assert "linkId = 'injury'" in expressions[0]
        else:
            assert expressions == []
