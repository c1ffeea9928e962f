"""A crash loses no question: the bot's process group is killed (or stopped) mid-burst and
restarted; replies are counted per question at the fake Bot API (see crash_scenario.py).

200 questions from 50 users here, the first three quarters sent before the signal, the rest
while the bot is down; the issue's 400 from 100 users run in benchmarks/bench_crash.py.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest
from crash_scenario import QUESTIONS, BotProcess, Mode, run_scenario, wait_until
from fake_bot_api import FakeBotApi

from bot.dispatcher import MAX_IN_FLIGHT

USERS = 50
STOP_AFTER = 100  # replies before the signal


@pytest.mark.parametrize("mode", ["polling", "webhook"])
@pytest.mark.parametrize("fail_rate", [0.0, 0.1])
def test_sigkill_mid_burst_loses_nothing_and_repeats_at_most_what_was_in_flight(
        tmp_path: Path, mode: Mode, fail_rate: float) -> None:
    outcome = run_scenario(tmp_path, mode=mode, users=USERS, stop_after=STOP_AFTER,
                           stop_signal=signal.SIGKILL, fail_rate=fail_rate, timeout=60)
    log = outcome.log.read_text(encoding="utf-8")
    assert outcome.first_exit_status is None  # it was killed, not stopped
    assert (outcome.failed_sends > 0) == (fail_rate > 0)
    # at most the one request the kill cut off halfway reaches the fake malformed
    assert len(outcome.refused_sends) <= 1, outcome.refused_sends
    assert outcome.lost == 0, log
    assert outcome.duplicated <= MAX_IN_FLIGHT
    assert outcome.out_of_order_chats == 0
    assert outcome.second_exit_status == 0
    assert "from before the restart, processed first" in log


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_sigterm_mid_burst_finishes_what_is_in_flight_and_repeats_nothing(
        tmp_path: Path, mode: Mode) -> None:
    outcome = run_scenario(tmp_path, mode=mode, users=USERS, stop_after=STOP_AFTER,
                           stop_signal=signal.SIGTERM, timeout=60)
    log = outcome.log.read_text(encoding="utf-8")
    assert outcome.first_exit_status == 0, log
    assert outcome.lost == 0 and outcome.duplicated == 0, log
    assert outcome.out_of_order_chats == 0
    assert "SIGTERM received: stopping" in log and "inbox at stop:" in log


def _lock(inbox: Path) -> sqlite3.Connection:
    """Hold the inbox's write lock from another process's point of view."""
    conn = sqlite3.connect(inbox, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_a_locked_inbox_holds_updates_at_telegram_until_it_can_store_them(
        tmp_path: Path, mode: Mode) -> None:
    with FakeBotApi(webhook_attempts=10**6, webhook_retry_delay=0.2) as fake:
        bot = BotProcess(fake, tmp_path, mode, stop_timeout=8.0)
        bot.start()
        lock = _lock(bot.inbox)
        try:
            update_id = fake.push_update(fake.message_update(QUESTIONS[0], user_id=31_001))
            wait_until(lambda: "not confirmed to Telegram" in bot.log.read_text()
                  or "refused with 503" in bot.log.read_text(), 30, "the inbox error")
            if mode == "webhook":  # the bot logs the refusal before the fake records its 503
                wait_until(lambda: any(d.update_id == update_id and d.status == 503
                                       for d in list(fake.webhook_deliveries)),
                           10, "the refused delivery")
            else:  # not confirmed: no poll has asked for anything after it
                time.sleep(0.2)
                assert all(int(c.params.get("offset") or 0) <= update_id
                           for c in fake.calls("getUpdates"))
            assert fake.calls("sendMessage") == []
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        fake.wait_for("sendMessage", lambda c: not c.failed, timeout=30)
        assert bot.signal(signal.SIGTERM) == 0
    assert "database is locked" in bot.log.read_text(encoding="utf-8")


def test_sigterm_gives_replies_in_flight_stop_timeout_then_leaves_them_in_the_inbox(
        tmp_path: Path) -> None:
    with FakeBotApi(response_delay=0.0) as fake:
        bot = BotProcess(fake, tmp_path, "polling", stop_timeout=1.0)
        bot.start()
        fake.response_delay = 30.0  # the Bot API hangs: no reply can finish
        fake.push_update(fake.message_update(QUESTIONS[0], user_id=32_001))
        fake.wait_for("sendMessage", timeout=15)
        started = time.monotonic()
        assert bot.signal(signal.SIGTERM) == 0
        assert time.monotonic() - started < 8  # the 1 s STOP_TIMEOUT, not the 30 s hang
        fake.response_delay = 0.0
        bot.start()
        fake.wait_for("sendMessage", count=2, timeout=15)  # sent again: it was never confirmed
        assert bot.signal(signal.SIGTERM) == 0
    log = bot.log.read_text(encoding="utf-8")
    assert "1 update(s) did not finish in 1 s; they stay in the inbox" in log
    assert "1 update(s) from before the restart, processed first" in log
