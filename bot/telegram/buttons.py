"""The button handler: every callback query is answered, stale ones with a notice."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.render import HTML, render_person
from bot.telegram.keyboards import decode_callback
from bot.telegram.questions import ask_and_reply
from bot.telegram.replies import compose_answer, statement_result
from bot.telegram.sending import send_html, topic_id
from bot.telegram.state import bot_state

log = logging.getLogger(__name__)

STALE_BUTTON_NOTICE = "This button is out of date \u2014 please ask again."


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Act on a pressed button; every callback query is answered, stale ones with a notice."""
    query = update.callback_query
    if query is None:
        return
    state = bot_state(context)
    engine = state.service.engine
    action = decode_callback(query.data or "", engine.kb, state)
    message = query.message
    if action is None or message is None:
        await _answer_query(query, STALE_BUTTON_NOTICE)
        return
    await _answer_query(query)
    chat = message.chat
    reply_to = None if chat.type == ChatType.PRIVATE else message.message_id
    thread_id = topic_id(message) if isinstance(message, Message) else None
    kb = engine.kb
    if action.kind == "ask":
        await ask_and_reply(context, chat, action.value, query.from_user.id, reply_to,
                            thread_id=thread_id)
    elif action.kind == "person":
        await send_html(context.bot, chat.id, render_person(kb.person(action.value), kb, HTML),
                        reply_to=reply_to, thread_id=thread_id)
    else:
        result = statement_result(kb.statement(action.value))
        text, markup = compose_answer(result, kb, state)
        await send_html(context.bot, chat.id, text, markup, reply_to=reply_to,
                        thread_id=thread_id)


async def _answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a callback query; whatever stops that (too old, a server without the method,
    a persistent 5xx) must not stop the reply."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.info("could not answer a callback query: %s", exc)

