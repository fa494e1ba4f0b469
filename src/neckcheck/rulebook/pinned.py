"""The compiled copy of the shipped rules that this package vouches for: its digest, whose proof
record therefore counts, and the SHA-256 of its bytes, which are read without their checks.
Written by `python -m neckcheck.authoring.pin` after `neckcheck rules compile rules` proved them;
tests/test_pin.py keeps it current. Data, not rules: the rules are read from the compiled copy."""

COMPILED_DIGEST = "sha256:bab304957309fd8d134b1fc3779b4a57968e2d5fa2965abf5a45ba66f7c798e3"
COMPILED_FILE_SHA256 = "sha256:b65933d087bb636b9422e0d1266e8e55bd7971298ff068d42798e1c6846b6ad6"
