"""Reload under load: reloads alternating valid and invalid knowledge bases lose no answer.

The knowledge base on disk is a private copy of the project's; the variants written over it
change only Sanaei's aliases (valid) or break the file in one realistic way (invalid), so the
answers to the fixed questions below must never change, whichever knowledge base is live.
Three layers: the service with reader threads, the real application with concurrent updates
against the fake Bot API, and a reload that catches the file half-written.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import TELEGRAM_ADMIN_ID, telegram_environ
from fake_bot_api import FakeBotApi
from telegram import Update

from bot.engine import Engine, Result, Status
from bot.knowledge import load_knowledge
from bot.render import HTML, render_statement
from bot.service import KnowledgeService, ReloadOutcome
from bot.settings import load_settings
from bot.storage import QuestionLog
from bot.telegram.errors import APOLOGY
from bot.telegram_app import BotApplication, build_application

KB_FILE = "russia-iran-partners.yaml"


@dataclass(frozen=True)
class Expected:
    """A question and what it must get from every knowledge base the variants produce."""

    question: str
    status: Status
    first: str | None  # id of the first match, None when there is no answer


# Answerable ones first: the application test asks those that quote a speaker.
SPEAKER_QUESTIONS = (
    Expected("what did sanaei say about the banking sector", Status.ANSWER, "sanaei-banking"),
    Expected("what did velayati say about brics", Status.ANSWER, "velayati-brics-sco"),
    Expected("lukyanov on afghanistan", Status.ANSWER, "lukyanov-syria-afghanistan-sco"),
    Expected("foruzesh visa regime", Status.ANSWER, "foruzesh-visas"),
)
QUESTIONS = (
    *SPEAKER_QUESTIONS,
    Expected("where was the round table held", Status.ANSWER, "event-place"),
    Expected("what is the weather in moscow", Status.NO_ANSWER, None),  # out of scope
    # Only the invalid variants give Sanaei this alias: an answer would mean one was served.
    Expected("what did blorpington say about the banking sector", Status.NO_ANSWER, None),
)

# Each valid reload swaps in the alias the live knowledge base does not have.
VALID_ALIASES = ("Zorblax", "Quuxley")
INVALID_ALIAS = "Blorpington"
ALIAS_ANCHOR = "aliases: [Mehdi Sanaei, "
BANKING_TEXT = "many of the problems in the banking sector were solved in the past year"
BANKING_SPEAKER = "  - id: sanaei-banking\n    speaker: sanaei\n"


def alias_question(alias: str) -> str:
    """A question that only a knowledge base giving Sanaei ``alias`` answers."""
    return f"what did {alias.lower()} say about the banking sector"


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the variant anchor {old!r} must occur exactly once"
    return text.replace(old, new)


def with_alias(original: str, alias: str) -> str:
    """The original YAML with ``alias`` added to Sanaei's aliases (a valid change)."""
    return _replace_once(original, ALIAS_ANCHOR, f"aliases: [{alias}, Mehdi Sanaei, ")


# name -> (how to break the YAML, a word the reload error must contain)
INVALID_VARIANTS: dict[str, tuple[Callable[[str], str], str]] = {
    "broken YAML": (  # the closing bracket of Sanaei's alias list deleted
        lambda text: _replace_once(text, "\u0645\u0647\u062f\u06cc \u0633\u0646\u0627\u06cc\u06cc]",
                                   "\u0645\u0647\u062f\u06cc \u0633\u0646\u0627\u06cc\u06cc"),
        "invalid YAML"),
    "quote not verbatim": (
        lambda text: _replace_once(text, BANKING_TEXT, BANKING_TEXT.replace("many", "all")),
        "not verbatim"),
    "unknown speaker": (
        lambda text: _replace_once(text, BANKING_SPEAKER,
                                   BANKING_SPEAKER.replace("sanaei\n", "sanaie\n")),
        "unknown speaker"),
}


def invalid_variant(original: str, name: str) -> str:
    """The original YAML with the invalid alias added, then broken as ``name`` says."""
    breaker, _ = INVALID_VARIANTS[name]
    return breaker(with_alias(original, INVALID_ALIAS))


def check_answer(result: Any, expected: Expected) -> str | None:
    """What is wrong with ``result`` for ``expected``, or None if it is right."""
    if not isinstance(result, Result):
        return f"{expected.question!r}: not a Result: {result!r}"
    first = result.matches[0].id if result.matches else None
    if result.status is not expected.status or (expected.first and first != expected.first):
        return (f"{expected.question!r}: got {result.status.value} {first!r}, "
                f"expected {expected.status.value} {expected.first!r}")
    return None


def assert_fixed_answers(engine: Engine) -> None:
    """Every fixed question gets its expected answer from ``engine``."""
    problems = [check_answer(engine.answer(e.question), e) for e in QUESTIONS]
    assert [p for p in problems if p] == []


def assert_rejected(outcome: ReloadOutcome, word: str) -> None:
    """A failed reload that names the file, a line and the expected problem."""
    assert not outcome.ok and not outcome.changes
    assert outcome.errors, "a failed reload must say why"
    assert all(e.file == KB_FILE for e in outcome.errors)
    assert any(word in e.message for e in outcome.errors), [str(e) for e in outcome.errors]


def assert_alias_swapped(outcome: ReloadOutcome) -> None:
    """A successful reload whose only change is Sanaei's person entry."""
    assert outcome.ok and not outcome.errors
    changed = [c for c in outcome.changes if not c.is_empty()]
    assert [(c.file, c.changed["people"]) for c in changed] == [(KB_FILE, ("sanaei",))]


# --------------------------------------------------------------------------------------------
# The service: reader threads against a writer thread that reloads
# --------------------------------------------------------------------------------------------

READERS = 4
MIN_QUESTIONS = 300  # per reader; each keeps asking until the writer is done ...
MAX_QUESTIONS = 3_000  # ... but never more than this
READER_PAUSE_SECONDS = 0.002  # lets the writer (and the other readers) take the GIL
RELOAD_CYCLES = 30  # each: an invalid variant, then a valid one
JOIN_TIMEOUT_SECONDS = 30.0


@dataclass
class ReaderLog:
    """What one reader thread asked and got, and which engines answered it."""

    asked: int = 0
    results: int = 0
    wrong: list[str] = field(default_factory=list)
    engines: set[int] = field(default_factory=set)  # id() of each engine that answered


def test_questions_from_threads_survive_alternating_reloads(real_knowledge_copy: Path) -> None:
    yaml_file = real_knowledge_copy / KB_FILE
    original = yaml_file.read_text(encoding="utf-8")
    service = KnowledgeService.load(real_knowledge_copy)
    # Precondition: no variant changes the fixed answers (else a mismatch proves nothing).
    assert_fixed_answers(service.engine)
    for alias in VALID_ALIASES:
        yaml_file.write_text(with_alias(original, alias), encoding="utf-8")
        assert_fixed_answers(Engine(load_knowledge(real_knowledge_copy)))
    yaml_file.write_text(original, encoding="utf-8")

    served = {id(service.engine)}  # every engine a valid reload swapped in
    kept_alive = [service.engine]  # so no id() in `served` is reused by a new object
    writer_done = threading.Event()
    start = threading.Barrier(READERS + 1)
    errors: list[BaseException] = []
    logs = [ReaderLog() for _ in range(READERS)]
    reloads: list[tuple[str, bool]] = []

    def reader(log: ReaderLog, offset: int) -> None:
        start.wait()
        while log.asked < MIN_QUESTIONS or (not writer_done.is_set()
                                            and log.asked < MAX_QUESTIONS):
            expected = QUESTIONS[(log.asked + offset) % len(QUESTIONS)]
            log.asked += 1
            engine = service.engine
            log.engines.add(id(engine))
            result = engine.answer(expected.question)
            log.results += 1
            if (problem := check_answer(result, expected)) is not None:
                log.wrong.append(problem)
            time.sleep(READER_PAUSE_SECONDS)

    def writer() -> None:
        start.wait()
        try:
            names = list(INVALID_VARIANTS)
            for cycle in range(RELOAD_CYCLES):
                name = names[cycle % len(names)]
                yaml_file.write_text(invalid_variant(original, name), encoding="utf-8")
                before = service.engine
                outcome = service.reload()
                reloads.append((name, outcome.ok))
                assert_rejected(outcome, INVALID_VARIANTS[name][1])
                assert service.engine is before, f"cycle {cycle}: {name} was swapped in"

                alias = VALID_ALIASES[cycle % len(VALID_ALIASES)]
                yaml_file.write_text(with_alias(original, alias), encoding="utf-8")
                outcome = service.reload()
                reloads.append((alias, outcome.ok))
                assert_alias_swapped(outcome)
                assert service.engine is not before, f"cycle {cycle}: valid reload kept old"
                served.add(id(service.engine))
                kept_alive.append(service.engine)
        finally:
            writer_done.set()

    def guarded(target: Callable[..., None], *args: Any) -> Callable[[], None]:
        def run() -> None:
            try:
                target(*args)
            except Exception as exc:  # noqa: BLE001 - re-raised by the test thread below
                errors.append(exc)
                start.abort()  # never leave the others waiting at the barrier
        return run

    threads = [threading.Thread(target=guarded(reader, log, n), name=f"reader-{n}")
               for n, log in enumerate(logs)]
    threads.append(threading.Thread(target=guarded(writer), name="writer"))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT_SECONDS)
    assert not any(t.is_alive() for t in threads), "a thread did not finish in time"
    if errors:
        raise errors[0]

    assert len(reloads) == 2 * RELOAD_CYCLES
    assert [ok for _, ok in reloads] == [False, True] * RELOAD_CYCLES
    for n, log in enumerate(logs):
        assert log.wrong == [], f"reader {n}: {log.wrong[:5]}"
        assert log.results == log.asked >= MIN_QUESTIONS, f"reader {n} lost answers"
        assert log.engines <= served, f"reader {n} was answered by an unvalidated KB"
    # The readers really ran across the reloads, not before or after them.
    seen = set().union(*(log.engines for log in logs))
    assert len(seen) >= 5, f"readers saw only {len(seen)} knowledge bases"

    last_alias = VALID_ALIASES[(RELOAD_CYCLES - 1) % len(VALID_ALIASES)]
    other_alias = next(a for a in VALID_ALIASES if a != last_alias)
    assert_fixed_answers(service.engine)
    result = service.engine.answer(alias_question(last_alias))
    assert check_answer(result, Expected("", Status.ANSWER, "sanaei-banking")) is None
    assert service.engine.answer(alias_question(other_alias)).status is Status.NO_ANSWER
    assert last_alias in service.engine.kb.person("sanaei").aliases


# --------------------------------------------------------------------------------------------
# The application: concurrent question updates and admin /reload updates
# --------------------------------------------------------------------------------------------

USERS = tuple(range(5101, 5111))
QUESTIONS_PER_USER = 10
ADMIN_RELOADS = 10  # even: invalid, odd: valid; the last one is valid
TEST_TIMEOUT_SECONDS = 30.0
FAILED = "Reload failed; still serving the previous knowledge base."
RELOADED = "Knowledge base reloaded."
_ERROR_LINE = re.compile(rf"^{re.escape(KB_FILE)}:\d+: ", re.MULTILINE)


async def dispatch(app: BotApplication, fake: FakeBotApi, text: str, user_id: int) -> None:
    """A private-chat text message from ``user_id``, known to the fake, processed by ``app``."""
    data = fake.message_update(text, user_id=user_id)
    update_id = fake.push_update(data)
    await app.process_update(Update.de_json({"update_id": update_id, **data}, app.bot))


async def test_application_answers_every_question_while_admins_reload(
        fake_api: FakeBotApi, real_knowledge_copy: Path, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    yaml_file = real_knowledge_copy / KB_FILE
    original = yaml_file.read_text(encoding="utf-8")
    settings = load_settings(environ=telegram_environ(
        fake_api, real_knowledge_copy, tmp_path / "questions.sqlite3"), env_file=None)
    service = KnowledgeService.load(real_knowledge_copy)
    kb = service.engine.kb
    question_log = QuestionLog(settings.data_path)
    app = build_application(settings, service, question_log)
    asked: dict[int, list[Expected]] = {user: [] for user in USERS}

    async def user(user_id: int) -> None:
        for n in range(QUESTIONS_PER_USER):
            expected = SPEAKER_QUESTIONS[(n + user_id) % len(SPEAKER_QUESTIONS)]
            asked[user_id].append(expected)
            await dispatch(app, fake_api, expected.question, user_id)

    async def admin() -> None:
        names = list(INVALID_VARIANTS)
        for n in range(ADMIN_RELOADS):
            if n % 2 == 0:
                text = invalid_variant(original, names[n // 2 % len(names)])
            else:
                text = with_alias(original, VALID_ALIASES[n // 2 % len(VALID_ALIASES)])
            yaml_file.write_text(text, encoding="utf-8")
            await dispatch(app, fake_api, "/reload", TELEGRAM_ADMIN_ID)
            await asyncio.sleep(0.01)  # let questions in between reloads

    try:
        async with app:
            await asyncio.wait_for(
                asyncio.gather(admin(), *(user(u) for u in USERS)), TEST_TIMEOUT_SECONDS)
            last_alias = VALID_ALIASES[(ADMIN_RELOADS - 1) // 2 % len(VALID_ALIASES)]
            await dispatch(app, fake_api, alias_question(last_alias), USERS[0])
        stats = question_log.stats()
    finally:
        question_log.close()

    sent = fake_api.calls("sendMessage")
    assert [c for c in fake_api.calls() if c.failed] == []
    texts = [str(c.params["text"]) for c in sent]
    assert not any(APOLOGY in t for t in texts), "the error handler apologised"
    assert len(sent) == len(USERS) * QUESTIONS_PER_USER + ADMIN_RELOADS + 1
    chats = [int(c.params["chat_id"]) for c in sent]

    for user_id in USERS:
        replies = [t for chat, t in zip(chats, texts) if chat == user_id]
        if user_id == USERS[0]:
            alias_reply = replies.pop()
            assert render_statement(kb.statement("sanaei-banking"), kb, HTML) in alias_reply
        assert len(replies) == len(asked[user_id]) == QUESTIONS_PER_USER
        for expected, text in zip(asked[user_id], replies):
            statement = kb.statement(expected.first or "")
            assert "<blockquote>" in text and kb.person(statement.speaker).name in text
            assert render_statement(statement, kb, HTML) in text, (expected.question, text)

    reload_replies = [t for chat, t in zip(chats, texts) if chat == TELEGRAM_ADMIN_ID]
    assert len(reload_replies) == ADMIN_RELOADS
    for n, text in enumerate(reload_replies):
        if n % 2 == 0:
            assert FAILED in text and _ERROR_LINE.search(text), text
        else:
            assert RELOADED in text and f"{KB_FILE}: changed 1 people" in text, text
    # The reloads were interleaved with the questions, not all before or after them.
    admin_at = [i for i, chat in enumerate(chats) if chat == TELEGRAM_ADMIN_ID]
    assert any(admin_at[0] < i < admin_at[-1] for i, chat in enumerate(chats) if chat in asked)

    assert stats.total == len(sent) - ADMIN_RELOADS
    assert stats.by_status["answer"] == stats.total
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


# --------------------------------------------------------------------------------------------
# A reload that catches the file half-written
# --------------------------------------------------------------------------------------------

# Where a writer may be cut off, and the problem the truncated file must be rejected for.
TRUNCATIONS = {
    "inside a flow list": ("Ali Akbar Velayati, Velayati, Akbar", "Ali Akbar Velayati, Vel",
                           "invalid YAML"),
    "inside a speaker id": (BANKING_SPEAKER, "  - id: sanaei-banking\n    speaker: sana",
                            "unknown speaker"),
}


@pytest.mark.parametrize("where", list(TRUNCATIONS))
def test_reload_of_a_half_written_file_keeps_the_old_knowledge(real_knowledge_copy: Path,
                                                               where: str) -> None:
    yaml_file = real_knowledge_copy / KB_FILE
    complete = with_alias(yaml_file.read_text(encoding="utf-8"), VALID_ALIASES[0])
    anchor, prefix, problem = TRUNCATIONS[where]
    cut = complete.index(anchor) + len(prefix)
    service = KnowledgeService.load(real_knowledge_copy)
    before = service.engine

    yaml_file.write_text(complete[:cut], encoding="utf-8")  # the writer is still going
    assert_rejected(service.reload(), problem)
    assert service.engine is before
    assert_fixed_answers(service.engine)
    assert service.engine.answer(alias_question(VALID_ALIASES[0])).status is Status.NO_ANSWER

    yaml_file.write_text(complete, encoding="utf-8")  # ... and now it has finished
    assert_alias_swapped(service.reload())
    assert service.engine is not before
    assert_fixed_answers(service.engine)
    result = service.engine.answer(alias_question(VALID_ALIASES[0]))
    assert check_answer(result, Expected("", Status.ANSWER, "sanaei-banking")) is None


def test_cutting_every_line_of_the_file_never_loses_answers(real_knowledge_copy: Path) -> None:
    """Wherever a half-written file stops (every 7th line here), the answers survive."""
    yaml_file = real_knowledge_copy / KB_FILE
    complete = yaml_file.read_text(encoding="utf-8")
    service = KnowledgeService.load(real_knowledge_copy)
    cuts = [i + 1 for i, ch in enumerate(complete) if ch == "\n"][::7]  # every 7th line: fast
    for cut in cuts:
        yaml_file.write_text(complete[:cut], encoding="utf-8")
        service.reload()
        assert_fixed_answers(service.engine)
    yaml_file.write_text(complete, encoding="utf-8")
    assert service.reload().ok


def test_a_deliberate_large_removal_needs_force(real_knowledge_copy: Path) -> None:
    yaml_file = real_knowledge_copy / KB_FILE
    complete = yaml_file.read_text(encoding="utf-8")
    service = KnowledgeService.load(real_knowledge_copy)
    before = service.engine
    yaml_file.write_text(complete[:complete.index("\nstatements:\n") + 1], encoding="utf-8")

    refused = service.reload()  # a file cut just before its statements: valid YAML, no quotes
    assert not refused.ok and service.engine is before
    assert "force" in refused.errors[0].message
    assert_fixed_answers(service.engine)

    forced = service.reload(force=True)
    assert forced.ok and service.engine is not before
    assert service.engine.kb.statements == ()
