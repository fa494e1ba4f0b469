"""Compile a rules folder: validate its YAML, prove its safety properties and store both in
rulebook.compiled.json (the format: rulebook/load.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from neckcheck.authoring.validation import load_validated
from neckcheck.authoring.verify import DEFAULT_TIMEOUT_MS, Report, Watch, unwatched, verify
from neckcheck.core.errors import RulesError
from neckcheck.rulebook.load import (
    COMPILED,
    COMPILED_FORMAT,
    compiled_digest,
    sources_hash,
    to_plain,
)
from neckcheck.rulebook.rulecheck import book_from_plain
from neckcheck.rulebook.rulefiles import write_atomic

if TYPE_CHECKING:
    from typing import Any


def compile_rulebook(
    folder: Path | str,
    *,
    timeout_ms: int | None = None,
    rlimit: int | None = None,
    watch: Watch = unwatched,
) -> Path:
    """Validate the YAML, prove its properties, and store both in the folder's compiled copy
    (see compile_and_verify). Returns the path written."""
    return compile_and_verify(folder, timeout_ms=timeout_ms, rlimit=rlimit, watch=watch)[0]


def compile_and_verify(
    folder: Path | str,
    *,
    timeout_ms: int | None = None,
    rlimit: int | None = None,
    watch: Watch = unwatched,
) -> tuple[Path, Report]:
    """Validate the YAML files (RulesError when invalid), run `verify` on the rulebook
    (`timeout_ms`, `rlimit`, `watch`: as for verify), and write rulebook.compiled.json with the
    proof record, atomically; a symbolic link in its place or an unwritable folder is a
    RulesError. The copy is written whatever the proofs say (loading then names what failed),
    except when the proof was interrupted (KeyboardInterrupt: the existing copy is left as it
    was)."""
    folder = Path(folder)
    hash_before = sources_hash(folder)
    book = load_validated(folder)
    plain = to_plain(book)
    if book_from_plain(plain, str(folder)) != book:  # the compiled copy must load as this book
        raise RulesError([f"{folder}: the rulebook does not survive compiling (a neckcheck bug)"])
    report = verify(book, timeout_ms=timeout_ms or DEFAULT_TIMEOUT_MS, rlimit=rlimit, watch=watch)
    if report.interrupted:
        raise KeyboardInterrupt
    if hash_before is None or sources_hash(folder) != hash_before:
        raise RulesError([f"{folder}: the YAML files changed while compiling; compile again"])
    stored: dict[str, Any] = {
        "format": COMPILED_FORMAT,
        "sources": hash_before,
        "proof": {
            "holds": report.holds,
            "properties": [r.name for r in report.results],
            "failed": report.failed,
            "unproved": report.unproved,
        },
        "rulebook": plain,
    }
    stored["digest"] = compiled_digest(stored)
    target = folder / COMPILED
    text = json.dumps(stored, indent=1, ensure_ascii=False) + "\n"
    write_atomic(str(target), text.encode("utf-8"))
    return target, report
