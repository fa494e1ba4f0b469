"""The decision: a pure function of a checked answer set and a rulebook. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from neckcheck.core.answers import Answers, check_value, too_many_keys
from neckcheck.core.conditions import Facts, Value
from neckcheck.core.errors import InputError, Problem
from neckcheck.core.model import (
    OUTCOME_EXIT_CODES,
    TIMEFRAMES,
    URGENCY,
    Caution,
    CautionNote,
    Decision,
    Reason,
    Rule,
    Rulebook,
)
from neckcheck.core.progress import progress

if TYPE_CHECKING:
    from neckcheck.core.conditions import Test

    # (guard key or None, allowed values, rest of the test or None, the rule): see _red_step
    _RedStep = tuple[str | None, frozenset[Value], Test | None, Rule]

DecisionKey = tuple[tuple[str, ...], tuple[str, ...]]

_DECISION_CACHE_LIMIT = 4096


class _Plan:
    """What screening one answer set needs from a rulebook, laid out once per rulebook (kept
    in `rulebook.derived`): each red flag split by its condition's guard (see _red_step); the
    patterns' tests; for each disposition, the cautions shown with it as (test or None for
    always, id)."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.red: tuple[_RedStep, ...] = tuple(_red_step(rule) for rule in rulebook.red_flags)
        ranks = [URGENCY[r.disposition] for r in rulebook.red_flags]
        # Red flags listed most urgent first in the file need no sort (a stable sort keeps the
        # file order among equals, so both give the same list).
        self.red_in_order = ranks == sorted(ranks, reverse=True)
        self.patterns = tuple((r.when.test if r.when else None, r) for r in rulebook.patterns)
        self.otherwise = rulebook.otherwise
        self.cautions = {
            disposition: tuple(
                (c.when.test if c.when else None, c.id)
                for c in rulebook.cautions
                if disposition in c.applies_to
            )
            for disposition in URGENCY
        }


_NOTHING: frozenset[Value] = frozenset()


def _red_step(rule: Rule) -> _RedStep:
    """(key, allowed, rest, rule): the rule holds when facts.get(key) is in allowed (key None:
    nothing to test inline) and rest (None: nothing more) holds."""
    when = rule.when
    if when is None:
        return None, _NOTHING, None, rule
    guard = when.guard()
    if guard is not None:
        key, allowed, rest = guard
        return key, allowed, rest, rule
    return None, _NOTHING, when.test, rule


def _plan(rulebook: Rulebook) -> _Plan:
    plan: _Plan | None = rulebook.derived.get("screening_plan")
    if plan is None:
        plan = rulebook.derived["screening_plan"] = _Plan(rulebook)
    return plan


def fired_rules(answers: Answers, rulebook: Rulebook) -> list[Rule]:
    """The rules that decide, most urgent first.

    Every red-flag rule is evaluated and all that hold are kept (SPEC.md: a red flag lists all its
    red flags). Only when none holds is the pattern consulted, where the first rule that holds
    decides; `otherwise` closes the list, so every answer set gets exactly one outcome.
    """
    return _fired(answers.facts, _plan(rulebook))


def _fired(facts: Facts, plan: _Plan) -> list[Rule]:
    get = facts.get
    flags = [
        rule
        for key, allowed, rest, rule in plan.red
        if (key is None or get(key) in allowed) and (rest is None or rest(facts))
    ]
    if flags:
        if plan.red_in_order:
            return flags
        return sorted(flags, key=lambda r: -URGENCY[r.disposition])  # stable: file order
    for test, rule in plan.patterns:
        if test is None or test(facts):
            return [rule]
    return [plan.otherwise]


def decision_key(answers: Answers, rulebook: Rulebook) -> DecisionKey:
    """What makes the decision for a checked answer set: the ids of the rules that fired, most
    urgent first, and the ids of the cautions shown (decision_of builds the decision)."""
    facts = answers.facts
    plan = _plan(rulebook)
    fired = _fired(facts, plan)
    shown = tuple([c for test, c in plan.cautions[fired[0].disposition]
                   if test is None or test(facts)])  # fmt: skip
    if len(fired) == 1:
        return (fired[0].id,), shown
    return tuple([r.id for r in fired]), shown


def decide(answers: Answers, rulebook: Rulebook) -> Decision:
    return decision_of(decision_key(answers, rulebook), rulebook)


def decision_of(key: DecisionKey, rulebook: Rulebook) -> Decision:
    """The decision for a key (the ids of the rules that fired, most urgent first; the ids of
    the cautions shown), cached in the rulebook while the cache has room."""
    decision = rulebook.decisions.get(key)
    if decision is None:
        rules = _by_id(rulebook)
        fired = [rules[rule_id] for rule_id in key[0]]
        cautions = {c.id: c for c in rulebook.cautions}
        decision = _build(fired, tuple(cautions[c] for c in key[1]), rulebook)
        if len(rulebook.decisions) < _DECISION_CACHE_LIMIT:
            rulebook.decisions[key] = decision
    return decision


def _by_id(rulebook: Rulebook) -> dict[str, Rule]:
    rules: dict[str, Rule] | None = rulebook.derived.get("rules_by_id")
    if rules is None:
        rules = {r.id: r for r in rulebook.rules}
        rulebook.derived["rules_by_id"] = rules
    return rules


def _build(fired: list[Rule], cautions: tuple[Caution, ...], rulebook: Rulebook) -> Decision:
    top = fired[0]
    text = rulebook.text_for(top.outcome, top.disposition)
    technique = top.disposition == "technique"
    return Decision(
        outcome=top.outcome,
        disposition=top.disposition,
        exit_code=OUTCOME_EXIT_CODES[(top.outcome, top.disposition)],
        timeframe=TIMEFRAMES[top.disposition],
        headline=text.headline,
        advice=text.advice,
        reasons=tuple(Reason(r.id, r.reason, r.source, r.disposition) for r in fired),
        cautions=tuple(CautionNote(c.id, c.text) for c in cautions),
        steps=rulebook.technique.steps if technique else (),
        see_also=text.see_also + (rulebook.technique.see_also if technique else ()),
        technique=rulebook.technique.name if technique else None,
        rules_version=rulebook.version,
        disclaimer=rulebook.disclaimer,
        warning=rulebook.warning,
    )


def certain_emergency(given: Mapping[str, Value], rulebook: Rulebook) -> bool:
    """True once the answers so far fire an emergency rule whatever the rest will be (the answers
    still to come cannot change its condition). The interview stops there, so nobody with
    stroke-like signs is asked twenty more questions."""
    state = progress(rulebook, given)
    return any(
        rule.disposition == "emergency"
        and rule.when is not None
        and rule.when.settled(state.facts, state.settled) is True
        for rule in rulebook.red_flags
    )


def answers_so_far(given: Mapping[str, Value], rulebook: Rulebook) -> Answers:
    """The answers of an interview that stopped early on an emergency (see certain_emergency):
    those given to questions that are asked, with skip logic applied."""
    return Answers(progress(rulebook, given).facts)


def decide_partial(given: Mapping[str, Value], rulebook: Rulebook) -> Decision:
    """The decision for an interview that stopped early on an emergency."""
    return decide(answers_so_far(given, rulebook), rulebook)


def check_stopped_early(raw: Mapping[str, object], rulebook: Rulebook, source: str) -> Answers:
    """The answers of a saved interview that stopped early, checked: each value as strictly as
    in a full answer set, and the emergency re-derived from them, never taken on trust. Only a
    certain emergency excuses the answers that were never asked for."""
    if (whole := too_many_keys(raw, rulebook)) is not None:
        raise InputError([whole], source)
    given: dict[str, Value] = {}
    problems: list[Problem] = []
    for key, value in raw.items():
        question = rulebook.question(key) if isinstance(key, str) else None
        if question is None:
            problems.append(Problem(str(key), "unknown key"))
            continue
        try:
            given[key] = check_value(question, value)
        except ValueError as exc:
            problems.append(Problem(key, str(exc)))
    if not problems and not certain_emergency(given, rulebook):
        problems.append(
            Problem("", "the interview stopped early, but these answers do not make emergency "
                        "care certain; answer every question instead")
        )  # fmt: skip
    if problems:
        raise InputError(problems, source)
    return answers_so_far(given, rulebook)
