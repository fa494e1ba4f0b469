"""Find and load a rules folder.

The YAML files are the source. Reading and validating them (PyYAML, pydantic, every reference
check) takes a good part of a second, too long for a command that scripts start thousands of
times, so `neckcheck rules compile` stores the validated rulebook as plain JSON beside them,
with a hash of the YAML files. A compiled copy is used only while that hash still matches; after
any edit of the YAML, loading falls back to full validation until the folder is compiled again.
Either way nothing is executed: JSON and safe YAML are data.
"""

from __future__ import annotations

import json
import os
import zlib
from typing import TYPE_CHECKING, Any

from neckcheck.conditions import Condition, parse
from neckcheck.model import (
    Caution,
    Choice,
    Group,
    OutcomeText,
    Question,
    Rule,
    Rulebook,
    Technique,
)

FILES = (
    "rulebook.yaml",
    "questions.yaml",
    "decisions.yaml",
    "cautions.yaml",
    "outcomes.yaml",
    "technique.yaml",
)
COMPILED = "rulebook.compiled.json"
COMPILED_FORMAT = 3

if TYPE_CHECKING:
    from pathlib import Path

# os.path rather than pathlib here: this module is on the path of every scripted screening,
# where each millisecond of start-up counts.


def default_rules_dir() -> Path:
    """The shipped rules: inside the installed package, or the checkout's top-level rules/."""
    from pathlib import Path

    return Path(default_rules_path())


def default_rules_path() -> str:
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "rules")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(here)), "rules")


def load_rulebook(directory: Path | str | None = None) -> Rulebook:
    """Load a rules folder: its compiled copy if current, else the validated YAML."""
    folder = os.fspath(directory) if directory is not None else default_rules_path()
    compiled = _load_compiled(folder)
    if compiled is not None:
        return compiled
    from pathlib import Path

    from neckcheck.validation import load_validated

    return load_validated(Path(folder))


def sources_hash(folder: str | Path) -> str | None:
    """A checksum of the YAML files (CRC-32 and size of each: enough to notice an edit, and
    cheap to compute), or None when one cannot be read (then validation says why)."""
    parts = []
    for name in FILES:
        try:
            with open(os.path.join(folder, name), "rb") as source:
                data = source.read()
        except OSError:
            return None
        parts.append(f"{name}:{len(data)}:{zlib.crc32(data):08x}")
    return " ".join(parts)


def _load_compiled(folder: str) -> Rulebook | None:
    try:
        with open(os.path.join(folder, COMPILED), encoding="utf-8") as compiled:
            stored = json.load(compiled)
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("format") != COMPILED_FORMAT:
        return None
    current = sources_hash(folder)
    if current is None or stored.get("sources") != current:
        return None  # the YAML changed since it was compiled: validate it afresh
    try:
        return _from_plain(stored["rulebook"], folder)
    except (KeyError, TypeError, ValueError):
        return None


def compile_rulebook(folder: Path) -> Path:
    """Validate the YAML and store the result beside it (only when the user asks for it)."""
    from neckcheck.validation import load_validated

    book = load_validated(folder)
    data = {"format": COMPILED_FORMAT, "sources": sources_hash(folder), "rulebook": to_plain(book)}
    target = folder / COMPILED
    target.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def _cond(raw: Any) -> Condition | None:
    return None if raw is None else parse(raw)


def _rule(raw: dict[str, Any]) -> Rule:
    return Rule(**{**raw, "when": _cond(raw.get("when"))})


def to_plain(book: Rulebook) -> dict[str, Any]:
    """A validated rulebook as JSON data (conditions in their YAML spelling)."""

    def when(c: Condition | None) -> Any:
        return None if c is None else c.to_plain()

    def rule(r: Rule) -> dict[str, Any]:
        return {"id": r.id, "outcome": r.outcome, "disposition": r.disposition,
                "reason": r.reason, "source": r.source, "when": when(r.when)}  # fmt: skip

    return {
        "version": book.version,
        "disclaimer": book.disclaimer,
        "intro": book.intro,
        "tri_labels": dict(book.tri_labels),
        "groups": [{"id": g.id, "title": g.title} for g in book.groups],
        "questions": [
            {
                "id": q.id,
                "label": q.label,
                "group": q.group,
                "type": q.type,
                "prompt": q.prompt,
                "help": q.help,
                "min": q.min,
                "max": q.max,
                "choices": [{"value": c.value, "label": c.label} for c in q.choices],
                "asked_when": when(q.asked_when),
            }
            for q in book.questions
        ],
        "red_flags": [rule(r) for r in book.red_flags],
        "patterns": [rule(r) for r in book.patterns],
        "otherwise": rule(book.otherwise),
        "cautions": [
            {
                "id": c.id,
                "applies_to": list(c.applies_to),
                "text": c.text,
                "source": c.source,
                "when": when(c.when),
            }
            for c in book.cautions
        ],
        "outcomes": [
            {
                "outcome": o.outcome,
                "disposition": o.disposition,
                "headline": o.headline,
                "advice": o.advice,
                "see_also": list(o.see_also),
            }
            for o in book.outcomes
        ],
        "technique": {
            "name": book.technique.name,
            "steps": list(book.technique.steps),
            "see_also": list(book.technique.see_also),
        },
    }


def _from_plain(data: dict[str, Any], source: str) -> Rulebook:
    """The inverse of to_plain, for data this module wrote after full validation."""
    return Rulebook(
        version=data["version"],
        disclaimer=data["disclaimer"],
        intro=data["intro"],
        tri_labels=data["tri_labels"],
        groups=tuple(Group(**g) for g in data["groups"]),
        questions=tuple(
            Question(
                **{
                    **q,
                    "choices": tuple(Choice(**c) for c in q["choices"]),
                    "asked_when": _cond(q["asked_when"]),
                }
            )
            for q in data["questions"]
        ),
        red_flags=tuple(_rule(r) for r in data["red_flags"]),
        patterns=tuple(_rule(r) for r in data["patterns"]),
        otherwise=_rule(data["otherwise"]),
        cautions=tuple(
            Caution(**{**c, "applies_to": tuple(c["applies_to"]), "when": _cond(c["when"])})
            for c in data["cautions"]
        ),
        outcomes=tuple(
            OutcomeText(**{**o, "see_also": tuple(o["see_also"])}) for o in data["outcomes"]
        ),
        technique=Technique(
            name=data["technique"]["name"],
            steps=tuple(data["technique"]["steps"]),
            see_also=tuple(data["technique"]["see_also"]),
        ),
        source=source,
    )
