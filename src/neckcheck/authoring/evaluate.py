"""Measure a rulebook against clinical cases (`neckcheck rules evaluate`): pure, no I/O.

A case is one JSON Lines line: {"id", "answers", "acceptable": [dispositions], "source"?,
"note"?}. Each case is screened exactly as `screen` and `batch` screen it, and judged:
under-triaged when its disposition is less urgent than every acceptable one, over-triaged when
more urgent than every acceptable one, safe otherwise. Two rulebooks can be compared case by
case: each case whose disposition differs is safer (more urgent) or less safe."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from neckcheck.core.answers import parse_json
from neckcheck.core.engine import decide, decision_key
from neckcheck.core.errors import InputError, Problem
from neckcheck.core.model import DISPOSITIONS, URGENCY
from neckcheck.formats.documents import answers_of_document

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from neckcheck.core.model import Decision, Rulebook

Verdict = Literal["safe", "under", "over"]

_REQUIRED = ("id", "answers", "acceptable")
_OPTIONAL = ("source", "note")
# Care today: the cases whose acceptable dispositions all lie here must be sent here.
CARE_TODAY = frozenset({"emergency", "urgent"})


@dataclass(frozen=True, slots=True)
class Case:
    """One clinical case: its answers (as given, checked when screened) and the dispositions a
    clinician accepts for it."""

    id: str
    line: int
    answers: Mapping[str, object]
    acceptable: tuple[str, ...]
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    disposition: str
    rules: tuple[str, ...]
    verdict: Verdict

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.case.id,
            "disposition": self.disposition,
            "acceptable": list(self.case.acceptable),
            "verdict": self.verdict,
            "rules": list(self.rules),
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every case's result under one rulebook, in the order of the cases."""

    rules_version: str
    results: tuple[CaseResult, ...]

    def ids(self, verdict: Verdict) -> list[str]:
        return [r.case.id for r in self.results if r.verdict == verdict]

    def table(self) -> dict[str, dict[str, int]]:
        """How many cases got each disposition (rows, most urgent first) against each set of
        acceptable dispositions (columns, named as "urgent/emergency")."""
        counts = Counter((r.disposition, acceptable_label(r.case.acceptable)) for r in self.results)
        columns = sorted({c for _, c in counts}, key=_column_order)
        return {
            given: {column: counts[(given, column)] for column in columns}
            for given in DISPOSITIONS
            if any(counts[(given, column)] for column in columns)
        }

    def care_today(self) -> tuple[int, int]:
        """(sent to emergency or urgent care, out of) the cases whose acceptable dispositions
        are all emergency or urgent."""
        due = [r for r in self.results if set(r.case.acceptable) <= CARE_TODAY]
        return sum(r.disposition in CARE_TODAY for r in due), len(due)

    def to_dict(self) -> dict[str, object]:
        sent, due = self.care_today()
        return {
            "rules_version": self.rules_version,
            "cases": len(self.results),
            "safe": len(self.ids("safe")),
            "under": len(self.ids("under")),
            "over": len(self.ids("over")),
            "under_cases": self.ids("under"),
            "over_cases": self.ids("over"),
            "care_today": {"sent": sent, "of": due},
            "table": self.table(),
            "results": [r.to_dict() for r in self.results],
        }


@dataclass(frozen=True, slots=True)
class Change:
    """A case whose disposition differs under the other rulebook."""

    id: str
    before: str
    after: str

    @property
    def safer(self) -> bool:
        return URGENCY[self.after] > URGENCY[self.before]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "before": self.before,
            "after": self.after,
            "change": "safer" if self.safer else "less_safe",
        }


def acceptable_label(acceptable: Iterable[str]) -> str:
    return "/".join(sorted(acceptable, key=lambda d: URGENCY[d]))


def _column_order(label: str) -> tuple[int, ...]:
    return tuple(-URGENCY[d] for d in reversed(label.split("/")))


def verdict(disposition: str, acceptable: Iterable[str]) -> Verdict:
    levels = [URGENCY[d] for d in acceptable]
    if URGENCY[disposition] < min(levels):
        return "under"
    if URGENCY[disposition] > max(levels):
        return "over"
    return "safe"


def evaluate_lines(lines: Iterable[bytes | str], rulebook: Rulebook, source: str) -> Evaluation:
    """Read the cases of a JSON Lines text and evaluate them in one pass, each case screened
    once. InputError listing every problem, each naming its line and key (an answer is checked
    against the rulebook's questions), before any result is given."""
    screen = Screener(rulebook)
    results: list[CaseResult] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue  # a blank line holds no case
        where = f"line {number}"
        try:
            result = _case(parse_json(line, where), number, screen)
        except InputError as exc:
            problems += [Problem(f"{where}: {p.key}" if p.key else where, p.message)
                         for p in exc.problems]  # fmt: skip
            continue
        case_id = result.case.id
        if case_id in seen:
            problems.append(Problem(f"{where}: id", f"{case_id!r} is also line {seen[case_id]}"))
            continue
        seen[case_id] = number
        results.append(result)
    if not problems and not results:
        problems.append(Problem("", "no case in the file"))
    if problems:
        raise InputError(problems, source)
    return Evaluation(rulebook.version, tuple(results))


def read_cases(lines: Iterable[bytes | str], rulebook: Rulebook, source: str) -> list[Case]:
    """The cases of a JSON Lines text, each checked (see evaluate_lines)."""
    return [r.case for r in evaluate_lines(lines, rulebook, source).results]


def _case(raw: object, number: int, screen: Screener) -> CaseResult:
    if not isinstance(raw, dict):
        raise InputError([Problem("", "a case must be a JSON object")])
    problems = [Problem(k, "unknown key") for k in raw if k not in _REQUIRED + _OPTIONAL]
    problems += [Problem(k, "missing") for k in _REQUIRED if k not in raw]
    case_id, answers, acceptable = raw.get("id"), raw.get("answers"), raw.get("acceptable")
    if "id" in raw and (not isinstance(case_id, str) or not case_id.strip()):
        problems.append(Problem("id", "must be a text that names the case"))
    if "acceptable" in raw:
        problems += _acceptable_problems(acceptable)
    for key in _OPTIONAL:
        if key in raw and not isinstance(raw[key], str):
            problems.append(Problem(key, "must be a text"))
    screened = None
    if "answers" in raw:
        if not isinstance(answers, dict):
            problems.append(Problem("answers", "must be an object of answers"))
        else:
            try:
                screened = screen(answers, "answers")
            except InputError as exc:
                problems += [Problem(f"answers.{p.key}" if p.key else "answers", p.message)
                             for p in exc.problems]  # fmt: skip
    if problems:
        raise InputError(problems)
    assert isinstance(case_id, str)
    assert isinstance(answers, dict)
    assert isinstance(acceptable, list)
    assert screened is not None
    case = Case(case_id, number, answers, tuple(acceptable), raw.get("source"), raw.get("note"))
    return CaseResult(case, *screened, verdict(screened[0], case.acceptable))


def _acceptable_problems(acceptable: object) -> list[Problem]:
    if not isinstance(acceptable, list) or not acceptable:
        return [Problem("acceptable", "must be a list of one or more dispositions")]
    unknown = [d for d in acceptable if not isinstance(d, str) or d not in URGENCY]
    if unknown:
        shown = ", ".join(json.dumps(d) for d in unknown)
        return [Problem("acceptable", f"{shown}: not a disposition (one of "
                                      f"{', '.join(DISPOSITIONS)})")]  # fmt: skip
    if len(set(acceptable)) != len(acceptable):
        return [Problem("acceptable", "names a disposition twice")]
    return []


class Screener:
    """Screens answers by the path `batch` takes: the answers checked as any document is, then
    the key of the decision (the rules that fired), without building the decision itself. Gives
    (the disposition, the rules that fired); InputError naming every problem."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self.disposition = {r.id: r.disposition for r in rulebook.rules}

    def __call__(self, answers: Mapping[str, object], source: str) -> tuple[str, tuple[str, ...]]:
        checked, _ = answers_of_document(dict(answers), self.rulebook, source)
        rules = decision_key(checked, self.rulebook)[0]
        return self.disposition[rules[0]], rules


def screen_case(answers: Mapping[str, object], rulebook: Rulebook, source: str) -> Decision:
    """The decision for a case's answers, exactly as `screen` and `batch` make it."""
    checked, _ = answers_of_document(dict(answers), rulebook, source)
    return decide(checked, rulebook)


def evaluate(cases: Iterable[Case], rulebook: Rulebook) -> Evaluation:
    """Screen each case with the rulebook, as `batch` does, and judge it. An answer set that
    this rulebook's questions refuse is an InputError naming the case's line."""
    screen = Screener(rulebook)
    results = []
    for case in cases:
        disposition, rules = screen(case.answers, f"line {case.line}")
        results.append(CaseResult(case, disposition, rules, verdict(disposition, case.acceptable)))
    return Evaluation(rulebook.version, tuple(results))


def changes(before: Evaluation, after: Evaluation) -> list[Change]:
    """Each case whose disposition differs between two evaluations of the same cases."""
    return [
        Change(a.case.id, a.disposition, b.disposition)
        for a, b in zip(before.results, after.results, strict=True)
        if a.disposition != b.disposition
    ]


def _table_lines(evaluation: Evaluation) -> list[str]:
    table = evaluation.table()
    columns = sorted({c for row in table.values() for c in row}, key=_column_order)
    first = max([len("given \\ acceptable"), *map(len, table)])
    widths = [max(len(c), 3) for c in columns]
    head = "given \\ acceptable".ljust(first) + "".join(
        "  " + c.rjust(w) for c, w in zip(columns, widths, strict=True)
    )
    rows = [
        given.ljust(first)
        + "".join("  " + str(row[c] or ".").rjust(w) for c, w in zip(columns, widths, strict=True))
        for given, row in table.items()
    ]
    return [head, *rows]


def _case_lines(evaluation: Evaluation, wanted: Verdict) -> list[str]:
    return [
        f"  - {r.case.id}: {r.disposition} (acceptable: {', '.join(r.case.acceptable)}); "
        f"rules: {', '.join(r.rules)}"
        for r in evaluation.results
        if r.verdict == wanted
    ]


def _summary_lines(evaluation: Evaluation) -> list[str]:
    under, over = evaluation.ids("under"), evaluation.ids("over")
    sent, due = evaluation.care_today()
    share = f" ({100 * sent / due:.0f}%)" if due else ""
    lines = [
        f"safe {len(evaluation.ids('safe'))}, under-triaged {len(under)}, over-triaged {len(over)}",
        f"Cases whose acceptable dispositions are all emergency or urgent: {sent} of {due} sent "
        f"to emergency or urgent care{share}.",
    ]
    if under:
        lines += ["", "Under-triaged (less urgent than every acceptable disposition):"]
        lines += _case_lines(evaluation, "under")
    if over:
        lines += ["", "Over-triaged (more urgent than every acceptable disposition):"]
        lines += _case_lines(evaluation, "over")
    return lines


def evaluation_text(
    evaluation: Evaluation, source: str, against: tuple[str, Evaluation] | None = None
) -> str:
    """What `rules evaluate` prints: the table of dispositions given against dispositions
    acceptable, the counts, the share of care-today cases sent to care today, every under- and
    over-triaged case; with another rulebook, each case it changes and its own counts."""
    count = len(evaluation.results)
    lines = [
        f"{count} case{'s' if count != 1 else ''} from {source}, "
        f"rules version {evaluation.rules_version}",
        "",
        *_table_lines(evaluation),
        "",
        *_summary_lines(evaluation),
    ]
    if against is not None:
        folder, other = against
        changed = changes(evaluation, other)
        less_safe = sum(not c.safer for c in changed)
        lines += [
            "",
            f"Against {folder} (rules version {other.rules_version}): {len(changed)} case"
            f"{'s' if len(changed) != 1 else ''} changed, {len(changed) - less_safe} safer, "
            f"{less_safe} less safe",
        ]
        lines += [
            f"  - {c.id}: {c.before} -> {c.after}, {'safer' if c.safer else 'LESS SAFE'}"
            for c in changed
        ]
        lines += ["", f"With {folder}:", *_summary_lines(other)]
    return "\n".join(lines) + "\n"


def evaluation_json(
    evaluation: Evaluation, against: tuple[str, Evaluation] | None = None
) -> dict[str, object]:
    """What `rules evaluate --json` prints: the evaluation, and with another rulebook its own
    evaluation and the cases it changes."""
    data = evaluation.to_dict()
    if against is not None:
        folder, other = against
        data["against"] = {
            "folder": folder,
            **other.to_dict(),
            "changed": [c.to_dict() for c in changes(evaluation, other)],
        }
    return data


def any_under(evaluation: Evaluation, against: tuple[str, Evaluation] | None = None) -> bool:
    """Whether any case is under-triaged by either rulebook (the exit code's 1)."""
    return bool(evaluation.ids("under")) or (against is not None and bool(against[1].ids("under")))
