"""The fake Bot API itself: driven by a real ``telegram.Bot`` and by raw HTTP requests."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

# tests/ has no __init__.py, so pytest puts it on sys.path (rootdir-style test folder).
from fake_bot_api import BOT_USERNAME, FakeBotApi, Upload, parse_html, text_entities
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MessageEntity,
    ReplyParameters,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

USER_ID = 424242
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """A running fake with fast webhook retries."""
    with FakeBotApi(webhook_attempts=2, webhook_retry_delay=0.05) as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    """A real PTB ``Bot`` talking HTTP to the fake (``initialize`` calls getMe)."""
    async with Bot(server.token, base_url=server.base_url) as real_bot:
        yield real_bot


def raw_call(
    url: str, data: bytes | None = None, content_type: str | None = None
) -> tuple[int, dict[str, Any]]:
    """POST (or GET without data) with urllib; return (status, decoded JSON body)."""
    request = urllib.request.Request(url, data=data)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with NO_PROXY.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


# -- PTB's real HTTP stack ---------------------------------------------------------------


async def test_get_me_returns_the_bot_user(server: FakeBotApi, bot: Bot) -> None:
    """getMe gives a bot User that PTB parses; initialize() already called it once."""
    me = await bot.get_me()
    assert me.is_bot and me.username == BOT_USERNAME and me.id == server.bot_id
    assert me.supports_inline_queries and me.can_join_groups
    assert me.can_read_all_group_messages is False
    assert [c.method for c in server.calls()] == ["getMe", "getMe"]


async def test_send_message_with_html_and_inline_keyboard(server: FakeBotApi, bot: Bot) -> None:
    """HTML is parsed into plain text plus entities and the inline keyboard is echoed back."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sources", callback_data="src:1")]])
    message = await bot.send_message(
        chat_id=USER_ID,
        text="  <b>Bold</b> &amp; <a href='https://e.x/?a=1&amp;b=2'>link</a> ",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )
    assert message.text == "Bold & link"
    assert message.entities == (
        MessageEntity(MessageEntity.BOLD, 0, 4),
        MessageEntity(MessageEntity.TEXT_LINK, 7, 4, url="https://e.x/?a=1&b=2"),
    )
    assert message.reply_markup == keyboard
    assert message.from_user is not None and message.from_user.id == server.bot_id
    assert message.chat.id == USER_ID and message.chat.type == "private"
    call = server.wait_for("sendMessage")
    # PTB sends a form body: numbers stay strings, JSON-valued fields are decoded.
    assert call.params["chat_id"] == str(USER_ID)
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Sources", "callback_data": "src:1"}]]
    }
    assert call.result["message_id"] == message.message_id and not call.failed


async def test_message_ids_increase_per_chat(server: FakeBotApi, bot: Bot) -> None:
    """Each chat numbers its own messages, and the bot's messages are kept in order."""
    ids = [(await bot.send_message(chat_id=c, text="hi")).message_id for c in (1, 1, 2, 1)]
    assert ids == [1, 2, 1, 3]
    assert [m["message_id"] for m in server.bot_messages(chat_id=1)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("line<br>break", 'Unsupported start tag "br"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("<b>never closed", 'start tag "b"'),
        ("a < b", "Unclosed start tag at byte offset 2"),
        ("é</i>", "Unexpected end tag at byte offset 2"),
        ("<span>x</span>", "tg-spoiler"),
    ],
)
async def test_bad_html_is_rejected(
    server: FakeBotApi, bot: Bot, text: str, fragment: str
) -> None:
    """Unsupported or unbalanced tags fail like Telegram's entity parser, with byte offsets."""
    with pytest.raises(BadRequest, match="(?i)can't parse entities") as caught:
        await bot.send_message(chat_id=USER_ID, text=text, parse_mode=ParseMode.HTML)
    assert fragment.lower() in caught.value.message.lower()
    assert server.wait_for("sendMessage").failed


def test_parse_html_accepts_everything_telegram_allows() -> None:
    """All documented tags parse; offsets count UTF-16 code units; pre takes code's language."""
    text, entities = parse_html(
        "👍<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span><tg-spoiler>t</tg-spoiler>'
        '<code>c</code><pre><code class="language-python">x</code></pre>'
        '<blockquote expandable>q</blockquote><tg-emoji emoji-id="5368">e</tg-emoji>&#128512;'
    )
    assert text == "👍bsieunskdptcxqe😀"
    types = [(e["type"], e["offset"]) for e in entities]
    assert types[0] == ("bold", 2) and types[-1] == ("custom_emoji", 16)
    assert {"type": "pre", "offset": 14, "length": 1, "language": "python"} in entities
    assert ("expandable_blockquote", 15) in types and len(entities) == 15


async def test_text_limits(bot: Bot) -> None:
    """Empty (after trimming or tag stripping) and over-long texts are refused."""
    for text in ("   ", "<b></b>"):
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(chat_id=USER_ID, text=text, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(chat_id=USER_ID, text="x" * 4097)
    assert len((await bot.send_message(chat_id=USER_ID, text="é" * 4096)).text or "") == 4096


async def test_edit_message_text(server: FakeBotApi, bot: Bot) -> None:
    """Edits return the new message; identical edits and unknown messages are 400s."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more")]])
    sent = await bot.send_message(chat_id=USER_ID, text="first", reply_markup=keyboard)
    edited = await bot.edit_message_text(
        "<i>second</i>",
        chat_id=USER_ID,
        message_id=sent.message_id,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )
    assert not isinstance(edited, bool)
    assert edited.text == "second" and edited.edit_date is not None
    assert edited.message_id == sent.message_id and edited.reply_markup == keyboard
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text(
            "<i>second</i>",
            chat_id=USER_ID,
            parse_mode=ParseMode.HTML,
            message_id=sent.message_id,
            reply_markup=keyboard,
        )
    # Same text without the markup removes the keyboard: that is a modification.
    await bot.edit_message_text("second", chat_id=USER_ID, message_id=sent.message_id)
    assert "reply_markup" not in server.bot_messages()[0]
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=999)


async def test_reply_parameters(server: FakeBotApi, bot: Bot) -> None:
    """Replies to known messages carry reply_to_message; unknown targets are refused."""
    user_message = server.message_update("what is this?")["message"]
    server.push_update({"message": user_message})
    reply = await bot.send_message(
        chat_id=USER_ID,
        text="an article",
        reply_parameters=ReplyParameters(message_id=user_message["message_id"]),
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "what is this?"
    assert reply.message_id == user_message["message_id"] + 1
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(USER_ID, "x", reply_parameters=ReplyParameters(message_id=999))
    lenient = ReplyParameters(message_id=999, allow_sending_without_reply=True)
    assert (
        await bot.send_message(USER_ID, "x", reply_parameters=lenient)
    ).reply_to_message is None


async def test_group_chats_are_remembered(server: FakeBotApi, bot: Bot) -> None:
    """A group seen in an update keeps its type and title; unknown groups are not found."""
    update = server.message_update(
        f"/ask@{BOT_USERNAME} why?", chat_type="group", chat_title="Readers"
    )
    chat_id = update["message"]["chat"]["id"]
    assert chat_id < 0 and update["message"]["from"]["id"] == USER_ID
    server.push_update(update)
    message = await bot.send_message(chat_id=chat_id, text="because")
    assert message.chat.type == "group" and message.chat.title == "Readers"
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(chat_id=-42, text="hello?")


async def test_get_updates_long_poll_returns_as_soon_as_pushed(
    server: FakeBotApi, bot: Bot
) -> None:
    """A waiting getUpdates wakes on push_update; a higher offset confirms the update."""
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    update_id = server.push_update(server.message_update("/start"))
    updates = await asyncio.wait_for(poll, timeout=5)
    assert time.monotonic() - started < 2
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None and message.text == "/start"
    assert message.parse_entities([MessageEntity.BOT_COMMAND]) != {}
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0 and info.url == ""


async def test_get_updates_times_out_empty_and_respects_limit(
    server: FakeBotApi, bot: Bot
) -> None:
    """An empty queue waits ``timeout`` seconds; ``limit`` caps a batch."""
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3
    ids = [server.push_update(server.message_update(f"m{i}")) for i in range(3)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1] + 1)] == ids[2:]


async def test_callback_query_round_trip(server: FakeBotApi, bot: Bot) -> None:
    """A press on the bot's button arrives as an update and can be answered exactly once."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    await bot.send_message(chat_id=USER_ID, text="Sure?", reply_markup=keyboard)
    sent = server.wait_for("sendMessage").result
    with pytest.raises(ValueError, match="no button"):
        server.callback_query_update("no", sent)
    server.push_update(server.callback_query_update("yes", sent))
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "yes" and query.from_user.id == USER_ID
    assert query.message is not None and query.message.message_id == sent["message_id"]
    assert await bot.answer_callback_query(query.id, text="Done") is True
    with pytest.raises(BadRequest, match="(?i)query ID is invalid"):
        await bot.answer_callback_query(query.id)


async def test_inline_query_results_limit(server: FakeBotApi, bot: Bot) -> None:
    """Inline answers take at most 50 results, for a query id the fake issued."""

    def results(n: int) -> list[InlineQueryResultArticle]:
        return [
            InlineQueryResultArticle(str(i), f"t{i}", InputTextMessageContent("x"))
            for i in range(n)
        ]

    server.push_update(server.inline_query_update("iran"))
    (update,) = await bot.get_updates()
    assert update.inline_query is not None and update.inline_query.query == "iran"
    with pytest.raises(BadRequest, match="(?i)RESULTS_TOO_MUCH"):
        await bot.answer_inline_query(update.inline_query.id, results(51))
    assert await bot.answer_inline_query(update.inline_query.id, results(50)) is True
    with pytest.raises(BadRequest, match="(?i)query ID is invalid"):
        await bot.answer_inline_query("123", results(1))


async def test_commands_per_scope(server: FakeBotApi, bot: Bot) -> None:
    """Commands are stored per scope and language; invalid names are refused."""
    commands = [BotCommand("ask", "Ask about the article"), BotCommand("help", "Usage")]
    assert await bot.set_my_commands(commands) is True
    groups = BotCommandScopeAllGroupChats()
    await bot.set_my_commands(commands[:1], scope=groups)
    assert await bot.get_my_commands() == tuple(commands)
    assert await bot.get_my_commands(scope=groups) == tuple(commands[:1])
    assert await bot.get_my_commands(language_code="de") == ()
    assert await bot.delete_my_commands(scope=groups) is True
    assert await bot.get_my_commands(scope=groups) == ()
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Ask-Me", "bad name")])
    assert server.calls("setMyCommands")[1].params["scope"] == {"type": "all_group_chats"}


async def test_send_chat_action(bot: Bot) -> None:
    """Known actions succeed; anything else is a bad request."""
    assert await bot.send_chat_action(USER_ID, ChatAction.TYPING) is True
    with pytest.raises(BadRequest, match="(?i)wrong parameter action"):
        await bot.send_chat_action(USER_ID, "dancing")


async def test_await_call_keeps_the_loop_running(server: FakeBotApi, bot: Bot) -> None:
    """await_call waits in a thread: the bot keeps sending while a test awaits a call."""
    waiting = asyncio.create_task(
        server.await_call("sendMessage", lambda c: c.params["text"] == "late")
    )
    await bot.send_message(USER_ID, "early")
    await bot.send_message(USER_ID, "late")
    call = await asyncio.wait_for(waiting, timeout=5)
    assert call.params["text"] == "late" and call.result["message_id"] == 2
    server.clear_calls()
    assert server.calls() == []


async def test_close_and_log_out(server: FakeBotApi, bot: Bot) -> None:
    """close and logOut simply succeed."""
    assert await bot.close() is True
    assert await bot.log_out() is True
    assert [c.method for c in server.calls()[-2:]] == ["close", "logOut"]


# -- webhooks ------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    """Collects webhook POSTs into ``server.received`` and answers 200."""

    server: Any

    def do_POST(self) -> None:
        """Record headers and JSON body."""
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.put((dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[HTTPServer]:
    """A tiny local webhook endpoint."""
    httpd = HTTPServer(("127.0.0.1", 0), _Receiver)
    httpd.received = queue.Queue()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


async def test_webhook_delivery_with_secret(
    server: FakeBotApi, bot: Bot, receiver: HTTPServer
) -> None:
    """Updates are POSTed as JSON with the secret header; getUpdates then conflicts."""
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    assert await bot.set_webhook(url, secret_token="s3cret_TOKEN-1", allowed_updates=["message"])
    update_id = server.push_update(server.message_update("hello"))
    headers, body = await asyncio.to_thread(receiver.received.get, timeout=5)  # type: ignore[attr-defined]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_TOKEN-1"
    assert headers["Content-Type"] == "application/json"
    assert body["update_id"] == update_id and body["message"]["text"] == "hello"
    assert (await asyncio.to_thread(server.wait_for_delivery, update_id)).status == 200
    info = await bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    assert info.allowed_updates == ("message",) and not info.has_custom_certificate
    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook() is True
    assert await bot.get_updates() == ()


async def test_webhook_failures_are_retried_and_reported(server: FakeBotApi, bot: Bot) -> None:
    """A dead endpoint is retried, then the update is dropped and the error reported."""
    with pytest.raises(BadRequest, match="(?i)bad webhook"):
        await bot.set_webhook("https://example.org/hook")
    with pytest.raises(BadRequest, match="(?i)unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="not allowed!")
    await bot.set_webhook("http://127.0.0.1:9/hook")  # discard port: nothing listens
    update_id = server.push_update(server.message_update("lost"))
    last = await asyncio.to_thread(server.wait_for_delivery, update_id)
    assert last.status is None and last.error
    assert [d.update_id for d in server.webhook_deliveries] == [update_id] * 2
    info = await bot.get_webhook_info()
    assert info.last_error_message and info.pending_update_count == 0


# -- fault injection and errors --------------------------------------------------------------


async def test_flood_control_raises_retry_after(
    server: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 429 carries parameters.retry_after; the failed call is recorded; the next succeeds."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # opt in to PTB's timedelta retry_after
    server.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER_ID, "hi")
    assert caught.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    assert (await bot.send_message(USER_ID, "hi")).text == "hi"
    first, second = server.calls("sendMessage")
    assert (first.failed, first.status, second.failed) == (True, 429, False)


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_raise_network_error(
    server: FakeBotApi, bot: Bot, status: int
) -> None:
    """5xx answers become NetworkError (a TelegramError) for ``times`` calls."""
    server.fail_next("sendChatAction", status=status, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="(?i)Internal Server Error"):
            await bot.send_chat_action(USER_ID, ChatAction.TYPING)
    assert await bot.send_chat_action(USER_ID, ChatAction.TYPING)
    assert [c.status for c in server.calls("sendChatAction")] == [status, status, 200]


async def test_random_failures_hit_about_the_rate_given_reproducibly(
    server: FakeBotApi, bot: Bot
) -> None:
    """fail_randomly fails a share of the calls, the same ones for the same seed."""
    server.fail_randomly("sendChatAction", 0.25, seed=7)
    outcomes = []
    for _ in range(200):
        try:
            outcomes.append(await bot.send_chat_action(USER_ID, ChatAction.TYPING))
        except NetworkError:
            outcomes.append(False)
    assert 30 <= outcomes.count(False) <= 70
    assert {c.status for c in server.calls("sendChatAction") if c.failed} == {500}
    server.fail_randomly("sendChatAction", 0)
    assert await bot.send_chat_action(USER_ID, ChatAction.TYPING)


async def test_unknown_and_unsupported_methods(server: FakeBotApi, bot: Bot) -> None:
    """Unknown methods, and ones marked unsupported, answer 404 'method not found'."""
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("frobnicate")
    server.unsupported("sendChatAction")
    with pytest.raises(TelegramError, match="(?i)method not found"):
        await bot.send_chat_action(USER_ID, ChatAction.TYPING)
    assert [c.status for c in server.calls()[-2:]] == [404, 404]


async def test_wrong_token(server: FakeBotApi) -> None:
    """Another token gets 401 Unauthorized, which PTB reports as InvalidToken."""
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=server.base_url):
            pass
    status, body = raw_call(f"{server.base_url}1:wrong/getMe")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


def test_wait_for_timeout_lists_recorded_calls(server: FakeBotApi) -> None:
    """A timeout fails the test with what was called instead."""
    raw_call(server.url("getMe"))
    raw_call(server.url("getMe"))
    with pytest.raises(AssertionError, match=r"sendMessage.*recorded: getMe x2"):
        server.wait_for("sendMessage", timeout=0.2)


# -- raw HTTP bodies ---------------------------------------------------------------------------


def test_form_encoded_body_and_case_insensitive_method(server: FakeBotApi) -> None:
    """Form fields that hold JSON are decoded; method names ignore case."""
    markup = {"inline_keyboard": [[{"text": "Go", "url": "https://example.org"}]]}
    form = urllib.parse.urlencode(
        {"chat_id": "5", "text": "[not json]", "reply_markup": json.dumps(markup)}
    ).encode()
    status, body = raw_call(server.url("SENDMESSAGE"), form, "application/x-www-form-urlencoded")
    assert status == 200 and body["ok"] and body["result"]["reply_markup"] == markup
    call = server.wait_for("sendmessage")
    assert call.method == "sendMessage"
    assert call.params == {"chat_id": "5", "text": "[not json]", "reply_markup": markup}


def test_json_query_string_and_multipart_bodies(server: FakeBotApi) -> None:
    """JSON bodies keep their types; GET query strings and multipart parts work too."""
    payload = json.dumps({"chat_id": 5, "text": "json", "entities": []}).encode()
    assert raw_call(server.url("sendMessage"), payload, "application/json")[0] == 200
    query = urllib.parse.urlencode({"chat_id": 5, "text": "from query"})
    assert raw_call(f"{server.url('sendMessage')}?{query}")[1]["result"]["text"] == "from query"
    boundary = "xYzZy"
    parts = [
        ('name="chat_id"', b"5"),
        ('name="url"', b"http://127.0.0.1:9/h"),
        ('name="certificate"; filename="cert.pem"', b"PEM"),
    ]
    multipart = (
        b"".join(
            f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n".encode()
            + value
            + b"\r\n"
            for disposition, value in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    status, body = raw_call(
        server.url("setWebhook"), multipart, f"multipart/form-data; boundary={boundary}"
    )
    assert status == 200 and body["description"] == "Webhook was set"
    assert [c.params["chat_id"] for c in server.calls("sendMessage")] == [5, "5"]
    hook = server.calls("setWebhook")[0].params
    assert hook["certificate"] == Upload("cert.pem", "text/plain", b"PEM")
    assert raw_call(server.url("getWebhookInfo"))[1]["result"]["has_custom_certificate"] is True


def test_required_parameters_and_bad_json(server: FakeBotApi) -> None:
    """Missing chat_id/text and undecodable JSON fields are 400s."""
    json_type = "application/json"
    cases = [
        ({"text": "x"}, "Bad Request: chat_id is empty"),
        ({"chat_id": 5}, "Bad Request: message text is empty"),
        ({"chat_id": 5, "text": "x", "reply_markup": "{oops"}, "reply_markup JSON"),
        ({"chat_id": 5, "text": "x", "parse_mode": "BBCode"}, "unsupported parse_mode"),
    ]
    for params, description in cases:
        status, body = raw_call(server.url("sendMessage"), json.dumps(params).encode(), json_type)
        assert status == 400 and body["error_code"] == 400 and not body["ok"]
        assert description in body["description"]


# -- update builders -------------------------------------------------------------------------


def test_builders_make_valid_updates(server: FakeBotApi) -> None:
    """Builders compute UTF-16 entity offsets and make updates PTB can parse."""
    text = f"👍 @{BOT_USERNAME} /help"
    assert text_entities(text) == [
        {"type": "mention", "offset": 3, "length": len(BOT_USERNAME) + 1},
        {"type": "bot_command", "offset": 21, "length": 5},
    ]
    from telegram import Update

    bot = Bot(server.token)
    original = server.message_update("hi")["message"]
    builders = [
        server.message_update("/start", message_id=77),
        server.message_update("news", chat_type="supergroup", reply_to=None),
        server.edited_message_update(original, "hi again"),
        server.sticker_update(),
        server.photo_update("look /here"),
        server.voice_update(duration=5),
        server.message_update("post", chat_type="channel"),
    ]
    parsed = [Update.de_json({"update_id": 1, **u}, bot) for u in builders]
    assert parsed[0].message is not None and parsed[0].message.message_id == 77
    assert parsed[1].effective_chat is not None and parsed[1].effective_chat.id < 0
    assert parsed[2].edited_message is not None and parsed[2].edited_message.text == "hi again"
    assert parsed[3].message is not None and parsed[3].message.sticker is not None
    assert parsed[4].message is not None and parsed[4].message.caption_entities
    assert parsed[5].message is not None and parsed[5].message.voice is not None
    assert parsed[6].channel_post is not None and parsed[6].channel_post.sender_chat is not None
    with pytest.raises(ValueError):
        server.push_update({"message": original, "edited_message": original})
