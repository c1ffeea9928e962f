"""Where updates come from: long polling or a webhook. Each stores an update before it is
acknowledged to Telegram, and never acknowledges one it could not store.

Both use python-telegram-bot's public API only: ``getUpdates`` through
:meth:`telegram.Bot.do_api_request` with an explicit offset (the offset moves past an update only
once it is stored; the next call confirms it to Telegram), and a small tornado server of our own
for the webhook (it answers 200 only once the update is stored; on an inbox error it answers 503
and Telegram delivers it again). Either way each update is parsed on its own, and one that
python-telegram-bot cannot parse (an emulator's sloppy JSON, a field newer than PTB) is skipped
by its id: it cannot stall the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

from telegram import Bot, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.warnings import PTBUserWarning
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApplication
from tornado.web import RequestHandler

from bot.inbox import InboxError, Incoming

__all__ = ["ListenError", "PollingSource", "Store", "WebhookSource", "incoming", "parse_update"]

log = logging.getLogger(__name__)

Store = Callable[[Sequence[Incoming]], Awaitable[None]]
"""Stores updates durably (and hands them on); raises :class:`InboxError` if it cannot."""

POLL_TIMEOUT = 10  # seconds a long poll waits for updates (as PTB's run_polling)
POLL_READ_MARGIN = 5.0  # a long poll's read timeout is its wait plus this (as PTB's get_updates)
RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)  # after network or inbox errors, then the last again
BOOTSTRAP_RETRIES = 3  # deleteWebhook / setWebhook at start-up, one second apart
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20  # an update is a few kilobytes; refuse anything absurd early
_T = TypeVar("_T")


class ListenError(Exception):
    """The webhook server cannot listen (the port is taken, the address is not this host's)."""


def incoming(update: Update, payload: str, *, now: float | None = None) -> Incoming:
    """What the inbox stores for ``update`` (``payload`` is its JSON).

    Its age counts from the message's date for a new message (or an edit's date), so one that
    waited at Telegram while the bot was down is not younger than it is; other updates (a
    button pressed on an old message) count from now.
    """
    born = time.time() if now is None else now
    if update.message is not None:
        born = min(born, update.message.date.timestamp())
    elif update.edited_message is not None:
        edited = update.edited_message.edit_date or update.edited_message.date
        born = min(born, edited.timestamp())
    chat = update.effective_chat
    return Incoming(update.update_id, chat.id if chat else None, born, payload)


def parse_update(data: object, bot: Bot) -> Update | None:
    """``data`` (one update's JSON object) as an ``Update``, or None if PTB cannot parse it.

    A skipped update is logged by its id only: the content is the user's, and may be what broke
    the parser.
    """
    update_id = data.get("update_id") if isinstance(data, dict) else None
    try:
        return Update.de_json(cast("dict[str, Any]", data), bot)
    except Exception as exc:  # noqa: BLE001 - anything PTB fails on; nothing may stall
        log.warning("skipping update %s: cannot parse it (%s)", update_id, type(exc).__name__)
        return None


def _delay(attempt: int) -> float:
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]


async def _bootstrap(call: Callable[[], Awaitable[_T]], what: str) -> _T:
    """``call()``, retried on network errors at start-up; the last error is raised."""
    for attempt in range(BOOTSTRAP_RETRIES + 1):
        try:
            return await call()
        except (InvalidToken, BadRequest):  # NetworkErrors to PTB, but answers: not retried
            raise
        except NetworkError as exc:
            if attempt == BOOTSTRAP_RETRIES:
                raise
            log.warning("%s failed (%s); retrying in 1 s", what, exc)
            await asyncio.sleep(1.0)
    raise AssertionError("unreachable")


class PollingSource:
    """Long polling with an explicit offset that moves only past stored updates."""

    def __init__(self, bot: Bot, store: Store, *, offset: int | None,
                 allowed_updates: Sequence[str], timeout: int = POLL_TIMEOUT) -> None:
        """Poll ``bot`` from ``offset`` (the inbox's :meth:`~bot.inbox.Inbox.next_offset`)."""
        self.bot = bot
        self.offset = offset
        self._store = store
        self._allowed = list(allowed_updates)
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        # do_api_request("getUpdates") is deliberate (see _fetch); PTB suggests get_updates.
        warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'",
                                category=PTBUserWarning)

    async def start(self) -> asyncio.Future[None]:
        """Delete any webhook, then poll in a task until :meth:`stop`; return that task (it
        ends on its own only by raising, e.g. ``InvalidToken``)."""
        await _bootstrap(self.bot.delete_webhook, "deleteWebhook")
        self._task = asyncio.create_task(self._poll(), name="polling")
        return self._task

    async def stop(self) -> None:
        """Stop polling (an unconfirmed batch is simply polled again at the next start)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self) -> None:
        failures = 0
        while True:
            try:
                updates, past = await self._fetch()
            except InvalidToken:
                raise
            except TelegramError as exc:  # network errors, 5xx, a 409 Conflict
                delay = _delay(failures)
                failures += 1
                log.warning("getUpdates failed (%s); polling again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                continue
            if not updates:
                failures = 0
                self.offset = past if past is not None else self.offset
                continue
            try:
                await self._store([incoming(u, payload) for u, payload in updates])
            except InboxError as exc:
                # The offset stays: Telegram keeps these updates and gives them again.
                delay = _delay(failures)
                failures += 1
                log.error("%s; %d update(s) not confirmed to Telegram, polling them again in "
                          "%.0f s", exc, len(updates), delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            self.offset = past

    async def _fetch(self) -> tuple[list[tuple[Update, str]], int | None]:
        """One long poll: the updates PTB can parse, each with its JSON, and the offset past
        the whole batch (None if it was empty).

        ``Bot.get_updates`` parses a batch at once, so one update it cannot parse would fail
        every poll at the same offset and the bot would go deaf; the raw results are parsed
        here one by one, and the offset moves past an unparsable one as past any other.
        """
        params: dict[str, Any] = {"timeout": self._timeout, "allowed_updates": self._allowed}
        if self.offset is not None:
            params["offset"] = self.offset
        raw = await self.bot.do_api_request("getUpdates", api_kwargs=params,
                                            read_timeout=self._timeout + POLL_READ_MARGIN)
        results = raw if isinstance(raw, list) else []
        ids = [r["update_id"] for r in results
               if isinstance(r, dict) and isinstance(r.get("update_id"), int)]
        parsed = [(update, json.dumps(r)) for r in results
                  if (update := parse_update(r, self.bot)) is not None]
        return parsed, (max(ids) + 1 if ids else None)


class _UpdateHandler(RequestHandler):
    """``POST`` of one update: stored, then 200; refused with 403, 400 or 503."""

    def initialize(self, source: WebhookSource) -> None:
        """Tornado's per-request set-up: the webhook source this handler serves."""
        self.source = source

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Tornado's error log, quieter: a client hanging up is no error of ours."""
        log.debug("webhook request failed: %s", value)

    async def post(self) -> None:
        """Store the update in the body, then answer."""
        status = await self.source.receive(self.request.headers.get(SECRET_HEADER),
                                           self.request.body)
        self.set_status(status)
        await self.finish()


class WebhookSource:
    """An HTTP server receiving Telegram's webhook calls at ``path`` on ``listen:port``."""

    def __init__(self, bot: Bot, store: Store, *, listen: str, port: int, path: str, url: str,
                 secret: str | None, allowed_updates: Sequence[str]) -> None:
        """Serve ``url`` (whose path is ``path``) locally on ``listen:port``."""
        self.bot = bot
        self._store = store
        self._listen, self._port = listen, port
        self._url, self._secret = url, secret
        self._allowed = list(allowed_updates)
        route = "/" + re.escape(path.strip("/")) + "/?" if path.strip("/") else "/"
        self._app = TornadoApplication([(route, _UpdateHandler, {"source": self})],
                                       log_function=lambda handler: None)
        self._server: HTTPServer | None = None

    async def start(self) -> asyncio.Future[None]:
        """Listen, then register the webhook with Telegram (raises ``InvalidToken``); return a
        future that never ends on its own (the server needs no task)."""
        self._server = HTTPServer(self._app, max_body_size=MAX_BODY_BYTES)
        try:
            self._server.listen(self._port, address=self._listen)
        except OSError as exc:
            raise ListenError(f"cannot listen on {self._listen}:{self._port}: {exc}") from exc
        await _bootstrap(lambda: self.bot.set_webhook(
            self._url, secret_token=self._secret, allowed_updates=self._allowed), "setWebhook")
        return asyncio.get_running_loop().create_future()

    async def stop(self) -> None:
        """Stop listening and close the connections (the webhook stays set: Telegram keeps
        the updates until the next start)."""
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None

    async def receive(self, secret: str | None, body: bytes) -> int:
        """Store the update in ``body``; return the HTTP status to answer with."""
        if self._secret and not hmac.compare_digest((secret or "").encode(),
                                                    self._secret.encode()):
            log.warning("refused a webhook call without the right secret token")
            return 403
        try:
            data = json.loads(body)
        except ValueError:
            return 400
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int):
            return 400
        update = parse_update(data, self.bot)
        if update is None:
            return 200  # acknowledged, or Telegram would deliver it again and again
        try:
            await self._store([incoming(update, json.dumps(data))])
        except InboxError as exc:
            log.error("%s; webhook update %s refused with 503 so Telegram delivers it again",
                      exc, update_id)
            return 503
        return 200
