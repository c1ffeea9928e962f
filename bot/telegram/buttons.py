"""Button handlers, one per kind of callback data object (routed by class in telegram_app).

Every callback query is answered; a button whose statement, person or topic is no longer known
(a reload removed it), or that the callback data cache no longer knows, gets a notice instead.
"""

from __future__ import annotations

import asyncio
import logging
from typing import NamedTuple, TypeVar

from telegram import CallbackQuery, Chat, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.render import HTML, person_blocks
from bot.telegram.articles import current_engine
from bot.telegram.keyboards import (
    AskQuestion,
    AskTopic,
    Feedback,
    ShowPerson,
    ShowStatement,
    knows,
    topic_question,
    without_feedback,
)
from bot.telegram.questions import ask_and_reply
from bot.telegram.replies import FEEDBACK_THANKS, compose_answer, statement_result
from bot.telegram.sending import send_html, topic_id
from bot.telegram.state import bot_state

log = logging.getLogger(__name__)

STALE_BUTTON_NOTICE = "This button is out of date \u2014 please ask again."

_Data = TypeVar("_Data")


class Pressed(NamedTuple):
    """Where a pressed button's reply goes."""

    query: CallbackQuery
    chat: Chat
    reply_to: int | None
    thread_id: int | None


def _pressed(update: Update, kind: type[_Data]) -> tuple[Pressed, _Data] | None:
    """The pressed button and what it stands for, or None if its message is gone or its data
    is not a ``kind`` (the caller answers with a notice)."""
    query = update.callback_query
    if query is None or query.message is None or not isinstance(query.data, kind):
        return None
    message = query.message
    chat = message.chat
    reply_to = None if chat.type == ChatType.PRIVATE else message.message_id
    thread_id = topic_id(message) if isinstance(message, Message) else None
    return Pressed(query, chat, reply_to, thread_id), query.data


async def _ask(context: ContextTypes.DEFAULT_TYPE, pressed: Pressed, question: str) -> None:
    await answer_query(pressed.query)
    await ask_and_reply(context, pressed.chat, question, pressed.query.from_user.id,
                        pressed.reply_to, thread_id=pressed.thread_id)


async def show_statement(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """:class:`ShowStatement`: show that statement, as an answer."""
    kb = current_engine(context).kb
    found = _pressed(update, ShowStatement)
    if found is None or not knows(kb.statement, found[1].id):
        await stale_button(update, context)
        return
    pressed, data = found
    await answer_query(pressed.query)
    text, markup = compose_answer(statement_result(kb.statement(data.id)), kb)
    await send_html(context.bot, pressed.chat.id, text, markup, reply_to=pressed.reply_to,
                    thread_id=pressed.thread_id)


async def show_person(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """:class:`ShowPerson`: that speaker's card."""
    kb = current_engine(context).kb
    found = _pressed(update, ShowPerson)
    person = kb.find_person(found[1].id) if found is not None else None
    if found is None or person is None:
        await stale_button(update, context)
        return
    pressed = found[0]
    await answer_query(pressed.query)
    await send_html(context.bot, pressed.chat.id, person_blocks(person, kb, HTML),
                    reply_to=pressed.reply_to, thread_id=pressed.thread_id)


async def ask_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """:class:`AskTopic`: ask who talked about the topic."""
    kb = current_engine(context).kb
    found = _pressed(update, AskTopic)
    if found is None or not knows(kb.topic, found[1].id):
        await stale_button(update, context)
        return
    await _ask(context, found[0], topic_question(kb.topic(found[1].id)))


async def ask_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """:class:`AskQuestion`: ask the question the button stands for."""
    found = _pressed(update, AskQuestion)
    if found is None:
        await stale_button(update, context)
        return
    await _ask(context, found[0], found[1].text)


async def feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """:class:`Feedback`: store the verdict (once per reader and answer), thank the reader,
    and take the 👍 👎 row off the answer (its other buttons stay)."""
    found = _pressed(update, Feedback)
    if found is None:
        await stale_button(update, context)
        return
    pressed, data = found
    question_log = bot_state(context).question_log
    if question_log is not None:
        try:
            await asyncio.to_thread(
                question_log.record_feedback, answer=data.answer, question=data.question,
                shown=data.shown, verdict=data.verdict, user_id=pressed.query.from_user.id)
        except Exception:  # a broken log must not cost the reader the thanks
            log.warning("could not record feedback in the question log", exc_info=True)
    await answer_query(pressed.query, FEEDBACK_THANKS)
    message = pressed.query.message
    if isinstance(message, Message):
        try:
            await pressed.query.edit_message_reply_markup(without_feedback(message.reply_markup))
        except TelegramError as exc:  # too old to edit, or already edited by another press
            log.info("could not remove the feedback buttons: %s", exc)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button the cache no longer knows (``InvalidCallbackData``), one whose target is gone,
    or any other: say it is out of date."""
    if update.callback_query is not None:
        await answer_query(update.callback_query, STALE_BUTTON_NOTICE)


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a callback query; whatever stops that (too old, a server without the method,
    a persistent 5xx) must not stop the reply."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.info("could not answer a callback query: %s", exc)
