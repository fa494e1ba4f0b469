"""Skip logic for an interview in progress: which questions are settled, which comes next, and
about how many are likely to be asked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from neckcheck.core.conditions import Value
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
    expected: int  # how many questions look likely to be asked in all


def progress(rulebook: Rulebook, given: Mapping[str, Value]) -> Progress:
    """Apply skip logic to a partial answer set, as the interview fills it in."""
    facts: dict[str, Value] = {}
    settled: set[str] = set()
    # For the estimate of the interview's length only: yes/no questions not yet answered are
    # taken to be "no", the common answer (so a question asked only after a yes is not counted).
    calm: dict[str, Value] = {}
    first: Question | None = None
    expected = 0
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
                likely = q.asked_when.settled({**calm, **facts}, settled | set(calm))
                expected += likely is not False
                if q.type == "tri":
                    calm[q.id] = "no"
                continue
        expected += 1
        if q.id in given:
            facts[q.id] = given[q.id]
            settled.add(q.id)
        else:
            first = first or q
            if q.type == "tri":
                calm[q.id] = "no"
    return Progress(facts, frozenset(settled), first, expected)
