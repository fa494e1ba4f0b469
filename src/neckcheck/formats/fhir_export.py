"""FHIR R4 export: the rulebook's questions as an SDC Questionnaire a form renderer can put in
front of a person, and an answer set as a QuestionnaireResponse to it. Plain dicts out, no I/O;
every condition (skip logic, the emergency and urgent notices) is derived from the rules.

Skip logic and notices follow the interview exactly (neckcheck.core.progress.progress and
neckcheck.core.engine.certain_emergency): a question is shown once the answers so far make it asked
whatever the rest will be; a notice shows once the answers so far fire one of its rules whatever
the rest will be. Conditions are written in three values (holds for certain, fails for certain,
not yet known), so an unanswered question never makes anything appear."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from neckcheck.core.answers import Answers
from neckcheck.core.conditions import All, AnyOf, Compare, Condition, Not, Value
from neckcheck.core.errors import InputError, Problem
from neckcheck.core.model import Question, Rulebook

# A canonical that names neckcheck without claiming a web domain: the project owns none, so any
# http(s) address would be either someone else's or unresolvable. A URN says "a name, not an
# address"; the version (the rules version) goes beside it as `url|version`.
BASE = "urn:neckcheck:fhir"
URL = f"{BASE}:Questionnaire:screening"
TRI_SYSTEM = f"{BASE}:CodeSystem:yes-no-unsure"
PUBLISHER = "neckcheck developers"

SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
PROFILES = [f"{SDC}sdc-questionnaire", f"{SDC}sdc-questionnaire-behave",
            f"{SDC}sdc-questionnaire-render"]  # fmt: skip
ENABLE_WHEN_EXPRESSION = f"{SDC}sdc-questionnaire-enableWhenExpression"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
ENTRY_FORMAT = "http://hl7.org/fhir/StructureDefinition/entryFormat"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"
CHOICE_ORIENTATION = "http://hl7.org/fhir/StructureDefinition/questionnaire-choiceOrientation"
UCUM = "http://unitsofmeasure.org"

# Units and entry formats of the whole-number questions, by answer key (a question not listed
# gets none: the rules name no unit).
UNITS = {"age": ("a", "years"), "days_since_injury": ("d", "days")}
ENTRY_FORMATS = {"age": "whole years, e.g. 42", "days_since_injury": "whole days, 0 = today"}

DISCLAIMER_ID = "disclaimer"
UNPROVED_ID = "unproved-rules"
# A variable: the answered items of the response being filled in, at any depth (walked once per
# change, not once per comparison).
ANSWERED = "answered"
NOTICE_LEVELS = ("emergency", "urgent")
_OPERATORS = {"eq": "=", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def group_link(group_id: str) -> str:
    return f"part.{group_id}"


def notice_link(level: str, group_id: str) -> str:
    return f"notice.{level}.{group_id}"


def help_link(question_id: str) -> str:
    return f"{question_id}.help"


def system_of(question: Question) -> str:
    """The code system of a coded question's answers: one for every yes / no / not sure question,
    one of its own for each list of choices (so that a code means one thing within a system)."""
    if question.type == "tri":
        return TRI_SYSTEM
    return f"{BASE}:CodeSystem:{question.id.replace('_', '-')}"


def value_set_id(question: Question) -> str:
    """The id of the contained ValueSet that lists a coded question's answers (one per system)."""
    return "vs-" + system_of(question).rsplit(":", 1)[1]


def coding(book: Rulebook, question: Question, value: object) -> dict[str, str]:
    code = {True: "yes", False: "no"}.get(value, value) if question.type == "tri" else value  # type: ignore[call-overload]
    return {
        "system": system_of(question),
        "code": str(code),
        "display": book.answer_label(question, str(code)),
    }


def canonical(book: Rulebook) -> str:
    return f"{URL}|{book.version}"


# ---- Conditions in FHIR ----


def _and(parts: list[str]) -> str:
    if "false" in parts:
        return "false"
    kept = list(dict.fromkeys(p for p in parts if p != "true"))
    if not kept:
        return "true"
    return kept[0] if len(kept) == 1 else "(" + " and ".join(kept) + ")"


def _or(parts: list[str]) -> str:
    if "true" in parts:
        return "true"
    kept = list(dict.fromkeys(p for p in parts if p != "false"))
    if not kept:
        return "false"
    return kept[0] if len(kept) == 1 else "(" + " or ".join(kept) + ")"


def _not(part: str) -> str:
    return {"true": "false", "false": "true"}.get(part, f"{part}.not()")


class FhirPath:
    """Conditions of one rulebook as FHIRPath over the response being filled in (%resource), in
    three values as Condition.settled: `holds` is true when the answers so far make the
    condition true whatever the rest will be, `fails` when they make it false."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.holds = cache(self._holds)
        self.fails = cache(self._fails)

    def asked(self, key: str) -> str:
        when = self.book.question_read(key).asked_when
        return "true" if when is None else self.holds(when)

    def skipped(self, key: str) -> str:
        when = self.book.question_read(key).asked_when
        return "false" if when is None else self.fails(when)

    @staticmethod
    def answers(key: str) -> str:
        return f"%{ANSWERED}.where(linkId = '{key}').answer"

    def known(self, key: str) -> str:
        return _or([self.skipped(key), _and([self.asked(key), f"{self.answers(key)}.exists()"])])

    def _test(self, c: Compare) -> str:
        coded = self.book.question_read(c.key).type != "int"
        value = "value.code" if coded else "value"

        def literal(v: object) -> str:
            return f"'{v}'" if coded else str(v)

        if c.op in ("in", "not_in"):
            options = " or ".join(f"{value} = {literal(v)}" for v in c.values())
            return f"({options})" if c.op == "in" else f"({options}).not()"
        return f"{value} {_OPERATORS[c.op]} {literal(c.value)}"

    def _holds(self, cond: Condition) -> str:
        if isinstance(cond, Compare):
            found = f"{self.answers(cond.key)}.where({self._test(cond)}).exists()"
            return _and([self.asked(cond.key), found])
        if isinstance(cond, All):
            return _and([self.holds(p) for p in cond.parts])
        if isinstance(cond, AnyOf):
            return _or([self.holds(p) for p in cond.parts])
        if isinstance(cond, Not):
            return self.fails(cond.part)
        raise ValueError(f"unknown condition {cond!r}")

    def _fails(self, cond: Condition) -> str:
        if isinstance(cond, Compare):
            return _and([self.known(cond.key), _not(self.holds(cond))])
        if isinstance(cond, All):
            return _or([self.fails(p) for p in cond.parts])
        if isinstance(cond, AnyOf):
            return _and([self.fails(p) for p in cond.parts])
        if isinstance(cond, Not):
            return self.holds(cond.part)
        raise ValueError(f"unknown condition {cond!r}")

    def notice(self, level: str) -> str:
        """When the notice of a red-flag level shows: one of its rules holds for certain (and,
        for urgent, no emergency rule does), from the rules' own conditions and levels."""

        def any_rule(disposition: str) -> str:
            return _or([self.holds(r.when) for r in self.book.red_flags
                        if r.disposition == disposition and r.when is not None])  # fmt: skip

        if level == "emergency":
            return any_rule("emergency")
        return _and([any_rule("urgent"), _not(any_rule("emergency"))])


# ---- Skip logic as enableWhen ----

# A condition in conjunctive form: every clause must hold, and a clause holds when one of its
# atoms does. An atom is a comparison that enableWhen says exactly: true only on an answer
# (`=` on a coded question; `=`, `<`, `<=`, `>`, `>=` on a whole number), so an unanswered
# question, or one that is disabled (R4: as if unanswered), never enables anything.
Clause = tuple[Compare, ...]
Cnf = tuple[Clause, ...]
MAX_CLAUSES = 64  # beyond this a condition is left to an enableWhenExpression
_COMPLEMENT = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}


def _simplified(clauses: list[Clause]) -> Cnf:
    """Atoms once per clause, clauses once, and no clause that another one implies (a clause
    whose atoms include all of another's)."""
    unique = list(dict.fromkeys(tuple(dict.fromkeys(c)) for c in clauses))
    kept = [c for c in unique
            if not any(d != c and set(d) <= set(c) for d in unique)]  # fmt: skip
    return tuple(kept)


class EnableWhen:
    """Conditions of one rulebook in conjunctive form, in three values as Condition.settled:
    `holds(c)` is true exactly when the answers so far make c true whatever the rest will be,
    `fails(c)` when they make it false. None where the form cannot be built (an operator on a
    whole number that enableWhen cannot say, or too many clauses)."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.holds = cache(self._holds)
        self.fails = cache(self._fails)

    @staticmethod
    def _and(*parts: Cnf | None) -> Cnf | None:
        if any(p is None for p in parts):
            return None
        found = _simplified([c for p in parts if p is not None for c in p])
        return found if len(found) <= MAX_CLAUSES else None

    @staticmethod
    def _or(*parts: Cnf | None) -> Cnf | None:
        if any(p is None for p in parts):
            return None
        found: list[Clause] = [()]  # false: one empty clause
        first = True
        for part in parts:
            assert part is not None
            found = list(part) if first else [a + b for a in found for b in part]
            first = False
            if len(found) > MAX_CLAUSES * MAX_CLAUSES:
                return None
        result = _simplified(found)
        return result if len(result) <= MAX_CLAUSES else None

    def skipped(self, key: str) -> Cnf | None:
        when = self.book.question_read(key).asked_when
        return ((),) if when is None else self.fails(when)

    def _answered(self, key: str, values: tuple[Value, ...]) -> Cnf:
        return ((tuple(Compare(key, "eq", v) for v in values)),)

    def _compare(self, c: Compare, negated: bool) -> Cnf | None:
        question = self.book.question_read(c.key)
        if question.type != "int":
            chosen = set(c.values())
            positive = c.op in ("eq", "in", "ne", "not_in") and (c.op in ("eq", "in")) != negated
            if c.op not in ("eq", "in", "ne", "not_in"):
                return None
            values = tuple(v for v in question.allowed_values() if (v in chosen) == positive)
            # Only a skipped question makes `ne` hold, or `eq`, `in` and `not_in` fail.
            by_skip = (c.op == "ne") != negated
            answered = self._answered(c.key, values)
            return self._or(answered, self.skipped(c.key)) if by_skip else answered
        if c.op in ("ne", "not_in", "in") or (c.op == "eq" and negated):
            # A number compared with "not this value" or a list: not needed by the rules.
            return None
        if not negated:
            return ((c,),)
        opposite = Compare(c.key, _COMPLEMENT[c.op], c.value)
        return self._or(((opposite,),), self.skipped(c.key))

    def lean(self, cnf: Cnf) -> Cnf:
        """Without the clauses that another one implies through the form's own skip logic: an
        answer exists only while its question is enabled, so a clause each of whose atoms needs
        an answer to a question asked only when clause D holds makes D redundant ("intoxicated
        no, or past day 14" already means "injured"). Fewer levels, fewer untitled groups."""

        def implies(atom: Compare, clause: Clause) -> bool:
            when = self.book.question_read(atom.key).asked_when
            asked = None if when is None else self.holds(when)
            return asked is not None and any(set(e) <= set(clause) for e in asked)

        kept = list(cnf)
        for clause in cnf:
            if any(other != clause and all(implies(a, clause) for a in other) for other in kept):
                kept.remove(clause)
        return tuple(kept)

    def _holds(self, cond: Condition) -> Cnf | None:
        if isinstance(cond, Compare):
            return self._compare(cond, negated=False)
        if isinstance(cond, All):
            return self._and(*(self.holds(p) for p in cond.parts))
        if isinstance(cond, AnyOf):
            return self._or(*(self.holds(p) for p in cond.parts))
        if isinstance(cond, Not):
            return self.fails(cond.part)
        raise ValueError(f"unknown condition {cond!r}")

    def _fails(self, cond: Condition) -> Cnf | None:
        if isinstance(cond, Compare):
            return self._compare(cond, negated=True)
        if isinstance(cond, All):
            return self._or(*(self.fails(p) for p in cond.parts))
        if isinstance(cond, AnyOf):
            return self._and(*(self.fails(p) for p in cond.parts))
        if isinstance(cond, Not):
            return self.holds(cond.part)
        raise ValueError(f"unknown condition {cond!r}")


def _within(cnf: Cnf, context: Cnf) -> Cnf:
    """What a condition still needs inside an item enabled by `context`: its clauses that the
    context does not imply, without the atoms that the context or the condition itself rules
    out (a value of a coded question that a clause on that question alone excludes)."""
    needed = [c for c in cnf if not any(set(d) <= set(c) for d in context)]
    allowed: dict[str, set[Value]] = {}
    for clause in (*context, *needed):
        keys = {a.key for a in clause}
        if len(keys) == 1 and all(a.op == "eq" for a in clause):
            (key,) = keys
            values = {a.value for a in clause if not isinstance(a.value, tuple)}
            allowed[key] = allowed[key] & values if key in allowed else values
    return _simplified([
        tuple(a for a in clause
              if not (a.op == "eq" and a.key in allowed and a.value not in allowed[a.key]))
        for clause in needed
    ])  # fmt: skip


def _levels(cnf: Cnf) -> list[tuple[Clause, str]]:
    """A condition in conjunctive form as nested enableWhen levels, outermost first: one level
    (`enableBehavior` any) per clause of several atoms, and the single atoms together in one
    level (all), innermost. Each level goes on one item: a question or a part, and groups
    around it for the rest (an item is enabled only when its groups are)."""
    levels = [(c, "any") for c in cnf if len(c) > 1]
    singles = tuple(c[0] for c in cnf if len(c) == 1)
    if singles:
        levels.append((singles, "all"))
    return levels


def _entry(book: Rulebook, atom: Compare) -> dict[str, Any]:
    question = book.question(atom.key)
    assert question is not None
    if question.type == "int":
        answer: dict[str, Any] = {"answerInteger": atom.value}
    else:
        answer = {"answerCoding": coding(book, question, atom.value)}
    return {"question": atom.key, "operator": _OPERATORS[atom.op], **answer}


def _enable(book: Rulebook, item: dict[str, Any], level: tuple[Clause, str]) -> None:
    atoms, behavior = level
    item["enableWhen"] = [_entry(book, a) for a in atoms]
    if len(atoms) > 1:
        item["enableBehavior"] = behavior


def _wrapped(book: Rulebook, items: list[dict[str, Any]], levels: list[tuple[Clause, str]],
             owner: str) -> list[dict[str, Any]]:  # fmt: skip
    """Items inside one untitled group per level, the first level outermost (`if.OWNER.N`: a
    linkId no answer key can take)."""
    for n in range(len(levels), 0, -1):
        group: dict[str, Any] = {"linkId": f"if.{owner}.{n}", "type": "group"}
        _enable(book, group, levels[n - 1])
        group["item"] = items
        items = [group]
    return items


def _expression(expression: str) -> dict[str, Any]:
    return {"url": ENABLE_WHEN_EXPRESSION,
            "valueExpression": {"language": "text/fhirpath", "expression": expression}}  # fmt: skip


# ---- The Questionnaire ----


def _item_control(code: str) -> dict[str, Any]:
    return {
        "url": ITEM_CONTROL,
        "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": code}]},
    }


def _question_item(
    book: Rulebook, q: Question, paths: FhirPath, enable: EnableWhen, context: Cnf
) -> list[dict[str, Any]]:
    """A question, in the groups that carry the parts of its skip logic that its own enableWhen
    cannot (the list holds one item: the question or its outermost group). `context` is what
    its part already requires."""
    item: dict[str, Any] = {"linkId": q.id, "text": q.prompt,
                            "type": "integer" if q.type == "int" else "choice"}  # fmt: skip
    extensions: list[dict[str, Any]] = []
    if q.type == "int":
        extensions += [{"url": MIN_VALUE, "valueInteger": q.min},
                       {"url": MAX_VALUE, "valueInteger": q.max}]  # fmt: skip
        if q.id in UNITS:
            code, display = UNITS[q.id]
            extensions.append(
                {"url": UNIT, "valueCoding": {"system": UCUM, "code": code, "display": display}}
            )
        if q.id in ENTRY_FORMATS:
            extensions.append({"url": ENTRY_FORMAT, "valueString": ENTRY_FORMATS[q.id]})
    else:
        extensions += [_item_control("radio-button"),
                       {"url": CHOICE_ORIENTATION, "valueCode": "vertical"}]  # fmt: skip
        # The answers are the expansion of a contained ValueSet, named by '#id' (dom-3: a
        # contained resource is referred to from the resource that holds it).
        item["answerValueSet"] = f"#{value_set_id(q)}"
    levels: list[tuple[Clause, str]] = []
    if q.asked_when is not None:
        cnf = enable.holds(q.asked_when)
        needed = None if cnf is None else _within(cnf, context)
        if needed is None or () in needed:
            # enableWhen cannot say it: an expression, which renderers show and hide by but
            # which LHC-Forms leaves out of its validity and its response (tested in the
            # browser tier: the shipped rules need none).
            extensions.append(_expression(paths.holds(q.asked_when)))
        else:
            levels = _levels(enable.lean(needed))
            if levels:
                _enable(book, item, levels.pop())
    item["extension"] = extensions
    item["required"] = True
    item["item"] = [{"linkId": help_link(q.id), "type": "display", "text": q.help,
                     "extension": [_item_control("help")]}]  # fmt: skip
    return _wrapped(book, [item], levels, q.id)


def _notice_item(book: Rulebook, level: str, group_id: str) -> dict[str, Any]:
    text = book.text_for("red_flag", level)
    stop = (" Stop here: the rest of the form can wait." if level == "emergency"
            else " You may finish the form, but do not wait for a routine visit.")  # fmt: skip
    return {
        "linkId": notice_link(level, group_id),
        "type": "display",
        "text": text.headline + stop,
        "extension": [
            {"url": ENABLE_WHEN_EXPRESSION,
             "valueExpression": {"language": "text/fhirpath", "expression": f"%{level}"}}
        ],
    }  # fmt: skip


def _variable(name: str, expression: str) -> dict[str, Any]:
    return {
        "url": VARIABLE,
        "valueExpression": {"name": name, "language": "text/fhirpath", "expression": expression},
    }


def _value_sets(book: Rulebook) -> list[dict[str, Any]]:
    """One contained ValueSet per answer code system: its codes (with their one meaning each) in
    compose, from the system by its url, and the same codings as an expansion, so that a form
    renders the options without a terminology server. No CodeSystem resource is contained: the
    Questionnaire could not refer to it by '#id' (dom-3), and the codings name their system by
    its url all the same."""
    found: dict[str, dict[str, Any]] = {}
    for q in book.questions:
        if q.type == "int":
            continue
        system = system_of(q)
        if system in found:
            continue
        name = system.rsplit(":", 1)[1]
        codings = [coding(book, q, v) for v in q.allowed_values()]
        found[system] = {
            "resourceType": "ValueSet",
            "id": value_set_id(q),
            "url": f"{BASE}:ValueSet:{name}",
            "version": book.version,
            "name": "".join(w.capitalize() for w in name.split("-")),
            "status": "active",
            "compose": {
                "include": [
                    {
                        "system": system,
                        "concept": [{"code": c["code"], "display": c["display"]} for c in codings],
                    }
                ]
            },
            "expansion": {
                # A pure function of the rules: the expansion is as old as the rules version (the
                # element is required; a version that names no month gives the epoch).
                "timestamp": _date(book.version) or "1970-01",
                "total": len(codings),
                "contains": codings,
            },
        }
    return list(found.values())


def answer_codings(resource: dict[str, Any], item: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer codings of a choice item of an exported Questionnaire: the expansion of the
    contained ValueSet its answerValueSet names by '#id'."""
    wanted = item["answerValueSet"].removeprefix("#")
    (value_set,) = [r for r in resource.get("contained", [])
                    if r["resourceType"] == "ValueSet" and r["id"] == wanted]  # fmt: skip
    return [dict(c) for c in value_set["expansion"]["contains"]]


def _date(version: str) -> str | None:
    """The rules version is year.month.release: the Questionnaire's date is that year and month
    (a FHIR dateTime may stop at the month), so the export stays a pure function of the rules."""
    match = re.fullmatch(r"(\d{4})\.(\d{1,2})\.\d+", version)
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    return f"{match[1]}-{int(match[2]):02d}"


def _shown_when(book: Rulebook, group_id: str) -> Condition | None:
    """When a part of the form shows: when one of its questions is asked, if each of them may be
    skipped (no title over an empty part: "About the injury" after no injury); None when one
    of them is always asked."""
    conditions: list[Condition] = []
    for q in book.questions:
        if q.group != group_id:
            continue
        if q.asked_when is None:
            return None
        if q.asked_when not in conditions:
            conditions.append(q.asked_when)
    return conditions[0] if len(conditions) == 1 else AnyOf(tuple(conditions))


def questionnaire(book: Rulebook) -> dict[str, Any]:
    """The rulebook's questions as a FHIR R4 SDC Questionnaire: a disclaimer, then one group per
    part of the interview (its questions, then its emergency and urgent notices); linkId = the
    answer key."""
    paths = FhirPath(book)
    items: list[dict[str, Any]] = [
        {"linkId": DISCLAIMER_ID, "type": "display", "text": book.disclaimer}
    ]
    if book.warning:  # rules used with --allow-unproved-rules: the form says so, first
        items.insert(0, {"linkId": UNPROVED_ID, "type": "display",
                         "text": f"WARNING: {book.warning}"})  # fmt: skip
    enable = EnableWhen(book)
    for n, group in enumerate(book.groups, start=1):
        questions = [q for q in book.questions if q.group == group.id]
        if not questions:
            continue
        part: dict[str, Any] = {"linkId": group_link(group.id), "prefix": f"{n}.",
                                "text": group.title, "type": "group"}  # fmt: skip
        # A part whose every question may be skipped shows only when one of them is asked (no
        # title over an empty part): its condition as enableWhen, one level on the part and the
        # others on untitled groups around it.
        shown_when = _shown_when(book, group.id)
        context: Cnf = ()
        levels: list[tuple[Clause, str]] = []
        if shown_when is not None:
            cnf = enable.holds(shown_when)
            if cnf is None or () in cnf:
                part["extension"] = [_expression(paths.holds(shown_when))]
            else:
                context = cnf
                levels = _levels(enable.lean(_within(cnf, ())))
                _enable(book, part, levels.pop())
        part["item"] = [i for q in questions
                        for i in _question_item(book, q, paths, enable, context)]  # fmt: skip
        part["item"] += [_notice_item(book, level, group.id) for level in NOTICE_LEVELS]
        items += _wrapped(book, [part], levels, group_link(group.id))
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": "neckcheck-screening",
        "meta": {"profile": PROFILES},
        # The answered items, then each notice's condition once, as variables (SDC) that the
        # expressions of the items read.
        "extension": [
            _variable(ANSWERED, "%resource.repeat(item).where(answer.exists())"),
            *(_variable(level, paths.notice(level)) for level in NOTICE_LEVELS),
        ],
        "contained": _value_sets(book),
        "url": URL,
        "version": book.version,
        "name": "NeckcheckScreening",
        "title": "neckcheck: safety screening for a sore neck after a fall or an accident",
        "status": "draft" if book.warning else "active",
        "date": _date(book.version),
        "publisher": PUBLISHER,
        "description": book.intro,
        "purpose": (
            "Screens a sore neck for signs that need emergency or urgent care before any "
            "self-care is suggested; the decision is made by neckcheck from the answers."
        ),
        "copyright": book.disclaimer,
        "subjectType": ["Patient"],
        "item": items,
    }
    if resource["date"] is None:
        del resource["date"]
    return resource


def _layout(book: Rulebook) -> list[dict[str, Any]]:
    """The items of `questionnaire(book)`, read only (kept with the rulebook)."""
    cached = book.derived.get("fhir_items")
    if not isinstance(cached, list):
        cached = questionnaire(book)["item"]
        book.derived["fhir_items"] = cached
    return cached


def _response_items(
    book: Rulebook, items: list[dict[str, Any]], answers: dict[str, Any]
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in items:
        if item["type"] == "group":
            inside = _response_items(book, item["item"], answers)
            if inside:
                group = {"linkId": item["linkId"]}
                if "text" in item:
                    group["text"] = item["text"]
                found.append(group | {"item": inside})
            continue
        question = book.question(item["linkId"])
        if question is None or question.id not in answers:
            continue
        value = answers[question.id]
        if question.type == "int":
            answer: dict[str, Any] = {"valueInteger": value}
        else:
            answer = {"valueCoding": coding(book, question, value)}
        found.append({"linkId": question.id, "text": question.prompt, "answer": [answer]})
    return found


def response_from_answers(answers: dict[str, Any], book: Rulebook) -> dict[str, Any]:
    """An answer set as a QuestionnaireResponse to `questionnaire(book)`: completed, with the
    versioned canonical, each answer in the groups that hold its question there (its part, and
    the untitled groups of a condition; a group with no answer is left out), for clients and
    systems that store answers as FHIR. Keys that are no question are left out: check the
    answers first."""
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": canonical(book),
        "status": "completed",
        "item": _response_items(book, _layout(book), answers),
    }


def response_for(
    answers: Answers, ended_early: bool, book: Rulebook, source: str
) -> dict[str, Any]:
    """`neckcheck export fhir --response`: a checked answer set (skip logic applied, so an answer
    to a skipped question is left out) as a completed QuestionnaireResponse. The answers of an
    interview that stopped early are incomplete on purpose: no completed response can hold
    them, so they are refused."""
    if ended_early:
        raise InputError(
            [Problem("", "an interview that stopped early on an emergency is not a complete "
                         "answer set; a completed QuestionnaireResponse cannot hold it")],
            source,
        )  # fmt: skip
    return response_from_answers(dict(answers.facts), book)
