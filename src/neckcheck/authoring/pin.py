"""Pin the shipped rules' compiled copy: write rulebook/pinned.py with its digest and the
SHA-256 of its bytes, after checking the copy in full and finding its proofs held.

    python -m neckcheck.authoring.pin            # after `neckcheck rules compile rules`
    python -m neckcheck.authoring.pin --check    # whether the pin is current (exit 1 if not)

Until the pin is current, the shipped rules' stored proof does not count: they are proved
afresh on every load (slow, but never wrong), and tests/test_pin.py fails."""

from __future__ import annotations

import os
import sys

from neckcheck.rulebook import pinned
from neckcheck.rulebook.load import COMPILED, compiled_state, default_rules_path, file_digest

_TEMPLATE = (
    '"""The compiled copy of the shipped rules that this package vouches for: its digest, whose '
    "proof\nrecord therefore counts, and the SHA-256 of its bytes, which are read without their "
    "checks.\nWritten by `python -m neckcheck.authoring.pin` after `neckcheck rules compile rules` "
    "proved them;\ntests/test_pin.py keeps it current. Data, not rules: the rules are read from "
    'the compiled copy."""\n\nCOMPILED_DIGEST = "{digest}"\nCOMPILED_FILE_SHA256 = "{file}"\n'
)


def pin_path() -> str:
    path = pinned.__file__
    assert path is not None
    return path


def pin_text() -> str:
    """rulebook/pinned.py for the shipped rules' compiled copy as it is now; SystemExit when
    that copy is not current, valid and proved."""
    folder = default_rules_path()
    path = os.path.join(folder, COMPILED)

    def compiled_bytes() -> bytes:
        with open(path, "rb") as file:
            return file.read()

    data = compiled_bytes()
    state = compiled_state(folder, trust_pinned=False)  # every check, whatever is pinned
    if state.book is None or state.proof is None or not state.proof.holds:
        why = state.reason or (state.proof.why_not() if state.proof else "")
        raise SystemExit(f"compile and prove the shipped rules first ({why})")
    if compiled_bytes() != data:  # the hash pinned must be of the very bytes checked
        raise SystemExit(f"{COMPILED} changed while it was pinned; run this again")
    return _TEMPLATE.format(digest=state.digest, file=file_digest(data))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["--check"]):
        print("usage: python -m neckcheck.authoring.pin [--check]", file=sys.stderr)
        return 2
    text, path = pin_text(), pin_path()
    if args == ["--check"]:
        try:
            with open(path, encoding="utf-8") as file:
                current = file.read() == text
        except OSError:
            current = False
        state = "current" if current else "NOT current: run python -m neckcheck.authoring.pin"
        print(f"{path}: {state}")
        return 0 if current else 1
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
