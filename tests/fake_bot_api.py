"""A fake Telegram Bot API server for end-to-end tests.

It speaks the documented Bot API (https://core.telegram.org/bots/api) over real HTTP on
127.0.0.1 from background threads, so a bot under test exercises its real HTTP stack:
``telegram.Bot(server.token, base_url=server.base_url)``. Every call is recorded; tests wait
for calls, push updates (delivered by ``getUpdates`` or to a webhook), and inject faults.

Parameters are recorded as the bot sent them (form bodies carry numbers as strings, as
python-telegram-bot sends them); only JSON-valued fields are decoded. Deliberate deviations
from Telegram: webhooks may be plain HTTP and must point at a loopback address (the fake never
talks to anything else), and MarkdownV2/Markdown text is echoed without being parsed.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType, TracebackType
from typing import Any, Self, cast

JSONDict = dict[str, Any]

DEFAULT_TOKEN = "7000000001:AAFakeTokenForArticleBotTests_0123456789"
BOT_USERNAME = "article_test_bot"
DEFAULT_USER_ID = 424242
DEFAULT_CHAT_IDS = MappingProxyType(
    {"group": -4000000001, "supergroup": -1001000000001, "channel": -1001000000002}
)
MAX_MESSAGE_LENGTH = 4096  # characters after entity parsing
MAX_INLINE_RESULTS = 50
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024  # getFile refuses larger files ("file is too big")

UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
)  # fmt: skip
# Telegram only sends these when allowed_updates names them explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_MESSAGE_UPDATES = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "business_message",
     "edited_business_message"}
)  # fmt: skip
# Fields whose values are JSON objects/arrays; form bodies carry them as JSON strings.
_JSON_FIELDS = frozenset(
    {"reply_markup", "entities", "caption_entities", "results", "commands", "scope", "button",
     "link_preview_options", "reply_parameters", "allowed_updates", "media", "prices", "options",
     "reaction", "explanation_entities", "question_entities", "menu_button", "rights",
     "message_ids"}
)  # fmt: skip
_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)  # fmt: skip
_SCOPE_TYPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
     "chat_administrators", "chat_member"}
)  # fmt: skip
_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
_ATTR = r"""[^\s=>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?"""
_TAG_RE = re.compile(rf"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+{_ATTR})*)\s*>")
_ATTR_RE = re.compile(r"""([^\s=>/"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN_RE = re.compile(r"[^<&]+")
_PATH_RE = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?")
_FILE_PATH_RE = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>[A-Za-z0-9_./%-]+)")
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z][A-Za-z0-9_]{3,31})?(?![\w/@])")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{3,31}(?!\w)")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_LOOPBACK_HOSTS = ("localhost", "::1")


@dataclass(frozen=True)
class Call:
    """One recorded Bot API call, recorded once the fake has decided its response."""

    method: str
    params: JSONDict
    at: float
    failed: bool = False
    status: int = 200
    result: Any = None


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart/form-data request."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook; ``status`` is None if it never connected."""

    update_id: int
    status: int | None
    error: str | None
    at: float


class ApiError(Exception):
    """An error response, shaped like Telegram's."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSONDict:
        """Return the JSON body Telegram would send for this error."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class _Ok:
    """A successful result that also carries Telegram's optional ``description``."""

    result: Any
    description: str


@dataclass
class _Fault:
    """A pending injected failure."""

    status: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class _OpenTag:
    """An HTML start tag awaiting its end tag."""

    name: str
    attrs: dict[str, str]
    start: int
    language: str | None = None


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _u16(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _as_int(value: Any, error: str) -> int:
    """Coerce an integer parameter the way Telegram does, or raise 400 ``error``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise _bad(error)


def _as_bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def _decode_entity(name: str) -> str | None:
    if name.startswith("#"):
        digits = name[1:]
        code = int(digits.lstrip("xX"), 16) if digits[0] in "xX" else int(digits)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None
    return _NAMED_ENTITIES.get(name)


def _unescape(text: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m.group(1)) or m.group(0), text)


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram HTML into plain text and entities; raise ValueError like Telegram would."""
    out: list[str] = []
    pos = 0  # UTF-16 length of the plain text so far
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    i = 0
    while i < len(text):
        if (plain := _PLAIN_RE.match(text, i)) is not None:
            out.append(plain.group())
            pos += _u16(plain.group())
            i = plain.end()
            continue
        if text[i] == "&":
            ent = _ENTITY_RE.match(text, i)
            decoded = _decode_entity(ent.group(1)) if ent else None
            out.append(decoded if decoded is not None else "&")
            pos += _u16(out[-1])
            i = ent.end() if ent and decoded is not None else i + 1
            continue
        where = f"at byte offset {len(text[:i].encode())}"
        tag = _TAG_RE.match(text, i)
        if tag is None:
            raise ValueError(f"Unclosed start tag {where}")
        name = tag.group(2).lower()
        i = tag.end()
        if tag.group(1):  # end tag
            if not stack:
                raise ValueError(f"Unexpected end tag {where}")
            top = stack.pop()
            if top.name != name:
                raise ValueError(
                    f'Unmatched end tag {where}, expected "</{top.name}>", found "</{name}>"'
                )
            lang = top.attrs.get("class", "")
            if (
                name == "code"
                and stack
                and stack[-1].name == "pre"
                and lang.startswith("language-")
            ):
                stack[-1].language = lang.removeprefix("language-")
                continue
            if pos > top.start and (name != "a" or top.attrs.get("href")):
                entity: JSONDict = {
                    "type": _HTML_TAGS[name],
                    "offset": top.start,
                    "length": pos - top.start,
                }
                if name == "a":
                    entity["url"] = top.attrs["href"]
                elif name == "pre" and top.language:
                    entity["language"] = top.language
                elif name == "blockquote" and "expandable" in top.attrs:
                    entity["type"] = "expandable_blockquote"
                elif name == "tg-emoji":
                    entity["custom_emoji_id"] = top.attrs["emoji-id"]
                entities.append(entity)
            continue
        if name not in _HTML_TAGS:
            raise ValueError(f'Unsupported start tag "{name}" {where}')
        attrs = {
            key.lower(): _unescape(val[1:-1] if val[:1] in "\"'" and val else val)
            for key, val in _ATTR_RE.findall(tag.group(3))
        }
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise ValueError(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise ValueError(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')
        stack.append(_OpenTag(name, attrs, pos))
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _strip_text(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Trim surrounding whitespace as Telegram does, shifting and clipping entities."""
    left = text.lstrip()
    shift = _u16(text) - _u16(left)
    stripped = left.rstrip()
    total = _u16(stripped)
    kept = []
    for entity in entities:
        start = max(int(entity["offset"]) - shift, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def text_entities(text: str) -> list[JSONDict]:
    """Entities Telegram adds to incoming text: bot commands and @mentions (UTF-16 offsets)."""
    found = [("bot_command", m) for m in _COMMAND_RE.finditer(text)]
    found += [("mention", m) for m in _MENTION_RE.finditer(text)]
    return sorted(
        (
            {"type": kind, "offset": _u16(text[: m.start()]), "length": _u16(m.group())}
            for kind, m in found
        ),
        key=lambda e: e["offset"],
    )


def _decode_value(name: str, value: str) -> Any:
    """Decode a JSON-valued form field; leave everything else (numbers too) as sent."""
    if name in _JSON_FIELDS and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parse_params(query: str, content_type: str, body: bytes) -> JSONDict:
    """Merge query-string and body parameters of any content type Telegram accepts."""
    params: JSONDict = {k: _decode_value(k, v) for k, v in urllib.parse.parse_qsl(query)}
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return params
    if kind == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            raise _bad("can't parse JSON request body") from None
        if not isinstance(data, dict):
            raise _bad("request body must be a JSON object")
        params.update(
            {k: _decode_value(k, v) if isinstance(v, str) else v for k, v in data.items()}
        )
    elif kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
        if not message.is_multipart():
            raise _bad("can't parse multipart/form-data request body")
        for part in cast(list[Message], message.get_payload()):
            name = str(part.get_param("name", header="content-disposition") or "")
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                params[name] = Upload(filename, part.get_content_type(), data)
            else:
                params[name] = _decode_value(name, data.decode("utf-8"))
    else:  # x-www-form-urlencoded, or no declared type
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        params.update({k: _decode_value(k, v) for k, v in pairs})
    return params


class FakeBotApi:
    """A threaded fake Bot API server; use as a context manager or with start()/stop()."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        webhook_attempts: int = 3,
        webhook_retry_delay: float = 0.2,
        response_delay: float = 0.0,
    ) -> None:
        self.token = token
        # Network latency: each answer (but getUpdates', a long poll waits anyway) leaves this
        # long after the call was carried out and recorded, so a bot that dies meanwhile never
        # learns that its message was sent.
        self.response_delay = response_delay
        self.bot_id = int(token.split(":", 1)[0])
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._webhook_attempts = webhook_attempts
        self._webhook_retry_delay = webhook_retry_delay
        self._cond = threading.Condition()  # guards every field below
        self._calls: list[Call] = []
        self._pending: list[JSONDict] = []  # updates not yet confirmed or delivered
        self._update_ids = itertools.count(100_000_001)
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._files: dict[str, tuple[str, bytes, int]] = {}  # file_id -> (path, data, size)
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._chats: dict[int, JSONDict] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._bot_keys: list[tuple[int, int]] = []
        self._last_message_id: dict[int, int] = {}
        self._open_callbacks: set[str] = set()
        self._open_inline: set[str] = set()
        self._commands: dict[tuple[str, int | None, int | None, str], list[JSONDict]] = {}
        self._webhook: JSONDict | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._delivery_attempts: dict[int, int] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._unsupported: set[str] = set()
        self._random_faults: dict[str, tuple[float, int, random.Random]] = {}
        self._stopping = False
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        handlers: dict[str, Callable[[JSONDict], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_commands,
            "deleteMyCommands": self._delete_commands,
            "getMyCommands": self._get_commands,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "close": lambda p: True,
            "logOut": lambda p: True,
        }
        self._methods = {name.lower(): (name, fn) for name, fn in handlers.items()}

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind an ephemeral port on 127.0.0.1 and serve from daemon threads."""
        if self._httpd is not None:
            raise RuntimeError("FakeBotApi already started")
        self._httpd = _HTTPServer(self)
        self._threads = [
            threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="fake-bot-api",
                daemon=True,
            ),
            threading.Thread(
                target=self._deliver_webhooks, name="fake-bot-api-webhook", daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Release long polls, stop serving and close the socket."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port."""
        if self._httpd is None:
            raise RuntimeError("FakeBotApi not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url``: PTB appends ``<token>/<method>``."""
        return f"http://127.0.0.1:{self.port}/bot"

    def url(self, method: str) -> str:
        """Full URL of ``method`` with this server's token."""
        return f"{self.base_url}{self.token}/{method}"

    @property
    def bot_user(self) -> JSONDict:
        """The bot as a ``User`` object (the ``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Article Test Bot",
            "username": BOT_USERNAME,
        }

    # -- recording, waiting, faults ------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Recorded calls in order, optionally only those of ``method`` (any case)."""
        wanted = None if method is None else self._canonical(method)
        with self._cond:
            return [c for c in self._calls if wanted is None or c.method == wanted]

    def clear_calls(self) -> None:
        """Forget every recorded call."""
        with self._cond:
            self._calls.clear()

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
        count: int = 1,
    ) -> Call:
        """Block until ``count`` calls of ``method`` match ``predicate``; return the last one."""
        wanted = self._canonical(method)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [
                    c
                    for c in self._calls
                    if c.method == wanted and (predicate is None or predicate(c))
                ]
                if len(found) >= count:
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {count} matching {wanted} "
                        f"call(s), saw {len(found)}; recorded: {self._summary()}"
                    )
                self._cond.wait(remaining)

    async def await_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
        count: int = 1,
    ) -> Call:
        """``wait_for`` in a worker thread, so the test's event loop keeps running."""
        return await asyncio.to_thread(self.wait_for, method, predicate, timeout, count)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (still recorded)."""
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                400: "Bad Request",
                403: "Forbidden: bot was blocked by the user",
                500: "Internal Server Error",
                502: "Internal Server Error",
            }.get(status, HTTPStatus(status).phrase)
        fault = _Fault(status, description, retry_after if status == 429 else None, times)
        with self._cond:
            self._faults.setdefault(method.lower(), []).append(fault)

    def fail_randomly(self, method: str, rate: float, status: int = 500, seed: int = 0) -> None:
        """Make each call of ``method`` fail with ``status`` with probability ``rate``
        (reproducibly: the draws come from ``seed``); ``rate`` 0 stops it."""
        with self._cond:
            if rate <= 0:
                self._random_faults.pop(method.lower(), None)
            else:
                self._random_faults[method.lower()] = (rate, status, random.Random(seed))

    def unsupported(self, method: str) -> None:
        """Make ``method`` answer 404 as if the Bot API did not know it."""
        with self._cond:
            self._unsupported.add(method.lower())

    def bot_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Current versions (after edits) of messages the bot sent, oldest first."""
        with self._cond:
            return [
                copy.deepcopy(self._messages[key])
                for key in self._bot_keys
                if chat_id is None or key[0] == chat_id
            ]

    def wait_for_delivery(self, update_id: int, timeout: float = 5.0) -> WebhookDelivery:
        """Block until the webhook delivery of ``update_id`` finished; return its last attempt."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                tries = [d for d in self.webhook_deliveries if d.update_id == update_id]
                if tries and all(u["update_id"] != update_id for u in self._pending):
                    return tries[-1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"update {update_id} not delivered; tries: {tries}")
                self._cond.wait(remaining)

    def _canonical(self, method: str) -> str:
        entry = self._methods.get(method.lower())
        return entry[0] if entry else method

    def _summary(self) -> str:
        parts: list[str] = []
        for name, group in itertools.groupby(
            f"{c.method} (failed {c.status})" if c.failed else c.method for c in self._calls
        ):
            n = len(list(group))
            parts.append(name if n == 1 else f"{name} x{n}")
        return ", ".join(parts) or "nothing"

    # -- request handling ----------------------------------------------------------------

    def _handle(
        self, method: str, token: str, query: str, content_type: str, body: bytes
    ) -> tuple[int, JSONDict]:
        """Answer one HTTP request and record it; runs on a server thread."""
        arrived = time.time()
        params: JSONDict = {}
        with self._cond:
            entry = self._methods.get(method.lower())
            name = entry[0] if entry else method
            try:
                params = _parse_params(query, content_type, body)
                if token != self.token:
                    raise ApiError(401, "Unauthorized")
                faults = self._faults.get(method.lower())
                if faults:
                    fault = faults[0]
                    fault.times -= 1
                    if fault.times <= 0:
                        faults.pop(0)
                    raise ApiError(fault.status, fault.description, fault.retry_after)
                chance = self._random_faults.get(method.lower())
                if chance is not None and chance[2].random() < chance[0]:
                    raise ApiError(chance[1], HTTPStatus(chance[1]).phrase)
                if entry is None or method.lower() in self._unsupported:
                    raise ApiError(404, "Not Found: method not found")
                for key in _JSON_FIELDS & params.keys():
                    if isinstance(params[key], str):
                        raise _bad(f"can't parse {key} JSON object")
                outcome = entry[1](params)
                body_out: JSONDict = {"ok": True, "result": outcome}
                if isinstance(outcome, _Ok):
                    body_out = {
                        "ok": True,
                        "result": outcome.result,
                        "description": outcome.description,
                    }
                status = 200
            except ApiError as err:
                status, body_out = err.status, err.payload()
            except Exception as exc:  # noqa: BLE001  # a malformed parameter nobody foresaw
                status = 400
                body_out = _bad(f"can't process request ({type(exc).__name__}: {exc})").payload()
            result = copy.deepcopy(body_out.get("result"))
            self._calls.append(Call(name, params, arrived, status != 200, status, result))
            self._cond.notify_all()
            return status, body_out

    # -- Bot API methods (called with the lock held) --------------------------------------

    @staticmethod
    def _require(params: JSONDict, *names: str) -> None:
        for name in names:
            if params.get(name) in (None, ""):
                raise _bad(f"{name} is empty")

    def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        offset = _as_int(params.get("offset", 0), "invalid offset specified")
        limit = min(max(_as_int(params.get("limit", 100), "invalid limit specified"), 1), 100)
        timeout = min(max(_as_int(params.get("timeout", 0), "invalid timeout specified"), 0), 60)
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"])
        if offset < 0:  # keep only the last -offset updates
            del self._pending[: max(len(self._pending) + offset, 0)]
        elif offset > 0:  # confirms every update below offset
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + timeout
        while True:
            if self._webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is "
                    "active; use deleteWebhook to delete the webhook first",
                )
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make "
                    "sure that only one bot instance is running",
                )
            remaining = deadline - time.monotonic()
            if self._pending or remaining <= 0 or self._stopping:
                return copy.deepcopy(self._pending[:limit])
            self._cond.wait(remaining)

    def _send_message(self, params: JSONDict) -> JSONDict:
        self._require(params, "chat_id")
        chat = self._resolve_chat(params["chat_id"])
        text, entities = self._formatted_text(params)
        markup = self._inline_markup(params.get("reply_markup"))
        reply_to = self._reply_target(params, chat["id"])
        message: JSONDict = {"message_id": self._next_message_id(chat["id"])}
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = self.bot_user
        message.update(chat=chat, date=int(time.time()), text=text)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if entities:
            message["entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        return self._sent(message)

    def _sent(self, message: JSONDict) -> JSONDict:
        """Keep a message the bot sent (a text or a document) and return what the API answers."""
        self._store_message(message, incoming=False)
        self._bot_keys.append((message["chat"]["id"], message["message_id"]))
        return copy.deepcopy(message)

    def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        text, entities = self._formatted_text(params)
        markup = self._inline_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        self._require(params, "chat_id")
        if params.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        key = (
            self._resolve_chat(params["chat_id"])["id"],
            _as_int(params["message_id"], "message to edit not found"),
        )
        old = self._messages.get(key)
        if old is None:
            raise _bad("message to edit not found")
        if key not in self._bot_keys:
            raise _bad("message can't be edited")
        if (old.get("text"), old.get("entities", []), old.get("reply_markup")) == (
            text,
            entities,
            markup,
        ):
            raise _bad(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        new = {k: v for k, v in old.items() if k not in ("entities", "reply_markup")}
        new.update(text=text, edit_date=int(time.time()))
        if entities:
            new["entities"] = entities
        if markup is not None:
            new["reply_markup"] = markup
        self._messages[key] = new
        return copy.deepcopy(new)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        markup = self._inline_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key = self._editable(params)
        old = self._messages[key]
        if old.get("reply_markup") == markup:
            raise _bad(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        new = {k: v for k, v in old.items() if k != "reply_markup"}
        new["edit_date"] = int(time.time())
        if markup is not None:  # none: the keyboard is removed
            new["reply_markup"] = markup
        self._messages[key] = new
        return copy.deepcopy(new)

    def _editable(self, params: JSONDict) -> tuple[int, int]:
        """The key of the bot's message an edit names; BadRequest as Telegram words it."""
        self._require(params, "chat_id")
        if params.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        key = (
            self._resolve_chat(params["chat_id"])["id"],
            _as_int(params["message_id"], "message to edit not found"),
        )
        if key not in self._messages:
            raise _bad("message to edit not found")
        if key not in self._bot_keys:
            raise _bad("message can't be edited")
        return key

    def _answer_callback_query(self, params: JSONDict) -> bool:
        self._require(params, "callback_query_id")
        if len(str(params.get("text", ""))) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._close_query(self._open_callbacks, str(params["callback_query_id"]))
        return True

    def _answer_inline_query(self, params: JSONDict) -> bool:
        self._require(params, "inline_query_id")
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad("results is empty" if results is None else "can't parse results")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad("RESULTS_TOO_MUCH")
        ids = [r.get("id") if isinstance(r, dict) else None for r in results]
        for result, result_id in zip(results, ids, strict=True):
            if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
                raise _bad("RESULT_ID_INVALID")
            if not result.get("type"):
                raise _bad("RESULT_TYPE_INVALID")
        if len(set(ids)) != len(ids):
            raise _bad("RESULT_ID_DUPLICATE")
        self._close_query(self._open_inline, str(params["inline_query_id"]))
        return True

    def _close_query(self, open_ids: set[str], query_id: str) -> None:
        if query_id not in open_ids:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        open_ids.discard(query_id)

    def _commands_key(self, params: JSONDict) -> tuple[str, int | None, int | None, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise _bad("can't parse BotCommandScope JSON object")
        chat_id = scope.get("chat_id")
        if scope["type"] in ("chat", "chat_administrators", "chat_member") and chat_id is None:
            raise _bad("chat_id is empty")
        user_id = scope.get("user_id")
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("LANG_CODE_INVALID")
        return (
            scope["type"],
            None if chat_id is None else self._resolve_chat(chat_id)["id"],
            None if user_id is None else _as_int(user_id, "invalid user_id specified"),
            language,
        )

    def _set_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("commands is empty" if commands is None else "can't parse commands")
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND_NAME_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _delete_commands(self, params: JSONDict) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _get_commands(self, params: JSONDict) -> list[JSONDict]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _send_document(self, params: JSONDict) -> JSONDict:
        self._require(params, "chat_id", "document")
        chat = self._resolve_chat(params["chat_id"])
        upload = params["document"]
        if not isinstance(upload, Upload):
            raise _bad("wrong file identifier/HTTP URL specified")
        reply_to = self._reply_target(params, chat["id"])
        message: JSONDict = {"message_id": self._next_message_id(chat["id"]),
                             "from": self.bot_user, "chat": chat, "date": int(time.time()),
                             "document": self._register_file(upload.filename, upload.data,
                                                             upload.content_type)}
        if params.get("caption"):
            caption, entities = self._formatted_text({**params, "text": params["caption"]})
            message["caption"] = caption
            if entities:
                message["caption_entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self._sent(message)

    def _get_file(self, params: JSONDict) -> JSONDict:
        self._require(params, "file_id")
        file_id = str(params["file_id"])
        if file_id not in self._files:
            raise _bad("invalid file_id")
        path, _data, size = self._files[file_id]
        if size > MAX_DOWNLOAD_SIZE:
            raise _bad("file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size,
                "file_path": path}

    def _register_file(self, file_name: str, data: bytes, mime_type: str,
                       file_size: int | None = None) -> JSONDict:
        """Keep a file for getFile and download; return its Document object (lock held)."""
        n = next(self._file_ids)
        file_id = f"BQACAg{n:06d}-fake"
        size = len(data) if file_size is None else file_size
        self._files[file_id] = (f"documents/file_{n}", data, size)
        return {"file_id": file_id, "file_unique_id": f"BQu{n}", "file_name": file_name,
                "mime_type": mime_type, "file_size": size}

    def download(self, token: str, path: str) -> bytes | None:
        """The bytes at a getFile ``file_path``, or None (wrong token or path)."""
        with self._cond:
            if token != self.token:
                return None
            found = next((d for p, d, _s in self._files.values() if p == path), None)
            self._calls.append(Call("download", {"file_path": path}, time.time(),
                                    found is None, 200 if found is not None else 404))
            self._cond.notify_all()
            return found

    def file_of(self, document: JSONDict) -> bytes:
        """The bytes of a Document the bot sent (or a test uploaded)."""
        with self._cond:
            return self._files[document["file_id"]][1]

    def _send_chat_action(self, params: JSONDict) -> bool:
        self._require(params, "chat_id", "action")
        self._resolve_chat(params["chat_id"])
        if params["action"] not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _set_webhook(self, params: JSONDict) -> _Ok:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if not (parts.hostname.startswith("127.") or parts.hostname in _LOOPBACK_HOSTS):
            raise _bad("bad webhook: the fake Bot API only delivers to loopback addresses")
        secret = params.get("secret_token")
        if secret not in (None, "") and not _SECRET_RE.fullmatch(str(secret)):
            raise _bad("secret token contains unallowed characters")
        max_connections = _as_int(params.get("max_connections", 40), "invalid max_connections")
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"])
        if _as_bool(params.get("drop_pending_updates")):
            self._pending.clear()
        again = self._webhook is not None and self._webhook["url"] == url
        self._webhook = {
            "url": url,
            "secret_token": secret or None,
            "max_connections": min(max(max_connections, 1), 100),
            "ip_address": params.get("ip_address"),
            "has_custom_certificate": isinstance(params.get("certificate"), Upload),
        }
        self._webhook_error = None
        self._cond.notify_all()
        return _Ok(True, "Webhook is already set" if again else "Webhook was set")

    def _delete_webhook(self, params: JSONDict) -> _Ok:
        if _as_bool(params.get("drop_pending_updates")):
            self._pending.clear()
        was_set, self._webhook = self._webhook is not None, None
        self._cond.notify_all()
        return _Ok(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        hook = self._webhook
        info: JSONDict = {
            "url": hook["url"] if hook else "",
            "has_custom_certificate": bool(hook and hook["has_custom_certificate"]),
            "pending_update_count": len(self._pending),
        }
        if hook:
            info["max_connections"] = hook["max_connections"]
            if hook["ip_address"]:
                info["ip_address"] = hook["ip_address"]
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    # -- helpers for the methods ------------------------------------------------------------

    def _resolve_chat(self, value: Any) -> JSONDict:
        """The chat object for a chat_id (or @username); unknown users are private chats."""
        if isinstance(value, str) and value.startswith("@"):
            for chat in self._chats.values():
                if str(chat.get("username", "")).lower() == value[1:].lower():
                    return copy.deepcopy(chat)
            raise _bad("chat not found")
        chat_id = _as_int(value, "chat not found")
        if chat_id in self._chats:
            return copy.deepcopy(self._chats[chat_id])
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        raise _bad("chat not found")  # the bot is in no group it has not heard from

    def _formatted_text(self, params: JSONDict) -> tuple[str, list[JSONDict]]:
        """Plain text and entities of ``params["text"]``, validated as Telegram does."""
        raw = params.get("text")
        if raw in (None, ""):
            raise _bad("message text is empty")
        text, entities = str(raw), params.get("entities") or []
        mode = str(params.get("parse_mode") or "").lower()
        if not isinstance(entities, list):
            raise _bad("can't parse entities JSON object")
        if not entities and mode == "html":
            try:
                text, entities = parse_html(text)
            except ValueError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif mode not in ("", "html", "markdown", "markdownv2"):
            raise _bad("unsupported parse_mode")
        text, entities = _strip_text(text, entities)
        if not text:
            raise _bad("message text is empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise _bad("message is too long")
        return text, entities

    @staticmethod
    def _inline_markup(markup: Any) -> JSONDict | None:
        """Validate reply_markup; return it if it is an inline keyboard (messages echo those)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None  # reply keyboards and removals are not part of the Message
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad("can't parse inline keyboard markup JSON object")
        for button in (b for row in rows for b in row):
            actions = [a for a in _BUTTON_ACTIONS if isinstance(button, dict) and a in button]
            if not isinstance(button, dict) or not button.get("text") or len(actions) != 1:
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in "
                    "the inline keyboard"
                )
            data = button.get("callback_data")
            if "callback_data" in button and not (
                isinstance(data, str) and 1 <= len(data.encode()) <= 64
            ):
                raise _bad("BUTTON_DATA_INVALID")
        return copy.deepcopy(markup) if any(rows) else None

    def _reply_target(self, params: JSONDict, chat_id: int) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") not in (None, ""):
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply"),
            }
        if reply is None:
            return None
        if not isinstance(reply, dict) or "message_id" not in reply:
            raise _bad("can't parse reply parameters JSON object")
        if reply.get("chat_id") is not None:
            chat_id = self._resolve_chat(reply["chat_id"])["id"]
        target = self._messages.get(
            (chat_id, _as_int(reply["message_id"], "message to be replied not found"))
        )
        if target is None:
            if _as_bool(reply.get("allow_sending_without_reply")):
                return None
            raise _bad("message to be replied not found")
        return {k: copy.deepcopy(v) for k, v in target.items() if k != "reply_to_message"}

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _store_message(self, message: JSONDict, *, incoming: bool) -> None:
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        self._messages[(chat_id, message_id)] = copy.deepcopy(message)
        self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0), message_id)
        if incoming:  # the sender's update is what tells Telegram a chat's title and type
            self._chats[chat_id] = copy.deepcopy(message["chat"])

    # -- updates ---------------------------------------------------------------------------

    def push_update(self, update: JSONDict) -> int:
        """Assign the next update_id and queue the update for getUpdates or the webhook.

        Messages, chats and query ids in it become known to the fake, as they would to
        Telegram. Types not in the current allowed_updates are dropped, as Telegram does.
        """
        kinds = [key for key in update if key != "update_id"]
        if len(kinds) != 1 or kinds[0] not in UPDATE_TYPES:
            raise ValueError(f"an update needs exactly one of the update fields, got {kinds}")
        kind, payload = kinds[0], copy.deepcopy(update[kinds[0]])
        with self._cond:
            update_id = next(self._update_ids)
            if kind in _MESSAGE_UPDATES:
                self._store_message(payload, incoming=True)
            elif kind == "callback_query":
                self._open_callbacks.add(payload["id"])
            elif kind == "inline_query":
                self._open_inline.add(payload["id"])
            elif isinstance(payload, dict) and isinstance(payload.get("chat"), dict):
                self._chats.setdefault(payload["chat"]["id"], copy.deepcopy(payload["chat"]))
            allowed = self._allowed_updates
            if (kind in allowed) if allowed else (kind not in _OPT_IN_UPDATES):
                self._pending.append({"update_id": update_id, kind: payload})
                self._cond.notify_all()
        return update_id

    def _user(self, user_id: int, username: str | None, first_name: str) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        return {**user, "language_code": "en"}

    def _incoming(
        self,
        content: JSONDict,
        *,
        chat_id: int | None,
        chat_type: str,
        user_id: int | None,
        username: str | None = "reader",
        first_name: str = "Reader",
        chat_title: str | None = None,
        reply_to: JSONDict | None = None,
        message_id: int | None = None,
    ) -> JSONDict:
        """A ``{"message": ...}`` (or ``channel_post``) update with ``content`` from a user."""
        if chat_type == "private":
            user_id = user_id if user_id is not None else chat_id or DEFAULT_USER_ID
            if chat_id not in (None, user_id):
                raise ValueError("a private chat's id is the user's id")
            chat: JSONDict = {"id": user_id, "type": "private", "first_name": first_name}
            if username:
                chat["username"] = username
        elif chat_type in DEFAULT_CHAT_IDS:
            chat_id = DEFAULT_CHAT_IDS[chat_type] if chat_id is None else chat_id
            if chat_id >= 0:
                raise ValueError("group, supergroup and channel ids are negative")
            with self._cond:
                known = self._chats.get(chat_id, {}).get("title")
            chat = {
                "id": chat_id,
                "type": chat_type,
                "title": chat_title or known or f"Test {chat_type}",
            }
        else:
            raise ValueError(f"unknown chat type {chat_type!r}")
        with self._cond:
            if message_id is None:
                message_id = self._next_message_id(chat["id"])
        message: JSONDict = {"message_id": message_id}
        if chat_type == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = self._user(user_id or DEFAULT_USER_ID, username, first_name)
        message.update(chat=chat, date=int(time.time()))
        if reply_to is not None:
            if reply_to["chat"]["id"] != chat["id"]:
                raise ValueError("reply_to must be a message of the same chat")
            message["reply_to_message"] = {
                k: v for k, v in reply_to.items() if k != "reply_to_message"
            }
        message.update(content)
        return {"channel_post" if chat_type == "channel" else "message": message}

    def message_update(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        user_id: int | None = None,
        username: str | None = "reader",
        first_name: str = "Reader",
        chat_title: str | None = None,
        reply_to: JSONDict | None = None,
        entities: list[JSONDict] | None = None,
        message_id: int | None = None,
    ) -> JSONDict:
        """A text message update; commands and @mentions get entities unless given."""
        content: JSONDict = {"text": text}
        found = text_entities(text) if entities is None else entities
        if found:
            content["entities"] = found
        return self._incoming(
            content,
            chat_id=chat_id,
            chat_type=chat_type,
            user_id=user_id,
            username=username,
            first_name=first_name,
            chat_title=chat_title,
            reply_to=reply_to,
            message_id=message_id,
        )

    def edited_message_update(self, original: JSONDict, new_text: str) -> JSONDict:
        """An ``edited_message`` (or ``edited_channel_post``) update of ``original``."""
        message = {k: v for k, v in copy.deepcopy(original).items() if k != "entities"}
        message.update(text=new_text, edit_date=int(time.time()))
        if found := text_entities(new_text):
            message["entities"] = found
        channel = message["chat"]["type"] == "channel"
        return {"edited_channel_post" if channel else "edited_message": message}

    def callback_query_update(
        self,
        data: str,
        message: JSONDict,
        *,
        user_id: int = DEFAULT_USER_ID,
        username: str | None = "reader",
        first_name: str = "Reader",
    ) -> JSONDict:
        """A button press on ``message`` (as sent by the bot); ``data`` must be on a button."""
        with self._cond:
            key = (message["chat"]["id"], message["message_id"])
            current = copy.deepcopy(self._messages.get(key, message))
            query_id = str(next(self._query_ids))
        rows = current.get("reply_markup", {}).get("inline_keyboard", [])
        offered = [b.get("callback_data") for row in rows for b in row]
        if data not in offered:
            raise ValueError(f"message {key} has no button with callback_data {data!r}: {offered}")
        return {
            "callback_query": {
                "id": query_id,
                "from": self._user(user_id, username, first_name),
                "message": current,
                "chat_instance": str(abs(key[0]) * 31 + self.bot_id),
                "data": data,
            }
        }

    def inline_query_update(
        self,
        query: str,
        *,
        user_id: int = DEFAULT_USER_ID,
        username: str | None = "reader",
        first_name: str = "Reader",
        offset: str = "",
        chat_type: str | None = "sender",
    ) -> JSONDict:
        """An inline query typed by a user."""
        with self._cond:
            query_id = str(next(self._query_ids))
        inline: JSONDict = {
            "id": query_id,
            "from": self._user(user_id, username, first_name),
            "query": query,
            "offset": offset,
        }
        if chat_type:
            inline["chat_type"] = chat_type
        return {"inline_query": inline}

    def _file(self, prefix: str) -> JSONDict:
        with self._cond:
            n = next(self._file_ids)
        return {"file_id": f"{prefix}{n:06d}-fake", "file_unique_id": f"{prefix}u{n}"}

    def sticker_update(
        self,
        emoji: str = "👍",
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        user_id: int | None = None,
    ) -> JSONDict:
        """A message carrying a regular static sticker."""
        sticker = {
            **self._file("CAACAg"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._incoming(
            {"sticker": sticker},
            chat_id=chat_id,
            chat_type=chat_type,
            user_id=user_id,
        )

    def photo_update(
        self,
        caption: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        user_id: int | None = None,
    ) -> JSONDict:
        """A message carrying a photo in three sizes, with an optional caption."""
        content: JSONDict = {
            "photo": [
                {**self._file("AgACAg"), "width": w, "height": h, "file_size": w * h // 8}
                for w, h in ((90, 68), (320, 240), (1280, 960))
            ]
        }
        if caption:
            content["caption"] = caption
            if found := text_entities(caption):
                content["caption_entities"] = found
        return self._incoming(
            content,
            chat_id=chat_id,
            chat_type=chat_type,
            user_id=user_id,
        )

    def document_update(
        self,
        data: bytes,
        file_name: str,
        *,
        mime_type: str = "text/plain",
        file_size: int | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        user_id: int | None = None,
    ) -> JSONDict:
        """A message carrying a document; ``file_size`` overrides what Telegram reports (a
        50 MB file need not be held in memory to be refused)."""
        with self._cond:
            document = self._register_file(file_name, data, mime_type, file_size)
        content: JSONDict = {"document": document}
        if caption:
            content["caption"] = caption
        return self._incoming(
            content,
            chat_id=chat_id,
            chat_type=chat_type,
            user_id=user_id,
        )

    def voice_update(
        self,
        duration: int = 3,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        user_id: int | None = None,
    ) -> JSONDict:
        """A message carrying a voice note."""
        voice = {
            **self._file("AwACAg"),
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 4000 * duration,
        }
        return self._incoming(
            {"voice": voice},
            chat_id=chat_id,
            chat_type=chat_type,
            user_id=user_id,
        )

    # -- webhook delivery --------------------------------------------------------------------

    def _deliver_webhooks(self) -> None:
        """Worker thread: POST pending updates, in order, while a webhook is set."""
        while True:
            with self._cond:
                while not self._stopping and (self._webhook is None or not self._pending):
                    self._cond.wait()
                if self._stopping:
                    return
                update, hook = self._pending[0], dict(self._webhook or {})
            status, error = self._post(hook["url"], hook["secret_token"], update)
            update_id = update["update_id"]
            with self._cond:
                self.webhook_deliveries.append(
                    WebhookDelivery(update_id, status, error, time.time())
                )
                ok = status is not None and 200 <= status < 300
                tries = self._delivery_attempts[update_id] = (
                    self._delivery_attempts.get(update_id, 0) + 1
                )
                if not ok:
                    reason = error or f"Wrong response from the webhook: {status}"
                    self._webhook_error = (int(time.time()), reason)
                if ok or tries >= self._webhook_attempts:
                    self._pending = [u for u in self._pending if u["update_id"] != update_id]
                self._cond.notify_all()
                if not ok and not self._stopping:
                    self._cond.wait(self._webhook_retry_delay)

    def _post(
        self, url: str, secret: str | None, update: JSONDict
    ) -> tuple[int | None, str | None]:
        """POST one update as Telegram does; return (HTTP status, connection error)."""
        request = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST")
        request.add_header("Content-Type", "application/json")
        if secret:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
        try:
            with self._opener.open(request, timeout=5) as response:
                response.read()
                return int(response.status), None
        except urllib.error.HTTPError as exc:
            exc.close()
            return exc.code, None
        except (urllib.error.URLError, OSError) as exc:
            return None, str(getattr(exc, "reason", exc))


class _HTTPServer(ThreadingHTTPServer):
    """The listening socket; one daemon thread per connection."""

    daemon_threads = True

    def __init__(self, fake: FakeBotApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (e.g. a cancelled long poll) are normal here; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    """Routes ``/bot<token>/<method>`` to the fake and writes its JSON answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid a 40 ms stall
    server: _HTTPServer

    def do_GET(self) -> None:
        """Answer a GET call (parameters in the query string)."""
        self._serve()

    def do_POST(self) -> None:
        """Answer a POST call (JSON, form or multipart body)."""
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep quiet: request lines carry the bot token."""

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urllib.parse.urlsplit(self.path)
        route = _PATH_RE.fullmatch(url.path)
        file_route = _FILE_PATH_RE.fullmatch(url.path)
        if file_route is not None:
            self._serve_file(urllib.parse.unquote(file_route["token"]),
                             urllib.parse.unquote(file_route["path"]))
            return
        if route is None:
            status, payload = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        else:
            status, payload = self.server.fake._handle(
                route["method"],
                route["token"],
                url.query,
                self.headers.get("Content-Type", ""),
                body,
            )
        data = json.dumps(payload, ensure_ascii=False).encode()
        if self.server.fake.response_delay and route and route["method"].lower() != "getupdates":
            time.sleep(self.server.fake.response_delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up, e.g. a cancelled long poll
            self.close_connection = True

    def _serve_file(self, token: str, path: str) -> None:
        """A file download (``/file/bot<token>/<file_path>``): raw bytes, or 404."""
        data = self.server.fake.download(token, path)
        try:
            if data is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True
