"""Sending and editing replies: blocks packed into messages, features dropped for servers that
lack them."""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import (
    Bot,
    Chat,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.markup import BLOCK_SEPARATOR, units

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_R = TypeVar("_R")


# --------------------------------------------------------------------------------------------
# Packing blocks into messages
# --------------------------------------------------------------------------------------------

Reply = str | Sequence[str]  # one block of Telegram HTML, or blocks (bot.render) in order


def pack_blocks(reply: Reply, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """The texts of the messages that carry ``reply``: its blocks in order, as many in one
    message as fit in ``limit`` UTF-16 units, a blank line between two of them.

    A block is self-contained HTML, and never split: :mod:`bot.render` cuts a long text into
    blocks of at most one message while it is still plain. Empty blocks are left out.
    """
    blocks = [reply] if isinstance(reply, str) else list(reply)
    messages: list[str] = []
    size = 0
    for block in filter(None, blocks):
        if messages and size + units(BLOCK_SEPARATOR) + units(block) <= limit:
            messages[-1] += BLOCK_SEPARATOR + block
            size += units(BLOCK_SEPARATOR) + units(block)
        else:
            messages.append(block)
            size = units(block)
    return messages


# --------------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------------

# BadRequests that no optional feature causes: sending again without them would fail again.
_FINAL_BAD_REQUESTS = ("not modified", "message to edit not found", "message can't be edited",
                       "chat not found")


def _reply_parameters(reply_to: int | None) -> ReplyParameters | None:
    if reply_to is None:
        return None
    return ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)


def _send_stages(reply_to: int | None, *, edit: bool = False) -> list[dict[str, Any]]:
    """Optional features of a send (or edit), richest first; each BadRequest drops a stage.

    Bot API 7.0 features first; then the same request as older servers spell it (raw
    ``api_kwargs``, since PTB itself would translate the old names into the new objects); last,
    for a reply, nothing optional at all (for servers that ignore allow_sending_without_reply).
    """
    if edit:
        return [{"link_preview_options": NO_PREVIEW},
                {"api_kwargs": {"disable_web_page_preview": True}}]
    stages: list[dict[str, Any]] = [{"link_preview_options": NO_PREVIEW,
                                     "reply_parameters": _reply_parameters(reply_to)}]
    legacy: dict[str, Any] = {"disable_web_page_preview": True}
    if reply_to is not None:
        legacy.update(reply_to_message_id=reply_to, allow_sending_without_reply=True)
    stages.append({"api_kwargs": legacy})
    if reply_to is not None:
        stages.append({})
    return stages


def plain_text(html_text: str) -> str:
    """Telegram HTML as the plain text it shows: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^<>]*>", "", html_text))


async def _send_degrading(send: Callable[..., Awaitable[_R]], text: str,
                          stages: Sequence[dict[str, Any]], *, what: str) -> _R:
    """Call ``send(text, **stages[0])``, degrading on each ``BadRequest``.

    The text goes as HTML by the application's ``Defaults(parse_mode=HTML)``.

    Emulators and older Bot API servers reject features the reply can do without: on "can't
    parse entities" the text goes again as plain text (once); on any other BadRequest the
    request goes again with the next, poorer stage of optional features. The reply is lost
    only if the poorest form fails too. Each degradation is logged once, without the text.
    """
    plain = False
    stage = 0
    while True:
        try:
            if plain:  # an explicit None overrides the default parse mode
                return await send(plain_text(text), parse_mode=None, **stages[stage])
            return await send(text, **stages[stage])
        except BadRequest as exc:
            reason = exc.message.lower()
            if any(final in reason for final in _FINAL_BAD_REQUESTS):
                raise
            if not plain and "can't parse entities" in reason:
                plain = True
                log.warning("%s: the server cannot parse our HTML (%s); sending plain text",
                            what, exc.message)
            elif stage + 1 < len(stages):
                stage += 1
                log.info("%s failed (%s); sending again with fewer optional features "
                         "(stage %d of %d)", what, exc.message, stage + 1, len(stages))
            else:
                raise


async def send_html(bot: Bot, chat_id: int, text: Reply,
                    markup: InlineKeyboardMarkup | None = None, *,
                    reply_to: int | None = None, thread_id: int | None = None) -> list[Message]:
    """Send ``text`` (blocks packed into messages), buttons on the last; return the messages sent.

    ``thread_id`` keeps the reply in its forum topic even if the reply link has to be dropped.
    """
    chunks = pack_blocks(text)
    sent = []
    for index, chunk in enumerate(chunks):
        send = functools.partial(bot.send_message, chat_id, message_thread_id=thread_id,
                                 reply_markup=markup if index == len(chunks) - 1 else None)
        try:
            sent.append(await _send_degrading(send, chunk, _send_stages(reply_to),
                                              what=f"sendMessage to chat {chat_id}"))
        except UNREADABLE_ANSWER as exc:
            # The server answered ok (a refusal would be a TelegramError), so the part was
            # delivered; only its answer is not a Message python-telegram-bot can read (an
            # emulator's millisecond date, a field echoed back as a string). Raising would
            # apologise for a delivered reply and never send the next parts; the part just has
            # no known message id (the reply is then not edited in place, but answered anew).
            _warn_unreadable_answer(type(exc).__name__)
            log.debug("sendMessage to chat %s: unreadable answer: %s", chat_id, exc)
    return sent


UNREADABLE_ANSWER = (TypeError, ValueError, KeyError, OverflowError)


@functools.cache
def _warn_unreadable_answer(kind: str) -> None:
    """Warn once per kind of unreadable answer; the later ones are logged at debug level."""
    log.warning("sendMessage was accepted, but the server's answer is not a Message (%s); "
                "counted as sent (further ones at debug level)", kind)


async def edit_html(bot: Bot, chat_id: int, message_ids: Sequence[int], text: Reply,
                    markup: InlineKeyboardMarkup | None = None, *,
                    reply_to: int | None = None, thread_id: int | None = None) -> tuple[int, ...]:
    """Replace an earlier reply (one or more messages) with ``text``; return its message ids.

    Raises ``TelegramError`` if an edit fails (the reply was deleted, or the server cannot
    edit): the caller decides whether to answer anew.
    """
    chunks = pack_blocks(text)
    ids: list[int] = []
    for index, chunk in enumerate(chunks):
        buttons = markup if index == len(chunks) - 1 else None
        if index < len(message_ids):
            edit = functools.partial(bot.edit_message_text, chat_id=chat_id,
                                     message_id=message_ids[index], reply_markup=buttons)
            try:
                await _send_degrading(edit, chunk, _send_stages(None, edit=True),
                                      what=f"editMessageText in chat {chat_id}")
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    raise
            ids.append(message_ids[index])
        else:
            more = await send_html(bot, chat_id, chunk, buttons, reply_to=reply_to,
                                   thread_id=thread_id)
            ids += [m.message_id for m in more]
    for extra in message_ids[len(chunks):]:
        try:
            await bot.delete_message(chat_id, extra)
        except TelegramError as exc:  # too old to delete, or already gone: leave it
            log.info("could not delete superseded reply %s in chat %s: %s", extra, chat_id, exc)
    return tuple(ids)


def reply_target(chat: Chat, message: Message | None) -> int | None:
    """In groups a reply quotes the message it answers; in private chats it need not."""
    if message is None or chat.type == ChatType.PRIVATE:
        return None
    return message.message_id


def topic_id(message: Message | None) -> int | None:
    """The forum topic ``message`` was sent in, or None (not a forum, or its General topic).

    Only a topic message's ``message_thread_id`` is a topic: in other supergroups it names a
    reply thread, which sendMessage does not accept.
    """
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


async def reply_html(update: Update, context: ContextTypes.DEFAULT_TYPE, text: Reply,
                     markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Reply to the update's message (in thread in groups)."""
    chat = update.effective_chat
    if chat is None:
        return []
    message = update.effective_message
    return await send_html(context.bot, chat.id, text, markup,
                           reply_to=reply_target(chat, message), thread_id=topic_id(message))
