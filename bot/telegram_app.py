"""The Telegram adapter's composition root: build the application, then run it.

:func:`build_application` wires settings, the knowledge service and the question log into one
python-telegram-bot ``Application`` with every handler registered; tests build the very same
application. :func:`run_bot` opens what it needs and runs it with long polling or a webhook.
The handlers themselves live in :mod:`bot.telegram`, one module per concern.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import signal
from collections.abc import Callable, Coroutine, Iterable
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeChat, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    InvalidCallbackData,
    JobQueue,
    MessageHandler,
    PrefixHandler,
    filters,
)

from bot.inbox import Inbox, InboxError
from bot.knowledge import KnowledgeError
from bot.logging_setup import RedactingFormatter
from bot.semantic import SemanticModelError
from bot.service import KnowledgeService
from bot.serving import serve
from bot.settings import Settings
from bot.storage import QuestionLog, StorageError
from bot.telegram import (
    admin,
    articles,
    buttons,
    commands,
    drafts,
    errors,
    inline,
    keyboards,
    questions,
)
from bot.telegram.persistence import forget_expired, open_persistence
from bot.telegram.retrying import RetryingRateLimiter
from bot.telegram.state import STATE_KEY, BotState
from bot.update_sources import ListenError

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = (
    BotCommand("start", "What I know, with examples"),
    BotCommand("help", "How to ask"),
    BotCommand("about", "The article, the outlet and the event"),
    BotCommand("speakers", "Who is quoted"),
    BotCommand("topics", "What the article covers"),
    BotCommand("articles", "The articles I know; choose one"),
)
ADMIN_COMMANDS = (
    BotCommand("reload", "Re-read the knowledge base"),
    BotCommand("unanswered", "Questions that got no answer"),
    BotCommand("stats", "Usage counts [since, e.g. 7d]"),
    BotCommand("draft", "Draft a knowledge base from an article"),
    BotCommand("publish", "Publish a reviewed draft: /publish <id>"),
)
ALLOWED_UPDATES = (Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY,
                   Update.INLINE_QUERY)
# A text starting with a command, as Telegram would mark it with a bot_command entity:
# /name or /name@bot_username. Anchored: filters.Regex searches, and "and/or" is no command.
_TEXT_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?![A-Za-z0-9_@])")
_SIGHUP_KEY = "article_bot_sighup"
_REQUEST_LOGGERS = ("httpx", "httpcore")


CommandCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
BotApplication = Application[ExtBot[int], ContextTypes.DEFAULT_TYPE, dict[Any, Any],
                             dict[Any, Any], dict[Any, Any], JobQueue[ContextTypes.DEFAULT_TYPE]]


class _ForThisBot(filters.MessageFilter):
    """A text starting ``/name@this_bot`` with no ``bot_command`` entity (some emulators send
    none): one of ``names``, addressed to this bot, whose username getMe has told us. A data
    filter: the words after the command become ``context.args``, as for ``CommandHandler``."""

    __slots__ = ("names",)

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(name="ForThisBot", data_filter=True)
        self.names = frozenset(n.lower() for n in names)

    def filter(self, message: Message) -> dict[str, list[str]] | None:
        """``{"args": [...]}`` for such a command, else None."""
        words = (message.text or "").split()
        match = _TEXT_COMMAND.fullmatch(words[0]) if words else None
        if match is None or match.group(2) is None or match.group(1).lower() not in self.names:
            return None
        if match.group(2).lower() != (message.get_bot().username or "").lower():
            return None  # /name@another_bot is not for us
        return {"args": words[1:]}


def file_base_url(api_base_url: str) -> str:
    """The Bot API file URL that goes with ``api_base_url`` (``.../bot`` -> ``.../file/bot``)."""
    if "/bot{token}" in api_base_url:
        return api_base_url.replace("/bot{token}", "/file/bot{token}", 1)
    if api_base_url.rstrip("/").endswith("/bot"):
        return api_base_url.rstrip("/")[: -len("/bot")] + "/file/bot"
    parts = urlsplit(api_base_url)
    return f"{parts.scheme}://{parts.netloc}/file/bot"


class _RedactSecrets(logging.Filter):
    """Rewrites records of the request loggers so no handler ever sees the token.

    httpx logs every request URL, and the URL holds the token. The root handler of
    :func:`bot.logging_setup.configure_logging` redacts too; this covers any other handler
    (a test's caplog, a user's own logging config).
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self._formatter = RedactingFormatter()

    def add(self, secrets: Iterable[str]) -> None:
        """Also redact ``secrets``."""
        self.secrets.update(s for s in secrets if s)
        self._formatter = RedactingFormatter(secrets=tuple(self.secrets))

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's message in place; never drop it."""
        message = record.getMessage()
        redacted = self._formatter.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _redact_request_logs(secrets: Iterable[str]) -> None:
    """Install (once per logger) the filter that keeps the token out of request log lines."""
    wanted = tuple(secrets)
    for name in _REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        existing = next((f for f in logger.filters if isinstance(f, _RedactSecrets)), None)
        if existing is None:
            existing = _RedactSecrets()
            logger.addFilter(existing)
        existing.add(wanted)


def build_application(settings: Settings, service: KnowledgeService,
                      question_log: QuestionLog | None = None,
                      inbox: Inbox | None = None) -> BotApplication:
    """Build the bot: settings, knowledge, question log and inbox in; every handler
    registered. Updates come from :func:`bot.serving.serve`, not from PTB's updater."""
    token = settings.require_token()
    _redact_request_logs(settings.secrets)
    bot: ExtBot[int] = ExtBot(token, base_url=settings.api_base_url,
                              base_file_url=file_base_url(settings.api_base_url),
                              rate_limiter=RetryingRateLimiter(),
                              arbitrary_callback_data=keyboards.CALLBACK_CACHE_SIZE,
                              defaults=Defaults(parse_mode=ParseMode.HTML))  # replies are HTML
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .updater(None)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    persistence = open_persistence(settings.state_path)  # conversations, what buttons mean
    if persistence is not None:
        builder = builder.persistence(persistence)
    application = builder.build()
    application.bot_data[STATE_KEY] = BotState(service, question_log, settings.admin_ids,
                                               inbox=inbox)
    add_handlers(application, settings.admin_ids)
    drafts.install(application, settings, functools.partial(  # /draft, /publish, uploads
        _add_command, application, group=drafts.HANDLER_GROUP))
    return application


def add_handlers(application: BotApplication, admin_ids: frozenset[int]) -> None:
    """Register every handler, in the order that decides which one gets an update."""
    new = filters.UpdateType.MESSAGE  # an edited command is not run again
    command = functools.partial(_add_command, application)
    command("start", commands.start, new)
    command("help", commands.help_command, new)
    command("about", commands.about, new)
    command("speakers", commands.speakers, new)
    command("topics", commands.topics, new)
    command("articles", articles.articles_command, new)

    # Admin commands: gated by user id here, and the handlers check again. The refusal handler
    # comes after them, so it only sees the admin commands of everyone else.
    admins = filters.User(user_id=admin_ids, allow_empty=False)
    command("reload", admin.reload_command, new & admins)
    command("unanswered", admin.unanswered_command, new & admins)
    command("stats", admin.stats_command, new & admins)
    command([c.command for c in ADMIN_COMMANDS], admin.refuse_admin, new)

    # Buttons, by the class of their callback data object (bot.telegram.keyboards); a button
    # the callback data cache no longer knows, or anything else, is out of date: a notice.
    for kind, callback in ((keyboards.ShowStatement, buttons.show_statement),
                           (keyboards.ShowPerson, buttons.show_person),
                           (keyboards.AskTopic, buttons.ask_topic),
                           (keyboards.AskQuestion, buttons.ask_question),
                           (keyboards.Feedback, buttons.feedback)):
        application.add_handler(CallbackQueryHandler(callback, pattern=kind))
    application.add_handler(CallbackQueryHandler(buttons.stale_button,
                                                 pattern=InvalidCallbackData))
    application.add_handler(CallbackQueryHandler(articles.choose_article,
                                                 pattern=articles.ChooseArticle))
    application.add_handler(CallbackQueryHandler(buttons.stale_button))
    application.add_handler(InlineQueryHandler(inline.inline_query))

    # Questions: after the commands, so "/start" is never taken for a question, even when
    # it comes without its bot_command entity.
    slash_command = filters.COMMAND | filters.Regex(_TEXT_COMMAND)
    text = filters.TEXT & ~slash_command
    application.add_handler(MessageHandler(new & text, questions.ask))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & text,
                                           questions.edited_question))
    # Private chats only: in a group, stickers and unknown commands are not meant for the bot.
    private = filters.ChatType.PRIVATE & new
    application.add_handler(MessageHandler(private & slash_command, commands.unknown_command))
    application.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                                           questions.not_text))

    application.add_error_handler(errors.error_handler)


def _add_command(application: BotApplication, names: str | list[str],
                 callback: CommandCallback,
                 only: filters.BaseFilter, *, group: int = 0) -> None:
    """Register ``callback`` for the commands ``names``, with or without a bot_command entity.

    Telegram marks a command with that entity, and ``CommandHandler`` relies on it; some
    emulators send none. Then ``PrefixHandler`` takes "/name ..." (it compares the first word
    whole) and :class:`_ForThisBot` "/name@this_bot ...".
    """
    listed = [names] if isinstance(names, str) else names
    bare = only & ~filters.COMMAND
    application.add_handlers([CommandHandler(listed, callback, filters=only),
                              PrefixHandler("/", listed, callback, filters=bare),
                              MessageHandler(bare & _ForThisBot(listed), callback)], group=group)


async def post_init(application: BotApplication) -> None:
    """Start-up work: expired conversations dropped, command menus (tolerating a server
    without them) and SIGHUP reload."""
    state: BotState = application.bot_data[STATE_KEY]
    forget_expired(application)  # conversations saved before the restart that are too old now
    bot = application.bot
    try:
        await bot.set_my_commands(PUBLIC_COMMANDS)
    except TelegramError as exc:  # an emulator without setMyCommands must not stop start-up
        log.warning("could not set the command menu (%s); continuing without it", exc)
    else:
        for admin_id in sorted(state.admin_ids):
            try:
                await bot.set_my_commands(PUBLIC_COMMANDS + ADMIN_COMMANDS,
                                          scope=BotCommandScopeChat(admin_id))
            except TelegramError as exc:  # e.g. the admin has never opened a chat with the bot
                log.info("could not set the admin command menu for %s: %s", admin_id, exc)
    _install_sighup(application)


async def post_shutdown(application: BotApplication) -> None:
    """Undo what post_init set up on the event loop."""
    if application.bot_data.pop(_SIGHUP_KEY, False):
        try:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        except (NotImplementedError, RuntimeError, ValueError):
            pass


def _install_sighup(application: BotApplication) -> None:
    """Reload the knowledge base on SIGHUP, where the platform and the loop allow it."""
    sighup = getattr(signal, "SIGHUP", None)
    if sighup is None:
        return
    try:
        asyncio.get_running_loop().add_signal_handler(sighup, _on_sighup, application)
    except (NotImplementedError, RuntimeError, ValueError) as exc:  # Windows, not main thread
        log.info("SIGHUP reload not available: %s", exc)
        return
    application.bot_data[_SIGHUP_KEY] = True


def _on_sighup(application: BotApplication) -> None:
    """Signal callback: start the reload as a task (the callback itself must not block)."""
    log.info("SIGHUP received: reloading the knowledge base")
    application.create_task(reload_on_signal(application))


async def reload_on_signal(application: BotApplication) -> None:
    """Reload the knowledge base in a worker thread and log the outcome."""
    state: BotState = application.bot_data[STATE_KEY]
    outcome = await admin.reload_knowledge(state.service)
    summary = admin.render_reload(outcome).replace("\n", "; ")
    log.log(logging.INFO if outcome.ok else logging.WARNING, "SIGHUP reload: %s", summary)


def run_bot(settings: Settings) -> int:
    """Run the bot until stopped: long polling, or a webhook if WEBHOOK_URL is set.

    Returns the process exit status: 0 after a clean stop; 2 if it cannot start: the knowledge
    base is invalid, the inbox cannot be opened, the Bot API cannot be reached or rejects the
    token (or a start-up call); 1 if the webhook server cannot listen. A failed start is one
    log line with what to check, never a traceback.
    """
    try:
        service = KnowledgeService.load(settings.knowledge_path,
                                        cache_dir=settings.index_cache_path)
    except KnowledgeError as exc:
        log.error("cannot load the knowledge base at %s:", settings.knowledge_path)
        for problem in exc.problems:
            log.error("  %s", problem)
        return 2
    except SemanticModelError as exc:
        log.error("cannot start: %s", exc)
        return 2
    try:
        inbox = Inbox(settings.inbox_path, synchronous=settings.inbox_sync)
    except InboxError as exc:  # no inbox, no promise that a crash loses nothing: refuse
        log.error("INBOX_PATH: %s", exc)
        return 2
    try:
        question_log: QuestionLog | None = QuestionLog(settings.data_path)
    except StorageError as exc:
        log.warning("running without the question log: %s", exc)
        question_log = None
    application = build_application(settings, service, question_log, inbox)
    try:
        if settings.webhook_url:
            log.info("starting in webhook mode on %s:%s", settings.webhook_listen,
                     settings.webhook_port)
        else:
            log.info("starting with long polling")
        asyncio.run(serve(application, settings, inbox, ALLOWED_UPDATES))
    except InvalidToken:
        log.error("TELEGRAM_BOT_TOKEN: rejected by the Bot API (revoked or mistyped?); check "
                  "it with @BotFather (/mybots, API Token)")
        return 2
    except BadRequest as exc:  # a NetworkError to PTB, but the server answered: it refused
        return _refused_at_start_up(settings, exc)
    except NetworkError as exc:  # refused, DNS, TLS, timeout (TimedOut is a NetworkError)
        log.error("cannot reach the Bot API at %s (%s); check the network, a proxy "
                  "(HTTPS_PROXY) or TELEGRAM_API_BASE_URL", settings.api_base_url,
                  exc.message or type(exc).__name__)
        return 2
    except ListenError as exc:
        log.error("WEBHOOK_LISTEN, WEBHOOK_PORT: %s", exc)
        return 1
    except TelegramError as exc:  # another refusal (Forbidden, Conflict)
        return _refused_at_start_up(settings, exc)
    finally:
        if question_log is not None:
            question_log.close()
        inbox.close()
    log.info("stopped")
    return 0


def _refused_at_start_up(settings: Settings, exc: TelegramError) -> int:
    """Log a start-up call the Bot API refused (e.g. setWebhook for a bad URL); exit status."""
    hint = "; check WEBHOOK_URL" if settings.webhook_url else ""
    log.error("cannot start: the Bot API refused a start-up call (%s)%s", exc.message, hint)
    return 2
