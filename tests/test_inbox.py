"""The inbox: durable storage, order, done marks, expiry, recovery, and loud failures."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from bot.inbox import AsyncInbox, Inbox, InboxError, InboxStatus, Incoming

NOW = 1_800_000_000.0


def incoming(update_id: int, chat_id: int | None = 1, born_at: float = NOW) -> Incoming:
    """An update as a source would store it."""
    return Incoming(update_id, chat_id, born_at, f'{{"update_id": {update_id}}}')


@pytest.fixture
def inbox(tmp_path: Path) -> Inbox:
    """A fresh inbox file."""
    return Inbox(tmp_path / "inbox.sqlite3")


def test_put_returns_what_was_stored_in_arrival_order(inbox: Inbox) -> None:
    stored = inbox.put([incoming(10, chat_id=7), incoming(11, chat_id=None), incoming(12)])
    assert [w.update_id for w in stored] == [10, 11, 12]
    assert [w.seq for w in stored] == sorted(w.seq for w in stored)
    assert stored[1].chat_id is None and stored[0].payload == '{"update_id": 10}'
    assert inbox.waiting() == stored


def test_a_repeated_delivery_is_ignored_waiting_or_done(inbox: Inbox) -> None:
    first = inbox.put([incoming(10), incoming(11)])
    assert inbox.put([incoming(10), incoming(12)])[0].update_id == 12  # 10 waits already
    inbox.mark_done(first[1].seq)
    assert inbox.put([incoming(11)]) == []  # 11 is done: Telegram sent it twice
    assert [w.update_id for w in inbox.waiting()] == [10, 12]


def test_done_updates_leave_the_waiting_list_and_the_depth(inbox: Inbox) -> None:
    stored = inbox.put([incoming(1, born_at=NOW - 30), incoming(2, born_at=NOW - 5)])
    assert inbox.status(now=NOW) == InboxStatus(2, 30.0)
    inbox.mark_done(stored[0].seq)
    inbox.mark_done(stored[0].seq)  # twice is harmless
    assert inbox.status(now=NOW) == InboxStatus(1, 5.0)
    inbox.mark_done(stored[1].seq, "expired")
    assert inbox.status(now=NOW) == InboxStatus(0, None)
    assert inbox.waiting() == []


def test_status_describes_itself_for_logs_and_stats() -> None:
    assert InboxStatus(0, None).describe() == "empty"
    assert InboxStatus(3, 12.4).describe() == "3 waiting, the oldest 12 s old"
    assert InboxStatus(1, 600).describe() == "1 waiting, the oldest 10 min old"
    assert InboxStatus(1, 3 * 3600).describe() == "1 waiting, the oldest 3.0 h old"


def test_what_was_not_done_survives_a_restart_oldest_first(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    with Inbox(path) as before:
        stored = before.put([incoming(i, chat_id=i % 3) for i in range(100, 110)])
        for waiting in stored[:4]:
            before.mark_done(waiting.seq)
        before.put([incoming(110)])
    with Inbox(path) as after:
        assert [w.update_id for w in after.waiting()] == list(range(104, 111))
        assert after.next_offset() == 111  # polling resumes after the last stored update


def test_a_crash_without_close_loses_nothing_stored(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    crashed = Inbox(path)
    crashed.put([incoming(5), incoming(6)])  # never closed: as if the process was killed
    assert [w.update_id for w in Inbox(path).waiting()] == [5, 6]


def test_expire_drops_old_updates_and_returns_them(inbox: Inbox) -> None:
    inbox.put([incoming(1, born_at=NOW - 90_000), incoming(2, born_at=NOW - 10),
               incoming(3, born_at=NOW - 86_401)])
    expired = inbox.expire(86_400, now=NOW)
    assert [w.update_id for w in expired] == [1, 3]
    assert [w.update_id for w in inbox.waiting()] == [2]
    assert expired[0].age(NOW) == 90_000


def test_prune_deletes_old_done_rows_but_keeps_the_polling_offset(inbox: Inbox) -> None:
    stored = inbox.put([incoming(1), incoming(2), incoming(3)])
    for waiting in stored:
        inbox.mark_done(waiting.seq, now=NOW)
    assert inbox.prune(NOW + 1) == 2  # the newest row stays, for next_offset()
    assert inbox.next_offset() == 4
    assert inbox.put([incoming(1)])  # forgotten: a delivery this old is no repeat any more


def test_next_offset_of_an_empty_inbox_is_none(inbox: Inbox) -> None:
    assert inbox.next_offset() is None


def test_a_locked_database_is_a_clear_error_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    inbox = Inbox(path, busy_timeout=0.1)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(InboxError, match=r"inbox .*inbox\.sqlite3: cannot store 1 "
                                             r"update\(s\): database is locked"):
            inbox.put([incoming(1)])
        with pytest.raises(InboxError, match="database is locked"):
            inbox.mark_done(1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert inbox.waiting() == []
    assert inbox.put([incoming(1)])  # works again once the lock is gone


def test_try_put_gives_up_at_once_when_another_writer_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    inbox = Inbox(path, busy_timeout=5.0)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        assert inbox.try_put([incoming(1)]) is None
        assert inbox.try_mark_done(1) is False
        assert time.monotonic() - started < 1.0  # not the 5 s busy timeout
    finally:
        other.execute("ROLLBACK")
        other.close()
    stored = inbox.try_put([incoming(1)])
    assert stored is not None and inbox.try_mark_done(stored[0].seq)
    assert inbox.waiting() == []


async def test_async_inbox_waits_off_the_loop_for_a_lock_held_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    facade = AsyncInbox(Inbox(path, busy_timeout=5.0))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    try:
        put = asyncio.ensure_future(facade.put([incoming(1)]))
        ticks = 0
        while ticks < 10:  # the loop keeps running while the put waits on its thread
            await asyncio.sleep(0.01)
            ticks += 1
        assert not put.done()
        other.execute("ROLLBACK")
        assert [w.update_id for w in await put] == [1]
    finally:
        other.close()
        facade.close()
        facade.inbox.close()


def test_checkpoint_copies_the_wal_into_the_database(inbox: Inbox) -> None:
    inbox.put([incoming(i) for i in range(50)])
    wal = Path(inbox.path + "-wal")
    assert wal.stat().st_size > 0
    inbox.checkpoint()
    conn = sqlite3.connect(inbox.path)
    assert conn.execute("SELECT COUNT(*) FROM updates").fetchone()[0] == 50
    conn.close()


def test_a_full_disk_is_a_clear_error_and_stores_nothing(inbox: Inbox) -> None:
    conn = sqlite3.connect(inbox.path)
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.close()
    # What SQLite reports when the disk is full: capped, the next page cannot be had.
    inbox._connection().execute(f"PRAGMA max_page_count = {pages}")
    big = [Incoming(i, 1, NOW, "x" * 5000) for i in range(20)]
    with pytest.raises(InboxError, match="database or disk is full"):
        inbox.put(big)
    assert inbox.waiting() == []


def test_another_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "questions.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE questions (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(InboxError, match="not an inbox"):
        Inbox(path)


def test_an_unwritable_place_is_refused_at_open(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(InboxError, match="cannot open the inbox"):
        Inbox(blocker / "inbox.sqlite3")


def test_a_closed_inbox_raises(inbox: Inbox) -> None:
    inbox.close()
    with pytest.raises(InboxError, match="closed"):
        inbox.put([incoming(1)])


def test_stores_can_be_fsynced(tmp_path: Path) -> None:
    with Inbox(tmp_path / "inbox.sqlite3", synchronous="FULL") as inbox:
        assert inbox.put([incoming(1)])
        assert inbox._connection().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        inbox.mark_done(1)  # done marks are never fsynced: losing one repeats, never loses
        assert inbox._connection().execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_the_file_is_in_wal_mode(inbox: Inbox) -> None:
    conn = sqlite3.connect(inbox.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


async def test_async_inbox_runs_the_same_calls_off_the_loop(inbox: Inbox) -> None:
    facade = AsyncInbox(inbox)
    try:
        stored = await facade.put([incoming(1), incoming(2)])
        await facade.mark_done(stored[0].seq)
        assert (await facade.status()).depth == 1
        assert await facade.prune(0) == 0
    finally:
        facade.close()
