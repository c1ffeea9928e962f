"""Reply text in Telegram HTML: greetings, help, lists, and the reply to an engine result."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine import Match, Result, Status
from bot.knowledge import KnowledgeBase, Statement
from bot.markup import HTML, group_lines, line_blocks, text_blocks
from bot.render import library_extra_blocks, result_blocks
from bot.results import LibraryResult
from bot.telegram.keyboards import (
    AskQuestion,
    button_label,
    example_keyboard,
    example_question,
    example_statements,
    feedback_row,
    more_from_keyboard,
)

FEEDBACK_THANKS = "Thanks \u2014 noted."


def esc(text: str) -> str:
    """``text`` escaped for Telegram HTML."""
    return HTML.escape(text)


def render_start(kb: KnowledgeBase) -> str:
    """The /start greeting: what the bot knows and who is quoted."""
    articles = "; ".join(f"{HTML.bold(esc(a.title))} ({esc(a.outlet)})" for a in kb.articles)
    names = [p.name for p in kb.quoted_people()]
    quoted = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    lines = [f"Hello! I answer questions about the article {articles}."]
    if quoted:
        lines.append(esc(f"It quotes {quoted}. I reply with their words as the article gives "
                          "them."))
    lines += ["", esc("Ask in your own words, or tap an example:")]
    return "\n".join(lines)


def render_help(kb: KnowledgeBase, username: str | None) -> str:
    """The /help text: how to ask, with examples."""
    examples = [f"\u2022 {esc(example_question(s, kb))}" for s in example_statements(kb)]
    lines = [HTML.bold("How to ask"),
             esc("Write a question in your own words about the article. For example:"),
             *examples, "",
             esc("I answer only from the article and quote it word for word. If a question "
                  "could mean several things, I offer choices as buttons."), "",
             esc("/speakers \u2014 who is quoted"),
             esc("/topics \u2014 what the article covers"),
             esc("/about \u2014 the article, the outlet and the event")]
    if username:
        lines += ["", esc(f"In a group, mention @{username} or reply to one of my messages. "
                           f"In any chat, type @{username} and a name or subject to share a "
                           "quote.")]
    return "\n".join(lines)


def render_speakers(kb: KnowledgeBase) -> list[str]:
    """The /speakers text: quoted people with their main roles (in blocks, if many)."""
    people = kb.quoted_people()
    if not people:
        return [esc("The article quotes nobody.")]
    lines = [HTML.bold("People quoted in the article"), esc("Tap a name for what they said.")]
    lines += [f"\u2022 {HTML.bold(esc(p.name))}, {esc(p.role)}" for p in people]
    return group_lines(lines, HTML)


def render_topics(kb: KnowledgeBase) -> str:
    """The /topics heading."""
    if not kb.topics:
        return esc("The article has no topics listed.")
    return HTML.bold("Topics") + "\n" + esc("Tap a topic to hear what was said about it.")


def preformatted(text: str) -> list[str]:
    """``text`` escaped, in ``<pre>`` blocks (admin reports keep their columns), whole lines in
    each, as many as fit in one message."""
    return line_blocks(text.splitlines(), HTML, lambda lines: f"<pre>{lines}</pre>")


def compose_answer(result: Result, kb: KnowledgeBase, *, feedback: bool = False,
                   extra: Sequence[str] = (), shown: Sequence[str] | None = None,
                   ) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The HTML reply (in blocks) and buttons for one engine result; with ``feedback``, an
    answer (not a request to clarify, not "not in the article") also gets a 👍 👎 row.

    ``extra`` blocks follow an answer; after anything else they follow its lead, so that the
    choices offered come last, right above their buttons. ``shown``: the entries the 👍 👎
    rate, if not only the result's.
    """
    blocks = result_blocks(result, kb, HTML)
    if result.status is Status.ANSWER:
        blocks += extra
    else:  # "not in the article", then (extra) where else, then what to ask here
        lead = len(text_blocks(result.lead, HTML)) if result.lead else 0
        blocks[lead:lead] = extra
    if result.status is Status.ANSWER:
        more = more_from_keyboard(result, kb)
        rows = [list(row) for row in more.inline_keyboard] if more else []
        if feedback and (row := feedback_row(result, shown)):
            rows.append(row)
        return blocks or [esc(result.text)], InlineKeyboardMarkup(rows) if rows else None
    if result.suggestions:
        rows = [[InlineKeyboardButton(button_label(s.label or s.question),
                                      callback_data=AskQuestion(s.question))]
                for s in result.suggestions]
        return blocks, InlineKeyboardMarkup(rows)
    # no_answer (or clarify) without suggestions: say what the bot can answer, with examples
    hint = esc("I can answer questions about what the people quoted in the article said, "
                "and about the event. Try one of these:")
    return [*blocks, hint], example_keyboard(kb)


def compose_library_answer(replied: LibraryResult,
                           kb_of: Callable[[str], KnowledgeBase], *, qualified: bool = False,
                           ) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The HTML reply (in blocks) and buttons for a library's answer, read in order: the first
    article's reply, the other articles' replies, then one keyboard under all of them.

    The buttons are those of the first article's reply (the chat's article after it: a "More
    from" button shows its speaker there), and one 👍 👎 row rating the whole reply: every
    entry it showed, as ``<article id>/<entry id>`` if ``qualified`` (entry ids are an
    article's own: a library of several articles qualifies them).
    """
    first = replied.parts[0]
    shown = [f"{part.article.id}/{m.id}" if qualified else m.id
             for part in replied.parts for m in part.result.matches]
    return compose_answer(first.result, kb_of(first.article.id), feedback=True,
                          extra=library_extra_blocks(replied, kb_of, HTML), shown=shown)


def statement_result(statement: Statement) -> Result:
    """An answer made of one statement, as a button that shows it directly produces."""
    match = Match(statement.id, "statement", statement.speaker, 100.0)
    return Result("", Status.ANSWER, (match,), "", (), "")
