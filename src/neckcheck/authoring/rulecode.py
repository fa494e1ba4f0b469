"""Generate Python code from the shipped rules: the answer check and the decision as one
straight `if` chain, for the hot path of batch and scripted screening.

The generated module (src/neckcheck/rulebook/_shipped_rules.py) is a build product, not a source:

- it is generated only from the shipped rules, by `python -m neckcheck.authoring.rulecode` (after
  `neckcheck rules compile rules`), and lives inside the package; nothing is ever generated
  from, or loaded out of, a `--rules` folder or any other place a user writes to;
- it records the digest of the compiled rulebook it was generated from (RULES_DIGEST), the
  SHA-256 of that compiled file's bytes (COMPILED_FILE_SHA256) and the SHA-256 of its own code
  (the first line); rulebook.load_rulebook uses it only for the shipped rules, when all match
  (see `generated_for_file`) and its text is exactly what `rulebook.codegen.generate` makes
  from the checked rulebook (`rulebook.codegen.verified`), and otherwise screens with the
  interpreted rules (proved afresh), which decide exactly as it does;
- tests/test_rulecode.py proves the committed file current (generated afresh and compared) and
  equal to the interpreted rules (hypothesis, over random and hostile answer sets).

What it computes is only a key: (the ids of the rules that fired, most urgent first; the ids of
the cautions shown), or None from `screen_raw` for any answer set that is not plainly valid
(then the interpreted check names the problem). The Decision itself is always built by the
engine from the rulebook, so no text lives in the generated file. Values from the rules are
written with repr() (text and whole numbers only), ids likewise: nothing is spliced in raw.
"""

from __future__ import annotations

import sys

from neckcheck.rulebook.codegen import generate
from neckcheck.rulebook.generated import code_digest, generated_for, module_path, split_code

__all__ = ["code_digest", "generate", "generated_for", "module_path", "split_code"]


def shipped_source() -> str:
    """The module's text for the shipped rules as they are now (they must be compiled and
    proved: the generated code is only ever used for proved rules)."""
    import os

    from neckcheck.rulebook.generated import file_digest
    from neckcheck.rulebook.load import COMPILED, compiled_state, default_rules_path

    folder = default_rules_path()

    def compiled_bytes() -> bytes:
        with open(os.path.join(folder, COMPILED), "rb") as file:
            return file.read()

    data = compiled_bytes()
    state = compiled_state(folder, trust_generated=False)  # every check, whatever is generated
    if state.book is None or state.proof is None or not state.proof.holds:
        raise SystemExit(f"compile and prove the shipped rules first ({state.reason})")
    if compiled_bytes() != data:  # the hash recorded must be of the very bytes checked
        raise SystemExit(f"{COMPILED} changed while the code was generated; run it again")
    return generate(state.book, state.digest, file_digest(data))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = shipped_source()
    path = module_path()
    if args == ["--check"]:
        try:
            with open(path, encoding="utf-8") as file:
                current = file.read() == text
        except OSError:
            current = False
        state = "current" if current else "NOT current: run python -m neckcheck.authoring.rulecode"
        print(f"{path}: {state}")
        return 0 if current else 1
    if args:
        print("usage: python -m neckcheck.authoring.rulecode [--check]", file=sys.stderr)
        return 2
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
