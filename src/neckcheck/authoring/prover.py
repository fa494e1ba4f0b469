"""The authoring tools that loading a rules folder needs (rulebook.load.RuleTools): read and
validate a folder's YAML, prove a rulebook. Handed down by the caller (the Python API, the
shell), so that the rules layer imports no authoring code; PyYAML, pydantic's models and z3
are imported only when a folder needs them, never on the shipped rules' screening path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neckcheck.authoring.verify import Report, Watch
    from neckcheck.core.model import Rulebook
    from neckcheck.rulebook.load import ProofRecord


@dataclass(frozen=True, slots=True)
class Prover:
    """`watch` may interrupt the proofs (the shell passes its SIGINT watcher, see
    authoring.verify.Watch); without one nothing does."""

    watch: Watch | None = None

    def validate(self, folder: str) -> Rulebook:
        from pathlib import Path

        from neckcheck.authoring.validation import load_validated

        return load_validated(Path(folder))

    def prove(self, book: Rulebook) -> ProofRecord:
        from neckcheck.authoring.verify import unwatched, verify

        report = verify(book, watch=self.watch or unwatched)
        if report.interrupted:
            raise KeyboardInterrupt
        return proof_record(report)


def proof_record(report: Report) -> ProofRecord:
    """A verify report as the proof record that loading reads."""
    from neckcheck.rulebook.load import ProofRecord

    return ProofRecord(
        report.holds,
        tuple(r.name for r in report.results),
        tuple(report.failed),
        tuple(report.unproved),
    )
