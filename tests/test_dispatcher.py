"""The dispatcher: oldest first, in order per chat, bounded; a stop waits a bounded time."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest

from bot.dispatcher import Dispatcher
from bot.inbox import Waiting

_seqs = itertools.count(1)


def waiting(chat_id: int | None) -> Waiting:
    """A stored update of ``chat_id``; seq and update id increase with each call."""
    seq = next(_seqs)
    return Waiting(seq, 1000 + seq, chat_id, 0.0, "{}")


class Recorder:
    """A handler that records start and end, waiting ``delays[chat]`` seconds in between."""

    def __init__(self, delays: dict[int | None, float] | None = None) -> None:
        self.delays = delays or {}
        self.events: list[str] = []
        self.running = 0
        self.most_running = 0

    async def __call__(self, update: Waiting) -> None:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        self.events.append(f"start {update.update_id}")
        try:
            await asyncio.sleep(self.delays.get(update.chat_id, 0.0))
        finally:
            self.running -= 1
        self.events.append(f"end {update.update_id}")

    def index(self, event: str, update: Waiting) -> int:
        return self.events.index(f"{event} {update.update_id}")


async def test_one_chat_in_order_other_chats_not_held_up() -> None:
    handler = Recorder({1: 0.05})
    dispatcher = Dispatcher(handler)
    a1, a2, b, inline = waiting(1), waiting(1), waiting(2), waiting(None)
    dispatcher.add([a1, a2, b, inline])
    await dispatcher.join()
    assert handler.index("end", a1) < handler.index("start", a2)  # in order within a chat
    assert handler.index("end", b) < handler.index("end", a1)  # not held up by another chat
    assert handler.index("end", inline) < handler.index("end", a1)


async def test_updates_without_a_chat_are_not_ordered() -> None:
    handler = Recorder({None: 0.02})
    dispatcher = Dispatcher(handler)
    dispatcher.add([waiting(None) for _ in range(5)])
    await dispatcher.join()
    assert handler.most_running == 5


async def test_at_most_max_in_flight_and_the_oldest_start_first() -> None:
    handler = Recorder(dict.fromkeys(range(10), 0.01))
    dispatcher = Dispatcher(handler, max_in_flight=3)
    backlog = [waiting(chat) for chat in range(10)]
    dispatcher.add(backlog)
    assert dispatcher.in_flight == 3 and dispatcher.queued == 7
    newer = waiting(99)
    dispatcher.add([newer])
    await dispatcher.join()
    assert handler.most_running == 3
    starts = [e for e in handler.events if e.startswith("start")]
    assert starts == [f"start {u.update_id}" for u in [*backlog, newer]]  # oldest first


async def test_a_busy_chat_does_not_block_younger_updates_of_other_chats() -> None:
    handler = Recorder({1: 0.05})
    dispatcher = Dispatcher(handler, max_in_flight=2)
    a1, a2, b1, b2 = waiting(1), waiting(1), waiting(2), waiting(2)
    dispatcher.add([a1, a2, b1, b2])
    await dispatcher.join()
    assert handler.index("end", b2) < handler.index("start", a2)


async def test_a_failing_update_is_logged_and_the_rest_go_on(
        caplog: pytest.LogCaptureFixture) -> None:
    done: list[int] = []

    async def handle(update: Waiting) -> None:
        if update.update_id == bad.update_id:
            raise RuntimeError("boom")
        done.append(update.update_id)

    dispatcher = Dispatcher(handle)
    bad, after = waiting(1), waiting(1)
    dispatcher.add([bad, after])
    await dispatcher.join()
    assert done == [after.update_id]
    assert f"update {bad.update_id} failed; it stays in the inbox" in caplog.text


async def test_stop_lets_updates_in_flight_finish_and_starts_nothing_more() -> None:
    handler = Recorder({1: 0.05, 2: 0.05})
    dispatcher = Dispatcher(handler, max_in_flight=2)
    first = [waiting(1), waiting(2)]
    later = [waiting(1), waiting(3)]
    dispatcher.add([*first, *later])
    assert await dispatcher.stop(timeout=5) == 0
    assert handler.events.count(f"end {first[0].update_id}") == 1
    assert all(f"start {u.update_id}" not in handler.events for u in later)
    dispatcher.add([waiting(4)])  # ignored while stopping: it stays in the inbox
    await asyncio.wait_for(dispatcher.join(), timeout=1)
    assert len(handler.events) == 4


async def test_stop_cancels_what_does_not_finish_in_time(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    handler = Recorder({1: 10.0, 2: 0.0})
    dispatcher = Dispatcher(handler)
    slow, quick = waiting(1), waiting(2)
    dispatcher.add([slow, quick])
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await dispatcher.stop(timeout=0.1) == 1
    assert loop.time() - started < 1.0
    assert f"end {quick.update_id}" in handler.events
    assert f"end {slow.update_id}" not in handler.events
    assert handler.running == 0


def test_max_in_flight_must_be_positive() -> None:
    async def handle(update: Waiting) -> None: ...

    with pytest.raises(ValueError, match="at least 1"):
        Dispatcher(handle, max_in_flight=0)
