"""Tests for the question log (bot/storage.py): persistence, privacy, grouping, stats, errors."""

from __future__ import annotations

import logging
import os
import sqlite3
import struct
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from pathlib import Path

import pytest

from bot import storage
from bot.reports import format_stats, format_unanswered
from bot.storage import (
    MAX_QUESTION_CHARS,
    ArticleUsage,
    QuestionLog,
    Stats,
    StorageError,
    UnansweredGroup,
    group_questions,
    normalise_question,
    parse_since,
)

T0 = datetime(2026, 11, 26, 14, 3, tzinfo=UTC)
PUTIN_FA = "\u067e\u0648\u062a\u06cc\u0646"  # Persian, written as escapes to keep RTL out of diffs
WHO_IS_PUTIN_FA = PUTIN_FA + " \u06a9\u06cc\u0633\u062a"  # "who is Putin", without "?"


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    """A not-yet-existing log file in a not-yet-existing directory."""
    return tmp_path / "data" / "questions.db"


@pytest.fixture
def log(log_path: Path) -> Iterator[QuestionLog]:
    """An open file-backed question log, closed after the test."""
    with QuestionLog(log_path) as opened:
        yield opened


def minutes(n: int) -> datetime:
    """Return T0 plus ``n`` minutes."""
    return T0 + timedelta(minutes=n)


def all_values(path: Path) -> list[object]:
    """Return every value in every column of every table of the SQLite file at ``path``."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [v for t in tables for row in conn.execute(f'SELECT * FROM "{t}"') for v in row]
    finally:
        conn.close()


# --- persistence -------------------------------------------------------------------------------


def test_record_survives_reopen(log_path: Path) -> None:
    with QuestionLog(log_path) as log:
        log.record(question="who is putin", status="no_answer", user_id=1, at=minutes(0))
        log.record(question="what is brics", status="answer", user_id=2, topics=["brics"])
    assert log_path.exists()
    with QuestionLog(log_path) as reopened:
        stats = reopened.stats()
        groups = reopened.unanswered()
    assert stats.total == 2
    assert stats.by_status == {"answer": 1, "clarify": 0, "no_answer": 1}
    assert stats.top_topics == [("brics", 1)]
    assert [g.question for g in groups] == ["who is putin"]
    assert groups[0].last_at == T0


def test_file_db_uses_wal(log: QuestionLog, log_path: Path) -> None:
    conn = sqlite3.connect(log_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_in_memory_log_works() -> None:
    with QuestionLog(":memory:") as log:
        log.record(question="who is putin", status="clarify", user_id=5)
        assert log.stats().by_status["clarify"] == 1


def test_naive_datetimes_are_utc(log: QuestionLog) -> None:
    log.record(question="q", status="no_answer", user_id=None, at=datetime(2026, 11, 26, 14, 3))
    assert log.unanswered()[0].last_at == T0
    assert log.stats(since=datetime(2026, 11, 26, 14, 3)).total == 1
    assert log.stats(since=datetime(2026, 11, 26, 14, 4)).total == 0


def test_at_with_offset_is_stored_as_utc(log: QuestionLog) -> None:
    tehran = timezone(timedelta(hours=3, minutes=30))
    log.record(question="q", status="no_answer", user_id=None, at=T0.astimezone(tehran))
    last_at = log.unanswered()[0].last_at
    assert last_at == T0 and last_at.utcoffset() == timedelta(0)


# --- privacy -----------------------------------------------------------------------------------


def test_user_id_is_nowhere_in_the_database(log_path: Path) -> None:
    user_id = 987654321012
    with QuestionLog(log_path) as log:
        for n in range(5):
            log.record(question=f"question {n}", status="no_answer", user_id=user_id)
    raw = b"".join(p.read_bytes() for p in log_path.parent.iterdir())
    assert str(user_id).encode() not in raw
    assert struct.pack(">q", user_id) not in raw and struct.pack("<q", user_id) not in raw
    for value in all_values(log_path):
        assert value != user_id
        assert str(user_id) not in str(value)


def test_same_user_same_hash_across_reopen(log_path: Path) -> None:
    with QuestionLog(log_path) as log:
        first, other = log.user_hash(42), log.user_hash(43)
        assert log.user_hash(42) == first != other
        log.record(question="a", status="answer", user_id=42)
        log.record(question="b", status="answer", user_id=42)
        log.record(question="c", status="answer", user_id=43)
        log.record(question="d", status="answer", user_id=None)
        assert log.stats().users == 2
    with QuestionLog(log_path) as reopened:
        assert reopened.user_hash(42) == first
    stored = [v for v in all_values(log_path) if isinstance(v, str) and len(v) == 64]
    assert sorted(stored) == sorted([first, first, other])


def test_different_databases_have_different_salts(tmp_path: Path) -> None:
    with QuestionLog(tmp_path / "a.db") as a, QuestionLog(tmp_path / "b.db") as b:
        assert a.user_hash(42) != b.user_hash(42)
    salts = [all_values(tmp_path / name) for name in ("a.db", "b.db")]
    salt_a = next(v for v in salts[0] if isinstance(v, bytes))
    salt_b = next(v for v in salts[1] if isinstance(v, bytes))
    assert len(salt_a) == len(salt_b) == 32 and salt_a != salt_b


# --- validation and awkward input --------------------------------------------------------------


def test_invalid_status_raises_and_stores_nothing(log: QuestionLog) -> None:
    with pytest.raises(ValueError, match="answer, clarify, no_answer"):
        log.record(question="q", status="unknown", user_id=1)
    assert log.stats().total == 0


def test_str_enum_status_is_accepted(log: QuestionLog) -> None:
    class Status(str, Enum):
        NO_ANSWER = "no_answer"

    log.record(question="q", status=Status.NO_ANSWER, user_id=1)
    assert log.stats().by_status["no_answer"] == 1


def test_very_long_question_is_truncated(log: QuestionLog, log_path: Path) -> None:
    log.record(question="why " * 2500, status="no_answer", user_id=1)
    [group] = log.unanswered()
    assert len(group.question) == MAX_QUESTION_CHARS
    stored = [v for v in all_values(log_path) if isinstance(v, str) and v.startswith("why")]
    assert [len(v) for v in stored] == [MAX_QUESTION_CHARS]
    first_line = format_unanswered([group]).splitlines()[0]
    assert len(first_line) < 200 and "\u2026" in first_line


@pytest.mark.parametrize(
    "question",
    [
        WHO_IS_PUTIN_FA + "\u061f",  # Persian, RTL, Arabic question mark
        "who is putin \U0001f914\U0001f1f7\U0001f1fa",  # emoji and a flag
        "\u202ewho is putin\u202c",  # explicit RTL override
        "line one\nline two\x00after nul",
    ],
)
def test_unicode_round_trips(log: QuestionLog, question: str) -> None:
    log.record(question=question, status="no_answer", user_id=1, people=[PUTIN_FA])
    [group] = log.unanswered()
    assert group.question == question
    assert log.stats().top_people == [(PUTIN_FA, 1)]
    assert format_unanswered([group])  # renders without error


def test_lone_surrogate_does_not_crash(log: QuestionLog) -> None:
    log.record(question="who is \ud800 putin", status="no_answer", user_id=1)
    [group] = log.unanswered()
    assert group.question.startswith("who is ") and group.question.endswith(" putin")


def test_duplicate_people_and_topics_count_once(log: QuestionLog) -> None:
    log.record(question="q", status="answer", user_id=1, people=["a", "a", ""], topics=["t", "t"])
    stats = log.stats()
    assert stats.top_people == [("a", 1)] and stats.top_topics == [("t", 1)]


# --- grouping ----------------------------------------------------------------------------------


def test_similar_questions_group_and_unrelated_do_not(log: QuestionLog) -> None:
    asked = [
        ("who is putin", "no_answer"),
        ("what did velayati say about brics", "no_answer"),
        ("Who is Putin?", "clarify"),
        ("who is putin??", "no_answer"),
        ("who is putn", "no_answer"),
        ("who is biden", "no_answer"),
        ("who is puttin", "no_answer"),
        ("what is brics", "answer"),  # answered: never listed
    ]
    for n, (question, status) in enumerate(asked):
        log.record(question=question, status=status, user_id=n, at=minutes(n))
    groups = log.unanswered()
    assert groups == [
        UnansweredGroup(
            question="who is puttin",
            count=5,
            statuses=("clarify", "no_answer"),
            last_at=minutes(6),
            examples=("who is putn", "who is putin??"),  # newest first, one per normal form
        ),
        UnansweredGroup("who is biden", 1, ("no_answer",), minutes(5), ()),
        UnansweredGroup("what did velayati say about brics", 1, ("no_answer",), minutes(1), ()),
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("who is putin", "Who is Putin?"),
        ("who is putin", "who is putin??"),
        ("who is putin", "  WHO   is   putin !!! "),
        ("who is putin", "who is putn"),
        ("who is putin", "who is puttin"),
        ("who is putin", "putin, who is?"),  # token_sort: word order does not matter
        ("what did velayati say about brics", "what did velayti say about brics"),
        ("who's putin", "whos putin"),
        ("ｗｈｏ ｉｓ ｐｕｔｉｎ", "who is putin"),  # fullwidth, NFKC
        (WHO_IS_PUTIN_FA + "\u061f", WHO_IS_PUTIN_FA),
    ],
)
def test_grouping_merges(a: str, b: str) -> None:
    rows = [(a, "no_answer", minutes(1)), (b, "no_answer", minutes(0))]
    assert [g.count for g in group_questions(rows, limit=10)] == [2]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("who is putin", "who is biden"),
        ("who is putin", "who is lavrov"),
        ("what is brics", "what is nato"),
        # token_set_ratio would score this subset 100; token_sort_ratio keeps them apart.
        ("who is putin", "who is putin and what did he say about brics"),
        (
            "what did velayati say about the brics summit",
            "what did velayati say about the iraq summit",
        ),
        ("when did the war start", "when did the war end"),
        ("???", "who is putin"),
    ],
)
def test_grouping_keeps_apart(a: str, b: str) -> None:
    rows = [(a, "no_answer", minutes(1)), (b, "no_answer", minutes(0))]
    assert [g.count for g in group_questions(rows, limit=10)] == [1, 1]


def test_punctuation_only_questions_group_together() -> None:
    rows = [("???", "no_answer", minutes(1)), ("!!", "no_answer", minutes(0))]
    assert [(g.question, g.count) for g in group_questions(rows, limit=10)] == [("???", 2)]


def test_normalise_question() -> None:
    assert normalise_question("  Who's   PUTIN?!\n") == "whos putin"
    assert normalise_question("Straße, ＡＢＣ") == "strasse abc"
    assert normalise_question("putin \U0001f914") == "putin \U0001f914"
    assert normalise_question("...") == ""


def test_limit_keeps_newest_groups_with_full_counts(log: QuestionLog) -> None:
    for n, question in enumerate(["who is putin", "what is nato", "who is putin?", "q3", "q4"]):
        log.record(question=question, status="no_answer", user_id=None, at=minutes(n))
    groups = log.unanswered(limit=2)
    assert [(g.question, g.count) for g in groups] == [("q4", 1), ("q3", 1)]
    groups = log.unanswered(limit=3)
    assert [(g.question, g.count) for g in groups] == [("q4", 1), ("q3", 1), ("who is putin?", 2)]
    assert log.unanswered(limit=0) == []


def test_only_the_latest_window_is_grouped(
    log: QuestionLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "GROUPING_WINDOW", 3)
    for n in range(5):
        log.record(question="who is putin", status="no_answer", user_id=None, at=minutes(n))
    assert [g.count for g in log.unanswered()] == [3]


def test_examples_are_at_most_three_distinct_wordings() -> None:
    wordings = [
        "who is putin",
        "who is putin?",
        "who is putn",
        "who is puttin",
        "who is putim",
        "who is pootin",
        "who is putin!!",
    ]
    rows = [(w, "no_answer", minutes(-n)) for n, w in enumerate(wordings)]
    [group] = group_questions(rows, limit=5)
    assert group.count == 7
    assert group.examples == ("who is putn", "who is puttin", "who is putim")


def test_since_filters_unanswered_and_stats(log: QuestionLog) -> None:
    log.record(question="old question", status="no_answer", user_id=1, people=["p"], at=minutes(0))
    log.record(question="new question", status="no_answer", user_id=2, at=minutes(10))
    log.record(question="new answer", status="answer", user_id=2, people=["q"], at=minutes(11))
    assert [g.question for g in log.unanswered(since=minutes(5))] == ["new question"]
    assert [g.question for g in log.unanswered(since=minutes(10))] == ["new question"]
    assert log.unanswered(since=minutes(12)) == []
    stats = log.stats(since=minutes(5))
    assert (stats.total, stats.users, stats.top_people) == (2, 1, [("q", 1)])
    assert stats.since == minutes(5)
    assert log.stats().top_people == [("p", 1), ("q", 1)]


# --- stats -------------------------------------------------------------------------------------


def test_stats_shares_and_tops(log: QuestionLog) -> None:
    for n in range(6):
        log.record(
            question=f"a{n}",
            status="answer",
            user_id=n % 3,
            people=["putin"] if n < 4 else ["velayati"],
            topics=["brics", "iran"] if n < 2 else ["iran"],
        )
    log.record(question="c", status="clarify", user_id=1, people=["sanaei", "velayati"])
    log.record(question="n", status="no_answer", user_id=9)
    stats = log.stats(top=2)
    assert stats == Stats(
        since=None,
        total=8,
        by_status={"answer": 6, "clarify": 1, "no_answer": 1},
        top_people=[("putin", 4), ("velayati", 3)],
        top_topics=[("iran", 6), ("brics", 2)],
        users=4,
    )
    text = format_stats(stats, names={"putin": "Vladimir Putin", "iran": "Iran"})
    assert "Questions (all time): 8" in text
    assert "75%  (6)" in text and "12%  (1)" in text
    assert "Distinct users: 4" in text
    assert "Most asked people: Vladimir Putin (4), velayati (3)" in text
    assert "Most asked topics: Iran (6), brics (2)" in text


def test_stats_per_article_most_asked_and_most_unanswered(log: QuestionLog) -> None:
    asked = {"iran": ("answer",) * 5 + ("no_answer",),
             "kazakh": ("answer", "answer", "answer", "clarify"),
             "peskov": ("no_answer",) * 3,
             "opec": ("answer",)}
    for article, statuses in asked.items():
        for n, status in enumerate(statuses):
            log.record(question=f"{article} {n}", status=status, user_id=n, article=article)
    log.record(question="before articles were logged", status="no_answer", user_id=1)
    stats = log.stats(top=2)
    assert stats.articles == 4 and stats.total == 15
    assert stats.top_articles == [ArticleUsage("iran", 6, 1), ArticleUsage("kazakh", 4, 1)]
    assert stats.most_unanswered == [ArticleUsage("peskov", 3, 3), ArticleUsage("iran", 6, 1)]
    assert log.stats(top=2, since=T0 + timedelta(days=3650)).top_articles == []
    text = format_stats(stats, titles={"iran": "Russia and Iran are natural partners",
                                       "peskov": "Peskov " + "x" * 80}, served=4000)
    lines = text.splitlines()
    start = lines.index("Articles asked about: 4 of 4,000 served")
    assert lines[start + 1:start + 6] == [
        "  most asked (questions, unanswered):",
        "       6      1  Russia and Iran are natural partners (iran)",
        "       4      1  kazakh",
        "  most unanswered (questions, unanswered):",  # iran is listed above already
        "       3      3  Peskov " + "x" * 40 + "\u2026 (peskov)"]
    assert max(len(line) for line in lines) < 100


def test_stats_of_a_log_without_articles_say_nothing_of_them(log: QuestionLog) -> None:
    log.record(question="q", status="answer", user_id=1)
    assert "Articles" not in format_stats(log.stats())
    assert "Articles asked about: 0 of 3 served" in format_stats(log.stats(), served=3)


def test_a_version_2_log_gains_the_article_column(log_path: Path) -> None:
    with QuestionLog(log_path) as log:
        log.record(question="old", status="answer", user_id=1, article="iran")
    with sqlite3.connect(log_path) as conn:  # back to what version 2 wrote
        conn.execute("DROP INDEX questions_article_status")
        conn.execute("ALTER TABLE questions DROP COLUMN article")
        conn.execute("PRAGMA user_version = 2")
    with QuestionLog(log_path) as log:
        log.record(question="new", status="no_answer", user_id=1, article="iran")
        stats = log.stats()
    assert stats.total == 2 and stats.top_articles == [ArticleUsage("iran", 1, 1)]
    with sqlite3.connect(log_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (3,)


def test_stats_on_empty_log(log: QuestionLog) -> None:
    stats = log.stats()
    assert stats == Stats(None, 0, {"answer": 0, "clarify": 0, "no_answer": 0}, [], [], 0)
    assert format_stats(stats) == "No questions yet (all time)."
    assert format_stats(Stats(T0, 0, stats.by_status, [], [], 0)) == (
        "No questions yet (since 2026-11-26 14:03 UTC)."
    )


def test_stats_top_zero_and_negative(log: QuestionLog) -> None:
    log.record(question="q", status="answer", user_id=1, people=["p"])
    assert log.stats(top=0).top_people == []
    with pytest.raises(ValueError):
        log.stats(top=-1)


def test_format_stats_tiny_share_and_no_refs() -> None:
    stats = Stats(None, 200, {"answer": 199, "clarify": 0, "no_answer": 1}, [], [], 3)
    text = format_stats(stats)
    assert "<1%  (1)" in text and "100%  (199)" in text and "0%  (0)" in text
    assert "Most asked people: none yet" in text


# --- formatting unanswered ---------------------------------------------------------------------


def test_format_unanswered() -> None:
    groups = [
        UnansweredGroup("who is putin", 3, ("no_answer",), T0, ("who is putn",)),
        UnansweredGroup("what is\nnato", 12, ("clarify", "no_answer"), minutes(-60), ()),
    ]
    assert format_unanswered(groups).splitlines() == [
        "  3\u00d7  who is putin   (no_answer; last 2026-11-26 14:03 UTC)",
        '      also asked as: "who is putn"',
        " 12\u00d7  what is nato   (clarify, no_answer; last 2026-11-26 13:03 UTC)",
    ]
    assert format_unanswered([]) == "Nothing unanswered \u2014 every question got an answer."


# --- concurrency -------------------------------------------------------------------------------


def test_concurrent_records_lose_nothing(log: QuestionLog) -> None:
    threads, per_thread = 8, 200
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                log.record(
                    question=f"worker {worker} question {n}",
                    status=("answer", "clarify", "no_answer")[n % 3],
                    user_id=worker,
                    people=[f"p{n % 4}"],
                )
                if n % 50 == 0:
                    log.stats()  # an admin reading while the bot writes
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    stats = log.stats(top=10)
    assert stats.total == threads * per_thread
    assert stats.users == threads
    assert sum(count for _, count in stats.top_people) == threads * per_thread


# --- failures ----------------------------------------------------------------------------------


def test_corrupt_file_raises_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "questions.db"
    path.write_bytes(b"this is not an sqlite database, just junk " * 100)
    with pytest.raises(StorageError, match="cannot open question log .*questions.db"):
        QuestionLog(path)


def test_damaged_pages_raise_storage_error(log_path: Path) -> None:
    QuestionLog(log_path).close()
    data = bytearray(log_path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # keep the header, wreck the schema page
    log_path.write_bytes(bytes(data))
    with pytest.raises(StorageError):
        QuestionLog(log_path)


def test_directory_path_raises_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        QuestionLog(tmp_path)


def test_parent_is_a_file_raises_storage_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StorageError, match="cannot open question log"):
        QuestionLog(tmp_path / "afile" / "questions.db")


def test_newer_schema_raises_storage_error(log_path: Path) -> None:
    QuestionLog(log_path).close()
    conn = sqlite3.connect(log_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        QuestionLog(log_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file modes")
def test_read_only_file_raises_storage_error(log_path: Path) -> None:
    QuestionLog(log_path).close()
    log_path.chmod(0o444)
    try:
        with pytest.raises(StorageError):
            QuestionLog(log_path)
    finally:
        log_path.chmod(0o644)


def test_record_after_close_warns_instead_of_raising(
    log_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = QuestionLog(log_path)
    log.close()
    log.close()  # idempotent
    with caplog.at_level(logging.WARNING, logger="bot.storage"):
        log.record(question="secret question", status="answer", user_id=123456789)
    assert "Could not record a question" in caplog.text
    assert "secret question" not in caplog.text and "123456789" not in caplog.text
    with pytest.raises(StorageError, match="closed"):
        log.stats()


def test_database_error_at_record_warns(
    log: QuestionLog, log_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    conn = sqlite3.connect(log_path)
    conn.execute("DROP TABLE question_refs")
    conn.commit()
    conn.close()
    with caplog.at_level(logging.WARNING, logger="bot.storage"):
        log.record(question="q", status="answer", user_id=1, people=["p"])
    assert "Could not record a question" in caplog.text
    conn = sqlite3.connect(log_path)
    try:  # the failed insert was rolled back whole
        assert conn.execute("SELECT COUNT(*) FROM questions").fetchone() == (0,)
    finally:
        conn.close()


# --- parse_since -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        (" 2026-11-01 ", datetime(2026, 11, 1, tzinfo=UTC)),
        ("7d", T0 - timedelta(days=7)),
        ("7D", T0 - timedelta(days=7)),
        ("24h", T0 - timedelta(hours=24)),
        ("2w", T0 - timedelta(weeks=2)),
        ("0h", T0),
        ("2026-11-01T14:00", datetime(2026, 11, 1, 14, tzinfo=UTC)),
        ("2026-11-01 14:00:30", datetime(2026, 11, 1, 14, 0, 30, tzinfo=UTC)),
        ("2026-11-01T14:00+02:00", datetime(2026, 11, 1, 12, tzinfo=UTC)),
        ("2026-11-01T14:00Z", datetime(2026, 11, 1, 14, tzinfo=UTC)),
    ],
)
def test_parse_since(text: str, expected: datetime) -> None:
    parsed = parse_since(text, now=T0)
    assert parsed == expected and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text", ["", "yesterday", "7", "-7d", "7y", "7 days", "2026-13-01", "2026-11", "9" * 30 + "d"]
)
def test_parse_since_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"use a date \(2026-11-01\).*\(24h, 7d, 2w\)"):
        parse_since(text, now=T0)


def test_parse_since_defaults_to_now() -> None:
    before = datetime.now(UTC)
    parsed = parse_since("1h")
    assert before - timedelta(hours=1) <= parsed <= datetime.now(UTC) - timedelta(hours=1)
