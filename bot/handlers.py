"""Telegram handlers: parse the update, ask the engine, render, reply. Nothing is composed here.

Every handler is ``async def x(update, context) -> None`` and reads the running bot's state
(knowledge service, question log, admin ids, bounded caches) from one :class:`BotState` in
``bot_data``; :func:`bot.telegram_app.build_application` puts it there and registers the handlers.
All reply text is Telegram HTML built with :mod:`bot.render`, so article and user text is escaped.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import html
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, cast

from telegram import (
    Bot,
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, InlineQueryLimit, MessageLimit, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.conversation import EMPTY, Context
from bot.conversation import ask as ask_in_context
from bot.engine import Engine, Match, Result, Status
from bot.inbox import Inbox, InboxError
from bot.knowledge import KnowledgeBase, Problem, Statement, Topic, format_changes
from bot.render import HTML, render_about, render_person, render_result, render_statement
from bot.service import KnowledgeService, ReloadOutcome
from bot.storage import QuestionLog, StorageError, format_stats, format_unanswered, parse_since

log = logging.getLogger(__name__)

STATE_KEY = "article_bot"
"""The ``bot_data`` key holding the :class:`BotState`."""

CALLBACK_DATA_MAX_BYTES = 64  # Bot API: callback_data is 1-64 bytes of UTF-8
INLINE_RESULT_ID_MAX_BYTES = 64  # Bot API: InlineQueryResult.id is 1-64 bytes
INLINE_MAX_RESULTS = InlineQueryLimit.RESULTS  # 50
INLINE_CACHE_SECONDS = 300  # quotes only change on /reload; the same for every user
INLINE_FEATURED = 5  # quotes offered for an empty inline query
INLINE_DESCRIPTION_MAX = 120  # the preview line under the speaker's name
REPLY_MEMORY = 1000  # (chat, question message) -> bot reply ids kept for edits
ASKED_MEMORY = 1000  # long suggestion questions kept behind a hash for their buttons
TYPING_AFTER_SECONDS = 0.5  # show "typing…" only if an answer takes longer than this
RELOAD_ERRORS_SHOWN = 5
BUTTON_LABEL_MAX = 60  # longer labels are cut; Telegram would truncate them anyway
UNANSWERED_LIMIT = 20

STALE_BUTTON_NOTICE = "This button is out of date \u2014 please ask again."
APOLOGY = "Sorry, something went wrong while answering. Please try again."
NO_TEXT_REPLY = "I can only read text questions \u2014 try: "
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

_K = TypeVar("_K")
_V = TypeVar("_V")
_R = TypeVar("_R")


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
    asked: BoundedMap[str, str] = field(default_factory=lambda: BoundedMap(ASKED_MEMORY))


def bot_state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """The :class:`BotState` of the application handling this update."""
    return cast(BotState, context.bot_data[STATE_KEY])


# --------------------------------------------------------------------------------------------
# Buttons: compact callback data, never unbounded user text
# --------------------------------------------------------------------------------------------
#   q:<statement-id>  show that statement        p:<person-id>  that speaker's card
#   t:<topic-id>      ask about the topic        a:<question>   ask (only if it fits 64 bytes)
#   h:<16 hex>        ask a longer question, kept in BotState.asked (or found in the KB again)
# Ids are at most 48 characters of [a-z0-9-] (knowledge.py), so every form fits in 64 bytes.


@dataclass(frozen=True)
class ButtonAction:
    """What a pressed button asks for."""

    kind: Literal["ask", "statement", "person"]
    value: str  # the question, statement id or person id


def _fits(data: str) -> bool:
    return 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES


def _question_key(question: str) -> str:
    return hashlib.sha256(question.encode("utf-8")).hexdigest()[:16]


def ask_callback_data(question: str, state: BotState) -> str:
    """Callback data that asks ``question``: inline if it fits in 64 bytes, else by hash."""
    data = f"a:{question}"
    if _fits(data):
        return data
    key = _question_key(question)
    state.asked.put(key, question)
    return f"h:{key}"


def topic_question(topic: Topic) -> str:
    """The question a topic button asks the engine."""
    return f"Who talked about {topic.name}?"  # the engine's own wording for topic examples


def _known_questions(kb: KnowledgeBase) -> list[str]:
    """Questions a hashed button may stand for after a restart emptied BotState.asked."""
    found = [q for s in kb.statements for q in s.questions]
    found += [q for f in kb.facts for q in f.questions]
    found += [topic_question(t) for t in kb.topics]
    return found


def decode_callback(data: str, kb: KnowledgeBase, state: BotState) -> ButtonAction | None:
    """The action behind callback ``data``, or None if it is unknown or out of date."""
    kind, _, value = data.partition(":")
    if not value:
        return None
    if kind == "a":
        return ButtonAction("ask", value)
    if kind == "h":
        question = state.asked.get(value)
        if question is None:
            question = next((q for q in _known_questions(kb) if _question_key(q) == value), None)
        return ButtonAction("ask", question) if question else None
    if kind == "q":
        return ButtonAction("statement", value) if _has(kb.statement, value) else None
    if kind == "p":
        return ButtonAction("person", value) if kb.find_person(value) else None
    if kind == "t":
        return ButtonAction("ask", topic_question(kb.topic(value))) if _has(
            kb.topic, value) else None
    return None


def _has(lookup: Callable[[str], object], key: str) -> bool:
    """Whether a KeyError-raising lookup knows ``key``."""
    try:
        lookup(key)
    except KeyError:
        return False
    return True


def _label(text: str, width: int = BUTTON_LABEL_MAX) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _as_question(text: str) -> str:
    """``what did X say`` -> ``What did X say?`` for display on a button."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in "?.!" else text + "?"


def example_statements(kb: KnowledgeBase, count: int = 3) -> list[Statement]:
    """Statements to offer as examples: one per quoted person first, in article order."""
    chosen: list[Statement] = []
    speakers: set[str] = set()
    for statement in kb.statements:
        if statement.speaker not in speakers:
            chosen.append(statement)
            speakers.add(statement.speaker)
    chosen += [s for s in kb.statements if s not in chosen]
    return chosen[:count]


def example_question(statement: Statement, kb: KnowledgeBase) -> str:
    """A question a statement answers, for a button or a hint."""
    if statement.questions:
        return _as_question(statement.questions[0])
    return f"What did {kb.person(statement.speaker).name} say?"


def example_keyboard(kb: KnowledgeBase, count: int = 3) -> InlineKeyboardMarkup | None:
    """Example questions as buttons, each showing the statement that answers it."""
    rows = [[InlineKeyboardButton(_label(example_question(s, kb)), callback_data=f"q:{s.id}")]
            for s in example_statements(kb, count)]
    return InlineKeyboardMarkup(rows) if rows else None


def _more_from_keyboard(result: Result, kb: KnowledgeBase) -> InlineKeyboardMarkup | None:
    """A "More from <speaker>" button when an answer quotes exactly one person."""
    if any(m.kind == "person" for m in result.matches):
        return None  # the answer already is that person's card
    speakers = {m.speaker for m in result.matches if m.kind == "statement" and m.speaker}
    if len(speakers) != 1:
        return None
    person = kb.find_person(speakers.pop())
    if person is None:
        return None
    more = InlineKeyboardButton(_label(f"More from {person.name}"), callback_data=f"p:{person.id}")
    return InlineKeyboardMarkup([[more]])


# --------------------------------------------------------------------------------------------
# Reply text
# --------------------------------------------------------------------------------------------

def _esc(text: str) -> str:
    return HTML.escape(text)


def render_start(kb: KnowledgeBase) -> str:
    """The /start greeting: what the bot knows and who is quoted."""
    articles = "; ".join(f"{HTML.bold(_esc(a.title))} ({_esc(a.outlet)})" for a in kb.articles)
    names = [p.name for p in kb.quoted_people()]
    quoted = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    lines = [f"Hello! I answer questions about the article {articles}."]
    if quoted:
        lines.append(_esc(f"It quotes {quoted}. I reply with their words as the article gives "
                          "them."))
    lines += ["", _esc("Ask in your own words, or tap an example:")]
    return "\n".join(lines)


def render_help(kb: KnowledgeBase, username: str | None) -> str:
    """The /help text: how to ask, with examples."""
    examples = [f"\u2022 {_esc(example_question(s, kb))}" for s in example_statements(kb)]
    lines = [HTML.bold("How to ask"),
             _esc("Write a question in your own words about the article. For example:"),
             *examples, "",
             _esc("I answer only from the article and quote it word for word. If a question "
                  "could mean several things, I offer choices as buttons."), "",
             _esc("/speakers \u2014 who is quoted"),
             _esc("/topics \u2014 what the article covers"),
             _esc("/about \u2014 the article, the outlet and the event")]
    if username:
        lines += ["", _esc(f"In a group, mention @{username} or reply to one of my messages. "
                           f"In any chat, type @{username} and a name or subject to share a "
                           "quote.")]
    return "\n".join(lines)


def render_speakers(kb: KnowledgeBase) -> str:
    """The /speakers text: quoted people with their main roles."""
    people = kb.quoted_people()
    if not people:
        return _esc("The article quotes nobody.")
    lines = [HTML.bold("People quoted in the article"), _esc("Tap a name for what they said.")]
    lines += [f"\u2022 {HTML.bold(_esc(p.name))}, {_esc(p.role)}" for p in people]
    return "\n".join(lines)


def render_topics(kb: KnowledgeBase) -> str:
    """The /topics heading."""
    if not kb.topics:
        return _esc("The article has no topics listed.")
    return HTML.bold("Topics") + "\n" + _esc("Tap a topic to hear what was said about it.")


def render_reload(outcome: ReloadOutcome) -> str:
    """A plain-text summary of a reload: the changes per file, or the first errors."""
    if outcome.ok:
        return "Knowledge base reloaded.\n" + format_changes(outcome.changes)
    lines = ["Reload failed; still serving the previous knowledge base."]
    lines += [_problem_line(p) for p in outcome.errors[:RELOAD_ERRORS_SHOWN]]
    if len(outcome.errors) > RELOAD_ERRORS_SHOWN:
        lines.append(f"\u2026 and {len(outcome.errors) - RELOAD_ERRORS_SHOWN} more")
    return "\n".join(lines)


def _problem_line(problem: Problem) -> str:
    return f"{problem.file}:{problem.line}: {problem.message}"


def _pre(text: str) -> str:
    return f"<pre>{_esc(text)}</pre>"


def compose_answer(result: Result, kb: KnowledgeBase, state: BotState,
                   ) -> tuple[str, InlineKeyboardMarkup | None]:
    """The HTML reply and buttons for one engine result."""
    text = render_result(result, kb, HTML)
    if result.status is Status.ANSWER:
        return text or _esc(result.text), _more_from_keyboard(result, kb)
    if result.suggestions:
        rows = [[InlineKeyboardButton(_label(s.label or s.question),
                                      callback_data=ask_callback_data(s.question, state))]
                for s in result.suggestions]
        return text, InlineKeyboardMarkup(rows)
    # no_answer (or clarify) without suggestions: say what the bot can answer, with examples
    hint = _esc("I can answer questions about what the people quoted in the article said, "
                "and about the event. Try one of these:")
    return "\n\n".join(t for t in (text, hint) if t), example_keyboard(kb)


def statement_result(statement: Statement) -> Result:
    """An answer made of one statement, as a button that shows it directly produces."""
    match = Match(statement.id, "statement", statement.speaker, 100.0)
    return Result("", Status.ANSWER, (match,), "", (), "")


# --------------------------------------------------------------------------------------------
# Splitting long replies
# --------------------------------------------------------------------------------------------

# One atom: a tag, an entity, or a single character. A cut only ever falls between atoms.
_HTML_ATOM = re.compile(r"<[^<>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);|[\s\S]")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")


def _units(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's message limits."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split Telegram HTML into chunks of at most ``limit`` UTF-16 units, each valid HTML.

    Cuts at a blank line if it can, else at a line break, else at a space, else between two
    characters; never inside a tag or an entity. Tags open at a cut are closed at the end of one
    chunk and reopened at the start of the next.
    """
    if _units(text) <= limit:
        return [text]
    atoms = _HTML_ATOM.findall(text)
    chunks: list[str] = []
    reopen: tuple[tuple[str, str], ...] = ()  # (name, start tag) open where the next chunk starts
    start = 0
    while start < len(atoms):
        stack = list(reopen)
        size = sum(_units(tag) for _, tag in stack)
        closing = sum(_units(f"</{name}>") for name, _ in stack)
        cuts: dict[int, tuple[int, int, tuple[tuple[str, str], ...]]] = {}  # priority -> cut
        visible = False
        index = start
        while index < len(atoms):
            atom = atoms[index]
            tag = _TAG_NAME.match(atom) if atom.startswith("<") and len(atom) > 1 else None
            if visible and tag is None:
                snapshot = tuple(stack)
                cuts[0] = (index, index, snapshot)
                if atom == " ":
                    cuts[1] = (index, index + 1, snapshot)
                elif atom == "\n":
                    cuts[2] = (index, index + 1, snapshot)
                    if index + 1 < len(atoms) and atoms[index + 1] == "\n":
                        cuts[3] = (index, index + 2, snapshot)
            new_closing = closing
            if tag is not None and not tag.group(1):
                new_closing += _units(f"</{tag.group(2).lower()}>")
            elif tag is not None and stack:
                new_closing -= _units(f"</{stack[-1][0]}>")
            if size + _units(atom) + new_closing > limit and index > start:
                break
            size += _units(atom)
            closing = new_closing
            if tag is not None and not tag.group(1):
                stack.append((tag.group(2).lower(), atom))
            elif tag is not None and stack:
                stack.pop()
            else:
                visible = visible or not atom.isspace()
            index += 1
        else:
            chunks.append("".join(t for _, t in reopen) + "".join(atoms[start:]))
            break
        end, resume, open_tags = _best_cut(cuts, start, index) if cuts else (
            index, index, tuple(stack))
        body = "".join(atoms[start:end])
        chunks.append("".join(t for _, t in reopen) + body
                      + "".join(f"</{name}>" for name, _ in reversed(open_tags)))
        reopen, start = open_tags, resume
    return [chunk for chunk in chunks if _visible_text(chunk).strip()]


def _best_cut(cuts: dict[int, tuple[int, int, tuple[tuple[str, str], ...]]], start: int,
              stop: int) -> tuple[int, int, tuple[tuple[str, str], ...]]:
    """The strongest break in the second half of the chunk (so no part is tiny), else any."""
    for priority in sorted(cuts, reverse=True):
        if cuts[priority][0] - start >= (stop - start) // 2:
            return cuts[priority]
    return cuts[max(cuts)]


def _visible_text(chunk: str) -> str:
    return re.sub(r"<[^<>]*>", "", chunk)


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
        return [{"link_preview_options": _NO_PREVIEW},
                {"api_kwargs": {"disable_web_page_preview": True}}]
    stages: list[dict[str, Any]] = [{"link_preview_options": _NO_PREVIEW,
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
    return html.unescape(_visible_text(html_text))


async def _send_degrading(send: Callable[..., Awaitable[_R]], text: str,
                          stages: Sequence[dict[str, Any]], *, what: str) -> _R:
    """Call ``send(text, parse_mode=HTML, **stages[0])``, degrading on each ``BadRequest``.

    Emulators and older Bot API servers reject features the reply can do without: on "can't
    parse entities" the text goes again as plain text (once); on any other BadRequest the
    request goes again with the next, poorer stage of optional features. The reply is lost
    only if the poorest form fails too. Each degradation is logged once, without the text.
    """
    plain = False
    stage = 0
    while True:
        try:
            if plain:
                return await send(plain_text(text), **stages[stage])
            return await send(text, parse_mode=ParseMode.HTML, **stages[stage])
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


async def send_html(bot: Bot, chat_id: int, text: str,
                    markup: InlineKeyboardMarkup | None = None, *,
                    reply_to: int | None = None, thread_id: int | None = None) -> list[Message]:
    """Send ``text`` (split if long), buttons on the last part; return the messages sent.

    ``thread_id`` keeps the reply in its forum topic even if the reply link has to be dropped.
    """
    chunks = split_html(text)
    sent = []
    for index, chunk in enumerate(chunks):
        send = functools.partial(bot.send_message, chat_id, message_thread_id=thread_id,
                                 reply_markup=markup if index == len(chunks) - 1 else None)
        try:
            sent.append(await _send_degrading(send, chunk, _send_stages(reply_to),
                                              what=f"sendMessage to chat {chat_id}"))
        except _UNREADABLE_ANSWER as exc:
            # The server answered ok (a refusal would be a TelegramError), so the part was
            # delivered; only its answer is not a Message python-telegram-bot can read (an
            # emulator's millisecond date, a field echoed back as a string). Raising would
            # apologise for a delivered reply and send the next parts never; the part just has
            # no known message id (the reply is then not edited in place, but answered anew).
            _warn_unreadable_answer(chat_id, exc)
    return sent


_UNREADABLE_ANSWER = (TypeError, ValueError, KeyError, OverflowError)
_unreadable_answers_seen = 0


def _warn_unreadable_answer(chat_id: int, exc: Exception) -> None:
    """Log the first unreadable sendMessage answer as a warning, later ones at debug."""
    global _unreadable_answers_seen
    _unreadable_answers_seen += 1
    level = logging.WARNING if _unreadable_answers_seen == 1 else logging.DEBUG
    log.log(level, "sendMessage to chat %s was accepted, but the server's answer is not a "
            "Message (%s: %s); counted as sent (further ones logged at debug level)",
            chat_id, type(exc).__name__, exc)


async def edit_html(bot: Bot, chat_id: int, message_ids: Sequence[int], text: str,
                    markup: InlineKeyboardMarkup | None = None, *,
                    reply_to: int | None = None, thread_id: int | None = None) -> tuple[int, ...]:
    """Replace an earlier reply (one or more messages) with ``text``; return its message ids.

    Raises ``TelegramError`` if an edit fails (the reply was deleted, or the server cannot
    edit): the caller decides whether to answer anew.
    """
    chunks = split_html(text)
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


def _thread_reply_to(chat: Chat, message: Message | None) -> int | None:
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


async def reply_html(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                     markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Reply to the update's message (in thread in groups)."""
    chat = update.effective_chat
    if chat is None:
        return []
    message = update.effective_message
    return await send_html(context.bot, chat.id, text, markup,
                           reply_to=_thread_reply_to(chat, message), thread_id=topic_id(message))


# --------------------------------------------------------------------------------------------
# Asking the engine
# --------------------------------------------------------------------------------------------

async def consult(engine: Engine, question: str, bot: Bot, chat_id: int | None, *,
                  thread_id: int | None = None,
                  conversation: Context | None = None) -> tuple[Result, Context]:
    """The engine's answer (in a conversation, if given), off the event loop; "typing…" only
    if it is slow to come. Returns the reply and the conversation after it."""
    if conversation is None:
        work = asyncio.to_thread(lambda: (engine.answer(question), EMPTY))
    else:
        work = asyncio.to_thread(ask_in_context, engine, question, conversation)
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=TYPING_AFTER_SECONDS)
    if not done and chat_id is not None:
        with contextlib.suppress(TelegramError):  # a missing typing hint is harmless
            await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
    return await task


CONVERSATION_KEY = "conversation"  # chat_data: (Context, when it was last updated)
CONVERSATION_TTL = 30 * 60  # seconds: an older conversation is forgotten ("he" means no one)


def _conversation(context: ContextTypes.DEFAULT_TYPE) -> Context:
    """This chat's conversation, or a fresh one after a while."""
    stored = context.chat_data.get(CONVERSATION_KEY) if context.chat_data is not None else None
    if not stored or time.time() - stored[1] > CONVERSATION_TTL:
        return EMPTY
    conversation: Context = stored[0]
    return conversation


async def record_question(state: BotState, question: str, result: Result, kb: KnowledgeBase,
                          user_id: int | None) -> None:
    """Log the question's outcome in a worker thread; a storage failure never breaks a reply."""
    if state.question_log is None:
        return
    people = tuple(dict.fromkeys(m.speaker for m in result.matches if m.speaker))
    topics: list[str] = []
    for match in result.matches:
        if match.kind == "statement" and _has(kb.statement, match.id):
            topics += kb.statement(match.id).topics
        elif match.kind == "fact" and _has(kb.fact, match.id):
            topics += kb.fact(match.id).topics
    try:
        await asyncio.to_thread(state.question_log.record, question=question,
                                status=result.status.value, user_id=user_id, people=people,
                                topics=tuple(dict.fromkeys(topics)))
    except Exception:  # whatever went wrong in the log, it must not cost the user the answer
        log.warning("could not record a question in the question log", exc_info=True)


async def ask_and_reply(context: ContextTypes.DEFAULT_TYPE, chat: Chat, question: str,
                        user_id: int | None, reply_to: int | None, *,
                        thread_id: int | None = None) -> list[Message]:
    """Answer ``question`` in ``chat`` (in forum topic ``thread_id``): record it, reply, and
    return the reply messages."""
    state = bot_state(context)
    engine = state.service.engine  # read once: a reload mid-answer cannot mix two KBs
    result, after = await consult(engine, question, context.bot, chat.id, thread_id=thread_id,
                                  conversation=_conversation(context))
    if context.chat_data is not None:
        context.chat_data[CONVERSATION_KEY] = (after, time.time())
    text, markup = compose_answer(result, engine.kb, state)
    # Recorded before replying: once a reply is seen, /unanswered and /stats count it, even
    # while updates of other chats (an admin's) are handled concurrently.
    await record_question(state, question, result, engine.kb, user_id)
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


# --------------------------------------------------------------------------------------------
# Command handlers
# --------------------------------------------------------------------------------------------

async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with what the bot knows; a deep-link payload opens a speaker or asks a question."""
    kb = bot_state(context).service.engine.kb
    payload = " ".join(context.args or ())
    if payload:
        person = kb.find_person(payload.strip().lower())
        if person is not None:
            await reply_html(update, context, render_person(person, kb, HTML))
            return
        chat, message = update.effective_chat, update.effective_message
        question = " ".join(re.split(r"[-_\s]+", payload)).strip()
        if chat is not None and question:
            user = update.effective_user
            await ask_and_reply(context, chat, question, user.id if user else None,
                                _thread_reply_to(chat, message), thread_id=topic_id(message))
            return
    await reply_html(update, context, render_start(kb), example_keyboard(kb))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask, with examples."""
    kb = bot_state(context).service.engine.kb
    await reply_html(update, context, render_help(kb, context.bot.username),
                     example_keyboard(kb))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Describe the article, the outlet and the event."""
    await reply_html(update, context, render_about(bot_state(context).service.engine.kb, HTML))


async def speakers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the quoted people as buttons that open their speaker cards."""
    kb = bot_state(context).service.engine.kb
    rows = [[InlineKeyboardButton(_label(p.name), callback_data=f"p:{p.id}")]
            for p in kb.quoted_people()]
    await reply_html(update, context, render_speakers(kb),
                     InlineKeyboardMarkup(rows) if rows else None)


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the topics as buttons that ask about them."""
    kb = bot_state(context).service.engine.kb
    buttons = [InlineKeyboardButton(_label(t.name), callback_data=f"t:{t.id}")
               for t in kb.topics]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    await reply_html(update, context, render_topics(kb),
                     InlineKeyboardMarkup(rows) if rows else None)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point a private-chat user at /help for a command the bot does not have."""
    await reply_html(update, context, _esc("I don't know that command. Try /help."))


# --------------------------------------------------------------------------------------------
# Questions, edits, other messages
# --------------------------------------------------------------------------------------------

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
        kb = bot_state(context).service.engine.kb
        await reply_html(update, context, _esc("Ask me a question about the article, e.g.:"),
                         example_keyboard(kb))
        return
    user = update.effective_user
    sent = await ask_and_reply(context, chat, question, user.id if user else None,
                               _thread_reply_to(chat, message), thread_id=topic_id(message))
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
    reply_to, thread_id = _thread_reply_to(chat, message), topic_id(message)
    if previous is None:  # not answered before (forgotten, or not addressed then): answer anew
        sent = await ask_and_reply(context, chat, question, user_id, reply_to,
                                   thread_id=thread_id)
        state.replies.put(key, tuple(m.message_id for m in sent))
        return
    engine = state.service.engine
    result, _ = await consult(engine, question, context.bot, chat.id, thread_id=thread_id)
    text, markup = compose_answer(result, engine.kb, state)
    await record_question(state, question, result, engine.kb, user_id)  # before: see ask_and_reply
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
    kb = bot_state(context).service.engine.kb
    examples = example_statements(kb, 1)
    hint = HTML.italic(_esc(example_question(examples[0], kb))) if examples else "/help"
    await reply_html(update, context, _esc(NO_TEXT_REPLY) + hint, example_keyboard(kb))


# --------------------------------------------------------------------------------------------
# Buttons and inline mode
# --------------------------------------------------------------------------------------------

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


def inline_statements(engine: Engine, text: str) -> list[Statement]:
    """Quotes for an inline query: what the engine matches, else every word found; featured
    quotes for an empty query."""
    kb = engine.kb
    words = text.split()
    if not words:
        return example_statements(kb, INLINE_FEATURED)
    found: dict[str, Statement] = {}
    for match in engine.answer(text).matches:
        if match.kind == "statement" and _has(kb.statement, match.id):
            found.setdefault(match.id, kb.statement(match.id))
        elif match.kind == "person":
            found.update((s.id, s) for s in kb.statements_by(match.id) if s.id not in found)
    if not found:
        folded = [w.casefold() for w in words]
        for statement in kb.statements:
            haystack = _search_text(statement, kb)
            if all(w in haystack for w in folded):
                found.setdefault(statement.id, statement)
    return list(found.values())[:INLINE_MAX_RESULTS]


def _search_text(statement: Statement, kb: KnowledgeBase) -> str:
    person = kb.find_person(statement.speaker)
    names: list[str] = [person.name, *person.aliases] if person else []
    topic_words = [w for t in statement.topics if _has(kb.topic, t)
                   for w in (kb.topic(t).name, *kb.topic(t).synonyms)]
    return " ".join([statement.text, *names, *topic_words]).casefold()


def _result_id(statement: Statement) -> str:
    if 1 <= len(statement.id.encode("utf-8")) <= INLINE_RESULT_ID_MAX_BYTES:
        return statement.id
    return hashlib.sha256(statement.id.encode("utf-8")).hexdigest()[:32]


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer matching quotes (featured ones for an empty query) to share in any chat."""
    query = update.inline_query
    if query is None:
        return
    engine = bot_state(context).service.engine
    kb = engine.kb
    statements = await asyncio.to_thread(inline_statements, engine, query.query)
    results = []
    for statement in statements:
        person = kb.find_person(statement.speaker)
        name = person.name if person else statement.speaker
        results.append(InlineQueryResultArticle(
            id=_result_id(statement), title=name,
            description=_label(statement.text, INLINE_DESCRIPTION_MAX),
            input_message_content=InputTextMessageContent(
                render_statement(statement, kb, HTML), parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW)))
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False)


# --------------------------------------------------------------------------------------------
# Admin commands
# --------------------------------------------------------------------------------------------

def is_admin(update: Update, state: BotState) -> bool:
    """Whether the update comes from an admin (by user id, never by username)."""
    user = update.effective_user
    return user is not None and user.id in state.admin_ids


async def refuse_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Refuse an admin command to someone who is not an admin, and log who tried."""
    user = update.effective_user
    text = (update.effective_message.text or "") if update.effective_message else ""
    command = text.split()[0].split("@")[0] if text.split() else "this command"
    log.warning("refused %s for non-admin user id %s", command,
                user.id if user else "unknown")
    await reply_html(update, context, _esc(f"Sorry, {command} is only for the bot's admins."))


async def _admin_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True for an admin; otherwise the refusal is sent and False returned."""
    if is_admin(update, bot_state(context)):
        return True
    await refuse_admin(update, context)
    return False


async def reload_knowledge(service: KnowledgeService, *, force: bool = False) -> ReloadOutcome:
    """Re-read the knowledge folder in a worker thread and swap it in if it validates."""
    return await asyncio.to_thread(service.reload, force=force)


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-read the knowledge folder (admins only) and summarise the changes or the errors."""
    if not await _admin_only(update, context):
        return
    chat = update.effective_chat
    if chat is not None:
        with contextlib.suppress(TelegramError):  # reloading takes a moment: show "typing…"
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    force = [arg.lower() for arg in context.args or []] == ["force"]
    outcome = await reload_knowledge(bot_state(context).service, force=force)
    user = update.effective_user
    log.info("reload requested by admin %s: %s", user.id if user else "?",
             "ok" if outcome.ok else f"failed with {len(outcome.errors)} error(s)")
    await reply_html(update, context, _pre(render_reload(outcome)))


async def unanswered_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show recent questions that got no answer (admins only)."""
    if not await _admin_only(update, context):
        return
    question_log = bot_state(context).question_log
    if question_log is None:
        await reply_html(update, context, _esc("The question log is not available."))
        return
    try:
        groups = await asyncio.to_thread(question_log.unanswered, limit=UNANSWERED_LIMIT)
    except StorageError as exc:
        log.warning("could not read the question log: %s", exc)
        await reply_html(update, context, _esc("Could not read the question log."))
        return
    await reply_html(update, context, _pre(format_unanswered(groups)))


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show usage counts, optionally since a date or age such as 7d (admins only)."""
    if not await _admin_only(update, context):
        return
    state = bot_state(context)
    inbox = await inbox_line(state)
    if state.question_log is None:
        await reply_html(update, context, _pre(f"The question log is not available.\n{inbox}"))
        return
    since = None
    if context.args:
        try:
            since = parse_since(" ".join(context.args))
        except ValueError as exc:
            await reply_html(update, context, _esc(f"Usage: /stats [since]. {exc}"))
            return
    try:
        stats = await asyncio.to_thread(state.question_log.stats, since=since)
    except StorageError as exc:
        log.warning("could not read the question log: %s", exc)
        await reply_html(update, context, _esc("Could not read the question log."))
        return
    kb = state.service.engine.kb
    names = {p.id: p.name for p in kb.people} | {t.id: t.name for t in kb.topics}
    await reply_html(update, context, _pre(f"{format_stats(stats, names)}\n{inbox}"))


async def inbox_line(state: BotState) -> str:
    """``Inbox: 3 waiting, the oldest 12 s old`` (the update being answered counts)."""
    if state.inbox is None:
        return "Inbox: not in use"
    try:
        status = await asyncio.to_thread(state.inbox.status)
    except InboxError as exc:
        log.warning("could not read the inbox: %s", exc)
        return "Inbox: cannot be read"
    return f"Inbox: {status.describe()}"


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

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


__all__ = [
    "STATE_KEY", "BotState", "BoundedMap", "ButtonAction", "about", "addressed_question", "ask",
    "ask_callback_data", "bot_state", "button", "compose_answer", "decode_callback",
    "edit_html", "edited_question", "error_handler", "help_command", "inbox_line",
    "inline_query", "inline_statements", "not_text", "plain_text", "refuse_admin",
    "reload_command", "reload_knowledge", "render_help", "render_reload", "render_start",
    "send_html", "speakers", "split_html", "start", "stats_command", "topic_id", "topics",
    "unanswered_command", "unknown_command",
]
