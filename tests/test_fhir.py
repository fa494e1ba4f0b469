"""FHIR R4: the exported Questionnaire and a QuestionnaireResponse to it validate with the
fhir.resources package, and a response screens to the same decision as the plain answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from neckcheck.api import screen
from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from neckcheck.core.progress import progress
from neckcheck.formats.fhir import answers_from_response, questionnaire, response_from_answers
from neckcheck.formats.fhir_export import answer_codings
from tests.cli import invoke
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
    # The parts, in order, each holding its questions (some inside the untitled groups of a
    # skip condition: `if.…`), and nothing titled but the parts.
    groups = [i for i in every_item(resource) if i["type"] == "group" and "text" in i]
    assert [g["text"] for g in groups] == [g.title for g in book.groups]
    assert [g["prefix"] for g in groups] == [f"{n}." for n in range(1, len(groups) + 1)]
    for group in groups:
        assert group["linkId"].startswith("part.")
        asked = [i["linkId"] for i in every_item(group) if i["type"] not in ("display", "group")]
        assert asked == [q.id for q in book.questions if f"part.{q.group}" == group["linkId"]]
    untitled = [i for i in every_item(resource) if i["type"] == "group" and "text" not in i]
    assert untitled
    assert all(i["linkId"].startswith("if.") and i["enableWhen"] for i in untitled)
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
    done = invoke(["screen", "--answers", str(path), "--json"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == screen(BASELINE, book).to_dict()


def test_export_command_prints_the_questionnaire(book: Rulebook) -> None:
    done = invoke(["export", "fhir"])
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
    for group in every_item(response):
        if "item" in group:
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
    made = invoke(["export", "fhir", "--response", str(plain)])
    assert made.returncode == 0, made.stderr
    response = json.loads(made.stdout)
    QuestionnaireResponse.model_validate(response)
    assert response["questionnaire"] == f"{questionnaire(book)['url']}|{book.version}"
    parts = [i["linkId"] for i in every_item(response) if i["linkId"].startswith("part.")]
    assert parts == [
        f"part.{g.id}" for g in book.groups if any(
            q.group == g.id and q.id in response_keys(response) for q in book.questions)
    ]  # fmt: skip
    results = []
    for document in (plain, "-"):
        done = invoke(["screen", "--answers", str(document), "--json"], made.stdout)
        results.append((done.returncode, json.loads(done.stdout)))
    assert results[0] == results[1]
    assert results[0][0] == json.loads(path.read_text(encoding="utf-8"))["expect"]["exit_code"]


def response_keys(response: dict[str, Any]) -> set[str]:
    return {i["linkId"] for i in every_item(response) if "answer" in i}


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
    done = invoke(["export", "fhir", "--response", "-"], text)
    assert done.returncode == 2
    assert done.stdout == ""
    assert words in done.stderr


OPERATORS: dict[str, Any] = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}  # fmt: skip


def r4_enabled(resource: dict[str, Any], answers: dict[str, Any]) -> set[str]:
    """The linkIds that R4 enableWhen enables for these answers (an item inside a disabled
    group is disabled; a disabled question counts as unanswered, R4 Questionnaire.item.
    enableWhen), to a fixed point. An item with an enableWhenExpression is left out: this
    evaluator does not read FHIRPath."""
    parents: dict[str, str | None] = {}
    items: dict[str, dict[str, Any]] = {}
    pending = [(i, None) for i in resource["item"]]
    while pending:
        item, parent = pending.pop(0)
        items[item["linkId"]] = item
        parents[item["linkId"]] = parent
        pending += [(i, item["linkId"]) for i in item.get("item", [])]

    def value(entry: dict[str, Any]) -> Any:
        return entry.get("answerInteger", entry.get("answerCoding", {}).get("code"))

    def holds(entry: dict[str, Any], enabled: set[str]) -> bool:
        key = entry["question"]
        given = answers.get(key) if key in enabled else None
        if entry["operator"] == "exists":
            return (given is not None) == entry["answerBoolean"]
        return given is not None and OPERATORS[entry["operator"]](given, value(entry))

    enabled = set(items)
    while True:
        now = set()
        for link, item in items.items():
            parent = parents[link]
            if parent is not None and parent not in now:
                continue
            if any(e["url"].endswith("enableWhenExpression") for e in item.get("extension", [])):
                continue
            when = [holds(e, enabled) for e in item.get("enableWhen", [])]
            if not when or (any(when) if item.get("enableBehavior") == "any" else all(when)):
                now.add(link)
        if now == enabled:
            return enabled
        enabled = now


def asked_for_certain(book: Rulebook, given: dict[str, Any]) -> set[str]:
    state = progress(book, given)
    return {
        q.id
        for q in book.questions
        if q.asked_when is None or q.asked_when.settled(state.facts, state.settled)
    }


@pytest.mark.parametrize("answers", VIGNETTES[::3])
def test_enable_when_enables_exactly_the_asked_questions(book: Rulebook, answers: dict) -> None:
    """The skip logic is plain enableWhen that a renderer honours in its model (not only on
    screen): answered in question order, at every step the enabled questions are those the
    interview asks for certain, and a part is enabled exactly when one of its questions is."""
    resource = questionnaire(book)
    state = progress(book, answers)
    steps = [(q.id, state.facts[q.id]) for q in book.questions if q.id in state.facts]
    questions = {q.id for q in book.questions}
    for n in range(len(steps) + 1):
        given = dict(steps[:n])
        enabled = r4_enabled(resource, given)
        asked = asked_for_certain(book, given)
        assert enabled & questions == asked, (n, given)
        parts = {f"part.{book.question(k).group}" for k in asked}  # type: ignore[union-attr]
        assert {e for e in enabled if e.startswith("part.")} == parts


def test_only_the_notices_need_an_expression(book: Rulebook) -> None:
    """An enableWhenExpression is shown by LHC-Forms but left out of its validity and its
    response; the shipped rules' skip logic needs none (the notices, display items, keep theirs:
    they carry no answer). The conditions of the two parts that may be skipped whole read the
    injury."""
    form = questionnaire(book)
    expressions = {i["linkId"] for i in every_item(form)
                   if any(e["url"].endswith("enableWhenExpression")
                          for e in i.get("extension", []))}  # fmt: skip
    assert expressions == {i["linkId"] for i in every_item(form)
                           if i["linkId"].startswith("notice.")}  # fmt: skip
    conditional = {
        f"part.{g.id}"
        for g in book.groups
        if all(q.asked_when is not None for q in book.questions if q.group == g.id)
    }
    assert conditional == {"part.injury", "part.movement"}  # the shipped rules' two such parts
    for link in conditional:
        chain = [i for i in every_item(form) if link in json.dumps(i) and i["type"] == "group"]
        assert all(i["enableWhen"] for i in chain), link
    # The rotation gate: each part of the compound condition somewhere on the way to the
    # question; "injured" is implied (intoxicated is answered, and days_since_injury enabled,
    # only after an injury), so no level of its own.
    gate = [i for i in every_item(form) if '"can_rotate_45"' in json.dumps(i)]
    read = {e["question"] for i in gate for e in i.get("enableWhen", [])}
    assert read == {"age", "known_spine_problem", "intoxicated", "days_since_injury",
                    "chest_symptoms", "vascular_signs", "new_headache", "meningitis_signs",
                    "bladder_bowel", "neuro_symptoms", "head_injury", "dangerous_mechanism",
                    "neck_mark", "possible_fracture", "midline_tenderness",
                    "bone_or_joint_disease"}  # fmt: skip
