"""👍 / 👎 under answers: the buttons, what pressing them stores, and where admins see it.

The Telegram side uses the real application against the fake Bot API (the harness of
tests/test_handlers.py: a scripted engine over the tiny article); buttons are pressed with
real callback_query updates. The storage side is the question log's feedback table.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import REAL_KNOWLEDGE, TELEGRAM_ADMIN_ID
from fake_bot_api import FakeBotApi
from test_handlers import USER, Harness, ScriptedEngine, answer

from bot.cli import main
from bot.engine import Result, Status, Suggestion
from bot.knowledge import load_knowledge
from bot.render import HTML, render_person
from bot.reports import format_unanswered
from bot.service import KnowledgeService
from bot.settings import Settings
from bot.storage import Disliked, QuestionLog
from bot.telegram.keyboards import FEEDBACK_LABELS
from bot.telegram.replies import FEEDBACK_THANKS
from bot.telegram_app import build_application

UP, DOWN = FEEDBACK_LABELS["up"], FEEDBACK_LABELS["down"]
T0 = datetime(2026, 11, 26, 14, 3, tzinfo=UTC)


@pytest.fixture
async def harness(fake_api: FakeBotApi, telegram_settings: Callable[..., Settings],
                  tiny_knowledge: Path, tmp_path: Path) -> AsyncIterator[Harness]:
    """The real application over the tiny article with a scripted engine, initialised."""
    kb = load_knowledge(tiny_knowledge)
    engine = ScriptedEngine(kb)
    service = KnowledgeService(tiny_knowledge, engine)  # type: ignore[arg-type]
    question_log = QuestionLog(tmp_path / "log.sqlite3")
    app = build_application(telegram_settings(), service, question_log)
    async with app:
        yield Harness(app, fake_api, engine, question_log, kb, tiny_knowledge)
    question_log.close()


def rows(message: dict[str, Any]) -> list[list[str]]:
    """The button labels of a message as the fake holds it now, row by row."""
    return [[b["text"] for b in row]
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])]


def feedback_rows(path: Path) -> list[tuple[str, str, str]]:
    """(question, shown, verdict) of every stored verdict, oldest first."""
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT question, shown, verdict FROM feedback ORDER BY id").fetchall()


async def ask_alice(harness: Harness) -> dict[str, Any]:
    """An answer quoting Alice twice; returns the reply as the fake holds it."""
    harness.engine.script["what did alice say"] = answer(
        "what did alice say", "alice-trade", "alice-future", kb=harness.kb)
    await harness.command("what did alice say")
    return harness.last_message()


# --------------------------------------------------------------------------------------------
# Which replies carry the row
# --------------------------------------------------------------------------------------------

async def test_an_answer_gets_a_feedback_row_under_its_other_buttons(harness: Harness) -> None:
    reply = await ask_alice(harness)
    assert rows(reply) == [["More from Alice Example"], [UP, DOWN]]


async def test_replies_that_are_not_answers_get_no_feedback_row(harness: Harness) -> None:
    harness.engine.script["alice?"] = Result(
        "alice?", Status.CLARIFY, (), "Which one?",
        (Suggestion("Alice on trade", "What did Alice say about trade?"),), "")
    await harness.command("alice?")  # a clarify question
    assert harness.labels() == ["Alice on trade"]
    await harness.command("what is the weather")  # not in the article
    assert UP not in harness.labels() and DOWN not in harness.labels()
    harness.engine.script["empty"] = Result("empty", Status.ANSWER, (), "Nothing.", (), "")
    await harness.command("empty")  # an "answer" that shows nothing
    assert harness.labels() == []
    await harness.command("/start")
    await harness.press("What did Bob say about sanctions?")  # a button showing its example
    assert harness.labels() == ["More from Bob Sample"]


# --------------------------------------------------------------------------------------------
# Pressing
# --------------------------------------------------------------------------------------------

async def test_thumbs_down_is_stored_thanked_and_its_row_removed(harness: Harness) -> None:
    reply = await ask_alice(harness)
    await harness.press(DOWN)
    thanks = harness.fake.calls("answerCallbackQuery")[-1]
    assert thanks.params["text"] == FEEDBACK_THANKS and not thanks.failed
    assert rows(harness.last_message()) == [["More from Alice Example"]]  # the rest stays
    assert harness.last_message()["message_id"] == reply["message_id"]  # edited, not resent
    (disliked,) = harness.question_log.disliked()
    assert (disliked.question, disliked.shown, disliked.count) == (
        "what did alice say", ("alice-trade", "alice-future"), 1)
    await harness.press("More from Alice Example")  # the kept button still works
    assert harness.last_text() == render_person(harness.kb.person("alice"), harness.kb, HTML)


async def test_thumbs_up_is_stored_but_not_listed_as_disliked(harness: Harness) -> None:
    harness.engine.script["trade and sanctions"] = answer(
        "trade and sanctions", "alice-trade", "bob-sanctions", kb=harness.kb)
    await harness.command("trade and sanctions")
    assert rows(harness.last_message()) == [[UP, DOWN]]
    await harness.press(UP)
    assert "reply_markup" not in harness.last_message()  # nothing else was on it
    assert feedback_rows(Path(harness.question_log.path)) == [
        ("trade and sanctions", "alice-trade bob-sanctions", "up")]
    assert harness.question_log.disliked() == []


async def test_a_long_answer_has_the_row_on_its_last_message_only(harness: Harness) -> None:
    template = harness.kb.statement("alice-trade")  # 30 long quotes: several messages
    quotes = tuple(dataclasses.replace(template, id=f"q-{i}", text=f"Quote {i}: " + (
        "trade grows " * 60)) for i in range(30))
    harness.engine.kb = kb = dataclasses.replace(harness.kb, statements=quotes)
    harness.engine.script["all of it"] = answer("all of it", *(q.id for q in quotes), kb=kb)
    await harness.command("all of it")
    messages = harness.fake.bot_messages(USER)
    assert len(messages) >= 2
    assert [rows(m) for m in messages] == [[]] * (len(messages) - 1) + [
        [["More from Alice Example"], [UP, DOWN]]]
    await harness.press(DOWN)  # on the last message, where the row is
    after = harness.fake.bot_messages(USER)
    assert [m["text"] for m in after] == [m["text"] for m in messages]  # nothing else edited
    assert [rows(m) for m in after] == [[]] * (len(messages) - 1) + [
        [["More from Alice Example"]]]
    (disliked,) = harness.question_log.disliked()
    assert disliked.shown == tuple(q.id for q in quotes)  # every quote the answer showed


async def press_as_seen_before(harness: Harness, seen: dict[str, Any], label: str, *,
                               user_id: int = USER) -> None:
    """Press ``label`` on the answer as a client shows it that has not seen the edit yet."""
    (data,) = [b["callback_data"] for row in seen["reply_markup"]["inline_keyboard"]
               for b in row if b["text"] == label]
    current = harness.last_message()
    update = harness.fake.callback_query_update(
        current["reply_markup"]["inline_keyboard"][0][0]["callback_data"], current,
        user_id=user_id)
    update["callback_query"].update(data=data, message=seen)
    await harness.dispatch(update)


async def test_a_second_press_by_the_same_reader_is_stored_once(harness: Harness) -> None:
    seen = await ask_alice(harness)  # as it was before the first press removed the row
    await harness.press(DOWN)
    await press_as_seen_before(harness, seen, DOWN)  # pressed again before the edit showed
    await press_as_seen_before(harness, seen, UP)  # a change of mind is not a second vote
    assert [v for _, _, v in feedback_rows(Path(harness.question_log.path))] == ["down"]
    assert [c.params.get("text") for c in harness.fake.calls("answerCallbackQuery")] == [
        FEEDBACK_THANKS] * 3
    await press_as_seen_before(harness, seen, DOWN, user_id=USER + 1)  # another reader counts
    assert harness.question_log.disliked()[0].count == 2


async def test_the_same_question_answered_twice_gets_two_verdicts(harness: Harness) -> None:
    await ask_alice(harness)
    await harness.press(DOWN)
    await ask_alice(harness)  # a new answer: a new verdict of the same reader counts
    await harness.press(DOWN)
    assert harness.question_log.disliked()[0].count == 2


async def test_unanswered_shows_the_thumbs_down_answers(harness: Harness) -> None:
    await ask_alice(harness)
    await harness.press(DOWN)
    await harness.command("what is the weather")  # no answer
    await harness.command("/unanswered", user_id=TELEGRAM_ADMIN_ID)
    text = harness.last_text(TELEGRAM_ADMIN_ID)
    assert "what is the weather" in text
    assert f"Answers marked {DOWN} (1):" in text and "what did alice say" in text
    assert "shown: alice-trade (Alice Example), alice-future (Alice Example)" in text


# --------------------------------------------------------------------------------------------
# Storage
# --------------------------------------------------------------------------------------------

def test_a_verdict_is_stored_once_per_reader_and_answer(tmp_path: Path) -> None:
    with QuestionLog(tmp_path / "log.sqlite3") as log:
        first: dict[str, Any] = {"answer": "a1", "question": "who is bob", "shown": ["bob"],
                                 "user_id": 1}
        assert log.record_feedback(verdict="down", **first, at=T0) is True
        assert log.record_feedback(verdict="down", **first) is False
        assert log.record_feedback(verdict="up", **first) is False
        assert log.record_feedback(verdict="down", **{**first, "user_id": 2},
                                   at=T0 + timedelta(minutes=1)) is True
        assert log.record_feedback(verdict="down", **{**first, "answer": "a2"}) is True
        assert log.disliked(since=T0 + timedelta(seconds=30))[0].count == 2
        with pytest.raises(ValueError, match="verdict"):
            log.record_feedback(verdict="meh", **first)
    with sqlite3.connect(tmp_path / "log.sqlite3") as conn:
        hashes = {h for (h,) in conn.execute("SELECT user_hash FROM feedback")}
        asked = {h for (h,) in conn.execute("SELECT user_hash FROM questions")}
    assert len(hashes) == 2 and "1" not in hashes and "2" not in hashes
    assert asked == set()


def test_feedback_uses_the_question_logs_user_hash(tmp_path: Path) -> None:
    with QuestionLog(tmp_path / "log.sqlite3") as log:
        log.record(question="who is bob", status="answer", user_id=42)
        log.record_feedback(answer="a", question="who is bob", shown=["bob"], verdict="down",
                            user_id=42)
        expected = log.user_hash(42)
    with sqlite3.connect(tmp_path / "log.sqlite3") as conn:
        (asked,) = conn.execute("SELECT user_hash FROM questions").fetchone()
        (judged,) = conn.execute("SELECT user_hash FROM feedback").fetchone()
    assert asked == judged == expected


def test_disliked_groups_the_same_answer_newest_first(tmp_path: Path) -> None:
    with QuestionLog(tmp_path / "log.sqlite3") as log:
        for minute, (answer_id, question, shown) in enumerate([
                ("a", "who is bob", ["bob"]), ("b", "who is bob", ["bob"]),
                ("c", "what did alice say", ["alice-trade"]), ("d", "who is bob", ["carol"])]):
            log.record_feedback(answer=answer_id, question=question, shown=shown,
                                verdict="down", user_id=1, at=T0 + timedelta(minutes=minute))
        log.record_feedback(answer="e", question="liked", shown=["x"], verdict="up", user_id=1)
        disliked = log.disliked()
        assert log.disliked(limit=1) == disliked[:1]
    assert [(d.question, d.shown, d.count) for d in disliked] == [
        ("who is bob", ("carol",), 1), ("what did alice say", ("alice-trade",), 1),
        ("who is bob", ("bob",), 2)]
    assert disliked[2].last_at == T0 + timedelta(minutes=1)


def test_a_version_1_log_gains_the_feedback_table(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    with QuestionLog(path) as log:
        log.record(question="kept", status="no_answer", user_id=1)
    with sqlite3.connect(path) as conn:  # back to what version 1 wrote
        conn.execute("DROP TABLE feedback")
        conn.execute("DROP INDEX questions_article_status")
        conn.execute("ALTER TABLE questions DROP COLUMN article")
        conn.execute("PRAGMA user_version = 1")
    with QuestionLog(path) as log:
        assert [g.question for g in log.unanswered()] == ["kept"]
        assert log.record_feedback(answer="a", question="q", shown=[], verdict="down",
                                   user_id=1)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (3,)


def test_format_unanswered_lists_the_thumbs_down_with_speakers() -> None:
    disliked = [Disliked("who is bob", ("bob", "gone-id"), 3, T0)]
    text = format_unanswered([], disliked, {"bob": "Bob Sample"})
    assert text.splitlines() == [
        "Nothing unanswered \u2014 every question got an answer.", "",
        f"Answers marked {DOWN} (1):",
        "  3\u00d7  who is bob   (last 2026-11-26 14:03 UTC)",
        "      shown: bob (Bob Sample), gone-id"]
    assert DOWN not in format_unanswered([])


def test_cli_unanswered_lists_the_thumbs_down(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "questions.sqlite3"
    with QuestionLog(path) as log:
        log.record(question="what about the weather", status="no_answer", user_id=1)
        log.record_feedback(answer="a", question="what did velayati say about brics",
                            shown=["velayati-brics-sco"], verdict="down", user_id=1)
    monkeypatch.setenv("DATA_PATH", str(path))
    monkeypatch.setenv("KNOWLEDGE_PATH", str(REAL_KNOWLEDGE))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["unanswered"]) == 0
    out = capsys.readouterr().out
    assert "what about the weather" in out
    assert "what did velayati say about brics" in out
    assert "shown: velayati-brics-sco (Ali Akbar Velayati)" in out
