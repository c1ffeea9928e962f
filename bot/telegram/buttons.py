"""Button handlers, one per kind of callback data (routed by pattern in telegram_app).

Every callback query is answered; a button whose statement, person, topic or question is no
longer known (a reload removed it, a restart forgot a long question) gets a notice instead.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from telegram import CallbackQuery, Chat, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.knowledge import KnowledgeBase
from bot.render import HTML, render_person
from bot.telegram.articles import current_engine
from bot.telegram.keyboards import hashed_question, knows, topic_question
from bot.telegram.questions import ask_and_reply
from bot.telegram.replies import compose_answer, statement_result
from bot.telegram.sending import send_html, topic_id
from bot.telegram.state import bot_state

log = logging.getLogger(__name__)

STALE_BUTTON_NOTICE = "This button is out of date \u2014 please ask again."


class Pressed(NamedTuple):
    """Where a pressed button's reply goes, and what its callback data carried."""

    query: CallbackQuery
    chat: Chat
    reply_to: int | None
    thread_id: int | None
    value: str  # the pattern's group: a statement, person or topic id, a question, a hash


def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Pressed | None:
    """The pressed button, or None if its message is gone (the caller answers with a notice)."""
    query = update.callback_query
    if query is None or query.message is None:
        return None
    message = query.message
    chat = message.chat
    reply_to = None if chat.type == ChatType.PRIVATE else message.message_id
    thread_id = topic_id(message) if isinstance(message, Message) else None
    value = context.matches[0].group(1) if context.matches else ""
    return Pressed(query, chat, reply_to, thread_id, value)


async def _ask(context: ContextTypes.DEFAULT_TYPE, pressed: Pressed, question: str) -> None:
    await answer_query(pressed.query)
    await ask_and_reply(context, pressed.chat, question, pressed.query.from_user.id,
                        pressed.reply_to, thread_id=pressed.thread_id)


async def show_statement(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``q:<statement-id>``: show that statement, as an answer."""
    state = bot_state(context)
    kb: KnowledgeBase = current_engine(context).kb
    pressed = _pressed(update, context)
    if pressed is None or not knows(kb.statement, pressed.value):
        await stale_button(update, context)
        return
    await answer_query(pressed.query)
    text, markup = compose_answer(statement_result(kb.statement(pressed.value)), kb, state)
    await send_html(context.bot, pressed.chat.id, text, markup, reply_to=pressed.reply_to,
                    thread_id=pressed.thread_id)


async def show_person(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``p:<person-id>``: that speaker's card."""
    kb = current_engine(context).kb
    pressed = _pressed(update, context)
    person = kb.find_person(pressed.value) if pressed is not None else None
    if pressed is None or person is None:
        await stale_button(update, context)
        return
    await answer_query(pressed.query)
    await send_html(context.bot, pressed.chat.id, render_person(person, kb, HTML),
                    reply_to=pressed.reply_to, thread_id=pressed.thread_id)


async def ask_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``t:<topic-id>``: ask who talked about the topic."""
    kb = current_engine(context).kb
    pressed = _pressed(update, context)
    if pressed is None or not knows(kb.topic, pressed.value):
        await stale_button(update, context)
        return
    await _ask(context, pressed, topic_question(kb.topic(pressed.value)))


async def ask_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``a:<question>``: ask the question the button carries."""
    pressed = _pressed(update, context)
    if pressed is None:
        await stale_button(update, context)
        return
    await _ask(context, pressed, pressed.value)


async def ask_hashed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``h:<hash>``: ask the long question the hash stands for, if it is still known."""
    state = bot_state(context)
    pressed = _pressed(update, context)
    question = (hashed_question(pressed.value, current_engine(context).kb, state)
                if pressed is not None else None)
    if pressed is None or question is None:
        await stale_button(update, context)
        return
    await _ask(context, pressed, question)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other button (or one whose target is gone): say it is out of date."""
    if update.callback_query is not None:
        await answer_query(update.callback_query, STALE_BUTTON_NOTICE)


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a callback query; whatever stops that (too old, a server without the method,
    a persistent 5xx) must not stop the reply."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.info("could not answer a callback query: %s", exc)
