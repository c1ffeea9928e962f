"""Inline mode: ``@bot velayati brics`` in any chat offers matching quotes to share."""

from __future__ import annotations

import asyncio
import hashlib

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import InlineQueryLimit
from telegram.ext import ContextTypes

from bot.engine import Engine
from bot.knowledge import KnowledgeBase, Statement
from bot.library import Library
from bot.render import HTML, statement_blocks
from bot.telegram.keyboards import button_label, example_statements, knows
from bot.telegram.sending import NO_PREVIEW
from bot.telegram.state import bot_state

INLINE_RESULT_ID_MAX_BYTES = 64  # Bot API: InlineQueryResult.id is 1-64 bytes
INLINE_MAX_RESULTS = InlineQueryLimit.RESULTS  # 50
INLINE_CACHE_SECONDS = 300  # quotes only change on /reload; the same for every user
INLINE_FEATURED = 5  # quotes offered for an empty inline query
INLINE_DESCRIPTION_MAX = 120  # the preview line under the speaker's name
INLINE_ARTICLES = 5  # articles searched for one inline query, best routed first


def inline_statements(engine: Engine, text: str) -> list[Statement]:
    """Quotes for an inline query: what the engine matches, else every word found; featured
    quotes for an empty query."""
    kb = engine.kb
    words = text.split()
    if not words:
        return example_statements(kb, INLINE_FEATURED)
    found: dict[str, Statement] = {}
    for match in engine.answer(text).matches:
        if match.kind == "statement" and knows(kb.statement, match.id):
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


def library_statements(library: Library, text: str) -> list[tuple[KnowledgeBase, Statement]]:
    """Quotes for an inline query across every article: the articles naming someone it names,
    then those sharing its words, best first; featured quotes of the newest for an empty one."""
    if not text.split():
        kb = library.kb(library.default_article)
        return [(kb, s) for s in example_statements(kb, INLINE_FEATURED)]
    route = library.router.route(text)
    numbers = list(dict.fromkeys([*route.named, *route.ranked]))[:INLINE_ARTICLES]
    ids = [library.cards[n].ref.id for n in numbers] or [library.default_article]
    found: list[tuple[KnowledgeBase, Statement]] = []
    for article_id in ids:
        engine = library.engine(article_id)
        found += [(engine.kb, s) for s in inline_statements(engine, text)]
    return found[:INLINE_MAX_RESULTS]


def _search_text(statement: Statement, kb: KnowledgeBase) -> str:
    person = kb.find_person(statement.speaker)
    names: list[str] = [person.name, *person.aliases] if person else []
    topic_words = [w for t in statement.topics if knows(kb.topic, t)
                   for w in (kb.topic(t).name, *kb.topic(t).synonyms)]
    return " ".join([statement.text, *names, *topic_words]).casefold()


def _result_id(statement: Statement, taken: set[str]) -> str:
    """The statement's id, or a hash of it (too long, or the same id in another article)."""
    if 1 <= len(statement.id.encode("utf-8")) <= INLINE_RESULT_ID_MAX_BYTES and \
            statement.id not in taken:
        return statement.id
    key = f"{statement.article_id}/{statement.id}/{len(taken)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer matching quotes (featured ones for an empty query) to share in any chat."""
    query = update.inline_query
    if query is None:
        return
    library = bot_state(context).service.library
    found = await asyncio.to_thread(library_statements, library, query.query)
    results = []
    taken: set[str] = set()
    for kb, statement in found:
        message = statement_blocks(statement, kb, HTML)  # HTML by Defaults
        if len(message) > 1:  # longer than one message: shared whole or not at all
            continue
        person = kb.find_person(statement.speaker)
        name = person.name if person else statement.speaker
        result_id = _result_id(statement, taken)
        taken.add(result_id)
        results.append(InlineQueryResultArticle(
            id=result_id, title=name,
            description=button_label(statement.text, INLINE_DESCRIPTION_MAX),
            input_message_content=InputTextMessageContent(
                message[0], link_preview_options=NO_PREVIEW)))
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False)
