"""How reply text is marked up and cut into blocks: plain for the terminal, HTML for Telegram.

A block is a self-contained fragment of a reply (no tag opens in one block and closes in
another). An HTML block is never longer than one Telegram message: a longer text is cut here,
while it is still plain, and escaped after. :mod:`bot.render` decides what the blocks say.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

BLOCK_SEPARATOR = "\n\n"  # between blocks, in one message or on the terminal


@dataclass(frozen=True)
class Markup:
    """How to mark up text: plain for the terminal, HTML for Telegram."""

    escape: Callable[[str], str]
    bold: Callable[[str], str]
    italic: Callable[[str], str]
    quote: Callable[[str], str]  # a block quote
    block_limit: int | None = None  # the longest block, in UTF-16 units; None: no limit


PLAIN = Markup(
    escape=lambda text: text,
    bold=lambda text: text,
    italic=lambda text: text,
    quote=lambda text: f"\u201c{text}\u201d",
)
HTML = Markup(
    escape=lambda text: html.escape(text, quote=False),
    bold=lambda text: f"<b>{text}</b>",
    italic=lambda text: f"<i>{text}</i>",
    quote=lambda text: f"<blockquote>{text}</blockquote>",
    block_limit=4096,  # Telegram's limit for one message's text (MessageLimit.MAX_TEXT_LENGTH)
)


def units(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's message limits."""
    return len(text.encode("utf-16-le")) // 2


# After a sentence, else at a line break, else at a space: the best place to cut plain text.
_CUTS = (re.compile(r"[.!?\u2026][\"\u201d\u2019)\]]*\s+"), re.compile(r"\n+"), re.compile(r"\s+"))


def cut_plain(text: str, fits: Callable[[str], bool]) -> list[str]:
    """``text`` in consecutive pieces, each of which ``fits`` (or one character, if none does).

    ``fits`` must hold for every prefix of a piece that fits. A cut falls after a sentence if
    there is one in the second half of the piece, else at a line break, else at a space, else
    between two characters. The whitespace at a cut is dropped; nothing else is.
    """
    pieces: list[str] = []
    rest = text
    while rest and not fits(rest):
        low, high = 1, len(rest) - 1  # the longest prefix that fits, by bisection
        while low < high:
            middle = (low + high + 1) // 2
            if fits(rest[:middle]):
                low = middle
            else:
                high = middle - 1
        end = resume = low
        for boundary in _CUTS:
            found = [m for m in boundary.finditer(rest, low // 2, low + 1)
                     if m.start() > 0 and m.start() + (boundary is _CUTS[0]) <= low]
            if found:
                last = found[-1]
                end = last.start() + (len(last.group().rstrip()) if boundary is _CUTS[0] else 0)
                resume = last.end()
                break
        pieces.append(rest[:end])
        rest = rest[resume:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def text_blocks(text: str, m: Markup, wrap: Callable[[str], str] = lambda t: t, *,
                head: str = "", tail: str = "") -> list[str]:
    """``head + wrap(escape(text)) + tail`` as one block, or as several if that is longer than
    ``m.block_limit``: ``text`` is cut while plain, each piece wrapped, ``head`` on the first
    and ``tail`` on the last."""
    limit = m.block_limit
    whole = head + wrap(m.escape(text)) + tail
    if limit is None or units(whole) <= limit:
        return [whole]
    overhead = units(head) + units(tail)
    pieces = cut_plain(text, lambda piece: units(wrap(m.escape(piece))) + overhead <= limit)
    blocks = [wrap(m.escape(piece)) for piece in pieces]
    blocks[0], blocks[-1] = head + blocks[0], blocks[-1] + tail
    return blocks


def line_blocks(lines: Sequence[str], m: Markup,
                wrap: Callable[[str], str] = lambda t: t) -> list[str]:
    """Lines of plain text, escaped and grouped: each block ``wrap``s as many whole lines as
    ``m.block_limit`` allows (one block without a limit); a longer line is cut."""
    if m.block_limit is None:
        return [wrap(m.escape("\n".join(lines)))]
    groups: list[list[str]] = [[]]
    for line in lines:
        candidate = "\n".join([*groups[-1], line])
        if groups[-1] and units(wrap(m.escape(candidate))) > m.block_limit:
            groups.append([])
        groups[-1].append(line)
    return [block for group in groups for block in text_blocks("\n".join(group), m, wrap)]


def group_lines(lines: Sequence[str], m: Markup) -> list[str]:
    """Lines already marked up, each self-contained, grouped into blocks of as many whole
    lines as ``m.block_limit`` allows (a longer line is a block of its own)."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if groups[-1] and m.block_limit is not None and units(
                "\n".join([*groups[-1], line])) > m.block_limit:
            groups.append([])
        groups[-1].append(line)
    return ["\n".join(group) for group in groups if group]


def join_blocks(blocks: Iterable[str]) -> str:
    """Blocks as one text, a blank line between them (the terminal's form of a reply)."""
    return BLOCK_SEPARATOR.join(blocks)
