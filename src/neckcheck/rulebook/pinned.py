"""The compiled copy of the shipped rules that this package vouches for: its digest, whose proof
record therefore counts, and the SHA-256 of its bytes, which are read without their checks.
Written by `python -m neckcheck.authoring.pin` after `neckcheck rules compile rules` proved them;
tests/test_pin.py keeps it current. Data, not rules: the rules are read from the compiled copy."""

COMPILED_DIGEST = "sha256:01c29fc15aeabafa6cf5eb219e4c46481b83f3eff18cc469fa1742fbe56a3ee2"
COMPILED_FILE_SHA256 = "sha256:93b11373d5ca115626b8eaf9d5f3e806d1fa3dd51fe619e5004f7e015a062c72"
