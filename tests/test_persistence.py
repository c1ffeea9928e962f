"""What survives a restart: conversations (and, below, buttons), through PTB's persistence.

Each "run" of the bot is a separate ``build_application`` over the same data folder, talking to
the fake Bot API over real HTTP, initialised and shut down as :func:`bot.serving.serve` does
(``async with application``); the second run knows only what the first left on disk.
"""

from __future__ import annotations

import pickle
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import REAL_KNOWLEDGE
from fake_bot_api import FakeBotApi
from telegram import Update

from bot.conversation import EMPTY
from bot.conversation import ask as ask_in_context
from bot.engine import Engine
from bot.knowledge import load_knowledge
from bot.render import HTML, render_person, render_result
from bot.semantic import shared_model
from bot.service import KnowledgeService
from bot.settings import Settings
from bot.storage import QuestionLog
from bot.telegram import questions
from bot.telegram.buttons import STALE_BUTTON_NOTICE
from bot.telegram.keyboards import FEEDBACK_LABELS, example_question, example_statements
from bot.telegram.persistence import open_persistence, persistence_files
from bot.telegram.replies import statement_result
from bot.telegram_app import BotApplication, build_application, post_init, post_shutdown

USER = 5101
FIRST = "what did velayati say about brics?"
FOLLOW_UP = "and what else did he say?"


@pytest.fixture
def settings(telegram_settings: Callable[..., Settings], real_knowledge_copy: Path) -> Settings:
    """The fake server, a copy of the real knowledge, one data folder for every run."""
    return telegram_settings(KNOWLEDGE_PATH=str(real_knowledge_copy))


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The real engine over the real knowledge, to compute the expected replies."""
    return Engine(load_knowledge(REAL_KNOWLEDGE), shared_model())


@asynccontextmanager
async def bot_run(settings: Settings) -> AsyncIterator[BotApplication]:
    """One run of the bot: built, initialised (post_init too), then shut down (flushed)."""
    service = KnowledgeService.load(settings.knowledge_path)
    app = build_application(settings, service)
    async with app:
        await post_init(app)
        yield app
        await post_shutdown(app)


def last_sent(fake: FakeBotApi) -> str:
    """The HTML text of the bot's last message to the user."""
    sent = [c for c in fake.calls("sendMessage") if not c.failed
            and int(c.params["chat_id"]) == USER]
    return str(sent[-1].params["text"])


async def say(app: BotApplication, fake: FakeBotApi, text: str) -> str:
    """Send ``text`` in the user's private chat; return the text of the bot's reply."""
    data: dict[str, Any] = fake.message_update(text, user_id=USER)
    update_id = fake.push_update(data)
    await app.process_update(Update.de_json({"update_id": update_id, **data}, app.bot))
    return last_sent(fake)


async def test_a_follow_up_is_understood_across_a_restart(
        settings: Settings, fake_api: FakeBotApi, engine: Engine) -> None:
    result, after = ask_in_context(engine, FIRST, EMPTY)
    expected, _ = ask_in_context(engine, FOLLOW_UP, after)
    assert expected.status.value == "answer"  # "he" is Velayati: the rest of his words
    async with bot_run(settings) as app:
        assert await say(app, fake_api, FIRST) == render_result(result, engine.kb, HTML)
    assert all(f.is_file() for f in persistence_files(settings.state_path))
    async with bot_run(settings) as app:  # a new process would see exactly this
        reply = await say(app, fake_api, FOLLOW_UP)
    assert reply == render_result(expected, engine.kb, HTML)
    alone = engine.answer(FOLLOW_UP)  # without the conversation, "he" is no one
    assert reply != render_result(alone, engine.kb, HTML)


async def test_a_conversation_older_than_its_ttl_is_forgotten_after_a_restart(
        settings: Settings, fake_api: FakeBotApi, engine: Engine,
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with bot_run(settings) as app:
        await say(app, fake_api, FIRST)
    monkeypatch.setattr(questions, "CONVERSATION_TTL", 0.0)  # the restart took longer than it
    async with bot_run(settings) as app:
        assert USER not in app.chat_data  # dropped at start-up, not kept for ever
        reply = await say(app, fake_api, FOLLOW_UP)
    assert reply == render_result(engine.answer(FOLLOW_UP), engine.kb, HTML)


def test_an_unreadable_state_file_is_moved_aside(settings: Settings,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    chats, buttons = persistence_files(settings.state_path)
    chats.parent.mkdir(parents=True, exist_ok=True)
    chats.write_bytes(b"\x80\x05 not a pickle at all")
    buttons.write_bytes(pickle.dumps(({}, {})))
    assert open_persistence(settings.state_path) is not None
    assert not chats.exists() and buttons.exists()  # only what cannot be read is moved
    (aside,) = chats.parent.glob("bot-state_chat_data.unreadable-*")
    assert aside.read_bytes().startswith(b"\x80\x05")
    assert "moved it to" in caplog.text


async def test_the_bot_starts_and_answers_after_a_broken_state_file(
        settings: Settings, fake_api: FakeBotApi, engine: Engine) -> None:
    for file in persistence_files(settings.state_path):
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b"garbage")  # e.g. a crash in the middle of a write
    async with bot_run(settings) as app:
        assert await say(app, fake_api, FIRST) == render_result(engine.answer(FIRST), engine.kb,
                                                                 HTML)


# --------------------------------------------------------------------------------------------
# Buttons: what each one stands for is in PTB's callback data cache, saved with the rest
# --------------------------------------------------------------------------------------------

async def press(app: BotApplication, fake: FakeBotApi, message: dict[str, Any],
                label: str) -> None:
    """Press the button labelled ``label`` on ``message``, as bot.serving processes it."""
    rows = message["reply_markup"]["inline_keyboard"]
    (data,) = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    payload = fake.callback_query_update(data, message, user_id=USER)
    update_id = fake.push_update(payload)
    update = Update.de_json({"update_id": update_id, **payload}, app.bot)
    app.bot.insert_callback_data(update)
    await app.process_update(update)


async def test_buttons_sent_before_a_restart_work_after_it(
        settings: Settings, fake_api: FakeBotApi, engine: Engine) -> None:
    kb = engine.kb
    async with bot_run(settings) as app:
        await say(app, fake_api, "/speakers")
        speakers = fake_api.bot_messages(USER)[-1]
        await say(app, fake_api, "/start")
        start = fake_api.bot_messages(USER)[-1]
    async with bot_run(settings) as app:
        await press(app, fake_api, speakers, "Mehdi Sanaei")
        assert last_sent(fake_api) == render_person(kb.person("sanaei"), kb, HTML)
        first = example_statements(kb)[0]
        await press(app, fake_api, start, example_question(first, kb))
        assert last_sent(fake_api) == render_result(statement_result(first), kb, HTML)
    answered = fake_api.calls("answerCallbackQuery")
    assert len(answered) == 2 and not any(c.params.get("text") for c in answered)  # no notice


async def test_a_button_from_a_forgotten_run_is_out_of_date(
        settings: Settings, fake_api: FakeBotApi) -> None:
    async with bot_run(settings) as app:
        await say(app, fake_api, "/speakers")
        speakers = fake_api.bot_messages(USER)[-1]
    for file in persistence_files(settings.state_path):
        file.unlink()  # as if the state had been lost
    async with bot_run(settings) as app:
        sent = len(fake_api.calls("sendMessage"))
        await press(app, fake_api, speakers, "Mehdi Sanaei")
    assert fake_api.calls("answerCallbackQuery")[-1].params["text"] == STALE_BUTTON_NOTICE
    assert len(fake_api.calls("sendMessage")) == sent


async def test_a_feedback_button_from_before_a_restart_is_stored(
        settings: Settings, fake_api: FakeBotApi) -> None:
    async with bot_run(settings) as app:
        await say(app, fake_api, FIRST)
        answer = fake_api.bot_messages(USER)[-1]
    with QuestionLog(settings.data_path) as question_log:
        service = KnowledgeService.load(settings.knowledge_path)
        async with build_application(settings, service, question_log) as app:
            await press(app, fake_api, answer, FEEDBACK_LABELS["down"])
        (disliked,) = question_log.disliked()
    assert disliked.question == FIRST and "velayati-brics-sco" in disliked.shown
