"""Proofs of the rulebook's safety properties over the whole answer space, with an SMT solver.

The answer space (3^21 tri-state combinations times the enums and integer ranges) is far
too large to enumerate, so every question becomes a z3 variable over its domain, skip logic and
conditions become formulas, and the engine's decision (SPEC.md section 2: red flags first, then
the first matching pattern, then `otherwise`) becomes one urgency term. Each property is asked
of the solver as "is there an answer set that breaks it?" (or, for the "no dead ..." checks, "is
there one that shows it?").

Every solver call ends in one of three ways, and each is reported as what it is:

- unsat (no answer set breaks the property): that instance is proved;
- sat: the model is turned back into an answer set and replayed through the real engine before
  it is reported. A counterexample the engine reproduces is a FAIL; one it does not reproduce
  means the encoding and the engine disagree, so the instance is *unproved*, never proved;
- unknown (a time-out, a resource limit, an interruption): the instance is *unproved*, with z3's
  reason. A property holds only when every one of its instances was proved.

Pairs of answer sets ("the same answers but unsure", "the same answers one day later") are
compared with every key carried: each z3 variable has a value whether or not its question is
asked, and the skip logic is re-evaluated for each side of the pair (SPEC.md section 6).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from neckcheck.core.answers import Answers
from neckcheck.core.conditions import All, AnyOf, Compare, Condition, Not, Value
from neckcheck.core.engine import decide
from neckcheck.core.errors import InputError, require_extra
from neckcheck.core.model import TRI_VALUES, URGENCY, Decision, Question, Rule, Rulebook
from neckcheck.formats.documents import screen_document

require_extra("z3")  # the `rules` extra: only proving pays for the solver

# The questions SPEC.md section 6 names in its properties.
ROTATION = "can_rotate_45"  # SPEC's named exception: "no over yes" (its "no" is the red flag)
DAYS = "days_since_injury"  # "monotone in time"
INJURY, NOT_INJURED = "injury", "none"  # "injured" means injury is not none (SPEC section 1)
UNSURE = "unsure"

# SPEC.md section 2 as data: each answer pattern the contract names as a red flag, and the least
# urgent disposition it may give. "Yes" means yes or unsure on every tri red-flag question. The
# rules may say more (and the property tests compare them with tests/spec.py), but never less:
# deleting a red-flag rule, or weakening one (a narrower time window, a bound on how recent a sign
# is dropped), fails `rules check` here even where no other property notices.
_YES = ["yes", "unsure"]
_ROTATION_FAILS = {"not": {ROTATION: "yes"}}
_RECENT = {"signs_recent": _YES}
CONTRACT_FLOORS: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("chest_symptoms yes", {"chest_symptoms": _YES}, "emergency"),
    ("sudden_onset yes", {"sudden_onset": _YES}, "emergency"),
    ("meningitis_signs yes", {"meningitis_signs": _YES}, "emergency"),
    ("bladder_bowel yes", {"bladder_bowel": _YES}, "emergency"),
    ("vascular_signs yes, signs_recent yes", {"vascular_signs": _YES, **_RECENT}, "emergency"),
    ("head_injury yes, days <= 14", {"head_injury": _YES, DAYS: {"lte": 14}}, "emergency"),
    (
        "neuro_symptoms yes with days <= 14, a sudden or unsure onset, cancer or infection risk",
        {
            "neuro_symptoms": _YES,
            "any": [
                {DAYS: {"lte": 14}},
                {"neuro_onset": ["sudden", "unsure"]},
                {"cancer_history": _YES},
                {"infection_risk": _YES},
            ],
        },
        "emergency",
    ),
    ("days <= 2, the rotation test fails", {DAYS: {"lte": 2}, **_ROTATION_FAILS}, "emergency"),
    ("new_headache yes, signs_recent yes", {"new_headache": _YES, **_RECENT}, "urgent"),
    ("cancer_history yes", {"cancer_history": _YES}, "urgent"),
    ("head_injury yes, days > 14", {"head_injury": _YES, DAYS: {"gt": 14}}, "urgent"),
    ("blood_thinners yes, days <= 2", {"blood_thinners": _YES, DAYS: {"lte": 2}}, "urgent"),
    (
        "days 3..14, the rotation test fails",
        {DAYS: {"gte": 3, "lte": 14}, **_ROTATION_FAILS},
        "urgent",
    ),
    ("infection_risk yes, night_pain yes", {"infection_risk": _YES, "night_pain": _YES}, "urgent"),
    ("neuro_symptoms yes", {"neuro_symptoms": _YES}, "clinician"),
    # signs_recent is asked whenever either is yes: recent or not, they need a clinician at least.
    ("vascular_signs yes", {"vascular_signs": _YES}, "clinician"),
    ("new_headache yes", {"new_headache": _YES}, "clinician"),
    (
        "vascular_signs or new_headache yes, signs_recent no",
        {"any": [{"vascular_signs": _YES}, {"new_headache": _YES}], "signs_recent": "no"},
        "clinician",
    ),
    ("days > 14, the rotation test fails", {DAYS: {"gt": 14}, **_ROTATION_FAILS}, "clinician"),
    ("blood_thinners yes, days > 2", {"blood_thinners": _YES, DAYS: {"gt": 2}}, "clinician"),
    ("age < 16", {"age": {"lt": 16}}, "clinician"),
    ("midline_tenderness yes", {"midline_tenderness": _YES}, "clinician"),
    ("bone_or_joint_pain yes", {"bone_or_joint_pain": _YES}, "clinician"),
    ("night_pain yes", {"night_pain": _YES}, "clinician"),
    ("infection_risk yes", {"infection_risk": _YES}, "clinician"),
    ("bone_or_joint_disease yes", {"bone_or_joint_disease": _YES}, "clinician"),
    (
        "known_spine_problem surgery_or_fusion, instability_or_misalignment or unsure",
        {"known_spine_problem": ["surgery_or_fusion", "instability_or_misalignment", "unsure"]},
        "clinician",
    ),
)

# Per solver call. Every check of the shipped rules takes milliseconds; this only stops a
# pathological rules file from hanging `rules check` (the instance is then reported unproved).
DEFAULT_TIMEOUT_MS = 60_000

Status = Literal["proved", "FAIL", "unproved"]


@dataclass(frozen=True)
class Finding:
    """A way the property fails: what is wrong, and an answer set that shows it (replayed)."""

    text: str
    example: dict[str, Any] | None = None


@dataclass
class PropertyResult:
    name: str
    checked: int = 0  # instances examined (rules, questions, pairs, cautions)
    proved: int = 0  # instances the solver proved (and the engine confirmed, for witnesses)
    findings: list[Finding] = field(default_factory=list)
    unproved: list[str] = field(default_factory=list)  # instances neither proved nor refuted

    @property
    def status(self) -> Status:
        if self.findings:
            return "FAIL"
        if self.unproved or self.proved != self.checked:
            return "unproved"
        return "proved"

    @property
    def holds(self) -> bool:
        """Proved: every instance proved, none failed, none left open."""
        return self.status == "proved"

    @property
    def failures(self) -> list[str]:
        return [f.text for f in self.findings]

    @property
    def counterexamples(self) -> list[dict[str, Any]]:
        return [f.example for f in self.findings if f.example is not None]


@dataclass
class Report:
    results: list[PropertyResult]
    seconds: float
    interrupted: bool = False  # the user interrupted the solver: the rest was not attempted

    @property
    def holds(self) -> bool:
        return all(r.holds for r in self.results)

    @property
    def failed(self) -> list[str]:
        return [r.name for r in self.results if r.status == "FAIL"]

    @property
    def unproved(self) -> list[str]:
        return [r.name for r in self.results if r.status == "unproved"]


@dataclass(frozen=True)
class _Found:
    verdict: Literal["sat", "unsat", "unknown"]
    model: Any = None
    reason: str = ""


class _Encoding:
    """The rulebook as z3 formulas over one variable per question.

    `forced` pins questions as asked, with a fixed answer, whatever the skip logic says: the
    decision as it would be if that question had been asked and answered so.
    """

    def __init__(self, book: Rulebook, forced: Mapping[str, str] | None = None) -> None:
        import z3  # only `rules check` pays for the solver

        self.z3 = z3
        self.book = book
        self.forced = dict(forced or {})
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
            when = None if q.id in self.forced else q.asked_when
            self.asked[q.id] = z3.BoolVal(True) if when is None else self.cond(when)
        self.fires: dict[str, Any] = {
            r.id: self.cond(r.when) if r.when is not None else z3.BoolVal(True) for r in book.rules
        }
        self.decides = self._decides()
        self.urgency = self._urgency()
        # How solver calls are bounded (set by verify), and whether the user interrupted one.
        self.timeout_ms = DEFAULT_TIMEOUT_MS
        self.rlimit: int | None = None
        self.interrupted = False
        self.stopped: Callable[[], bool] = lambda: False  # whether SIGINT came (set by verify)
        self._solver: Any = None

    def code(self, key: str, value: object) -> Any:
        return value if key not in self.codes else self.codes[key][str(value)]

    def value(self, key: str) -> Any:
        if key in self.forced:
            return self.z3.IntVal(self.code(key, self.forced[key]))
        return self.var[key]

    def injured(self) -> Any:
        return self.var[INJURY] != self.code(INJURY, NOT_INJURED)

    def cond(self, c: Condition) -> Any:
        z3 = self.z3
        if isinstance(c, Compare):
            v = self.value(c.key)
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
            # An answer to a skipped question plays no part: every comparison on it is false
            # (so `not {can_rotate_45: yes}` holds when can_rotate_45 is skipped).
            return z3.And(self.asked[c.key], tests[c.op]())
        if isinstance(c, All):
            return z3.And(*[self.cond(p) for p in c.parts])
        if isinstance(c, AnyOf):
            return z3.Or(*[self.cond(p) for p in c.parts])
        if isinstance(c, Not):
            return z3.Not(self.cond(c.part))
        raise TypeError(f"unknown condition {c!r}")

    def _decides(self) -> dict[str, Any]:
        """For every rule, the formula 'this rule decides the outcome' (is a top reason)."""
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

    def live(self, rule: Rule) -> Any:
        """The rule shows in the decision: a red flag whenever it fires (every fired red flag is
        a listed reason), a pattern or `otherwise` only when it decides."""
        return self.fires[rule.id] if _is_red_flag(self.book, rule) else self.decides[rule.id]

    def with_value(self, term: Any, key: str, value: object) -> Any:
        return self.z3.substitute(term, (self.var[key], self.z3.IntVal(self.code(key, value))))

    # ---- solving ------------------------------------------------------------------------------

    def _bounded(self, solver: Any) -> Any:
        # z3's own Ctrl-C handling is off: it would take the signal for itself and say only
        # "canceled", which reads like a limit. verify() cancels the solver on SIGINT instead.
        solver.set("ctrl_c", False)
        solver.set("timeout", self.timeout_ms)
        if self.rlimit is not None:
            solver.set("rlimit", self.rlimit)
        return solver

    def _rlimit_count(self, solver: Any) -> int:
        """The solver's resource count so far (cumulative over its checks)."""
        try:
            return int(solver.statistics().get_key_value("rlimit count"))
        except self.z3.Z3Exception:
            return 0

    def search(self, *constraints: Any, calm: bool = True) -> _Found:
        """An answer set (a model of the domain and the constraints), none, or unknown. With
        `calm`, a counterexample to show: the answers it does not need are calm ones."""
        z3 = self.z3
        if self.interrupted or self.stopped():
            self.interrupted = True
            return _Found("unknown", reason="not attempted: the check was interrupted")
        try:
            if self._solver is None:  # one incremental solver: the domain is internalised once
                self._solver = self._bounded(z3.Solver())
                self._solver.add(self.domain)
            solver = self._solver
            solver.push()
            try:
                found = self._check(solver, constraints, calm)
            finally:
                solver.pop()
        except z3.Z3Exception:
            if not self.stopped():
                raise
            found = _Found("unknown", reason="z3 answered unknown (canceled: interrupted)")
        if self.stopped():  # the answer stands, if there is one; nothing more is attempted
            self.interrupted = True
        return found

    def _check(self, solver: Any, constraints: tuple[Any, ...], calm: bool) -> _Found:
        z3 = self.z3
        solver.add(*constraints)
        used_before = self._rlimit_count(solver) if self.rlimit is not None else 0
        started = time.perf_counter()
        verdict = solver.check()
        if verdict == z3.unsat:
            return _Found("unsat")
        if verdict != z3.sat:  # z3.unknown: a time-out, a resource limit or an interruption
            elapsed_ms = (time.perf_counter() - started) * 1000
            reason = solver.reason_unknown() or "no reason given"
            if reason == "canceled":
                # An incremental solver says only "canceled": tell which limit stopped it.
                if elapsed_ms >= 0.95 * self.timeout_ms:
                    reason = f"timeout: over {self.timeout_ms} ms"
                elif self.rlimit is not None and (
                    self._rlimit_count(solver) - used_before >= self.rlimit
                ):
                    reason = f"resource limit: rlimit {self.rlimit}"
                else:
                    reason = "canceled: interrupted"
            if "interrupt" in reason:
                self.interrupted = True
            return _Found("unknown", reason=f"z3 answered unknown ({reason})")
        if not calm:
            return _Found("sat", solver.model())
        # A counterexample reads best when every answer not needed for it is a calm one, so
        # solve again, preferring the first choice of enums and "no" for yes/no questions.
        # Only a nicety: if this does not finish, the first model serves.
        optimizer = self._bounded(z3.Optimize())
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
        if optimizer.check() == z3.sat:
            return _Found("sat", optimizer.model())
        if "interrupt" in (optimizer.reason_unknown() or ""):
            self.interrupted = True  # the counterexample stands; the rest is not attempted
        return _Found("sat", solver.model())

    # ---- models back to answer sets -----------------------------------------------------------

    def values(self, model: Any) -> dict[str, Value]:
        """Every question's value in a model, asked or not, in question order."""
        out: dict[str, Value] = {}
        for q in self.book.questions:
            number = model.eval(self.var[q.id], model_completion=True).as_long()
            out[q.id] = number if q.type == "int" else q.allowed_values()[number]
        return out

    def asked_only(
        self, values: Mapping[str, Value], forced: Mapping[str, Value] | None = None
    ) -> dict[str, Value]:
        """The answers to asked questions, with skip logic applied by the core's own evaluation
        (so the answer set replays exactly); `forced` questions count as asked."""
        forced = forced or {}
        facts: dict[str, Value] = {}
        for q in self.book.questions:
            if q.id in forced:
                facts[q.id] = forced[q.id]
            elif q.asked_when is None or q.asked_when.holds(facts):
                facts[q.id] = values[q.id]
        return facts

    def answers(self, model: Any) -> dict[str, Value]:
        return self.asked_only(self.values(model))

    def pair(self, model: Any, key: str, a: Value, b: Value) -> tuple[dict[str, Any], ...]:
        """Two answer sets, equal but for `key` (a, then b), each carrying the keys asked on
        either side, so that each replays as the other with only `key` changed (a key for a
        skipped question is type-checked and otherwise ignored: SPEC.md section 1)."""
        values = self.values(model)
        sides = ({**values, key: a}, {**values, key: b})
        keys: set[str] = set()
        for side in sides:
            keys |= self.asked_only(side).keys()
        return tuple({k: v for k, v in s.items() if k in keys} for s in sides)


def _is_red_flag(book: Rulebook, rule: Rule) -> bool:
    return any(r.id == rule.id for r in book.red_flags)


def _shows(book: Rulebook, rule: Rule, decision: Decision) -> bool:
    """The engine's view of `live`: a red flag is among the reasons, a pattern is the top one."""
    if _is_red_flag(book, rule):
        return rule.id in {r.rule for r in decision.reasons}
    return decision.reasons[0].rule == rule.id


def _engine(book: Rulebook, answers: Mapping[str, Any]) -> Decision | str:
    """The real engine's decision for an answer set, or why it rejects it."""
    try:
        return screen_document(dict(answers), book)
    except InputError as exc:
        return f"the engine rejects the answer set: {exc}"


def _refute(
    result: PropertyResult,
    found: _Found,
    what: str,
    replay: Callable[[Any], Finding | str],
) -> None:
    """Settle one instance of a property stated as "no answer set breaks it": the solver's
    counterexample is a FAIL only once `replay` has reproduced it with the real engine."""
    result.checked += 1
    if found.verdict == "unsat":
        result.proved += 1
    elif found.verdict == "unknown":
        result.unproved.append(f"{what}: {found.reason}")
    else:
        outcome = replay(found.model)
        if isinstance(outcome, Finding):
            result.findings.append(outcome)
        else:
            result.unproved.append(
                f"{what}: the solver's counterexample does not replay in the engine "
                f"({outcome}); the encoding and the engine disagree"
            )


def _witness(
    result: PropertyResult,
    found: _Found,
    what: str,
    failure: str,
    confirm: Callable[[Any], str | None],
) -> None:
    """Settle one instance of a property stated as "some answer set shows it": the solver's
    witness counts only once `confirm` has seen it in the real engine (None: confirmed)."""
    result.checked += 1
    if found.verdict == "unsat":
        result.findings.append(Finding(failure))
    elif found.verdict == "unknown":
        result.unproved.append(f"{what}: {found.reason}")
    else:
        problem = confirm(found.model)
        if problem is None:
            result.proved += 1
        else:
            result.unproved.append(
                f"{what}: the solver's witness does not replay in the engine ({problem}); "
                "the encoding and the engine disagree"
            )


# Watches for an interruption while the solver runs: given the function that cancels the
# solver call under way, a context manager that yields the question "did it come?". The shell
# passes one that listens for SIGINT (cli.edge.sigint_cancels); a library caller needs none.
Watch = Callable[[Callable[[], None]], AbstractContextManager[Callable[[], bool]]]


@contextmanager
def unwatched(cancel: Callable[[], None]) -> Iterator[Callable[[], bool]]:
    """No watch: nothing interrupts the solver."""
    yield lambda: False


def verify(
    book: Rulebook,
    *,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    rlimit: int | None = None,
    watch: Watch = unwatched,
) -> Report:
    """Prove the properties. `timeout_ms` bounds each solver call in time, `rlimit` (optional)
    in z3's deterministic resource units; a call that hits either leaves its instance unproved.
    `watch` (see Watch) may cancel the proofs: then the report says interrupted."""
    import z3

    started = time.perf_counter()
    # An interruption cancels the solver call under way at once, and no other is started: the
    # report says interrupted, never that the properties hold.
    contexts: list[Any] = []  # z3's context, once made: a signal may come before

    def cancel() -> None:
        for context in contexts:
            context.interrupt()

    with watch(cancel) as stopped:
        contexts.append(z3.main_ctx())
        enc = _Encoding(book)
        enc.timeout_ms = timeout_ms
        enc.rlimit = rlimit
        enc.stopped = stopped
        try:
            results = [
                _completeness(enc),
                _red_flag_dominance(enc),
                _contract_floors(enc),
                _unsure_never_safer(enc),
                _red_flag_answer_never_safer(enc),
                _monotone_in_time(enc),
                _skipped_rotation_clears_nobody(enc),
                _skipped_rotation_explained(enc),
                _no_dead_rule(enc),
                _no_dead_caution(enc),
                _no_skipped_reads(enc),
                _every_question_read(book),
            ]
        except z3.Z3Exception:  # a canceled context refuses more than checks (a model's eval)
            if not stopped():
                raise
            results = []
        interrupted = enc.interrupted or stopped()
    return Report(results, time.perf_counter() - started, interrupted)


# ---- SPEC.md section 6 ------------------------------------------------------------------------


def _completeness(enc: _Encoding) -> PropertyResult:
    z3 = enc.z3
    result = PropertyResult("completeness: every valid answer set gets exactly one outcome")
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

    def valid(text: str) -> Callable[[Any], Finding | str]:
        # The engine gives one outcome by construction; what the replay can confirm is that
        # the answer set is a valid one (so the gap is in the rules as encoded, not the input).
        def replay(model: Any) -> Finding | str:
            answers = enc.answers(model)
            decision = _engine(enc.book, answers)
            return decision if isinstance(decision, str) else Finding(text, answers)

        return replay

    gap = "an answer set gets no outcome"
    _refute(result, enc.search(z3.Not(z3.Or(*[c for _, c in cases]))), gap, valid(gap))
    for i, (name_a, a) in enumerate(cases):
        for name_b, b in cases[i + 1 :]:
            text = f"{name_a} and {name_b} both decide one answer set"
            _refute(result, enc.search(a, b), text, valid(text))
    return result


def _red_flag_dominance(enc: _Encoding) -> PropertyResult:
    result = PropertyResult("red-flag dominance: a red flag is never outranked downwards")
    for rule in enc.book.red_flags:
        level = URGENCY[rule.disposition]

        def replay(model: Any, rule: Rule = rule, level: int = level) -> Finding | str:
            answers = enc.answers(model)
            d = _engine(enc.book, answers)
            if isinstance(d, str):
                return d
            if rule.id not in {r.rule for r in d.reasons} or URGENCY[d.disposition] >= level:
                return f"the engine decides {d.disposition}, reasons {[r.rule for r in d.reasons]}"
            return Finding(
                f"{rule.id} fires but the decision is only {d.disposition}, not {rule.disposition}",
                answers,
            )

        found = enc.search(enc.fires[rule.id], enc.urgency < level)
        _refute(result, found, rule.id, replay)
    return result


def _contract_floors(enc: _Encoding) -> PropertyResult:
    """SPEC.md section 2's red flags, each at least as urgent as the contract says, whenever
    its questions are asked (a key of a skipped question plays no part)."""
    from neckcheck.core.conditions import ConditionError, parse

    result = PropertyResult("the contract's red flags: each gives at least its SPEC.md level")
    for name, raw, floor in CONTRACT_FLOORS:
        try:
            cond = parse(raw)
            missing = sorted(k for k in cond.reads if enc.book.question(k) is None)
        except ConditionError as err:
            result.checked += 1
            result.findings.append(Finding(f"{name}: {err}"))
            continue
        if missing:
            result.checked += 1
            result.findings.append(
                Finding(f"{name}: the rules have no question {', '.join(missing)}")
            )
            continue
        level = URGENCY[floor]

        def replay(model: Any, name: str = name, floor: str = floor) -> Finding | str:
            answers = enc.answers(model)
            d = _engine(enc.book, answers)
            if isinstance(d, str):
                return d
            if URGENCY[d.disposition] >= URGENCY[floor]:
                return f"the engine decides {d.disposition}"
            return Finding(f"{name} gives only {d.disposition}; the contract says {floor}", answers)

        found = enc.search(enc.cond(cond), enc.urgency < level)
        _refute(result, found, name, replay)
    return result


def _pair_replay(
    enc: _Encoding, key: str, worse: Value, better: Value, describe: Callable[[str, str], str]
) -> Callable[[Any], Finding | str]:
    """Replay "`worse` gives a less urgent decision than `better`, other answers equal"."""

    def replay(model: Any) -> Finding | str:
        first, second = enc.pair(model, key, worse, better)
        a, b = _engine(enc.book, first), _engine(enc.book, second)
        if isinstance(a, str) or isinstance(b, str):
            return a if isinstance(a, str) else str(b)
        if URGENCY[a.disposition] >= URGENCY[b.disposition]:
            return f"the engine gives {a.disposition} and {b.disposition}"
        return Finding(describe(a.disposition, b.disposition), first)

    return replay


def _unsure_never_safer(enc: _Encoding) -> PropertyResult:
    result = PropertyResult(
        "unsure is never safer than any other answer to the same question (tri and enum)"
    )
    for q in enc.book.questions:
        if UNSURE not in q.allowed_values():
            continue
        unsure = enc.with_value(enc.urgency, q.id, UNSURE)
        for other in q.allowed_values():
            if other == UNSURE:
                continue

            def describe(a: str, b: str, q: Question = q, other: str = other) -> str:
                return f"{q.id}: 'unsure' gives {a} where '{other}' gives {b}"

            found = enc.search(enc.asked[q.id], unsure < enc.with_value(enc.urgency, q.id, other))
            replay = _pair_replay(enc, q.id, UNSURE, other, describe)
            _refute(result, found, f"{q.id} unsure vs {other}", replay)
    return result


def _flag_values(cond: Condition, book: Rulebook, positive: bool = True) -> dict[str, set[str]]:
    """For each tri question a condition reads, the answers under which that reading pushes the
    condition towards holding (`not {can_rotate_45: yes}` reads no and unsure as the flag)."""
    out: dict[str, set[str]] = {}
    if isinstance(cond, Compare):
        q = book.question(cond.key)
        if q is not None and q.type == "tri":
            holding = {v for v in TRI_VALUES if cond.holds({cond.key: v})}
            out[cond.key] = holding if positive else set(TRI_VALUES) - holding
        return out
    parts: Iterable[tuple[Condition, bool]]
    if isinstance(cond, Not):
        parts = [(cond.part, not positive)]
    elif isinstance(cond, All | AnyOf):
        parts = [(p, positive) for p in cond.parts]
    else:
        raise TypeError(f"unknown condition {cond!r}")
    for part, polarity in parts:
        for key, values in _flag_values(part, book, polarity).items():
            out.setdefault(key, set()).update(values)
    return out


def red_flag_answers(book: Rulebook) -> dict[str, str | None]:
    """For each tri question a red-flag rule reads, its red-flag answer as the rules read it:
    "yes", "no" (the rotation question: `not {can_rotate_45: yes}`), or None when the readings
    do not tell. A question read both ways (signs_recent: yes keeps an artery sign's emergency,
    no turns it into a clinician's visit) is told by the most urgent rule reading each answer;
    a tie tells nothing."""
    reads: dict[str, dict[str, int]] = {}
    for rule in book.red_flags:
        if rule.when is not None:
            for key, values in _flag_values(rule.when, book).items():
                levels = reads.setdefault(key, {})
                for value in values:
                    levels[value] = max(levels.get(value, -1), URGENCY[rule.disposition])
    answers: dict[str, str | None] = {}
    for q in book.questions:  # in question order
        if q.id in reads:
            yes, no = reads[q.id].get("yes", -1), reads[q.id].get("no", -1)
            answers[q.id] = None if yes == no else "yes" if yes > no else "no"
    return answers


def _red_flag_answer_never_safer(enc: _Encoding) -> PropertyResult:
    """SPEC.md section 6: yes over no on every tri red-flag question, no over yes on
    can_rotate_45. The direction is derived from how the red flags read each question, and held
    to SPEC: the rotation question is the only one whose red-flag answer may be "no"."""
    result = PropertyResult(
        "the red-flag answer is never safer than its opposite (yes over no; no over yes on "
        f"{ROTATION})"
    )
    for key, derived in red_flag_answers(enc.book).items():
        spec = "no" if key == ROTATION else "yes"
        opposite = "yes" if spec == "no" else "no"
        result.checked += 1
        if derived == spec:
            result.proved += 1
        else:
            read = "no clear red-flag answer" if derived is None else f"'{derived}' as the red flag"
            text = (
                f"{key}: the red-flag rules read {read}; the contract says {spec} over {opposite}"
            )
            result.findings.append(Finding(text))

        def describe(a: str, b: str, key: str = key, spec: str = spec, opp: str = opposite) -> str:
            return f"{key}: the red-flag answer '{spec}' gives {a} where '{opp}' gives {b}"

        flagged = enc.with_value(enc.urgency, key, spec)
        found = enc.search(enc.asked[key], flagged < enc.with_value(enc.urgency, key, opposite))
        replay = _pair_replay(enc, key, spec, opposite, describe)
        _refute(result, found, f"{key} {spec} vs {opposite}", replay)
    return result


def _monotone_in_time(enc: _Encoding) -> PropertyResult:
    """A smaller `days` never gives a less urgent result, other answers equal: proved for each
    pair of neighbouring days, which gives every pair (d < d') by chaining."""
    result = PropertyResult(f"monotone in time: for an injured person a smaller {DAYS} is never "
                            "less urgent")  # fmt: skip
    days = enc.book.question(DAYS)
    if days is None or days.max is None:
        result.findings.append(
            Finding(f"the rules have no question {DAYS} (the contract requires it)")
        )
        return result
    now = enc.var[DAYS]
    later = enc.z3.substitute(enc.urgency, (now, now + 1))

    def replay(model: Any) -> Finding | str:
        d = enc.values(model)[DAYS]
        if not isinstance(d, int):
            return f"{DAYS} is {d!r}"

        def describe(a: str, b: str) -> str:
            return f"{DAYS} {d} gives {a} where {d + 1} gives {b}"

        return _pair_replay(enc, DAYS, d, d + 1, describe)(model)

    found = enc.search(enc.injured(), enc.asked[DAYS], now + 1 <= days.max, enc.urgency < later)
    _refute(result, found, f"{DAYS} d vs d + 1", replay)
    return result


def _skipped_rotation_clears_nobody(enc: _Encoding) -> PropertyResult:
    """Whenever the rotation question is skipped after an injury, the result is at least what
    the same answers give with it asked and answered no (a failed rotation test)."""
    result = PropertyResult(f"a skipped rotation question clears nobody ({ROTATION} skipped "
                            "is at least as urgent as answered no)")  # fmt: skip
    if enc.book.question(ROTATION) is None:
        result.findings.append(
            Finding(f"the rules have no question {ROTATION} (the contract requires it)")
        )
        return result
    failed = _Encoding(enc.book, forced={ROTATION: "no"})

    def replay(model: Any) -> Finding | str:
        values = enc.values(model)
        answers = enc.asked_only(values)
        a = _engine(enc.book, answers)
        if isinstance(a, str):
            return a
        if ROTATION in answers or answers.get(INJURY) == NOT_INJURED:
            return f"{ROTATION} is asked, or there was no injury: {answers}"
        b = decide(Answers(enc.asked_only(values, forced={ROTATION: "no"})), enc.book)
        if URGENCY[a.disposition] >= URGENCY[b.disposition]:
            return f"the engine gives {a.disposition}, and {b.disposition} with {ROTATION} no"
        return Finding(
            f"{ROTATION} is skipped and the decision is {a.disposition}; a failed rotation test "
            f"({ROTATION} no) would give {b.disposition}",
            answers,
        )

    found = enc.search(enc.injured(), enc.z3.Not(enc.asked[ROTATION]),
                       enc.urgency < failed.urgency)  # fmt: skip
    _refute(result, found, f"{ROTATION} skipped", replay)
    return result


def _conjuncts(cond: Condition) -> list[Condition]:
    if isinstance(cond, All):
        return [leaf for part in cond.parts for leaf in _conjuncts(part)]
    return [cond]


def _skipped_rotation_explained(enc: _Encoding) -> PropertyResult:
    """Each answer that skips the rotation test after an injury fires a red flag that reads it,
    so the person is told why (SPEC.md sections 2 and 4: the reasons list every red flag). The
    scan rules say only "or that should not be tested because of your other answers"."""
    result = PropertyResult(f"a skipped rotation test is explained: each answer that skips "
                            f"{ROTATION} after an injury fires a red flag naming it")  # fmt: skip
    rotation = enc.book.question(ROTATION)
    if rotation is None or rotation.asked_when is None:
        return result
    for leaf in _conjuncts(rotation.asked_when):
        naming = [r for r in enc.book.red_flags if r.when is not None and r.when.reads & leaf.reads]

        def replay(
            model: Any, leaf: Condition = leaf, naming: Iterable[Rule] = naming
        ) -> Finding | str:
            answers = enc.answers(model)
            d = _engine(enc.book, answers)
            if isinstance(d, str):
                return d
            named = {r.rule for r in d.reasons} & {r.id for r in naming}
            if leaf.holds(answers) or answers.get(INJURY) == NOT_INJURED or named:
                return f"the engine names {sorted(named)}"
            keys = ", ".join(sorted(leaf.reads))
            return Finding(
                f"{ROTATION} is skipped because not ({leaf}), but no fired red flag reads {keys} "
                f"(the decision is {d.disposition}, reasons {[r.rule for r in d.reasons]})",
                answers,
            )

        found = enc.search(enc.injured(), enc.z3.Not(enc.cond(leaf)),
                           *[enc.z3.Not(enc.fires[r.id]) for r in naming])  # fmt: skip
        _refute(result, found, f"not ({leaf})", replay)
    return result


# ---- Structure of the rules ------------------------------------------------------------------


def _reasons(enc: _Encoding, model: Any) -> tuple[dict[str, Value], Decision | str]:
    answers = enc.answers(model)
    return answers, _engine(enc.book, answers)


def _no_dead_rule(enc: _Encoding) -> PropertyResult:
    result = PropertyResult("no dead rule: each red flag fires, and each pattern decides, for "
                            "some answers")  # fmt: skip
    for rule in enc.book.rules:
        flag = _is_red_flag(enc.book, rule)

        def confirm(model: Any, rule: Rule = rule) -> str | None:
            _, d = _reasons(enc, model)
            if isinstance(d, str):
                return d
            return None if _shows(enc.book, rule, d) else f"the engine's reasons are {d.reasons}"

        dead = (f"{rule.id} never fires" if flag
                else f"{rule.id} never decides: other rules always come first")  # fmt: skip
        _witness(result, enc.search(enc.live(rule), calm=False), rule.id, dead, confirm)
    return result


def _no_dead_caution(enc: _Encoding) -> PropertyResult:
    result = PropertyResult(
        "no dead caution: each caution shows with each disposition it applies to"
    )
    for caution in enc.book.cautions:
        shown = enc.z3.BoolVal(True) if caution.when is None else enc.cond(caution.when)
        for disposition in caution.applies_to:

            def confirm(model: Any, cid: str = caution.id, disp: str = disposition) -> str | None:
                _, d = _reasons(enc, model)
                if isinstance(d, str):
                    return d
                if d.disposition == disp and cid in {c.id for c in d.cautions}:
                    return None
                return f"the engine gives {d.disposition} with {[c.id for c in d.cautions]}"

            found = enc.search(enc.urgency == URGENCY[disposition], shown, calm=False)
            what = f"{caution.id} with {disposition}"
            dead = f"caution {caution.id} never shows with a {disposition} outcome"
            _witness(result, found, what, dead, confirm)
    return result


def _no_skipped_reads(enc: _Encoding) -> PropertyResult:
    result = PropertyResult("no rule reads a question that is skipped whenever the rule matters")
    for rule in enc.book.rules:
        if rule.when is None:
            continue
        for key in sorted(rule.when.reads):

            def confirm(model: Any, rule: Rule = rule, key: str = key) -> str | None:
                answers, d = _reasons(enc, model)
                if isinstance(d, str):
                    return d
                if key in answers and _shows(enc.book, rule, d):
                    return None
                return f"the engine gives reasons {[r.rule for r in d.reasons]} for {answers}"

            matters = "fires" if _is_red_flag(enc.book, rule) else "decides"
            never = f"{rule.id} reads {key}, which is never asked when {rule.id} {matters}"
            found = enc.search(enc.live(rule), enc.asked[key], calm=False)
            _witness(result, found, f"{rule.id} reads {key}", never, confirm)
    return result


def _every_question_read(book: Rulebook) -> PropertyResult:
    result = PropertyResult("every question is read by a rule, a caution or the skip logic")
    conditions: Iterable[Condition | None] = (
        *(r.when for r in book.rules),
        *(c.when for c in book.cautions),
        *(q.asked_when for q in book.questions),
    )
    read = {k for c in conditions if c is not None for k in c.reads}
    for q in book.questions:
        result.checked += 1
        if q.id in read:
            result.proved += 1
        else:
            result.findings.append(Finding(f"question {q.id} is asked but no rule reads it"))
    return result
