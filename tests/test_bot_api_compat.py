"""Compatibility with Bot API emulators other than ours, and robustness at the Telegram edge.

Each test configures or subclasses the fake Bot API to act like a stricter, older or sloppier
emulator (or sends updates with optional fields missing) and checks that the bot still delivers
its reply, or at least degrades gracefully. The first section pins problems found in review and
fixed since; mark a newly found one ``xfail(strict=True, reason="BUG: ...")`` until it is fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import telegram_environ
from fake_bot_api import BOT_USERNAME, FakeBotApi, JSONDict, _bad, parse_html
from telegram import Update
from telegram.error import TelegramError
from test_handlers import GROUP, USER, Harness, ScriptedEngine, answer

from bot.engine import Result, Status
from bot.inbox import AsyncInbox, Inbox, Incoming
from bot.knowledge import load_knowledge
from bot.service import KnowledgeService
from bot.serving import Pipeline
from bot.settings import load_settings
from bot.storage import QuestionLog
from bot.telegram.buttons import STALE_BUTTON_NOTICE
from bot.telegram.errors import APOLOGY
from bot.telegram_app import build_application
from bot.update_sources import PollingSource, WebhookSource

ALICE_WORDS = "We will expand trade &amp; &lt;investment&gt; with our partners"
HarnessFactory = Callable[..., Awaitable[Harness]]


# --------------------------------------------------------------------------------------------
# Emulators that differ from ours
# --------------------------------------------------------------------------------------------

class NoReplyParametersApi(FakeBotApi):
    """A Bot API 6.x-style emulator with strict validation: only reply_to_message_id."""

    def _send_message(self, params: JSONDict) -> JSONDict:
        if "reply_parameters" in params:
            raise _bad("unknown parameter reply_parameters")
        return super()._send_message(params)


class UnknownRepliedMessageApi(FakeBotApi):
    """An emulator that ignores allow_sending_without_reply for messages it never stored."""

    def _reply_target(self, params: JSONDict, chat_id: int) -> JSONDict | None:
        if params.get("reply_parameters") or params.get("reply_to_message_id"):
            raise _bad("message to be replied not found")
        return None


class NoLinkPreviewOptionsApi(FakeBotApi):
    """An emulator from before Bot API 7.0: disable_web_page_preview, no link_preview_options."""

    def _send_message(self, params: JSONDict) -> JSONDict:
        if "link_preview_options" in params:
            raise _bad("unknown parameter link_preview_options")
        return super()._send_message(params)


class NoBlockquoteApi(FakeBotApi):
    """An emulator whose HTML parser predates <blockquote> (Bot API 7.0)."""

    def _formatted_text(self, params: JSONDict) -> tuple[str, list[JSONDict]]:
        text = str(params.get("text") or "")
        if str(params.get("parse_mode") or "").lower() == "html" and "<blockquote" in text:
            raise _bad('can\'t parse entities: Unsupported start tag "blockquote" at byte '
                       f'offset {text.index("<blockquote")}')
        return super()._formatted_text(params)


class SlowSendApi(FakeBotApi):
    """Delivers sendMessage at once but answers the first one ``delay`` seconds late."""

    delay = 1.0

    def _handle(self, method: str, token: str, query: str, content_type: str,
                body: bytes) -> tuple[int, JSONDict]:
        outcome = super()._handle(method, token, query, content_type, body)
        if method.lower() == "sendmessage" and self.delay:
            delay, self.delay = self.delay, 0.0
            time.sleep(delay)  # the message is already stored: only the response is late
        return outcome


class UnreadableAnswerApi(FakeBotApi):
    """Like telegram-test-api 4.2.1: sendMessage is carried out, but its answer is no Message
    python-telegram-bot can read (``flaw``: the date in milliseconds, or the request's
    link_preview_options echoed back as the JSON string it was sent as)."""

    flaw = "millisecond date"

    def _send_message(self, params: JSONDict) -> JSONDict:
        message = super()._send_message(params)
        if self.flaw == "millisecond date":
            message["date"] = int(time.time() * 1000)
        else:
            message["link_preview_options"] = json.dumps({"is_disabled": True})
        return message


class StringPreviewAnswerApi(UnreadableAnswerApi):
    flaw = "string link_preview_options"


# --------------------------------------------------------------------------------------------
# A harness over any emulator
# --------------------------------------------------------------------------------------------

@pytest.fixture
async def make_harness(tiny_knowledge: Path,
                       tmp_path: Path) -> AsyncIterator[HarnessFactory]:
    """A factory: the real application (scripted engine) over a started ``fake_class``."""
    opened: list[tuple[FakeBotApi, Any, QuestionLog]] = []

    async def make(fake_class: type[FakeBotApi] = FakeBotApi, *,
                   base_url: Callable[[FakeBotApi], str] | None = None) -> Harness:
        fake = fake_class().start()
        environ = telegram_environ(fake, tiny_knowledge, tmp_path / "q.sqlite3")
        if base_url is not None:
            environ["TELEGRAM_API_BASE_URL"] = base_url(fake)
        settings = load_settings(environ=environ, env_file=None)
        kb = load_knowledge(tiny_knowledge)
        engine = ScriptedEngine(kb)
        service = KnowledgeService(tiny_knowledge, engine)  # type: ignore[arg-type]
        question_log = QuestionLog(tmp_path / f"log{len(opened)}.sqlite3")
        app = build_application(settings, service, question_log)
        opened.append((fake, app, question_log))
        await app.initialize()
        return Harness(app, fake, engine, question_log, kb, tiny_knowledge)

    yield make
    for fake, app, question_log in opened:
        if app._initialized:
            await app.shutdown()
        question_log.close()
        fake.stop()


async def _asked_alice(harness: Harness, **update: Any) -> JSONDict:
    """Script an answer quoting Alice and ask for it; return the update sent."""
    harness.engine.script["what did alice say"] = answer("what did alice say", "alice-trade",
                                                         kb=harness.kb)
    data = harness.fake.message_update(f"@{BOT_USERNAME} what did alice say", **update)
    await harness.dispatch(data)
    return data


def _delivered(harness: Harness, chat_id: int) -> list[str]:
    """Texts of the messages the emulator accepted for ``chat_id``."""
    return [str(c.params["text"]) for c in harness.sent(chat_id)]


# --------------------------------------------------------------------------------------------
# Problems: optional Bot API features must degrade, not cost the reply
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fake_class", [NoReplyParametersApi, UnknownRepliedMessageApi])
async def test_group_answer_survives_an_emulator_rejecting_the_reply(
        make_harness: HarnessFactory, fake_class: type[FakeBotApi]) -> None:
    harness = await make_harness(fake_class)
    await _asked_alice(harness, chat_type="group", chat_id=GROUP)
    assert any(ALICE_WORDS in t for t in _delivered(harness, GROUP))


async def test_reply_survives_an_emulator_without_link_preview_options(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness(NoLinkPreviewOptionsApi)
    await harness.command("/about")
    assert any("Tiny Times" in t for t in _delivered(harness, USER))


async def test_quote_survives_an_emulator_without_blockquote(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness(NoBlockquoteApi)
    await _asked_alice(harness, user_id=USER)
    assert any("We will expand trade" in t for t in _delivered(harness, USER))


@pytest.mark.parametrize("fake_class", [UnreadableAnswerApi, StringPreviewAnswerApi])
async def test_a_delivered_reply_with_an_unreadable_answer_gets_no_apology(
        make_harness: HarnessFactory, fake_class: type[FakeBotApi],
        caplog: pytest.LogCaptureFixture) -> None:
    harness = await make_harness(fake_class)
    await _asked_alice(harness, user_id=USER)
    delivered = _delivered(harness, USER)
    assert len(delivered) == 1 and ALICE_WORDS in delivered[0]  # once, and no apology after it
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_command_without_entities_is_still_a_command(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    await harness.dispatch(harness.fake.message_update("/start", user_id=USER, entities=[]))
    assert harness.engine.asked == []
    assert "Hello!" in _delivered(harness, USER)[-1]


@pytest.mark.parametrize("failure", ["unsupported", "5xx"])
async def test_button_reply_survives_a_failing_answer_callback_query(
        make_harness: HarnessFactory, failure: str) -> None:
    harness = await make_harness()
    await harness.command("/start")
    if failure == "unsupported":
        harness.fake.unsupported("answerCallbackQuery")
    else:
        harness.fake.fail_next("answerCallbackQuery", status=500, times=10)
    started = time.monotonic()
    await harness.press("What did Bob say about sanctions?")
    assert time.monotonic() - started < 10  # bounded retries, no endless loop
    assert "Sanctions hurt everyone" in _delivered(harness, USER)[-1]


@pytest.mark.parametrize("failure", ["unsupported", "not found"])
async def test_edited_question_survives_a_failing_edit(make_harness: HarnessFactory,
                                                       failure: str) -> None:
    harness = await make_harness()
    harness.engine.script["bob"] = answer("bob", "bob-sanctions", kb=harness.kb)
    original = harness.fake.message_update("alice", user_id=USER)
    await harness.dispatch(original)
    if failure == "unsupported":
        harness.fake.unsupported("editMessageText")
    else:
        harness.fake.fail_next("editMessageText", status=400,
                               description="Bad Request: message to edit not found")
    await harness.dispatch(harness.fake.edited_message_update(original["message"], "bob"))
    assert "Sanctions hurt everyone" in _delivered(harness, USER)[-1]


@pytest.mark.parametrize("form", ["trailing slash", "no /bot"])
async def test_api_base_url_variants_reach_the_emulator(make_harness: HarnessFactory,
                                                        form: str) -> None:
    def base_url(fake: FakeBotApi) -> str:
        return fake.base_url + "/" if form == "trailing slash" else fake.base_url[:-len("/bot")]

    harness = await make_harness(base_url=base_url)  # initialize() calls getMe
    assert harness.app.bot.username == BOT_USERNAME


async def test_a_late_response_does_not_double_send(make_harness: HarnessFactory) -> None:
    harness = await make_harness(SlowSendApi)
    with contextlib.suppress(TelegramError):  # reporting the timeout would be acceptable
        await harness.app.bot.send_message(USER, "once", read_timeout=0.3)
    await asyncio.sleep(1.2)  # let the slow response finish
    assert len(harness.sent(USER)) == 1


async def test_messages_from_the_bot_itself_are_ignored(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    update = harness.fake.message_update("Ask me a question about the article", user_id=USER)
    update["message"]["from"] = harness.fake.bot_user
    await harness.dispatch(update)
    assert harness.engine.asked == [] and harness.sent(USER) == []


async def _polling(harness: Harness, body: Callable[[], Awaitable[None]]) -> None:
    """Run ``body`` while the application polls the emulator through an inbox, as in
    production (bot.serving.serve, without its signals)."""
    app = harness.app
    inbox = AsyncInbox(Inbox(harness.knowledge.parent / "inbox.sqlite3"))
    pipeline = Pipeline(app, inbox, max_age=86400)
    source = PollingSource(app.bot, pipeline.store, offset=None, allowed_updates=["message"],
                           timeout=1)
    await app.start()
    await source.start()
    try:
        await body()
    finally:
        await source.stop()
        await pipeline.dispatcher.stop(timeout=5)
        await app.stop()
        inbox.close()
        inbox.inbox.close()


async def test_an_unparsable_update_does_not_stall_polling(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    broken = harness.fake.message_update("broken", user_id=USER)
    del broken["message"]["date"]
    harness.fake.push_update(broken)
    harness.fake.push_update(harness.fake.message_update("/about", user_id=USER + 1))

    async def body() -> None:
        await harness.fake.await_call("sendMessage", timeout=4)

    await _polling(harness, body)


async def test_an_unparsable_update_is_skipped_by_id_only(
        make_harness: HarnessFactory, caplog: pytest.LogCaptureFixture) -> None:
    harness = await make_harness()
    broken = harness.fake.message_update("secret words", user_id=USER)
    del broken["message"]["date"]
    broken_id = harness.fake.push_update(broken)
    harness.fake.push_update(harness.fake.message_update("/about", user_id=USER))

    async def body() -> None:
        await harness.fake.await_call("sendMessage", timeout=4)

    await _polling(harness, body)
    assert len(harness.fake.calls("sendMessage")) == 1  # the good update only
    assert f"skipping update {broken_id}" in caplog.text and "secret words" not in caplog.text


async def test_a_slow_answer_does_not_hold_up_other_chats(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness()

    def slow() -> Result:
        time.sleep(2.0)
        return Result("slow", Status.NO_ANSWER, (), "No.", (), "")

    harness.engine.script["slow"] = slow
    harness.fake.push_update(harness.fake.message_update("slow", user_id=USER))
    harness.fake.push_update(harness.fake.message_update("/about", user_id=USER + 1))

    async def body() -> None:
        call = await harness.fake.await_call(
            "sendMessage", lambda c: int(c.params["chat_id"]) == USER + 1, timeout=5)
        other = harness.fake.calls("sendMessage")
        assert call is other[0], "the /about reply waited for the slow answer"

    await _polling(harness, body)


async def test_an_edit_during_a_slow_answer_edits_that_answer(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness()

    def slow() -> Result:
        time.sleep(1.0)
        return answer("slow", "alice-trade", kb=harness.kb)

    harness.engine.script["slow"] = slow
    harness.engine.script["bob"] = answer("bob", "bob-sanctions", kb=harness.kb)
    original = harness.fake.message_update("slow", user_id=USER)
    harness.fake.push_update(original)
    harness.fake.push_update(harness.fake.edited_message_update(original["message"], "bob"))

    async def body() -> None:
        edit = await harness.fake.await_call("editMessageText", timeout=5)
        assert "Sanctions hurt everyone" in str(edit.params["text"])

    await _polling(harness, body)
    assert len(harness.sent(USER)) == 1  # the edit waited for the answer it edits


# --------------------------------------------------------------------------------------------
# Verified: behaviour that holds against the documented Bot API
# --------------------------------------------------------------------------------------------

async def test_persistent_5xx_is_retried_a_bounded_number_of_times(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    harness.fake.fail_next("sendMessage", status=500, times=4)
    await harness.command("/about")
    statuses = [c.status for c in harness.fake.calls("sendMessage")]
    assert statuses == [500, 500, 500, 500, 200]  # 1 try + 3 retries, then the apology
    assert _delivered(harness, USER) == [APOLOGY]


async def test_429_waits_retry_after_and_sends_once(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    harness.fake.fail_next("sendMessage", status=429, retry_after=1)
    await harness.command("/about")
    calls = harness.fake.calls("sendMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0
    assert len(harness.sent(USER)) == 1


async def test_403_is_not_retried(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    harness.fake.fail_next("sendMessage", status=403, times=2)  # the apology fails too
    await harness.command("/about")
    assert [c.status for c in harness.fake.calls("sendMessage")] == [403, 403]


async def test_mention_after_astral_emoji_in_a_group(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    harness.engine.script["what did alice say"] = answer("what did alice say", "alice-trade",
                                                         kb=harness.kb)
    text = f"\U0001F44B\U0001F3FD @{BOT_USERNAME} what did alice say"
    offset = len("\U0001F44B\U0001F3FD ".encode("utf-16-le")) // 2  # 5 UTF-16 units
    entities = [{"type": "mention", "offset": offset, "length": len(BOT_USERNAME) + 1}]
    await harness.dispatch(harness.fake.message_update(
        text, chat_type="group", chat_id=GROUP, entities=entities))
    assert harness.engine.asked == ["\U0001F44B\U0001F3FD what did alice say"]


async def test_group_command_for_another_bot_is_ignored(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    await harness.dispatch(harness.fake.message_update(
        "/about@some_other_bot", chat_type="group", chat_id=GROUP))
    await harness.dispatch(harness.fake.message_update(
        f"/ABOUT@{BOT_USERNAME.upper()}", chat_type="group", chat_id=GROUP))
    assert len(harness.sent(GROUP)) == 1 and harness.engine.asked == []


async def test_group_message_without_from_is_answered(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    update = harness.fake.message_update(f"@{BOT_USERNAME} what did alice say",
                                         chat_type="supergroup", chat_id=-1001000000077)
    del update["message"]["from"]  # anonymous admin / sloppy emulator: sender_chat only
    update["message"]["sender_chat"] = update["message"]["chat"]
    harness.engine.script["what did alice say"] = answer("what did alice say", "alice-trade",
                                                         kb=harness.kb)
    await harness.dispatch(update)
    assert any(ALICE_WORDS in t for t in _delivered(harness, -1001000000077))


async def test_channel_posts_and_captions_in_groups_are_ignored(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    await harness.dispatch(harness.fake.message_update(
        f"@{BOT_USERNAME} what did alice say", chat_type="channel"))  # allowed_updates ignored
    await harness.dispatch(harness.fake.photo_update(
        f"@{BOT_USERNAME} what did alice say", chat_type="group", chat_id=GROUP))
    assert harness.fake.calls("sendMessage") == [] and harness.engine.asked == []


async def test_callback_query_without_message_gets_the_stale_notice(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    await harness.command("/start")
    data = harness.last_buttons()[0]["callback_data"]  # a real button, on an inline message
    update = harness.fake.callback_query_update(data, harness.last_message())
    query = update["callback_query"]
    del query["message"], query["chat_instance"]
    query.update(inline_message_id="AAAAAQ", chat_instance="1")
    before = len(harness.sent())
    await harness.dispatch(update)
    assert harness.fake.calls("answerCallbackQuery")[-1].params["text"] == (
        STALE_BUTTON_NOTICE)
    assert len(harness.sent()) == before


async def test_button_on_an_inaccessible_message_still_answers(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    await harness.command("/start")
    (data,) = [b["callback_data"] for b in harness.last_buttons()
               if b["text"] == "What did Bob say about sanctions?"]
    update = harness.fake.callback_query_update(data, harness.last_message())
    message = update["callback_query"]["message"]
    update["callback_query"]["message"] = {"chat": message["chat"],
                                           "message_id": message["message_id"], "date": 0}
    await harness.dispatch(update)
    assert "Sanctions hurt everyone" in _delivered(harness, USER)[-1]


async def test_edit_in_a_chat_never_seen_gets_a_fresh_answer(
        make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    original = harness.fake.message_update("fresh", user_id=USER + 7)
    edited = harness.fake.edited_message_update(original["message"], "fresh edit")
    await harness.dispatch(edited)
    assert harness.engine.asked == ["fresh edit"] and len(harness.sent(USER + 7)) == 1


async def test_inline_result_ids_are_short_and_unique(make_harness: HarnessFactory) -> None:
    harness = await make_harness()
    await harness.dispatch(harness.fake.inline_query_update(""))
    call = harness.fake.calls("answerInlineQuery")[-1]
    ids = [r["id"] for r in call.params["results"]]
    assert not call.failed and ids and len(set(ids)) == len(ids)
    assert all(1 <= len(i.encode()) <= 64 for i in ids)
    for result in call.params["results"]:
        parse_html(result["input_message_content"]["message_text"])


@pytest.mark.parametrize(("url", "path"), [
    ("http://127.0.0.1:{port}/hook/", "/hook/"),
    ("http://127.0.0.1:{port}/hook?x=1", "/hook?x=1"),
    ("http://127.0.0.1:{port}/", "/"),
    ("http://127.0.0.1:{port}/tg+hook", "/tg+hook"),  # tornado routes are regular expressions
])
async def test_webhook_url_forms_receive_updates(make_harness: HarnessFactory,
                                                 unused_tcp_port: int, url: str,
                                                 path: str) -> None:
    harness = await make_harness()
    webhook_url = url.format(port=unused_tcp_port)
    settings = load_settings(environ={"WEBHOOK_URL": webhook_url}, env_file=None)
    app = harness.app

    async def store(updates: Sequence[Incoming]) -> None:
        for item in updates:  # processed at once here: no inbox in this test
            await app.process_update(Update.de_json(json.loads(item.payload), app.bot))

    source = WebhookSource(app.bot, store, listen="127.0.0.1", port=unused_tcp_port,
                           path=settings.webhook_path, url=webhook_url, secret=None,
                           allowed_updates=["message"])
    await source.start()
    try:
        update_id = harness.fake.push_update(harness.fake.message_update("/about",
                                                                         user_id=USER))
        delivery = await asyncio.to_thread(harness.fake.wait_for_delivery, update_id)
        assert delivery.status == 200, (path, delivery)
        await harness.fake.await_call("sendMessage")
    finally:
        await source.stop()


def test_update_de_json_tolerates_missing_optional_fields() -> None:
    from telegram import Bot
    bot = Bot("1:x")
    minimal = {"update_id": 1, "message": {"message_id": 1, "date": 1,
                                           "chat": {"id": 5, "type": "private"}, "text": "hi"}}
    update = Update.de_json(minimal, bot)
    assert update.effective_user is None and update.effective_message is not None
