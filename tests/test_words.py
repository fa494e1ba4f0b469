"""The words a person reads agree with the answers they gave: each reason says why it applies to
those answers, a result never assumes a sign has no diagnosis, and sources read as citations."""

from __future__ import annotations

import re

from neckcheck.api import screen
from neckcheck.core.model import Rulebook
from tests.spec import BASELINE

# The technique's source article, cited by its title (its author and date are not recorded).
ARTICLE = (
    "Posterior Neck Release + Spine Traction (self-care web article with video, undated; "
    "the source of the technique)"
)


def every_source(book: Rulebook) -> list[tuple[str, str]]:
    return [(r.id, r.source) for r in book.rules] + [(c.id, c.source) for c in book.cautions]


def test_sources_read_as_citations(book: Rulebook) -> None:
    for name, source in every_source(book):
        # No internal tag such as "(seed)", and no file name: a reader can look each one up.
        assert not re.search(r"\bseed\b", source, re.I), name
        assert ".txt" not in source, name
        if "Posterior" in source or "article" in source:
            assert ARTICLE in source, name
    assert any(ARTICLE in source for _, source in every_source(book))


def test_a_crash_says_why_the_front_needs_release_even_when_it_is_not_sore(
    book: Rulebook,
) -> None:
    crash = BASELINE | {"injury": "vehicle", "sore_front": "no"}
    crash.pop("fall_direction")
    decision = screen(crash, book)
    assert decision.outcome == "traditional_whiplash"
    (reason,) = decision.reasons
    assert "crash" in reason.text
    # The front takes the strain in a crash with or without soreness: the reason says so.
    assert "whether or not they feel sore" in reason.text


def test_a_fall_backwards_is_named_in_its_reason(book: Rulebook) -> None:
    decision = screen(BASELINE | {"fall_direction": "backward", "sore_front": "no"}, book)
    assert decision.outcome == "traditional_whiplash"
    assert "fall backwards" in decision.reasons[0].text


def test_the_vascular_question_keeps_long_standing_signs_on_the_clinician_path(
    book: Rulebook,
) -> None:
    """SPEC section 1: vascular_signs asks what the person has had since the neck pain began;
    signs_recent then tells a new sign from a long-standing, unchanged one (clinician, SPEC
    section 2). A wording that told a person with years of dizziness to answer no would skip
    that referral, so the question says a long-standing sign is answered yes too."""
    question = book.question("vascular_signs")
    assert question.prompt.startswith("Since the neck pain began")
    assert "even one you also had before it" in question.prompt
    assert "Answer yes too for a sign you have had for years" in question.help
    assert "the next question asks whether it is new" in question.help
    follow_up = book.question("signs_recent")
    assert follow_up.asked_when is not None


def test_long_standing_signs_do_not_assume_they_have_no_diagnosis(book: Rulebook) -> None:
    answers = BASELINE | {"vascular_signs": "yes", "signs_recent": "no"}
    answers.pop("can_rotate_45")
    decision = screen(answers, book)
    reasons = {r.rule: r.text for r in decision.reasons}
    text = reasons["clinician.long_standing_signs"]
    assert "find their cause" not in text
    assert "If a clinician already knows these signs" in text
    assert "have been there for more than four weeks" in text


def test_an_unclear_result_names_what_left_it_open(book: Rulebook) -> None:
    decision = screen(BASELINE | {"sore_front": "unsure"}, book)
    assert decision.outcome == "unclear"
    text = decision.reasons[0].text
    for words in ("not-sure", "direction", "not sore"):
        assert words in text, words
