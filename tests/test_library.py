"""Many articles in one bot: the library of per-article engines and its router.

The development articles (tests/articles/*/knowledge) and the bundled one are served together
from one folder, as an outlet's archive would be; every article's blind set is asked of the
library and judged as it is against the article's own engine.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from bot.evaluation import article_cases, judge_blind, load_blind
from bot.knowledge import KnowledgeError
from bot.library import Library
from bot.results import NoteKind, Status
from bot.semantic import shared_model
from bot.service import KnowledgeService

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"
BUNDLED = ROOT / "knowledge"


def copy_archive(folder: Path) -> Path:
    """Every development article and the bundled one in one knowledge folder."""
    (folder / "sources").mkdir(parents=True)
    for knowledge in [c.knowledge for c in article_cases(ARTICLES)] + [BUNDLED]:
        for file in knowledge.glob("*.yaml"):
            shutil.copy(file, folder / file.name)
        for source in (knowledge / "sources").iterdir():
            shutil.copy(source, folder / "sources" / source.name)
    return folder


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="module")
def library(archive: Path) -> Library:
    return Library.load(archive, shared_model())


def test_every_article_is_served_newest_first(library: Library) -> None:
    ids = [a.id for a in library.articles]
    assert len(ids) == len(article_cases(ARTICLES)) + 1 and "russia-iran-partners" in ids
    dated = [a.date for a in library.articles if a.date]
    assert dated == sorted(dated, reverse=True)
    assert library.default_article == ids[0]


def test_a_name_finds_its_article_without_being_told(library: Library) -> None:
    result = library.ask("What did Aripov say about industrial cooperation?")
    assert result.article.id == "kazakh-uzbek-pms-talks"
    assert result.status is Status.ANSWER
    assert "industrial cooperation" in result.text
    # whatever the chat's current article is
    again = library.ask("What did Aripov say about industrial cooperation?",
                        current="russia-iran-partners")
    assert again.article.id == "kazakh-uzbek-pms-talks"
    assert "Source: El.kz, \u201cKazakh, Uzbek PMs held talks\u201d" in again.text


def test_a_name_one_edit_off_still_finds_its_article(library: Library) -> None:
    result = library.ask("what did velayatti say about brics", current="kazakh-uzbek-pms-talks")
    assert result.article.id == "russia-iran-partners"
    assert result.status is Status.ANSWER and "BRICS" in result.text


def test_the_cli_serves_a_folder_of_many_articles(archive: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main

    assert main(["ask", "--json", "--knowledge", str(archive),
                 "What did Aripov say about industrial cooperation?"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["article"] == "kazakh-uzbek-pms-talks" and reply["status"] == "answer"
    assert {m["article"] for m in reply["matches"]} == {"kazakh-uzbek-pms-talks"}
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "articles\nuse kazakh-uzbek-pms-talks\nwho talked about trade?\n"))
    assert main(["chat", "--knowledge", str(archive)]) == 0
    out = capsys.readouterr().out
    assert f"{len(article_cases(ARTICLES)) + 1} articles" in out and "Now about \u201cKazakh, Uzbek PMs held talks\u201d" in out
    assert "kazakh-uzbek-pms-talks" in out.split("Now about")[0]  # the list names the ids
    assert "El.kz" in out.split("Now about")[1]


def test_who_mentioned_someone_is_answered_by_their_own_article(library: Library) -> None:
    result = library.ask("who mentioned Patrushev")
    assert [p.article.id for p in result.parts] == ["russia-iran-partners"]
    assert result.status is Status.ANSWER and "Lukyanov" in result.text


def test_what_someone_said_across_articles_is_grouped_by_article(library: Library) -> None:
    result = library.ask("what did Pashinyan say")
    articles = [p.article.id for p in result.parts]
    assert len(articles) >= 2 and len(set(articles)) == len(articles)
    for part in result.parts:
        assert part.result.status is Status.ANSWER
        assert f"In \u201c{part.article.title}\u201d" in result.text


def test_a_question_naming_no_one_is_routed_by_its_words(library: Library) -> None:
    result = library.ask("who talked about Afghanistan?")
    assert result.article.id == "russia-iran-partners"
    assert result.status is Status.ANSWER and "Afghanistan" in result.text


def test_the_current_article_answers_first_and_says_when_more_may(library: Library) -> None:
    result = library.ask("who talked about trade", current="kazakh-uzbek-pms-talks")
    assert result.article.id == "kazakh-uzbek-pms-talks"
    assert result.status is Status.ANSWER
    assert result.more >= 1
    assert f"{result.more:,} more article" in result.text


def test_not_in_the_article_speaks_of_the_current_one_and_suggests_others(
        library: Library) -> None:
    result = library.ask("who talked about sanctions", current="kazakh-uzbek-pms-talks")
    assert result.article.id == "kazakh-uzbek-pms-talks"
    assert result.status is Status.NO_ANSWER
    assert result.parts[0].result.note.kind is NoteKind.NOT_IN_ARTICLE
    assert result.elsewhere, result.text
    for article in result.elsewhere:
        assert library.ask("who talked about sanctions", current=article.id).status \
            is Status.ANSWER
        assert article.title in result.text
    # it names the current article's people only, never the archive's
    lead = result.parts[0].result.lead
    assert "Smailov" in lead and "Velayati" not in lead and "Pashinyan" not in lead


def test_a_question_with_nothing_to_route_goes_to_the_current_article(library: Library) -> None:
    result = library.ask("where was it held?", current="russia-iran-partners")
    assert result.article.id == "russia-iran-partners"
    assert result.status is Status.ANSWER


def test_blind_sets_are_as_right_in_the_library_as_alone(library: Library) -> None:
    """Each article's blind questions, asked of the library with that article current, are
    judged right as often as by the article's own engine. A question its article does not
    answer that names someone of another article goes there: declined there, it is declined
    (one may be answered by the other article, which does answer it)."""
    alone = together = 0
    for case in article_cases(ARTICLES):
        blind = load_blind(case.questions)
        engine = library.engine(blind.article)
        for item in blind.items:
            alone += judge_blind(engine.kb, item, engine.answer(item.question))[0]
            reply = library.ask(item.question, current=blind.article).parts[0]
            if reply.article.id == blind.article:
                together += judge_blind(engine.kb, item, reply.result)[0]
            elif item.declinable:
                # "what did Erdogan say?" of an article that never quotes him goes to one that
                # names him: that article's reply about him is no wrong answer to the question
                named_there = any(p.name.split()[-1].casefold() in item.question.casefold()
                                  for p in library.kb(reply.article.id).people)
                together += reply.result.status is Status.NO_ANSWER or named_there
    assert together >= alone - 2, (together, alone)


def test_named_blind_questions_find_their_article_with_no_current_one(library: Library) -> None:
    """Questions naming the speaker find the right article among them all, told nothing."""
    named = right = 0
    for case in article_cases(ARTICLES):
        blind = load_blind(case.questions)
        for item in blind.items:
            if item.kind != "plain" or not item.speaker or item.type not in (
                    "what_said", "who_is", "all_said"):
                continue
            surname = item.speaker.split()[-1].casefold()
            if surname not in item.question.casefold():
                continue
            engine = library.engine(blind.article)
            if not judge_blind(engine.kb, item, engine.answer(item.question))[0]:
                continue  # its own article misses it: nothing for the library to find
            named += 1
            result = library.ask(item.question)
            right += any(p.article.id == blind.article for p in result.parts)
    assert named >= 40
    assert right == named


def test_the_cache_makes_a_second_start_read_instead_of_build(archive: Path,
                                                               tmp_path: Path) -> None:
    first = Library.load(archive, shared_model(), cache_dir=tmp_path / "cache")
    assert first.built() == len(article_cases(ARTICLES)) + 1  # built while loading, and written to the cache
    second = Library.load(archive, shared_model(), cache_dir=tmp_path / "cache")
    assert second.built() == 0  # nothing built: engines are read back on first use
    question = "What did Aripov say about industrial cooperation?"
    assert second.ask(question).text == first.ask(question).text
    assert second.built() == 1


def test_an_unreadable_cache_file_is_rebuilt(archive: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    Library.load(archive, shared_model(), cache_dir=cache)
    for file in cache.glob("engine-*.pkl"):
        file.write_bytes(b"not a pickle")
    library = Library.load(archive, shared_model(), cache_dir=cache)
    assert library.ask("who mentioned Patrushev").status is Status.ANSWER


def test_reloading_one_changed_article_rebuilds_only_it(tmp_path: Path) -> None:
    folder = copy_archive(tmp_path / "knowledge")
    service = KnowledgeService.load(folder, shared_model(), cache_dir=tmp_path / "cache")
    before = service.library
    unchanged = {a.id: before.engine(a.id) for a in before.articles}
    file = folder / "kazakh-uzbek-pms-talks.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace(
        "title: Kazakh, Uzbek PMs held talks\n  outlet", "title: Kazakh and Uzbek PMs met\n"
        "  outlet", 1), encoding="utf-8")
    outcome = service.reload()
    assert outcome.ok, outcome.errors
    after = service.library
    assert after is not before
    for article_id, engine in unchanged.items():
        if article_id == "kazakh-uzbek-pms-talks":
            assert after.engine(article_id) is not engine
            assert after.engine(article_id).kb.articles[0].title == "Kazakh and Uzbek PMs met"
        else:
            assert after.engine(article_id) is engine


def test_a_broken_file_keeps_the_old_library_serving(tmp_path: Path) -> None:
    folder = copy_archive(tmp_path / "knowledge")
    service = KnowledgeService.load(folder, shared_model())
    (folder / "kazakh-uzbek-pms-talks.yaml").write_text("article: [unclosed", encoding="utf-8")
    outcome = service.reload()
    assert not outcome.ok and outcome.errors
    result = service.library.ask("What did Aripov say about industrial cooperation?")
    assert result.status is Status.ANSWER


def test_two_files_with_one_article_id_are_refused(tmp_path: Path) -> None:
    folder = copy_archive(tmp_path / "knowledge")
    shutil.copy(folder / "kazakh-uzbek-pms-talks.yaml", folder / "copy.yaml")
    with pytest.raises(KnowledgeError, match="kazakh-uzbek-pms-talks"):
        Library.load(folder, shared_model())
