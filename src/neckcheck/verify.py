"""Proofs of the rulebook's safety properties over the whole answer space, with an SMT solver.

The answer space (about 3^17 tri-state combinations times the enums and integer ranges) is far
too large to enumerate, so every question becomes a z3 variable over its domain, skip logic and
conditions become formulas, and the engine's decision (SPEC.md section 2: red flags first, then
the first matching pattern, then `otherwise`) becomes one urgency term. Each property is asked
of the solver as "is there an answer set that breaks it?"; an answer is a counterexample, turned
back into an answer set and replayed through the real engine before it is reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from neckcheck.conditions import All, AnyOf, Compare, Condition, Not
from neckcheck.engine import screen
from neckcheck.model import URGENCY, Question, Rulebook


@dataclass
class PropertyResult:
    name: str
    holds: bool
    checked: int  # how many instances (rules, questions, pairs) were proved
    failures: list[str] = field(default_factory=list)
    counterexamples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Report:
    results: list[PropertyResult]
    seconds: float

    @property
    def holds(self) -> bool:
        return all(r.holds for r in self.results)


class _Encoding:
    """The rulebook as z3 formulas over one variable per question."""

    def __init__(self, book: Rulebook) -> None:
        import z3  # only `rules check` pays for the solver

        self.z3 = z3
        self.book = book
        self.var: dict[str, Any] = {q.id: z3.Int(q.id) for q in book.questions}
        self.codes: dict[str, dict[str, int]] = {
            q.id: {v: i for i, v in enumerate(q.allowed_values())}
            for q in book.questions
            if q.type != "int"
        }
        ranges = []
        for q in book.questions:
            lo, hi = (q.min, q.max) if q.type == "int" else (0, len(q.allowed_values()) - 1)
            ranges.append(z3.And(self.var[q.id] >= lo, self.var[q.id] <= hi))
        self.domain = z3.And(*ranges)
        self.asked: dict[str, Any] = {}
        for q in book.questions:  # asked_when reads only earlier questions (checked on load)
            self.asked[q.id] = z3.BoolVal(True) if q.asked_when is None else self.cond(q.asked_when)
        self.fires: dict[str, Any] = {
            r.id: self.cond(r.when) if r.when is not None else z3.BoolVal(True) for r in book.rules
        }
        self.decides = self._decides()
        self.urgency = self._urgency()

    def code(self, key: str, value: object) -> Any:
        return value if key not in self.codes else self.codes[key][str(value)]

    def cond(self, c: Condition) -> Any:
        z3 = self.z3
        if isinstance(c, Compare):
            v = self.var[c.key]
            vals = [self.code(c.key, x) for x in c.values()]
            tests: dict[str, Callable[[], Any]] = {
                "eq": lambda: v == vals[0],
                "ne": lambda: v != vals[0],
                "in": lambda: z3.Or(*[v == x for x in vals]),
                "not_in": lambda: z3.And(*[v != x for x in vals]),
                "lt": lambda: v < vals[0],
                "lte": lambda: v <= vals[0],
                "gt": lambda: v > vals[0],
                "gte": lambda: v >= vals[0],
            }
            # An answer to a skipped question plays no part: every comparison on it is false.
            return z3.And(self.asked[c.key], tests[c.op]())
        if isinstance(c, All):
            return z3.And(*[self.cond(p) for p in c.parts])
        if isinstance(c, AnyOf):
            return z3.Or(*[self.cond(p) for p in c.parts])
        if isinstance(c, Not):
            return z3.Not(self.cond(c.part))
        raise TypeError(f"unknown condition {c!r}")

    def _decides(self) -> dict[str, Any]:
        """For every rule, the formula 'this rule decides the outcome' (is the top reason)."""
        z3 = self.z3
        book = self.book
        any_flag = z3.Or(*[self.fires[r.id] for r in book.red_flags])
        decides: dict[str, Any] = {}
        for r in book.red_flags:
            more_urgent = [
                self.fires[o.id]
                for o in book.red_flags
                if URGENCY[o.disposition] > URGENCY[r.disposition]
            ]
            decides[r.id] = z3.And(self.fires[r.id], z3.Not(z3.Or(*more_urgent)))
        earlier: list[Any] = []
        for p in book.patterns:
            decides[p.id] = z3.And(
                z3.Not(any_flag), *[z3.Not(e) for e in earlier], self.fires[p.id]
            )
            earlier.append(self.fires[p.id])
        decides[book.otherwise.id] = z3.And(z3.Not(any_flag), *[z3.Not(e) for e in earlier])
        return decides

    def _urgency(self) -> Any:
        z3 = self.z3
        book = self.book
        term: Any = URGENCY[book.otherwise.disposition]
        for p in reversed(book.patterns):
            term = z3.If(self.decides[p.id], URGENCY[p.disposition], term)
        for level in sorted({URGENCY[r.disposition] for r in book.red_flags}):
            fired = [self.fires[r.id] for r in book.red_flags if URGENCY[r.disposition] == level]
            term = z3.If(z3.Or(*fired), level, term)
        return term

    def with_value(self, term: Any, key: str, value: object) -> Any:
        return self.z3.substitute(term, (self.var[key], self.z3.IntVal(self.code(key, value))))

    def find(self, *constraints: Any) -> Any | None:
        """A model of the domain and the constraints, or None if there is none."""
        solver = self.z3.Solver()
        solver.add(self.domain, *constraints)
        if solver.check() != self.z3.sat:
            return None
        # A counterexample reads best when every answer not needed for it is a calm one, so
        # solve again, preferring the first choice of enums and "no" for yes/no questions.
        optimizer = self.z3.Optimize()
        optimizer.add(self.domain, *constraints)
        for q in self.book.questions:
            if q.type == "tri":
                optimizer.add_soft(self.var[q.id] == self.codes[q.id]["no"])
            elif q.type == "enum":
                optimizer.add_soft(self.var[q.id] == 0)
            else:
                optimizer.add_soft(
                    self.var[q.id] == (q.min or 0) + ((q.max or 0) - (q.min or 0)) // 4
                )
        return optimizer.model() if optimizer.check() == self.z3.sat else solver.model()

    def answers(self, model: Any, **fixed: object) -> dict[str, Any]:
        """The answer set a model describes: asked questions only, in question order, with skip
        logic applied by the core's own evaluation (so it replays exactly)."""
        facts: dict[str, Any] = {}
        for q in self.book.questions:
            if q.asked_when is not None and not q.asked_when.holds(facts):
                continue
            if q.id in fixed:
                facts[q.id] = fixed[q.id]
                continue
            number = model.eval(self.var[q.id], model_completion=True).as_long()
            facts[q.id] = number if q.type == "int" else q.allowed_values()[number]
        return facts


def _disposition(book: Rulebook, answers: dict[str, Any]) -> str:
    return screen(answers, book).disposition


def verify(book: Rulebook) -> Report:
    started = time.perf_counter()
    enc = _Encoding(book)
    results = [
        _completeness(enc),
        _red_flag_dominance(enc),
        _unsure_never_safer(enc),
        _no_dead_rule(enc),
        _no_dead_caution(enc),
        _no_skipped_reads(enc),
        _every_question_read(book),
    ]
    return Report(results, time.perf_counter() - started)


def _completeness(enc: _Encoding) -> PropertyResult:
    z3 = enc.z3
    result = PropertyResult(
        "completeness: every valid answer set gets exactly one outcome", True, 0
    )
    # The decision's outcome comes from the top reason: one disposition level of red flags (all
    # red_flag), or one pattern, or `otherwise`. Exactly one of these must hold.
    levels = sorted({URGENCY[r.disposition] for r in enc.book.red_flags}, reverse=True)
    cases: list[tuple[str, Any]] = []
    higher: list[Any] = []
    for level in levels:
        fired = z3.Or(*[enc.fires[r.id] for r in enc.book.red_flags
                        if URGENCY[r.disposition] == level])  # fmt: skip
        cases.append((f"red flags of urgency {level}", z3.And(fired, *[z3.Not(h) for h in higher])))
        higher.append(fired)
    cases += [(r.id, enc.decides[r.id]) for r in (*enc.book.patterns, enc.book.otherwise)]
    model = enc.find(z3.Not(z3.Or(*[c for _, c in cases])))
    result.checked += 1
    if model is not None:
        result.holds = False
        result.failures.append("an answer set gets no outcome")
        result.counterexamples.append(enc.answers(model))
    for i, (name_a, a) in enumerate(cases):
        for name_b, b in cases[i + 1 :]:
            result.checked += 1
            model = enc.find(a, b)
            if model is not None:
                result.holds = False
                result.failures.append(f"{name_a} and {name_b} both decide one answer set")
                result.counterexamples.append(enc.answers(model))
    return result


def _red_flag_dominance(enc: _Encoding) -> PropertyResult:
    result = PropertyResult("red-flag dominance: a red flag is never outranked downwards", True, 0)
    for rule in enc.book.red_flags:
        result.checked += 1
        model = enc.find(enc.fires[rule.id], enc.urgency < URGENCY[rule.disposition])
        if model is not None:
            result.holds = False
            answers = enc.answers(model)
            result.failures.append(
                f"{rule.id} fires but the decision is only "
                f"{_disposition(enc.book, answers)}, not {rule.disposition}"
            )
            result.counterexamples.append(answers)
    return result


def _red_flag_questions(book: Rulebook) -> list[Question]:
    read = {k for r in book.red_flags if r.when is not None for k in r.when.reads}
    return [q for q in book.questions if q.id in read and "unsure" in q.allowed_values()]


def _unsure_never_safer(enc: _Encoding) -> PropertyResult:
    result = PropertyResult(
        "unsure is never safer than a definite answer on red-flag questions", True, 0
    )
    for q in _red_flag_questions(enc.book):
        unsure = enc.with_value(enc.urgency, q.id, "unsure")
        for other in q.allowed_values():
            if other == "unsure":
                continue
            result.checked += 1
            model = enc.find(enc.asked[q.id], unsure < enc.with_value(enc.urgency, q.id, other))
            if model is None:
                continue
            result.holds = False
            with_unsure = enc.answers(model, **{q.id: "unsure"})
            with_other = {**with_unsure, q.id: other}
            result.failures.append(
                f"{q.id}: 'unsure' gives {_disposition(enc.book, with_unsure)} where "
                f"'{other}' gives {_disposition(enc.book, with_other)}"
            )
            result.counterexamples.append(with_unsure)
    return result


def _no_dead_rule(enc: _Encoding) -> PropertyResult:
    result = PropertyResult("no dead rule: each rule decides the outcome for some answers", True, 0)
    for rule in enc.book.rules:
        result.checked += 1
        if enc.find(enc.decides[rule.id]) is None:
            result.holds = False
            result.failures.append(f"{rule.id} never decides: other rules always come first")
    return result


def _no_dead_caution(enc: _Encoding) -> PropertyResult:
    z3 = enc.z3
    result = PropertyResult("no dead caution: each caution shows for some answers", True, 0)
    technique = z3.Or(*[enc.decides[r.id] for r in enc.book.rules if r.disposition == "technique"])
    for caution in enc.book.cautions:
        result.checked += 1
        shown = z3.BoolVal(True) if caution.when is None else enc.cond(caution.when)
        if enc.find(technique, shown) is None:
            result.holds = False
            result.failures.append(f"caution {caution.id} never shows with a technique outcome")
    return result


def _no_skipped_reads(enc: _Encoding) -> PropertyResult:
    result = PropertyResult(
        "no rule reads a question that is skipped whenever the rule matters", True, 0
    )
    for rule in enc.book.rules:
        if rule.when is None:
            continue
        for key in sorted(rule.when.reads):
            result.checked += 1
            if enc.find(enc.decides[rule.id], enc.asked[key]) is None:
                result.holds = False
                result.failures.append(
                    f"{rule.id} reads {key}, which is never asked when {rule.id} decides"
                )
    return result


def _every_question_read(book: Rulebook) -> PropertyResult:
    result = PropertyResult("every question is read by a rule, a caution or the skip logic",
                            True, 0)  # fmt: skip
    conditions: Iterable[Condition | None] = (
        *(r.when for r in book.rules),
        *(c.when for c in book.cautions),
        *(q.asked_when for q in book.questions),
    )
    read = {k for c in conditions if c is not None for k in c.reads}
    for q in book.questions:
        result.checked += 1
        if q.id not in read:
            result.holds = False
            result.failures.append(f"question {q.id} is asked but no rule reads it")
    return result
