"""Nothing about a rules folder is trusted unchecked: not its compiled copy (hand edits, damage,
forged proof records), not an unproved rulebook (proofs gate screening), not the kind or size
of a rule file (FIFOs, devices, huge files), and no error message echoes a file's content. Writing
the compiled copy and the schemas is atomic and never goes through a symbolic link."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from neckcheck.api import load_rulebook, screen
from neckcheck.authoring.compiler import compile_and_verify, compile_rulebook
from neckcheck.authoring.rules_schema import write_schemas
from neckcheck.authoring.validation import load_validated
from neckcheck.cli.edge import EXIT_NOT_SHOWN_SAFE
from neckcheck.core.conditions import ConditionError, parse
from neckcheck.core.errors import EXIT_USAGE, RulesError, UnprovedRulesError
from neckcheck.core.model import Rulebook
from neckcheck.rulebook import rulefiles
from neckcheck.rulebook.load import (
    COMPILED,
    FILES,
    NOT_PROVED_SINCE_EDIT,
    compiled_digest,
    compiled_state,
    sources_hash,
)
from neckcheck.rulebook.rulecheck import book_from_plain
from neckcheck.rulebook.rulefiles import MAX_RULE_FILE_BYTES, read_rule_file, write_atomic
from tests.cli import Done, invoke
from tests.conftest import RULES
from tests.spec import BASELINE
from tests.test_rulebook import edit

# The red team's case: 80 years old, one day after a fall.
OLD_FALL = {**BASELINE, "age": 80}
UNSURE_PROPERTY = "unsure is never safer than any other answer to the same question"


def stored(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / COMPILED).read_text(encoding="utf-8"))
    return data


def store(folder: Path, data: dict[str, Any], *, redigest: bool) -> None:
    if redigest:
        data["digest"] = compiled_digest(data)
    (folder / COMPILED).write_text(json.dumps(data, indent=1), encoding="utf-8")


def yaml_book() -> Rulebook:
    return load_validated(RULES)


@pytest.fixture
def as_shipped(rules_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat the copy as the shipped rules folder: the one place whose compiled copy and stored
    proof are used (every other folder is validated and proved afresh on each load)."""
    import neckcheck.rulebook.load as rulebook

    monkeypatch.setattr(rulebook, "default_rules_path", lambda: str(rules_copy))


def not_used(folder: Path) -> None:
    """The compiled copy is refused by its checks (which guard the shipped rules); and outside
    the shipped folder no compiled copy is used at all: the YAML (unchanged) is validated and
    proved afresh, so it is what loads, proved."""
    state = compiled_state(folder)
    assert state.book is None
    assert state.reason
    book = load_rulebook(folder)
    assert book == yaml_book()
    assert book.warning is None


# ---- A hand-edited or damaged compiled copy is never used ---------------------------------------


def test_hand_edited_threshold_is_not_used(rules_copy: Path) -> None:
    data = stored(rules_copy)
    text = json.dumps(data["rulebook"])
    assert text.count('{"gte": 65}') == text.count('{"lte": 64}') == 1
    text = text.replace('{"gte": 65}', '{"gte": 120}').replace('{"lte": 64}', '{"lte": 120}')
    data["rulebook"] = json.loads(text)
    tampered = book_from_plain(data["rulebook"], str(rules_copy))
    assert screen(OLD_FALL, tampered).disposition == "technique"  # what the red team got
    store(rules_copy, data, redigest=False)  # the sources hash is kept: the YAML is unchanged
    assert data["sources"] == sources_hash(rules_copy)
    state = compiled_state(rules_copy)
    assert state.book is None
    assert "digest does not match" in state.reason
    not_used(rules_copy)
    book = load_rulebook(rules_copy, allow_unproved=True)
    assert screen(OLD_FALL, book).disposition == "emergency"  # the YAML's decision


@pytest.mark.parametrize(("old", "new"), [('"gte": 65', '"gte": 66'), ('"lte": 2', '"lte": 1')])
def test_one_threshold_changed_is_not_used(rules_copy: Path, old: str, new: str) -> None:
    raw = (rules_copy / COMPILED).read_text(encoding="utf-8")
    assert old in raw
    (rules_copy / COMPILED).write_text(raw.replace(old, new, 1), encoding="utf-8")
    not_used(rules_copy)


def questions(data: dict[str, Any]) -> list[dict[str, Any]]:
    q: list[dict[str, Any]] = data["rulebook"]["questions"]
    return q


def age(data: dict[str, Any]) -> dict[str, Any]:
    return next(q for q in questions(data) if q["id"] == "age")


def first_red_flag(data: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = data["rulebook"]["red_flags"][0]
    return rule


Tamper = Callable[[dict[str, Any]], None]

# Each breaks the compiled copy in one way and recomputes its digest, so only the structural and
# reference checks stand between it and screening.
TAMPERINGS: dict[str, Tamper] = {
    "unknown field": lambda d: age(d).update(colour="red"),
    "unknown top-level key": lambda d: d.update(extra=1),
    "missing field": lambda d: age(d).pop("help"),
    "min as text": lambda d: age(d).update(min="0"),
    "min as true": lambda d: age(d).update(min=True),
    "min as a float": lambda d: age(d).update(min=0.0),
    "question type": lambda d: age(d).update(type="float"),
    "disposition": lambda d: first_red_flag(d).update(disposition="home"),
    "outcome": lambda d: first_red_flag(d).update(outcome="fine"),
    "condition spelled loosely": lambda d: first_red_flag(d).update(when={"age": 16}),
    "condition not a mapping": lambda d: first_red_flag(d).update(when="age < 16"),
    "condition on an unknown question": lambda d: first_red_flag(d).update(
        when={"bladder": {"eq": "yes"}}
    ),
    "value out of range": lambda d: first_red_flag(d).update(when={"age": {"lt": 500}}),
    "red flag without a condition": lambda d: first_red_flag(d).update(when=None),
    "red flag turned self-care": lambda d: first_red_flag(d).update(
        outcome="general_soreness", disposition="technique"
    ),
    "rule deleted into nothing": lambda d: d["rulebook"].update(red_flags={}),
    "duplicate rule id": lambda d: d["rulebook"]["red_flags"].append(first_red_flag(d)),
    "tri_labels": lambda d: d["rulebook"]["tri_labels"].pop("unsure"),
    "steps not text": lambda d: d["rulebook"]["technique"].update(steps=[1, 2]),
    "proof holds with a failure": lambda d: d["proof"].update(failed=[d["proof"]["properties"][0]]),
    "proof names an unknown property": lambda d: d["proof"].update(
        holds=False, unproved=["a property nobody checked"]
    ),
    "proof holds as 1": lambda d: d["proof"].update(holds=1),
    "format": lambda d: d.update(format=5),
    "format as true": lambda d: d.update(format=True),
    "rulebook a list": lambda d: d.update(rulebook=[]),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_structural_tampering_is_not_used(rules_copy: Path, name: str) -> None:
    data = stored(rules_copy)
    TAMPERINGS[name](data)
    store(rules_copy, data, redigest=True)
    not_used(rules_copy)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"[]",
        b"null",
        b'{"format": NaN}',
        b"\xff\xfe not utf-8",
        b"[" * 100_000,  # nested too deeply for the JSON reader
    ],
)
def test_damaged_copy_is_not_used(rules_copy: Path, content: bytes) -> None:
    (rules_copy / COMPILED).write_bytes(content)
    not_used(rules_copy)


def test_duplicate_json_key_is_not_used(rules_copy: Path) -> None:
    raw = (rules_copy / COMPILED).read_text(encoding="utf-8")
    # The last of two equal keys would win in a plain JSON reader, unseen by the digest.
    doubled = raw.replace('\n "rulebook": {', '\n "format": 4,\n "rulebook": {', 1)
    assert doubled != raw
    (rules_copy / COMPILED).write_text(doubled, encoding="utf-8")
    not_used(rules_copy)


def test_compiled_copy_that_is_not_a_regular_file(rules_copy: Path) -> None:
    (rules_copy / COMPILED).unlink()
    (rules_copy / COMPILED).mkdir()
    not_used(rules_copy)
    assert "not a regular file" in compiled_state(rules_copy).reason


def test_missing_compiled_copy(rules_copy: Path) -> None:
    (rules_copy / COMPILED).unlink()
    not_used(rules_copy)
    assert "missing" in compiled_state(rules_copy).reason


def test_sources_hash_is_sha256_of_the_yaml_files() -> None:
    digest = hashlib.sha256()
    for name in FILES:
        data = (RULES / name).read_bytes()
        digest.update(name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    assert sources_hash(RULES) == f"sha256:{digest.hexdigest()}"


# ---- Proofs gate screening ----------------------------------------------------------------------


def test_shipped_rules_are_proved() -> None:
    assert load_rulebook().warning is None
    assert load_rulebook(RULES, allow_unproved=True).warning is None
    assert load_rulebook(RULES) == yaml_book()


def test_forged_proof_record_saying_failed(rules_copy: Path, as_shipped: None) -> None:
    data = stored(rules_copy)
    name = next(p for p in data["proof"]["properties"] if p.startswith("monotone in time"))
    data["proof"].update(holds=False, failed=[name])
    store(rules_copy, data, redigest=True)
    with pytest.raises(UnprovedRulesError) as info:
        load_rulebook(rules_copy)
    error = info.value
    assert error.failed == (name,)
    assert error.folder == str(rules_copy)
    message = str(error)
    assert name in message
    assert "FAIL" in message
    assert str(rules_copy) in message
    assert "neckcheck rules compile" in message
    assert "--allow-unproved-rules" in message
    assert isinstance(error, RulesError)
    assert error.exit_code == EXIT_USAGE == 2
    assert error.lines() == [f"rules error: {message}"]
    book = load_rulebook(rules_copy, allow_unproved=True)
    assert book == yaml_book()  # the compiled copy itself is valid and current: it is used
    assert book.warning is not None
    assert name in book.warning


def test_edited_yaml_is_unproved_until_compiled(rules_copy: Path, as_shipped: None) -> None:
    edit(rules_copy, "decisions.yaml", "were not tested on children", "were not tried on children")
    with pytest.raises(UnprovedRulesError) as info:
        load_rulebook(rules_copy)
    assert NOT_PROVED_SINCE_EDIT in str(info.value)
    assert "neckcheck rules compile" in str(info.value)
    assert info.value.failed == info.value.unproved == ()
    book = load_rulebook(rules_copy, allow_unproved=True)
    assert book.warning is not None
    assert NOT_PROVED_SINCE_EDIT in book.warning
    rule = next(r for r in book.red_flags if r.id == "clinician.under_16")
    assert "were not tried on children" in rule.reason  # the edit counts
    path = compile_rulebook(rules_copy)  # proves and stores: usable again
    assert path == rules_copy / COMPILED
    proved = load_rulebook(rules_copy)
    assert proved.warning is None
    assert proved == book


def test_compile_stores_a_failed_proof(rules_copy: Path, as_shipped: None) -> None:
    edit(rules_copy, "decisions.yaml", "when: {bladder_bowel: [yes, unsure]}",
         "when: {bladder_bowel: yes}")  # fmt: skip
    path, report = compile_and_verify(rules_copy)
    assert not report.holds
    record = stored(rules_copy)["proof"]
    assert record["holds"] is False
    assert record["failed"] == report.failed
    assert any(name.startswith(UNSURE_PROPERTY) for name in record["failed"])
    with pytest.raises(UnprovedRulesError) as info:
        load_rulebook(rules_copy)
    assert UNSURE_PROPERTY in str(info.value)
    assert list(info.value.failed) == report.failed
    # What `rules check` loads is what screening would use: the compiled copy.
    checked = load_rulebook(rules_copy, allow_unproved=True)
    assert checked == compiled_state(rules_copy).book
    assert checked.warning is not None
    assert UNSURE_PROPERTY in checked.warning
    assert path == rules_copy / COMPILED


def test_invalid_yaml_is_refused_even_when_unproved_rules_are_allowed(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "{age: {lt: 16}}", "{age: {lt: sixteen}}")
    with pytest.raises(RulesError) as info:
        load_rulebook(rules_copy, allow_unproved=True)
    assert not isinstance(info.value, UnprovedRulesError)
    assert "takes a whole number, found text" in str(info.value)


def test_screening_path_imports_no_parser_no_pydantic_no_solver() -> None:
    probe = ("import sys; from neckcheck.api import load_rulebook; b = load_rulebook(); "
             "assert b.warning is None; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'yaml', 'pydantic', "
             "'pydantic_core', 'z3'}))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# ---- Reading rule files -------------------------------------------------------------------------


def load_in_subprocess(folder: Path) -> subprocess.CompletedProcess[str]:
    """Load in a child process with a time-out, so that a hang fails the test, not the suite."""
    probe = ("import sys\nfrom neckcheck.core.errors import RulesError\n"
             "from neckcheck.api import load_rulebook\n"
             "try:\n    load_rulebook(sys.argv[1], allow_unproved=True)\n"
             "except RulesError as exc:\n    print(exc)\n    sys.exit(2)\n")  # fmt: skip
    return subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True,
                          text=True, timeout=30, check=False)  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("name", ["decisions.yaml", COMPILED])
def test_fifo_never_hangs(rules_copy: Path, name: str) -> None:
    (rules_copy / name).unlink()
    os.mkfifo(rules_copy / name)
    done = load_in_subprocess(rules_copy)
    if name == COMPILED:  # the copy is not used; the YAML loads, unproved
        assert done.returncode == 0, done.stdout + done.stderr
        return
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{rules_copy / name}: cannot be read: not a regular file (a FIFO)" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_device_is_refused(rules_copy: Path) -> None:
    (rules_copy / "technique.yaml").unlink()
    (rules_copy / "technique.yaml").symlink_to("/dev/zero")
    done = load_in_subprocess(rules_copy)
    assert done.returncode == 2
    assert "technique.yaml: cannot be read: not a regular file (a device)" in done.stdout


def test_huge_rule_file_is_refused(rules_copy: Path) -> None:
    path = rules_copy / "cautions.yaml"
    path.write_bytes(b"# padding\n" * 200_000)  # 2 MB
    with pytest.raises(RulesError) as info:
        load_rulebook(rules_copy, allow_unproved=True)
    assert f"{path}: cannot be read: larger than 1 MiB" in str(info.value)


def test_read_limit(tmp_path: Path) -> None:
    path = tmp_path / "exactly.yaml"
    path.write_bytes(b"x" * MAX_RULE_FILE_BYTES)
    assert len(read_rule_file(str(path))) == MAX_RULE_FILE_BYTES
    path.write_bytes(b"x" * (MAX_RULE_FILE_BYTES + 1))
    with pytest.raises(RulesError, match="larger than 1 MiB"):
        read_rule_file(str(path))


def test_symlinked_rule_file_is_read(rules_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "technique.yaml"
    shutil.move(rules_copy / "technique.yaml", elsewhere)
    (rules_copy / "technique.yaml").symlink_to(elsewhere)
    assert compiled_state(rules_copy).book == yaml_book()  # same bytes: still current
    assert load_rulebook(rules_copy).warning is None


# ---- No error message echoes a rule file's content ----------------------------------------------

SECRET = "sk-live-51HqT9xZ3Kd8PqR7vW2mN4bY6cJ0aLs"

SECRET_SHAPES: list[tuple[str, bytes]] = [
    (name, text.replace("SECRET", SECRET).encode("utf-8"))
    for name, text in [
        ("rulebook.yaml", "SECRET\n"),
        ("rulebook.yaml", "password=SECRET\n"),
        ("rulebook.yaml", "token: SECRET\n"),
        ("rulebook.yaml", "SECRET: 1\n"),
        ("rulebook.yaml", "- SECRET\n- SECRET\n"),
        ("rulebook.yaml", "version: [SECRET\n"),
        ("rulebook.yaml", "version: 'SECRET\n"),
        ("rulebook.yaml", 'version: "SECRET\\q"\n'),
        ("rulebook.yaml", "version: SECRET\n  bad: indent\n"),
        ("rulebook.yaml", "\tSECRET\n"),
        ("rulebook.yaml", "@SECRET\n"),
        ("rulebook.yaml", "!SECRET x\n"),
        ("rulebook.yaml", "!<SECRET> x\n"),
        ("rulebook.yaml", "&SECRET a\n"),
        ("rulebook.yaml", "*SECRET\n"),
        ("rulebook.yaml", "version: !!int SECRET\n"),
        ("rulebook.yaml", "version: !!bool SECRET\n"),
        ("rulebook.yaml", "version: !!float SECRET\n"),
        ("rulebook.yaml", "version: !!binary SECRET!\n"),
        ("rulebook.yaml", "version: !!timestamp 2020-13-45\ndisclaimer: SECRET\n"),
        ("rulebook.yaml", "version: 1\x00SECRET\n"),
        ("rulebook.yaml", "tri_labels: {SECRET: x}\nversion: [SECRET]\n"),
        (
            "rulebook.yaml",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nSECRET\n-----END OPENSSH PRIVATE KEY-----\n",
        ),
        ("rulebook.yaml", '{"type": "service_account", "private_key": "SECRET"}\n'),
        ("decisions.yaml", "red_flags:\n  - id: SECRET\n    when: SECRET\n"),
        ("decisions.yaml", "red_flags:\n  - id: x\n    when: {age: {lt: SECRET}}\n"),
        ("decisions.yaml", "red_flags:\n  - id: x\n    when: {age: {SECRET: 1}}\n"),
        ("decisions.yaml", "red_flags:\n  - id: x\n    when: {SECRET: yes}\n"),
        ("decisions.yaml", "red_flags:\n  - id: x\n    when: {all: SECRET}\n"),
        (
            "decisions.yaml",
            "red_flags:\n  - id: x\n    when: {age: [SECRET]}\n"
            "    outcome: red_flag\n    disposition: emergency\n"
            "    reason: r\n    source: s\npatterns: []\n"
            "otherwise: {id: o, outcome: unclear, disposition: clinician, "
            "reason: r, source: s}\n",
        ),
    ]
] + [("rulebook.yaml", b"\xff\xfe" + SECRET.encode())]


@pytest.mark.parametrize(("name", "content"), SECRET_SHAPES)
def test_symlink_to_a_secret_never_leaks_it(
    rules_copy: Path, tmp_path: Path, name: str, content: bytes
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(content)
    (rules_copy / name).unlink()
    (rules_copy / name).symlink_to(secret)
    with pytest.raises(RulesError) as info:
        load_rulebook(rules_copy, allow_unproved=True)
    shown = "\n".join([str(info.value), *info.value.lines()])
    assert f"{rules_copy / name}" in shown  # names the file (the link, not its target)
    for part in (SECRET, SECRET[8:], SECRET[-12:]):
        assert part not in shown


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (SECRET, "a condition must be a non-empty mapping, found text"),
        ({"age": {"lt": SECRET}}, "'age': 'lt' takes a whole number, found text"),
        ({"age": {"eq": [SECRET]}}, "'age': 'eq' takes a single value, found a list"),
        ({"age": {"in": SECRET}}, "'age': 'in' takes a list of values, found text"),
        ({"age": {SECRET: 1}}, "'age': unknown comparison (text)"),
        ({SECRET: {"lt": "x"}}, "(text): 'lt' takes a whole number, found text"),
        ({"age": {"lt": True}}, "found true/false"),
        ({"all": SECRET}, "'all' takes a non-empty list of conditions, found text"),
    ],
)
def test_condition_errors_name_kinds_not_values(raw: object, words: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse(raw)
    assert words in str(info.value)
    assert SECRET not in str(info.value)


# ---- Writing: atomic, never through a symbolic link, a clear error ------------------------------


def test_compile_never_writes_through_a_symlink(rules_copy: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.json"
    victim.write_text("precious\n", encoding="utf-8")
    (rules_copy / COMPILED).unlink()
    (rules_copy / COMPILED).symlink_to(victim)
    with pytest.raises(RulesError) as info:
        compile_rulebook(rules_copy)
    assert str(info.value) == (
        f"{rules_copy / COMPILED}: is a symbolic link; refusing to write through it "
        "(remove the link first)"
    )
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert (rules_copy / COMPILED).is_symlink()
    assert not list(rules_copy.glob(".*.tmp"))


def test_compile_where_a_folder_is_in_the_way(rules_copy: Path) -> None:
    (rules_copy / COMPILED).unlink()
    (rules_copy / COMPILED).mkdir()
    with pytest.raises(RulesError, match="not a regular file"):
        compile_rulebook(rules_copy)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores file modes"
)
def test_compile_into_a_read_only_folder(rules_copy: Path) -> None:
    before = (rules_copy / COMPILED).read_bytes()
    (rules_copy / "decisions.yaml").write_text(
        (rules_copy / "decisions.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    rules_copy.chmod(0o500)
    try:
        with pytest.raises(RulesError) as info:
            compile_rulebook(rules_copy)
    finally:
        rules_copy.chmod(0o700)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{rules_copy / COMPILED}: cannot be written: permission denied")
    assert (rules_copy / COMPILED).read_bytes() == before


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (errno.EACCES, "permission denied (is the folder"),
        (errno.EROFS, "the file system is read-only (is the folder"),
        (errno.ENOSPC, "no space left on the device"),
    ],
)
def test_compile_when_the_folder_refuses_writing(
    rules_copy: Path, monkeypatch: pytest.MonkeyPatch, error: int, words: str
) -> None:
    # As root (CI), a folder's mode does not stop writing: simulate what the system says.
    def refuse(*args: object) -> tuple[int, str]:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(rulefiles, "_create_temp", refuse)
    before = (rules_copy / COMPILED).read_bytes()
    with pytest.raises(RulesError) as info:
        compile_rulebook(rules_copy)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{rules_copy / COMPILED}: cannot be written: {words}")
    assert (rules_copy / COMPILED).read_bytes() == before


def test_compile_is_atomic_and_keeps_the_mode(rules_copy: Path) -> None:
    (rules_copy / COMPILED).chmod(0o640)
    compile_rulebook(rules_copy)
    assert (rules_copy / COMPILED).stat().st_mode & 0o777 == 0o640
    assert not list(rules_copy.glob(".*.tmp"))
    assert compiled_state(rules_copy).book == yaml_book()


def test_write_atomic_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(RulesError) as info:
        write_atomic(str(tmp_path / "no-such-folder" / "x.json"), b"{}")
    assert str(info.value) == (
        f"{tmp_path / 'no-such-folder' / 'x.json'}: cannot be written: no such file or folder"
    )


def test_write_schemas(book: Rulebook, tmp_path: Path) -> None:
    written = write_schemas(book, tmp_path / "schemas")
    assert sorted(p.name for p in written) == sorted(
        n.replace(".yaml", ".schema.json") for n in FILES
    )
    for path in written:
        assert path.read_text(encoding="utf-8") == (RULES / "schemas" / path.name).read_text(
            encoding="utf-8"
        )


def test_write_schemas_never_writes_through_a_symlink(book: Rulebook, tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    target.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("precious\n", encoding="utf-8")
    (target / "rulebook.schema.json").symlink_to(victim)
    with pytest.raises(RulesError, match="is a symbolic link; refusing to write through it"):
        write_schemas(book, target)
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_write_schemas_where_the_folder_cannot_be_made(book: Rulebook, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(RulesError) as info:
        write_schemas(book, tmp_path / "a-file" / "schemas")
    assert str(info.value) == (
        f"{tmp_path / 'a-file' / 'schemas'}: cannot create the folder: "
        "a part of the path is not a folder"
    )


# ---- The command line: refused unless asked for, and then every result warns ----


def _cli(*args: str, stdin: str = "") -> Done:
    return invoke(list(args), stdin)


def test_screen_and_batch_refuse_unproved_rules_unless_allowed(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "{age: {lt: 16}}", "{age: {lt: 15}}")
    answers = json.dumps(BASELINE)
    for args in (("screen", "--json"), ("screen",), ("batch",), ("export", "fhir")):
        refused = _cli(*args, "--rules", str(rules_copy), stdin=answers + "\n")
        assert refused.returncode == 2
        assert refused.stdout == ""
        assert "not proved" in refused.stderr
        assert "--allow-unproved-rules" in refused.stderr
    allowed = _cli("screen", "--json", "--rules", str(rules_copy), "--allow-unproved-rules",
                   stdin=answers)  # fmt: skip
    assert allowed.returncode == 0
    assert "UNPROVED" in json.loads(allowed.stdout)["warning"]
    text = _cli("screen", "--rules", str(rules_copy), "--allow-unproved-rules", stdin=answers)
    assert text.stdout.startswith("WARNING:")
    lines = _cli("batch", "--rules", str(rules_copy), "--allow-unproved-rules",
                 stdin=answers + "\n" + answers + "\n").stdout.splitlines()  # fmt: skip
    assert all("warning" in json.loads(line) for line in lines)
    assert "warning" not in json.loads(_cli("screen", "--json", stdin=answers).stdout)


def test_another_folder_is_proved_afresh_on_every_load(rules_copy: Path) -> None:
    """Outside the shipped folder nothing stored is trusted: an edit that keeps every property
    is proved when the folder is loaded, and screening goes ahead without a warning."""
    edit(rules_copy, "decisions.yaml", "reason: A bone may be broken.",
         "reason: A bone could be broken.")  # fmt: skip
    screened = _cli("screen", "--json", "--rules", str(rules_copy), stdin=json.dumps(BASELINE))
    assert screened.returncode == 0, screened.stderr
    assert "warning" not in json.loads(screened.stdout)


def test_rules_compile_names_a_failed_proof_and_screen_refuses(rules_copy: Path) -> None:
    edit(rules_copy, "decisions.yaml", "when: {meningitis_signs: [yes, unsure]}",
         "when: {meningitis_signs: yes}")  # fmt: skip
    done = _cli("rules", "compile", str(rules_copy))
    assert done.returncode == EXIT_NOT_SHOWN_SAFE, done.stderr
    assert "not proved: " in done.stdout
    assert "unsure is never safer" in done.stdout
    refused = _cli("screen", "--json", "--rules", str(rules_copy), stdin=json.dumps(BASELINE))
    assert refused.returncode == 2
    assert "unsure is never safer" in refused.stderr


def test_a_forged_compiled_copy_elsewhere_is_never_used(rules_copy: Path) -> None:
    """The red team's forgery: a rule deleted from the compiled copy, its digest recomputed and
    its proof record left saying "holds". Outside the shipped folder the compiled copy is not
    read at all, so screening and `rules check` both see the YAML."""
    data = stored(rules_copy)
    data["rulebook"]["red_flags"] = [
        r for r in data["rulebook"]["red_flags"] if r["id"] != "emergency.vascular"
    ]
    store(rules_copy, data, redigest=True)
    emergency = json.dumps(BASELINE | {"vascular_signs": "yes", "signs_recent": "yes"})
    screened = _cli("screen", "--json", "--rules", str(rules_copy), stdin=emergency)
    assert screened.returncode == 5
    assert json.loads(screened.stdout)["reasons"][0]["rule"] == "emergency.vascular"
    checked = _cli("rules", "check", str(rules_copy))
    assert checked.returncode == 0
    # A weakened YAML with a forged "proved" copy beside it is refused all the same.
    edit(rules_copy, "decisions.yaml", "when: {meningitis_signs: [yes, unsure]}",
         "when: {meningitis_signs: yes}")  # fmt: skip
    data = stored(rules_copy)
    data["sources"] = sources_hash(rules_copy)
    store(rules_copy, data, redigest=True)
    refused = _cli("screen", "--json", "--rules", str(rules_copy), stdin=emergency)
    assert refused.returncode == 2
    assert "unsure is never safer" in refused.stderr


# ---- One trust rule for every command whose output is relied on (issue 20, item 3) -------------

CHEST_RULE = "  - id: emergency.chest_symptoms\n    when: {chest_symptoms: [yes, unsure]}\n"

# Every command that turns rules into something a person or a clinic relies on.
RELIED_ON: list[tuple[str, ...]] = [
    ("screen", "--json"),
    ("screen", "--fhir"),
    ("batch",),
    ("schema",),
    ("schema", "--decision"),
    ("export", "fhir"),
    ("export", "fhir", "--response", "-"),
    ("rules", "reference"),
    ("rules", "graph"),
    ("rules", "report"),
    ("rules", "evaluate"),
]


def _in_process(args: list[str], stdin: str) -> tuple[int, str, str]:
    """`neckcheck ARGS` run in this process (so that the copy counts as the shipped rules):
    (exit code, stdout, stderr)."""
    done = invoke(args, stdin)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("args", RELIED_ON, ids=" ".join)
def test_every_command_refuses_edited_shipped_rules(
    rules_copy: Path, as_shipped: None, args: tuple[str, ...]
) -> None:
    """A red flag deleted from the shipped YAML: screen and batch refused it already; the form,
    the schema, the reference, the report and the graph made from it (whose emergency notice no
    longer covers the deleted flag) are refused the same way, in one line, exit 2."""
    decisions = (rules_copy / "decisions.yaml").read_text(encoding="utf-8")
    start = decisions.index(CHEST_RULE)
    end = decisions.index("  - id: ", start + 1)
    (rules_copy / "decisions.yaml").write_text(decisions[:start] + decisions[end:],
                                               encoding="utf-8")  # fmt: skip
    answers = json.dumps(BASELINE | {"chest_symptoms": "yes"}) + "\n"
    code, out, err = _in_process(list(args), answers)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "the rules are not proved" in lines[0]
    assert NOT_PROVED_SINCE_EDIT in lines[0]
    assert "--allow-unproved-rules" in lines[0]
    if args[0] not in ("screen", "batch"):  # those carry the warning in each result
        code, out, err = _in_process([*args, "--allow-unproved-rules"], answers)
        # rules evaluate finds the heart attacks the deleted red flag lowers.
        assert code == (EXIT_NOT_SHOWN_SAFE if args[:2] == ("rules", "evaluate") else 0), err
        assert out
        assert "WARNING: these results come from UNPROVED rules" in err


def test_the_form_of_unproved_rules_says_so(rules_copy: Path, as_shipped: None) -> None:
    edit(rules_copy, "decisions.yaml", "when: {meningitis_signs: [yes, unsure]}",
         "when: {meningitis_signs: yes}")  # fmt: skip
    code, out, _ = _in_process(["export", "fhir", "--allow-unproved-rules"], "")
    assert code == 0
    form = json.loads(out)
    assert form["status"] == "draft"
    assert form["item"][0]["text"].startswith("WARNING: these results come from UNPROVED rules")


def test_the_authoring_tools_still_read_edited_rules(
    rules_copy: Path, as_shipped: None, tmp_path: Path
) -> None:
    """`rules schemas` (the editors' schemas) works on rules being edited, and -V says the
    shipped rules are unproved."""
    edit(rules_copy, "decisions.yaml", "were not tested on children", "were not tried on children")
    code, out, err = _in_process(["rules", "schemas", "--out", str(tmp_path / "s")], "")
    assert code == 0, err
    code, out, err = _in_process(["-V"], "")
    assert code == 0
    assert "(shipped, UNPROVED)" in out
