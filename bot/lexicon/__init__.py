"""General knowledge of English, shared by every article: word lists as data, not code.

Each ``*.txt`` file here is one list, reviewed like code: ``#`` starts a comment, words are
separated by white space. Most lists are the team's own (no published list is copied); where one
comes from a published source, its header says which and under what licence. The lists are
package data, read once on first use.
"""

from __future__ import annotations

import functools
from importlib import resources


def _lines(name: str) -> list[list[str]]:
    text = resources.files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    rows = [line.split("#", 1)[0].split() for line in text.splitlines()]
    return [row for row in rows if row]


@functools.cache
def words(name: str) -> frozenset[str]:
    """Every word of a list (``stopwords``, ``soft_words``, ``greetings``, ...)."""
    return frozenset(word for row in _lines(name) for word in row)


@functools.cache
def groups(name: str) -> tuple[tuple[str, ...], ...]:
    """A list of groups, one per line (``equivalents``)."""
    return tuple(tuple(row) for row in _lines(name))


@functools.cache
def pairs(name: str) -> dict[str, str]:
    """A list of ``word replacement`` pairs, one per line (``chat_spellings``)."""
    return {row[0]: row[1] for row in _lines(name) if len(row) == 2}


@functools.cache
def pairs_multi(name: str) -> dict[str, str]:
    """A list of ``word replacement words...`` lines (``ru_en``): the rest of the line replaces."""
    return {row[0]: " ".join(row[1:]) for row in _lines(name) if len(row) >= 2}


@functools.cache
def keyed(name: str) -> dict[str, frozenset[str]]:
    """A list of named groups, ``name word word ...`` a line (``answer_types``)."""
    return {row[0]: frozenset(row[1:]) for row in _lines(name)}
