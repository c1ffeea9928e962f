"""Many articles in one bot, in Telegram: each chat's current article, and /articles.

The chat's current article (kept in ``chat_data``) is the one a question naming no one is
about, and the one /about, /speakers and /topics describe. It is chosen by a button of
/articles, by a deep link (``t.me/<bot>?start=<article-id>``), or by answering: after each
reply the article that answered becomes the current one. A chat that chose nothing is about
the newest article.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.engine import Engine
from bot.library import Library
from bot.render import HTML, article_label
from bot.telegram.keyboards import button_label
from bot.telegram.replies import esc
from bot.telegram.sending import reply_html, send_html, topic_id
from bot.telegram.state import bot_state

log = logging.getLogger(__name__)

CURRENT_ARTICLE_KEY = "article"  # chat_data: the id of the chat's current article
CONVERSATION_KEY = "conversation"  # chat_data: the conversation, reset when the article changes
STALE_NOTICE = "That article is no longer served \u2014 see /articles."
ARTICLES_SHOWN = 10  # newest articles listed by /articles, one button each
@dataclass(frozen=True)
class ChooseArticle:
    """Button data (through PTB's arbitrary callback data): make this the chat's article."""

    id: str


def current_article(context: ContextTypes.DEFAULT_TYPE, library: Library) -> str:
    """The chat's current article, if the library still has it; else the newest."""
    chosen = context.chat_data.get(CURRENT_ARTICLE_KEY) if context.chat_data is not None \
        else None
    if isinstance(chosen, str) and library.find(chosen) is not None:
        return chosen
    return library.default_article


def current_engine(context: ContextTypes.DEFAULT_TYPE) -> Engine:
    """The engine of the chat's current article (read the library once per update)."""
    library = bot_state(context).service.library
    return library.engine(current_article(context, library))


def set_current_article(context: ContextTypes.DEFAULT_TYPE, article_id: str) -> None:
    """Make ``article_id`` the chat's current article; a change forgets the conversation."""
    if context.chat_data is None:
        return
    if context.chat_data.get(CURRENT_ARTICLE_KEY) != article_id:
        context.chat_data.pop(CONVERSATION_KEY, None)
    context.chat_data[CURRENT_ARTICLE_KEY] = article_id


def render_chosen(library: Library, article_id: str) -> str:
    """What the bot says when a chat chooses an article."""
    article = library.find(article_id)
    assert article is not None
    link = f"\n{esc(article.url)}" if article.url else ""
    return (esc("Now answering about ") + HTML.bold(esc(article_label(article))) + link + "\n\n"
            + esc("Ask a question, or see /about, /speakers and /topics."))


async def articles_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the newest articles, one button each to make it the chat's current article."""
    library = bot_state(context).service.library
    current = current_article(context, library)
    listed = list(library.articles[:ARTICLES_SHOWN])
    chosen = library.find(current)
    if chosen is not None and chosen not in listed:
        listed.append(chosen)  # the chat's own article is always there, however old
    lines = [HTML.bold(esc(f"Articles ({len(library.cards):,}), newest first:"))]
    for article in listed:
        mark = esc(" \u2190 current") if article.id == current else ""
        lines.append(esc(f"\u2022 {article_label(article)}") + mark)
    if len(library.cards) > len(listed):
        lines.append(esc(f"\u2026and {len(library.cards) - len(listed):,} older. A question "
                         "naming someone finds their article by itself."))
    rows = [[InlineKeyboardButton(button_label(a.title), callback_data=ChooseArticle(a.id))]
            for a in listed]
    await reply_html(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))


async def choose_article(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """:class:`ChooseArticle`: make that article the chat's current one."""
    query = update.callback_query
    if query is None or not isinstance(query.data, ChooseArticle):
        return
    library = bot_state(context).service.library
    article_id = query.data.id
    known = library.find(article_id) is not None and query.message is not None
    try:  # a failed answer (too old, ...) must not stop the choice
        await query.answer(None if known else STALE_NOTICE)
    except TelegramError as exc:
        log.info("could not answer a callback query: %s", exc)
    if not known or query.message is None:
        return
    set_current_article(context, article_id)
    message = query.message
    await send_html(context.bot, message.chat.id, render_chosen(library, article_id),
                    thread_id=topic_id(message) if isinstance(message, Message) else None)


async def start_with_article(update: Update, context: ContextTypes.DEFAULT_TYPE,
                             payload: str) -> bool:
    """A deep link ``/start <article-id>``: choose that article; False if it names none."""
    library = bot_state(context).service.library
    article_id = payload.strip().lower()
    if library.find(article_id) is None:
        return False
    set_current_article(context, article_id)
    await reply_html(update, context, render_chosen(library, article_id))
    return True
