"""FHIR R4: a QuestionnaireResponse to the exported Questionnaire (neckcheck.formats.fhir_export)
read back, strictly, as an answer set. Plain dicts in, plain dicts out, no I/O; the clinical logic
stays in the rules. The export functions are re-exported here for callers of this module."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neckcheck.core.errors import InputError, Problem
from neckcheck.core.model import Rulebook
from neckcheck.formats.fhir_export import answer_codings, questionnaire, response_from_answers

__all__ = ["answers_from_response", "questionnaire", "response_from_answers"]

# ---- Reading a QuestionnaireResponse, strictly ----

MAX_DEPTH = 32  # levels of nested items (under `item` or under an answer)
MAX_ITEMS = 1000  # items in one response, at every level together
MAX_NODES = 200_000  # JSON values looked at in one response (objects, lists and scalars)

# FHIR R4 QuestionnaireResponse: the elements of the resource, of an item, of an answer, and of a
# Coding. Anything else is an input error: it may carry meaning this reader would miss.
RESPONSE_ELEMENTS = frozenset(
    {"resourceType", "id", "meta", "implicitRules", "language", "text", "contained",
     "extension", "modifierExtension", "identifier", "basedOn", "partOf", "questionnaire",
     "status", "subject", "encounter", "authored", "author", "source", "item"}
)  # fmt: skip
ITEM_ELEMENTS = frozenset(
    {"id", "extension", "modifierExtension", "linkId", "definition", "text", "answer", "item"}
)
ANSWER_ELEMENTS = frozenset({"id", "extension", "modifierExtension", "item"})  # + one value[x]
CODING_ELEMENTS = frozenset(
    {"id", "extension", "system", "version", "code", "display", "userSelected"}
)
REFERENCE_ELEMENTS = frozenset({"id", "extension", "reference", "type", "identifier", "display"})
# The top-level elements and their R4 datatypes, checked before anything is read or copied (the
# id goes into a RiskAssessment's basis.reference): a value that is not of its datatype is an
# input error naming the element, never passed on.
REFERENCES = ("subject", "encounter", "author", "source")  # Reference, 0..1
REFERENCE_LISTS = ("basedOn", "partOf")  # Reference, 0..*
OBJECTS = ("meta", "text", "identifier")  # Meta, Narrative, Identifier: 0..1
OBJECT_LISTS = ("extension", "contained")
# R4 primitive datatypes (https://hl7.org/fhir/R4/datatypes.html), as regular expressions.
FHIR_ID = r"[A-Za-z0-9\-\.]{1,64}"
FHIR_CODE = r"[^\s]+(\s[^\s]+)*"
FHIR_DATETIME = (
    r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?"
)
FHIR_URI = r"\S*"
# R4 string: no control characters but whitespace; and, since a reader may show it, no
# bidirectional override (the same characters the program never prints unescaped).
_NOT_IN_STRING = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
ACCEPTED_STATUSES = ("completed", "amended")
# Modifier elements: their content may change the meaning of everything else, and this reader
# cannot understand it, so their mere presence is refused (FHIR R4: Resource.implicitRules and
# modifierExtension are both isModifier).
MODIFIERS = ("modifierExtension", "implicitRules")
_UNREADABLE = "which may change the meaning of the answers in a way this reader cannot understand"


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a response must match, taken from the exported Questionnaire (the single source: a
    change of URL, version, item type or answer code system there carries through)."""

    url: str
    version: str
    value_kind: Mapping[str, str]  # question linkId -> "valueInteger" or "valueCoding"
    codings: Mapping[str, frozenset[tuple[str, str]]]  # linkId -> its (system, code) pairs

    @property
    def canonical(self) -> str:
        return f"{self.url}|{self.version}"

    @property
    def canonicals(self) -> tuple[str, str]:
        return (self.url, self.canonical)


def _reading(book: Rulebook) -> _Reading:
    cached = book.derived.get("fhir_reading")
    if isinstance(cached, _Reading):
        return cached
    exported = questionnaire(book)
    value_kind: dict[str, str] = {}
    codings: dict[str, frozenset[tuple[str, str]]] = {}
    pending: list[dict[str, Any]] = list(exported["item"])
    while pending:
        item = pending.pop(0)
        pending.extend(item.get("item", []))
        link: str = item["linkId"]
        if item["type"] == "integer":
            value_kind[link] = "valueInteger"
        elif item["type"] == "choice":
            value_kind[link] = "valueCoding"
            codings[link] = frozenset(
                (c["system"], c["code"]) for c in answer_codings(exported, item)
            )
    reading = _Reading(str(exported["url"]), str(exported["version"]), value_kind, codings)
    book.derived["fhir_reading"] = reading
    return reading


def _shown(value: object) -> str:
    """A value from the response, for a message: short, and never recursive."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        text = json.dumps(value)
    elif isinstance(value, int | float):
        try:
            text = repr(value)
        except ValueError:  # an int too long to print (sys.get_int_max_str_digits)
            return "a number too large to show"
    elif isinstance(value, dict):
        return "an object"
    elif isinstance(value, list):
        return "a list"
    else:
        return f"a {type(value).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."


def _matches(pattern: str, value: object) -> bool:
    """Whether a JSON value is a string of this R4 primitive datatype."""
    if not isinstance(value, str):
        return False
    import re

    return re.fullmatch(pattern, value) is not None


def _is_string(value: object) -> bool:
    """An R4 string (not empty, no control character but whitespace), and no bidirectional
    override."""
    if not isinstance(value, str) or not value.strip():
        return False
    import re

    return re.search(_NOT_IN_STRING, value) is None


def _key(key: object) -> str:
    return key if isinstance(key, str) else _shown(key)


class _Reader:
    """One pass over a response: collects the answers and every problem (never stops early,
    never raises but through `answers_from_response`)."""

    def __init__(self, reading: _Reading) -> None:
        self.reading = reading
        self.problems: list[Problem] = []
        self.answers: dict[str, object] = {}
        self.seen: set[str] = set()  # every linkId met, questions or not
        self.items = 0
        self.nodes = 0
        self.too_large = False

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(key, message))

    # -- modifier elements anywhere, without recursion --

    def scan(self, value: object, name: str) -> None:
        """Refuse a modifierExtension anywhere inside `value`, naming `name`
        (a top-level element, or the linkId of the item it sits in). Iterative, and bounded by
        MAX_NODES over the whole response, so that no nesting or cycle can exhaust anything."""
        stack = [value]
        reported = False
        while stack:
            node = stack.pop()
            self.nodes += 1
            if self.nodes > MAX_NODES:
                if not self.too_large:
                    self.too_large = True
                    self.problem(name, f"the response holds more than {MAX_NODES} values")
                return
            if isinstance(node, dict):
                if not reported and "modifierExtension" in node:
                    reported = True
                    self.problem(name, f"holds a modifierExtension, {_UNREADABLE}")
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)

    # -- the resource --

    def resource(self, resource: dict[Any, Any]) -> None:
        kind = resource.get("resourceType")
        if kind != "QuestionnaireResponse":
            said = "is missing" if "resourceType" not in resource else f"is {_shown(kind)}"
            self.problem("resourceType", f"{said}, not a QuestionnaireResponse")
        for key, value in resource.items():
            if key in MODIFIERS:
                self.problem(key, f"a modifier element, {_UNREADABLE}")
            elif key == "contained" and value:
                # A resource inside the response (another response, say) is not read: its
                # answers would be ignored without a word.
                self.problem(key, "contained resources are not read; give every answer in item")
            elif key in self.reading.value_kind:
                self.problem(key, "a plain answer beside resourceType: in a QuestionnaireResponse "
                                  "every answer goes in an item")  # fmt: skip
            elif key not in RESPONSE_ELEMENTS:
                self.problem(_key(key), "is not an element of a FHIR R4 QuestionnaireResponse")
            elif key not in ("item", "resourceType"):
                self.scan(value, key)
        self.datatypes(resource)
        status = resource.get("status")
        if status not in ACCEPTED_STATUSES:
            said = "is missing" if "status" not in resource else f"is {_shown(status)}"
            self.problem("status", f"{said}; only a completed or amended response is screened")
        canonical = resource.get("questionnaire")
        if canonical not in self.reading.canonicals:
            said = "is missing" if "questionnaire" not in resource else f"is {_shown(canonical)}"
            expected = " or ".join(json.dumps(c) for c in self.reading.canonicals)
            self.problem("questionnaire", f"{said}; it must be {expected}")
        if "item" in resource:
            self.item_list(resource["item"], "item", "item", 1)

    def datatypes(self, resource: dict[Any, Any]) -> None:
        """The top-level elements that are data of a known R4 datatype: each is of it, or a
        problem names it. (`status` and `questionnaire` are checked against their one allowed
        value elsewhere; items, below.)"""
        get = resource.get
        if "id" in resource and not _matches(FHIR_ID, get("id")):
            self.problem("id", "must be a FHIR id (1 to 64 letters, digits, '-' or '.'), got "
                               f"{_shown(get('id'))}")  # fmt: skip
        if "language" in resource and not _matches(FHIR_CODE, get("language")):
            self.problem("language", f"must be a FHIR code, got {_shown(get('language'))}")
        if "authored" in resource and not _matches(FHIR_DATETIME, get("authored")):
            shown = _shown(get("authored"))
            self.problem("authored", "must be a FHIR dateTime (e.g. 2024-05-01 or "
                                     f"2024-05-01T10:30:00Z), got {shown}")  # fmt: skip
        for name in REFERENCES:
            if name in resource:
                self.reference(get(name), name)
        for name in REFERENCE_LISTS:
            if name in resource:
                value = get(name)
                if not isinstance(value, list):
                    self.problem(name, f"must be a list of References, got {_shown(value)}")
                    continue
                for n, each in enumerate(value):
                    self.reference(each, f"{name}[{n}]")
        for name in OBJECTS:
            if name in resource and not isinstance(get(name), dict):
                self.problem(name, f"must be an object, got {_shown(get(name))}")
        for name in OBJECT_LISTS:
            value = get(name)
            if name in resource and not (
                isinstance(value, list) and all(isinstance(v, dict) for v in value)
            ):
                self.problem(name, f"must be a list of objects, got {_shown(value)}")

    def reference(self, value: object, name: str) -> None:
        """An R4 Reference: an object of its elements, `reference` and `display` strings,
        `type` a uri."""
        if not isinstance(value, dict):
            self.problem(name, f"must be a Reference (an object), got {_shown(value)}")
            return
        for key in value:
            if key not in REFERENCE_ELEMENTS:
                self.problem(name, f"{_shown(key)} is not an element of a Reference")
        for key in ("reference", "display"):
            if key in value and not _is_string(value[key]):
                self.problem(name, f"{key} must be FHIR text without control or bidirectional "
                                   f"override characters, got {_shown(value[key])}")  # fmt: skip
        if "type" in value and not (
            _is_string(value["type"]) and _matches(FHIR_URI, value["type"])
        ):
            self.problem(name, f"type must be a FHIR uri, got {_shown(value['type'])}")

    # -- items, at any depth --

    def item_list(self, items: object, path: str, owner: str, depth: int) -> None:
        """The items of `item` at `path`; `owner` is what a problem with the list itself names
        (the linkId of the item or answer it belongs to, or `item` at the top)."""
        if not isinstance(items, list):
            self.problem(owner, f"{path} must be a list of items, got {_shown(items)}")
            return
        if depth > MAX_DEPTH:
            if items:
                self.problem(owner, f"items are nested more than {MAX_DEPTH} levels deep")
            return
        for n, item in enumerate(items):
            if self.items >= MAX_ITEMS:
                if not self.too_large:
                    self.too_large = True
                    self.problem("item", f"the response holds more than {MAX_ITEMS} items")
                return
            self.items += 1
            self.item(item, f"{path}[{n}]", depth)

    def item(self, item: object, path: str, depth: int) -> None:
        if not isinstance(item, dict):
            self.problem(path, f"an item must be an object, got {_shown(item)}")
            return
        link = item.get("linkId")
        name = link if isinstance(link, str) and link else path
        if name is path:
            self.problem(path, f"an item needs a linkId (text), got {_shown(link)}")
        elif link in self.seen:
            # A later "no" must never hide an earlier "yes", nor may an equal answer be trusted.
            self.problem(name, "appears more than once in the response")
        else:
            self.seen.add(name)
        for key, value in item.items():
            if key == "modifierExtension":
                self.problem(name, f"an item with a modifierExtension, {_UNREADABLE}")
            elif key not in ITEM_ELEMENTS:
                self.problem(name, f"{_shown(key)} is not an element of a QuestionnaireResponse "
                                   "item")  # fmt: skip
            elif key not in ("linkId", "answer", "item"):
                self.scan(value, name)
        kind = self.reading.value_kind.get(name) if name is not path else None
        if "answer" in item:
            self.answer_list(item["answer"], name, kind, f"{path}.answer", depth)
        if "item" in item:
            self.item_list(item["item"], f"{path}.item", name, depth + 1)

    def answer_list(
        self, given: object, name: str, kind: str | None, path: str, depth: int
    ) -> None:
        if kind is None:
            self.problem(name, "is not a question of this questionnaire, yet it carries an answer")
        if not isinstance(given, list):
            self.problem(name, f"answer must be a list, got {_shown(given)}")
            return
        if kind is not None and len(given) > 1:
            self.problem(name, f"needs exactly one answer, got {len(given)}")
        for k, answer in enumerate(given):
            if not isinstance(answer, dict):
                self.problem(name, f"an answer must be an object, got {_shown(answer)}")
                continue
            values = [key for key in answer if isinstance(key, str) and key.startswith("value")]
            for key, value in answer.items():
                if key == "modifierExtension":
                    self.problem(name, f"an answer with a modifierExtension, {_UNREADABLE}")
                elif key not in ANSWER_ELEMENTS and key not in values:
                    self.problem(name, f"{_shown(key)} is not an element of an answer")
                elif key != "item":
                    self.scan(value, name)
            if kind is not None and len(given) == 1:
                self.value(answer, values, name, kind)
            if "item" in answer:
                self.item_list(answer["item"], f"{path}[{k}].item", name, depth + 1)

    def value(self, answer: dict[Any, Any], values: list[str], name: str, kind: str) -> None:
        if len(values) != 1:
            found = ", ".join(values) if values else "none"
            self.problem(name, f"an answer needs exactly one value[x] ({kind}), found {found}")
            return
        if values[0] != kind:
            self.problem(name, f"{values[0]} does not fit this question: it takes {kind}")
            return
        value = answer[kind]
        if kind == "valueInteger":
            if isinstance(value, int) and not isinstance(value, bool):
                self.answers[name] = value
            else:
                self.problem(name, f"valueInteger must be a whole number, got {_shown(value)}")
            return
        if not isinstance(value, dict):
            self.problem(name, f"valueCoding must be an object, got {_shown(value)}")
            return
        options = self.reading.codings.get(name, frozenset())
        systems = sorted({s for s, _ in options})
        codes = sorted({c for _, c in options})
        ok = True
        for key in value:
            if key not in CODING_ELEMENTS:
                self.problem(name, f"{_shown(key)} is not an element of a Coding here")
                ok = False
        if "version" in value and value["version"] != self.reading.version:
            # The meaning of a code is that of one rules version (a question's wording changes
            # between versions), as the questionnaire's own version must be this one too.
            version = json.dumps(self.reading.version)
            self.problem(name, f"valueCoding.version must be {version} (this questionnaire's), "
                               f"got {_shown(value['version'])}")  # fmt: skip
            ok = False
        system, code = value.get("system"), value.get("code")
        if system not in systems:
            expected = " or ".join(json.dumps(s) for s in systems)
            self.problem(name, f"valueCoding.system must be {expected}, got {_shown(system)}")
            ok = False
        elif not isinstance(code, str) or (system, code) not in options:
            allowed = ", ".join(json.dumps(c) for c in codes)
            self.problem(name, f"valueCoding.code must be one of {allowed}, got {_shown(code)}")
            ok = False
        if ok:
            self.answers[name] = code


def answers_from_response(
    resource: dict[str, Any], book: Rulebook, source: str
) -> dict[str, object]:
    """Read a FHIR R4 QuestionnaireResponse to `questionnaire(book)` as a plain answer set, strictly
    (nothing is guessed; every problem is reported at once as one InputError, each naming its
    linkId or element):

    - `resourceType` is exactly QuestionnaireResponse; every other top-level key is an R4
      element (a plain answer key beside it is refused); no modifier element (modifierExtension
      anywhere, implicitRules);
    - `status` is completed or amended; `questionnaire` is the exported url, alone or with
      `|version`;
    - items are read at any depth (`item[].item[]` and `item[].answer[].item[]`, up to MAX_DEPTH
      levels and MAX_ITEMS items); a linkId appears once in the whole tree; an item that is not a
      question carries no answer;
    - a question has no answer (then it is simply unanswered) or exactly one, whose value is the
      exported type: valueInteger (a JSON integer) or valueCoding with the exported system and
      one of the item's codes (its display is ignored).

    The answer set is then checked like any other (ranges, missing asked answers) by the caller.
    Pure: plain dicts in, a plain dict out, no I/O."""
    reading = _reading(book)
    reader = _Reader(reading)
    if not isinstance(resource, dict):
        reader.problem("resourceType", f"{_shown(resource)} is not a QuestionnaireResponse")
    else:
        reader.resource(resource)
    if reader.problems:
        raise InputError(reader.problems, source)
    return reader.answers
