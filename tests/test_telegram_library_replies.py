"""A library's replies in Telegram: a reply from several articles, read in order under one
keyboard; an edited question asked of every article; /stats and /unanswered over the library.

The real application over the development articles and the bundled one, with a question log,
one update at a time through PTB's HTTP stack against the fake Bot API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import TELEGRAM_ADMIN_ID
from fake_bot_api import FakeBotApi
from telegram import Update
from test_library import copy_archive

from bot.results import LibraryResult
from bot.semantic import shared_model
from bot.service import KnowledgeService
from bot.settings import Settings
from bot.storage import QuestionLog
from bot.telegram.sending import plain_text
from bot.telegram_app import BotApplication, build_application

USER = 5002
ACROSS_ARTICLES = "what did Pashinyan say"  # he is quoted or cited in several articles
UP, DOWN = "\U0001f44d", "\U0001f44e"


class Chat:
    """The application, the fake server, the question log, and private chats with the bot."""

    def __init__(self, app: BotApplication, fake: FakeBotApi, service: KnowledgeService,
                 question_log: QuestionLog) -> None:
        self.app, self.fake, self.service, self.log = app, fake, service, question_log

    async def dispatch(self, data: dict[str, Any]) -> None:
        update_id = self.fake.push_update(data)
        update = Update.de_json({"update_id": update_id, **data}, self.app.bot)
        self.app.bot.insert_callback_data(update)  # as bot.serving does
        await self.app.process_update(update)

    async def say(self, text: str, user: int = USER) -> dict[str, Any]:
        data = self.fake.message_update(text, user_id=user)
        await self.dispatch(data)
        return dict(data["message"])

    def messages(self, user: int = USER) -> list[dict[str, Any]]:
        return self.fake.bot_messages(user)

    async def press(self, label: str, message: dict[str, Any], user: int = USER) -> None:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        (data,) = [b["callback_data"] for row in rows for b in row if b["text"] == label]
        await self.dispatch(self.fake.callback_query_update(data, message, user_id=user))


@pytest.fixture
async def chat(fake_api: FakeBotApi, telegram_settings: Callable[..., Settings],
               tmp_path: Path) -> AsyncIterator[Chat]:
    folder = copy_archive(tmp_path / "archive")
    service = KnowledgeService.load(folder, shared_model())
    with QuestionLog(tmp_path / "log.sqlite3") as question_log:
        app = build_application(telegram_settings(KNOWLEDGE_PATH=str(folder)), service,
                                question_log)
        async with app:
            yield Chat(app, fake_api, service, question_log)


def labels(message: dict[str, Any]) -> list[list[str]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [[b["text"] for b in row] for row in rows]


def across_articles(chat: Chat) -> LibraryResult:
    library = chat.service.library
    replied = library.ask(ACROSS_ARTICLES, library.default_article)
    assert len(replied.parts) >= 2  # else this file tests nothing
    return replied


async def test_a_reply_from_several_articles_reads_in_order_under_one_keyboard(
        chat: Chat) -> None:
    replied = across_articles(chat)
    await chat.say(ACROSS_ARTICLES)
    sent = chat.messages()
    text = "\n\n".join(plain_text(m["text"]) for m in sent)
    # each article's part in the library's order, the first one's source before the second
    # part begins, and nothing after the last part but its source
    headings = [text.index(f"In \u201c{p.article.title}\u201d") for p in replied.parts[1:]]
    assert headings == sorted(headings)
    first_source = text.index(f"\u201c{replied.parts[0].article.title}\u201d")
    assert first_source < headings[0]
    # one keyboard, under the whole reply (on its last message), ending with the 👍 👎 row
    assert [bool(labels(m)) for m in sent] == [False] * (len(sent) - 1) + [True]
    assert labels(sent[-1])[-1] == [UP, DOWN]
    # the 👎 rates every article's entries, each named with its article
    await chat.press(DOWN, sent[-1])
    (disliked,) = chat.log.disliked()
    assert {i.partition("/")[0] for i in disliked.shown} == {p.article.id for p in replied.parts}
    want = {f"{p.article.id}/{m.id}" for p in replied.parts for m in p.result.matches}
    assert set(disliked.shown) == want
    # and /unanswered names whom each of them quotes, from its own article
    await chat.say("/unanswered", user=TELEGRAM_ADMIN_ID)
    report = plain_text(chat.messages(TELEGRAM_ADMIN_ID)[-1]["text"])
    for part in replied.parts:
        kb = chat.service.library.kb(part.article.id)
        for match in part.result.matches:
            if match.kind == "statement":
                speaker = kb.person(kb.statement(match.id).speaker).name
                assert f"{part.article.id}/{match.id} ({speaker})" in report


async def test_an_edited_question_is_asked_of_every_article(chat: Chat) -> None:
    replied = across_articles(chat)
    original = await chat.say("what is the weather in Paris tomorrow?")
    before = chat.messages()
    await chat.dispatch(chat.fake.edited_message_update(original, ACROSS_ARTICLES))
    after = chat.messages()
    assert len(after) >= len(before)
    text = "\n\n".join(plain_text(m["text"]) for m in after)
    assert "weather" not in text.lower()
    for part in replied.parts[1:]:
        assert f"In \u201c{part.article.title}\u201d" in text
    assert [bool(labels(m)) for m in after] == [False] * (len(after) - 1) + [True]


async def test_stats_describe_the_whole_library(chat: Chat) -> None:
    library = chat.service.library
    kazakh = library.card("kazakh-uzbek-pms-talks").ref
    await chat.say("/start kazakh-uzbek-pms-talks")
    await chat.say("What did Aripov say about industrial cooperation?")
    await chat.say("What did Smailov say about trade?")
    await chat.say("what is the weather in Paris tomorrow?")  # not answered there
    await chat.say("What did Velayati say about BRICS?", user=USER + 1)
    await chat.say("/stats", user=TELEGRAM_ADMIN_ID)
    report = plain_text(chat.messages(TELEGRAM_ADMIN_ID)[-1]["text"])
    assert f"Articles asked about: 2 of {len(library.cards)} served" in report
    lines = report.splitlines()
    most = lines.index("  most asked (questions, unanswered):")
    assert lines[most + 1].split()[:2] == ["3", "1"]
    assert kazakh.title[:30] in lines[most + 1] and "(kazakh-uzbek-pms-talks)" in lines[most + 1]
    assert "(russia-iran-partners)" in lines[most + 2]
    # people are named from the articles they were asked in, not only the newest one
    people = next(line for line in lines if line.startswith("Most asked people:"))
    assert "Abdulla Aripov" in people and "Ali Akbar Velayati" in people


async def test_not_in_the_article_names_the_others_before_the_choices_it_offers(
        chat: Chat) -> None:
    await chat.say("/start kazakh-uzbek-pms-talks")
    await chat.say("who talked about sanctions?")
    (reply,) = chat.messages()[-1:]
    text = plain_text(reply["text"])
    # the lead, then where the answer is, then the choices right above their buttons
    assert text.index("does not answer that") < text.index("Other articles answer this:")
    assert text.index("Other articles answer this:") < text.index("Try:")
    choices = [line.removeprefix("\u2022 ")
               for line in text[text.index("Try:"):].splitlines()[1:]]
    assert len(choices) == len(labels(reply)) >= 1  # the reply ends with them
    for (label,), choice in zip(labels(reply), choices, strict=True):
        assert choice.startswith(label.rstrip("\u2026"))
