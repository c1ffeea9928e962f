"""The admin's loop for a new article: send it, get a draft, edit it, publish it.

An admin sends the article as a ``.txt`` document, or pastes it after ``/draft`` (in the same
message or the next one). The bot drafts it (:mod:`bot.drafting`), keeps the draft in the drafts
folder (:class:`bot.draft_store.DraftStore`, never the served folder), and replies with a summary
and the YAML as a document. The admin edits it and sends the ``.yaml`` back, or sends
``/publish <id>``; publishing goes through the service's validated, atomic reload. Everyone else
is refused and nothing is stored. These handlers run in their own group before the others and
stop an update they handled (``ApplicationHandlerStop``), so a pasted article is never taken
for a question.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, cast

from telegram import Document, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.draft_store import DraftError, DraftStore, DraftSummary, check_id, decode_article
from bot.settings import Settings
from bot.telegram.admin import is_admin, refuse_admin, render_reload
from bot.telegram.replies import esc, preformatted
from bot.telegram.sending import reply_html, reply_target, topic_id
from bot.telegram.state import STATE_KEY, bot_state

log = logging.getLogger(__name__)

DRAFTS_KEY = "article_bot_drafts"
"""The ``bot_data`` key holding the :class:`DraftConfig`."""
WAITING_KEY = "draft_waiting"  # user_data flag: the next text message is an article
HANDLER_GROUP = -1  # before the question handlers of group 0
PEOPLE_SHOWN = 15
REVIEWS_SHOWN = 10
ARTICLE_SUFFIXES = (".txt",)
DRAFT_SUFFIXES = (".yaml", ".yml")

ASK_FOR_ARTICLE = ("Send the article's text now: the title on the first line, then the "
                   "paragraphs (or send it as a .txt file).")
NOT_FOR_YOU = "Sorry, sending articles and drafts is only for the bot's admins."
WRONG_KIND = ("Send an article as a .txt file, or an edited draft as the .yaml file I sent "
              "you.")
PUBLISH_USAGE = "Usage: /publish <draft id> (the id is in the draft's summary)."


class DraftConfig:
    """What the draft handlers need besides the bot state: the store and the upload limit."""

    def __init__(self, store: DraftStore, max_bytes: int) -> None:
        self.store = store
        self.max_bytes = max_bytes


def install(application: Application[Any, Any, Any, Any, Any, Any], settings: Settings,
            add_command: Callable[[str, Any, filters.BaseFilter], None]) -> None:
    """Keep the drafts store in ``bot_data`` and register the handlers (group -1).

    ``add_command(name, callback, filters)`` is the composition root's way to register a
    command in group -1 (with or without its entity, as every other command).
    """
    state = application.bot_data[STATE_KEY]
    store = DraftStore(settings.drafts_path, state.service)
    application.bot_data[DRAFTS_KEY] = DraftConfig(store, settings.upload_max_bytes)
    new = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
    add_command("draft", draft_command, new)
    add_command("publish", publish_command, new)
    handlers: list[BaseHandler[Any, Any, Any]] = [
        MessageHandler(new & filters.Document.ALL, document),
        # not a command, even one sent without its entity ("/reload" while a draft is awaited)
        MessageHandler(new & filters.TEXT & ~filters.COMMAND & ~filters.Regex(r"^\s*/"),
                       pasted_article),
        # any other command ends the wait (and goes on to its own handler in group 0)
        MessageHandler(new & (filters.COMMAND | filters.Regex(r"^\s*/")), _forget_waiting),
    ]
    application.add_handlers(handlers, group=HANDLER_GROUP)


def _config(context: ContextTypes.DEFAULT_TYPE) -> DraftConfig:
    return cast(DraftConfig, context.bot_data[DRAFTS_KEY])


def _user_data(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    return context.user_data if context.user_data is not None else {}


# ------------------------------------------------------------------------------- handlers


async def draft_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/draft`` + the article in the same message, or alone: the next message is it."""
    if not is_admin(update, bot_state(context)):
        await refuse_admin(update, context)
        raise ApplicationHandlerStop
    message = update.effective_message
    parts = (message.text or "").split(None, 1) if message else []
    if len(parts) < 2 or not parts[1].strip():
        _user_data(context)[WAITING_KEY] = True
        await reply_html(update, context, esc(ASK_FOR_ARTICLE))
        raise ApplicationHandlerStop
    _user_data(context).pop(WAITING_KEY, None)
    await _draft_text(update, context, parts[1])
    raise ApplicationHandlerStop


async def pasted_article(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The message after a bare ``/draft``; any other text goes on to the question handlers."""
    if not _user_data(context).pop(WAITING_KEY, False):
        return
    if not is_admin(update, bot_state(context)):
        return  # cannot happen (the flag is only set for admins); treat it as a question
    message = update.effective_message
    await _draft_text(update, context, (message.text if message else "") or "")
    raise ApplicationHandlerStop


async def _forget_waiting(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _user_data(context).pop(WAITING_KEY, None)


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An article (.txt) to draft, or an edited draft (.yaml) to keep."""
    message = update.effective_message
    doc = message.document if message else None
    if doc is None:
        return
    name = (doc.file_name or "").casefold()
    ours = name.endswith(ARTICLE_SUFFIXES + DRAFT_SUFFIXES) or doc.mime_type in (
        "text/plain", "application/x-yaml", "application/yaml", "text/yaml")
    if not is_admin(update, bot_state(context)):
        if not ours:
            return  # someone's photo-as-file: the usual "send text" hint answers it
        user = update.effective_user
        log.warning("refused a %s upload from non-admin user id %s",
                    name.rsplit(".", 1)[-1] if "." in name else "file",
                    user.id if user else "unknown")
        await reply_html(update, context, esc(NOT_FOR_YOU))
        raise ApplicationHandlerStop
    _user_data(context).pop(WAITING_KEY, None)
    if not ours:
        await reply_html(update, context, esc(WRONG_KIND))
        raise ApplicationHandlerStop
    data = await _download(update, context, doc)
    if data is not None:
        if name.endswith(DRAFT_SUFFIXES) or (not name.endswith(ARTICLE_SUFFIXES)
                                             and "yaml" in (doc.mime_type or "")):
            await _replace_draft(update, context, data)
        else:
            try:
                text = decode_article(data)
            except DraftError as exc:
                await _refuse(update, context, "That file cannot be drafted", exc)
            else:
                await _draft_text(update, context, text)
    raise ApplicationHandlerStop


async def publish_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/publish <id>``: the draft goes live through the validated reload, or nothing does."""
    if not is_admin(update, bot_state(context)):
        await refuse_admin(update, context)
        raise ApplicationHandlerStop
    _user_data(context).pop(WAITING_KEY, None)
    args = context.args or []
    if len(args) != 1:
        await reply_html(update, context, esc(PUBLISH_USAGE))
        raise ApplicationHandlerStop
    try:
        article_id = check_id(args[0])
        outcome = await asyncio.to_thread(_config(context).store.publish, article_id)
    except DraftError as exc:
        await _refuse(update, context, "Not published; still serving what was served", exc)
        raise ApplicationHandlerStop from None
    user = update.effective_user
    log.info("draft %s published by admin %s: %s", article_id, user.id if user else "?",
             "ok" if outcome.ok else f"failed with {len(outcome.errors)} error(s)")
    lead = (f"Published {article_id}: it is live now." if outcome.ok
            else f"{article_id} was not published.")
    await reply_html(update, context, [esc(lead), *preformatted(render_reload(outcome))])
    raise ApplicationHandlerStop


# -------------------------------------------------------------------------------- steps


async def _download(update: Update, context: ContextTypes.DEFAULT_TYPE,
                    doc: Document) -> bytes | None:
    """The file's bytes, or None after telling the admin why not (too large, unreachable)."""
    limit = _config(context).max_bytes
    if doc.file_size is not None and doc.file_size > limit:
        await reply_html(update, context, esc(
            f"That file is {_size(doc.file_size)}; an article or a draft is at most "
            f"{_size(limit)}. Nothing was changed."))
        return None
    try:
        file = await context.bot.get_file(doc.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("could not download an admin's upload: %s", exc)
        await reply_html(update, context, esc("I could not download that file; please send "
                                              "it again. Nothing was changed."))
        return None
    if len(data) > limit:
        await reply_html(update, context, esc(f"That file is over {_size(limit)}. Nothing was "
                                              "changed."))
        return None
    return data


async def _draft_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    try:
        text = decode_article(text.encode("utf-8"))
        summary = await asyncio.to_thread(_config(context).store.create, text)
    except DraftError as exc:
        await _refuse(update, context, "Nothing was drafted", exc)
        return
    user = update.effective_user
    log.info("draft %s made for admin %s", summary.article_id, user.id if user else "?")
    await _send_summary(update, context, summary, "Draft ready")


async def _replace_draft(update: Update, context: ContextTypes.DEFAULT_TYPE,
                         data: bytes) -> None:
    try:
        summary = await asyncio.to_thread(_config(context).store.replace, data)
    except DraftError as exc:
        await _refuse(update, context, "That draft was not kept; nothing was changed", exc)
        return
    await _send_summary(update, context, summary, "Edited draft kept")


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, lead: str,
                  exc: DraftError) -> None:
    await reply_html(update, context, [esc(f"{lead}:"), *preformatted(str(exc))])


async def _send_summary(update: Update, context: ContextTypes.DEFAULT_TYPE,
                        summary: DraftSummary, lead: str) -> None:
    await reply_html(update, context, render_summary(summary, lead))
    chat = update.effective_chat
    if chat is None:
        return
    message = update.effective_message
    try:
        await context.bot.send_document(
            chat.id, summary.yaml_path.read_bytes(), filename=f"{summary.article_id}.yaml",
            caption=esc(f"Edit it and send it back, or /publish {summary.article_id}"),
            reply_to_message_id=reply_target(chat, message), message_thread_id=topic_id(message))
    except (TelegramError, OSError) as exc:
        log.warning("could not send draft %s: %s", summary.article_id, exc)
        await reply_html(update, context, esc("I could not send the draft file; the draft is "
                                              f"kept as {summary.article_id}."))


def render_summary(summary: DraftSummary, lead: str) -> str:
    """The admin's overview of a draft, HTML."""
    lines = [f"<b>{esc(lead)}: {esc(summary.title)}</b>",
             f"id: <code>{esc(summary.article_id)}</code>", "",
             f"<b>People ({len(summary.people)})</b>"]
    for name, role in summary.people[:PEOPLE_SHOWN]:
        lines.append(f"\u2022 {esc(name)}" + (f" \u2014 {esc(role)}" if role else ""))
    if len(summary.people) > PEOPLE_SHOWN:
        lines.append(f"\u2026 and {len(summary.people) - PEOPLE_SHOWN} more")
    total = summary.quotes + summary.reported
    lines += ["", (f"<b>Statements ({total})</b>: {summary.quotes} quotes, "
                   f"{summary.reported} reported; {len(summary.reviews)} to review")]
    for speaker, note, text in summary.reviews[:REVIEWS_SHOWN]:
        short = text if len(text) <= 80 else text[:79] + "\u2026"
        lines.append(f"\u2022 {esc(speaker)}: <i>{esc(note)}</i> \u2014 \u201c{esc(short)}\u201d")
    if len(summary.reviews) > REVIEWS_SHOWN:
        lines.append(f"\u2026 and {len(summary.reviews) - REVIEWS_SHOWN} more (marked review: "
                     "in the file)")
    lines += ["", f"Edit the file and send it back, or /publish {esc(summary.article_id)}."]
    return "\n".join(lines)


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n // 1024} KiB"
