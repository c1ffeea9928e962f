"""A burst of questions, the bot's process group killed (or stopped) mid-burst, a restart.

Used by tests/test_crash_recovery.py (a smaller burst) and benchmarks/bench_crash.py (the
issue's 400 questions from 100 users). The bot runs as in production (``python -m bot run``, in
a process group of its own) against the fake Bot API; every user asks the same few questions in
order, each with a distinct reply, so the replies the fake recorded can be counted per question:
none is lost, how many came twice, and whether each chat got its answers in order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fake_bot_api import FakeBotApi

from bot.engine import Engine
from bot.knowledge import load_knowledge
from bot.render import HTML, render_result

REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO_ROOT / "knowledge"
LAUNCHER = [sys.executable, "-m", "bot", "run"]
QUESTIONS = (
    "What did Velayati say about BRICS?",
    "What did Sanaei say about banking?",
    "who is Lukyanov?",
    "What is the weather in Paris tomorrow?",
)
FIRST_USER = 30_001
_OUR_VARIABLES = ("TELEGRAM_", "WEBHOOK_", "ADMIN_IDS", "KNOWLEDGE_PATH", "DATA_PATH",
                  "LOG_LEVEL", "INBOX_", "STOP_TIMEOUT")

Mode = Literal["polling", "webhook"]


@dataclass(frozen=True)
class Outcome:
    """What one scenario measured."""

    mode: Mode
    signal: str
    fail_rate: float
    latency: float
    questions: int
    replied_before_signal: int
    lost: int
    duplicated: int
    out_of_order_chats: int
    failed_sends: int  # sendMessage calls the fake failed on purpose (then retried)
    refused_sends: tuple[str, ...]  # any other failed sendMessage: its status and answer
    first_exit_status: int | None  # None: killed
    second_exit_status: int | None
    seconds: float
    log: Path

    def as_row(self) -> dict[str, Any]:
        """The figures, for a table or JSON."""
        return {"mode": self.mode, "signal": self.signal, "fail_rate": self.fail_rate,
                "latency": self.latency,
                "questions": self.questions, "replied_before_signal": self.replied_before_signal,
                "lost": self.lost, "duplicated": self.duplicated,
                "out_of_order_chats": self.out_of_order_chats,
                "failed_sends": self.failed_sends, "refused_sends": len(self.refused_sends),
                "first_exit_status": self.first_exit_status,
                "second_exit_status": self.second_exit_status,
                "seconds": round(self.seconds, 1)}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Return once ``condition()`` holds; raise AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def signal_group(process: subprocess.Popen[bytes], sig: signal.Signals,
                 timeout: float = 30) -> int | None:
    """Send ``sig`` to a process's group and wait; its exit status, or None if it was killed
    (by ``sig`` or, after ``timeout`` seconds, by SIGKILL)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        status = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None
    return None if status == -signal.SIGKILL else status


def listening(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _inbox_depth(path: Path) -> int:
    """Updates waiting in the bot's inbox, read from outside as an admin would."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            (depth,) = conn.execute(
                "SELECT COUNT(*) FROM updates WHERE done_at IS NULL").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return -1
    return int(depth)


class BotProcess:
    """The bot's process, started and restarted with the same settings and data."""

    def __init__(self, fake: FakeBotApi, workdir: Path, mode: Mode, stop_timeout: float) -> None:
        self.fake = fake
        self.workdir = workdir
        self.log = workdir / "bot.log"
        self.mode = mode
        self.port = free_port()
        self.environ = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_VARIABLES)}
        self.environ.update({
            "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
            "KNOWLEDGE_PATH": str(KNOWLEDGE), "DATA_PATH": str(workdir / "questions.sqlite3"),
            "LOG_LEVEL": "INFO", "STOP_TIMEOUT": str(stop_timeout)})
        if mode == "webhook":
            self.environ.update({"WEBHOOK_URL": f"http://127.0.0.1:{self.port}/hook",
                                 "WEBHOOK_PORT": str(self.port), "WEBHOOK_SECRET": "s3cret"})
        self.starts = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def inbox(self) -> Path:
        return self.workdir / "inbox.sqlite3"

    def start(self) -> None:
        """Start the bot in a new process group and wait until it takes updates."""
        self.starts += 1
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(LAUNCHER, env=self.environ, cwd=self.workdir,
                                            stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        ready = "setWebhook" if self.mode == "webhook" else "deleteWebhook"
        try:
            self.fake.wait_for(ready, timeout=30, count=self.starts)
            if self.mode == "webhook":
                wait_until(lambda: listening(self.port), 10, "the webhook server")
        except AssertionError:
            self.signal(signal.SIGKILL)
            raise AssertionError("the bot did not start:\n" + self.log.read_text()) from None

    def signal(self, sig: signal.Signals, timeout: float = 30) -> int | None:
        """Send ``sig`` to the bot's process group; return its exit status (None if killed)."""
        assert self.process is not None
        return signal_group(self.process, sig, timeout)


def run_scenario(workdir: Path, *, mode: Mode, users: int, stop_after: int,
                 stop_signal: signal.Signals = signal.SIGKILL, fail_rate: float = 0.0,
                 late_share: float = 0.25, latency: float = 0.05, stop_timeout: float = 8.0,
                 timeout: float = 120.0) -> Outcome:
    """Every user asks :data:`QUESTIONS` in order; after ``stop_after`` replies the bot gets
    ``stop_signal``; the last ``late_share`` of the questions are sent while it is down; then
    it is restarted and every reply is counted. Each Bot API answer reaches the bot
    ``latency`` seconds after the call was carried out (and counted), as over a network: a
    reply can have left without the bot knowing it yet."""
    workdir.mkdir(parents=True, exist_ok=True)
    kb = load_knowledge(KNOWLEDGE)
    engine = Engine(kb)
    expected = [render_result(engine.answer(q), kb, HTML) for q in QUESTIONS]
    assert len(set(expected)) == len(QUESTIONS), "the questions must have distinct replies"
    asked = [(FIRST_USER + u, i) for i in range(len(QUESTIONS)) for u in range(users)]
    early = asked[: round(len(asked) * (1 - late_share))]
    began = time.monotonic()
    with FakeBotApi(webhook_attempts=10**6, webhook_retry_delay=0.05,
                    response_delay=latency) as fake:
        if fail_rate:
            fake.fail_randomly("sendMessage", fail_rate, status=500, seed=10)
        bot = BotProcess(fake, workdir, mode, stop_timeout)
        bot.start()
        for user, index in early:
            fake.push_update(fake.message_update(QUESTIONS[index], user_id=user))

        def replies() -> list[Any]:
            return [c for c in fake.calls("sendMessage") if not c.failed]

        wait_until(lambda: len(replies()) >= stop_after, timeout, f"{stop_after} replies")
        first_status = bot.signal(stop_signal)
        replied_before = len(replies())
        for user, index in asked[len(early):]:
            fake.push_update(fake.message_update(QUESTIONS[index], user_id=user))
        bot.start()

        wanted = {(user, expected[index]) for user, index in asked}

        def answered() -> bool:
            return wanted <= {(int(c.params["chat_id"]), c.params["text"]) for c in replies()}

        with contextlib.suppress(AssertionError):  # a lost reply is counted, not raised
            wait_until(answered, timeout, "a reply to every question")
            wait_until(lambda: _inbox_depth(bot.inbox) == 0, timeout, "an empty inbox")
        time.sleep(0.5)  # a repeated reply would come right after the first
        second_status = bot.signal(signal.SIGTERM)
        # the sends the fake failed on purpose (status 500); any other refusal is listed: a
        # request SIGKILL cut off halfway reaches the fake malformed
        failed_sends = sum(1 for c in fake.calls("sendMessage") if c.failed and c.status == 500)
        refused = tuple(f"{c.status} {c.params}"[:160] for c in fake.calls("sendMessage")
                        if c.failed and c.status != 500)
        texts: dict[int, list[str]] = {}
        for call in replies():
            texts.setdefault(int(call.params["chat_id"]), []).append(call.params["text"])
    lost = duplicated = out_of_order = 0
    for user in range(FIRST_USER, FIRST_USER + users):
        got = texts.get(user, [])
        counts = [got.count(text) for text in expected]
        lost += sum(1 for n in counts if n == 0)
        duplicated += sum(max(n - 1, 0) for n in counts)
        firsts = [got.index(text) for text in expected if text in got]
        out_of_order += firsts != sorted(firsts)
    return Outcome(mode, stop_signal.name, fail_rate, latency, len(asked), replied_before, lost,
                   duplicated, out_of_order, failed_sends, refused, first_status, second_status,
                   time.monotonic() - began, bot.log)
