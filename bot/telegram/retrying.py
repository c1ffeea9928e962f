"""Retries for the calls that deliver something to a user, on top of PTB's AIORateLimiter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3  # 429s: AIORateLimiter waits retry_after, then tries again
NETWORK_RETRIES = 3  # network errors and 5xx: retried with backoff
NETWORK_BACKOFF_SECONDS = 0.5  # doubles on each retry: 0.5, 1, 2
_RETRIED_PREFIXES = ("send", "edit", "answer", "delete")  # replies, not set-up calls
# A late response does not mean the call failed: repeating these could deliver twice.
_DELIVERING_PREFIXES = ("send", "answer")


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` (429 + retry_after) that also retries network errors and 5xx.

    Only for calls that deliver something to a user (send/edit/answer/delete), so no reply is
    lost to a transient failure. A ``BadRequest`` (4xx) is never retried: it would fail again.
    Nor is a send or answer that timed out after it left: see :func:`safe_to_repeat`.
    """

    __slots__ = ("_backoff", "_network_retries")

    def __init__(self, *, max_retries: int = RATE_LIMIT_RETRIES,
                 network_retries: int = NETWORK_RETRIES,
                 backoff: float = NETWORK_BACKOFF_SECONDS) -> None:
        """Retry 429s ``max_retries`` times and network errors ``network_retries`` times."""
        super().__init__(max_retries=max_retries)
        self._network_retries = network_retries
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Rate-limit the call as AIORateLimiter does, retrying transient network failures."""
        retried = endpoint.startswith(_RETRIED_PREFIXES)
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                      rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as exc:  # includes TimedOut and every 5xx
                if (not retried or attempt >= self._network_retries
                        or not safe_to_repeat(endpoint, exc)):
                    raise
                delay = self._backoff * 2 ** attempt
                attempt += 1
                log.warning("%s failed (%s); retry %d of %d in %.1f s", endpoint, exc, attempt,
                            self._network_retries, delay)
                await asyncio.sleep(delay)


def safe_to_repeat(endpoint: str, exc: NetworkError) -> bool:
    """Whether calling ``endpoint`` again after ``exc`` cannot deliver its message twice.

    A send or answer that timed out may have been carried out, its response merely late: it is
    repeated only if the request never left (timed out connecting, or waiting for a pooled
    connection). Other calls, other network errors and 5xx responses are safe to repeat.
    """
    if not isinstance(exc, TimedOut) or not endpoint.startswith(_DELIVERING_PREFIXES):
        return True
    return isinstance(exc.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout))
