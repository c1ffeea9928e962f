"""Admin commands (gated by user id): /reload, /unanswered, /stats; the refusal for others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.inbox import InboxError
from bot.knowledge import Problem, format_changes
from bot.library import Library
from bot.reports import format_stats, format_unanswered
from bot.service import KnowledgeService, ReloadOutcome
from bot.storage import Stats, StorageError, parse_since
from bot.telegram.replies import esc, preformatted
from bot.telegram.sending import reply_html
from bot.telegram.state import BotState, bot_state

log = logging.getLogger(__name__)

RELOAD_ERRORS_SHOWN = 5
UNANSWERED_LIMIT = 20


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
    await reply_html(update, context, esc(f"Sorry, {command} is only for the bot's admins."))


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
    await reply_html(update, context, preformatted(render_reload(outcome)))


async def unanswered_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show recent questions that got no answer, and answers readers marked 👎, with what
    they showed (admins only)."""
    if not await _admin_only(update, context):
        return
    state = bot_state(context)
    question_log = state.question_log
    if question_log is None:
        await reply_html(update, context, esc("The question log is not available."))
        return
    try:
        groups = await asyncio.to_thread(question_log.unanswered, limit=UNANSWERED_LIMIT)
        disliked = await asyncio.to_thread(question_log.disliked, limit=UNANSWERED_LIMIT)
    except StorageError as exc:
        log.warning("could not read the question log: %s", exc)
        await reply_html(update, context, esc("Could not read the question log."))
        return
    library = state.service.library
    # a library of several articles rates "<article id>/<entry id>"; one article, its ids
    articles = {i.partition("/")[0] for item in disliked for i in item.shown if "/" in i}
    speakers = await asyncio.to_thread(_entry_speakers, library, articles)
    await reply_html(update, context,
                     preformatted(format_unanswered(groups, disliked, speakers)))


def _entry_speakers(library: Library, articles: Iterable[str]) -> dict[str, str]:
    """Entry ids -> whom they quote or are about: the newest article's entries by their ids
    (the only article, or a log written before entries were qualified), those of
    ``articles`` as ``<article id>/<entry id>``."""
    speakers: dict[str, str] = {}
    for article in ("", *sorted(articles)):
        if article and library.find(article) is None:
            continue
        kb = library.kb(article or library.default_article)
        prefix = f"{article}/" if article else ""
        people = {p.id: p.name for p in kb.people}
        speakers |= {prefix + i: name for i, name in people.items()}
        speakers |= {prefix + s.id: people.get(s.speaker, s.speaker) for s in kb.statements}
    return speakers


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show usage counts, optionally since a date or age such as 7d (admins only)."""
    if not await _admin_only(update, context):
        return
    state = bot_state(context)
    inbox = await inbox_line(state)
    if state.question_log is None:
        await reply_html(update, context, preformatted(f"The question log is not available.\n{inbox}"))
        return
    since = None
    if context.args:
        try:
            since = parse_since(" ".join(context.args))
        except ValueError as exc:
            await reply_html(update, context, esc(f"Usage: /stats [since]. {exc}"))
            return
    try:
        stats = await asyncio.to_thread(state.question_log.stats, since=since)
    except StorageError as exc:
        log.warning("could not read the question log: %s", exc)
        await reply_html(update, context, esc("Could not read the question log."))
        return
    library = state.service.library
    names, titles = await asyncio.to_thread(_stats_names, library, stats)
    report = format_stats(stats, names, titles, served=len(library.cards))
    await reply_html(update, context, preformatted(f"{report}\n{inbox}"))


def _stats_names(library: Library, stats: Stats) -> tuple[dict[str, str], dict[str, str]]:
    """People's and topics' names, and articles' titles, for the stats: read from the newest
    article and the articles the stats list (a few, however large the library), the ones
    listed first winning a shared id."""
    listed = [u.article for u in (*stats.top_articles, *stats.most_unanswered)]
    articles = [a for a in dict.fromkeys([*listed, library.default_article])
                if library.find(a) is not None]
    names: dict[str, str] = {}
    for article in reversed(articles):
        kb = library.kb(article)
        names |= {p.id: p.name for p in kb.people} | {t.id: t.name for t in kb.topics}
    titles = {a: ref.title for a in articles if (ref := library.find(a)) is not None}
    return names, titles


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
