"""Whether the code generated from the shipped rules (`_shipped_rules.py`, written by
`python -m neckcheck.authoring.rulecode`) may be used: only when it records the compiled
rulebook's digest (or the SHA-256 of the compiled file's very bytes) and its code matches the
SHA-256 on its first line, which catches damage. A deliberate edit with that line recomputed is
caught afterwards: `load_rulebook` also requires the file to be exactly what `codegen.generate`
makes from the checked rulebook (`codegen.verified`).
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

MODULE = "_shipped_rules.py"
_FIRST = "# code-sha256: "


def module_path() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), MODULE)


def code_digest(body: str) -> str:
    digest: str = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return digest


def file_digest(data: bytes) -> str:
    """How the generated module records the compiled file's bytes (COMPILED_FILE_SHA256)."""
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def split_code(text: str) -> tuple[str, str]:
    """(the code digest the first line records, the code after it)."""
    first, _, body = text.partition("\n")
    return first.removeprefix(_FIRST) if first.startswith(_FIRST) else "", body


def generated_for(digest: str, module: ModuleType | None = None) -> ModuleType | None:
    """The generated module when it was generated from the rulebook with this compiled digest
    and its code is exactly as generated; else None (the interpreted rules are used)."""
    try:
        if module is None:
            from neckcheck.rulebook import _shipped_rules as module
        assert module is not None
        if not digest or getattr(module, "RULES_DIGEST", None) != digest:
            return None
        path = module.__file__
        if path is None:
            return None
        with open(path, encoding="utf-8") as file:
            recorded, body = split_code(file.read())
        if recorded != code_digest(body):
            return None
        return module
    except Exception:  # missing, unreadable, broken: never a crash, the interpreted rules decide
        return None


def generated_for_file(data: bytes, module: ModuleType | None = None) -> ModuleType | None:
    """The generated module when it was generated from a compiled copy holding exactly these
    bytes (it records their SHA-256) and its code is exactly as generated; else None."""
    try:
        if module is None:
            from neckcheck.rulebook import _shipped_rules as module
        assert module is not None
        if getattr(module, "COMPILED_FILE_SHA256", None) != file_digest(data):
            return None
        return generated_for(module.RULES_DIGEST, module)
    except Exception:  # missing, unreadable, broken: never a crash, the strict reading decides
        return None
