"""The typed records of the core: what a rulebook holds and what a decision is.

Frozen dataclasses, so that screening needs no validation library at run time; the rules
loader validates raw YAML into them with pydantic. The outcome table below is SPEC.md
section 2 itself (the contract scripts depend on), not clinical logic: the rules choose among
these pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from neckcheck.core.conditions import Condition, Value

# Defined at run time: pydantic reads them when it validates rule files into these classes.
QuestionType = Literal["tri", "int", "enum"]
Outcome = Literal[
    "red_flag", "unclear", "traditional_whiplash", "reverse_whiplash", "general_soreness"
]
Disposition = Literal["emergency", "urgent", "clinician", "avoid_technique", "technique"]

# The values of the three Literal types above, as tuples (a test checks they agree).
QUESTION_TYPES: tuple[str, ...] = ("tri", "int", "enum")
OUTCOMES: tuple[str, ...] = (
    "red_flag", "unclear", "traditional_whiplash", "reverse_whiplash", "general_soreness"
)  # fmt: skip
DISPOSITIONS: tuple[str, ...] = ("emergency", "urgent", "clinician", "avoid_technique", "technique")


TRI_VALUES: tuple[str, ...] = ("yes", "no", "unsure")

# SPEC.md section 2: the only outcome/disposition pairs, with their exit codes.
OUTCOME_EXIT_CODES: Mapping[tuple[str, str], int] = {
    ("red_flag", "emergency"): 5,
    ("red_flag", "urgent"): 6,
    ("red_flag", "clinician"): 4,
    ("unclear", "clinician"): 4,
    ("traditional_whiplash", "avoid_technique"): 3,
    ("reverse_whiplash", "technique"): 0,
    ("general_soreness", "technique"): 0,
}

# SPEC.md section 2: emergency > urgent > clinician > avoid_technique > technique.
URGENCY: Mapping[str, int] = {
    "emergency": 4,
    "urgent": 3,
    "clinician": 2,
    "avoid_technique": 1,
    "technique": 0,
}

# SPEC.md section 2: when care is needed, by disposition (None: self-care, no deadline).
TIMEFRAMES: Mapping[str, str | None] = {
    "emergency": "now",
    "urgent": "today",
    "clinician": "soon",
    "avoid_technique": None,
    "technique": None,
}

# SPEC.md: the version of the contract the JSON output follows.
CONTRACT_VERSION = 3

# Pydantic reads this when it validates the records below from a rule file: an unknown field is
# an error, never ignored. A plain dict, so this module does not import pydantic.
_STRICT: Any = {"extra": "forbid"}


@dataclass(frozen=True, slots=True)
class Choice:
    __pydantic_config__ = _STRICT
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Group:
    __pydantic_config__ = _STRICT
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Question:
    __pydantic_config__ = _STRICT
    id: str
    label: str
    group: str
    type: QuestionType
    prompt: str
    help: str
    min: int | None = None
    max: int | None = None
    choices: tuple[Choice, ...] = ()
    asked_when: Condition | None = None

    def allowed_values(self) -> tuple[str, ...]:
        if self.type == "tri":
            return TRI_VALUES
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True, slots=True)
class Rule:
    __pydantic_config__ = _STRICT
    id: str
    outcome: Outcome
    disposition: Disposition
    reason: str
    source: str
    when: Condition | None = None  # required for red flags and patterns, absent for `otherwise`

    def matches(self, facts: Mapping[str, Value]) -> bool:
        return self.when is None or self.when.test(facts)


@dataclass(frozen=True, slots=True)
class Caution:
    __pydantic_config__ = _STRICT
    id: str
    applies_to: tuple[Disposition, ...]  # the self-care dispositions it is shown with
    text: str
    source: str
    when: Condition | None = None  # absent: always, with every outcome it applies to


@dataclass(frozen=True, slots=True)
class OutcomeText:
    __pydantic_config__ = _STRICT
    outcome: Outcome
    disposition: Disposition
    headline: str
    advice: str
    see_also: tuple[str, ...] = ()  # self-care outcomes: other techniques worth a look


@dataclass(frozen=True, slots=True)
class Technique:
    __pydantic_config__ = _STRICT
    name: str
    steps: tuple[str, ...]
    see_also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rulebook:
    """A loaded and validated rules folder."""

    version: str
    disclaimer: str
    intro: str
    tri_labels: Mapping[str, str]
    groups: tuple[Group, ...]
    questions: tuple[Question, ...]
    red_flags: tuple[Rule, ...]
    patterns: tuple[Rule, ...]
    otherwise: Rule
    cautions: tuple[Caution, ...]
    outcomes: tuple[OutcomeText, ...]
    technique: Technique
    source: str = field(default="", compare=False)  # the folder it was read from, for messages
    # Set only when the rules were loaded with allow_unproved=True and are not proved: why, in
    # one sentence, to be shown with every result screened with them. None: proved.
    warning: str | None = field(default=None, compare=False)
    # Derived per instance (init=False: a replace() copy must not share them).
    _by_id: dict[str, Question] = field(default_factory=dict, init=False, compare=False, repr=False)
    # Decisions already built, by (reasons, cautions): screening repeats a few of them a lot.
    decisions: dict[tuple[tuple[str, ...], tuple[str, ...]], Decision] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # Look-up tables other core modules build once from this rulebook.
    derived: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({q.id: q for q in self.questions})

    def question(self, key: str) -> Question | None:
        return self._by_id.get(key)

    def question_read(self, key: str) -> Question:
        """The question a condition reads (ValueError when there is none: rules are checked, so
        only a condition built by hand can name another key)."""
        question = self._by_id.get(key)
        if question is None:
            raise ValueError(f"a condition reads {key!r}, which is no question")
        return question

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every decision rule, in file order."""
        return (*self.red_flags, *self.patterns, self.otherwise)

    def answer_label(self, question: Question, value: Value) -> str:
        """An answer in the words the person chose it by."""
        if question.type == "tri":
            return self.tri_labels.get(str(value), str(value))
        for choice in question.choices:
            if choice.value == value:
                return choice.label
        return str(value)

    def group_title(self, group_id: str) -> str:
        return next((g.title for g in self.groups if g.id == group_id), group_id)

    def text_for(self, outcome: str, disposition: str) -> OutcomeText:
        for text in self.outcomes:
            if text.outcome == outcome and text.disposition == disposition:
                return text
        raise LookupError(f"no text for {outcome}/{disposition}")  # prevented by the loader


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    text: str
    source: str
    disposition: str


@dataclass(frozen=True, slots=True)
class CautionNote:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Change:
    """One answer that differs between an earlier screening and this one; None where the
    question was not asked in that screening."""

    key: str
    before: Value | None
    after: Value | None


@dataclass(frozen=True, slots=True)
class Since:
    """What changed since an earlier screening of the same person: the answers that differ, in
    question order, the earlier disposition, and whether today's is more urgent. `given_at`
    (ISO 8601 with its offset) and `rules_version_before` come from the saved answer set, None
    when it did not record them (a file saved by an earlier version)."""

    changes: tuple[Change, ...]
    disposition_before: str
    more_urgent: bool
    given_at: str | None = None
    rules_version_before: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "changes": [{"key": c.key, "before": c.before, "after": c.after} for c in self.changes],
            "disposition_before": self.disposition_before,
            "more_urgent": self.more_urgent,
            "given_at": self.given_at,
            "rules_version_before": self.rules_version_before,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of screening one answer set: data only, no layout."""

    outcome: str
    disposition: str
    exit_code: int
    timeframe: str | None
    headline: str
    advice: str
    reasons: tuple[Reason, ...]
    cautions: tuple[CautionNote, ...]
    steps: tuple[str, ...]
    see_also: tuple[str, ...]
    technique: str | None
    rules_version: str
    disclaimer: str
    warning: str | None = None  # the rules used are not proved (see Rulebook.warning)
    since: Since | None = None  # the comparison with an earlier screening (--since)

    def to_dict(self) -> dict[str, object]:
        """The decision as a JSON object: what `screen --json` prints (its JSON Schema is
        `neckcheck.formats.schema.decision_schema`, docs/decision.schema.json for the shipped
        rules)."""
        return (
            {
                "outcome": self.outcome,
                "disposition": self.disposition,
                "exit_code": self.exit_code,
                "timeframe": self.timeframe,
                "headline": self.headline,
                "advice": self.advice,
                "reasons": [
                    {
                        "rule": r.rule,
                        "text": r.text,
                        "source": r.source,
                        "disposition": r.disposition,
                    }
                    for r in self.reasons
                ],
                "cautions": [{"id": c.id, "text": c.text} for c in self.cautions],
                "technique": self.technique,
                "steps": list(self.steps),
                "see_also": list(self.see_also),
                "rules_version": self.rules_version,
                "contract_version": CONTRACT_VERSION,
                "disclaimer": self.disclaimer,
            }
            | ({"warning": self.warning} if self.warning else {})
            | ({"since": self.since.to_dict()} if self.since is not None else {})
        )
