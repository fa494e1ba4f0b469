"""The code generated from the shipped rules (rulecode.py, _shipped_rules.py): current, equal to
the interpreted rules on any answer set, and never used when it or the rules differ."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neckcheck.authoring.rulecode import generated_for, module_path, shipped_source, split_code
from neckcheck.cli.batch import Summary, _Texts, result_lines
from neckcheck.core.answers import check_answers
from neckcheck.core.engine import decide, decision_of, fired_rules
from neckcheck.core.errors import InputError
from neckcheck.core.model import Rulebook
from neckcheck.rulebook import _shipped_rules
from neckcheck.rulebook.codegen import verified
from neckcheck.rulebook.generated import code_digest, generated_for_file
from neckcheck.rulebook.load import COMPILED, compiled_state, load_rulebook
from tests.conftest import RULES
from tests.spec import NO_INJURY, QUESTIONS
from tests.strategies import answer_sets

Key = tuple[tuple[str, ...], tuple[str, ...]]


@pytest.fixture(scope="module")
def interpreted() -> Rulebook:
    """The shipped rules without the generated code: every decision by the condition trees."""
    book = load_rulebook()
    book.derived.pop("generated", None)
    book.decisions.clear()
    assert "generated" not in book.derived
    return book


def interpreted_key(raw: object, book: Rulebook) -> Key | None:
    try:
        answers = check_answers(raw, book)
    except InputError:
        return None
    fired = fired_rules(answers, book)
    shown = book.caution_tests[fired[0].disposition]
    cautions = tuple(c.id for test, c in shown if test(answers.facts))
    return tuple(r.id for r in fired), cautions


def test_the_committed_generated_file_is_current() -> None:
    with open(module_path(), encoding="utf-8") as file:
        committed = file.read()
    assert committed == shipped_source(), "run `python -m neckcheck.authoring.rulecode`"


def test_the_shipped_rules_use_the_generated_code(book: Rulebook) -> None:
    state = compiled_state(RULES)
    assert state.digest == _shipped_rules.RULES_DIGEST
    assert load_rulebook().derived.get("generated") is _shipped_rules


HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**40), 10**40),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["yes", "no", "unsure", "YES", "none", "fall", "1", "", "yes "]),
    st.lists(st.just("yes"), max_size=2),
    st.dictionaries(st.just("yes"), st.just(1), max_size=1),
)


@st.composite
def hostile_answer_sets(draw: st.DrawFn) -> dict[Any, Any]:
    """A valid answer set (sometimes with skipped keys), then spoiled: keys dropped, values
    replaced by anything JSON (and Python) can hold, unknown keys added."""
    raw: dict[Any, Any] = draw(answer_sets())
    keys = sorted(QUESTIONS)
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.integers(0, 3))
        key = draw(st.sampled_from(keys))
        if action == 0:
            raw.pop(key, None)
        elif action == 1:
            raw[key] = draw(HOSTILE)
        elif action == 2:
            raw[draw(st.sampled_from(["ages", "injured", "", "resourceType", 1]))] = "yes"
        else:
            raw[key] = draw(st.sampled_from(["yes", "no", "unsure", True, False, 0, 40, 3650]))
    return raw


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=answer_sets())
def test_generated_decides_as_the_interpreted_rules(
    raw: dict[str, Any], interpreted: Rulebook
) -> None:
    expected = interpreted_key(raw, interpreted)
    assert expected is not None  # a valid answer set
    assert _shipped_rules.screen_raw(raw) == expected  # never None: valid lines stay fast
    assert _shipped_rules.decide_facts(check_answers(raw, interpreted).facts) == expected


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=hostile_answer_sets())
def test_generated_refuses_what_the_interpreted_check_refuses(
    raw: dict[Any, Any], interpreted: Rulebook
) -> None:
    expected = interpreted_key(raw, interpreted)
    got = _shipped_rules.screen_raw(raw)
    # None sends the line to the interpreted check; a key must be exactly the interpreted one.
    assert got == expected or (got is None and expected is not None and _odd(raw))


def _odd(raw: dict[Any, Any]) -> bool:
    """Valid but not plainly so (a value of a subclass): the generated check may pass these on."""
    return any(type(v) not in (str, int, bool) for v in raw.values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raws=st.lists(st.one_of(answer_sets(), hostile_answer_sets()), min_size=1, max_size=8))
def test_batch_lines_are_byte_identical_to_the_interpreted_rules(
    raws: list[dict[Any, Any]], interpreted: Rulebook
) -> None:
    lines = []
    for raw in raws:
        try:
            lines.append(json.dumps(raw).encode() + b"\n")
        except (TypeError, ValueError):
            lines.append(b"{}\n")
    fast = list(result_lines(lines, load_rulebook(), Summary()))
    slow = list(result_lines(lines, interpreted, Summary()))
    assert fast == slow


def test_decision_texts_are_json_dumps_of_the_decision(book: Rulebook) -> None:
    texts = _Texts(book)
    keys = {(tuple(r), ()) for r in [[x.id] for x in book.rules]}
    flags = [r.id for r in book.red_flags]
    keys |= {(tuple(flags[i : i + 3]), ()) for i in range(len(flags))}
    keys |= {((p.id,), tuple(c.id for c in book.cautions)) for p in book.patterns}
    keys |= {((book.otherwise.id,), ("stop_if_pain", "warning_signs"))}
    for key in keys:
        decision = decision_of(key, book)
        expected = json.dumps(decision.to_dict(), ensure_ascii=True, separators=(",", ":"))
        assert "{" + texts.text(key) == expected
        assert "{" + texts.text(key) == expected  # cached, the same


def _copy_module(tmp_path: Path, edit: Any = None) -> ModuleType:
    text = Path(module_path()).read_text(encoding="utf-8")
    if edit is not None:
        text = edit(text)
    path = tmp_path / "copied_rules.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("copied_rules", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_exact_copy_is_accepted(tmp_path: Path) -> None:
    module = _copy_module(tmp_path)
    assert generated_for(_shipped_rules.RULES_DIGEST, module) is module


def test_edited_code_is_not_used(tmp_path: Path) -> None:
    # An edit that would send every emergency home: the recorded code digest no longer matches.
    def downgrade(text: str) -> str:
        edited = text.replace(
            "'emergency.vascular': 'emergency'", "'emergency.vascular': 'technique'"
        )
        assert edited != text
        return edited

    module = _copy_module(tmp_path, downgrade)
    assert generated_for(_shipped_rules.RULES_DIGEST, module) is None
    recorded, body = split_code(Path(module.__file__ or "").read_text(encoding="utf-8"))
    assert recorded
    assert body


def test_other_rules_digest_is_not_used(tmp_path: Path) -> None:
    module = _copy_module(tmp_path)
    assert generated_for("sha256:" + "0" * 64, module) is None
    assert generated_for("", module) is None


def test_a_tampered_module_falls_back_to_the_interpreted_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interpreted: Rulebook
) -> None:
    def send_home(text: str) -> str:
        return text.replace("fired.append('emergency.vascular')", "pass")

    module = _copy_module(tmp_path, send_home)
    monkeypatch.setitem(sys.modules, "neckcheck.rulebook._shipped_rules", module)
    import neckcheck.rulebook

    monkeypatch.setattr(neckcheck.rulebook, "_shipped_rules", module, raising=False)
    book = load_rulebook()
    assert "generated" not in book.derived
    raw = NO_INJURY | {"vascular_signs": "yes", "signs_recent": "yes"}
    assert module.screen_raw(raw) != interpreted_key(raw, interpreted)  # the tampering bites
    decision = decide(check_answers(raw, book), book)
    assert decision.disposition == "emergency"
    assert [r.rule for r in decision.reasons] == ["emergency.vascular"]


def _with_code_digest_recomputed(edit: Any) -> Any:
    """An edit by someone who also rewrites the first line to the new code's SHA-256."""

    def edited(text: str) -> str:
        _, body = split_code(edit(text))
        return f"# code-sha256: {code_digest(body)}\n{body}"

    return edited


def test_an_edit_with_its_code_digest_recomputed_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interpreted: Rulebook
) -> None:
    """The code digest catches damage, not a deliberate edit: the generated code is used only
    as the generator makes it from the checked rulebook (codegen.verified), so a copy that
    drops the chest-pain emergency is refused though its first line matches its code."""

    def drop_chest(text: str) -> str:
        edited = text.replace("fired.append('emergency.chest_symptoms')", "pass")
        assert edited != text
        return edited

    module = _copy_module(tmp_path, _with_code_digest_recomputed(drop_chest))
    assert generated_for(_shipped_rules.RULES_DIGEST, module) is module  # the digest matches
    book = load_rulebook(RULES)
    assert verified(_shipped_rules, book, _shipped_rules.RULES_DIGEST)  # the real one is
    assert not verified(module, book, _shipped_rules.RULES_DIGEST)
    monkeypatch.setitem(sys.modules, "neckcheck.rulebook._shipped_rules", module)
    import neckcheck.rulebook

    monkeypatch.setattr(neckcheck.rulebook, "_shipped_rules", module, raising=False)
    book = load_rulebook()
    assert "generated" not in book.derived
    raw = NO_INJURY | {"chest_symptoms": "yes"}
    assert module.screen_raw(raw) != interpreted_key(raw, interpreted)  # the edit bites
    decision = decide(check_answers(raw, book), book)
    assert decision.disposition == "emergency"
    assert [r.rule for r in decision.reasons] == ["emergency.chest_symptoms"]


def test_another_rules_folder_never_uses_the_generated_code(rules_copy: Path) -> None:
    # Even an unchanged copy of the shipped rules, with the same compiled digest.
    book = load_rulebook(rules_copy, allow_unproved=True)
    assert "generated" not in book.derived
    assert compiled_state(rules_copy).digest == _shipped_rules.RULES_DIGEST


def test_a_stale_generated_file_is_not_used(tmp_path: Path) -> None:
    shutil.copytree(RULES, tmp_path / "rules")
    module = _copy_module(
        tmp_path,
        lambda t: t.replace(_shipped_rules.RULES_DIGEST, "sha256:" + "1" * 64),
    )
    assert generated_for(_shipped_rules.RULES_DIGEST, module) is None


TRICKY_LINES = [
    '{"age": 40, "age": 41}',
    '{"vascular_signs": "no", "vascular_signs": "yes"}',
    '{"vascular_signs": {"x": "\\"\\""}, "vascular_signs": "no"}',
    '{"vascular_signs": "yes", "vascular_signs": "no"}',
    '{"age": NaN}',
    '{"age": Infinity}',
    '{"age": 1' + "0" * 40 + "}",
    '{"age": 1' + "0" * 5000 + "}",
    "\ufeff{}",
    '  {"age": 40}',
    '{"age": 40}  \t',
    '{"age": 40}\u00a0',
    '{"age": 40} x',
    '{"a\\u0067e": 40}',
    '{"ag\\"e": 40}',
    '["age", 40]',
    "",
    " ",
    '"yes"',
]


def test_tricky_lines_are_read_as_strictly_as_the_interpreted_rules(
    interpreted: Rulebook,
) -> None:
    """Duplicate keys (the fast reader keeps the last one), NaN, numbers too long, a byte order
    mark, whitespace, escapes: the fast path sends each to the careful reader, or reads it
    exactly as the careful reader does."""
    base = {k: v for k, v in json.loads(json.dumps(_valid())).items()}
    lines: list[bytes] = []
    for tricky in TRICKY_LINES:
        lines.append(tricky.encode("utf-8") + b"\n")
        if tricky.startswith("{") and not tricky.startswith('{"age": 40}'):
            # The same trick inside an otherwise complete answer set.
            whole = json.dumps({k: v for k, v in base.items() if k not in tricky})
            lines.append((whole[:-1] + ", " + tricky[1:]).encode("utf-8") + b"\n")
    whole = json.dumps(base)
    lines += [
        ("\ufeff" + whole).encode("utf-8") + b"\n",
        (whole + " \r\n").encode("utf-8"),
        (whole[:-1] + ', "age": 40}').encode("utf-8") + b"\n",
        (whole[:-1] + ', "vascular_signs": "no"}').encode("utf-8") + b"\n",
        whole.replace('"age"', '"a\\u0067e"').encode("utf-8") + b"\n",
        whole.encode("utf-16"),
        whole.encode("utf-8")[:-1] + b"\xff}\n",
    ]
    fast = list(result_lines(lines, load_rulebook(), Summary()))
    slow = list(result_lines(lines, interpreted, Summary()))
    assert fast == slow
    assert sum('"error"' not in line for line in fast) >= 3  # the valid ones decided
    assert sum('"error"' in line for line in fast) >= len(TRICKY_LINES)


def _valid() -> dict[str, Any]:
    return {
        "age": 40, "injury": "none", "sudden_onset": "no", "chest_symptoms": "no",
        "vascular_signs": "no", "new_headache": "no",
        "meningitis_signs": "no", "bladder_bowel": "no", "neuro_symptoms": "no",
        "midline_tenderness": "no", "bone_or_joint_disease": "no", "known_spine_problem": "none",
        "bone_or_joint_pain": "no", "cancer_history": "no", "infection_risk": "no",
        "night_pain": "no", "sore_back": "yes", "sore_front": "no", "low_back_pain": "no",
    }  # fmt: skip


# ---- The compiled copy the code was generated from is read without its checks again ----------


def test_the_shipped_copy_is_read_as_the_one_the_code_was_generated_from() -> None:
    state = compiled_state(RULES)
    assert state.generated is _shipped_rules
    assert state.book is not None
    assert state.book == compiled_state(RULES, trust_generated=False).book
    data = (RULES / COMPILED).read_bytes()
    assert generated_for_file(data) is _shipped_rules


def test_a_copy_with_other_bytes_is_checked_in_full(rules_copy: Path) -> None:
    """The same content (same digest) written with other spacing: not the bytes the code was
    generated from, so it gets the strict reading; having passed it, it is the content the code
    was generated from, which is used (a plain install, without the rules extra, can screen)."""
    path = rules_copy / COMPILED
    stored = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(stored, indent=2), encoding="utf-8")
    assert generated_for_file(path.read_bytes()) is None  # not the shortcut...
    state = compiled_state(rules_copy)
    assert state.book is not None  # ...but the strict reading accepts it
    assert state.generated is _shipped_rules
    assert state.digest == _shipped_rules.RULES_DIGEST
    # and the strict reading it got refuses what the shortcut would not see: a key given twice
    doubled = path.read_text(encoding="utf-8").replace(
        '"rulebook": {', '"format": 4, "rulebook": {'
    )
    path.write_text(doubled, encoding="utf-8")
    assert compiled_state(rules_copy).book is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b + b" ",
        lambda b: b.replace(b'"emergency"', b'"technique"', 1),
        lambda b: b.replace(b'\n "rulebook": {', b'\n "format": 4,\n "rulebook": {', 1),
    ],
    ids=["trailing space", "downgraded disposition", "key given twice"],
)
def test_tampered_bytes_are_not_trusted(tamper: Any, tmp_path: Path) -> None:
    data = (RULES / COMPILED).read_bytes()
    changed = tamper(data)
    assert changed != data
    assert generated_for_file(changed) is None
    assert generated_for_file(data, _copy_module(tmp_path)) is not None  # the check itself works
