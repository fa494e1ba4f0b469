"""FHIR R4: the questions as a Questionnaire, and a QuestionnaireResponse read back as an answer
set. Plain dicts in, plain dicts out; the clinical logic stays in the rules."""

from __future__ import annotations

from typing import Any

from neckcheck.conditions import All, AnyOf, Compare, Condition, Not
from neckcheck.errors import InputError, Problem
from neckcheck.model import Question, Rulebook

URL = "https://neckcheck.invalid/fhir/Questionnaire/neckcheck"
ANSWER_SYSTEM = "https://neckcheck.invalid/fhir/CodeSystem/answers"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ENABLE_WHEN_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)
_OPERATORS = {"eq": "=", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _coding(book: Rulebook, question: Question, value: str) -> dict[str, str]:
    return {"system": ANSWER_SYSTEM, "code": value, "display": book.answer_label(question, value)}


def _answer(book: Rulebook, key: str, value: object) -> dict[str, Any]:
    question = book.question(key)
    if question is not None and question.type != "int":
        return {"answerCoding": _coding(book, question, str(value))}
    return {"answerInteger": value}


def _enable_when(book: Rulebook, cond: Condition) -> tuple[list[dict[str, Any]], str]:
    """A condition as enableWhen entries and an enableBehavior; only flat all/any of
    comparisons (what FHIR can say) are accepted."""

    def entries(c: Compare) -> tuple[list[dict[str, Any]], str]:
        if c.op in _OPERATORS:
            return [{"question": c.key, "operator": _OPERATORS[c.op],
                     **_answer(book, c.key, c.value)}], "all"  # fmt: skip
        if c.op == "in":
            return [{"question": c.key, "operator": "=", **_answer(book, c.key, v)}
                    for v in c.values()], "any"  # fmt: skip
        return [{"question": c.key, "operator": "!=", **_answer(book, c.key, v)}
                for v in c.values()], "all"  # fmt: skip

    if isinstance(cond, Compare):
        return entries(cond)
    if isinstance(cond, All | AnyOf):
        behavior = "all" if isinstance(cond, All) else "any"
        found: list[dict[str, Any]] = []
        for part in cond.parts:
            if not isinstance(part, Compare):
                raise ValueError(f"FHIR enableWhen cannot express {cond}")
            items, inner = entries(part)
            if len(items) > 1 and inner != behavior:
                raise ValueError(f"FHIR enableWhen cannot express {cond}")
            found += items
        return found, behavior
    raise ValueError(f"FHIR enableWhen cannot express {cond}")


def _fhirpath(book: Rulebook, cond: Condition) -> str:
    """A condition as a FHIRPath boolean over the response, for SDC's enableWhenExpression
    (used where enableWhen cannot say it). An unanswered question makes every comparison false,
    as a skipped one does in neckcheck."""
    if isinstance(cond, Compare):
        question = book.question(cond.key)
        coded = question is not None and question.type != "int"
        value = "value.code" if coded else "value"

        def literal(v: object) -> str:
            return f"'{v}'" if coded else str(v)

        if cond.op in ("in", "not_in"):
            options = " or ".join(f"{value} = {literal(v)}" for v in cond.values())
            test = f"({options})" if cond.op == "in" else f"({options}).not()"
        else:
            test = f"{value} {_OPERATORS[cond.op]} {literal(cond.value)}"
        return f"%resource.repeat(item).where(linkId = '{cond.key}').answer.where({test}).exists()"
    if isinstance(cond, All | AnyOf):
        joiner = " and " if isinstance(cond, All) else " or "
        return "(" + joiner.join(_fhirpath(book, p) for p in cond.parts) + ")"
    if isinstance(cond, Not):
        return f"({_fhirpath(book, cond.part)}).not()"
    raise ValueError(f"unknown condition {cond!r}")


def questionnaire(book: Rulebook) -> dict[str, Any]:
    """The rulebook's questions as a FHIR R4 Questionnaire (linkId = the answer key)."""
    items = []
    for q in book.questions:
        item: dict[str, Any] = {
            "linkId": q.id,
            "text": q.prompt,
            "type": "integer" if q.type == "int" else "choice",
            "required": True,
        }
        if q.type == "int":
            item["extension"] = [
                {"url": MIN_VALUE, "valueInteger": q.min},
                {"url": MAX_VALUE, "valueInteger": q.max},
            ]
        else:
            item["answerOption"] = [
                {"valueCoding": _coding(book, q, v)} for v in q.allowed_values()
            ]
        if q.asked_when is not None:
            try:
                when, behavior = _enable_when(book, q.asked_when)
            except ValueError:
                item.setdefault("extension", []).append(
                    {
                        "url": ENABLE_WHEN_EXPRESSION,
                        "valueExpression": {
                            "language": "text/fhirpath",
                            "expression": _fhirpath(book, q.asked_when),
                        },
                    }
                )
            else:
                item["enableWhen"] = when
                if len(when) > 1:
                    item["enableBehavior"] = behavior
        item["item"] = [{"linkId": f"{q.id}.help", "type": "display", "text": q.help}]
        items.append(item)
    return {
        "resourceType": "Questionnaire",
        "id": "neckcheck",
        "url": URL,
        "version": book.version,
        "name": "NeckcheckScreening",
        "title": "neckcheck: safety screening for a sore neck after a fall or an accident",
        "status": "active",
        "description": book.disclaimer,
        "item": items,
    }


def response_from_answers(answers: dict[str, Any], book: Rulebook) -> dict[str, Any]:
    """An answer set as a QuestionnaireResponse to `questionnaire(book)` (for clients, tests)."""
    items = []
    for q in book.questions:
        if q.id not in answers:
            continue
        value = answers[q.id]
        if q.type == "int":
            answer: dict[str, Any] = {"valueInteger": value}
        else:
            code = {True: "yes", False: "no"}.get(value, value) if q.type == "tri" else value
            answer = {"valueCoding": _coding(book, q, str(code))}
        items.append({"linkId": q.id, "text": q.prompt, "answer": [answer]})
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{URL}|{book.version}",
        "status": "completed",
        "item": items,
    }


_VALUE_KEYS = ("valueCoding", "valueInteger", "valueBoolean", "valueString", "valueDecimal")


def answers_from_response(resource: dict[str, Any], source: str) -> dict[str, object]:
    """Read a QuestionnaireResponse as a plain answer set; its problems are input errors that
    name the linkId. The answer set is then checked like any other."""
    kind = resource.get("resourceType")
    if kind != "QuestionnaireResponse":
        raise InputError([Problem("resourceType", f"{kind!r} is not a QuestionnaireResponse")],
                         source)  # fmt: skip
    problems: list[Problem] = []
    answers: dict[str, object] = {}
    items = resource.get("item", [])
    if not isinstance(items, list):
        raise InputError([Problem("item", "must be a list of items")], source)
    for item in items:
        link = item.get("linkId") if isinstance(item, dict) else None
        if not isinstance(link, str):
            problems.append(Problem("item", "an item without a linkId"))
            continue
        given = item.get("answer", [])
        if link in answers:
            problems.append(Problem(link, "answered more than once"))
        elif not isinstance(given, list) or len(given) != 1 or not isinstance(given[0], dict):
            if given:
                problems.append(Problem(link, "needs exactly one answer"))
        else:
            values = [k for k in _VALUE_KEYS if k in given[0]]
            if len(values) != 1:
                problems.append(Problem(link, "an answer needs exactly one value[x]"))
                continue
            value = given[0][values[0]]
            if values[0] == "valueCoding":
                value = value.get("code") if isinstance(value, dict) else None
            answers[link] = value
    if problems:
        raise InputError(problems, source)
    return answers
