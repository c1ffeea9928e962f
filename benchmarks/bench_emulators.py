"""The issue's crash scenarios against two Bot API emulators written by others.

* telemelya (PyPI, "Mock Telegram Bot API for BDD testing"), webhook mode: questions go in
  through its control API (``POST /api/v1/test/send_update``, which posts the update to the
  bot's webhook and waits for the answer), replies are read back from
  ``GET /api/v1/test/responses`` (every ``sendMessage`` the bot made). telemelya keeps its state
  in Redis and media in MinIO; neither is needed here: unless ``--redis-url`` is given, the
  server runs with ``fakeredis`` in place of Redis, and its MinIO connection is skipped (the bot
  sends no media). The emulator's own code is otherwise unchanged.
* telegram-test-api (npm), long polling: questions go in through its client API
  (``POST /sendMessage`` with a message made as ``TelegramClient.makeMessage`` makes it), replies
  are read back from ``POST /getUpdatesHistory`` (every message, the bot's carry ``chat_id``).

400 questions from 100 users (4 each, in order); after the 100th reply the bot's process group
gets SIGKILL (or SIGTERM), the last quarter of the questions is sent while it is down, the bot is
restarted with the same command, and the replies are counted per question: lost, duplicated,
chats answered out of order; and the bot log's ERROR / Traceback lines. Neither emulator can
make sends fail, so the "10 % failing" scenario is not run here (benchmarks/bench_crash.py runs
it against the project's fake Bot API).

Installs nothing; see benchmarks/README.md for the two install commands.

    .venv/bin/python benchmarks/bench_emulators.py [--only telemelya|telegram-test-api]
        [--node-modules benchmarks/.emulators/node_modules] [--users 100] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests"))

from crash_scenario import free_port, listening, signal_group, wait_until

from bot.dispatcher import MAX_IN_FLIGHT
from bot.engine import Engine
from bot.knowledge import load_knowledge
from bot.render import HTML, render_result

KNOWLEDGE = REPO_ROOT / "knowledge"
TOKEN = "123456789:AAEmulatorBenchToken0123456789abcde"  # token-shaped: no warning
QUESTIONS = (
    "What did Velayati say about BRICS?",
    "What did Sanaei say about banking?",
    "who is Lukyanov?",
    "What is the weather in Paris tomorrow?",
)
FIRST_USER = 30_001
AUTH_KEY = "bench-emulators"  # telemelya's control API wants a bearer key (AUTH_KEYS)
AUTH = {"Authorization": f"Bearer {AUTH_KEY}"}
_OUR_VARIABLES = ("TELEGRAM_", "WEBHOOK_", "ADMIN_IDS", "KNOWLEDGE_PATH", "DATA_PATH",
                  "LOG_LEVEL", "INBOX_", "STOP_TIMEOUT")

# telemelya's server, run with fakeredis in place of Redis and without MinIO (see above).
TELEMELYA_LAUNCHER = """
import os, sys, uvicorn
from telemelya.server import app as app_module
from telemelya.server.media import media_manager
from telemelya.server.state import state_manager
if not os.environ.get("REDIS_URL"):
    import fakeredis
    async def connect():
        state_manager._redis = fakeredis.FakeAsyncRedis(decode_responses=True)
    state_manager.connect = connect
async def nothing():
    return None
media_manager.connect = nothing
media_manager.close = nothing
uvicorn.run(app_module.app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""

# telegram-test-api's server, as its README starts it; messages kept an hour, not 60 s.
TTA_LAUNCHER = """
// The Bot API's User has a required is_bot; telegram-test-api 4.2.1's getMe omits it, and
// python-telegram-bot v22 refuses such an answer, so its getMe route alone is replaced
// (before the server module builds its route table) by the same answer plus is_bot: true.
const getMeRoute = require('telegram-test-api/lib/routes/bot/getMe');
const {handle} = require('telegram-test-api/lib/routes/bot/utils');
getMeRoute.getMe = (app) => handle(app, '/bot:token/getMe', (_req, res) => res.sendResult(
  {ok: true, result: {id: 666, is_bot: true, first_name: 'Test First name',
                      username: 'TestNameBot'}}));
const TelegramServer = require('telegram-test-api');
const server = new TelegramServer({port: Number(process.argv[1]), host: '127.0.0.1',
                                   storeTimeout: 3600});
server.start().then(() => console.log('listening'));
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
"""


def http_json(url: str, body: dict[str, Any] | None = None, timeout: float = 30,
              headers: dict[str, str] | None = None) -> Any:
    """POST ``body`` as JSON (GET without one); the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"} | (headers or {}))
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


@dataclass(frozen=True)
class Sent:
    """A message the bot sent, as an emulator keeps it."""

    chat: int
    text: str
    message_id: int
    markup: dict[str, Any] | None

    def first_button(self) -> str | None:
        """The callback data of the first inline button, if any."""
        rows = (self.markup or {}).get("inline_keyboard") or []
        return rows[0][0].get("callback_data") if rows and rows[0] else None


def _markup(value: Any) -> dict[str, Any] | None:
    """A reply_markup as an emulator stored it: an object, a JSON string, or nothing."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    return value if isinstance(value, dict) else None


class Emulator:
    """One emulator process: start, send a user's message, read the bot's replies, stop."""

    name = ""
    mode = ""
    unreadable_presses = ""  # why the bot cannot read this emulator's button presses, if so

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{self.name}.log"
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def environ(self) -> dict[str, str]:
        return dict(os.environ)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            env=self.environ(), cwd=self.workdir,
                                            start_new_session=True)
        try:
            wait_until(lambda: listening(self.port), 30, f"{self.name} to listen")
        except AssertionError:
            self.stop()
            raise AssertionError(f"{self.name} did not start:\n{self.log.read_text()}") from None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def send(self, user: int, text: str) -> bool:
        """Send ``text`` from ``user``; False if the emulator could not deliver it."""
        raise NotImplementedError

    def replies(self) -> list[tuple[int, str]]:
        """Every (chat_id, text) the bot sent, in order."""
        return [(m.chat, m.text) for m in self.bot_messages()]

    def bot_messages(self) -> list[Sent]:
        """Every message the bot sent, in order."""
        raise NotImplementedError

    def press(self, user: int, message: Sent, data: str) -> bool:
        """Press the button with callback ``data`` on ``message``, as ``user``; False if the
        emulator could not deliver the press."""
        raise NotImplementedError

    def bot_environ(self) -> dict[str, str]:
        return {"TELEGRAM_API_BASE_URL": f"{self.base}/bot"}


class Telemelya(Emulator):
    name = "telemelya"
    mode = "webhook"

    def __init__(self, workdir: Path, redis_url: str | None) -> None:
        super().__init__(workdir)
        self.redis_url = redis_url
        self.update_ids: list[int] = []

    def command(self) -> list[str]:
        return [sys.executable, "-c", TELEMELYA_LAUNCHER, str(self.port)]

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "AUTH_KEYS")}
        env["AUTH_KEYS"] = AUTH_KEY
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env

    def send(self, user: int, text: str) -> bool:
        body = {"chat_id": user, "text": text, "from_user": {"id": user, "first_name": "Reader"}}
        try:
            answer = http_json(f"{self.base}/api/v1/test/send_update?bot_token={TOKEN}", body,
                               headers=AUTH)
        except urllib.error.HTTPError as exc:
            if exc.code == 424:  # the webhook did not answer: the bot is down
                return False
            raise
        if answer["delivery"].get("status_code") != 200:
            return False
        self.update_ids.append(int(answer["update"]["update_id"]))
        return True

    def bot_messages(self) -> list[Sent]:
        answer = http_json(f"{self.base}/api/v1/test/responses", headers=AUTH)
        return [Sent(int(r["chat_id"]), r["text"], int(r["message_id"]),
                     _markup(r.get("reply_markup")))
                for r in answer["responses"] if r.get("method") == "sendMessage"]

    def press(self, user: int, message: Sent, data: str) -> bool:
        body = {"chat_id": user, "callback_data": data, "callback_message_id": message.message_id,
                "from_user": {"id": user, "first_name": "Reader"}}
        try:
            http_json(f"{self.base}/api/v1/test/send_update?bot_token={TOKEN}", body,
                      headers=AUTH)
        except urllib.error.HTTPError:
            return False
        return True


class TelegramTestApi(Emulator):
    name = "telegram-test-api"
    mode = "polling"
    # Its callback queries lack chat_instance, which the Bot API's CallbackQuery requires:
    # python-telegram-bot cannot read them, and the bot skips each with a warning.
    unreadable_presses = "callback_query has no chat_instance"

    def __init__(self, workdir: Path, node_modules: Path) -> None:
        super().__init__(workdir)
        self.node_modules = node_modules

    def command(self) -> list[str]:
        return ["node", "-e", TTA_LAUNCHER, str(self.port)]

    def environ(self) -> dict[str, str]:
        return dict(os.environ, NODE_PATH=str(self.node_modules))

    def send(self, user: int, text: str) -> bool:
        # TelegramClient.makeMessage(text) for a client with userId = chatId = user.
        message = {"from": {"id": user, "first_name": "Reader", "username": f"reader{user}",
                            "is_bot": False},
                   "chat": {"id": user, "title": "Reader", "first_name": "Reader",
                            "username": f"reader{user}", "type": "private"},
                   "botToken": TOKEN, "date": int(time.time()), "text": text}
        return bool(http_json(f"{self.base}/sendMessage", message)["ok"])

    def bot_messages(self) -> list[Sent]:
        history = http_json(f"{self.base}/getUpdatesHistory", {"token": TOKEN})["result"]
        return [Sent(int(item["message"]["chat_id"]), item["message"]["text"],
                     int(item["messageId"]), _markup(item["message"].get("reply_markup")))
                for item in history if "chat_id" in item.get("message", {})]

    def press(self, user: int, message: Sent, data: str) -> bool:
        # TelegramClient.makeCallbackQuery(data) with the pressed message (its id and date,
        # which makeCallbackQuery leaves out and the Bot API's Message requires).
        reader = {"id": user, "first_name": "Reader", "username": f"reader{user}",
                  "is_bot": False}
        query = {"botToken": TOKEN, "from": reader, "data": data,
                 "message": {"message_id": message.message_id, "date": int(time.time()),
                             "chat": {"id": user, "first_name": "Reader", "type": "private"},
                             "text": message.text, "reply_markup": message.markup}}
        return bool(http_json(f"{self.base}/sendCallback", query)["ok"])


class Bot:
    """``python -m bot run`` in a process group of its own, restarted with the same settings."""

    def __init__(self, emulator: Emulator, workdir: Path, stop_timeout: float) -> None:
        self.log = workdir / "bot.log"
        self.environ = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_VARIABLES)}
        self.environ.update(emulator.bot_environ())
        self.environ.update({
            "TELEGRAM_BOT_TOKEN": TOKEN, "KNOWLEDGE_PATH": str(KNOWLEDGE),
            "DATA_PATH": str(workdir / "questions.sqlite3"),
            "INBOX_PATH": str(workdir / "inbox.sqlite3"),
            "LOG_LEVEL": "INFO", "STOP_TIMEOUT": str(stop_timeout)})
        if emulator.mode == "webhook":
            port = free_port()
            # telemelya sends no X-Telegram-Bot-Api-Secret-Token, so no WEBHOOK_SECRET.
            self.environ.update({"WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
                                 "WEBHOOK_PORT": str(port)})
        self.workdir = workdir
        self.starts = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"],
                                            env=self.environ, cwd=REPO_ROOT, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError("the bot exited:\n" + self.log.read_text())
            return self.log.read_text(errors="replace").count("taking updates (") >= self.starts

        wait_until(ready, 60, "the bot to take updates")

    def signal(self, sig: signal.Signals, timeout: float = 30) -> int | None:
        assert self.process is not None
        return signal_group(self.process, sig, timeout)

    def error_lines(self) -> list[str]:
        return [line for line in self.log.read_text(errors="replace").splitlines()
                if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")]


PRESSING_USERS = 20  # users who press a button once all questions are answered


def press_buttons(emulator: Emulator, text: str, *, users: int, timeout: float,
                  ) -> dict[str, int]:
    """The first ``users`` users press the first button under their reply ``text`` (sent
    after the restart: an example question, whose button stands for an object in the new
    process's callback data cache); each press must bring exactly one new message."""
    before = emulator.bot_messages()
    chats = range(FIRST_USER, FIRST_USER + users)
    counts = {chat: sum(1 for m in before if m.chat == chat) for chat in chats}
    presses = 0
    for chat in chats:
        message = next((m for m in reversed(before) if m.chat == chat and m.text == text), None)
        data = message.first_button() if message is not None else None
        if message is not None and data is not None and emulator.press(chat, message, data):
            presses += 1

    def new_messages() -> dict[int, int]:
        now = emulator.bot_messages()
        return {chat: sum(1 for m in now if m.chat == chat) - counts[chat] for chat in chats}

    with contextlib.suppress(AssertionError):  # a press left unanswered is counted
        wait_until(lambda: all(n >= 1 for n in new_messages().values()),
                   5 if emulator.unreadable_presses else timeout / 4, "a reply to every press")
    time.sleep(1.0)
    got = new_messages()
    return {"presses": presses, "press_lost": sum(1 for n in got.values() if n == 0),
            "press_duplicated": sum(max(n - 1, 0) for n in got.values())}


def run_scenario(emulator: Emulator, workdir: Path, *, users: int, stop_after: int,
                 stop_signal: signal.Signals, late_share: float = 0.25,
                 stop_timeout: float = 8.0, timeout: float = 120.0) -> dict[str, Any]:
    kb = load_knowledge(KNOWLEDGE)
    engine = Engine(kb)
    expected = [render_result(engine.answer(q), kb, HTML) for q in QUESTIONS]
    assert len(set(expected)) == len(QUESTIONS), "the questions must have distinct replies"
    asked = [(FIRST_USER + u, i) for i in range(len(QUESTIONS)) for u in range(users)]
    early = asked[: round(len(asked) * (1 - late_share))]
    began = time.monotonic()
    undelivered_tries = 0
    emulator.start()
    bot = Bot(emulator, workdir, stop_timeout)
    try:
        bot.start()

        def send(questions: list[tuple[int, int]]) -> None:
            # In webhook mode the emulator cannot deliver a question while the bot is down;
            # it does not retry, so the sender does (as Telegram itself would), every 0.2 s.
            nonlocal undelivered_tries
            for user, index in questions:
                while not emulator.send(user, QUESTIONS[index]):
                    undelivered_tries += 1
                    time.sleep(0.2)

        # The first three quarters go in while the bot runs (from a thread: the signal comes at
        # the stop_after-th reply, however many are still being sent, as in production); the
        # last quarter after the signal (while the bot is down, or restarting).
        early_sender = threading.Thread(target=send, args=(early,), daemon=True)
        early_sender.start()
        wait_until(lambda: len(emulator.replies()) >= stop_after, timeout,
                   f"{stop_after} replies")
        first_status = bot.signal(stop_signal)
        replied_before = len(emulator.replies())

        def send_late() -> None:
            early_sender.join()
            send(asked[len(early):])

        sender = threading.Thread(target=send_late, daemon=True)
        sender.start()
        bot.start()
        sender.join(timeout)
        wanted = {(user, expected[index]) for user, index in asked}
        with contextlib.suppress(AssertionError):  # a lost reply is counted, not raised
            wait_until(lambda: wanted <= set(emulator.replies()), timeout,
                       "a reply to every question")
        time.sleep(1.0)  # a repeated reply would come right after the first
        got_replies = emulator.replies()
        pressed = press_buttons(emulator, expected[-1], users=min(users, PRESSING_USERS),
                                timeout=timeout)
        second_status = bot.signal(signal.SIGTERM)
    finally:
        if bot.process and bot.process.poll() is None:
            bot.signal(signal.SIGKILL)
        emulator.stop()
    texts: dict[int, list[str]] = {}
    for chat, text in got_replies:
        texts.setdefault(chat, []).append(text)
    lost = duplicated = out_of_order = 0
    for user in range(FIRST_USER, FIRST_USER + users):
        got = texts.get(user, [])
        counts = [got.count(text) for text in expected]
        lost += sum(1 for n in counts if n == 0)
        duplicated += sum(max(n - 1, 0) for n in counts)
        firsts = [got.index(text) for text in expected if text in got]
        out_of_order += firsts != sorted(firsts)
    unexpected = sum(1 for chat, text in got_replies if text not in expected)
    errors = bot.error_lines()
    update_ids = getattr(emulator, "update_ids", [])
    allowed = MAX_IN_FLIGHT if stop_signal == signal.SIGKILL else 0
    row = {"emulator": emulator.name, "mode": emulator.mode, "signal": stop_signal.name,
           "questions": len(asked), "replied_before_signal": replied_before, "lost": lost,
           "duplicated": duplicated, "out_of_order_chats": out_of_order, **pressed,
           "unreadable_presses": emulator.unreadable_presses, "other_replies": unexpected, "error_lines": len(errors),
           "update_id_clashes": len(update_ids) - len(set(update_ids)),
           "late_send_retries": undelivered_tries,
           "first_exit_status": first_status, "second_exit_status": second_status,
           "seconds": round(time.monotonic() - began, 1), "log": str(bot.log)}
    row["pass"] = (lost == 0 and duplicated <= allowed and out_of_order == 0 and not errors
                   and (emulator.unreadable_presses or pressed["press_lost"] == 0)
                   and pressed["press_duplicated"] == 0
                   and second_status == 0
                   and (stop_signal == signal.SIGKILL or first_status == 0))
    row["first_errors"] = errors[:5]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["telemelya", "telegram-test-api"], default=None)
    parser.add_argument("--node-modules", type=Path,
                        default=REPO_ROOT / "benchmarks" / ".emulators" / "node_modules",
                        help="where `npm install telegram-test-api` put it")
    parser.add_argument("--redis-url", default=None,
                        help="a real Redis for telemelya (default: fakeredis in its process)")
    parser.add_argument("--users", type=int, default=100, help="users, 4 questions each (100)")
    parser.add_argument("--stop-after", type=int, default=100, help="replies before the signal")
    parser.add_argument("--keep", action="store_true", help="keep the work folders (logs)")
    parser.add_argument("--json", action="store_true", help="one JSON object per scenario")
    args = parser.parse_args(argv)
    names = [args.only] if args.only else ["telemelya", "telegram-test-api"]
    if not args.json:
        print(f"{'emulator':<18} {'mode':<8} {'signal':<8} {'questions':>9} {'before':>6} "
              f"{'lost':>4} {'dup':>4} {'order':>5} {'errors':>6} {'exit':>9} {'s':>5}")
    for name in names:
        if name == "telegram-test-api" and not (args.node_modules / "telegram-test-api").is_dir():
            print(f"telegram-test-api: not found under {args.node_modules} "
                  "(see benchmarks/README.md)", file=sys.stderr)
            continue
        if name == "telegram-test-api" and not shutil.which("node"):
            print("telegram-test-api: node is not on PATH", file=sys.stderr)
            continue
        for stop_signal in (signal.SIGKILL, signal.SIGTERM):
            folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
            emulator: Emulator = (Telemelya(folder, args.redis_url) if name == "telemelya"
                                  else TelegramTestApi(folder, args.node_modules.resolve()))
            row = run_scenario(emulator, folder, users=args.users, stop_after=args.stop_after,
                               stop_signal=stop_signal)
            if not args.keep and row["pass"]:
                shutil.rmtree(folder, ignore_errors=True)
            if args.json:
                print(json.dumps(row), flush=True)
                continue
            exits = f"{row['first_exit_status']}/{row['second_exit_status']}"
            print(f"{name:<18} {row['mode']:<8} {row['signal']:<8} {row['questions']:>9} "
                  f"{row['replied_before_signal']:>6} {row['lost']:>4} {row['duplicated']:>4} "
                  f"{row['out_of_order_chats']:>5} {row['error_lines']:>6} {exits:>9} "
                  f"{row['seconds']:>5.1f}  {'PASS' if row['pass'] else 'FAIL'}", flush=True)
            for line in row["first_errors"]:
                print(f"    {line}")
            print(f"    button presses {row['presses']}: unanswered {row['press_lost']}, "
                  f"answered twice {row['press_duplicated']}"
                  + (f" (not counted: {row['unreadable_presses']})"
                     if row["unreadable_presses"] else ""))
            if row["other_replies"] or row["update_id_clashes"]:
                print(f"    other replies {row['other_replies']}, "
                      f"update_id clashes {row['update_id_clashes']}")
            if not row["pass"]:
                print(f"    log: {row['log']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
