"""Runtime settings: one frozen object, read once from the environment and ``.env``, validated.

Nothing here runs at import time. The CLI calls :func:`load_settings` once and passes the result
down; a bad value raises :class:`SettingsError` naming the variable, never echoing a secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, urlsplit

from dotenv import dotenv_values

__all__ = ["LOG_LEVELS", "Settings", "SettingsError", "load_settings"]

LOG_LEVELS: frozenset[str] = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})

# Tokens issued by @BotFather look like "123456789:AAH...": a numeric bot id, a colon, and
# (today) 35 URL-safe characters. Accept 30+ so a future length change does not lock us out.
_TOKEN_RE = re.compile(r"[0-9]{5,}:[A-Za-z0-9_-]{30,}")  # BotFather's shape: warn if not
TELEGRAM_WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})  # the ports setWebhook accepts
_TOKEN_CHARS = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")  # a token with other characters cannot work
# Telegram's rule for setWebhook's secret_token.
_WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# A duration: a number of seconds, or a number with a unit ("90s", "30m", "24h", "2d").
_DURATION_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)")
_DURATION_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
# int() would also accept "+1", "1_000" and non-ASCII digits; ids and ports are ASCII digits.
_DIGITS_RE = re.compile(r"[0-9]+")

# Fields whose values must never appear in a repr, a log line or an error message.
_SECRET_FIELDS = frozenset({"token", "webhook_secret"})


class SettingsError(Exception):
    """A setting is missing or invalid; ``str()`` is ``"<VARIABLE>: <reason>"`` on one line."""

    def __init__(self, name: str, message: str) -> None:
        """Record the offending variable ``name`` and a one-line ``message`` (no secret values)."""
        self.name = name
        self.message = " ".join(message.split())
        super().__init__(f"{name}: {self.message}")


@dataclass(frozen=True, repr=False)
class Settings:
    """Validated runtime settings; build with :func:`load_settings`."""

    token: str | None
    """``TELEGRAM_BOT_TOKEN``; may be missing (offline commands), see :meth:`require_token`."""
    api_base_url: str = "https://api.telegram.org/bot"
    """``TELEGRAM_API_BASE_URL``, normalised to end in ``/bot``; PTB's ``base_url``."""
    admin_ids: frozenset[int] = frozenset()
    """``ADMIN_IDS``: Telegram user ids allowed to run admin commands."""
    knowledge_path: Path = Path("knowledge")
    """``KNOWLEDGE_PATH``: folder of knowledge-base YAML files."""
    data_path: Path = Path("data/questions.sqlite3")
    """``DATA_PATH``: SQLite file for the question log."""
    webhook_url: str | None = None
    """``WEBHOOK_URL``: public URL Telegram posts updates to; set means webhook mode."""
    webhook_listen: str = "127.0.0.1"
    """``WEBHOOK_LISTEN``: address the local webhook server binds to."""
    webhook_port: int = 8443
    """``WEBHOOK_PORT``: port the local webhook server binds to."""
    webhook_secret: str | None = None
    """``WEBHOOK_SECRET``: sent by Telegram in ``X-Telegram-Bot-Api-Secret-Token``."""
    log_level: str = "INFO"
    """``LOG_LEVEL``: one of :data:`LOG_LEVELS`, upper-case."""
    inbox_path: Path = Path("data/inbox.sqlite3")
    """``INBOX_PATH``: SQLite file of the update inbox; default: beside the question log."""
    index_cache_path: Path = Path("data/index-cache")
    """``INDEX_CACHE_PATH``: folder of built article indexes kept across starts; default:
    beside the question log."""
    inbox_max_age: float = 86400.0
    """``INBOX_MAX_AGE`` in seconds: older updates are dropped, not answered."""
    stop_timeout: float = 8.0
    """``STOP_TIMEOUT`` in seconds: how long a stop waits for the replies in flight."""
    inbox_max_depth: int = 10_000
    """``INBOX_MAX_DEPTH``: while this many updates wait, new ones are refused (not
    acknowledged: Telegram keeps them and delivers them again later)."""
    inbox_sync: Literal["NORMAL", "FULL"] = "NORMAL"
    drafts_path: Path = Path("data/drafts")
    """``DRAFTS_PATH``: folder of drafted knowledge bases awaiting review (never served);
    default: beside the question log."""
    upload_max_bytes: int = 1 << 20
    """``UPLOAD_MAX_BYTES``: the largest article or draft file an admin may send (checked on
    the file size Telegram reports, before downloading)."""
    warnings: tuple[str, ...] = ()
    """Doubts about values that only the server can settle (a token of an unusual shape)."""
    """``INBOX_SYNC``: ``NORMAL`` (an update survives a crash of the process) or ``FULL`` (it
    is fsynced before it is acknowledged: it survives a power cut too)."""

    def __repr__(self) -> str:
        """Show every field, but only whether a secret is set, never its value."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _SECRET_FIELDS and value is not None:
                parts.append(f"{f.name}='<hidden>'")
            else:
                parts.append(f"{f.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    @property
    def mode(self) -> Literal["webhook", "polling"]:
        """``"webhook"`` when ``WEBHOOK_URL`` is set, else ``"polling"``."""
        return "webhook" if self.webhook_url else "polling"

    @property
    def state_path(self) -> Path:
        """Where python-telegram-bot's persistence files (conversations, buttons) go, beside
        ``DATA_PATH``: ``bot-state_chat_data`` and ``bot-state_callback_data``."""
        return self.data_path.parent / "bot-state"

    @property
    def webhook_path(self) -> str:
        """The path of ``WEBHOOK_URL`` without surrounding slashes (PTB's ``url_path``).

        ``""`` when there is no webhook URL or its path is ``/``.
        """
        if not self.webhook_url:
            return ""
        return urlsplit(self.webhook_url).path.strip("/")

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret values that are set, for :func:`bot.logging_setup.configure_logging`."""
        return tuple(s for s in (self.token, self.webhook_secret) if s)

    def require_token(self) -> str:
        """Return the bot token, or raise :class:`SettingsError` if it is not set."""
        if not self.token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN", "not set (put it in the environment or .env)"
            )
        return self.token


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: str | os.PathLike[str] | None = ".env",
) -> Settings:
    """Read and validate settings from ``environ`` (default ``os.environ``) and ``env_file``.

    Variables in ``environ`` win over ``env_file``; empty or blank values count as unset and
    every value is trimmed. ``env_file`` is read without touching ``os.environ`` and without
    ``${VAR}`` expansion; a missing file is fine and ``None`` skips it. Raises
    :class:`SettingsError` naming the first invalid variable.
    """
    env = os.environ if environ is None else environ
    file_values = _read_env_file(env_file) if env_file is not None else {}

    def get(name: str) -> str | None:
        for source in (env, file_values):
            value = source.get(name)
            if value is not None and value.strip():
                return value.strip()
        return None

    token = get("TELEGRAM_BOT_TOKEN")
    warnings: list[str] = []
    if token is not None and not _TOKEN_CHARS.fullmatch(token):
        raise SettingsError("TELEGRAM_BOT_TOKEN", "is not a bot token (expected <digits>:<letters, "
                            "digits, _ or ->)")
    if token is not None and not _TOKEN_RE.fullmatch(token):
        # local Bot API servers and emulators use short tokens ("123:ABC"): only the server can
        # tell whether one is right, so this warns instead of refusing
        warnings.append("TELEGRAM_BOT_TOKEN: shorter than a token from @BotFather "
                        "(<digits>:<35 characters>); the Bot API will say whether it is valid")

    api_base_url = get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org/bot"
    _parse_http_url("TELEGRAM_API_BASE_URL", api_base_url)
    api_base_url = _normalise_api_base_url(api_base_url)

    webhook_url = get("WEBHOOK_URL")
    if webhook_url is not None:
        parsed_url = _parse_http_url("WEBHOOK_URL", webhook_url)
        port = parsed_url.port or (443 if parsed_url.scheme == "https" else 80)
        if parsed_url.scheme != "https" or port not in TELEGRAM_WEBHOOK_PORTS:
            warnings.append("WEBHOOK_URL: Telegram only posts to https:// on ports 443, 80, 88 "
                            "or 8443; this one is for local tests only")
        if get("WEBHOOK_SECRET") is None:
            warnings.append("WEBHOOK_SECRET: not set, so anyone who learns the webhook URL can "
                            "send the bot forged updates; set a long random secret")

    webhook_secret = get("WEBHOOK_SECRET")
    if webhook_secret is not None and not _WEBHOOK_SECRET_RE.fullmatch(webhook_secret):
        raise SettingsError(
            "WEBHOOK_SECRET", "must be 1-256 characters from A-Z, a-z, 0-9, _ and -"
        )

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(
            "LOG_LEVEL", f"must be one of {', '.join(sorted(LOG_LEVELS))} (case-insensitive)"
        )

    inbox_sync = (get("INBOX_SYNC") or "normal").upper()
    if inbox_sync not in ("NORMAL", "FULL"):
        raise SettingsError("INBOX_SYNC", "must be normal or full (case-insensitive)")

    data_path = Path(get("DATA_PATH") or "data/questions.sqlite3")
    inbox_path = get("INBOX_PATH")
    return Settings(
        token=token,
        api_base_url=api_base_url,
        admin_ids=_parse_admin_ids(get("ADMIN_IDS")),
        knowledge_path=Path(get("KNOWLEDGE_PATH") or "knowledge"),
        data_path=data_path,
        webhook_url=webhook_url,
        webhook_listen=get("WEBHOOK_LISTEN") or "127.0.0.1",
        webhook_port=_parse_port("WEBHOOK_PORT", get("WEBHOOK_PORT"), default=8443),
        webhook_secret=webhook_secret,
        log_level=log_level,
        inbox_path=Path(inbox_path) if inbox_path else data_path.parent / "inbox.sqlite3",
        index_cache_path=Path(get("INDEX_CACHE_PATH") or data_path.parent / "index-cache"),
        inbox_max_age=_parse_duration("INBOX_MAX_AGE", get("INBOX_MAX_AGE"), default=86400.0,
                                      minimum=60.0),
        stop_timeout=_parse_duration("STOP_TIMEOUT", get("STOP_TIMEOUT"), default=8.0,
                                     minimum=0.0),
        inbox_max_depth=_parse_count("INBOX_MAX_DEPTH", get("INBOX_MAX_DEPTH"), default=10_000),
        inbox_sync="FULL" if inbox_sync == "FULL" else "NORMAL",
        drafts_path=Path(get("DRAFTS_PATH") or data_path.parent / "drafts"),
        upload_max_bytes=_parse_count("UPLOAD_MAX_BYTES", get("UPLOAD_MAX_BYTES"),
                                      default=1 << 20),
        warnings=tuple(warnings),
    )


def _read_env_file(path: str | os.PathLike[str]) -> dict[str, str | None]:
    """Parse a dotenv file into a dict; ``{}`` if it does not exist."""
    try:
        with open(path, encoding="utf-8") as stream:
            # interpolate=False: "${VAR}" expansion would read os.environ behind our back.
            return dict(dotenv_values(stream=stream, interpolate=False))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(os.fspath(path), f"cannot read ({type(exc).__name__})") from None


def _parse_http_url(name: str, value: str) -> SplitResult:
    """Check that ``value`` is an ``http://`` or ``https://`` URL with a host (and valid port)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        raise SettingsError(name, "is not a valid URL") from None
    # The value itself is not echoed: a pasted URL may carry the token ("/bot<token>").
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(name, "must be an http:// or https:// URL with a host")
    return parts


def _normalise_api_base_url(value: str) -> str:
    """``value`` as PTB's ``base_url``: no trailing ``/``, and ending in ``/bot``.

    PTB appends ``<token>/<method>`` to the string as it is, so ``http://host:8081/`` or
    ``http://host:8081`` (how local Bot API servers are usually written) would yield wrong
    method URLs. A value with PTB's ``{token}`` placeholder is taken as written.
    """
    if "{token}" in value:
        return value
    value = value.rstrip("/")
    return value if urlsplit(value).path.endswith("/bot") else value + "/bot"


def _parse_admin_ids(value: str | None) -> frozenset[int]:
    """Parse ``"1, 2,3"`` into user ids; empty items (a trailing comma) are ignored."""
    if value is None:
        return frozenset()
    ids: set[int] = set()
    for position, item in enumerate((part.strip() for part in value.split(",")), start=1):
        if not item:
            continue
        if not _DIGITS_RE.fullmatch(item) or int(item) == 0:
            # Name the position, not the value: a misplaced secret must not reach the logs.
            raise SettingsError(
                "ADMIN_IDS",
                f"item {position} is not a user id (expected comma-separated positive integers)",
            )
        ids.add(int(item))
    return frozenset(ids)


def _parse_port(name: str, value: str | None, *, default: int) -> int:
    """Parse a TCP port number in 1..65535."""
    if value is None:
        return default
    if not _DIGITS_RE.fullmatch(value) or not 1 <= int(value) <= 65535:
        raise SettingsError(name, "must be an integer port between 1 and 65535")
    return int(value)


def _parse_count(name: str, value: str | None, *, default: int) -> int:
    """Parse a positive whole number."""
    if value is None:
        return default
    if not _DIGITS_RE.fullmatch(value) or int(value) < 1:
        raise SettingsError(name, "must be a whole number of at least 1")
    return int(value)


def _parse_duration(name: str, value: str | None, *, default: float, minimum: float) -> float:
    """Parse ``90``, ``90s``, ``30m``, ``24h`` or ``2d`` into seconds, at least ``minimum``."""
    if value is None:
        return default
    match = _DURATION_RE.fullmatch(value.lower())
    if match is None:
        raise SettingsError(name, "must be a duration: seconds, or a number with s, m, h or d "
                                  "(e.g. 90s, 30m, 24h, 2d)")
    seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    if seconds < minimum:
        raise SettingsError(name, f"must be at least {minimum:g} seconds")
    return seconds
