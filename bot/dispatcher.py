"""The dispatcher: runs the inbox's waiting updates, oldest first, each chat's in order.

Pure asyncio: no Telegram import. Updates are added in inbox order; the dispatcher starts the
oldest one whose chat is not busy, so one chat's updates run one after the other (an edit finds
the reply it edits, answers keep the order of questions) while other chats go on concurrently,
at most ``max_in_flight`` at a time. Updates without a chat (inline queries) are not ordered.
A slow chat (a 429 back-off) holds up only itself.

The bound on updates in flight is also the bound on repeated replies after a crash: only an
update in flight can have had its reply sent without being marked done.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable

from bot.inbox import Waiting

__all__ = ["MAX_IN_FLIGHT", "Dispatcher"]

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 32
"""Updates processed at once. Replies are throttled to about 30 a second anyway, so more would
only wait longer in memory (and be repeated after a crash)."""

_Key = tuple[bool, int]  # (True, chat id) or (False, seq) for an update without a chat


class Dispatcher:
    """Runs ``handle(update)`` for every update added, in order per chat, a bounded number at
    a time; ``handle`` marks the update done (the dispatcher only orders and bounds)."""

    def __init__(self, handle: Callable[[Waiting], Awaitable[None]], *,
                 max_in_flight: int = MAX_IN_FLIGHT) -> None:
        """Call ``handle`` for each update, at most ``max_in_flight`` at once."""
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, not {max_in_flight}")
        self._handle = handle
        self._max_in_flight = max_in_flight
        self._queues: dict[_Key, deque[Waiting]] = {}  # per chat: not started yet, in order
        self._ready: list[tuple[int, _Key]] = []  # (seq of its first update, chat) not running
        self._running: dict[_Key, asyncio.Task[None]] = {}
        self._queued = 0
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def in_flight(self) -> int:
        """Updates being processed now."""
        return len(self._running)

    @property
    def queued(self) -> int:
        """Updates added but not started."""
        return self._queued

    def add(self, updates: Iterable[Waiting]) -> None:
        """Queue ``updates`` (in inbox order) and start what may start. Ignored once stopping:
        what is not started stays in the inbox for the next start."""
        if self._stopping:
            return
        for update in updates:
            key: _Key = (True, update.chat_id) if update.chat_id is not None else (
                False, update.seq)
            queue = self._queues.setdefault(key, deque())
            queue.append(update)
            self._queued += 1
            if len(queue) == 1 and key not in self._running:
                heapq.heappush(self._ready, (update.seq, key))
        self._start_what_may()

    async def join(self) -> None:
        """Wait until every update added has been processed."""
        await self._idle.wait()

    async def stop(self, timeout: float) -> int:
        """Start nothing more; give the updates in flight ``timeout`` seconds to finish, then
        cancel the rest. Returns how many were cancelled (they stay in the inbox, not done)."""
        self._stopping = True
        self._queues.clear()
        self._ready.clear()
        self._queued = 0
        tasks = list(self._running.values())
        late: set[asyncio.Task[None]] = set()
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self._idle.set()
        return len(late)

    def _start_what_may(self) -> None:
        """Start the oldest updates whose chats are free, up to the bound."""
        while self._ready and len(self._running) < self._max_in_flight and not self._stopping:
            _, key = heapq.heappop(self._ready)
            update = self._queues[key].popleft()
            self._queued -= 1
            task = asyncio.create_task(self._run(update), name=f"update-{update.update_id}")
            self._running[key] = task
            task.add_done_callback(functools.partial(self._finished, key))
        if self._running or self._ready:
            self._idle.clear()
        else:
            self._idle.set()

    async def _run(self, update: Waiting) -> None:
        """``handle(update)``; an error is logged, and the update stays in the inbox."""
        try:
            await self._handle(update)
        except Exception:  # one update's failure must not stop the others
            log.exception("update %s failed; it stays in the inbox for the next start",
                          update.update_id)

    def _finished(self, key: _Key, _task: asyncio.Task[None]) -> None:
        """A chat's update is done: its next one becomes ready."""
        del self._running[key]
        queue = self._queues.get(key)
        if queue:
            heapq.heappush(self._ready, (queue[0].seq, key))
        elif queue is not None:
            del self._queues[key]
        self._start_what_may()
