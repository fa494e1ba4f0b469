"""Find and load a rules folder, and decide whether to trust it.

The YAML files are the source. Reading and validating them (PyYAML, pydantic, every reference
check) takes a good part of a second, too long for a command that scripts start thousands of
times, so `neckcheck rules compile` (neckcheck.authoring.compiler) validates the YAML, proves
its safety properties (z3, see authoring/verify.py) and stores both, as plain JSON, in
rulebook.compiled.json beside the YAML files. Reading YAML and proving are the authoring
tools' work (the `rules` extra), which this layer does not import: whoever loads a folder
passes them in (`RuleTools`), and they are called only when the compiled copy cannot stand in.

Nothing on disk is trusted unchecked. The compiled copy is used only when all of this holds:

- its "sources" is the SHA-256 of the six YAML files as they are now (any edit makes it stale);
- its "digest" is the SHA-256 of its own canonical content (so a hand edit makes it invalid);
- it passes a strict structural check (every field's type, no unknown or missing key, conditions
  in the compiler's spelling) and the same cross-reference checks as the YAML (rulecheck.py),
  and converts back to exactly the data stored.

The proof record of the shipped folder's copy counts only when the package pins its digest
(rulebook/pinned.py, written by `python -m neckcheck.authoring.pin` after the proofs held): a
copy edited by hand, with its digest and proof record recomputed, is proved afresh. One
shortcut: a copy whose bytes are exactly those pinned (the pin records their SHA-256) passed all
of this when it was pinned, so it is not checked again; its "sources" still must match the YAML.

Anything else (missing, stale, damaged, edited, unreadable) and the copy is not used: the YAML is
validated afresh instead, never a crash. Then the proofs gate screening: the rules are usable
only when a current, valid compiled copy records that every property was proved. Otherwise
`open_rulebook` raises UnprovedRulesError, unless the caller passes allow_unproved=True; then the
rulebook comes back with `warning` saying why it is unproved.

Compiled format 4 (a JSON object, exactly these keys):

    format    4
    sources   "sha256:<hex>" over the six YAML files, in FILES order, each framed as
              name NUL length NUL bytes
    proof     {"holds": bool, "properties": [every property checked, in order],
               "failed": [names], "unproved": [names]}   (holds: no failed, no unproved)
    rulebook  the validated rulebook (rulecheck.to_plain)
    digest    "sha256:<hex>" over the canonical JSON of the four keys above
              (sort_keys, separators "," and ":", ASCII)

The digest catches edits and damage; it is not a signature (anyone who can write the folder can
recompute it), which is why `neckcheck rules check` proves the very rulebook that screening
loads. Either way nothing is executed: JSON and safe YAML are data.

The screening path (open_rulebook with a current compiled copy) imports neither PyYAML, nor
pydantic, nor z3 (the answer set's model, core.answer_model, is built when answers arrive).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from neckcheck.core.errors import RulesError, UnprovedRulesError
from neckcheck.core.model import Rulebook
from neckcheck.rulebook import pinned
from neckcheck.rulebook.rulecheck import PlainError, book_from_plain, check_references, to_plain
from neckcheck.rulebook.rulefiles import FILES, MAX_COMPILED_BYTES, MissingFile, read_rule_file

__all__ = [
    "COMPILED",
    "COMPILED_FORMAT",
    "FILES",
    "CompiledState",
    "ProofRecord",
    "RuleTools",
    "UnprovedRulesError",
    "compiled_digest",
    "compiled_state",
    "default_rules_dir",
    "default_rules_path",
    "file_digest",
    "open_rulebook",
    "sources_hash",
    "to_plain",
]

COMPILED = "rulebook.compiled.json"
COMPILED_FORMAT = 4
_KEYS = ("format", "sources", "proof", "rulebook", "digest")
_PROOF_KEYS = ("holds", "properties", "failed", "unproved")

NOT_PROVED_SINCE_EDIT = "not proved since the last edit"

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

# os.path rather than pathlib here: this module is on the path of every scripted screening,
# where each millisecond of start-up counts.


def default_rules_dir() -> Path:
    """The shipped rules: inside the installed package, or the checkout's top-level rules/."""
    from pathlib import Path

    return Path(default_rules_path())


def default_rules_path() -> str:
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # the package's folder
    packaged = os.path.join(here, "rules")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(here)), "rules")


@dataclass(frozen=True, slots=True)
class ProofRecord:
    """What the proofs found about a rulebook: stored by `rules compile`, or just proved."""

    holds: bool
    properties: tuple[str, ...]
    failed: tuple[str, ...]
    unproved: tuple[str, ...]

    def why_not(self) -> str:
        """Why the rules do not count as proved (only meaningful when not `holds`)."""
        parts = []
        if self.failed:
            parts.append(f"these properties FAIL: {'; '.join(self.failed)}")
        if self.unproved:
            parts.append(f"these properties are unproved: {'; '.join(self.unproved)}")
        return ", and ".join(parts) or "no property was proved"


class RuleTools(Protocol):
    """What loading needs from the authoring tools (neckcheck.authoring.compiler.Prover), passed
    in by the caller so that this layer imports none of them."""

    def validate(self, folder: str) -> Rulebook:
        """The folder's YAML read and fully validated (RulesError listing every problem)."""
        ...

    def prove(self, book: Rulebook) -> ProofRecord:
        """The safety properties proved over the rulebook (KeyboardInterrupt if interrupted)."""
        ...


@dataclass(frozen=True, slots=True)
class CompiledState:
    """The compiled copy of a folder: `book` and `proof` when it is current and valid, else
    None and `reason` (why it is not used: missing, stale, or not valid)."""

    book: Rulebook | None
    proof: ProofRecord | None
    reason: str = ""
    digest: str = ""  # the compiled copy's digest, when it is used
    pinned: bool = False  # its digest is the one the package pins: its proof record counts


def open_rulebook(
    directory: Path | str | None, tools: RuleTools, *, allow_unproved: bool = False
) -> Rulebook:
    """Load a rules folder (None: the shipped rules) whose safety properties are proved; `tools`
    read the YAML and prove it when the compiled copy cannot stand in.

    The rulebook is the shipped folder's compiled copy when that is current and valid (see the
    module docstring), else the validated YAML (a RulesError lists every problem of invalid
    YAML). Rules count as proved when the pinned compiled copy records every property as proved,
    or, for any other copy or folder, when they are proved afresh; otherwise UnprovedRulesError,
    naming the folder, why, and how to fix it. With allow_unproved=True the rulebook is returned
    anyway, with `warning` saying why it is unproved (None when proved): what `neckcheck rules
    check` uses, so that it proves exactly what screening would use.
    """
    folder = os.fspath(directory) if directory is not None else default_rules_path()
    if not _is_shipped(folder):
        return _load_and_prove(folder, tools, allow_unproved)
    state = compiled_state(folder)
    if state.book is not None and state.proof is not None:
        if state.proof.holds:
            # The proof record is trusted only for the compiled copy whose digest the package
            # pins: a copy edited by hand, with its digest and proof record recomputed, is
            # proved afresh like any folder.
            if not state.pinned:
                return _load_and_prove(folder, tools, allow_unproved)
            return state.book
        book = state.book
        reason = state.proof.why_not()
        failed, unproved = state.proof.failed, state.proof.unproved
    else:
        book = tools.validate(folder)  # invalid YAML: RulesError, whatever allow_unproved
        reason = f"{NOT_PROVED_SINCE_EDIT} ({state.reason})"
        failed = unproved = ()
    if not allow_unproved:
        raise UnprovedRulesError(folder, reason, failed, unproved)
    warning = (
        f"these results come from UNPROVED rules ({folder}: {reason}); run `neckcheck rules "
        "compile` on the folder to prove them"
    )
    return dataclasses.replace(book, warning=warning)


def _is_shipped(folder: str) -> bool:
    return os.path.realpath(folder) == os.path.realpath(default_rules_path())


def _load_and_prove(folder: str, tools: RuleTools, allow_unproved: bool) -> Rulebook:
    """Another rules folder than the shipped one (`--rules DIR`): a file anyone may have edited,
    so nothing stored in it is trusted, not even a compiled copy with its digest and proof
    record (both could be recomputed by hand). The YAML is validated and its safety properties
    are proved afresh, every time; with allow_unproved=True the proofs are skipped and the
    rulebook carries a warning instead."""
    book = tools.validate(folder)  # invalid YAML: RulesError, whatever allow_unproved
    if allow_unproved:
        warning = (
            f"these results come from UNPROVED rules ({folder}: their safety properties were "
            "not checked, --allow-unproved-rules); run `neckcheck rules check` on the folder"
        )
        return dataclasses.replace(book, warning=warning)
    proof = tools.prove(book)
    if not proof.holds:
        problems = [*proof.failed, *proof.unproved]
        raise UnprovedRulesError(
            folder, f"not proved: {', '.join(problems)}", proof.failed, proof.unproved
        )
    return book


def sources_hash(folder: str | Path) -> str | None:
    """The SHA-256 of the six YAML files (see the module docstring), or None when one cannot be
    read (then validating the YAML says why)."""
    digest = hashlib.sha256()
    for name in FILES:
        try:
            data = read_rule_file(os.path.join(folder, name))
        except RulesError:
            return None
        digest.update(b"%s\0%d\0" % (name.encode("ascii"), len(data)))
        digest.update(data)
    return f"sha256:{digest.hexdigest()}"


def compiled_digest(stored: dict[str, Any]) -> str:
    """The digest a compiled copy records: SHA-256 over its canonical JSON (but the digest)."""
    content = {key: value for key, value in stored.items() if key != "digest"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return f"sha256:{hashlib.sha256(canonical.encode('ascii')).hexdigest()}"


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("a key is given twice in one object")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError("NaN and Infinity are not JSON")


def _proof(raw: object) -> ProofRecord:
    if not isinstance(raw, dict) or set(raw) != set(_PROOF_KEYS):
        raise PlainError("proof: not a proof record")
    holds, properties, failed, unproved = (raw[k] for k in _PROOF_KEYS)
    lists = (properties, failed, unproved)
    if not isinstance(holds, bool) or not all(
        isinstance(names, list) and all(isinstance(n, str) for n in names) for names in lists
    ):
        raise PlainError("proof: a field has the wrong type")
    if not properties or not set(failed) | set(unproved) <= set(properties):
        raise PlainError("proof: names a property it did not check")
    if holds != (not failed and not unproved):
        raise PlainError("proof: 'holds' contradicts the failed and unproved properties")
    return ProofRecord(holds, tuple(properties), tuple(failed), tuple(unproved))


def file_digest(data: bytes) -> str:
    """How the pin records the compiled file's bytes (pinned.COMPILED_FILE_SHA256)."""
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def compiled_state(directory: Path | str, *, trust_pinned: bool = True) -> CompiledState:
    """Check a folder's compiled copy (see the module docstring). Never raises: whatever is
    wrong with the copy is a reason not to use it. A copy with exactly the pinned bytes is read
    without repeating its checks, unless `trust_pinned` is False (what the pin itself uses)."""
    folder = os.fspath(directory)
    path = os.path.join(folder, COMPILED)
    try:
        raw = read_rule_file(path, MAX_COMPILED_BYTES)
    except MissingFile:
        return CompiledState(None, None, f"{COMPILED} is missing")
    except RulesError as exc:
        return CompiledState(None, None, f"{COMPILED} {exc.messages[0].removeprefix(path + ': ')}")
    try:
        return _check_compiled(folder, raw, trust_pinned)
    except PlainError as exc:
        why = str(exc)
    except Exception:  # whatever the content: the copy is not used, never a crash
        why = "it cannot be read as a compiled rulebook"
    return CompiledState(None, None, f"{COMPILED} is not valid: {why}")


_plain_json = json.JSONDecoder().decode


def _check_compiled(folder: str, raw: bytes, trust_pinned: bool) -> CompiledState:
    # The pinned bytes passed every check of the strict reading when they were pinned, and the
    # checks are deterministic, so they would pass again: a plain read is enough. Any other
    # copy, even one that differs only in spacing, is read and checked in full. Start-up
    # matters here: scripts screen one answer set per process.
    known = trust_pinned and file_digest(raw) == pinned.COMPILED_FILE_SHA256
    if known:
        stored = _plain_json(raw.decode("utf-8"))
    else:
        try:
            stored = json.loads(
                raw.decode("utf-8"),
                object_pairs_hook=_no_duplicate_keys,
                parse_constant=_no_constant,
            )
        except (ValueError, RecursionError):
            raise PlainError("not valid JSON") from None
    if not isinstance(stored, dict) or set(stored) != set(_KEYS):
        raise PlainError("not in the compiled format")
    if type(stored["format"]) is not int or stored["format"] != COMPILED_FORMAT:
        raise PlainError(f"not in compiled format {COMPILED_FORMAT} (compiled by another version)")
    current = sources_hash(folder)
    if current is None or stored["sources"] != current:
        return CompiledState(None, None, f"{COMPILED} was compiled from other YAML files")
    if not known and stored["digest"] != compiled_digest(stored):
        raise PlainError("its digest does not match its content (edited by hand, or damaged)")
    proof = _proof(stored["proof"])
    where = f"{os.path.join(folder, COMPILED)} (from {{}})"
    book = book_from_plain(stored["rulebook"], folder)
    if not known:
        if next(iter(check_references(book, where.format)), None) is not None:
            raise PlainError("its rulebook fails the checks the YAML files must pass")
        if to_plain(book) != stored["rulebook"]:
            raise PlainError("its rulebook is not in the form the compiler writes")
    digest = stored["digest"]
    return CompiledState(
        book, proof, digest=digest, pinned=trust_pinned and digest == pinned.COMPILED_DIGEST
    )
