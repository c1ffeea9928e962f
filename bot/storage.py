"""The question log: each question's outcome, kept in SQLite so admins see what went unanswered.

Pure module: no Telegram import. The bot records each question after answering it (from a worker
thread, via ``asyncio.to_thread``); admins read :meth:`QuestionLog.unanswered` and
:meth:`QuestionLog.stats` from a Telegram command or the CLI. The log survives restarts.

Privacy. The log never stores a user's id or name. It stores ``HMAC-SHA256(salt, user_id)``, where
``salt`` is 32 random bytes (``secrets.token_bytes``) created when the database is first opened
and kept in its ``meta`` table. The trade-off:

* The same user always gets the same hash *within one database*, so :class:`Stats` can count
  distinct users, and a burst of questions from one person is visible as such.
* Hashes from two databases cannot be linked, and the hash alone says nothing about the user.
* This is pseudonymisation, not anonymisation: whoever holds the database file also holds the salt
  and could hash every plausible Telegram id (a few billion) to find one. Protect the file as you
  would any user data; deleting the ``salt`` row from ``meta`` makes every stored hash
  permanently unlinkable to a person (new questions then start a new salt).

Questions are stored as typed (surrounding whitespace stripped, at most
:data:`MAX_QUESTION_CHARS` characters), since admins need the wording to improve the knowledge
base. Timestamps are UTC ISO 8601 strings of one fixed shape, so text order is time order.

Failure policy. Opening a database that is corrupt, not a question log, or unwritable raises
:class:`StorageError` (the bot then runs without the log and warns). :meth:`QuestionLog.record`
never raises on a database error: it logs a warning and drops that one entry, because a broken
log must never stop the bot answering.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

from rapidfuzz import fuzz, process

logger = logging.getLogger(__name__)

STATUSES: tuple[str, ...] = ("answer", "clarify", "no_answer")
"""Every outcome the engine can give, in display order."""

UNANSWERED_STATUSES: tuple[str, ...] = ("clarify", "no_answer")
"""The outcomes an admin should look at: the bot had no single answer."""

MAX_QUESTION_CHARS = 1000
"""Longer questions are cut to this many characters before storing (people paste articles)."""

GROUPING_WINDOW = 2000
""":meth:`QuestionLog.unanswered` groups only this many of the latest unanswered rows (speed)."""

SIMILARITY_CUTOFF = 88.0
"""Minimum ``token_sort_ratio`` for two normalised questions to share a group.

``token_sort_ratio`` compares the words sorted, so word order does not matter ("putin who is"
matches "who is putin") but every word counts: a one-letter typo in a short question scores about
95 ("who is putin" / "who is putn" is 95.7), while a different subject scores far lower ("who is
putin" / "who is biden" is 58.3). ``token_set_ratio`` would be wrong here: it scores any subset
100, so "who is putin" would swallow "who is putin and what did he say about brics". 88 rather
than 85 because long questions differing in one content word can reach the mid-80s ("... about
the brics summit" / "... about the iraq summit" is 87.4).
"""

VERDICTS: tuple[str, ...] = ("up", "down")
"""What a reader can say of an answer with its feedback buttons (👍, 👎)."""

_T = TypeVar("_T")
_SCHEMA_VERSION = 3
_SALT_BYTES = 32
_PERSON = "person"
_TOPIC = "topic"

_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    )""",
    """CREATE TABLE questions (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,  -- UTC, datetime.isoformat(timespec="microseconds")
        question  TEXT NOT NULL,
        status    TEXT NOT NULL CHECK (status IN ('answer', 'clarify', 'no_answer')),
        user_hash TEXT            -- HMAC-SHA256(meta salt, user id) in hex, NULL if unknown
    )""",
    "CREATE INDEX questions_at ON questions (at)",
    "CREATE INDEX questions_status_at ON questions (status, at)",
    # One row per person or topic a question matched, so stats count them with GROUP BY.
    """CREATE TABLE question_refs (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        kind        TEXT NOT NULL CHECK (kind IN ('person', 'topic')),
        ref         TEXT NOT NULL,
        PRIMARY KEY (question_id, kind, ref)
    ) WITHOUT ROWID""",
    "CREATE INDEX question_refs_kind_ref ON question_refs (kind, ref)",
)

# Version 2: readers' verdicts on answers. At most one per user and answer (the two buttons
# under one answer share its ``answer`` token), so a second press is not counted twice.
_FEEDBACK_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE feedback (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,  -- UTC, as questions.at
        answer    TEXT NOT NULL,  -- a token naming one answer (one reply) of the bot
        question  TEXT NOT NULL,
        shown     TEXT NOT NULL,  -- the entry ids the answer showed, space-separated
        verdict   TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
        user_hash TEXT,           -- as questions.user_hash
        UNIQUE (answer, user_hash)
    )""",
    "CREATE INDEX feedback_verdict_at ON feedback (verdict, at)",
)

# Version 3: the article that answered each question (a library serves many), so stats can say
# which articles readers ask about and which leave them without an answer. NULL: not known (a
# question logged before version 3).
_ARTICLE_SCHEMA: tuple[str, ...] = (
    "ALTER TABLE questions ADD COLUMN article TEXT",
    "CREATE INDEX questions_article_status ON questions (article, status)",
)

_APOSTROPHES = frozenset("'\u2019\u02bc\u0060\u00b4")
_RELATIVE = re.compile(r"(\d+)\s*([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class StorageError(Exception):
    """The question log cannot be opened or read."""


@dataclass(frozen=True)
class UnansweredGroup:
    """Similar questions that got no answer (or a request to clarify), newest wording first."""

    question: str  # the most recent wording, as typed
    count: int  # how many times it was asked (within the grouping window)
    statuses: tuple[str, ...]  # the outcomes it got, a subset of UNANSWERED_STATUSES, sorted
    last_at: datetime  # when it was last asked, UTC
    examples: tuple[str, ...]  # up to 3 other wordings, newest first, distinct after normalising


@dataclass(frozen=True)
class Disliked:
    """An answer readers marked 👎: the question, what it showed, how often, when last."""

    question: str  # as typed (the latest wording with exactly this answer)
    shown: tuple[str, ...]  # the entry ids the answer showed
    count: int  # how many readers marked it 👎
    last_at: datetime  # UTC


@dataclass(frozen=True)
class ArticleUsage:
    """How many questions one article answered (or was asked and could not answer)."""

    article: str  # the article's id
    questions: int
    unanswered: int  # of them, how many got a request to clarify or no answer


@dataclass(frozen=True)
class Stats:
    """Usage counts over the whole log or since a point in time."""

    since: datetime | None
    total: int
    by_status: dict[str, int]  # always has every key of STATUSES
    top_people: list[tuple[str, int]]  # (person id, questions), most asked first
    top_topics: list[tuple[str, int]]  # (topic id, questions), most asked first
    users: int  # distinct (hashed) users
    articles: int = 0  # distinct articles questions went to (where it is known)
    top_articles: list[ArticleUsage] = field(default_factory=list)  # most asked first
    # the articles with the most unanswered questions (at least one), most first
    most_unanswered: list[ArticleUsage] = field(default_factory=list)


@dataclass
class _Group:
    """A group being built by :func:`group_questions`."""

    leader: str  # normalised wording every candidate is compared with
    question: str
    last_at: datetime
    count: int = 0
    statuses: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)  # normalised wordings already shown
    examples: list[str] = field(default_factory=list)


class QuestionLog:
    """An SQLite log of asked questions and their outcomes; safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Open (creating if needed) the log at ``path``; ``":memory:"`` gives a throwaway log.

        Raises :class:`StorageError` if the file cannot be created, opened or written, is
        corrupt, or is not a question log.
        """
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        in_memory = self.path == ":memory:"
        try:
            if not in_memory:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # One connection shared by all threads, serialised by self._lock. Autocommit mode
            # (isolation_level=None): every transaction below is explicit and short.
            conn = sqlite3.connect(
                self.path, timeout=5.0, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open question log {self.path}: {exc}") from exc
        try:
            if not in_memory:
                # WAL lets an admin's CLI read while the bot writes. With WAL, NORMAL sync cannot
                # corrupt the file; a power cut may lose the last entries, fine for a log.
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._salt = _initialise(conn)
        except (sqlite3.Error, StorageError) as exc:
            conn.close()
            if isinstance(exc, StorageError):
                raise StorageError(f"cannot open question log {self.path}: {exc}") from exc
            raise StorageError(
                f"cannot open question log {self.path}: {exc} "
                "(is it corrupt, read-only, or not a question log?)"
            ) from exc
        self._conn: sqlite3.Connection | None = conn

    def __repr__(self) -> str:
        return f"QuestionLog({self.path!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database; later :meth:`record` calls are dropped with a warning."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def user_hash(self, user_id: int) -> str:
        """Return the salted hash stored for ``user_id`` in this database."""
        digest = hmac.new(self._salt, str(user_id).encode("ascii"), hashlib.sha256)
        return digest.hexdigest()

    def record(
        self,
        *,
        question: str,
        status: str,
        user_id: int | None,
        people: Sequence[str] = (),
        topics: Sequence[str] = (),
        article: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Store one question's outcome; ``people``/``topics`` are the knowledge-base ids it hit,
        ``article`` the id of the article that answered (or was asked and could not).

        Raises ``ValueError`` for a status outside :data:`STATUSES` (a programming error). A
        database error is logged as a warning and the entry dropped: this never raises for it.
        ``at`` defaults to now; a naive ``at`` is taken as UTC.
        """
        status_value = _status_value(status)
        when, text, user_hash = self._stamped(question, at, user_id)
        refs = [(_PERSON, _clean(p)) for p in dict.fromkeys(people) if p]
        refs += [(_TOPIC, _clean(t)) for t in dict.fromkeys(topics) if t]
        try:
            with self._lock:
                conn = self._connection()
                with _transaction(conn, "BEGIN IMMEDIATE"):
                    cursor = conn.execute(
                        "INSERT INTO questions (at, question, status, user_hash, article)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (when, text, status_value, user_hash,
                         _clean(article) if article else None),
                    )
                    conn.executemany(
                        "INSERT OR IGNORE INTO question_refs (question_id, kind, ref)"
                        " VALUES (?, ?, ?)",
                        [(cursor.lastrowid, kind, ref) for kind, ref in refs],
                    )
        except (sqlite3.Error, StorageError) as exc:
            # Deliberately no question text or user in the message.
            logger.warning("Could not record a question in %s: %s", self.path, exc)

    def _stamped(self, question: str, at: datetime | None, user_id: int | None,
                 ) -> tuple[str, str, str | None]:
        """When (UTC, stored form), the question as stored, and the user's salted hash."""
        when = _iso(_to_utc(at) if at is not None else datetime.now(UTC))
        text = _clean(question.strip()[:MAX_QUESTION_CHARS])
        return when, text, self.user_hash(user_id) if user_id is not None else None

    def record_feedback(
        self,
        *,
        answer: str,
        question: str,
        shown: Sequence[str],
        verdict: str,
        user_id: int | None,
        at: datetime | None = None,
    ) -> bool:
        """Store a reader's verdict (``up`` or ``down``) on one answer; True if it was stored.

        ``answer`` names the answer (its two buttons share it): a second verdict by the same
        user on the same answer is not stored (False). Raises ``ValueError`` for a verdict
        outside :data:`VERDICTS`; a database error is logged and the verdict dropped (False).
        """
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        when, text, user_hash = self._stamped(question, at, user_id)
        try:
            with self._lock:
                conn = self._connection()
                with _transaction(conn, "BEGIN IMMEDIATE"):
                    cursor = conn.execute(
                        "INSERT OR IGNORE INTO feedback"
                        " (at, answer, question, shown, verdict, user_hash)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (when, _clean(answer), text, " ".join(_clean(i) for i in shown),
                         verdict, user_hash),
                    )
        except (sqlite3.Error, StorageError) as exc:
            logger.warning("Could not record feedback in %s: %s", self.path, exc)
            return False
        return cursor.rowcount == 1

    def disliked(self, *, limit: int = 20, since: datetime | None = None) -> list[Disliked]:
        """Return the answers marked 👎 (optionally only since ``since``), the same question
        with the same entries shown counted together, the most recent first. Raises
        :class:`StorageError`."""
        if limit <= 0:
            return []
        sql = ("SELECT question, shown, COUNT(*), MAX(at) FROM feedback WHERE verdict = 'down'")
        params: list[object] = []
        if since is not None:
            sql += " AND at >= ?"
            params.append(_iso(_to_utc(since)))
        sql += " GROUP BY question, shown ORDER BY MAX(at) DESC, MAX(id) DESC LIMIT ?"
        params.append(limit)
        rows = self._read(lambda conn: conn.execute(sql, params).fetchall())
        return [Disliked(question, tuple(shown.split()), count, datetime.fromisoformat(at))
                for question, shown, count, at in rows]

    def unanswered(
        self, *, limit: int = 20, since: datetime | None = None
    ) -> list[UnansweredGroup]:
        """Return the latest questions that got no answer or a clarify, similar ones grouped.

        Looks at the latest :data:`GROUPING_WINDOW` such questions (optionally only those at or
        after ``since``), groups them as described in :func:`group_questions`, and returns at most
        ``limit`` groups, the most recently asked first. Raises :class:`StorageError`.
        """
        if limit <= 0:
            return []
        placeholders = ", ".join("?" for _ in UNANSWERED_STATUSES)
        sql = f"SELECT question, status, at FROM questions WHERE status IN ({placeholders})"
        params: list[object] = list(UNANSWERED_STATUSES)
        if since is not None:
            sql += " AND at >= ?"
            params.append(_iso(_to_utc(since)))
        sql += " ORDER BY at DESC, id DESC LIMIT ?"
        params.append(GROUPING_WINDOW)
        rows = self._read(lambda conn: conn.execute(sql, params).fetchall())
        return group_questions(
            [(question, status, datetime.fromisoformat(at)) for question, status, at in rows],
            limit=limit,
        )

    def stats(self, *, since: datetime | None = None, top: int = 5) -> Stats:
        """Count questions, outcomes, distinct users, the ``top`` people and topics asked, and
        the ``top`` articles by questions and by unanswered questions.

        Only questions at or after ``since`` count, if given. Raises :class:`StorageError`, or
        ``ValueError`` for a negative ``top``.
        """
        if top < 0:
            raise ValueError(f"top must be 0 or more, not {top}")
        since_utc = _to_utc(since) if since is not None else None
        where, params = ("WHERE at >= ?", [_iso(since_utc)]) if since_utc is not None else ("", [])

        def query(conn: sqlite3.Connection) -> Stats:
            by_status = dict.fromkeys(STATUSES, 0)
            for status, count in conn.execute(
                f"SELECT status, COUNT(*) FROM questions {where} GROUP BY status", params
            ):
                by_status[status] = count
            (users, articles) = conn.execute(
                f"SELECT COUNT(DISTINCT user_hash), COUNT(DISTINCT article) FROM questions {where}",
                params,
            ).fetchone()
            return Stats(
                since=since_utc,
                total=sum(by_status.values()),
                by_status=by_status,
                top_people=_top_refs(conn, _PERSON, since_utc, top),
                top_topics=_top_refs(conn, _TOPIC, since_utc, top),
                users=users,
                articles=articles,
                top_articles=_top_articles(conn, where, params, "questions", top),
                most_unanswered=_top_articles(conn, where, params, "unanswered", top),
            )

        return self._read(query)

    def _connection(self) -> sqlite3.Connection:
        """Return the open connection; call with the lock held."""
        if self._conn is None:
            raise StorageError(f"question log {self.path} is closed")
        return self._conn

    def _read(self, query: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``query`` in one read transaction (one consistent snapshot) under the lock."""
        try:
            with self._lock:
                conn = self._connection()
                with _transaction(conn, "BEGIN"):
                    return query(conn)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read question log {self.path}: {exc}") from exc


def group_questions(
    rows: Sequence[tuple[str, str, datetime]], *, limit: int
) -> list[UnansweredGroup]:
    """Group ``(question, status, at)`` rows, given newest first, into at most ``limit`` groups.

    Greedy clustering: each row joins the group whose leader (the normalised wording of the
    group's newest question) has the same normalised form, or else the best-scoring one with
    ``token_sort_ratio >= SIMILARITY_CUTOFF``; if none, it starts a new group. Groups come out in
    the order they started, i.e. newest first. Once ``limit`` groups exist, a row matching none of
    them is skipped: its group would rank below the cut. That keeps the work at
    ``len(rows) * limit`` comparisons.
    """
    groups: list[_Group] = []
    by_leader: dict[str, _Group] = {}
    for question, status, at in rows:
        key = normalise_question(question)
        group = by_leader.get(key)
        if group is None and key:
            best = process.extractOne(
                key,
                [g.leader for g in groups],
                scorer=fuzz.token_sort_ratio,
                processor=None,
                score_cutoff=SIMILARITY_CUTOFF,
            )
            if best is not None:
                group = groups[best[2]]
        if group is None:
            if len(groups) >= limit:
                continue
            group = _Group(leader=key, question=question, last_at=at, seen={key})
            groups.append(group)
            by_leader[key] = group
        group.count += 1
        group.statuses.add(status)
        if key not in group.seen and len(group.examples) < 3:
            group.seen.add(key)
            group.examples.append(question)
    return [
        UnansweredGroup(
            question=g.question,
            count=g.count,
            statuses=tuple(sorted(g.statuses)),
            last_at=g.last_at,
            examples=tuple(g.examples),
        )
        for g in groups
    ]


def normalise_question(text: str) -> str:
    """Return ``text`` NFKC-normalised, casefolded, without punctuation, whitespace collapsed.

    Apostrophes vanish ("who's" -> "whos"); other punctuation becomes a space ("putin?!" ->
    "putin"). Letters, digits, and symbols such as emoji are kept.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    chars = (
        "" if ch in _APOSTROPHES else " " if unicodedata.category(ch).startswith("P") else ch
        for ch in folded
    )
    return " ".join("".join(chars).split())


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """Parse a start time: ``2026-11-01``, ``7d``, ``24h``, ``2w`` or an ISO date-time.

    Ages count back from ``now`` (default: the current time). Dates mean midnight UTC; date-times
    without an offset are UTC. Returns an aware UTC datetime; raises ``ValueError`` saying what
    is accepted.
    """
    cleaned = text.strip()
    relative = _RELATIVE.fullmatch(cleaned.casefold())
    try:
        if relative:
            amount, unit = int(relative[1]), _UNITS[relative[2]]
            return (now or datetime.now(UTC)).astimezone(UTC) - timedelta(**{unit: amount})
        if len(cleaned) == 10:
            return datetime.combine(date.fromisoformat(cleaned), time(), tzinfo=UTC)
        return _to_utc(datetime.fromisoformat(cleaned))
    except (ValueError, OverflowError):
        pass
    raise ValueError(
        f"cannot read {text!r} as a start time: use a date (2026-11-01), "
        "a date-time (2026-11-01T14:00, UTC unless it has an offset), or an age (24h, 7d, 2w)"
    )


def _initialise(conn: sqlite3.Connection) -> bytes:
    """Create or check the schema and return the database's salt, in one write transaction."""
    # BEGIN IMMEDIATE takes the write lock now: a read-only file fails here, at open.
    with _transaction(conn, "BEGIN IMMEDIATE"):
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > _SCHEMA_VERSION:
            raise StorageError(
                f"schema version {version} is newer than this program's ({_SCHEMA_VERSION})"
            )
        if version == 0:
            for statement in _SCHEMA:
                conn.execute(statement)
        if version < 2:  # a version 1 log gains the feedback table; nothing else changes
            for statement in _FEEDBACK_SCHEMA:
                conn.execute(statement)
        if version < 3:  # and a version 2 log the questions' article (NULL for the old ones)
            for statement in _ARTICLE_SCHEMA:
                conn.execute(statement)
        if version < _SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)",
            (secrets.token_bytes(_SALT_BYTES),),
        )
        row = conn.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
    salt = row[0] if row else None
    if not isinstance(salt, bytes) or len(salt) != _SALT_BYTES:
        raise StorageError("its salt in the meta table is damaged")
    return salt


@contextmanager
def _transaction(conn: sqlite3.Connection, begin: str) -> Iterator[None]:
    """Run the block in one transaction: commit on success, roll back on any error."""
    conn.execute(begin)
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _top_refs(
    conn: sqlite3.Connection, kind: str, since: datetime | None, top: int
) -> list[tuple[str, int]]:
    """Return the ``top`` most frequent refs of ``kind``, ties by id."""
    if top == 0:
        return []
    if since is None:
        sql = "SELECT ref, COUNT(*) AS n FROM question_refs WHERE kind = ?"
        params: list[object] = [kind]
    else:
        sql = (
            "SELECT r.ref, COUNT(*) AS n FROM question_refs AS r"
            " JOIN questions AS q ON q.id = r.question_id WHERE r.kind = ? AND q.at >= ?"
        )
        params = [kind, _iso(since)]
    sql += " GROUP BY ref ORDER BY n DESC, ref LIMIT ?"
    return [(ref, n) for ref, n in conn.execute(sql, [*params, top])]


def _top_articles(
    conn: sqlite3.Connection, where: str, params: Sequence[object], order: str, top: int
) -> list[ArticleUsage]:
    """The ``top`` articles by ``order`` (``questions`` or ``unanswered``, the other count
    breaking ties, then the id); by unanswered, only articles with at least one."""
    if top == 0:
        return []
    unanswered = ", ".join(f"'{s}'" for s in UNANSWERED_STATUSES)
    other = "unanswered" if order == "questions" else "questions"
    condition = f"{where} AND" if where else "WHERE"
    sql = (
        f"SELECT article, COUNT(*) AS questions,"
        f" SUM(status IN ({unanswered})) AS unanswered"
        f" FROM questions {condition} article IS NOT NULL GROUP BY article"
        + (" HAVING unanswered > 0" if order == "unanswered" else "")
        + f" ORDER BY {order} DESC, {other} DESC, article LIMIT ?"
    )
    return [ArticleUsage(article, n, int(missed))
            for article, n, missed in conn.execute(sql, [*params, top])]


def _status_value(status: str) -> str:
    """Return the plain status string, accepting ``engine.Status`` members too."""
    value = status.value if isinstance(status, Enum) else status
    if value not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    return str(value)


def _to_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    """Return the stored form of a UTC datetime: fixed width, so text order is time order."""
    return moment.isoformat(timespec="microseconds")


def _clean(text: str) -> str:
    """Replace lone surrogates (possible in Telegram's JSON), which SQLite cannot store."""
    return text.encode("utf-8", "replace").decode("utf-8")
