"""Running the bot: an update source feeds the inbox, the dispatcher feeds the handlers.

The path of an update: a source (:mod:`bot.update_sources`) stores it in the inbox
(:mod:`bot.inbox`) before Telegram is told it arrived; the dispatcher (:mod:`bot.dispatcher`)
hands it to ``Application.process_update`` in order per chat; once that returns (the reply was
sent, or none was needed) it is marked done. At start-up what the last run left is processed
first; on SIGTERM or SIGINT the source stops, the replies in flight get ``stop_timeout`` seconds
to finish, and the rest stays in the inbox for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from telegram import Update
from telegram.ext import Application, ExtBot

from bot.dispatcher import Dispatcher
from bot.inbox import AsyncInbox, Inbox, InboxError, Incoming, Outcome, Waiting
from bot.settings import Settings
from bot.update_sources import PollingSource, WebhookSource

__all__ = ["STATUS_LOG_SECONDS", "Pipeline", "serve"]

log = logging.getLogger(__name__)

STATUS_LOG_SECONDS = 60.0  # how often the inbox's depth is logged while something waits
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class Pipeline:
    """Updates in and out of the inbox: :meth:`store` is what a source calls; the dispatcher
    calls :meth:`handle` (too old, unreadable, or processed; then done)."""

    def __init__(self, application: AnyApplication, inbox: AsyncInbox, max_age: float,
                 max_depth: int = 10_000) -> None:
        """Process with ``application``; drop updates older than ``max_age`` seconds; refuse
        new ones while ``max_depth`` wait."""
        self.application = application
        self.inbox = inbox
        self.max_age = max_age
        self.max_depth = max_depth
        self.dispatcher = Dispatcher(self.handle)

    async def store(self, updates: Sequence[Incoming]) -> None:
        """Store ``updates``, then queue the new ones. Raises :class:`InboxError` if the inbox
        cannot store them, or is full: then they must not be acknowledged."""
        waiting = self.dispatcher.queued + self.dispatcher.in_flight
        if waiting + len(updates) > self.max_depth:
            raise InboxError(f"the inbox is full: {waiting} updates wait (INBOX_MAX_DEPTH is "
                             f"{self.max_depth})")
        self.dispatcher.add(await self.inbox.put(updates))

    async def handle(self, waiting: Waiting) -> None:
        """Process one update and mark it done."""
        if waiting.age() > self.max_age:
            log.warning("dropping update %s: %.1f h old, older than INBOX_MAX_AGE (%.1f h)",
                        waiting.update_id, waiting.age() / 3600, self.max_age / 3600)
            await self._done(waiting, "expired")
            return
        try:
            update = Update.de_json(json.loads(waiting.payload), self.application.bot)
            if isinstance(self.application.bot, ExtBot):  # what each button stands for
                self.application.bot.insert_callback_data(update)
        except Exception as exc:  # noqa: BLE001 - a stored update PTB cannot read any more
            log.warning("dropping update %s: cannot parse it (%s)", waiting.update_id,
                        type(exc).__name__)
            await self._done(waiting, "unreadable")
            return
        # Handler errors go to the error handler inside process_update: it returns normally.
        await self.application.process_update(update)
        await self._done(waiting, "handled")

    async def _done(self, waiting: Waiting, outcome: Outcome) -> None:
        try:
            await self.inbox.mark_done(waiting.seq, outcome)
        except InboxError as exc:
            log.error("%s; update %s was handled but may be handled again after a restart",
                      exc, waiting.update_id)


async def serve(application: AnyApplication, settings: Settings, inbox: Inbox,
                allowed_updates: Sequence[str]) -> None:
    """Run ``application`` until SIGTERM or SIGINT, updates flowing through ``inbox``.

    Raises ``InvalidToken`` or ``NetworkError`` if start-up cannot reach the Bot API.
    """
    facade = AsyncInbox(inbox)
    pipeline = Pipeline(application, facade, settings.inbox_max_age, settings.inbox_max_depth)
    stop = asyncio.Event()
    try:
        # Signals first: a SIGTERM during start-up is a clean stop too, not a kill.
        with _stop_signals(stop):
            async with application:  # initialize (getMe) ... shutdown
                if application.post_init:
                    await application.post_init(application)
                await application.start()
                _resume(pipeline, inbox, settings.inbox_max_age)
                source = _source(application, settings, pipeline, inbox, allowed_updates)
                try:
                    ended = await source.start()
                except BaseException:  # refused or unreachable: stop before shutting down
                    await pipeline.dispatcher.stop(settings.stop_timeout)
                    await application.stop()
                    raise
                log.info("taking updates (%s) as @%s", _describe_source(settings),
                         application.bot.username)
                status_task = asyncio.create_task(_log_status(facade, settings.inbox_max_age))
                stop_task: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
                await asyncio.wait([stop_task, ended], return_when=asyncio.FIRST_COMPLETED)
                for task in (stop_task, status_task):
                    task.cancel()
                await source.stop()
                await _finish(pipeline.dispatcher, settings.stop_timeout, facade)
                await application.stop()
                failure = ended.exception() if ended.done() and not ended.cancelled() else None
                ended.cancel()
                if failure is not None:  # the source died on its own (a revoked token)
                    raise failure
            if application.post_shutdown:
                await application.post_shutdown(application)
    finally:
        facade.close()


def _resume(pipeline: Pipeline, inbox: Inbox, max_age: float) -> None:
    """Drop what is too old, then queue what the last run left: it goes first."""
    for expired in inbox.expire(max_age):
        log.warning("dropping update %s: %.1f h old, older than INBOX_MAX_AGE (%.1f h)",
                    expired.update_id, expired.age() / 3600, max_age / 3600)
    left = inbox.waiting()
    if left:
        log.info("inbox: %d update(s) from before the restart, processed first", len(left))
    pipeline.dispatcher.add(left)


def _source(application: AnyApplication, settings: Settings, pipeline: Pipeline,
            inbox: Inbox, allowed: Sequence[str]) -> PollingSource | WebhookSource:
    """The webhook server if WEBHOOK_URL is set, else long polling."""
    if settings.webhook_url:
        return WebhookSource(application.bot, pipeline.store, listen=settings.webhook_listen,
                             port=settings.webhook_port, path=settings.webhook_path,
                             url=settings.webhook_url, secret=settings.webhook_secret,
                             allowed_updates=allowed)
    return PollingSource(application.bot, pipeline.store, offset=inbox.next_offset(),
                         allowed_updates=allowed)


def _describe_source(settings: Settings) -> str:
    """How updates come, for the start-up line: polling, or the webhook's registered URL
    (without query or user info; the secret goes in a header, never here) and where it
    listens."""
    if not settings.webhook_url:
        return "polling"
    parts = urlsplit(settings.webhook_url)
    host = parts.netloc.rpartition("@")[2]  # no user:password either
    public = urlunsplit((parts.scheme, host, parts.path, "", ""))
    return (f"webhook {public}, listening on {settings.webhook_listen}:"
            f"{settings.webhook_port}")


async def _finish(dispatcher: Dispatcher, timeout: float, inbox: AsyncInbox) -> None:
    """Let the replies in flight finish within ``timeout`` seconds; say what is left."""
    log.info("stopped taking updates; waiting up to %.0f s for %d update(s) in flight",
             timeout, dispatcher.in_flight)
    cancelled = await dispatcher.stop(timeout)
    if cancelled:
        log.warning("%d update(s) did not finish in %.0f s; they stay in the inbox",
                    cancelled, timeout)
    try:
        log.info("inbox at stop: %s", (await inbox.status()).describe())
    except InboxError as exc:
        log.error("%s", exc)


async def _log_status(inbox: AsyncInbox, max_age: float) -> None:
    """Log the inbox's depth and oldest age while something waits; prune old done rows."""
    while True:
        await asyncio.sleep(STATUS_LOG_SECONDS)
        try:
            status = await inbox.status()
            if status.depth:
                log.info("inbox: %s", status.describe())
            await inbox.prune(time.time() - max_age)
        except InboxError as exc:
            log.error("%s", exc)


@contextlib.contextmanager
def _stop_signals(stop: asyncio.Event) -> Any:
    """Set ``stop`` on SIGTERM and SIGINT while the block runs."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in _STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, _on_stop_signal, sig, stop)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, not main thread
            continue
        installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _on_stop_signal(sig: signal.Signals, stop: asyncio.Event) -> None:
    log.info("%s received: stopping", sig.name)
    stop.set()
