"""The shipped rules keep every name SPEC.md fixes: answer keys, types, ranges, skip logic,
caution ids and the JSON keys."""

from __future__ import annotations

import pytest

from neckcheck.api import screen
from neckcheck.core.model import Rulebook
from neckcheck.core.progress import asked
from tests.spec import CAUTION_IDS, INJURIES, JSON_KEYS, NO_INJURY, QUESTIONS, is_asked


def test_question_ids(book: Rulebook) -> None:
    assert sorted(q.id for q in book.questions) == sorted(QUESTIONS)


@pytest.mark.parametrize("key", list(QUESTIONS))
def test_question_matches_spec(book: Rulebook, key: str) -> None:
    kind, domain, _ = QUESTIONS[key]
    q = book.question(key)
    assert q is not None
    assert q.type == kind
    if kind == "int":
        assert (q.min, q.max) == domain
    else:
        assert set(q.allowed_values()) == set(domain)
    assert q.prompt.strip()
    assert q.help.strip()
    for injury in INJURIES:
        context = {"injury": injury}
        assert asked(q, context) == is_asked(key, context), (key, injury)


def test_every_question_belongs_to_a_group(book: Rulebook) -> None:
    groups = {g.id for g in book.groups}
    assert all(q.group in groups for q in book.questions)


def test_caution_ids(book: Rulebook) -> None:
    assert {c.id for c in book.cautions} == set(CAUTION_IDS)


def test_every_rule_names_a_source_and_reason(book: Rulebook) -> None:
    for rule in book.rules:
        assert rule.id
        assert rule.reason.strip()
        assert rule.source.strip()


def test_json_keys(book: Rulebook) -> None:
    assert set(JSON_KEYS) <= set(screen(NO_INJURY, book).to_dict())
