"""Find and load a rules folder.

The YAML files are the source. Reading and validating them (PyYAML, pydantic, every reference
check) takes a good part of a second, too long for a command that scripts start thousands of
times, so `neckcheck rules compile` stores the validated rulebook as plain JSON beside them,
with a hash of the YAML files. A compiled copy is used only while that hash still matches; after
any edit of the YAML, loading falls back to full validation until the folder is compiled again.
Either way nothing is executed: JSON and safe YAML are data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

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
COMPILED_FORMAT = 1


def default_rules_dir() -> Path:
    """The shipped rules: inside the installed package, or the checkout's top-level rules/."""
    packaged = Path(__file__).resolve().parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def load_rulebook(directory: Path | str | None = None) -> Rulebook:
    """Load a rules folder: its compiled copy if current, else the validated YAML."""
    folder = Path(directory) if directory is not None else default_rules_dir()
    compiled = _load_compiled(folder)
    if compiled is not None:
        return compiled
    from neckcheck.validation import load_validated

    return load_validated(folder)


def sources_hash(folder: Path) -> str | None:
    """A hash of the YAML files, or None when one cannot be read (then validation says why)."""
    digest = hashlib.sha256()
    for name in FILES:
        try:
            data = (folder / name).read_bytes()
        except OSError:
            return None
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def _load_compiled(folder: Path) -> Rulebook | None:
    try:
        stored = json.loads((folder / COMPILED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("format") != COMPILED_FORMAT:
        return None
    current = sources_hash(folder)
    if current is None or stored.get("sources") != current:
        return None  # the YAML changed since it was compiled: validate it afresh
    try:
        return _from_plain(stored["rulebook"], str(folder))
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
            {"id": c.id, "text": c.text, "source": c.source, "when": when(c.when)}
            for c in book.cautions
        ],
        "outcomes": [
            {
                "outcome": o.outcome,
                "disposition": o.disposition,
                "headline": o.headline,
                "advice": o.advice,
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
        cautions=tuple(Caution(**{**c, "when": _cond(c["when"])}) for c in data["cautions"]),
        outcomes=tuple(OutcomeText(**o) for o in data["outcomes"]),
        technique=Technique(
            name=data["technique"]["name"],
            steps=tuple(data["technique"]["steps"]),
            see_also=tuple(data["technique"]["see_also"]),
        ),
        source=source,
    )
