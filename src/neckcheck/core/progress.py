"""Skip logic for an interview in progress: which questions are settled, which comes next, the
most questions that can still be asked in all, and the parts a person can still see."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from neckcheck.core.conditions import All, AnyOf, Compare, Condition, Not, Value
from neckcheck.core.model import Question, Rulebook


def asked(question: Question, facts: Mapping[str, Value]) -> bool:
    """Whether the interview asks this question, given the answers to the questions before it."""
    return question.asked_when is None or question.asked_when.test(facts)


@dataclass(frozen=True, slots=True)
class Progress:
    """Where an interview stands, from the answers given so far (skip logic applied)."""

    facts: dict[str, Value]  # answers to questions that are asked
    settled: frozenset[str]  # keys known to be answered or skipped
    next_question: Question | None  # the first asked question still unanswered


def progress(rulebook: Rulebook, given: Mapping[str, Value]) -> Progress:
    """Apply skip logic to a partial answer set, as the interview fills it in."""
    facts: dict[str, Value] = {}
    settled: set[str] = set()
    first: Question | None = None
    for q in rulebook.questions:
        if q.asked_when is not None:
            # Skipped as soon as the answers so far rule it out, whatever the rest will be (an
            # 80-year-old is never going to be asked to turn the head), so that an emergency
            # that follows from a skip is known early.
            is_asked = q.asked_when.settled(facts, settled)
            if is_asked is False:
                settled.add(q.id)
                continue
            if is_asked is None:
                continue
        if q.id in given:
            facts[q.id] = given[q.id]
            settled.add(q.id)
        else:
            first = first or q
    return Progress(facts, frozenset(settled), first)


def visible_groups(rulebook: Rulebook, state: Progress) -> tuple[str, ...]:
    """The parts (question groups) this person has seen or may still see, in order: a part
    whose every question the answers so far skip is left out, so that part numbers never jump
    over a part the person was never shown."""
    open_ids = {
        q.id
        for q in rulebook.questions
        if q.id in state.facts
        or (
            q.id not in state.settled
            and (
                q.asked_when is None
                or q.asked_when.settled(state.facts, state.settled) is not False
            )
        )
    }
    return tuple(
        g.id
        for g in rulebook.groups
        if any(q.group == g.id and q.id in open_ids for q in rulebook.questions)
    )


def _kinds(question: Question, atoms: Sequence[Compare]) -> tuple[Value, ...]:
    """One answer of each kind that the skip logic tells apart: two answers that every
    comparison of this key treats alike lead to the same questions."""
    values: tuple[Value, ...]
    if question.type == "int":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low
        candidates = {low, high}
        for atom in atoms:
            for bound in atom.values():
                if isinstance(bound, int) and not isinstance(bound, bool):
                    candidates.update(b for b in (bound - 1, bound, bound + 1) if low <= b <= high)
        values = tuple(sorted(candidates))
    else:
        values = question.allowed_values()
    seen: dict[tuple[bool, ...], Value] = {}
    for value in values:
        seen.setdefault(tuple(atom.test({question.id: value}) for atom in atoms), value)
    return tuple(seen.values())


_Ways = tuple[
    tuple[Condition, ...],
    dict[str, tuple[Value, ...]],
    dict[tuple[int, tuple[bool | Condition, ...], tuple[tuple[str, Value], ...]], int],
]


def _ways(rulebook: Rulebook) -> _Ways:
    """The emergency rules' conditions, and one answer of each kind that the skip logic or
    those rules tell apart, for every question either reads."""
    emergencies = tuple(
        r.when for r in rulebook.red_flags if r.disposition == "emergency" and r.when is not None
    )
    atoms: dict[str, list[Compare]] = {}
    for when in (*(q.asked_when for q in rulebook.questions), *emergencies):
        for atom in when.compares() if when is not None else ():
            atoms.setdefault(atom.key, []).append(atom)
    kinds = {q.id: _kinds(q, atoms[q.id]) for q in rulebook.questions if q.id in atoms}
    return emergencies, kinds, {}


def most_questions(rulebook: Rulebook, given: Mapping[str, Value]) -> int:
    """The most questions a person can be asked in all, the answers so far included: the
    longest way through the skip logic that these answers leave open, each way ending where
    the interview would stop early (as soon as an emergency is certain). It never rises as
    answers are added, since each answer only narrows the ways left."""
    questions = rulebook.questions
    ways: _Ways | None = rulebook.derived.get("longest_ways")
    if ways is None:  # what the search needs of the rules, and what it has found, kept
        ways = rulebook.derived["longest_ways"] = _ways(rulebook)
    emergencies, kinds, memo = ways

    def longest(start: int, facts: dict[str, Value]) -> int:
        # What the answers so far leave of each later condition and of each emergency rule
        # decides the rest of the way.
        known = progress(rulebook, facts).settled | {q.id for q in questions[:start]}
        left = tuple(
            _left(w, facts, known)
            for w in (*emergencies, *(q.asked_when for q in questions[start:]))
        )
        if any(part is True for part in left[: len(emergencies)]):
            return 0  # emergency care is certain: the interview stops before asking more
        # Answers already given to later questions (after a change on the review) count too.
        ahead = tuple(
            (q.id, given[q.id]) for q in questions[start:] if q.id in given and q.id in kinds
        )
        seen = (start, left, ahead)
        if seen not in memo:
            count = 0
            rest = 0
            for i in range(start, len(questions)):
                q = questions[i]
                if q.asked_when is not None and not q.asked_when.test(facts):
                    continue
                count += 1
                if q.id in given and q.id in kinds:
                    rest = longest(i + 1, {**facts, q.id: given[q.id]})
                    break
                if q.id in kinds:  # an answer the rules read: try each kind of it
                    rest = max(longest(i + 1, {**facts, q.id: v}) for v in kinds[q.id])
                    break
            memo[seen] = count + rest
        return memo[seen]

    return longest(0, {})


def _left(
    when: Condition | None, facts: Mapping[str, Value], known: frozenset[str] | set[str]
) -> bool | Condition:
    """What is left of a condition once the keys in `known` are answered (or skipped): True,
    False, or the part that still depends on the answers to come."""
    if when is None:
        return True
    if isinstance(when, Compare):
        return when.test(facts) if when.key in known else when
    if isinstance(when, Not):
        inner = _left(when.part, facts, known)
        return (not inner) if isinstance(inner, bool) else Not(inner)
    if isinstance(when, All | AnyOf):
        decides = isinstance(when, AnyOf)  # the part value that settles the whole
        parts: list[Condition] = []
        for part in when.parts:
            left = _left(part, facts, known)
            if left is decides:
                return decides
            if not isinstance(left, bool):
                parts.append(left)
        if not parts:
            return not decides
        return type(when)(tuple(parts))
    raise TypeError(f"unknown condition {when!r}")
