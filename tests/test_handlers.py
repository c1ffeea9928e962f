"""Handlers, one update at a time: real ``Update`` objects, the real application, a fake server.

Each test builds the application with :func:`bot.telegram_app.build_application` (base_url at
the fake Bot API), turns a dict into an ``Update`` with ``Update.de_json`` and dispatches it with
``app.process_update``; what the bot did is read from the calls the fake server recorded. The
engine is scripted, so these tests pin the Telegram side only; the real engine is exercised in
tests/test_telegram_e2e.py.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import TELEGRAM_ADMIN_ID
from fake_bot_api import BOT_USERNAME, Call, FakeBotApi, parse_html
from telegram import Update
from telegram.error import NetworkError, TimedOut
from test_blocks import balanced

from bot.engine import Match, Result, Status, Suggestion
from bot.inbox import Inbox, Incoming
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.render import HTML, render_about, render_person, render_result, result_blocks
from bot.service import KnowledgeService
from bot.settings import Settings
from bot.storage import QuestionLog
from bot.telegram.buttons import STALE_BUTTON_NOTICE
from bot.telegram.errors import APOLOGY
from bot.telegram.questions import TYPING_AFTER_SECONDS, addressed_question
from bot.telegram.retrying import RetryingRateLimiter
from bot.telegram.sending import plain_text
from bot.telegram.state import STATE_KEY, BotState, BoundedMap
from bot.telegram_app import (
    ADMIN_COMMANDS,
    PUBLIC_COMMANDS,
    BotApplication,
    build_application,
    file_base_url,
    post_init,
)

USER = 5001  # an ordinary user (private chat id = user id)
GROUP = -4000000077


# --------------------------------------------------------------------------------------------
# A scripted engine and a harness around the real application
# --------------------------------------------------------------------------------------------

class ScriptedEngine:
    """Stands in for bot.engine.Engine: returns a scripted Result per question."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.script: dict[str, Result | Callable[[], Result]] = {}
        self.asked: list[str] = []

    def answer(self, question: str) -> Result:
        """The scripted result, else a no_answer with one suggestion."""
        self.asked.append(question)
        scripted = self.script.get(question)
        if callable(scripted):
            return scripted()
        if scripted is not None:
            return scripted
        return Result(question, Status.NO_ANSWER, (), "The article does not answer that.",
                      (Suggestion("Bob on sanctions", "What did Bob say about sanctions?"),), "")


def answer(question: str, *statement_ids: str, kb: KnowledgeBase) -> Result:
    """An ANSWER result quoting ``statement_ids``."""
    matches = tuple(Match(s, "statement", kb.statement(s).speaker, 90.0) for s in statement_ids)
    return Result(question, Status.ANSWER, matches, "", (), "")


@dataclass
class Harness:
    """The application under test, the fake server it talks to, and helpers."""

    app: BotApplication
    fake: FakeBotApi
    engine: ScriptedEngine
    question_log: QuestionLog
    kb: KnowledgeBase
    knowledge: Path

    async def dispatch(self, data: dict[str, Any]) -> None:
        """Register the update with the fake (as Telegram knows it), then process it as
        bot.serving does (buttons' callback data looked up in the cache first)."""
        update_id = self.fake.push_update(data)
        update = Update.de_json({"update_id": update_id, **data}, self.app.bot)
        self.app.bot.insert_callback_data(update)
        await self.app.process_update(update)

    async def command(self, text: str, *, user_id: int = USER) -> None:
        """A private-chat text message from ``user_id``."""
        await self.dispatch(self.fake.message_update(text, user_id=user_id))

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """sendMessage calls that succeeded, optionally to one chat."""
        return [c for c in self.fake.calls("sendMessage") if not c.failed
                and (chat_id is None or int(c.params["chat_id"]) == chat_id)]

    def last_text(self, chat_id: int = USER) -> str:
        """The HTML text of the last message sent to ``chat_id``."""
        return str(self.sent(chat_id)[-1].params["text"])

    def last_buttons(self, chat_id: int = USER) -> list[dict[str, Any]]:
        """The inline buttons of the last message sent to ``chat_id``."""
        markup = self.sent(chat_id)[-1].params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def labels(self, chat_id: int = USER) -> list[str]:
        """The texts of the inline buttons of the last message sent to ``chat_id``."""
        return [str(b["text"]) for b in self.last_buttons(chat_id)]

    def last_message(self, chat_id: int = USER) -> dict[str, Any]:
        """The last message the bot sent to ``chat_id``, as the fake stored it."""
        return self.fake.bot_messages(chat_id)[-1]

    async def press(self, label: str, *, chat_id: int = USER, user_id: int = USER,
                    message: dict[str, Any] | None = None) -> None:
        """Press the button labelled ``label`` on the last bot message in ``chat_id`` (or on
        ``message``), with whatever callback data the bot gave it."""
        message = message or self.last_message(chat_id)
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        (data,) = [b["callback_data"] for row in rows for b in row if b["text"] == label]
        await self.dispatch(self.fake.callback_query_update(data, message, user_id=user_id))


@pytest.fixture
async def harness(fake_api: FakeBotApi, telegram_settings: Callable[..., Settings],
                  tiny_knowledge: Path, tmp_path: Path) -> AsyncIterator[Harness]:
    """The real application over the tiny article with a scripted engine, initialised."""
    settings = telegram_settings()
    kb = load_knowledge(tiny_knowledge)
    engine = ScriptedEngine(kb)
    service = KnowledgeService(tiny_knowledge, engine)  # type: ignore[arg-type]
    question_log = QuestionLog(tmp_path / "log.sqlite3")
    app = build_application(settings, service, question_log)
    async with app:
        yield Harness(app, fake_api, engine, question_log, kb, tiny_knowledge)
    question_log.close()


def callback_data_of(buttons: list[dict[str, Any]]) -> list[str]:
    """The callback_data of each button (all must have one): opaque ids of at most 64 bytes."""
    data = [str(b["callback_data"]) for b in buttons]
    assert all(1 <= len(d.encode()) <= 64 for d in data)
    return data


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------

async def test_start_greets_with_title_speakers_and_three_examples(harness: Harness) -> None:
    await harness.command("/start")
    text = harness.last_text()
    assert "<b>Trade &amp; &lt;Tariffs&gt; in the tiny article</b>" in text  # escaped
    assert "It quotes Alice Example and Bob Sample." in text
    assert "Carol Absent" not in text  # named but not quoted
    assert harness.labels() == ["What did Alice say about trade?",
                                "What did Bob say about sanctions?", "What is the future?"]
    parse_html(text)


async def test_start_example_button_shows_that_statement(harness: Harness) -> None:
    await harness.command("/start")
    await harness.press("What did Bob say about sanctions?")
    text = harness.last_text()
    assert "<blockquote>Sanctions hurt everyone.</blockquote>" in text
    assert harness.labels() == ["More from Bob Sample"]
    assert harness.engine.asked == []  # the button shows its statement: no question asked
    answered = harness.fake.calls("answerCallbackQuery")
    assert len(answered) == 1 and not answered[0].failed


async def test_start_with_a_person_payload_shows_the_speaker_card(harness: Harness) -> None:
    await harness.command("/start alice")
    assert harness.last_text() == render_person(harness.kb.person("alice"), harness.kb, HTML)
    assert harness.engine.asked == []


async def test_start_with_other_payload_asks_its_words(harness: Harness) -> None:
    harness.engine.script["bob sanctions"] = answer("bob sanctions", "bob-sanctions",
                                                    kb=harness.kb)
    await harness.command("/start bob-sanctions")
    assert harness.engine.asked == ["bob sanctions"]
    assert harness.last_text() == render_result(
        harness.engine.script["bob sanctions"], harness.kb, HTML)  # type: ignore[arg-type]


async def test_help_explains_how_to_ask(harness: Harness) -> None:
    await harness.command("/help")
    text = harness.last_text()
    assert "How to ask" in text and "What did Alice say about trade?" in text
    assert "/speakers" in text and "/topics" in text and "/about" in text
    assert f"@{BOT_USERNAME}" in text
    parse_html(text)


async def test_about_renders_the_article(harness: Harness) -> None:
    await harness.command("/about")
    assert harness.last_text() == render_about(harness.kb, HTML)


async def test_speakers_buttons_open_speaker_cards(harness: Harness) -> None:
    await harness.command("/speakers")
    assert harness.labels() == ["Alice Example", "Bob Sample"]
    assert "Minister of Trade &amp; &lt;Markup&gt;" in harness.last_text()
    await harness.press("Bob Sample")
    assert harness.last_text() == render_person(harness.kb.person("bob"), harness.kb, HTML)


async def test_topic_button_asks_the_engine_about_the_topic(harness: Harness) -> None:
    await harness.command("/topics")
    assert harness.labels() == ["Trade & <investment>", "Sanctions"]  # button text is plain
    await harness.press("Sanctions")
    assert harness.engine.asked == ["Who talked about Sanctions?"]


async def test_unknown_command_in_private_points_to_help(harness: Harness) -> None:
    await harness.command("/nonsense")
    assert "/help" in harness.last_text()


async def test_commands_without_entities_are_still_commands(harness: Harness) -> None:
    def bare(text: str, **kwargs: Any) -> dict[str, Any]:
        return harness.fake.message_update(text, entities=[], **kwargs)

    await harness.dispatch(bare(f"/start@{BOT_USERNAME} alice", user_id=USER))  # with args
    assert harness.last_text() == render_person(harness.kb.person("alice"), harness.kb, HTML)
    for text in ("/nonsense", "/about@some_other_bot"):  # the latter is not ours: unknown
        before = len(harness.sent(USER))
        await harness.dispatch(bare(text, user_id=USER))
        assert len(harness.sent(USER)) == before + 1
        assert harness.last_text().startswith("I don't know that command.")
    await harness.dispatch(bare("/stats", user_id=USER))
    assert "only for the bot's admins" in harness.last_text()
    await harness.dispatch(bare("/stats", user_id=TELEGRAM_ADMIN_ID))
    assert harness.last_text(TELEGRAM_ADMIN_ID).startswith("<pre>")
    await harness.dispatch(bare("/about@some_other_bot", chat_type="group", chat_id=GROUP))
    assert harness.sent(GROUP) == [] and harness.engine.asked == []
    await harness.dispatch(bare("/about please", user_id=USER))
    assert "Tiny Times" in harness.last_text()
    # Without the entity the first word is the command, whole (PrefixHandler): "/about," is
    # none of ours, but still no question either.
    await harness.dispatch(bare("/about, please", user_id=USER))
    assert harness.last_text().startswith("I don't know that command.")
    assert harness.engine.asked == []


async def test_a_slash_inside_a_question_does_not_make_it_a_command(harness: Harness) -> None:
    await harness.command("what did alice say about trade/investment deals?")
    await harness.command("/ what did bob say")  # no command name: Telegram marks none either
    assert harness.engine.asked == ["what did alice say about trade/investment deals?",
                                    "/ what did bob say"]


# --------------------------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------------------------

async def test_answer_is_rendered_html_with_more_from_button(harness: Harness) -> None:
    result = answer("what did alice say", "alice-trade", "alice-future", kb=harness.kb)
    harness.engine.script["what did alice say"] = result
    await harness.command("what did alice say")
    call = harness.sent(USER)[-1]
    assert call.params["text"] == render_result(result, harness.kb, HTML)
    assert call.params["parse_mode"] == "HTML"
    assert "&lt;investment&gt;" in call.params["text"]
    assert harness.labels() == ["More from Alice Example", "\U0001f44d", "\U0001f44e"]
    assert harness.fake.calls("sendChatAction") == []  # the engine was quick
    await harness.press("More from Alice Example")
    assert harness.last_text() == render_person(harness.kb.person("alice"), harness.kb, HTML)


async def test_answer_quoting_two_people_has_no_more_from_button(harness: Harness) -> None:
    harness.engine.script["trade and sanctions"] = answer(
        "trade and sanctions", "alice-trade", "bob-sanctions", kb=harness.kb)
    await harness.command("trade and sanctions")
    assert harness.labels() == ["\U0001f44d", "\U0001f44e"]  # only the feedback row


async def test_every_question_is_recorded_with_people_and_topics(harness: Harness) -> None:
    harness.engine.script["q1"] = answer("q1", "alice-trade", kb=harness.kb)
    await harness.command("q1")
    await harness.command("something unknown")
    stats = harness.question_log.stats()
    assert stats.total == 2
    assert stats.by_status["answer"] == 1 and stats.by_status["no_answer"] == 1
    assert stats.top_people == [("alice", 1)] and stats.top_topics == [("trade", 1)]


async def test_a_broken_question_log_does_not_break_the_reply(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def record(self, **kwargs: Any) -> None:
            raise RuntimeError("disk on fire")

    state: BotState = harness.app.bot_data[STATE_KEY]
    state.question_log = Broken()  # type: ignore[assignment]
    await harness.command("anything")
    assert harness.sent(USER)
    assert "could not record a question" in caplog.text


async def test_clarify_offers_suggestions_as_buttons(harness: Harness) -> None:
    long_question = "What did Alice Example say about trade, investment and the partners?"
    assert len(f"a:{long_question}".encode()) > 64
    harness.engine.script["alice?"] = Result(
        "alice?", Status.CLARIFY,
        (Match("alice-trade", "statement", "alice", 60.0),
         Match("alice-future", "statement", "alice", 55.0)),
        "I am not sure which part of the article you mean.",
        (Suggestion("Alice on trade", "What did Alice say about trade?"),
         Suggestion("Alice on trade, long", long_question)), "")
    harness.engine.script[long_question] = answer(long_question, "alice-trade", kb=harness.kb)
    await harness.command("alice?")
    assert harness.labels() == ["Alice on trade", "Alice on trade, long"]
    callback_data_of(harness.last_buttons())  # opaque, within 64 bytes however long
    await harness.press("Alice on trade, long")
    assert harness.engine.asked[-1] == long_question
    assert "<blockquote>We will expand trade" in harness.last_text()


async def test_no_answer_suggests_examples_as_buttons(harness: Harness) -> None:
    await harness.command("what is the weather")
    text = harness.last_text()
    assert text.startswith("The article does not answer that.")
    assert harness.labels() == ["Bob on sanctions"]
    await harness.press("Bob on sanctions")
    assert harness.engine.asked[-1] == "What did Bob say about sanctions?"


async def test_no_answer_without_suggestions_says_what_can_be_asked(harness: Harness) -> None:
    harness.engine.script["hmm"] = Result("hmm", Status.NO_ANSWER, (), "", (), "")
    await harness.command("hmm")
    assert "I can answer questions about" in harness.last_text()
    assert harness.labels()[0] == "What did Alice say about trade?"


async def test_slow_engine_shows_typing(harness: Harness) -> None:
    def slow() -> Result:
        time.sleep(0.8)
        return answer("slow", "bob-sanctions", kb=harness.kb)

    harness.engine.script["slow"] = slow
    await harness.command("slow")
    actions = harness.fake.calls("sendChatAction")
    assert [c.params["action"] for c in actions] == ["typing"]
    assert actions[0].at < harness.sent(USER)[-1].at


async def test_long_reply_packs_whole_blocks_in_order(harness: Harness) -> None:
    template = harness.kb.statement("alice-trade")
    quotes = tuple(dataclasses.replace(template, id=f"q-{i}", text=f"Quote {i:03d}: " + (
        "trade & <investment> grows \U0001f4c8 " * 20)) for i in range(50))
    harness.engine.kb = kb = dataclasses.replace(harness.kb, statements=quotes)
    harness.engine.script["everything"] = answer("everything", *(q.id for q in quotes), kb=kb)
    await harness.command("everything")
    parts = [str(p.params["text"]) for p in harness.sent(USER)]
    assert len(parts) >= 3 and not any(p.failed for p in harness.sent(USER))
    for part in parts:
        assert len(part.encode("utf-16-le")) // 2 <= 4096 and balanced(part)
        parse_html(part)  # and the fake server's Telegram-like parser accepted it
    blocks = result_blocks(harness.engine.script["everything"], kb, HTML)  # type: ignore[arg-type]
    assert "\n\n".join(parts) == "\n\n".join(blocks)  # whole blocks, in order
    assert all(any(block in part for part in parts) for block in blocks)
    # the buttons ("More from" the one speaker, then 👍 👎) go on the last message only
    markups = [p.params.get("reply_markup") for p in harness.sent(USER)]
    assert [bool(m) for m in markups] == [False] * (len(parts) - 1) + [True]
    assert harness.labels() == [f"More from {kb.person(template.speaker).name}",
                                "\U0001f44d", "\U0001f44e"]


async def test_edited_question_edits_the_earlier_reply(harness: Harness) -> None:
    harness.engine.script["alice"] = answer("alice", "alice-trade", kb=harness.kb)
    harness.engine.script["bob"] = answer("bob", "bob-sanctions", kb=harness.kb)
    original = harness.fake.message_update("alice", user_id=USER)
    await harness.dispatch(original)
    reply_id = harness.sent(USER)[-1].result["message_id"]
    await harness.dispatch(harness.fake.edited_message_update(original["message"], "bob"))
    edits = harness.fake.calls("editMessageText")
    assert len(edits) == 1 and not edits[0].failed
    assert int(edits[0].params["message_id"]) == reply_id
    assert "Sanctions hurt everyone" in str(edits[0].params["text"])
    assert len(harness.sent(USER)) == 1  # no new message


async def test_failed_edit_answers_anew_and_later_edits_edit_that(harness: Harness) -> None:
    harness.engine.script["bob"] = answer("bob", "bob-sanctions", kb=harness.kb)
    original = harness.fake.message_update("alice", user_id=USER)
    await harness.dispatch(original)
    harness.fake.fail_next("editMessageText", status=400,
                           description="Bad Request: message to edit not found")
    await harness.dispatch(harness.fake.edited_message_update(original["message"], "bob"))
    fresh = harness.sent(USER)[-1]
    assert len(harness.sent(USER)) == 2 and "Sanctions hurt everyone" in fresh.params["text"]
    assert len(harness.fake.calls("editMessageText")) == 1  # "not found" is not tried again
    await harness.dispatch(harness.fake.edited_message_update(original["message"], "again"))
    edit = harness.fake.calls("editMessageText")[-1]
    assert not edit.failed and int(edit.params["message_id"]) == fresh.result["message_id"]
    assert len(harness.sent(USER)) == 2


async def test_edit_of_a_forgotten_question_gets_a_fresh_answer(harness: Harness) -> None:
    original = harness.fake.message_update("first", user_id=USER)
    harness.fake.push_update(original)  # seen by Telegram, never by this bot
    await harness.dispatch(harness.fake.edited_message_update(original["message"], "second"))
    assert harness.engine.asked == ["second"] and len(harness.sent(USER)) == 1


async def test_reply_memory_is_bounded() -> None:
    memory: BoundedMap[int, int] = BoundedMap(3)
    for i in range(5):
        memory.put(i, i)
    assert len(memory) == 3 and memory.get(0) is None and memory.get(4) == 4


@pytest.mark.parametrize("kind", ["sticker_update", "photo_update", "voice_update"])
async def test_non_text_in_private_gets_a_polite_hint(harness: Harness, kind: str) -> None:
    await harness.dispatch(getattr(harness.fake, kind)(user_id=USER))
    text = harness.last_text()
    assert text.startswith("I can only read text questions \u2014 try: ")
    assert harness.engine.asked == []


async def test_non_text_in_a_group_is_ignored(harness: Harness) -> None:
    await harness.dispatch(harness.fake.sticker_update(chat_type="group", chat_id=GROUP))
    assert harness.sent() == []


# --------------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------------

async def test_group_message_not_addressed_is_ignored(harness: Harness) -> None:
    await harness.dispatch(harness.fake.message_update(
        "what did alice say", chat_type="group", chat_id=GROUP))
    assert harness.sent() == [] and harness.engine.asked == []


async def test_group_mention_is_answered_in_thread_without_the_mention(harness: Harness) -> None:
    update = harness.fake.message_update(f"@{BOT_USERNAME.upper()} what did alice say?",
                                         chat_type="group", chat_id=GROUP)
    await harness.dispatch(update)
    assert harness.engine.asked == ["what did alice say?"]
    reply = harness.sent(GROUP)[-1]
    assert reply.params["reply_parameters"]["message_id"] == update["message"]["message_id"]


async def test_group_reply_to_the_bot_is_answered(harness: Harness) -> None:
    await harness.dispatch(harness.fake.message_update(f"hi @{BOT_USERNAME}", chat_type="group",
                                                       chat_id=GROUP))
    bot_message = harness.last_message(GROUP)
    update = harness.fake.message_update("and bob?", chat_type="group", chat_id=GROUP,
                                         reply_to=bot_message)
    await harness.dispatch(update)
    assert harness.engine.asked == ["hi", "and bob?"]
    assert (harness.sent(GROUP)[-1].params["reply_parameters"]["message_id"]
            == update["message"]["message_id"])


async def test_group_reply_to_someone_else_is_ignored(harness: Harness) -> None:
    first = harness.fake.message_update("hello all", chat_type="group", chat_id=GROUP)
    await harness.dispatch(first)
    await harness.dispatch(harness.fake.message_update(
        "what did alice say", chat_type="group", chat_id=GROUP, reply_to=first["message"]))
    assert harness.sent() == []


async def test_group_command_is_answered_in_thread(harness: Harness) -> None:
    update = harness.fake.message_update(f"/about@{BOT_USERNAME}", chat_type="supergroup",
                                         chat_id=-1001000000077)
    await harness.dispatch(update)
    reply = harness.sent(-1001000000077)[-1]
    assert reply.params["reply_parameters"]["message_id"] == update["message"]["message_id"]


def _from_other_bot(update: dict[str, Any], *, on_behalf_of_chat: bool) -> dict[str, Any]:
    message = update["message"]
    message["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                       "username": "GroupAnonymousBot"}
    if on_behalf_of_chat:
        message["sender_chat"] = message["chat"]
    return update


async def test_other_bots_are_ignored_but_anonymous_admins_answered(harness: Harness) -> None:
    chat_id = -1001000000077
    text = f"@{BOT_USERNAME} what did alice say"
    await harness.dispatch(_from_other_bot(harness.fake.message_update(
        text, chat_type="supergroup", chat_id=chat_id), on_behalf_of_chat=False))
    assert harness.engine.asked == []
    await harness.dispatch(_from_other_bot(harness.fake.message_update(
        text, chat_type="supergroup", chat_id=chat_id), on_behalf_of_chat=True))
    assert harness.engine.asked == ["what did alice say"] and harness.sent(chat_id)


async def test_edits_of_the_bots_own_messages_are_ignored(harness: Harness) -> None:
    await harness.command("/about")
    mine = harness.last_message()
    await harness.dispatch(harness.fake.edited_message_update(mine, "what did alice say"))
    assert harness.engine.asked == [] and len(harness.sent(USER)) == 1


FORUM = -1001000000099


def _in_topic(update: dict[str, Any], topic: int) -> dict[str, Any]:
    update["message"].update(is_topic_message=True, message_thread_id=topic)
    update["message"]["chat"]["is_forum"] = True
    return update


async def test_forum_topic_answers_typing_and_apologies_stay_in_the_topic(
        harness: Harness) -> None:
    def slow() -> Result:
        time.sleep(TYPING_AFTER_SECONDS + 0.3)
        return answer("slow", "bob-sanctions", kb=harness.kb)

    def boom() -> Result:
        raise ValueError("engine bug")

    harness.engine.script.update(slow=slow, boom=boom)
    for question in ("slow", "boom"):
        await harness.dispatch(_in_topic(harness.fake.message_update(
            f"@{BOT_USERNAME} {question}", chat_type="supergroup", chat_id=FORUM), 7))
    typing = harness.fake.calls("sendChatAction")
    assert typing and all(c.params["message_thread_id"] == "7" for c in typing)
    sent = harness.sent(FORUM)
    assert [s.params["message_thread_id"] for s in sent] == ["7", "7"]
    assert sent[-1].params["text"] == APOLOGY


async def test_reply_threads_in_a_plain_supergroup_are_not_topics(harness: Harness) -> None:
    update = harness.fake.message_update(f"@{BOT_USERNAME} hi", chat_type="supergroup",
                                         chat_id=-1001000000077)
    update["message"]["message_thread_id"] = 3  # a reply thread: sendMessage would refuse it
    await harness.dispatch(update)
    assert "message_thread_id" not in harness.sent(-1001000000077)[-1].params


async def test_a_bare_update_is_ignored(harness: Harness,
                                        caplog: pytest.LogCaptureFixture) -> None:
    await harness.app.process_update(Update(update_id=harness.fake.push_update(
        harness.fake.message_update("x", user_id=USER))))
    assert harness.fake.calls("sendMessage") == [] and harness.engine.asked == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_addressed_question_strips_only_the_bots_mention() -> None:
    class Msg:
        def __init__(self, text: str, chat_type: str) -> None:
            self.text = text
            self.chat = type("C", (), {"type": chat_type})()
            self.reply_to_message = None

    ask = addressed_question
    assert ask(Msg("@bot_x hi @bot_xy", "group"), "bot_x", 1) == "hi @bot_xy"  # type: ignore
    assert ask(Msg("email@bot_x.org", "group"), "bot_x", 1) is None  # type: ignore
    assert ask(Msg("hello", "private"), "bot_x", 1) == "hello"  # type: ignore


# --------------------------------------------------------------------------------------------
# Buttons
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", ["q:alice-trade", "zz", "0" * 64, "🙂"])
async def test_a_button_the_cache_does_not_know_is_answered_with_a_notice(
        harness: Harness, data: str) -> None:
    """Buttons from before the upgrade (``q:...``), forged or garbled data: InvalidCallbackData."""
    await harness.command("/start")
    before = len(harness.sent())
    (first, *_) = callback_data_of(harness.last_buttons())
    update = harness.fake.callback_query_update(first, harness.last_message())
    update["callback_query"]["data"] = data
    await harness.dispatch(update)
    answered = harness.fake.calls("answerCallbackQuery")[-1]
    assert answered.params["text"] == STALE_BUTTON_NOTICE and not answered.failed
    assert len(harness.sent()) == before and harness.engine.asked == []


async def test_a_button_whose_statement_a_reload_removed_is_out_of_date(
        harness: Harness) -> None:
    await harness.command("/start")
    harness.engine.kb = dataclasses.replace(  # as after a reload without that statement
        harness.kb, statements=tuple(s for s in harness.kb.statements if s.id != "bob-sanctions"))
    before = len(harness.sent())
    await harness.press("What did Bob say about sanctions?")
    answered = harness.fake.calls("answerCallbackQuery")[-1]
    assert answered.params["text"] == STALE_BUTTON_NOTICE and len(harness.sent()) == before


async def test_suggestions_of_any_length_ask_their_very_question(harness: Harness) -> None:
    for question in ["short", "é" * 40, "x" * 63, "🙂" * 20, "why " * 200]:
        harness.engine.script["pick one"] = Result(
            "pick one", Status.CLARIFY, (), "", (Suggestion("a label", question),), "")
        await harness.command("pick one")
        callback_data_of(harness.last_buttons())  # within Telegram's 64 bytes
        await harness.press("a label")
        assert harness.engine.asked[-1] == question
    for command in ["/start", "/speakers", "/topics", "/help"]:
        await harness.command(command)
        callback_data_of(harness.last_buttons())


# --------------------------------------------------------------------------------------------
# Inline mode
# --------------------------------------------------------------------------------------------

async def test_inline_query_returns_matching_quotes(harness: Harness) -> None:
    await harness.dispatch(harness.fake.inline_query_update("bob sanctions"))
    call = harness.fake.calls("answerInlineQuery")[-1]
    assert not call.failed
    results = call.params["results"]
    assert [r["id"] for r in results] == ["bob-sanctions"]
    assert int(call.params["cache_time"]) == 300
    assert str(call.params.get("is_personal", "false")).lower() == "false"
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith("<blockquote>Sanctions hurt everyone.</blockquote>")
    assert "<b>Bob Sample</b>" in content["message_text"]


async def test_inline_query_uses_engine_matches_first(harness: Harness) -> None:
    harness.engine.script["the minister"] = Result(
        "the minister", Status.ANSWER, (Match("alice", "person", "alice", 90.0),), "", (), "")
    await harness.dispatch(harness.fake.inline_query_update("the minister"))
    results = harness.fake.calls("answerInlineQuery")[-1].params["results"]
    assert [r["id"] for r in results] == ["alice-trade", "alice-future"]


async def test_inline_leaves_out_a_quote_longer_than_one_message(harness: Harness) -> None:
    huge = dataclasses.replace(harness.kb.statement("alice-future"),
                               text="The future is bright & open. " * 300)
    others = tuple(s for s in harness.kb.statements if s.id != huge.id)
    harness.engine.kb = dataclasses.replace(harness.kb, statements=(*others, huge))
    harness.engine.script["the minister"] = Result(
        "the minister", Status.ANSWER, (Match("alice", "person", "alice", 90.0),), "", (), "")
    await harness.dispatch(harness.fake.inline_query_update("the minister"))
    call = harness.fake.calls("answerInlineQuery")[-1]
    assert not call.failed  # one oversized result would make Telegram refuse them all
    assert [r["id"] for r in call.params["results"]] == ["alice-trade"]


async def test_empty_inline_query_offers_featured_quotes(harness: Harness) -> None:
    await harness.dispatch(harness.fake.inline_query_update(""))
    results = harness.fake.calls("answerInlineQuery")[-1].params["results"]
    assert 1 <= len(results) <= 50
    assert len({r["id"] for r in results}) == len(results)


async def test_inline_results_are_capped_at_50(harness: Harness) -> None:
    # More quotes than Telegram allows in one answer, as a big knowledge base would have.
    template = harness.kb.statement("alice-trade")
    many = tuple(dataclasses.replace(template, id=f"alice-{i}") for i in range(70))
    harness.engine.kb = dataclasses.replace(harness.kb, statements=many)
    harness.engine.script["all"] = Result(
        "all", Status.ANSWER, (Match("alice", "person", "alice", 90.0),), "", (), "")
    await harness.dispatch(harness.fake.inline_query_update("all"))
    call = harness.fake.calls("answerInlineQuery")[-1]
    assert not call.failed and len(call.params["results"]) == 50


# --------------------------------------------------------------------------------------------
# Admin commands
# --------------------------------------------------------------------------------------------

async def test_reload_summarises_changes_per_file(harness: Harness) -> None:
    yaml_file = harness.knowledge / "tiny.yaml"
    yaml_file.write_text(yaml_file.read_text().replace(
        "questions: [what is the future]", "questions: [what is the future, what comes next]"))
    await harness.command("/reload", user_id=TELEGRAM_ADMIN_ID)
    text = harness.last_text(TELEGRAM_ADMIN_ID)
    assert text.startswith("<pre>") and text.endswith("</pre>")
    assert "Knowledge base reloaded." in text and "tiny.yaml: changed 1 statements" in text
    assert [c.params["action"] for c in harness.fake.calls("sendChatAction")] == ["typing"]


async def test_failed_reload_keeps_the_old_knowledge(harness: Harness) -> None:
    (harness.knowledge / "tiny.yaml").write_text("article: [unclosed\n")
    service = harness.app.bot_data[STATE_KEY].service
    before = service.engine
    await harness.command("/reload", user_id=TELEGRAM_ADMIN_ID)
    text = harness.last_text(TELEGRAM_ADMIN_ID)
    assert "Reload failed; still serving the previous knowledge base" in text
    assert "tiny.yaml:" in text and "invalid YAML" in text
    assert service.engine is before


async def test_removing_entries_needs_reload_force(harness: Harness) -> None:
    yaml_file = harness.knowledge / "tiny.yaml"
    text = yaml_file.read_text()
    start = text.index("  - id: bob-sanctions")
    yaml_file.write_text(text[:start] + text[text.index("\nfacts:"):].lstrip("\n"))
    service = harness.app.bot_data[STATE_KEY].service
    before = service.engine

    await harness.command("/reload", user_id=TELEGRAM_ADMIN_ID)
    refused = harness.last_text(TELEGRAM_ADMIN_ID)
    assert "Reload failed" in refused and "would remove 1 statements" in refused
    assert "/reload force" in refused and service.engine is before

    await harness.command("/reload force", user_id=TELEGRAM_ADMIN_ID)
    accepted = harness.last_text(TELEGRAM_ADMIN_ID)
    assert "Knowledge base reloaded." in accepted and "removed 1 statements" in accepted
    assert [s.id for s in service.engine.kb.statements] == ["alice-trade", "alice-future"]


async def test_admin_commands_are_refused_to_others(harness: Harness,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    service = harness.app.bot_data[STATE_KEY].service
    before = service.engine
    for command in ["/reload", "/unanswered", "/stats"]:
        await harness.command(command, user_id=USER)
        assert "only for the bot's admins" in harness.last_text(USER)
        assert f"non-admin user id {USER}" in caplog.text
    assert service.engine is before


async def test_unanswered_and_stats_for_admins(harness: Harness) -> None:
    await harness.command("what about <the weather> & such")
    await harness.command("/unanswered", user_id=TELEGRAM_ADMIN_ID)
    text = harness.last_text(TELEGRAM_ADMIN_ID)
    assert text.startswith("<pre>") and "&lt;the weather&gt; &amp; such" in text
    parse_html(text)
    await harness.command("/stats 7d", user_id=TELEGRAM_ADMIN_ID)
    text = harness.last_text(TELEGRAM_ADMIN_ID)
    assert text.startswith("<pre>") and "no answer" in text
    assert "Inbox: not in use" in text  # the harness dispatches without one
    await harness.command("/stats yesterday-ish", user_id=TELEGRAM_ADMIN_ID)
    assert harness.last_text(TELEGRAM_ADMIN_ID).startswith("Usage: /stats [since].")


async def test_stats_show_the_inbox_depth_and_oldest_age(harness: Harness,
                                                        tmp_path: Path) -> None:
    with Inbox(tmp_path / "inbox.sqlite3") as inbox:
        inbox.put([Incoming(1, USER, time.time() - 30, "{}"), Incoming(2, None, time.time(),
                                                                       "{}")])
        harness.app.bot_data[STATE_KEY].inbox = inbox
        await harness.command("/stats", user_id=TELEGRAM_ADMIN_ID)
        assert "Inbox: 2 waiting, the oldest 30 s old" in harness.last_text(TELEGRAM_ADMIN_ID)
        inbox.close()  # a broken inbox is said so, and /stats still answers
        await harness.command("/stats", user_id=TELEGRAM_ADMIN_ID)
        assert "Inbox: cannot be read" in harness.last_text(TELEGRAM_ADMIN_ID)


async def test_admin_commands_without_a_question_log(harness: Harness) -> None:
    harness.app.bot_data[STATE_KEY].question_log = None
    await harness.command("/stats", user_id=TELEGRAM_ADMIN_ID)
    assert "not available" in harness.last_text(TELEGRAM_ADMIN_ID)
    await harness.command("hello")  # and questions are still answered
    assert harness.sent(USER)


# --------------------------------------------------------------------------------------------
# Robustness
# --------------------------------------------------------------------------------------------

async def test_handler_error_is_logged_then_apologised_for(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    def boom() -> Result:
        raise ValueError("engine bug")

    harness.engine.script["boom"] = boom
    await harness.command("boom")
    assert harness.last_text() == APOLOGY
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and errors[0].exc_info is not None and "engine bug" in str(errors[0].exc_info[1])


@pytest.mark.parametrize("status", [429, 500, 502])
async def test_transient_send_failures_are_retried(harness: Harness, status: int) -> None:
    harness.fake.fail_next("sendMessage", status=status, retry_after=1)
    await harness.command("/about")
    calls = harness.fake.calls("sendMessage")
    assert [c.status for c in calls] == [status, 200]
    assert calls[1].params["text"] == calls[0].params["text"]


async def test_bad_request_is_sent_once_more_without_optional_features(
        harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", status=400)
    await harness.command("/about")
    calls = harness.fake.calls("sendMessage")
    assert [c.status for c in calls] == [400, 200]
    assert "link_preview_options" in calls[0].params
    assert "link_preview_options" not in calls[1].params  # as servers before Bot API 7.0
    assert calls[1].params["disable_web_page_preview"] == "true"
    assert "Tiny Times" in harness.last_text()


async def test_persistent_bad_request_gets_the_apology(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", status=400, times=2)
    await harness.command("/about")
    assert [c.status for c in harness.fake.calls("sendMessage")] == [400, 400, 200]
    assert harness.last_text() == APOLOGY


async def test_bad_request_no_feature_causes_is_not_sent_again(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    await harness.command("/about")
    assert [c.status for c in harness.fake.calls("sendMessage")] == [400, 200]  # 2nd: apology
    assert harness.last_text() == APOLOGY


async def test_group_reply_degrades_to_reply_to_message_id_then_to_no_reply(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    harness.fake.fail_next("sendMessage", status=400, times=2)
    update = harness.fake.message_update(f"/about@{BOT_USERNAME}", chat_type="group",
                                         chat_id=GROUP)
    await harness.dispatch(update)
    calls = harness.fake.calls("sendMessage")
    assert [c.status for c in calls] == [400, 400, 200]
    message_id = update["message"]["message_id"]
    assert calls[0].params["reply_parameters"]["message_id"] == message_id
    assert int(calls[1].params["reply_to_message_id"]) == message_id
    assert "reply_parameters" not in calls[1].params
    assert not {"reply_parameters", "reply_to_message_id"} & calls[2].params.keys()
    assert "Tiny Times" in str(calls[2].params["text"])
    degraded = [r for r in caplog.records if "fewer optional features" in r.getMessage()]
    assert len(degraded) == 2 and "Tiny" not in caplog.text  # one line each, no reply text


async def test_html_the_server_cannot_parse_goes_as_plain_text(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", status=400,
                           description="Bad Request: can't parse entities: Unsupported start "
                           "tag \"b\" at byte offset 0")
    await harness.command("/about")
    calls = harness.fake.calls("sendMessage")
    assert [c.status for c in calls] == [400, 200]
    assert "parse_mode" not in calls[1].params
    assert str(calls[1].params["text"]).startswith("Trade & <Tariffs> in the tiny article\n")


def test_plain_text_drops_tags_and_decodes_entities() -> None:
    assert plain_text("<b>A &amp; B</b>\n<blockquote>&lt;q&gt; &#8212;</blockquote>"
                               ) == "A & B\n<q> \u2014"


async def test_post_init_sets_menus_without_admin_commands_in_public(harness: Harness) -> None:
    await post_init(harness.app)
    try:
        calls = harness.fake.calls("setMyCommands")
        public = [c for c in calls if not c.params.get("scope")]
        assert [c["command"] for c in public[0].params["commands"]] == [
            c.command for c in PUBLIC_COMMANDS]
        scoped = [c for c in calls if c.params.get("scope")]
        assert scoped[0].params["scope"] == {"type": "chat", "chat_id": TELEGRAM_ADMIN_ID}
        assert {c.command for c in ADMIN_COMMANDS} <= {
            c["command"] for c in scoped[0].params["commands"]}
    finally:
        await harness.app.post_shutdown(harness.app)  # type: ignore[misc]


async def test_post_init_survives_an_unsupported_set_my_commands(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.fake.unsupported("setMyCommands")
    await post_init(harness.app)
    await harness.app.post_shutdown(harness.app)  # type: ignore[misc]
    assert "could not set the command menu" in caplog.text
    await harness.command("/help")  # and the bot still works
    assert harness.sent(USER)


async def test_network_errors_are_retried_for_replies_only() -> None:
    limiter = RetryingRateLimiter(backoff=0.01)
    attempts: list[str] = []

    async def flaky(endpoint: str, data: dict[str, Any], **kwargs: Any) -> bool:
        attempts.append(endpoint)
        if len(attempts) < 3:
            raise NetworkError("connection reset by peer")
        return True

    assert await limiter.process_request(flaky, ("sendMessage", {}), {}, "sendMessage",
                                         {"chat_id": 1}, None) is True
    assert attempts == ["sendMessage"] * 3
    attempts.clear()
    with pytest.raises(NetworkError):  # start-up calls fail fast; post_init copes
        await limiter.process_request(flaky, ("setMyCommands", {}), {}, "setMyCommands", {},
                                      None)
    assert attempts == ["setMyCommands"]


@pytest.mark.parametrize(("endpoint", "cause", "repeated"), [
    ("sendMessage", httpx.ReadTimeout("late response"), False),  # may have been delivered
    ("answerCallbackQuery", httpx.ReadTimeout("late response"), False),
    ("sendMessage", httpx.ConnectTimeout("no connection"), True),  # never left
    ("sendMessage", httpx.PoolTimeout("no free connection"), True),
    ("editMessageText", httpx.ReadTimeout("late response"), True),  # the same edit again
])
async def test_timeouts_are_repeated_only_where_that_cannot_deliver_twice(
        endpoint: str, cause: Exception, repeated: bool) -> None:
    limiter = RetryingRateLimiter(backoff=0.01)
    attempts: list[str] = []

    async def slow(endpoint: str, data: dict[str, Any], **kwargs: Any) -> bool:
        attempts.append(endpoint)
        if len(attempts) < 2:
            raise TimedOut() from cause
        return True

    if repeated:
        assert await limiter.process_request(slow, (endpoint, {}), {}, endpoint, {}, None)
    else:
        with pytest.raises(TimedOut):
            await limiter.process_request(slow, (endpoint, {}), {}, endpoint, {}, None)
    assert len(attempts) == (2 if repeated else 1)


async def test_token_never_reaches_a_log_record(harness: Harness,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    harness.fake.fail_next("sendMessage", status=500)
    await harness.command("/start")
    await harness.command("hello")
    await harness.dispatch(harness.fake.inline_query_update("bob"))
    assert any(r.name == "httpx" for r in caplog.records)  # request lines were logged...
    text = "\n".join(logging.Formatter("%(name)s %(message)s").format(r) for r in caplog.records)
    assert harness.fake.token not in text  # ...without the token
    assert harness.fake.token.split(":")[1] not in text


# --------------------------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("base", "expected"), [
    ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
    ("http://127.0.0.1:8081/bot/", "http://127.0.0.1:8081/file/bot"),
    ("http://host/custom/bot{token}/x", "http://host/custom/file/bot{token}/x"),
    ("http://host:9/api", "http://host:9/file/bot"),
])
def test_file_base_url(base: str, expected: str) -> None:
    assert file_base_url(base) == expected
