"""The generator of the shipped rules' code (`_shipped_rules.py`): the answer check and the
decision as one straight `if` chain, for the hot path of batch. A pure function of a rulebook and
its compiled copy's digests.

It lives beside the loader because the generated code is trusted only as what this function
makes: before batch uses the module, `verified` generates the text afresh from the checked
rulebook and compares it with the module's file, byte for byte. A hand edit is refused even
when its first line (the SHA-256 of the code, which catches damage) was recomputed to match.
`python -m neckcheck.authoring.rulecode` writes the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neckcheck.core.conditions import All, AnyOf, Compare, Condition, Not
from neckcheck.core.model import TRI_VALUES, URGENCY, Rulebook
from neckcheck.rulebook.generated import _FIRST, code_digest

if TYPE_CHECKING:
    from types import ModuleType


class _Names:
    """Question ids as local variable names (v0, v1, ...), never the ids themselves."""

    def __init__(self, book: Rulebook) -> None:
        self.of = {q.id: f"v{n}" for n, q in enumerate(book.questions)}
        self.sets: dict[frozenset[Any], str] = {}

    def var(self, key: str) -> str:
        if key not in self.of:
            raise ValueError(f"a condition reads {key!r}, which is no question")
        return self.of[key]

    def set_of(self, values: tuple[Any, ...]) -> str:
        frozen = frozenset(values)
        if frozen not in self.sets:
            self.sets[frozen] = f"_S{len(self.sets)}"
        return self.sets[frozen]


def _literal(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("a condition value that is neither text nor a whole number")
    return repr(value)


def _expr(cond: Condition | None, names: _Names) -> str:
    """The condition as a Python expression over the answers' locals (None: skipped), with the
    semantics of conditions.Compare._compile and friends."""
    if cond is None:
        return "True"
    if isinstance(cond, Compare):
        v = names.var(cond.key)
        op = cond.op
        if op == "eq":
            return f"{v} == {_literal(cond.value)}"
        if op == "in":
            return f"{v} in {names.set_of(cond.values())}"
        if op == "not_in":
            return f"({v} is not None and {v} not in {names.set_of(cond.values())})"
        symbol = {"ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[op]
        return f"({v} is not None and {v} {symbol} {_literal(cond.value)})"
    if isinstance(cond, All):
        return "(" + " and ".join(_expr(p, names) for p in cond.parts) + ")"
    if isinstance(cond, AnyOf):
        return "(" + " or ".join(_expr(p, names) for p in cond.parts) + ")"
    if isinstance(cond, Not):
        return f"(not {_expr(cond.part, names)})"
    raise ValueError(f"an unknown kind of condition: {type(cond).__name__}")


def _decision_lines(book: Rulebook, names: _Names, indent: str) -> list[str]:
    """The engine's decide(): every red flag (most urgent first, file order within), else the
    first pattern, else otherwise; then the cautions of the top disposition."""
    out: list[str] = []
    say = out.append
    flags = sorted(book.red_flags, key=lambda r: -URGENCY[r.disposition])  # stable
    say(f"{indent}fired: list[str] = []")
    for rule in flags:
        say(f"{indent}if {_expr(rule.when, names)}:")
        say(f"{indent}    fired.append({rule.id!r})")
    say(f"{indent}if fired:")
    say(f"{indent}    top = _DISPOSITION[fired[0]]")
    for rule in book.patterns:
        say(f"{indent}elif {_expr(rule.when, names)}:")
        say(f"{indent}    fired = [{rule.id!r}]")
        say(f"{indent}    top = {rule.disposition!r}")
    say(f"{indent}else:")
    say(f"{indent}    fired = [{book.otherwise.id!r}]")
    say(f"{indent}    top = {book.otherwise.disposition!r}")
    say(f"{indent}shown: list[str] = []")
    for number, disposition in enumerate(URGENCY):
        cautions = [c for c in book.cautions if disposition in c.applies_to]
        say(f"{indent}{'if' if number == 0 else 'elif'} top == {disposition!r}:")
        if not cautions:
            say(f"{indent}    pass")
        for caution in cautions:
            if caution.when is None:
                say(f"{indent}    shown.append({caution.id!r})")
            else:
                say(f"{indent}    if {_expr(caution.when, names)}:")
                say(f"{indent}        shown.append({caution.id!r})")
    say(f"{indent}return tuple(fired), tuple(shown)")
    return out


def _check_lines(book: Rulebook, names: _Names) -> list[str]:
    """answers.check_answers's fast path: each known key's value valid (every key given, asked
    or not), each asked question answered, no other key; its facts as locals (None: skipped).

    Written for speed (batch runs it once per line): an answer every answer set must hold is
    checked without a test for absence of its own (None fails the type test), only the other
    answers are counted as they are found, and a tri-state answer is checked by type and set
    membership, with no call."""
    out: list[str] = []
    say = out.append
    always = sum(1 for q in book.questions if q.asked_when is None)
    tri = names.set_of(TRI_VALUES)
    say(f"    known = {always}  # the answers every answer set holds; the others are counted")
    say("    get = raw.get")
    for q in book.questions:
        v = names.var(q.id)
        required = q.asked_when is None
        say(f"    {v} = get({q.id!r})")
        pad = "    " if required else "        "
        if not required:
            say(f"    if {v} is not None:")
            say("        known += 1")
        if q.type == "tri":
            say(f"{pad}if {v}.__class__ is not str:")
            say(f"{pad}    if {v} is True:")
            say(f"{pad}        {v} = 'yes'")
            say(f"{pad}    elif {v} is False:")
            say(f"{pad}        {v} = 'no'")
            say(f"{pad}    else:")
            say(f"{pad}        return None")
            say(f"{pad}elif {v} not in {tri}:")
            say(f"{pad}    return None")
        elif q.type == "enum":
            allowed = names.set_of(q.allowed_values())
            say(f"{pad}if {v}.__class__ is not str or {v} not in {allowed}:")
            say(f"{pad}    return None")
        else:
            tests = [f"{v}.__class__ is not int"]
            if q.min is not None:
                tests.append(f"{v} < {_literal(q.min)}")
            if q.max is not None:
                tests.append(f"{v} > {_literal(q.max)}")
            say(f"{pad}if {' or '.join(tests)}:")
            say(f"{pad}    return None")
        if not required:
            assert q.asked_when is not None
            say(f"    if {_expr(q.asked_when, names)}:")
            say(f"        if {v} is None:")
            say("            return None")
            say("    else:")
            say(f"        {v} = None")
    say("    if known != len(raw):")
    say("        return None")
    return out


def generate(book: Rulebook, digest: str, file_digest: str) -> str:
    """The text of the generated module for this rulebook, its compiled copy's digest, and the
    SHA-256 of that copy's bytes."""
    names = _Names(book)
    check = _check_lines(book, names)
    decision = _decision_lines(book, names, "    ")
    reads = [q for q in book.questions]
    facts = [f"    {names.var(q.id)} = facts.get({q.id!r})" for q in reads]
    disposition = ", ".join(f"{r.id!r}: {r.disposition!r}" for r in book.red_flags)
    sets = [
        f"{name} = frozenset({sorted(values, key=repr)!r})" for values, name in names.sets.items()
    ]
    body = "\n".join(
        [
            '"""GENERATED by `python -m neckcheck.authoring.rulecode` from the shipped rules:',
            "do not edit.",
            "",
            "Used only for the compiled rulebook whose digest is RULES_DIGEST (read without its",
            "checks again only when the file's bytes hash to COMPILED_FILE_SHA256), and only while",
            "this file is exactly the text the generator makes from that rulebook (see",
            "neckcheck.rulebook.codegen.verified).",
            '"""',
            "",
            "# ruff: noqa",
            "from __future__ import annotations",
            "",
            "TYPE_CHECKING = False  # typing costs start-up",
            "if TYPE_CHECKING:",
            "    from collections.abc import Mapping",
            "    from typing import Any",
            "",
            f"RULES_DIGEST = {digest!r}",
            f"COMPILED_FILE_SHA256 = {file_digest!r}",
            "",
            "Key = tuple[tuple[str, ...], tuple[str, ...]]",
            "",
            f"_DISPOSITION = {{{disposition}}}",
            *sets,
            "",
            "",
            "def screen_raw(raw: dict[Any, Any]) -> Key | None:",
            '    """The key of the decision for a plainly valid answer set (a dict), else None."""',
            *check,
            *decision,
            "",
            "",
            "def decide_facts(facts: Mapping[str, Any]) -> Key:",
            '    """The key of the decision for checked answers (answers.Answers.facts)."""',
            *facts,
            *decision,
            "",
        ]
    )
    return f"{_FIRST}{code_digest(body)}\n{body}"


def verified(module: ModuleType, book: Rulebook, digest: str) -> bool:
    """Whether the module's file holds exactly the text `generate` makes for this rulebook (the
    checked copy the rules are loaded from, whose digest is `digest`) and the compiled bytes
    the module records. Never raises: anything unreadable is not verified."""
    try:
        path = module.__file__
        if path is None or getattr(module, "RULES_DIGEST", None) != digest:
            return False
        with open(path, encoding="utf-8") as file:
            text = file.read()
        return text == generate(book, digest, module.COMPILED_FILE_SHA256)
    except Exception:
        return False
