"""Logging, configured once from ``main()``: one stderr handler whose output never holds a secret.

The bot token travels in every Bot API URL (``https://api.telegram.org/bot<token>/getMe``), and
``httpx`` logs each request URL at INFO. So the root handler's formatter redacts the final
formatted text (message, arguments, tracebacks and stack traces alike): every configured secret,
and anything shaped like a Telegram bot token even if nobody passed it in.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

__all__ = ["LOG_FORMAT", "REDACTED", "RedactingFormatter", "configure_logging"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[REDACTED]"

# "<bot id>:<secret>"; no leading \b so "/bot123456:AAH.../" is caught too, and "%3A" in case a
# URL was percent-encoded on the way into a log line.
_TOKEN_SHAPE_RE = re.compile(r"\d{5,}(?::|%3[Aa])[A-Za-z0-9_-]{30,}")

# Libraries that log every request URL (which carries the token) or are chatty at INFO.
_REQUEST_LOGGERS = ("httpx", "httpcore")
_QUIET_LOGGERS = ("apscheduler",)

_LEVELS = {
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARNING": logging.WARNING,
    "ERROR": logging.ERROR,
    "CRITICAL": logging.CRITICAL,
}


class RedactingFormatter(logging.Formatter):
    """A formatter that replaces secrets and token-shaped strings in its output with a marker."""

    def __init__(
        self,
        fmt: str | None = LOG_FORMAT,
        datefmt: str | None = None,
        *,
        secrets: Iterable[str] = (),
    ) -> None:
        """Build the formatter; empty ``secrets`` are ignored."""
        super().__init__(fmt, datefmt)
        variants = {v for s in secrets if s for v in (s, quote(s, safe=""))}
        # One alternation, one pass: a replacement is never rescanned (a secret like "RED" must
        # not eat into "[REDACTED]"); longest first, so a secret containing another goes whole.
        alternatives = [re.escape(v) for v in sorted(variants, key=len, reverse=True)]
        self._pattern = re.compile("|".join([*alternatives, _TOKEN_SHAPE_RE.pattern]))

    def redact(self, text: str) -> str:
        """Return ``text`` with every secret and token-shaped string replaced by ``[REDACTED]``."""
        return self._pattern.sub(REDACTED, text)

    def format(self, record: logging.LogRecord) -> str:
        """Format ``record`` as usual, then redact the complete text."""
        # Redacting the final string, not record.msg/args, also covers exc_info, stack_info and
        # objects whose str() only renders the secret at format time.
        return self.redact(super().format(record))


class _RedactingStreamHandler(logging.StreamHandler[TextIO]):
    """The root handler :func:`configure_logging` installs; its type marks it for replacement."""


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Send all logging to stderr at ``level``, redacting ``secrets`` and token-shaped strings.

    Call once from ``main()`` with ``settings.log_level`` and ``settings.secrets``. A second call
    replaces the handler installed by the first; handlers added by others (e.g. pytest's) stay.
    ``httpx``/``httpcore`` are held at WARNING unless ``level`` is DEBUG, ``apscheduler`` always.
    """
    numeric_level = _LEVELS.get(level.strip().upper())
    if numeric_level is None:
        raise ValueError(f"unknown log level {level!r}; expected one of {', '.join(_LEVELS)}")

    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _RedactingStreamHandler)]:
        root.removeHandler(handler)
        handler.close()
    handler = _RedactingStreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets=tuple(secrets)))
    root.addHandler(handler)
    root.setLevel(numeric_level)

    # NOTSET at DEBUG (rather than leaving them alone) so a second call can lift the WARNING.
    request_level = logging.NOTSET if numeric_level == logging.DEBUG else logging.WARNING
    for name in _REQUEST_LOGGERS:
        logging.getLogger(name).setLevel(request_level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
