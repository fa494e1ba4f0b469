"""Why a decision came out as it did: every rule evaluated against the answers, part by part."""

from __future__ import annotations

from dataclasses import dataclass

from neckcheck.core.answers import Answers
from neckcheck.core.conditions import All, AnyOf, Compare, Condition, Facts, Not, Value
from neckcheck.core.engine import fired_rules
from neckcheck.core.model import Rulebook


@dataclass(frozen=True, slots=True)
class Check:
    """One comparison of a rule against the answers."""

    test: str
    key: str
    answer: Value | None  # None: the question was skipped or not answered
    holds: bool


@dataclass(frozen=True, slots=True)
class Part:
    """One node of a rule's condition, evaluated: `all`, `any` and `not` with their parts, or a
    comparison (`check`). The tree has the shape of the rule file, so each line can be checked
    by hand against it."""

    op: str  # all, any, not or compare
    holds: bool
    parts: tuple[Part, ...] = ()
    check: Check | None = None

    def to_dict(self) -> dict[str, object]:
        if self.check is not None:
            c = self.check
            return {"op": "compare", "test": c.test, "key": c.key, "answer": c.answer,
                    "holds": c.holds}  # fmt: skip
        return {"op": self.op, "holds": self.holds, "parts": [p.to_dict() for p in self.parts]}


def evaluate(condition: Condition, facts: Facts) -> Part:
    """The condition's tree with the truth of every node for these answers."""
    if isinstance(condition, Compare):
        check = Check(str(condition), condition.key, facts.get(condition.key),
                      condition.holds(facts))  # fmt: skip
        return Part("compare", check.holds, check=check)
    if isinstance(condition, All | AnyOf):
        parts = tuple(evaluate(p, facts) for p in condition.parts)
        op = "all" if isinstance(condition, All) else "any"
        return Part(op, condition.holds(facts), parts)
    if isinstance(condition, Not):
        return Part("not", condition.holds(facts), (evaluate(condition.part, facts),))
    raise TypeError(f"unknown condition node {type(condition).__name__}")


@dataclass(frozen=True, slots=True)
class RuleTrace:
    rule: str
    section: str  # red_flags, patterns or otherwise
    outcome: str
    disposition: str
    matched: bool  # its condition holds for these answers
    fired: bool  # it is one of the decision's reasons
    checks: tuple[Check, ...]  # every comparison, in the order of the rule file
    condition: Part | None = None  # None: `otherwise`, which has no condition

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "section": self.section,
            "outcome": self.outcome,
            "disposition": self.disposition,
            "matched": self.matched,
            "fired": self.fired,
            "checks": [
                {"test": c.test, "key": c.key, "answer": c.answer, "holds": c.holds}
                for c in self.checks
            ],
            "condition": None if self.condition is None else self.condition.to_dict(),
        }


def _checks(part: Part) -> tuple[Check, ...]:
    if part.check is not None:
        return (part.check,)
    return tuple(c for p in part.parts for c in _checks(p))


def explain(answers: Answers, rulebook: Rulebook) -> list[RuleTrace]:
    """Every rule evaluated against the answers: whether it matched, whether it is one of the
    reasons, and its condition's tree with the truth of each part and the answers it read."""
    reasons = {r.id for r in fired_rules(answers, rulebook)}
    facts = answers.facts
    sections = (
        ("red_flags", rulebook.red_flags),
        ("patterns", rulebook.patterns),
        ("otherwise", (rulebook.otherwise,)),
    )
    traces = []
    for section, rules in sections:
        for rule in rules:
            condition = None if rule.when is None else evaluate(rule.when, facts)
            fired = rule.id in reasons
            # `otherwise` has no condition of its own: it "matches" exactly when it decides.
            matched = fired if condition is None else condition.holds
            checks = () if condition is None else _checks(condition)
            trace = RuleTrace(
                rule.id, section, rule.outcome, rule.disposition, matched, fired, checks, condition
            )
            traces.append(trace)
    return traces
