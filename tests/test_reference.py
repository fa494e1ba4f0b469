"""The answer-set contract ships with the project (docs/answers.md) and cannot drift from the
rules; the interview's promise of its length holds."""

from __future__ import annotations

import re

from neckcheck.authoring.traceability import answer_reference
from neckcheck.core.model import URGENCY, Rulebook
from tests.conftest import REPO
from tests.spec import QUESTIONS


def test_docs_answers_is_generated_from_the_rules(book: Rulebook) -> None:
    shown = (REPO / "docs" / "answers.md").read_text(encoding="utf-8")
    assert shown == answer_reference(book), (
        "run `neckcheck rules reference rules > docs/answers.md`"
    )


def test_reference_names_every_key_of_the_contract(book: Rulebook) -> None:
    text = answer_reference(book)
    for key in QUESTIONS:
        assert f"| `{key}` |" in text
    for code in ("| 5 |", "| 6 |", "| 4 |", "| 3 |", "| 0 |"):
        assert code in text
    assert "serious_history" not in text


def test_intro_states_the_longest_interview(book: Rulebook) -> None:
    import z3

    from neckcheck.authoring.verify import _Encoding

    enc = _Encoding(book)
    optimizer = z3.Optimize()
    optimizer.add(enc.domain)
    # An emergency ends the interview as soon as it is certain, before the questions after the
    # one that made it certain: the longest interview is one that ends without an emergency.
    optimizer.add(enc.urgency < URGENCY["emergency"])
    asked = z3.Sum([z3.If(enc.asked[q.id], 1, 0) for q in book.questions])
    best = optimizer.maximize(asked)
    assert optimizer.check() == z3.sat
    longest = best.value().as_long()
    stated = re.search(r"up to (\d+) short questions", book.intro)
    assert stated is not None
    assert int(stated.group(1)) == longest
    page = (REPO / "docs" / "interview.md").read_text(encoding="utf-8")
    assert f"The longest interview has {longest} questions" in page
