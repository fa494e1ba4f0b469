"""The compiled copy of the shipped rules that this package vouches for: its digest, whose proof
record therefore counts, and the SHA-256 of its bytes, which are read without their checks.
Written by `python -m neckcheck.authoring.pin` after `neckcheck rules compile rules` proved them;
tests/test_pin.py keeps it current. Data, not rules: the rules are read from the compiled copy."""

COMPILED_DIGEST = "sha256:f2839a4f181990e343a4e2b18b89e9813e081d5d5aa29e3c592de8addb4a848c"
COMPILED_FILE_SHA256 = "sha256:45fd9054bbb3ae97018ff4a827ffb8f214ad3bbd45fea9159cb5b623f361c462"
