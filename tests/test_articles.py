"""The engine on articles it was not built on: ordinary knowledge bases, blind question sets.

``tests/articles/<id>/`` holds, for each development article, the knowledge base an admin
wrote in half an hour (``knowledge/``, no padded synonym lists) and the questions readers wrote
seeing only the article (``questions.yaml``, judged by speaker name and verbatim fragment, so
they judge any knowledge base of that article). ``tests/eval_blind_readers.yaml`` is the same
kind of set for the bundled article. Floors are today's figures; raise them as the engine
improves, never lower them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sealed_sets import SEALED_2026_12_04_B, SEALED_2026_12_04_C

from bot.engine import Engine
from bot.evaluation import (
    EvalReport,
    article_cases,
    combined,
    evaluate_blind,
    evaluate_folder,
    load_blind,
)
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.semantic import shared_model

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"


def _engine(kb: KnowledgeBase) -> Engine:
    return Engine(kb, shared_model())


@pytest.fixture(scope="module")
def reports() -> dict[str, EvalReport]:
    """Every development article's blind set, run once for the module."""
    return evaluate_folder(article_cases(ARTICLES), _engine)


def test_every_development_article_has_a_knowledge_base_and_40_questions() -> None:
    cases = article_cases(ARTICLES)
    assert len(cases) >= 10
    for case in cases:
        blind = load_blind(case.questions)
        assert blind.article == case.article
        assert len(blind.items) >= 40, case.article
        kinds = {item.kind for item in blind.items}
        assert kinds == {"plain", "paraphrase", "out_of_scope", "misattribution"}, case.article


KNOWN_MISATTRIBUTIONS: dict[str, int] = {
    # none open. The Georgia one found by the sealed set's first run ("According to the For
    # Georgia politician, whose message was really behind Garibashvili's words?") went when the
    # sentence model stopped comparing the question's frame and speaker names with the entries.
}


def test_no_misattribution_beyond_the_known_one(reports: dict[str, EvalReport]) -> None:
    for article, report in reports.items():
        assert len(report.misattributions) <= KNOWN_MISATTRIBUTIONS.get(article, 0), (
            article, report.misattributions)


# Figures on the development articles, by kind. Three of the ten shared
# ones (georgia-opposition-..., iran-turkiye-..., kazakh-fm-...) were sealed until the engine
# change of 2026-12-02; their first run (146 questions): plain 73.8 %, paraphrase 25.6 %,
# out-of-scope 82.1 %, traps 83.3 %. Three more (baku-..., georgia-fm-..., russian-ambassador-...)
# were sealed until that of 2026-12-03; their first run (120 questions): plain 95.2 %,
# paraphrase 27.8 %, out-of-scope and traps declined 88.1 %, no misattribution. The last three
# (armenia-turkey-..., kazakhstan-gas-..., georgian-dream-...) were sealed until the second
# session of 2026-12-03; their first run (124 questions): plain 93.2 %, paraphrase 31.6 %,
# out-of-scope and traps declined 66.7 %, 2 misattributions (both fixed by general rules of
# reading: a name after the speaker's verb is spoken of; a place before role words). Third
# session of 2026-12-03: "what did Putin say about the gas union?" of someone named but never
# quoted is declined (traps 89.6 -> 94.8 %, out-of-scope 81.8 -> 83.9 %); two paraphrases went
# with it (30.8 -> 29.9 %): two unquoted presidents ("what did the Russian and Kazakh
# presidents talk about") and "how did Paris react", now read as "react" asked of no speaker.
# Three more (uzbek-fm-..., saakashvili-..., pashinyan-...) were sealed until that session's
# last engine change; their first run (123 questions): plain 84.1 %, paraphrase 18.6 %,
# out-of-scope 76.2 %, traps 100 %, declined 86.1 %, no misattribution; plain 88.6 % after
# "what did X tell reporters?" read as all X said, 93.2 % once "where did X speak?" is a
# fact, never one of X's quotes. All nineteen (851 questions) today, after 2026-12-04's
# "what did X say?" of someone never quoted being declined, "who is <description>?" showing the
# sentence that names them, "how many" answered by a quote holding the number, "what is the
# name of X" read as "who is X", "how did X respond to Y" asking X, not Y, and the words
# around a quote telling which of a speaker's quotes a topic means, and part of a claim someone
# else made in full not being the named speaker's. Three more (georgia-eu-status-pm, peskov-
# putin-kazakhstan-visit, uzbekistan-us-5-billion) were sealed until the last engine change of
# 2026-12-04; their first run (124 questions): plain 91.3 %, paraphrase 41.5 %, out-of-scope
# 86.4 %, traps 73.3 %, declined 81.1 %, three misattributions ("was it X who said ...?" read as
# who said it; "did Trump say ...?" answered with words whose alternate question names Trump;
# "did Putin say ...?" given to the one whose role alias names Putin), none once those were
# read as asked. Those twenty-two (975 questions) after the second session of 2026-12-04 ("which
# agency reported it?" asks for the outlet, "in this article" is the question's frame, "where"
# answered by words naming a place, "which lawmaker said ...?" asking who said it, a member's
# name not being the pair's): 89.7 / 31.2 %; 89.9 / 32.3 % plain / paraphrase after the third session of
# 2026-12-04 (where and when words were said read from their attribution, the words
# describing a speaker left out of what the sentence model compares, a long statement as close
# as its whole and its closest sentence together):
@pytest.mark.parametrize(("kind", "floor"), [
    ("plain", 89.9),
    ("paraphrase", 32.3),
    ("out_of_scope", 86.6),
    ("misattribution", 98.4),
])
def test_development_articles_floor(reports: dict[str, EvalReport], kind: str,
                                    floor: float) -> None:
    _assert_floor(reports, SEALED_2026_12_04_B | SEALED_2026_12_04_C, kind, floor)


def _assert_floor(reports: dict[str, EvalReport], left_out: frozenset[str], kind: str,
                  floor: float) -> None:
    """The articles but ``left_out`` together: this kind's accuracy at least ``floor``."""
    total = combined({a: r for a, r in reports.items() if a not in left_out})
    assert round(total.kind_accuracy(kind), 1) >= floor, "\n".join(total.failures)


# Three more were sealed until the last engine change of that session. Their first run (131
# questions): plain 88.1 %, paraphrase 51.2 %, out-of-scope 63.0 %, traps 100 %, declined
# 78.3 %, no misattribution. Those twenty-five (1,106 questions) after the third session:
@pytest.mark.parametrize(("kind", "floor"), [
    ("plain", 89.8),
    ("paraphrase", 34.8),
    ("out_of_scope", 84.5),
    ("misattribution", 98.6),
])
def test_twenty_five_articles_floor(reports: dict[str, EvalReport], kind: str,
                                    floor: float) -> None:
    assert SEALED_2026_12_04_B <= set(reports)
    _assert_floor(reports, SEALED_2026_12_04_C, kind, floor)


# Three more (georgia-wine-..., iran-armenia-gas-..., kyrgyz-uzbek-border-...) were sealed
# until 2026-12-04's third session had made most of its engine changes. Their first run (131
# questions): plain 100 %, paraphrase 61.4 %, out-of-scope 53.3 %, traps 77.8 %, declined
# 62.5 %, no misattribution; paraphrase 63.6 % once a long statement is as close as its whole
# and its closest sentence together, traps 83.3 % once "what did X say about Y?", Y a subject
# of the article that none of X's words hold, is no longer all X said. All twenty-eight
# (1,237 questions) today:
@pytest.mark.parametrize(("kind", "floor"), [
    ("plain", 90.6),
    ("paraphrase", 38.2),
    ("out_of_scope", 80.7),
    ("misattribution", 96.9),
])
def test_all_articles_floor(reports: dict[str, EvalReport], kind: str, floor: float) -> None:
    assert SEALED_2026_12_04_C <= set(reports)
    _assert_floor(reports, frozenset(), kind, floor)


def test_every_article_answers_most_plain_questions(reports: dict[str, EvalReport]) -> None:
    for article, report in reports.items():
        assert report.kind_accuracy("plain") >= 60.0, (article, report.failures)


def test_bundled_article_sealed_readers_set_floor() -> None:
    """60 questions by another new reader, sealed until the last engine change (first run)."""
    report = evaluate_blind(_engine(load_knowledge(ROOT / "knowledge")),
                            load_blind(ROOT / "tests" / "eval_sealed_readers.yaml"))
    assert report.misattributions == []
    assert round(report.kind_accuracy("plain"), 1) >= 95.5, report.failures
    # first run 68.2 % of paraphrases and 81.7 % overall; today's figures are the floor
    assert round(report.kind_accuracy("paraphrase"), 1) >= 81.8, report.failures
    assert round(report.accuracy, 1) >= 90.0, report.failures


def test_bundled_article_readers_set_floor() -> None:
    """70 questions by a new reader of the bundled article, half of them harder phrasing."""
    report = evaluate_blind(_engine(load_knowledge(ROOT / "knowledge")),
                            load_blind(ROOT / "tests" / "eval_blind_readers.yaml"))
    assert report.misattributions == []
    assert round(report.kind_accuracy("plain"), 1) >= 96.0, report.failures
    assert round(report.kind_accuracy("paraphrase"), 1) >= 56.0, report.failures
    assert round(report.accuracy, 1) >= 74.3, report.failures
