"""The pieces between Telegram and the handlers: what the webhook answers, what the polling loop
confirms, and what the pipeline does with each stored update (the processes themselves are
tested end to end in tests/test_crash_recovery.py)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import FakeBotApi
from telegram import Bot, Chat, Message, Update

from bot.inbox import AsyncInbox, Inbox, InboxError, Incoming
from bot.serving import Pipeline
from bot.update_sources import ListenError, PollingSource, WebhookSource, incoming

SECRET = "s3cret"
MESSAGE = {"update_id": 7, "message": {"message_id": 1, "date": 1_800_000_000, "text": "hi",
                                       "chat": {"id": 5, "type": "private"}}}


class Stored:
    """A store that records what it was given, or fails like a locked inbox."""

    def __init__(self, error: InboxError | None = None) -> None:
        self.error = error
        self.updates: list[Incoming] = []

    async def __call__(self, updates: Sequence[Incoming]) -> None:
        if self.error is not None:
            raise self.error
        self.updates += updates


def webhook(store: Stored, secret: str | None = SECRET) -> WebhookSource:
    return WebhookSource(Bot("1:x"), store, listen="127.0.0.1", port=1, path="hook",
                         url="http://127.0.0.1:1/hook", secret=secret, allowed_updates=[])


async def test_the_webhook_answers_200_only_once_the_update_is_stored() -> None:
    store = Stored()
    assert await webhook(store).receive(SECRET, json.dumps(MESSAGE).encode()) == 200
    (stored,) = store.updates
    assert stored.update_id == 7 and stored.chat_id == 5
    assert json.loads(stored.payload) == MESSAGE


async def test_the_webhook_answers_503_when_the_inbox_fails() -> None:
    store = Stored(InboxError("inbox x: cannot store 1 update(s): database is locked"))
    assert await webhook(store).receive(SECRET, json.dumps(MESSAGE).encode()) == 503


@pytest.mark.parametrize(("secret", "body", "status"), [
    ("wrong", json.dumps(MESSAGE).encode(), 403),
    (None, json.dumps(MESSAGE).encode(), 403),
    (SECRET, b"{not json", 400),
    (SECRET, b"[1, 2]", 400),
    (SECRET, json.dumps({"message": MESSAGE["message"]}).encode(), 400),  # no update_id
])
async def test_the_webhook_refuses_what_is_not_a_genuine_update(
        secret: str | None, body: bytes, status: int) -> None:
    store = Stored()
    assert await webhook(store).receive(secret, body) == status
    assert store.updates == []


async def test_an_unparsable_update_is_acknowledged_and_skipped(
        caplog: pytest.LogCaptureFixture) -> None:
    store = Stored()
    broken = {"update_id": 8, "message": {"message_id": 1, "text": "secret words",
                                          "chat": {"id": 5, "type": "private"}}}  # no date
    assert await webhook(store).receive(SECRET, json.dumps(broken).encode()) == 200
    assert store.updates == []
    assert "skipping update 8" in caplog.text and "secret words" not in caplog.text


def test_an_update_is_as_old_as_its_message() -> None:
    sent = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    chat = Chat(5, Chat.PRIVATE)
    update = Update(9, message=Message(1, sent, chat))
    assert incoming(update, "{}", now=sent.timestamp() + 60).born_at == sent.timestamp()
    pressed = Update(10)  # no message of its own: as old as its arrival
    assert incoming(pressed, "{}", now=123.0) == Incoming(10, None, 123.0, "{}")


async def test_polling_confirms_only_what_was_stored(fake_api: FakeBotApi) -> None:
    first = fake_api.push_update(fake_api.message_update("one", user_id=5))
    store = Stored(InboxError("inbox x: database or disk is full"))
    async with Bot(fake_api.token, base_url=fake_api.base_url) as bot:
        source = PollingSource(bot, store, offset=None, allowed_updates=["message"], timeout=0)
        await source.start()
        try:
            await fake_api.await_call("getUpdates", count=1)
            assert source.offset is None  # not stored: not confirmed
            store.error = None
            await fake_api.await_call("getUpdates", count=3, timeout=10)
        finally:
            await source.stop()
    assert [u.update_id for u in store.updates][:1] == [first]
    assert source.offset == first + 1


class StubApplication:
    """Just what the pipeline uses of an Application: its bot and process_update."""

    def __init__(self) -> None:
        self.bot = Bot("1:x")
        self.processed: list[int] = []

    async def process_update(self, update: Update) -> None:
        self.processed.append(update.update_id)


@pytest.fixture
def pipeline_parts(tmp_path: Path) -> Any:
    inbox = Inbox(tmp_path / "inbox.sqlite3")
    facade = AsyncInbox(inbox)
    application = StubApplication()
    yield Pipeline(application, facade, max_age=3600), application, inbox  # type: ignore[arg-type]
    facade.close()
    inbox.close()


async def test_the_pipeline_processes_then_marks_done(pipeline_parts: Any) -> None:
    pipeline, application, inbox = pipeline_parts
    await pipeline.store([Incoming(7, 5, time.time(), json.dumps(MESSAGE))])
    await pipeline.dispatcher.join()
    assert application.processed == [7]
    assert inbox.waiting() == []


async def test_the_pipeline_drops_too_old_and_unreadable_updates(
        pipeline_parts: Any, caplog: pytest.LogCaptureFixture) -> None:
    pipeline, application, inbox = pipeline_parts
    await pipeline.store([Incoming(7, 5, time.time() - 7200, json.dumps(MESSAGE)),
                          Incoming(8, 5, time.time(), '{"update_id": 8, "message": 3}')])
    await pipeline.dispatcher.join()
    assert application.processed == []
    assert inbox.waiting() == []
    assert "dropping update 7: 2.0 h old, older than INBOX_MAX_AGE (1.0 h)" in caplog.text
    assert "dropping update 8: cannot parse it" in caplog.text


async def test_a_full_inbox_refuses_updates_so_they_are_not_acknowledged(
        tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite3")
    facade = AsyncInbox(inbox)
    blocked = StubApplication()

    async def never(update: Update) -> None:
        await asyncio.Event().wait()

    blocked.process_update = never  # type: ignore[method-assign]
    pipeline = Pipeline(blocked, facade, max_age=3600, max_depth=2)  # type: ignore[arg-type]
    try:
        await pipeline.store([Incoming(1, 5, time.time(), "{}"), Incoming(2, 6, time.time(),
                                                                          "{}")])
        with pytest.raises(InboxError, match=r"the inbox is full: 2 updates wait "
                                             r"\(INBOX_MAX_DEPTH is 2\)"):
            await pipeline.store([Incoming(3, 7, time.time(), "{}")])
        assert [w.update_id for w in inbox.waiting()] == [1, 2]
    finally:
        await pipeline.dispatcher.stop(timeout=0)
        facade.close()
        inbox.close()


async def test_only_a_reply_that_left_but_was_not_marked_done_is_repeated(
        tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    sent: list[int] = []

    class Dying(StubApplication):
        async def process_update(self, update: Update) -> None:
            sent.append(update.update_id)
            if update.update_id == 8:  # its reply left; the process dies before the done mark
                await asyncio.Event().wait()

    def message(update_id: int, chat_id: int) -> Incoming:
        data = {**MESSAGE, "update_id": update_id}
        return Incoming(update_id, chat_id, time.time(), json.dumps(data))

    inbox = Inbox(path)
    facade = AsyncInbox(inbox)
    pipeline = Pipeline(Dying(), facade, max_age=3600)  # type: ignore[arg-type]
    await pipeline.store([message(7, 1), message(8, 2), message(9, 3)])
    await asyncio.sleep(0.05)
    assert await pipeline.dispatcher.stop(timeout=0) == 1  # "killed" with 8 in flight
    facade.close()
    inbox.close()

    inbox = Inbox(path)  # the restart
    facade = AsyncInbox(inbox)
    pipeline = Pipeline(StubApplication(), facade, max_age=3600)  # type: ignore[arg-type]
    pipeline.dispatcher.add(inbox.waiting())
    await pipeline.dispatcher.join()
    sent += pipeline.application.processed  # type: ignore[attr-defined]
    facade.close()
    inbox.close()
    assert sorted(sent) == [7, 8, 8, 9]  # one repeat, of the one in flight


async def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        source = WebhookSource(Bot("1:x"), Stored(), listen="127.0.0.1", port=port, path="",
                               url=f"http://127.0.0.1:{port}/", secret=None, allowed_updates=[])
        with pytest.raises(ListenError, match=f"cannot listen on 127.0.0.1:{port}"):
            await source.start()
