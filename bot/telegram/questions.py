"""Questions: ask the engine (in the chat's conversation), record, reply; edits and non-text."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Mapping
from typing import Any, TypeVar

from telegram import Bot, Chat, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.conversation import EMPTY, Context
from bot.conversation import ask as ask_in_context
from bot.engine import Engine, Result
from bot.knowledge import KnowledgeBase
from bot.library import Library
from bot.render import HTML
from bot.results import LibraryResult
from bot.telegram.articles import (
    CONVERSATION_KEY,
    current_article,
    current_engine,
    set_current_article,
)
from bot.telegram.keyboards import example_keyboard, example_question, example_statements, knows
from bot.telegram.replies import compose_library_answer, esc
from bot.telegram.sending import edit_html, reply_html, reply_target, send_html, topic_id
from bot.telegram.state import BotState, bot_state

log = logging.getLogger(__name__)
_T = TypeVar("_T")

TYPING_AFTER_SECONDS = 0.5  # show "typing…" only if an answer takes longer than this
NO_TEXT_REPLY = "I can only read text questions \u2014 try: "


async def consult(engine: Engine, question: str, bot: Bot, chat_id: int | None, *,
                  thread_id: int | None = None,
                  conversation: Context | None = None) -> tuple[Result, Context]:
    """The engine's answer (in a conversation, if given), off the event loop; "typing…" only
    if it is slow to come. Returns the reply and the conversation after it."""
    if conversation is None:
        work = asyncio.to_thread(lambda: (engine.answer(question), EMPTY))
    else:
        work = asyncio.to_thread(ask_in_context, engine, question, conversation)
    return await _typing_while(asyncio.ensure_future(work), bot, chat_id, thread_id)


async def consult_library(library: Library, question: str, current: str, bot: Bot,
                          chat_id: int | None, *, thread_id: int | None = None,
                          conversation: Context | None = EMPTY,
                          ) -> tuple[LibraryResult, Context]:
    """The library's answer in the chat's current article, as :func:`consult`
    (``conversation`` None: the question on its own)."""
    if conversation is None:
        work = asyncio.to_thread(lambda: (library.ask(question, current), EMPTY))
    else:
        work = asyncio.to_thread(library.converse, question, current, conversation)
    return await _typing_while(asyncio.ensure_future(work), bot, chat_id, thread_id)


async def _typing_while(task: asyncio.Future[_T], bot: Bot, chat_id: int | None,
                        thread_id: int | None) -> _T:
    """The task's result; "typing…" if it is slow to come."""
    done, _ = await asyncio.wait({task}, timeout=TYPING_AFTER_SECONDS)
    if not done and chat_id is not None:
        with contextlib.suppress(TelegramError):  # a missing typing hint is harmless
            await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
    return await task


# chat_data[CONVERSATION_KEY]: (Context, when it was last updated)
CONVERSATION_TTL = 30 * 60  # seconds: an older conversation is forgotten ("he" means no one)


def conversation_expired(chat_data: Mapping[Any, Any]) -> bool:
    """Whether ``chat_data`` holds a conversation older than :data:`CONVERSATION_TTL`."""
    stored = chat_data.get(CONVERSATION_KEY)
    return stored is not None and time.time() - stored[1] > CONVERSATION_TTL


def _conversation(context: ContextTypes.DEFAULT_TYPE) -> Context:
    """This chat's conversation (kept in ``chat_data``, so it survives a restart), or a fresh
    one after a while."""
    if context.chat_data is None:
        return EMPTY
    if conversation_expired(context.chat_data):
        del context.chat_data[CONVERSATION_KEY]
    stored = context.chat_data.get(CONVERSATION_KEY)
    conversation: Context = stored[0] if stored else EMPTY
    return conversation


async def record_question(state: BotState, question: str, result: Result, kb: KnowledgeBase,
                          user_id: int | None, article: str | None) -> None:
    """Log the question's outcome (``article``: the id of the article that replied) in a
    worker thread; a storage failure never breaks a reply."""
    if state.question_log is None:
        return
    people = tuple(dict.fromkeys(m.speaker for m in result.matches if m.speaker))
    topics: list[str] = []
    for match in result.matches:
        if match.kind == "statement" and knows(kb.statement, match.id):
            topics += kb.statement(match.id).topics
        elif match.kind == "fact" and knows(kb.fact, match.id):
            topics += kb.fact(match.id).topics
    try:
        await asyncio.to_thread(state.question_log.record, question=question,
                                status=result.status.value, user_id=user_id, people=people,
                                topics=tuple(dict.fromkeys(topics)), article=article)
    except Exception:  # whatever went wrong in the log, it must not cost the user the answer
        log.warning("could not record a question in the question log", exc_info=True)


async def compose_reply(context: ContextTypes.DEFAULT_TYPE, chat: Chat, question: str,
                        user_id: int | None, *, thread_id: int | None = None,
                        in_conversation: bool = True,
                        ) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The reply to ``question`` from the library (in the chat's conversation, unless not
    ``in_conversation``), in blocks, with its buttons; the article that answered becomes the
    chat's, and the question is recorded."""
    state = bot_state(context)
    library = state.service.library  # read once: a reload mid-answer cannot mix two KBs
    replied, after = await consult_library(
        library, question, current_article(context, library), context.bot, chat.id,
        thread_id=thread_id, conversation=_conversation(context) if in_conversation else None)
    set_current_article(context, replied.article.id)  # the article that answered
    if in_conversation and context.chat_data is not None:
        context.chat_data[CONVERSATION_KEY] = (after, time.time())
    text, markup = compose_library_answer(replied, library.kb, qualified=len(library.cards) > 1)
    # Recorded before replying: once a reply is seen, /unanswered and /stats count it, even
    # while updates of other chats (an admin's) are handled concurrently.
    await record_question(state, question, replied.parts[0].result,
                          library.kb(replied.article.id), user_id, replied.article.id)
    return text, markup


async def ask_and_reply(context: ContextTypes.DEFAULT_TYPE, chat: Chat, question: str,
                        user_id: int | None, reply_to: int | None, *,
                        thread_id: int | None = None) -> list[Message]:
    """Answer ``question`` in ``chat`` (in forum topic ``thread_id``): record it, reply, and
    return the reply messages."""
    text, markup = await compose_reply(context, chat, question, user_id, thread_id=thread_id)
    return await send_html(context.bot, chat.id, text, markup, reply_to=reply_to,
                           thread_id=thread_id)


_MENTION_TEMPLATE = r"(?<![\w@]){}(?!\w)"


def addressed_question(message: Message, bot_username: str | None, bot_id: int) -> str | None:
    """The question in a text message meant for the bot, @mention removed; None if not meant.

    Private chats: every message. Groups: a message mentioning the bot or replying to it.
    """
    text = message.text or ""
    mention = None
    if bot_username:
        mention = re.compile(_MENTION_TEMPLATE.format(re.escape("@" + bot_username)),
                             re.IGNORECASE)
    if message.chat.type != ChatType.PRIVATE:
        replied = message.reply_to_message
        to_bot = (replied is not None and replied.from_user is not None
                  and replied.from_user.id == bot_id)
        if not to_bot and not (mention is not None and mention.search(text)):
            return None
    if mention is not None:
        text = mention.sub(" ", text)
    return " ".join(text.split())


def _from_a_bot(message: Message, bot_id: int) -> bool:
    """Whether ``message`` comes from this bot, or from another bot in its own name.

    Telegram never shows a bot its own messages, but some emulators echo them back as updates:
    answering them would make the bot talk to itself. Anonymous group admins and linked
    channels post through service bots on behalf of a chat (``sender_chat``): those count.
    """
    user = message.from_user
    if user is None:
        return False
    return user.id == bot_id or (user.is_bot and message.sender_chat is None)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text question (in groups only when the bot is addressed)."""
    message, chat = update.message, update.effective_chat
    if message is None or chat is None or _from_a_bot(message, context.bot.id):
        return
    if message.via_bot is not None and message.via_bot.id == context.bot.id:
        return  # a quote shared through inline mode, not a question
    question = addressed_question(message, context.bot.username, context.bot.id)
    if question is None:
        return
    if not question:  # just "@bot": say what to do
        kb = current_engine(context).kb
        await reply_html(update, context, esc("Ask me a question about the article, e.g.:"),
                         example_keyboard(kb))
        return
    user = update.effective_user
    sent = await ask_and_reply(context, chat, question, user.id if user else None,
                               reply_target(chat, message), thread_id=topic_id(message))
    if sent:
        bot_state(context).replies.put((chat.id, message.message_id),
                                       tuple(m.message_id for m in sent))


async def edited_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an edited question again, editing the bot's earlier reply in place."""
    message, chat = update.edited_message, update.effective_chat
    if message is None or chat is None or _from_a_bot(message, context.bot.id):
        return
    question = addressed_question(message, context.bot.username, context.bot.id)
    if not question:
        return
    state = bot_state(context)
    key = (chat.id, message.message_id)
    previous = state.replies.get(key)
    user = update.effective_user
    user_id = user.id if user else None
    reply_to, thread_id = reply_target(chat, message), topic_id(message)
    if previous is None:  # not answered before (forgotten, or not addressed then): answer anew
        sent = await ask_and_reply(context, chat, question, user_id, reply_to,
                                   thread_id=thread_id)
        state.replies.put(key, tuple(m.message_id for m in sent))
        return
    # The edited question on its own (the conversation went on from the first wording), from
    # every article, as a new question would be
    text, markup = await compose_reply(context, chat, question, user_id, thread_id=thread_id,
                                       in_conversation=False)
    try:
        ids = await edit_html(context.bot, chat.id, previous, text, markup, reply_to=reply_to,
                              thread_id=thread_id)
    except TelegramError as exc:  # the reply was deleted, or the server cannot edit: send anew
        log.info("could not edit the reply in chat %s (%s); answering anew", chat.id, exc)
        sent = await send_html(context.bot, chat.id, text, markup, reply_to=reply_to,
                               thread_id=thread_id)
        ids = tuple(m.message_id for m in sent)
    state.replies.put(key, ids)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell a private-chat user politely that only text questions are understood."""
    kb = current_engine(context).kb
    examples = example_statements(kb, 1)
    hint = HTML.italic(esc(example_question(examples[0], kb))) if examples else "/help"
    await reply_html(update, context, esc(NO_TEXT_REPLY) + hint, example_keyboard(kb))
