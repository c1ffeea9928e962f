"""The inbox: every incoming update, stored durably before Telegram is told it arrived.

Pure module: no Telegram import. An update source stores each update with :meth:`Inbox.put`
*before* it acknowledges it (the webhook answers 200, the polling offset moves past it); the
dispatcher processes what :meth:`Inbox.put` returned, and :meth:`Inbox.mark_done` records that
an update needs nothing more. After a crash, :meth:`Inbox.waiting` gives back everything not
done, oldest first. So a crash loses nothing, and repeats at most the replies that had left but
were not yet marked done.

Storage: SQLite in WAL mode. Every commit survives a crash of the process (SIGKILL, out of
memory, a bug): it is in the WAL file before the call returns. A power cut or a kernel crash is
another matter: with ``synchronous = NORMAL`` (the default, ``INBOX_SYNC=normal``) it may undo
the last commits; with ``FULL`` (``INBOX_SYNC=full``) a store is fsynced before it returns, so
an acknowledged update survives even that, at the price of one fsync per store (about 0.7 ms
here, see benchmarks/bench_inbox.py). Done marks are never fsynced: losing one costs a repeated
reply, never a lost one. Done rows keep only the update id, so a
repeated delivery of the same update is recognised and ignored; :meth:`Inbox.prune` deletes them
once Telegram would no longer repeat them.

Failure policy: every database error (locked, disk full, read-only, corrupt) raises
:class:`InboxError` with a message naming the file. The caller must then *not* acknowledge the
update, so Telegram delivers it again: never a silent drop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, Self, TypeVar

__all__ = ["AsyncInbox", "Inbox", "InboxError", "InboxStatus", "Incoming", "Outcome",
           "Synchronous", "Waiting"]

Synchronous = Literal["NORMAL", "FULL"]
"""How a store is committed: written to the WAL (survives a process crash), or also fsynced."""

Outcome = Literal["handled", "expired", "unreadable"]
"""Why an update is done: processed (replied or needed no reply), too old, or not an update."""

_T = TypeVar("_T")
log = logging.getLogger(__name__)
_SCHEMA_VERSION = 1
_APPLICATION_ID = 0x41424958  # "ABIX": marks the file as an article-bot inbox
_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE updates (
        seq       INTEGER PRIMARY KEY,   -- arrival order
        update_id INTEGER NOT NULL UNIQUE,            -- Telegram's id: repeats are ignored
        chat_id   INTEGER,       -- updates of one chat are processed in order; NULL: no chat
        born_at   REAL NOT NULL, -- Unix time: the earlier of arrival and the message's date
        payload   TEXT,          -- the update as JSON; NULL once done
        done_at   REAL,          -- Unix time; NULL while waiting
        outcome   TEXT CHECK (outcome IN ('handled', 'expired', 'unreadable'))
    )""",
    "CREATE INDEX updates_waiting ON updates (seq) WHERE done_at IS NULL",
    "CREATE INDEX updates_done ON updates (done_at) WHERE done_at IS NOT NULL",
)


class InboxError(Exception):
    """The inbox cannot be opened, written or read (locked, disk full, read-only, corrupt)."""


@dataclass(frozen=True)
class Incoming:
    """An update to store: its id, its chat (None if it has none), age and JSON."""

    update_id: int
    chat_id: int | None
    born_at: float  # Unix time
    payload: str


@dataclass(frozen=True)
class Waiting:
    """A stored update that is not done yet; ``seq`` is its place in arrival order."""

    seq: int
    update_id: int
    chat_id: int | None
    born_at: float
    payload: str

    def age(self, now: float | None = None) -> float:
        """Seconds since the update was born (its message's date, or its arrival)."""
        return (time.time() if now is None else now) - self.born_at


@dataclass(frozen=True)
class InboxStatus:
    """How many updates wait, and the age in seconds of the oldest (None if none waits)."""

    depth: int
    oldest_age: float | None

    def describe(self) -> str:
        """One line for the logs and /stats: ``3 waiting, the oldest 12 s old``."""
        if not self.depth:
            return "empty"
        return f"{self.depth} waiting, the oldest {_age(self.oldest_age or 0.0)} old"


class Inbox:
    """The SQLite inbox; safe to share between threads (one connection, one lock)."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 2.0,
                 synchronous: Synchronous = "NORMAL") -> None:
        """Open (creating if needed) the inbox at ``path``.

        ``busy_timeout`` is how long a write waits for another process's lock before it fails;
        ``synchronous`` is how a store is committed (see the module docstring). Raises
        :class:`InboxError` if the file cannot be created, opened or written.
        """
        self.path = os.fspath(path)
        self.synchronous: Synchronous = synchronous
        self._busy_ms = int(busy_timeout * 1000)
        self._lock = threading.Lock()
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None,
                                   check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise InboxError(f"cannot open the inbox {self.path}: {exc}") from exc
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"journal mode is {mode}, not WAL")
            conn.execute("PRAGMA wal_autocheckpoint = 0")  # see checkpoint()
            _initialise(conn)
        except (sqlite3.Error, InboxError) as exc:
            conn.close()
            raise InboxError(f"cannot open the inbox {self.path}: {exc}") from exc
        self._conn: sqlite3.Connection | None = conn

    def __repr__(self) -> str:
        return f"Inbox({self.path!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the database; later calls raise :class:`InboxError`."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def put(self, updates: Sequence[Incoming]) -> list[Waiting]:
        """Store ``updates`` durably, in one transaction; return those that were new.

        An update whose id is already stored (waiting or done) is a repeated delivery and is
        skipped. When this returns, the updates may be acknowledged. Waits up to the busy
        timeout for another writer; raises :class:`InboxError` (then nothing was stored).
        """
        return self._write(self._storing(updates), self.synchronous,
                           f"cannot store {len(updates)} update(s)")

    def try_put(self, updates: Sequence[Incoming]) -> list[Waiting] | None:
        """:meth:`put`, or None at once if that would have to wait for a lock (another thread
        or process is writing): for the event loop, which must not block."""
        return self._try_write(self._storing(updates), self.synchronous,
                               f"cannot store {len(updates)} update(s)")

    def mark_done(self, seq: int, outcome: Outcome = "handled", *,
                  now: float | None = None) -> None:
        """Record that the update ``seq`` needs nothing more, and forget its content."""
        self._write(self._marking(seq, outcome, now), "NORMAL", f"cannot mark update #{seq} done")

    def try_mark_done(self, seq: int, outcome: Outcome = "handled") -> bool:
        """:meth:`mark_done`, or False at once if that would have to wait for a lock."""
        done = self._try_write(self._marking(seq, outcome, None), "NORMAL",
                               f"cannot mark update #{seq} done")
        return done is not None

    def checkpoint(self) -> None:
        """Copy the WAL into the database file (automatic checkpoints are off: they would
        fsync on the event loop's fast path, so :class:`AsyncInbox` runs this off it)."""
        self._read(lambda conn: conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())

    @staticmethod
    def _storing(updates: Sequence[Incoming]) -> Callable[[sqlite3.Connection], list[Waiting]]:
        def write(conn: sqlite3.Connection) -> list[Waiting]:
            stored: list[Waiting] = []
            for item in updates:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO updates (update_id, chat_id, born_at, payload)"
                    " VALUES (?, ?, ?, ?)",
                    (item.update_id, item.chat_id, item.born_at, item.payload))
                if cursor.rowcount == 1 and cursor.lastrowid is not None:
                    stored.append(Waiting(cursor.lastrowid, item.update_id, item.chat_id,
                                          item.born_at, item.payload))
            return stored

        return write

    @staticmethod
    def _marking(seq: int, outcome: Outcome,
                 now: float | None) -> Callable[[sqlite3.Connection], bool]:
        def write(conn: sqlite3.Connection) -> bool:
            conn.execute("UPDATE updates SET done_at = ?, outcome = ?, payload = NULL"
                         " WHERE seq = ? AND done_at IS NULL",
                         (time.time() if now is None else now, outcome, seq))
            return True

        return write

    def waiting(self) -> list[Waiting]:
        """Every update not done yet, oldest (first stored) first."""
        rows = self._read(lambda conn: conn.execute(
            "SELECT seq, update_id, chat_id, born_at, payload FROM updates"
            " WHERE done_at IS NULL ORDER BY seq").fetchall())
        return [Waiting(*row) for row in rows]

    def expire(self, max_age: float, *, now: float | None = None) -> list[Waiting]:
        """Mark every waiting update older than ``max_age`` seconds done (``expired``), in one
        transaction, and return them (for a log line each), oldest first."""
        current = time.time() if now is None else now

        def write(conn: sqlite3.Connection) -> list[Waiting]:
            rows = conn.execute(
                "SELECT seq, update_id, chat_id, born_at, payload FROM updates"
                " WHERE done_at IS NULL AND born_at < ? ORDER BY seq",
                (current - max_age,)).fetchall()
            conn.executemany("UPDATE updates SET done_at = ?, outcome = 'expired', payload = NULL"
                             " WHERE seq = ?", [(current, row[0]) for row in rows])
            return [Waiting(*row) for row in rows]

        return self._write(write, "NORMAL", "cannot drop expired updates")

    def status(self, *, now: float | None = None) -> InboxStatus:
        """The number of updates waiting and the age of the oldest."""
        depth, oldest = self._read(lambda conn: conn.execute(
            "SELECT COUNT(*), MIN(born_at) FROM updates WHERE done_at IS NULL").fetchone())
        if not depth:
            return InboxStatus(0, None)
        current = time.time() if now is None else now
        return InboxStatus(int(depth), max(current - float(oldest), 0.0))

    def next_offset(self) -> int | None:
        """The polling offset that confirms every stored update (None: nothing stored)."""
        (highest,) = self._read(
            lambda conn: conn.execute("SELECT MAX(update_id) FROM updates").fetchone())
        return None if highest is None else int(highest) + 1

    def prune(self, done_before: float) -> int:
        """Delete done rows marked done before ``done_before`` (Unix time); return how many."""
        def write(conn: sqlite3.Connection) -> int:
            # The row with the highest update id stays: it gives next_offset() after a restart.
            return conn.execute(
                "DELETE FROM updates WHERE done_at IS NOT NULL AND done_at < ?"
                " AND update_id < (SELECT MAX(update_id) FROM updates)",
                (done_before,)).rowcount

        return self._write(write, "NORMAL", "cannot prune done updates")

    def _connection(self) -> sqlite3.Connection:
        """The open connection; call with the lock held."""
        if self._conn is None:
            raise InboxError(f"the inbox {self.path} is closed")
        return self._conn

    def _write(self, work: Callable[[sqlite3.Connection], _T], synchronous: Synchronous,
               what: str) -> _T:
        """Run ``work`` in one write transaction, committed with ``synchronous``."""
        try:
            with self._lock:
                return self._transaction(self._connection(), work, synchronous)
        except sqlite3.Error as exc:
            raise InboxError(f"inbox {self.path}: {what}: {exc}") from exc

    def _try_write(self, work: Callable[[sqlite3.Connection], _T], synchronous: Synchronous,
                   what: str) -> _T | None:
        """:meth:`_write`, or None at once if the lock or the database is busy."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            conn = self._connection()
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                return self._transaction(conn, work, synchronous)
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    return None
                raise
            finally:
                conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        except sqlite3.Error as exc:
            raise InboxError(f"inbox {self.path}: {what}: {exc}") from exc
        finally:
            self._lock.release()

    @staticmethod
    def _transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], _T],
                     synchronous: Synchronous) -> _T:
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("BEGIN IMMEDIATE")  # the write lock now, or a clear error
        try:
            result = work(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    def _read(self, query: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``query`` under the lock."""
        try:
            with self._lock:
                return query(self._connection())
        except sqlite3.Error as exc:
            raise InboxError(f"inbox {self.path}: cannot read: {exc}") from exc


class AsyncInbox:
    """An :class:`Inbox` for the event loop.

    A write is tried on the event loop first, where it takes some tens of microseconds; if it
    would have to wait for a lock, or if stores are fsynced (``FULL``), it runs on a thread of
    the inbox's own instead, so the loop never blocks on the disk. One thread serialises that
    work, and it never waits behind other work sent to the default executor (the engine's
    answers). Checkpoints run on that thread too, every :data:`CHECKPOINT_EVERY` writes.
    """

    CHECKPOINT_EVERY = 500

    def __init__(self, inbox: Inbox) -> None:
        """Wrap ``inbox``; call :meth:`close` to stop the thread (it does not close it)."""
        self.inbox = inbox
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox")
        self._writes = 0

    async def _run(self, call: Callable[[], _T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes % self.CHECKPOINT_EVERY == 0:
            self._executor.submit(self._checkpoint)

    def _checkpoint(self) -> None:
        try:
            self.inbox.checkpoint()
        except InboxError as exc:  # the next one may succeed; the WAL only grows meanwhile
            log.warning("%s", exc)

    async def put(self, updates: Sequence[Incoming]) -> list[Waiting]:
        """:meth:`Inbox.put`, without blocking the event loop."""
        self._wrote()
        if self.inbox.synchronous == "NORMAL":
            stored = self.inbox.try_put(updates)
            if stored is not None:
                return stored
        return await self._run(lambda: self.inbox.put(updates))

    async def mark_done(self, seq: int, outcome: Outcome = "handled") -> None:
        """:meth:`Inbox.mark_done`, without blocking the event loop."""
        self._wrote()
        if not self.inbox.try_mark_done(seq, outcome):
            await self._run(lambda: self.inbox.mark_done(seq, outcome))

    async def status(self) -> InboxStatus:
        """:meth:`Inbox.status` off the event loop."""
        return await self._run(self.inbox.status)

    async def prune(self, done_before: float) -> int:
        """:meth:`Inbox.prune` off the event loop."""
        return await self._run(lambda: self.inbox.prune(done_before))

    def close(self) -> None:
        """Finish the calls already made, checkpoint, then stop the thread."""
        self._executor.submit(self._checkpoint)
        self._executor.shutdown(wait=True)


def _initialise(conn: sqlite3.Connection) -> None:
    """Create or check the schema, in one write transaction."""
    conn.execute("BEGIN IMMEDIATE")  # a read-only file fails here, at open
    try:
        (tables,) = conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        if not tables:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
        (application_id,) = conn.execute("PRAGMA application_id").fetchone()
        if application_id != _APPLICATION_ID:
            raise InboxError("it is another database, not an inbox")
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > _SCHEMA_VERSION:
            raise InboxError(f"schema version {version} is newer than this program's "
                             f"({_SCHEMA_VERSION})")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _age(seconds: float) -> str:
    """``12 s``, ``5 min``, ``3.2 h``: an age as a person would say it."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
