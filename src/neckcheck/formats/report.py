"""A Markdown summary of one screening, for the person to bring to a clinician."""

from __future__ import annotations

from collections.abc import Mapping

from neckcheck.core.conditions import Value
from neckcheck.core.model import Decision, Rulebook
from neckcheck.formats.escape import safe_text
from neckcheck.formats.since import since_text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _since_section(decision: Decision, book: Rulebook) -> list[str]:
    """The comparison with an earlier screening (--since), when there is one."""
    words = since_text(decision, book)
    if words is None or decision.since is None:
        return []
    when = decision.since.given_at or "a date the saved file did not record"
    lines = ["", "## Since last time", "", f"Compared with the answers given on {when}.", ""]
    if words.changes:
        lines += ["| Question | Then | Now |", "|---|---|---|"]
        lines += [
            f"| {_cell(q)} | {_cell(then)} | {_cell(now)} |" for q, then, now in words.changes
        ]
    else:
        lines += ["No answer changed."]
    return [*lines, "", f"Level of care: then {words.level_then}; now {words.level_now}."]


def markdown_report(
    decision: Decision, facts: Mapping[str, Value], book: Rulebook, when: str, ended_early: bool
) -> str:
    """`facts`: the answers to the questions that were asked; `when`: the date and time."""
    words = since_text(decision, book)
    lines = [
        "# neckcheck screening report",
        "",
        *([f"**{words.risen}**", ""] if words is not None and words.risen else []),
        f"- Date: {when}",
        f"- Rules version: {decision.rules_version}",
        f"- Result: **{decision.headline}** ({decision.outcome}, {decision.disposition})",
        "",
        decision.advice,
        "",
        "## Why",
        "",
    ]
    lines += [f"- {r.text} *Source: {r.source}* (rule `{r.rule}`)" for r in decision.reasons]
    lines += _since_section(decision, book)
    lines += ["", "## Answers", ""]
    if ended_early:
        lines += ["The screening stopped early: these answers already called for emergency care.",
                  ""]  # fmt: skip
    lines += ["| Question | Answer |", "|---|---|"]
    for q in book.questions:
        if q.id in facts:
            lines.append(f"| {_cell(q.prompt)} | {_cell(book.answer_label(q, facts[q.id]))} |")
    if decision.steps:
        lines += ["", f"## The technique: {decision.technique}", ""]
        lines += [f"{n}. {step}" for n, step in enumerate(decision.steps, start=1)]
    if decision.cautions:
        lines += ["", "## Cautions", ""]
        lines += [f"- {c.text}" for c in decision.cautions]
    if decision.see_also:
        lines += ["", "## See also", ""]
        lines += [f"- {item}" for item in decision.see_also]
    lines += ["", "---", "", f"*{decision.disclaimer}*", ""]
    # Rule texts and answers are data: a control character in them must not reach a terminal
    # that shows this file.
    return safe_text("\n".join(lines))
