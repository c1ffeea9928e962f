"""The shared language data: lists load, stay consistent, and drive the text functions."""

from __future__ import annotations

from importlib import resources

import pytest

from bot import lexicon
from bot.text import CHAT_SPELLINGS, EQUIVALENTS, STOPWORDS, content_stems, stem, words

LISTS = sorted(p.name.removesuffix(".txt") for p in resources.files("bot.lexicon").iterdir()
               if p.name.endswith(".txt"))


def test_every_list_has_a_header_and_lower_case_words() -> None:
    assert len(LISTS) >= 10
    for name in LISTS:
        text = resources.files("bot.lexicon").joinpath(f"{name}.txt").read_text("utf-8")
        assert text.startswith("# "), f"{name}.txt says what it is for in its first line"
        entries = lexicon.words(name)
        assert entries, name
        assert all(w == w.casefold() for w in entries), name


@pytest.mark.parametrize(("text", "expected"), [
    ("wat did velayati say abt brics", ["what", "did", "velayati", "say", "about", "brics"]),
    ("who tf is foruzesh lol", ["who", "is", "foruzesh"]),  # interjections dropped
])
def test_chat_spellings_and_interjections(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_equivalent_words_share_one_stem() -> None:
    for group in lexicon.groups("equivalents"):
        assert len({stem(w) for w in group}) == 1, group
    assert stem("fixed") == stem("solved") and stem("fairer") == stem("equitable")
    assert EQUIVALENTS  # filled from the data file


def test_stop_words_are_not_content() -> None:
    assert content_stems("what did he say about the visas") == ["visa"]
    assert {"say", "about", "the"} <= STOPWORDS
    assert CHAT_SPELLINGS["abt"] == "about"


def test_a_comment_is_not_a_word() -> None:
    assert not any(w.startswith("#") for name in LISTS for w in lexicon.words(name))
