"""The compiled copy of the shipped rules that this package vouches for: its digest, whose proof
record therefore counts, and the SHA-256 of its bytes, which are read without their checks.
Written by `python -m neckcheck.authoring.pin` after `neckcheck rules compile rules` proved them;
tests/test_pin.py keeps it current. Data, not rules: the rules are read from the compiled copy."""

COMPILED_DIGEST = "sha256:63415db90380d21e0df8cce4e14008e63acea2db44ac6555c0e06ac29a044720"
COMPILED_FILE_SHA256 = "sha256:e9b88ff6243907d61d243dd47ce4bc0b19325fb49774e8d17c3a095200c5c276"
