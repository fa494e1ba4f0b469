"""Why a decision came out as it did: every rule evaluated against the answers."""

from __future__ import annotations

from dataclasses import dataclass

from neckcheck.core.answers import Answers
from neckcheck.core.conditions import Value
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
class RuleTrace:
    rule: str
    section: str  # red_flags, patterns or otherwise
    outcome: str
    disposition: str
    matched: bool  # its condition holds for these answers
    fired: bool  # it is one of the decision's reasons
    checks: tuple[Check, ...]

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
        }


def explain(answers: Answers, rulebook: Rulebook) -> list[RuleTrace]:
    """Every rule evaluated against the answers: whether it matched, whether it is one of the
    reasons, and each comparison with the answer it read."""
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
            checks = tuple(
                Check(str(c), c.key, facts.get(c.key), c.holds(facts))
                for c in (rule.when.compares() if rule.when is not None else ())
            )
            fired = rule.id in reasons
            # `otherwise` has no condition of its own: it "matches" exactly when it decides.
            matched = fired if rule.when is None else rule.when.holds(facts)
            traces.append(
                RuleTrace(rule.id, section, rule.outcome, rule.disposition, matched, fired, checks)
            )
    return traces
