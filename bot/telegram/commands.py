"""Command handlers: /start (with deep links), /help, /about, /speakers, /topics, unknown.

They describe the chat's current article (bot.telegram.articles)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.render import HTML, about_blocks, person_blocks
from bot.telegram.articles import current_engine, start_with_article
from bot.telegram.keyboards import AskTopic, ShowPerson, button_label, example_keyboard
from bot.telegram.questions import ask_and_reply
from bot.telegram.replies import esc, render_help, render_speakers, render_start, render_topics
from bot.telegram.sending import reply_html, reply_target, topic_id


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with what the bot knows; a deep-link payload opens a speaker or asks a question."""
    kb = current_engine(context).kb
    payload = " ".join(context.args or ())
    if payload and await start_with_article(update, context, payload):
        return  # a deep link to an article: it is now the chat's current one
    if payload:
        person = kb.find_person(payload.strip().lower())
        if person is not None:
            await reply_html(update, context, person_blocks(person, kb, HTML))
            return
        chat, message = update.effective_chat, update.effective_message
        question = " ".join(re.split(r"[-_\s]+", payload)).strip()
        if chat is not None and question:
            user = update.effective_user
            await ask_and_reply(context, chat, question, user.id if user else None,
                                reply_target(chat, message), thread_id=topic_id(message))
            return
    await reply_html(update, context, render_start(kb), example_keyboard(kb))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask, with examples."""
    kb = current_engine(context).kb
    await reply_html(update, context, render_help(kb, context.bot.username),
                     example_keyboard(kb))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Describe the article, the outlet and the event."""
    await reply_html(update, context, about_blocks(current_engine(context).kb, HTML))


async def speakers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the quoted people as buttons that open their speaker cards."""
    kb = current_engine(context).kb
    rows = [[InlineKeyboardButton(button_label(p.name), callback_data=ShowPerson(p.id))]
            for p in kb.quoted_people()]
    await reply_html(update, context, render_speakers(kb),
                     InlineKeyboardMarkup(rows) if rows else None)


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the topics as buttons that ask about them."""
    kb = current_engine(context).kb
    buttons = [InlineKeyboardButton(button_label(t.name), callback_data=AskTopic(t.id))
               for t in kb.topics]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    await reply_html(update, context, render_topics(kb),
                     InlineKeyboardMarkup(rows) if rows else None)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point a private-chat user at /help for a command the bot does not have."""
    await reply_html(update, context, esc("I don't know that command. Try /help."))
