"""Logging: one redacting root handler; no token or webhook secret ever reaches the output."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from telegram import Bot

from bot.logging_setup import REDACTED, RedactingFormatter, configure_logging

TOKEN = "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
OTHER_TOKEN = "987654321:zyxWVUtsrQPONmlkJIHgfeDCBA_-9876543"
SECRET = "wh-secret_0123456789abcdef"
GET_ME = {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "T", "username": "t_bot"}}

_TOUCHED_LOGGERS = ("", "httpx", "httpcore", "apscheduler", "telegram")


def _our_handlers() -> list[logging.StreamHandler[io.StringIO]]:
    """The root handlers whose formatter is ours."""
    return [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and isinstance(h.formatter, RedactingFormatter)
    ]


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Undo configure_logging: restore root handlers and the levels it changes."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in _TOUCHED_LOGGERS}
    yield
    for handler in _our_handlers():
        root.removeHandler(handler)
    root.handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def configure_into_buffer(level: str, secrets: tuple[str, ...] = ()) -> io.StringIO:
    """Run configure_logging, then point its handler at a fresh buffer and return the buffer."""
    configure_logging(level, secrets)
    (handler,) = _our_handlers()
    buffer = io.StringIO()
    handler.setStream(buffer)
    return buffer


def assert_clean(output: str) -> None:
    """No form of either test token or the webhook secret appears in ``output``."""
    for secret in (TOKEN, OTHER_TOKEN, SECRET):
        assert secret not in output
        assert secret.split(":")[-1] not in output
    assert "%3A" + TOKEN.split(":")[1] not in output


def test_configure_logging_installs_one_stderr_handler_and_is_idempotent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("info")
    configure_logging("WARNING", [TOKEN])
    handlers = _our_handlers()
    assert len(handlers) == 1
    assert logging.getLogger().level == logging.WARNING

    logging.getLogger("bot.test").warning("hello %s", TOKEN)
    err = capsys.readouterr().err
    assert f"WARNING bot.test: hello {REDACTED}" in err
    assert TOKEN not in err


def test_format_has_time_level_and_name() -> None:
    buffer = configure_into_buffer("INFO")
    logging.getLogger("bot.engine").info("answered %d questions", 3)
    line = buffer.getvalue().strip()
    assert line.endswith(" INFO bot.engine: answered 3 questions")
    assert line[:4].isdigit()  # asctime leads


def test_unknown_level_is_rejected() -> None:
    with pytest.raises(ValueError, match="verbose"):
        configure_logging("verbose")


def test_token_in_text_args_and_traceback_is_redacted_at_debug() -> None:
    buffer = configure_into_buffer("DEBUG", (TOKEN, SECRET))
    log = logging.getLogger("bot.test")

    log.debug(f"token in the text: {TOKEN}")
    log.info("token in the args: %s and %r", TOKEN, {"token": TOKEN})
    log.info("webhook secret: %s", SECRET)
    try:
        raise RuntimeError(f"request failed: https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        log.exception("call failed")
    log.warning("with stack", stack_info=True, extra={"unused": TOKEN})
    logging.getLogger("httpx").info(
        'HTTP Request: POST https://api.telegram.org/bot%s/getUpdates "HTTP/1.1 200 OK"', TOKEN
    )

    output = buffer.getvalue()
    assert_clean(output)
    assert f"token in the text: {REDACTED}" in output
    assert f"token in the args: {REDACTED} and {{'token': '{REDACTED}'}}" in output
    assert f"webhook secret: {REDACTED}" in output
    assert "Traceback (most recent call last)" in output
    assert f"RuntimeError: request failed: https://api.telegram.org/bot{REDACTED}/getMe" in output
    assert "Stack (most recent call last)" in output
    assert f"httpx: HTTP Request: POST https://api.telegram.org/bot{REDACTED}/getUpdates" in output


def test_token_shaped_strings_are_redacted_even_when_not_given() -> None:
    buffer = configure_into_buffer("DEBUG")
    log = logging.getLogger("bot.test")
    log.info("url https://api.telegram.org/bot%s/getMe", OTHER_TOKEN)
    log.info("bare %s.", OTHER_TOKEN)
    log.info("quoted bot%s/x", OTHER_TOKEN.replace(":", "%3A"))
    output = buffer.getvalue()
    assert_clean(output)
    assert f"https://api.telegram.org/bot{REDACTED}/getMe" in output
    assert f"bare {REDACTED}." in output
    assert f"quoted bot{REDACTED}/x" in output


def test_ordinary_text_is_left_alone() -> None:
    formatter = RedactingFormatter(secrets=["", SECRET])
    text = "user 12345 asked at 12:30:00; ratio 0.98; id 1234567:short"
    assert formatter.redact(text) == text


def test_short_secret_does_not_eat_the_marker() -> None:
    formatter = RedactingFormatter(secrets=["E", "ED"])
    assert formatter.redact("EDGE") == f"{REDACTED}G{REDACTED}"


def test_http_client_loggers_quiet_unless_debug() -> None:
    buffer = configure_into_buffer("INFO")
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.WARNING
    logging.getLogger("httpx").info("HTTP Request: POST https://example.org/x")
    assert buffer.getvalue() == ""

    configure_logging("DEBUG")
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.WARNING


class _BotApiHandler(BaseHTTPRequestHandler):
    """Answers getMe like the Bot API; records request paths on the server."""

    server: _BotApiServer

    def do_POST(self) -> None:
        """Reply to ``/bot<token>/getMe`` with a valid user, anything else with 404."""
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.paths.append(self.path)
        if self.path.endswith("/getMe"):
            status, body = 200, GET_ME
        else:
            status, body = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Stay silent: the default writes request lines (with the token) to stderr."""


class _BotApiServer(ThreadingHTTPServer):
    """A tiny local Bot API stand-in."""

    daemon_threads = True

    def __init__(self) -> None:
        """Bind to a free port on 127.0.0.1."""
        super().__init__(("127.0.0.1", 0), _BotApiHandler)
        self.paths: list[str] = []


@pytest.fixture
def bot_api() -> Iterator[_BotApiServer]:
    """Serve the stand-in Bot API on a background thread."""
    server = _BotApiServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_real_bot_call_at_debug_leaks_no_token(
    bot_api: _BotApiServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    configure_logging("DEBUG", [TOKEN])
    host, port = bot_api.server_address[:2]
    base_url = f"http://{host!s}:{port}/bot"

    async with Bot(TOKEN, base_url=base_url) as bot:
        me = await bot.get_me()

    assert me.username == "t_bot"
    assert f"/bot{TOKEN}/getMe" in bot_api.paths  # the token really was on the wire
    err = capsys.readouterr().err
    assert_clean(err)
    assert REDACTED in err
    lines = err.splitlines()
    assert any(" httpx: HTTP Request: POST " in line for line in lines)
    assert any(f"{base_url}{REDACTED}/getMe" in line for line in lines)
    assert any(" telegram." in line for line in lines)
