"""Whom "he" or "she" can mean: a person's gender as the article shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation import EMPTY, ask
from bot.engine import Engine
from bot.knowledge import load_knowledge
from bot.pronouns import gender_of, pronoun_gender
from bot.results import NoteKind, Status
from bot.semantic import shared_model

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"


@pytest.mark.parametrize(("article", "person", "gender"), [
    ("armenia-legislation-domestic-affair-baghdasaryan", "baghdasaryan", "f"),  # "She pointed out"
    ("armenian-pm-meets-imf-lagarde", "lagarde", "f"),
    ("kazakh-fm-transcaspian-pipe-conditions", "tajin", "m"),
    ("peskov-peace-treaty-foreseeable-future", "peskov", "m"),
    ("armenian-pm-meets-imf-lagarde", "abrahamyan", None),  # "he" and "she" around him: unsure
    ("iran-azerbaijan-relations-strained-experts", "both-speakers", None),  # a pair has none
])
def test_the_article_shows_whom_he_and_she_can_mean(article: str, person: str,
                                                    gender: str | None) -> None:
    kb = load_knowledge(ARTICLES / article / "knowledge")
    assert gender_of(kb, kb.person(person)) == gender


@pytest.mark.parametrize(("question", "gender"), [
    ("did he also say that?", "m"),
    ("what's her job?", "f"),
    ("what did they say?", None),
    ("did he and she agree?", None),
    ("what did Sanaei say?", None),
])
def test_the_pronoun_of_a_question(question: str, gender: str | None) -> None:
    assert pronoun_gender(question) == gender


@pytest.fixture(scope="module")
def spokeswoman() -> Engine:
    folder = ARTICLES / "armenia-legislation-domestic-affair-baghdasaryan" / "knowledge"
    return Engine(load_knowledge(folder), shared_model())


def test_he_after_a_womans_words_is_the_man_before_her(spokeswoman: Engine) -> None:
    _, context = ask(spokeswoman, "What did Aliyev threaten Armenia with?", EMPTY)
    _, context = ask(spokeswoman, "how did the armenian side answer?", context)
    assert context.speakers == ("baghdasaryan",)
    result, _ = ask(spokeswoman, "Did he also say Armenia remains committed to peace?", context)
    assert all(m.speaker != "baghdasaryan" for m in result.matches)
    assert result.status is Status.NO_ANSWER and result.note.people == ("aliyev",)


def test_she_after_who_responded_is_whoever_the_answer_quoted(spokeswoman: Engine) -> None:
    """"Who responded to Aliyev's statements?" names Aliyev only as what was answered."""
    _, context = ask(spokeswoman, "Who responded to Aliyev's statements?", EMPTY)
    assert context.speakers == ("baghdasaryan",)
    card, context = ask(spokeswoman, "what's her job exactly?", context)
    assert card.matches[0].id == "baghdasaryan" and card.note.kind is NoteKind.WHO_IS
    result, _ = ask(spokeswoman, "did she say armenia would change its constitution?", context)
    assert all(m.speaker == "baghdasaryan" for m in result.matches)
