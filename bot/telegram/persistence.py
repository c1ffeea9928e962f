"""What survives a restart: python-telegram-bot's own ``PicklePersistence``, two files.

It keeps each chat's ``chat_data`` (the conversation, see :mod:`bot.telegram.questions`) and
the callback data cache (what every button stands for, see :mod:`bot.telegram.keyboards`);
``bot_data`` (the knowledge service, the question log) and ``user_data`` are not stored.

PTB writes them every :data:`PERSIST_EVERY_SECONDS` while the application runs and once more at
shutdown (``Application.stop``/``shutdown``, which :func:`bot.serving.serve` calls). A crash
loses at most the last interval: follow-ups then start over and the newest buttons say they
are out of date; no question is lost (the inbox has them). Two files, not PTB's single one:
PTB rewrites a whole file for every chat that changed, and the callback data (up to
:data:`~bot.telegram.keyboards.CALLBACK_CACHE_SIZE` keyboards, a few MB) need not go with each.
PTB writes in place, so a crash mid-write can leave a file unreadable: :func:`open_persistence`
then moves it aside and starts without it, rather than refusing to start.
"""

from __future__ import annotations

import logging
import pickle
import time
from pathlib import Path
from typing import Any

from telegram.ext import Application, PersistenceInput, PicklePersistence

from bot.telegram.articles import CONVERSATION_KEY, CURRENT_ARTICLE_KEY
from bot.telegram.questions import conversation_expired

log = logging.getLogger(__name__)

PERSIST_EVERY_SECONDS = 15.0  # PTB's update_interval: the most a crash can forget
STORED = PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=True)

BotPersistence = PicklePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]


class _Probe(pickle.Unpickler):
    """Reads a persistence file only to see that it can be read (PTB's own references, to the
    bot, resolve to nothing here)."""

    def persistent_load(self, pid: Any) -> None:
        return None


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            _Probe(stream).load()
    except Exception:  # noqa: BLE001 - truncated, another format, a class that is gone
        return False
    return True


def persistence_files(path: Path) -> tuple[Path, ...]:
    """The files PTB keeps under the prefix ``path`` (``<path>_chat_data``, ...)."""
    return tuple(path.with_name(f"{path.name}_{kind}") for kind in ("chat_data", "callback_data"))


def open_persistence(path: Path) -> BotPersistence | None:
    """PTB's persistence in files named ``path`` and a suffix (its folder created); an
    unreadable file is moved aside (``<name>.unreadable-<unix time>``) with a warning, and the
    bot starts without it. None, with a warning, if the folder cannot be written: the bot then
    forgets at each restart."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for file in persistence_files(path):
            if file.exists() and not _readable(file):
                aside = file.with_name(f"{file.name}.unreadable-{int(time.time())}")
                file.replace(aside)
                log.warning("cannot read the saved conversations or buttons in %s; moved it "
                            "to %s and starting without them", file, aside.name)
    except OSError as exc:
        log.warning("running without saved conversations and buttons: %s", exc)
        return None
    return PicklePersistence(path, store_data=STORED, single_file=False,
                             update_interval=PERSIST_EVERY_SECONDS)


def forget_expired(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Drop the conversations that have expired from ``chat_data``, with the chat's current
    article (it goes with the conversation), and chats left empty, so the file does not keep
    every chat there ever was."""
    for chat_id, data in list(application.chat_data.items()):
        if conversation_expired(data):
            data.pop(CONVERSATION_KEY, None)
            data.pop(CURRENT_ARTICLE_KEY, None)
        if not data:
            application.drop_chat_data(chat_id)
