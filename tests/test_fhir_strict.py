"""The strict reading of a FHIR R4 QuestionnaireResponse
(neckcheck.formats.fhir.answers_from_response).

Safety rule: an answer is never guessed. Each test starts from a valid response and makes one
hostile change; the reading must refuse it with an InputError naming the right key (the linkId
or the element), never accept it, and never raise anything else."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import given
from hypothesis import strategies as st

from neckcheck.api import load_rulebook, screen
from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from neckcheck.formats import fhir, fhir_export
from neckcheck.formats.fhir import answers_from_response, questionnaire, response_from_answers
from tests.cli import Done, invoke
from tests.conftest import RULES
from tests.spec import BASELINE, NO_INJURY, QUESTIONS

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
SOURCE = "response.json"


# ---- helpers ----


def valid(book: Rulebook, answers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A valid response to the exported Questionnaire (BASELINE: technique, exit 0)."""
    return response_from_answers(BASELINE if answers is None else answers, book)


def every_item(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The items of a Questionnaire or a response at every depth (questions sit in groups)."""
    found: list[dict[str, Any]] = []
    pending = list(resource.get("item", []))
    while pending:
        item = pending.pop(0)
        found.append(item)
        pending[:0] = item.get("item", [])
    return found


def item_of(response: dict[str, Any], link: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in every_item(response) if i["linkId"] == link)
    return found


def without(response: dict[str, Any], *links: str) -> dict[str, Any]:
    for holder in [response, *every_item(response)]:
        if "item" in holder:
            holder["item"] = [i for i in holder["item"] if i["linkId"] not in links]
    return response


def flat(response: dict[str, Any]) -> dict[str, Any]:
    """The same response with its questions at the top level, out of their groups."""
    return response | {"item": [i for i in every_item(response) if "answer" in i]}


def coding(book: Rulebook, link: str, code: str) -> dict[str, Any]:
    """The exported answer option of `link` with this code (system and display as exported)."""
    exported = questionnaire(book)
    items = {i["linkId"]: i for i in every_item(exported)}
    option: dict[str, Any] = next(
        c for c in fhir_export.answer_codings(exported, items[link]) if c["code"] == code
    )
    return dict(option)


def problems_of(resource: Any, book: Rulebook) -> dict[str, list[str]]:
    """The problems of a refused response, by key (the test fails if it is accepted)."""
    with pytest.raises(InputError) as info:
        answers_from_response(resource, book, SOURCE)
    assert info.value.source == SOURCE
    found: dict[str, list[str]] = {}
    for p in info.value.problems:
        found.setdefault(p.key, []).append(p.message)
    return found


def refused_naming(resource: Any, book: Rulebook, key: str, words: str = "") -> None:
    found = problems_of(resource, book)
    assert key in found, found
    assert any(words in m for m in found[key]), found


def decision_of(resource: dict[str, Any], book: Rulebook) -> dict[str, object]:
    return screen(answers_from_response(resource, book, SOURCE), book).to_dict()


def run_cli(tmp_path: Path, document: object, *args: str) -> Done:
    path = tmp_path / "response.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return invoke([*args, str(path)])


def grouped(response: dict[str, Any]) -> dict[str, Any]:
    """The same answers, nested: the first question's item carries the next three under its
    answer, and the rest sit in two nested groups."""
    items = copy.deepcopy(flat(response)["item"])
    first, under_answer, rest = items[0], items[1:4], items[4:]
    if under_answer:
        first["answer"][0]["item"] = under_answer
    half = len(rest) // 2
    inner = {"linkId": "group.details", "text": "Details", "item": rest[half:]}
    outer = {"linkId": "group.screening", "text": "Screening", "item": [*rest[:half], inner]}
    return response | {"item": [first, outer]}


# ---- the valid forms are read ----


def test_a_valid_response_reads_as_its_answers(book: Rulebook) -> None:
    assert answers_from_response(valid(book), book, SOURCE) == BASELINE
    assert decision_of(valid(book), book) == screen(BASELINE, book).to_dict()


def test_amended_and_unversioned_canonical_are_accepted(book: Rulebook) -> None:
    exported = questionnaire(book)
    response = valid(book) | {"status": "amended", "questionnaire": exported["url"]}
    assert answers_from_response(response, book, SOURCE) == BASELINE


def test_known_elements_are_allowed_and_display_is_ignored(book: Rulebook) -> None:
    response = valid(book) | {
        "id": "r1",
        "meta": {"versionId": "1"},
        "language": "en",
        "text": {"status": "generated", "div": "<div>answers</div>"},
        "contained": [],  # a resource inside it is refused (see test_edge)
        "extension": [{"url": "https://example.invalid/x", "valueString": "x"}],
        "identifier": {"value": "1"},
        "basedOn": [],
        "partOf": [],
        "subject": {"reference": "#p"},
        "encounter": {"reference": "Encounter/1"},
        "authored": "2024-01-01T10:00:00Z",
        "author": {"reference": "#p"},
        "source": {"reference": "#p"},
    }
    item_of(response, "vascular_signs")["answer"][0]["valueCoding"]["display"] = "Yes (ignored)"
    item_of(response, "age")["extension"] = [{"url": "https://example.invalid/y"}]
    assert answers_from_response(response, book, SOURCE) == BASELINE


# ---- rule 1: nested items are read; non-questions carry no answer; bounded nesting ----


def test_items_in_nested_groups_and_under_answers_are_read(book: Rulebook) -> None:
    response = grouped(valid(book))
    QuestionnaireResponse.model_validate(response)
    assert answers_from_response(response, book, SOURCE) == BASELINE


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_grouped_round_trip_gives_the_same_decision(book: Rulebook, path: Path) -> None:
    answers = json.loads(path.read_text(encoding="utf-8"))["answers"]
    response = grouped(response_from_answers(answers, book))
    QuestionnaireResponse.model_validate(response)
    assert decision_of(response, book) == screen(answers, book).to_dict()


def test_a_nested_answer_is_never_missed(book: Rulebook) -> None:
    """A yes under a group is as much an answer as one at the top level."""
    response = without(valid(book), "chest_symptoms")
    group = {"linkId": "group", "item": [{"linkId": "chest_symptoms",
                                          "answer": [{"valueCoding": coding(book, "chest_symptoms",
                                                                            "yes")}]}]}  # fmt: skip
    response["item"].append(group)
    assert decision_of(response, book)["disposition"] == "emergency"


@pytest.mark.parametrize("link", ["group", "age.help"])
def test_a_non_question_with_an_answer_is_refused(book: Rulebook, link: str) -> None:
    response = valid(book)
    answer = {"valueCoding": coding(book, "vascular_signs", "yes")}
    response["item"].append({"linkId": link, "answer": [answer]})
    refused_naming(response, book, link, "not a question")


def test_a_group_and_a_display_item_without_answers_are_allowed(book: Rulebook) -> None:
    response = valid(book)
    item_of(response, "age")["item"] = [{"linkId": "age.help", "text": "help"}]
    response["item"].append({"linkId": "empty.group", "text": "nothing here"})
    assert answers_from_response(response, book, SOURCE) == BASELINE


def chain(depth: int, innermost: dict[str, Any]) -> dict[str, Any]:
    item = innermost
    for n in range(depth):
        item = {"linkId": f"level{n}", "item": [item]}
    return item


def test_nesting_deeper_than_the_guard_is_refused(book: Rulebook) -> None:
    response = without(valid(book), "vascular_signs")
    inner = item_of(valid(book), "vascular_signs")
    response["item"].append(chain(fhir.MAX_DEPTH - 1, inner))
    assert answers_from_response(response, book, SOURCE)["vascular_signs"] == "no"
    response["item"][-1] = chain(fhir.MAX_DEPTH, inner)
    refused_naming(response, book, "level0", "nested more than")


def test_hostile_nesting_is_an_input_error_not_a_recursion_error(book: Rulebook) -> None:
    response = valid(book)
    response["item"].append(chain(100_000, {"linkId": "bottom"}))
    # The item at the last allowed level is named (counting from the outermost, level99999).
    refused_naming(response, book, f"level{100_000 - fhir.MAX_DEPTH}", "nested more than")
    deep_answer: dict[str, Any] = {"linkId": "x"}
    for _ in range(50_000):
        deep_answer = {"linkId": "age", "answer": [{"valueInteger": 40, "item": [deep_answer]}]}
    assert problems_of(valid(book) | {"item": [deep_answer]}, book)
    deep_extension: Any = {}
    for _ in range(100_000):
        deep_extension = {"extension": [deep_extension]}
    assert problems_of(valid(book) | {"extension": [deep_extension], "status": "x"}, book)


def test_a_cycle_is_an_input_error(book: Rulebook) -> None:
    response = valid(book)
    group: dict[str, Any] = {"linkId": "loop"}
    group["item"] = [group]
    response["item"].append(group)
    refused_naming(response, book, "loop")
    extension: dict[str, Any] = {"url": "x"}
    extension["extension"] = [extension]
    problems = problems_of(valid(book) | {"extension": [extension]}, book)
    assert "extension" in problems


def test_too_many_items_are_refused(book: Rulebook) -> None:
    response = valid(book)
    response["item"] += [{"linkId": f"display{n}"} for n in range(fhir.MAX_ITEMS)]
    refused_naming(response, book, "item", f"more than {fhir.MAX_ITEMS} items")


# ---- rule 2: a linkId appears once in the whole tree ----


def test_the_red_team_case_nested_yes_beside_top_level_no_is_refused(book: Rulebook) -> None:
    response = valid(book)  # vascular_signs "no" at the top level
    response["item"].append(
        {"linkId": "more", "item": [{"linkId": "vascular_signs",
                                     "answer": [{"valueCoding": coding(book, "vascular_signs",
                                                                       "yes")}]}]}
    )  # fmt: skip
    refused_naming(response, book, "vascular_signs", "more than once")


def test_a_repeat_under_an_answer_is_refused(book: Rulebook) -> None:
    response = valid(book)
    nested = copy.deepcopy(item_of(response, "neck_mark"))
    item_of(response, "age")["answer"][0]["item"] = [nested]
    refused_naming(response, book, "neck_mark", "more than once")


def test_a_repeat_with_the_same_answer_is_still_refused(book: Rulebook) -> None:
    response = valid(book)
    response["item"].append(copy.deepcopy(item_of(response, "age")))
    refused_naming(response, book, "age", "more than once")


def test_a_repeated_group_linkid_is_refused(book: Rulebook) -> None:
    response = valid(book)
    response["item"] += [{"linkId": "group"}, {"linkId": "x", "item": [{"linkId": "group"}]}]
    refused_naming(response, book, "group", "more than once")


# ---- rule 3: the top level ----


@pytest.mark.parametrize("kind", ["Patient", "questionnaireResponse", "Questionnaire", None, 1])
def test_resource_type_must_be_exact(book: Rulebook, kind: object) -> None:
    refused_naming(valid(book) | {"resourceType": kind}, book, "resourceType")


def test_missing_resource_type_is_refused(book: Rulebook) -> None:
    response = valid(book)
    del response["resourceType"]
    refused_naming(response, book, "resourceType")


def test_a_plain_answer_beside_resource_type_is_refused(book: Rulebook) -> None:
    response = valid(book) | {"vascular_signs": "yes", "signs_recent": "yes"}
    refused_naming(response, book, "vascular_signs", "plain answer")


@pytest.mark.parametrize("key", ["answers", "items", "Item", "questionnaireResponse", ""])
def test_an_unknown_top_level_key_is_refused(book: Rulebook, key: str) -> None:
    refused_naming(valid(book) | {key: []}, book, key, "not an element")


def test_implicit_rules_are_refused(book: Rulebook) -> None:
    response = valid(book) | {"implicitRules": "https://example.invalid/rules"}
    refused_naming(response, book, "implicitRules", "modifier")


MODIFIER = [{"url": "https://example.invalid/negated", "valueBoolean": True}]


def test_modifier_extension_at_the_top_is_refused(book: Rulebook) -> None:
    refused_naming(valid(book) | {"modifierExtension": MODIFIER}, book, "modifierExtension")


def test_modifier_extension_on_an_item_is_refused(book: Rulebook) -> None:
    response = valid(book)
    item_of(response, "vascular_signs")["modifierExtension"] = MODIFIER
    refused_naming(response, book, "vascular_signs", "modifierExtension")


def test_modifier_extension_on_an_answer_is_refused(book: Rulebook) -> None:
    response = valid(book)
    item_of(response, "vascular_signs")["answer"][0]["modifierExtension"] = MODIFIER
    refused_naming(response, book, "vascular_signs", "modifierExtension")


def test_modifier_extension_deep_inside_is_refused(book: Rulebook) -> None:
    response = valid(book)
    deep = {"url": "https://example.invalid/a", "extension": [{"modifierExtension": MODIFIER}]}
    item_of(response, "vascular_signs")["answer"][0]["valueCoding"]["extension"] = [deep]
    refused_naming(response, book, "vascular_signs", "modifierExtension")
    contained = [{"resourceType": "Basic", "modifierExtension": MODIFIER}]
    response = valid(book) | {"contained": contained}
    refused_naming(response, book, "contained", "contained resources are not read")
    response = valid(book)
    display = {"linkId": "display", "modifierExtension": MODIFIER}
    response["item"].append({"linkId": "group", "item": [display]})
    refused_naming(response, book, "display", "modifierExtension")


# ---- rule 4: status ----


@pytest.mark.parametrize(
    "status",
    ["in-progress", "stopped", "entered-in-error", "Completed", "", None, True, ["completed"]],
)
def test_only_a_completed_or_amended_response_is_screened(book: Rulebook, status: object) -> None:
    refused_naming(valid(book) | {"status": status}, book, "status")


def test_a_missing_status_is_refused(book: Rulebook) -> None:
    response = valid(book)
    del response["status"]
    refused_naming(response, book, "status", "missing")


# ---- rule 5: the questionnaire canonical ----


@pytest.mark.parametrize(
    "canonical",
    [
        "https://example.invalid/fhir/Questionnaire/other",
        f"{fhir_export.URL}|0.0.0-other",
        f"{fhir_export.URL}|",
        f"{fhir_export.URL} ",
        f"{fhir_export.URL}/",
        "Questionnaire/neckcheck",
        None,
        {"reference": fhir_export.URL},
    ],
)
def test_another_questionnaire_is_refused(book: Rulebook, canonical: object) -> None:
    refused_naming(valid(book) | {"questionnaire": canonical}, book, "questionnaire")


def test_a_missing_questionnaire_is_refused(book: Rulebook) -> None:
    response = valid(book)
    del response["questionnaire"]
    refused_naming(response, book, "questionnaire", "missing")


def test_the_canonical_and_the_code_system_come_from_the_export(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change of URL or answer code system in fhir_export.py carries through to the reading."""
    old = load_rulebook(RULES)
    old_response = response_from_answers(BASELINE, old)
    monkeypatch.setattr(fhir_export, "URL", "https://example.invalid/fhir/Questionnaire/moved")
    monkeypatch.setattr(fhir_export, "TRI_SYSTEM", "https://example.invalid/fhir/CodeSystem/moved")
    book = load_rulebook(RULES)
    exported = questionnaire(book)
    response = response_from_answers(BASELINE, book)
    assert response["questionnaire"] == f"{exported['url']}|{exported['version']}"
    assert answers_from_response(response, book, SOURCE) == BASELINE
    refused_naming(response | {"questionnaire": old_response["questionnaire"]}, book,
                   "questionnaire")  # fmt: skip
    old_coding = item_of(old_response, "vascular_signs")["answer"][0]["valueCoding"]
    item_of(response, "vascular_signs")["answer"][0]["valueCoding"] = old_coding
    refused_naming(response, book, "vascular_signs", "system")


# ---- rule 6: one answer of the item's type ----


def test_two_answers_are_refused(book: Rulebook) -> None:
    response = valid(book)
    no, yes = coding(book, "vascular_signs", "no"), coding(book, "vascular_signs", "yes")
    item_of(response, "vascular_signs")["answer"] = [{"valueCoding": no}, {"valueCoding": yes}]
    refused_naming(response, book, "vascular_signs", "exactly one answer")


@pytest.mark.parametrize("empty", [{"answer": []}, {}])
def test_no_answer_is_unanswered_and_reported_as_missing(book: Rulebook, empty: dict) -> None:
    response = without(valid(book), "vascular_signs")
    response["item"].append({"linkId": "vascular_signs", **empty})
    read = answers_from_response(response, book, SOURCE)
    assert "vascular_signs" not in read
    with pytest.raises(InputError) as info:
        screen(read, book)
    assert [p.key for p in info.value.problems] == ["vascular_signs"]


@pytest.mark.parametrize(
    ("link", "answer"),
    [
        ("vascular_signs", {"valueBoolean": False}),
        ("vascular_signs", {"valueString": "no"}),
        ("vascular_signs", {"valueInteger": 0}),
        ("injury", {"valueString": "none"}),
        ("age", {"valueDecimal": 40.0}),
        ("age", {"valueString": "40"}),
        ("age", {"valueCoding": {"code": "40"}}),
        ("age", {"valueInteger": True}),
        ("age", {"valueInteger": 40.0}),
        ("age", {"valueInteger": "40"}),
        ("age", {"valueInteger": None}),
        ("age", {"valueQuantity": {"value": 40}}),
        ("age", {"valueFoo": 40}),
        ("age", {}),
        ("age", {"item": []}),
        ("age", {"valueInteger": 40, "valueDecimal": 40.0}),
        ("vascular_signs", {"valueCoding": "no"}),
        ("vascular_signs", {"valueCoding": None}),
        ("vascular_signs", {"valueCoding": {"code": "no"}}),
        ("vascular_signs", {"valueCoding": {"system": "http://snomed.info/sct", "code": "no"}}),
        ("vascular_signs", {"valueCoding": {"system": fhir_export.TRI_SYSTEM + "/", "code": "no"}}),
        ("vascular_signs", {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "code": "No"}}),
        ("vascular_signs", {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "code": "true"}}),
        ("vascular_signs", {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "code": True}}),
        ("vascular_signs", {"valueCoding": {"system": fhir_export.TRI_SYSTEM}}),
        ("vascular_signs", {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "display": "No"}}),
        ("vascular_signs", {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "code": "none"}}),
        ("vascular_signs",
         {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "code": "no", "version": "9"}}),
        ("injury", {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "code": "yes"}}),
        ("injury", {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "code": "car"}}),
        ("vascular_signs", {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "code": "no"},
                            "valueBoolean": False}),
        ("vascular_signs", {"valueCoding": {"system": fhir_export.TRI_SYSTEM, "code": "no"},
                            "answer": "yes"}),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_kind_is_refused(book: Rulebook, link: str, answer: dict) -> None:
    response = valid(book)
    item_of(response, link)["answer"] = [answer]
    refused_naming(response, book, link)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda r: r["item"].append("age"), "item[27]"),
        (lambda r: r["item"].append(None), "item[27]"),
        (lambda r: r["item"].append([{"linkId": "age"}]), "item[27]"),
        (lambda r: r.update(item={"linkId": "age"}), "item"),
        (lambda r: r.update(item="age"), "item"),
        (lambda r: r.update(item=None), "item"),
        (lambda r: r["item"].append({"linkId": 7}), "item[27]"),
        (lambda r: r["item"].append({"linkId": None, "answer": []}), "item[27]"),
        (lambda r: r["item"].append({"linkId": ""}), "item[27]"),
        (lambda r: r["item"].append({"text": "no linkId"}), "item[27]"),
        (lambda r: r["item"][0].update(answer={"valueInteger": 40}), "age"),
        (lambda r: r["item"][0].update(answer=None), "age"),
        (lambda r: r["item"][0].update(answer=[40]), "age"),
        (lambda r: r["item"][0].update(item={"linkId": "x"}), "age"),
        (lambda r: r["item"][0]["answer"][0].update(item="x"), "age"),
        (lambda r: r["item"][0].update(answers=[]), "age"),
        (lambda r: r["item"][0].update(valueInteger=40), "age"),
        (lambda r: r["item"].append({"linkId": "g", "item": [{"linkId": ["age"]}]}),
         "item[27].item[0]"),
        (lambda r: r["item"].append({"linkId": "g", 1: 2}), "g"),
    ],
)  # fmt: skip
def test_a_malformed_tree_is_an_input_error(book: Rulebook, change: Any, key: str) -> None:
    response = flat(valid(book))
    assert len(response["item"]) == 27
    assert response["item"][0]["linkId"] == "age"
    change(response)
    refused_naming(response, book, key)


def test_a_non_object_resource_is_an_input_error(book: Rulebook) -> None:
    for resource in (None, [], "QuestionnaireResponse", 1):
        refused_naming(resource, book, "resourceType")


# ---- rule 7: every problem at once ----


def test_every_problem_is_reported_at_once(book: Rulebook) -> None:
    response = valid(book) | {"status": "in-progress", "questionnaire": "x", "age": 40}
    response["item"].append(copy.deepcopy(item_of(response, "neck_mark")))
    item_of(response, "vascular_signs")["answer"] = [{"valueBoolean": False}]
    item_of(response, "injury")["answer"][0]["valueCoding"]["code"] = "car"
    response["item"].append({"linkId": "group", "answer": [{"valueInteger": 1}]})
    found = problems_of(response, book)
    assert set(found) == {"status", "questionnaire", "age", "neck_mark", "vascular_signs",
                          "injury", "group"}  # fmt: skip


# ---- the command line ----


def test_the_red_team_case_through_the_command(book: Rulebook, tmp_path: Path) -> None:
    response = valid(book)
    response["item"].append(
        {"linkId": "more", "item": [{"linkId": "vascular_signs",
                                     "answer": [{"valueCoding": coding(book, "vascular_signs",
                                                                       "yes")}]}]}
    )  # fmt: skip
    done = run_cli(tmp_path, response, "screen", "--json", "--answers")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "vascular_signs: appears more than once" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_grouped_response_through_the_command(book: Rulebook, tmp_path: Path) -> None:
    response = grouped(valid(book, NO_INJURY))
    done = run_cli(tmp_path, response, "screen", "--json", "--answers")
    assert done.returncode == screen(NO_INJURY, book).exit_code, done.stderr
    assert json.loads(done.stdout) == screen(NO_INJURY, book).to_dict()


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda r: r.update(status="in-progress"), "status"),
        (lambda r: r.update(questionnaire="https://example.invalid/q"), "questionnaire"),
        (lambda r: r.update(vascular_signs="yes"), "vascular_signs"),
        (lambda r: r["item"].append(chain(200, {"linkId": "x"})), "nested more than"),
        (lambda r: item_of(r, "vascular_signs")["answer"][0].update(valueBoolean=True),
         "vascular_signs"),
    ],
)  # fmt: skip
def test_refusals_through_the_command(
    book: Rulebook, tmp_path: Path, change: Any, key: str
) -> None:
    response = valid(book)
    change(response)
    done = run_cli(tmp_path, response, "screen", "--json", "--answers")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert key in done.stderr
    assert "Traceback" not in done.stderr


def test_nesting_too_deep_for_the_json_parser_through_the_command(
    book: Rulebook, tmp_path: Path
) -> None:
    depth = 5_000
    deep = '{"linkId": "g", "item": [' * depth + '{"linkId": "x"}' + "]}" * depth
    text = json.dumps(valid(book))
    assert text.endswith("]}")
    path = tmp_path / "deep.json"
    path.write_text(text[:-2] + ", " + deep + "]}", encoding="utf-8")
    done = invoke(["screen", "--json", "--answers", str(path)])
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "nested too deeply" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_refusal_in_batch_names_the_key(book: Rulebook, tmp_path: Path) -> None:
    good = valid(book)
    bad = valid(book) | {"status": "stopped"}
    path = tmp_path / "lines.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    done = invoke(["batch", str(path)])
    assert done.returncode == 2, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["outcome"] == screen(BASELINE, book).outcome
    assert [p["key"] for p in second["error"]["problems"]] == ["status"]


# ---- fuzz: random trees never raise anything but InputError ----

KEYS = st.sampled_from(
    ["linkId", "answer", "item", "valueCoding", "valueInteger", "valueBoolean", "valueString",
     "system", "code", "display", "text", "extension", "modifierExtension", "url", "status",
     "resourceType", "questionnaire", *QUESTIONS, "age.help", "group"]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.builds(pow, st.just(10), st.just(5000)),  # too long for repr()
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from([*QUESTIONS, "yes", "no", "unsure", fhir_export.TRI_SYSTEM, fhir_export.URL]),
)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(KEYS, st.text(max_size=6)), inner, max_size=5),
    ),
    max_leaves=40,
)


def place(response: dict[str, Any], where: int, tree: object) -> None:
    """Put a random tree somewhere a hostile response could: as the item list, as an item, as an
    answer, as a value, under a nested item, as an element or as the whole resource."""
    items = response["item"]
    vascular = item_of(response, "vascular_signs")
    if where == 0:
        response["item"] = tree
    elif where == 1:
        items.append(tree)
    elif where == 2:
        vascular["answer"] = [tree]
    elif where == 3:
        vascular["answer"][0]["valueCoding"] = tree
    elif where == 4:
        items[0]["answer"][0]["item"] = [tree]
    elif where == 5:
        items.append({"linkId": "group", "item": [tree]})
    elif where == 6:
        response["extension"] = tree
    elif where == 7:
        items[0]["answer"] = tree
    elif where == 8:
        vascular["answer"][0]["valueCoding"]["code"] = tree
    elif where == 9:
        items[0]["answer"][0]["valueInteger"] = tree
    elif where == 10:
        response["status"] = tree
    else:
        response.clear()
        if isinstance(tree, dict):
            response.update(tree)


@given(tree=TREES, where=st.integers(0, 11))
def test_random_trees_raise_nothing_but_input_error(
    book: Rulebook, tree: object, where: int
) -> None:
    response = flat(valid(book))
    place(response, where, tree)
    try:
        read = answers_from_response(response, book, SOURCE)
    except InputError as exc:
        problems = exc.problems
    else:
        problems = []
    if problems:
        assert all(isinstance(p.key, str) and p.message for p in problems)
        return
    assert set(read) <= set(QUESTIONS)
    for key, value in read.items():
        kind, domain, _ = QUESTIONS[key]
        if kind == "int":
            assert type(value) is int
        else:
            assert isinstance(value, str)
            assert value in domain
