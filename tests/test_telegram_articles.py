"""Many articles in Telegram: /articles, choosing a chat's article, deep links, routing.

The real application over the real articles (the development ones and the bundled one) and
the real engines, one update at a time through PTB's HTTP stack against the fake Bot API.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import FakeBotApi
from telegram import Update
from test_library import ARTICLES, copy_archive

from bot.evaluation import article_cases
from bot.render import HTML, render_about
from bot.semantic import shared_model
from bot.service import KnowledgeService
from bot.settings import Settings
from bot.telegram.keyboards import button_label
from bot.telegram_app import BotApplication, build_application

USER = 5001


class Chat:
    """The application, the fake server, and one private chat with the bot."""

    def __init__(self, app: BotApplication, fake: FakeBotApi, service: KnowledgeService) -> None:
        self.app, self.fake, self.service = app, fake, service

    async def dispatch(self, data: dict[str, Any]) -> None:
        update_id = self.fake.push_update(data)
        update = Update.de_json({"update_id": update_id, **data}, self.app.bot)
        self.app.bot.insert_callback_data(update)  # as bot.serving does
        await self.app.process_update(update)

    async def say(self, text: str) -> None:
        await self.dispatch(self.fake.message_update(text, user_id=USER))

    async def press(self, label: str) -> None:
        """Press the button labelled ``label`` on the bot's last message."""
        message = self.fake.bot_messages(USER)[-1]
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        (data,) = [b["callback_data"] for row in rows for b in row if b["text"] == label]
        await self.dispatch(self.fake.callback_query_update(data, message, user_id=USER))

    def last_sent(self) -> dict[str, Any]:
        sent = [c for c in self.fake.calls("sendMessage") if not c.failed]
        return dict(sent[-1].params)

    def last_text(self) -> str:
        """The HTML text of the bot's last message."""
        return str(self.last_sent()["text"])

    def last_buttons(self) -> list[dict[str, Any]]:
        markup = self.last_sent().get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture
async def chat(fake_api: FakeBotApi, telegram_settings: Callable[..., Settings],
               tmp_path: Path) -> AsyncIterator[Chat]:
    folder = copy_archive(tmp_path / "archive")
    service = KnowledgeService.load(folder, shared_model())
    app = build_application(telegram_settings(KNOWLEDGE_PATH=str(folder)), service, None)
    async with app:
        yield Chat(app, fake_api, service)


async def test_articles_lists_them_with_buttons_that_choose_one(chat: Chat) -> None:
    await chat.say("/articles")
    library = chat.service.library
    assert f"Articles ({len(article_cases(ARTICLES)) + 1}), newest first" in chat.last_text()
    buttons = chat.last_buttons()
    assert [b["text"] for b in buttons] == [button_label(a.title)
                                            for a in library.articles[:10]]
    # the last one listed, whichever it is as the corpus grows
    chosen = library.articles[:10][-1]
    kb = library.kb(chosen.id)
    await chat.press(button_label(chosen.title))
    assert "Now answering about" in chat.last_text()
    assert html.escape(chosen.title, quote=False) in chat.last_text()
    await chat.say("/about")
    assert chat.last_text() == render_about(kb, HTML)
    await chat.say("/speakers")
    speaker = kb.quoted_people()[0].name.split()[-1]
    assert html.escape(speaker, quote=False) in chat.last_text()
    assert "Velayati" not in chat.last_text()
    # a question naming no one is about the chosen article
    topic = next(t for t in kb.topics if any(t.id in st.topics for st in kb.statements))
    await chat.say(f"who talked about {topic.name}?")
    assert html.escape(chosen.outlet, quote=False) in chat.last_text()


async def test_a_deep_link_chooses_the_article(chat: Chat) -> None:
    await chat.say("/start russia-iran-partners")
    assert "Russia and Iran are natural and close partners" in chat.last_text()
    await chat.say("/topics")
    assert "BRICS" in [b["text"] for b in chat.last_buttons()]
    await chat.say("/articles")  # the chat's own article is listed, however old
    assert "current" in chat.last_text()


async def test_a_question_naming_someone_finds_their_article_and_makes_it_current(
        chat: Chat) -> None:
    await chat.say("/start russia-iran-partners")
    await chat.say("What did Aripov say about industrial cooperation?")
    assert "industrial cooperation" in chat.last_text()
    assert "El.kz" in chat.last_text()
    await chat.say("/about")
    assert "Kazakh, Uzbek PMs held talks" in chat.last_text()


async def test_not_in_the_article_suggests_the_articles_that_answer(chat: Chat) -> None:
    await chat.say("/start kazakh-uzbek-pms-talks")
    await chat.say("who talked about sanctions?")
    text = chat.last_text()
    assert "The article does not answer that" in text
    assert "Other articles answer this" in text
    assert "Velayati" not in text.split("Other articles")[0]


async def test_a_button_for_an_article_removed_since_is_out_of_date(chat: Chat) -> None:
    title = chat.service.library.card("kazakh-uzbek-pms-talks").ref.title
    await chat.say("/start kazakh-uzbek-pms-talks")  # listed, however old, as the chat's own
    await chat.say("/articles")
    before = len(chat.fake.bot_messages(USER))
    (chat.service.path / "kazakh-uzbek-pms-talks.yaml").unlink()
    assert chat.service.reload(force=True).ok
    await chat.press(button_label(title))
    assert len(chat.fake.bot_messages(USER)) == before
    answers = chat.fake.calls("answerCallbackQuery")
    assert "no longer served" in str(answers[-1].params.get("text"))


async def test_inline_mode_searches_every_article(chat: Chat) -> None:
    newest = chat.service.library.default_article
    assert newest != "kazakh-uzbek-pms-talks"  # the quote asked for is not in the newest
    await chat.dispatch(chat.fake.inline_query_update("aripov industrial cooperation"))
    call = chat.fake.calls("answerInlineQuery")[-1]
    assert not call.failed
    texts = [r["input_message_content"]["message_text"] for r in call.params["results"]]
    assert texts and "industrial cooperation" in texts[0] and "Abdulla Aripov" in texts[0]
    ids = [r["id"] for r in call.params["results"]]
    assert len(ids) == len(set(ids))  # unique, even where two articles share an entry id
