"""The one error handler: log first, then apologise if a chat is waiting for a reply."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.sending import topic_id

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong while answering. Please try again."


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error first; then, if a chat is waiting for a reply, apologise briefly."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):  # it may have been answered already
            await update.callback_query.answer()
    try:
        await context.bot.send_message(update.effective_chat.id, APOLOGY,
                                       message_thread_id=topic_id(update.effective_message))
    except TelegramError as exc:
        log.warning("could not send the apology to chat %s: %s", update.effective_chat.id, exc)
