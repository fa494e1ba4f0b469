"""The decision: a pure function of a checked answer set and a rulebook. No I/O."""

from __future__ import annotations

from collections.abc import Mapping

from neckcheck.core.answers import Answers, check_value, too_many_keys
from neckcheck.core.conditions import Value
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

_DECISION_CACHE_LIMIT = 4096


def fired_rules(answers: Answers, rulebook: Rulebook) -> list[Rule]:
    """The rules that decide, most urgent first.

    Every red-flag rule is evaluated and all that hold are kept (SPEC.md: a red flag lists all its
    red flags). Only when none holds is the pattern consulted, where the first rule that holds
    decides; `otherwise` closes the list, so every answer set gets exactly one outcome.
    """
    facts = answers.facts
    flags = [rule for test, rule in rulebook.red_flag_tests if test(facts)]
    if flags:
        return sorted(flags, key=lambda r: -URGENCY[r.disposition])  # stable: file order
    for test, rule in rulebook.pattern_tests:
        if test(facts):
            return [rule]
    return [rulebook.otherwise]


def decide(answers: Answers, rulebook: Rulebook) -> Decision:
    fired = fired_rules(answers, rulebook)
    facts = answers.facts
    shown = rulebook.caution_tests[fired[0].disposition]
    cautions = tuple(c for test, c in shown if test(facts))
    key = (tuple(r.id for r in fired), tuple(c.id for c in cautions))
    decision = rulebook.decisions.get(key)
    if decision is None:
        decision = _build(fired, cautions, rulebook)
        if len(rulebook.decisions) < _DECISION_CACHE_LIMIT:
            rulebook.decisions[key] = decision
    return decision


def decision_of(key: tuple[tuple[str, ...], tuple[str, ...]], rulebook: Rulebook) -> Decision:
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
