"""Read and validate a rules folder from its YAML files into a Rulebook (the full, slow path:
PyYAML and pydantic; `rulebook.load_rulebook` takes a compiled copy when one is current).

Every problem is collected and reported at once, each with the file, the line (where YAML gives
it) and the id of the question, rule or caution concerned. Loading never executes code: the YAML
reader is a safe one, and conditions are data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neckcheck.authoring.yamlsafe import LineDict, load_yaml
from neckcheck.core.conditions import ConditionError, kind_of, shown
from neckcheck.core.errors import RulesError
from neckcheck.core.model import (
    Caution,
    Group,
    OutcomeText,
    Question,
    Rule,
    Rulebook,
    Technique,
)
from neckcheck.rulebook.rulecheck import OWNER_KIND, SELF_CARE, check_references
from neckcheck.rulebook.rulefiles import FILES

__all__ = ["SELF_CARE", "SHAPES", "load_validated"]

# The shape of each file, validated by pydantic (`extra: forbid` rejects unknown fields).
_FORBID_EXTRA: Any = {"extra": "forbid"}


@dataclass(frozen=True)
class MetaFile:
    __pydantic_config__ = _FORBID_EXTRA
    version: str
    disclaimer: str
    intro: str
    tri_labels: dict[str, str]


@dataclass(frozen=True)
class QuestionsFile:
    __pydantic_config__ = _FORBID_EXTRA
    groups: tuple[Group, ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class DecisionsFile:
    __pydantic_config__ = _FORBID_EXTRA
    red_flags: tuple[Rule, ...]
    patterns: tuple[Rule, ...]
    otherwise: Rule


@dataclass(frozen=True)
class CautionsFile:
    __pydantic_config__ = _FORBID_EXTRA
    cautions: tuple[Caution, ...]


@dataclass(frozen=True)
class OutcomesFile:
    __pydantic_config__ = _FORBID_EXTRA
    outcomes: tuple[OutcomeText, ...]


SHAPES: dict[str, type] = {
    "rulebook.yaml": MetaFile,
    "questions.yaml": QuestionsFile,
    "decisions.yaml": DecisionsFile,
    "cautions.yaml": CautionsFile,
    "outcomes.yaml": OutcomesFile,
    "technique.yaml": Technique,
}


def load_validated(folder: Path) -> Rulebook:
    """Load and validate a rules folder; raise RulesError listing every problem found."""
    if not folder.is_dir():
        raise RulesError([f"{folder}: not a rules folder (it does not exist or is not a folder)"])
    parsed: dict[str, Any] = {}
    problems: list[str] = []
    for name in FILES:
        path = folder / name
        try:
            raw = load_yaml(path)
        except RulesError as exc:
            problems.extend(exc.messages)
            continue
        parsed[name], file_problems = _validate_shape(path, raw, SHAPES[name])
        problems.extend(file_problems)
    if problems:
        raise RulesError(problems)
    meta: MetaFile = parsed["rulebook.yaml"]
    qfile: QuestionsFile = parsed["questions.yaml"]
    dfile: DecisionsFile = parsed["decisions.yaml"]
    book = Rulebook(
        version=meta.version,
        disclaimer=meta.disclaimer,
        intro=meta.intro,
        tri_labels=meta.tri_labels,
        groups=qfile.groups,
        questions=qfile.questions,
        red_flags=dfile.red_flags,
        patterns=dfile.patterns,
        otherwise=dfile.otherwise,
        cautions=parsed["cautions.yaml"].cautions,
        outcomes=parsed["outcomes.yaml"].outcomes,
        technique=parsed["technique.yaml"],
        source=str(folder),
    )
    problems = list(check_references(book, lambda name: str(folder / name)))
    if problems:
        raise RulesError(problems)
    return book


def _validate_shape(path: Path, raw: object, shape: type) -> tuple[Any, list[str]]:
    from pydantic import TypeAdapter, ValidationError

    if not isinstance(raw, dict):
        return None, [f"{path}: expected a mapping at the top of the file, found {kind_of(raw)}"]
    try:
        return TypeAdapter(shape).validate_python(raw), []
    except ValidationError as exc:
        return None, [_describe(path, raw, err) for err in exc.errors()]
    except RecursionError:
        return None, [f"{path}: nested too deeply"]


def _describe(path: Path, raw: object, err: Any) -> str:
    """Turn one pydantic error into 'file:line: question 'x': field: message'."""
    loc: Sequence[object] = err.get("loc", ())
    node: object = raw
    line: int | None = getattr(raw, "line", None)
    owner = ""
    kind = OWNER_KIND.get(str(loc[0]), "entry") if loc else "entry"
    for step in loc:
        if isinstance(node, LineDict):
            line = node.line_of(step) or line
            if isinstance(node.get("id"), str):
                owner = f"{kind} {shown(node['id'])}: "
        try:
            node = node[step]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
    ctx_error = err.get("ctx", {}).get("error")
    if isinstance(ctx_error, ConditionError):
        line = ctx_error.line or line
        message = str(ctx_error)
    elif err.get("type") in ("unexpected_keyword_argument", "extra_forbidden"):
        message = "unknown field (not part of the rules format)"
    elif err.get("type") == "missing":
        message = "required field is missing"
    else:
        message = str(err.get("msg", "invalid"))
    # Field names come from the file: shown only when they look like names, never as text.
    named = [
        str(s) if shown(s).startswith("'") else "(a key)" for s in loc if not isinstance(s, int)
    ]
    field_path = ".".join(named[1:] if owner and len(named) > 1 else named)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {owner}{field_path}: {message}"
