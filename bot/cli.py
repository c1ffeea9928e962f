"""The ``article-bot`` command line: ask, chat, check, eval, run, unanswered, stats.

A thin edge over the engine: it turns domain errors (bad settings, an invalid knowledge base)
into one clean message and an exit code, and never shows a traceback for them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.conversation import EMPTY, Context
from bot.conversation import ask as ask_in_context
from bot.engine import Engine, Result
from bot.evaluation import (
    EvalError,
    article_cases,
    combined,
    evaluate,
    evaluate_blind,
    evaluate_conversations,
    evaluate_folder,
    format_conversation_report,
    format_folder_report,
    format_report,
    is_blind_file,
    is_conversation_file,
    load_blind,
    load_conversations,
    load_eval,
)
from bot.knowledge import KnowledgeBase, KnowledgeError, inspect_knowledge, load_knowledge
from bot.library import Library
from bot.logging_setup import configure_logging
from bot.render import PLAIN, render_article_list
from bot.results import LibraryResult
from bot.semantic import MiniLM, SemanticModelError, shared_model
from bot.settings import Settings, SettingsError, load_settings

EXIT_OK = 0
EXIT_FAILED = 1  # a check or an evaluation that did not pass
EXIT_USAGE = 2  # bad settings, an unloadable knowledge base, no terminal for chat


class CliError(Exception):
    """An error to show as one line (or a few ``file:line:`` lines) and exit with a code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = args.handler(args)
        return code
    except CliError as exc:
        print(f"article-bot: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # "article-bot ask ... | head": the reader left; so do we, quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="article-bot",
        description="Answers questions about a news article from a YAML knowledge base.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def knowledge_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--knowledge", metavar="PATH",
                       help="knowledge folder (default: KNOWLEDGE_PATH or knowledge/)")

    def cache_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--cache", metavar="DIR",
                       help="keep built article indexes in DIR across runs (a large archive "
                            "then starts in seconds); default: built in memory each run")

    ask = sub.add_parser("ask", help="answer one question (or, with --json, stdin lines)")
    ask.add_argument("question", nargs="?", help="the question; omit with --json to read stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    knowledge_option(ask)
    cache_option(ask)
    ask.set_defaults(handler=_cmd_ask)

    chat = sub.add_parser("chat", help="chat with the bot in the terminal, offline")
    knowledge_option(chat)
    cache_option(chat)
    chat.set_defaults(handler=_cmd_chat)

    check = sub.add_parser("check", help="validate a knowledge base (errors and warnings)")
    check.add_argument("path", nargs="?", help="knowledge folder or file (default: knowledge/)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(handler=_cmd_check)

    evaluate = sub.add_parser("eval", help="run an evaluation question file")
    evaluate.add_argument("file", help="a question file (by id or blind), or a folder of "
                          "<article>/knowledge/ + <article>/questions.yaml")
    evaluate.add_argument("--min", type=float, default=None, metavar="PCT",
                          help="exit non-zero if overall accuracy is below PCT")
    evaluate.add_argument("--max-misattributions", type=int, default=0, metavar="N",
                          help="with --min: exit non-zero above N misattributions (default 0)")
    knowledge_option(evaluate)
    evaluate.set_defaults(handler=_cmd_eval)

    draft = sub.add_parser("draft", help="draft a knowledge base from an article's text")
    draft.add_argument("article", help="a text file: the title on the first line, then the "
                                       "paragraphs")
    draft.add_argument("--out", metavar="DIR", help="knowledge folder to write into (default: "
                                                    "KNOWLEDGE_PATH or knowledge/)")
    draft.add_argument("--id", help="the article id (default: from the file name)")
    draft.add_argument("--outlet", default="", help="the outlet that published it")
    draft.add_argument("--url", default="", help="where it was published")
    draft.add_argument("--date", default="", help="when it was published")
    draft.set_defaults(handler=_cmd_draft)

    run = sub.add_parser("run", help="run the Telegram bot (offline chat without a token)")
    run.set_defaults(handler=_cmd_run)

    unanswered = sub.add_parser("unanswered", help="questions the bot could not answer")
    unanswered.add_argument("--limit", type=int, default=20)
    unanswered.set_defaults(handler=_cmd_unanswered)

    stats = sub.add_parser("stats", help="question statistics")
    stats.add_argument("--since", help="a date (2026-11-01), or 7d / 24h")
    stats.set_defaults(handler=_cmd_stats)
    return parser


# ------------------------------------------------------------------------------- helpers


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise CliError(str(exc)) from None


def _knowledge_path(args: argparse.Namespace) -> Path:
    given = getattr(args, "knowledge", None)
    return Path(given) if given else _settings().knowledge_path


def _engine_for(kb: KnowledgeBase) -> Engine:
    return Engine(kb, _model())


def _model() -> MiniLM:
    try:
        return shared_model()
    except SemanticModelError as exc:
        raise CliError(str(exc)) from None


def _engine(path: Path) -> Engine:
    try:
        return _engine_for(load_knowledge(path))
    except KnowledgeError as exc:
        raise CliError("the knowledge base is invalid:\n" + str(exc)) from None


def _library(path: Path, cache: str | None = None) -> Library:
    try:
        return Library.load(path, _model(), cache_dir=cache)
    except KnowledgeError as exc:
        raise CliError("the knowledge base is invalid:\n" + str(exc)) from None


def result_json(result: Result | LibraryResult) -> dict[str, Any]:
    """The JSON form of a result, as ``ask --json`` writes it (with a library's, the
    article of the reply, the matches of every article shown, and what else answers)."""
    if isinstance(result, LibraryResult):
        return {
            "question": result.question,
            "status": result.status.value,
            "text": result.text,
            "article": result.article.id,
            "matches": [{"id": m.id, "kind": m.kind, "speaker": m.speaker, "score": m.score,
                         "article": part.article.id}
                        for part in result.parts for m in part.result.matches],
            "more": result.more,
            "elsewhere": [a.id for a in result.elsewhere],
        }
    return {
        "question": result.question,
        "status": result.status.value,
        "text": result.text,
        "matches": [{"id": m.id, "kind": m.kind, "speaker": m.speaker, "score": m.score}
                    for m in result.matches],
    }


# ------------------------------------------------------------------------------- commands


def _cmd_ask(args: argparse.Namespace) -> int:
    library = _library(_knowledge_path(args), args.cache)
    if args.question is not None:
        result = library.ask(args.question)
        if args.json:
            print(json.dumps(result_json(result), ensure_ascii=False))
        else:
            print(result.text)
        return EXIT_OK
    if not args.json:
        raise CliError("ask needs a QUESTION (or --json to read questions from stdin)")
    sessions: dict[str, tuple[str | None, Context]] = {}
    for line in sys.stdin:
        question, session = _ask_line(line.rstrip("\r\n"))
        if session is None:
            result = library.ask(question)
        else:  # lines of one session share a conversation (and its article), in order
            current, context = sessions.get(session, (None, EMPTY))
            result, context = library.converse(question, current, context)
            sessions[session] = (result.article.id, context)
        print(json.dumps(result_json(result), ensure_ascii=False), flush=True)
    return EXIT_OK


def _ask_line(line: str) -> tuple[str, str | None]:
    """A plain question, or ``{"session": "s1", "question": "..."}`` (a conversation's turn)."""
    if line.lstrip().startswith("{"):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return line, None
        if isinstance(data, dict) and isinstance(data.get("question"), str):
            session = data.get("session")
            return data["question"], str(session) if session is not None else None
    return line, None


def _cmd_chat(args: argparse.Namespace) -> int:
    return chat(_library(_knowledge_path(args), args.cache), sys.stdin, sys.stdout)


CHAT_HELP = ("Ask a question about the article, e.g. the ones above; follow-ups such as \"and "
             "what else did he say?\" or \"who is he?\" refer to the last answer. A number "
             "picks one of the suggestions shown last; 'quit' or Ctrl-D leaves.")
LIBRARY_HELP = (" A question naming someone finds their article; 'articles' lists the articles "
                "and 'use ID' chooses the one that questions naming no one are about.")
_USE = re.compile(r"^\s*/?(?:use|start|article)\s+(?P<id>\S+)\s*$", re.IGNORECASE)


def chat(library: Library | Engine, stdin: TextIO, stdout: TextIO, *, banner: str = "") -> int:
    """An interactive terminal chat with follow-ups. A number picks a suggestion shown last.

    Over a library of several articles, the chat has a current article (chosen with
    ``use ID``, or the last one answered) that questions naming no one are about.
    """
    if not isinstance(library, Library):
        library = Library.single(library)
    current = library.default_article
    article = library.find(current)
    assert article is not None
    many = len(library.cards) > 1
    interactive = stdin.isatty()
    if banner:
        print(banner, file=stdout)
    if many:
        print(f"{len(library.cards):,} articles; the newest: \u201c{article.title}\u201d "
              f"({article.outlet}). 'articles' lists them; 'use ID' chooses one.", file=stdout)
    print(f"Ask me about \u201c{article.title}\u201d ({article.outlet}). "
          "Type a question; a number picks a suggestion; 'help' explains; 'quit' or Ctrl-D "
          "leaves.", file=stdout)
    examples = library.engine(current).examples
    print("Try: " + " \u00b7 ".join(s.question for s in examples), file=stdout)
    suggestions = list(examples)
    context = EMPTY
    while True:
        if interactive:
            print("\n> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            print(file=stdout)
            return EXIT_OK
        question = line.strip()
        if question.lower() in {"quit", "exit", "/quit", "/exit", ":q"}:
            return EXIT_OK
        if question.lower() in {"help", "/help", "?", "/start"}:
            print(CHAT_HELP + (LIBRARY_HELP if many else ""), file=stdout, flush=True)
            continue
        if question.lower() in {"articles", "/articles"}:
            print(render_article_list(library.articles, PLAIN, current=current), file=stdout,
                  flush=True)
            continue
        chosen = _USE.match(question)
        if chosen and library.find(chosen["id"]):
            current, context = chosen["id"], EMPTY
            article = library.find(current)
            assert article is not None
            print(f"Now about \u201c{article.title}\u201d ({article.outlet}).", file=stdout,
                  flush=True)
            continue
        if question.isdigit():
            if not 1 <= int(question) <= len(suggestions):
                print(_pick_hint(len(suggestions)), file=stdout, flush=True)
                continue
            question = suggestions[int(question) - 1].question
            print(f"({question})", file=stdout)
        result, context = library.converse(question, current, context)
        current = result.article.id
        text = result.text
        shown = [s for part in result.parts for s in part.result.suggestions]
        if shown:
            suggestions = shown
            text += "\n" + _pick_hint(len(suggestions))
        print(text, file=stdout, flush=True)


def _pick_hint(count: int) -> str:
    if count == 1:
        return "Type 1 to ask it."
    return f"Type a number from 1 to {count} to ask one of these."


def _cmd_check(args: argparse.Namespace) -> int:
    path = Path(args.path) if args.path else _settings().knowledge_path
    kb, problems = inspect_knowledge(path)
    for problem in problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if kb is None:
        print(f"{path}: {errors} error(s), {warnings} warning(s): not loadable", file=sys.stderr)
        return EXIT_FAILED
    print(f"{path}: OK \u2014 {len(kb.files)} file(s), {len(kb.statements)} statements, "
          f"{len(kb.people)} people, {len(kb.topics)} topics, {len(kb.facts)} facts; "
          f"{warnings} warning(s)")
    return EXIT_FAILED if args.strict and warnings else EXIT_OK


MAX_ARTICLE_BYTES = 1 << 20  # an article is text; a larger file is not one


def _cmd_draft(args: argparse.Namespace) -> int:
    from bot.drafting import draft
    from bot.drafting_yaml import to_yaml_data

    source = Path(args.article)
    try:
        if source.stat().st_size > MAX_ARTICLE_BYTES:
            raise CliError(f"{source}: over {MAX_ARTICLE_BYTES // 1024} KiB: not an article")
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{source}: cannot read: {exc}") from None
    if "\x00" in text or not text.strip():
        raise CliError(f"{source}: not a text article")
    article_id = args.id or re.sub(r"[^a-z0-9]+", "-", source.stem.casefold()).strip("-")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", article_id or ""):
        raise CliError(f"--id: {article_id!r} must be lower case letters, digits and -")
    out = Path(args.out) if args.out else _settings().knowledge_path
    result = draft(text)
    if not result.statements:
        raise CliError(f"{source}: no quote or statement found; nothing drafted", EXIT_FAILED)
    data = to_yaml_data(result, article_id, f"sources/{article_id}.txt", outlet=args.outlet,
                        url=args.url, date=args.date)
    yaml_path, text_path = out / f"{article_id}.yaml", out / "sources" / f"{article_id}.txt"
    if yaml_path.exists() or text_path.exists():
        raise CliError(f"{yaml_path} or {text_path} exists already: choose another --id")
    header = (f"# Drafted by article-bot from {source.name}: review every entry, above all the "
              "ones marked review:,\n# then run article-bot check.\n")
    text_path.parent.mkdir(parents=True, exist_ok=True)
    text_path.write_text(text, encoding="utf-8")
    yaml_path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                                 width=99), encoding="utf-8")
    kb, problems = inspect_knowledge(out)
    errors = [p for p in problems if p.severity == "error"]
    if kb is None or errors:
        yaml_path.unlink(missing_ok=True)  # nothing half-drafted is left to serve
        text_path.unlink(missing_ok=True)
        raise CliError("the draft does not load, so it was not kept:\n"
                       + "\n".join(str(p) for p in errors[:10]), EXIT_FAILED)
    marks = sum(1 for s in data["statements"] if "review" in s)
    print(f"{yaml_path}: {len(data['people'])} people, {len(data['statements'])} statements "
          f"({marks} to review), {len(data['topics'])} topics, {len(data['facts'])} facts; "
          f"source {text_path}")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.token:
        from bot.telegram_app import run_bot  # imported here: offline commands need no PTB

        configure_logging(settings.log_level, settings.secrets)
        for warning in settings.warnings:
            logging.getLogger(__name__).warning("%s", warning)
        return run_bot(settings)
    if not sys.stdin.isatty():
        raise CliError("TELEGRAM_BOT_TOKEN is not set and there is no terminal for the offline "
                       "chat: set the token in the environment or .env")
    return chat(_library(settings.knowledge_path), sys.stdin, sys.stdout,
                banner="No TELEGRAM_BOT_TOKEN set: chatting offline. To go live, put "
                       "TELEGRAM_BOT_TOKEN=<token from @BotFather> in .env and run make run.")


def _question_log(settings: Settings) -> Any:
    from bot.storage import QuestionLog, StorageError

    if not settings.data_path.exists():
        raise CliError(f"no question log yet at {settings.data_path} (DATA_PATH): the Telegram "
                       "bot writes it as people ask; the offline chat and ask do not",
                       EXIT_FAILED)
    try:
        return QuestionLog(settings.data_path)
    except StorageError as exc:
        raise CliError(str(exc)) from None


def _cmd_unanswered(args: argparse.Namespace) -> int:
    from bot.reports import format_unanswered

    settings = _settings()
    with _question_log(settings) as log:
        groups, disliked = log.unanswered(limit=args.limit), log.disliked(limit=args.limit)
    print(format_unanswered(groups, disliked, _entry_speakers(settings.knowledge_path)))
    return EXIT_OK


def _entry_speakers(path: Path) -> dict[str, str]:
    """Person and statement ids -> whom they are about or quote, for the 👎 listing."""
    try:
        kb = load_knowledge(path)
    except KnowledgeError:
        return {}
    people = {p.id: p.name for p in kb.people}
    return people | {s.id: people.get(s.speaker, s.speaker) for s in kb.statements}


def _cmd_stats(args: argparse.Namespace) -> int:
    from bot.reports import format_stats
    from bot.storage import parse_since

    settings = _settings()
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        raise CliError(f"--since: {exc}") from None
    names, titles = _display_names(settings.knowledge_path)
    with _question_log(settings) as log:
        print(format_stats(log.stats(since=since), names, titles,
                           served=len(titles) if titles else None))
    return EXIT_OK


def _display_names(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """People's and topics' names, and articles' titles, by id (nothing if it does not load)."""
    try:
        kb = load_knowledge(path)
    except KnowledgeError:
        return {}, {}
    names = {**{p.id: p.name for p in kb.people}, **{t.id: t.name for t in kb.topics}}
    return names, {a.id: a.title for a in kb.articles}


def _cmd_eval(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        if path.is_dir():
            reports = evaluate_folder(article_cases(path), _engine_for)
            report = combined(reports)
            print(format_folder_report(reports))
        elif is_conversation_file(path):
            engine = _engine(_knowledge_path(args))
            known = {a.id for a in engine.kb.articles}
            every = load_conversations(path)
            conversations = [c for c in every if not c.article or c.article in known]
            if len(conversations) < len(every):
                print(f"({len(every) - len(conversations)} of {len(every)} conversations are "
                      "about articles this knowledge base does not hold: skipped)")
            played = evaluate_conversations(conversations, {
                c.article: engine for c in conversations}, ask_in_context, EMPTY)
            report = played.turns
            print(format_conversation_report(played))
        elif is_blind_file(path):
            report = evaluate_blind(_engine(_knowledge_path(args)), load_blind(path))
            print(format_report(report))
        else:
            report = evaluate(_engine(_knowledge_path(args)), load_eval(path))
            print(format_report(report))
    except EvalError as exc:
        raise CliError(str(exc)) from None
    except KnowledgeError as exc:
        raise CliError("a knowledge base is invalid:\n" + str(exc)) from None
    if args.min is not None and (report.accuracy < args.min
                                 or len(report.misattributions) > args.max_misattributions):
        print(f"FAILED: accuracy {report.accuracy:.1f}% (minimum {args.min:.1f}%), "
              f"{len(report.misattributions)} misattribution(s)", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
