"""Replies as blocks: render cuts long plain text into blocks, the adapter packs whole blocks.

Pure tests of :mod:`bot.markup` and :mod:`bot.render`'s blocks and :func:`bot.telegram.sending.pack_blocks`; the
end-to-end path through the fake Bot API is in ``test_handlers.py``
(``test_long_reply_packs_whole_blocks_in_order``).
"""

from __future__ import annotations

import dataclasses
import html
from html.parser import HTMLParser

import pytest
from telegram.constants import MessageLimit

from bot.engine import Match, Result, Status
from bot.knowledge import KnowledgeBase, Statement, StatementKind
from bot.markup import HTML, PLAIN, cut_plain, line_blocks, units
from bot.render import render_result, result_blocks, statement_blocks
from bot.telegram.replies import preformatted
from bot.telegram.sending import pack_blocks

LIMIT = MessageLimit.MAX_TEXT_LENGTH


class _TagBalance(HTMLParser):
    """Records whether every end tag closes the innermost open one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.crossed = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.crossed = True

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def balanced(fragment: str) -> bool:
    """Whether ``fragment`` is HTML whose tags all close, in order, inside it."""
    parser = _TagBalance()
    parser.feed(fragment)
    parser.close()
    return not parser.crossed and not parser.open


def visible(fragment: str) -> str:
    """The text of ``fragment`` without its tags, entities decoded."""
    parser = _TagBalance()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.text)


def many_statements(kb: KnowledgeBase, count: int) -> KnowledgeBase:
    """``kb`` with ``count`` distinct quotes by the first statement's speaker."""
    template = kb.statements[0]
    words = "trade & <investment> grows \U0001f4c8 caf\u00e9 " * 12
    quotes = tuple(dataclasses.replace(template, id=f"q-{i}", text=f"Quote {i:03d}: {words}")
                   for i in range(count))
    return dataclasses.replace(kb, statements=quotes)


def answer_of(kb: KnowledgeBase, statements: tuple[Statement, ...]) -> Result:
    matches = tuple(Match(s.id, "statement", s.speaker, 90.0) for s in statements)
    return Result("q", Status.ANSWER, matches, "", (), "")


def test_a_many_quote_answer_packs_into_valid_messages_in_order(tiny_kb: KnowledgeBase) -> None:
    kb = many_statements(tiny_kb, 60)
    blocks = result_blocks(answer_of(kb, kb.statements), kb, HTML)
    assert all(balanced(b) for b in blocks)  # each block self-contained
    messages = pack_blocks(blocks)
    assert len(messages) > 2
    for message in messages:
        assert units(message) <= LIMIT and balanced(message)
    # every block whole in one message, in order: the messages are the blocks, regrouped
    assert "\n\n".join(messages) == "\n\n".join(blocks)
    assert all(any(b in m for m in messages) for b in blocks)
    shown = "".join(visible(m) for m in messages)
    positions = [shown.index(f"Quote {i:03d}:") for i in range(60)]
    assert positions == sorted(positions)
    # packed, not one block per message: all but the last are more than half full
    assert all(units(m) > LIMIT // 2 for m in messages[:-1])


def test_a_quote_longer_than_a_message_is_cut_in_plain_text(tiny_kb: KnowledgeBase) -> None:
    sentence = "Tariffs & <quotas> hurt \U0001f600 everyone, caf\u00e9 owners too. "
    text = sentence * 400  # ~24,000 units, escaped longer still
    statement = dataclasses.replace(tiny_kb.statements[0], text=text.strip())
    blocks = statement_blocks(statement, tiny_kb, HTML)
    assert len(blocks) > 5
    for block in blocks:
        assert units(block) <= LIMIT and balanced(block)
        assert block.startswith("<blockquote>")
    speaker = tiny_kb.person(statement.speaker).name
    assert [speaker in visible(b) for b in blocks] == [False] * (len(blocks) - 1) + [True]
    quoted = [visible(b).split("\n\u2014 ")[0] for b in blocks]
    assert all(q.endswith(".") for q in quoted)  # cut after a sentence
    assert " ".join(quoted) == text.strip()  # verbatim: only the spaces at the cuts are gone
    assert "".join(pack_blocks(blocks)) == "".join(blocks)  # each already one message
    assert len(statement_blocks(statement, tiny_kb, PLAIN)) == 1  # the terminal has no limit


def test_a_long_word_is_cut_between_characters_never_inside_an_entity() -> None:
    pieces = cut_plain("&" * 50, lambda p: len(html.escape(p)) <= 20)
    assert pieces == ["&" * 4] * 12 + ["&" * 2]


@pytest.mark.parametrize(("text", "size", "expected"), [
    ("Tiny one. Two three four five six.", 12, ["Tiny one.", "Two three", "four five", "six."]),
    ("A. Bcdefghijk", 12, ["A. Bcdefghij", "k"]),  # no cut in the first half: no tiny part
    ("line one\nline two\nline three", 20, ["line one\nline two", "line three"]),
    ("short", 20, ["short"]),
    ("", 20, [""]),
])
def test_cut_plain_prefers_sentences_then_lines_then_spaces(text: str, size: int,
                                                            expected: list[str]) -> None:
    assert cut_plain(text, lambda piece: len(piece) <= size) == expected


def test_the_terminal_gets_the_same_reply_in_one_text(tiny_kb: KnowledgeBase) -> None:
    kb = many_statements(tiny_kb, 30)
    result = answer_of(kb, kb.statements)
    text = render_result(result, kb, PLAIN)
    assert text == "\n\n".join(result_blocks(result, kb, PLAIN))
    assert text.count("\u201cQuote ") == 30 and text.count("& <investment>") == 30 * 12
    assert "&amp;" not in text and "<blockquote>" not in text  # plain, not escaped


def test_a_long_admin_report_is_several_pre_blocks_of_whole_lines() -> None:
    lines = [f"{i:4d}  what did <someone> say about trade & tariffs?" for i in range(400)]
    blocks = preformatted("\n".join(lines))
    assert len(blocks) > 2
    for block in blocks:
        assert block.startswith("<pre>") and block.endswith("</pre>")
        assert units(block) <= LIMIT and balanced(block)
    assert "\n".join(visible(b) for b in blocks) == "\n".join(lines)


def test_line_blocks_keep_lines_whole_and_cut_only_a_line_too_long() -> None:
    lines = ["short line", "x " * 3000, "last"]
    blocks = line_blocks(lines, HTML)
    assert blocks[0] == "short line" and blocks[-1] == "last"
    assert all(units(b) <= LIMIT for b in blocks) and len(blocks) == 4


@pytest.mark.parametrize(("text", "shown"), [
    ("we will meet at the end of next week, the diplomat said", "next week, the diplomat said."),
    ("they will gather \u201cat the end of next week.\u201d", "next week.\u201d"),
    ("is it over?", "over?"),
    ("we shall see\u2026", "see\u2026"),
    # the article's own marks around all the words, and its comma before "the president said"
    ("\u201cThis is a truly historic event. It will last for generations,\u201d", "generations."),
    ("controlled by the gang,", "the gang."),
])
def test_a_quote_ends_with_one_full_stop(tiny_kb: KnowledgeBase, text: str, shown: str) -> None:
    statement = dataclasses.replace(tiny_kb.statements[0], text=text, kind=StatementKind.QUOTE)
    (block,) = statement_blocks(statement, tiny_kb, PLAIN)
    quoted = block.split("\n\u2014 ")[0]
    assert quoted.endswith((shown + "\u201d", shown))
    assert not quoted.rstrip("\u201d").endswith((".\u201d.", "?.", "\u2026.", ",."))
    assert not quoted.startswith("\u201c\u201c")
