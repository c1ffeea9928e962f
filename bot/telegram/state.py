"""What the Telegram handlers share: one :class:`BotState` per application, in ``bot_data``."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from telegram.ext import ContextTypes

from bot.inbox import Inbox
from bot.service import KnowledgeService
from bot.storage import QuestionLog

STATE_KEY = "article_bot"
"""The ``bot_data`` key holding the :class:`BotState`."""

REPLY_MEMORY = 1000  # (chat, question message) -> bot reply ids kept for edits

_K = TypeVar("_K")
_V = TypeVar("_V")


class BoundedMap(Generic[_K, _V]):
    """A least-recently-used mapping that forgets its oldest entry beyond ``max_size``."""

    def __init__(self, max_size: int) -> None:
        """Create an empty map holding at most ``max_size`` entries."""
        self.max_size = max_size
        self._items: OrderedDict[_K, _V] = OrderedDict()

    def get(self, key: _K) -> _V | None:
        """The value for ``key`` (marking it recently used), or None."""
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: _K, value: _V) -> None:
        """Store ``value``; drop the least recently used entry if over the bound."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class BotState:
    """What the handlers share: one per application, kept in ``bot_data[STATE_KEY]``.

    Updates are handled concurrently, but all on the event loop: each get or put on the maps
    is one step with no ``await`` inside, so they need no lock. The updates of one chat are
    handled in order (:class:`bot.dispatcher.Dispatcher`), so an edit finds the reply it edits.
    """

    service: KnowledgeService
    question_log: QuestionLog | None
    admin_ids: frozenset[int]
    inbox: Inbox | None = None
    replies: BoundedMap[tuple[int, int], tuple[int, ...]] = field(
        default_factory=lambda: BoundedMap(REPLY_MEMORY))


def bot_state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """The :class:`BotState` of the application handling this update."""
    return cast(BotState, context.bot_data[STATE_KEY])

