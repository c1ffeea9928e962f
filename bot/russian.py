"""Russian questions read as English ones, word by word, through the shared lexicon.

The article and its quotes are English; readers also write Russian. A Russian word is looked
up by its longest listed beginning in ``bot/lexicon/ru_en.txt`` (Russian inflects the ending:
"санкциях" -> "санкци" -> sanctions), short words only whole; a word not listed is left as it
is, so a Cyrillic name ("Велаяти", "Лукьянова") is transliterated and typo-corrected by the
engine like any name. What could not be read is returned too, so that a reply never claims the
article is silent when it is the question that was not understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import lexicon

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[\w\u0400-\u04ff][\w\u0400-\u04ff'-]*|[^\w\s]")
MAX_ENDING = 4  # letters an inflection may add to a listed beginning ("-иях", "-ого")
WHOLE_ONLY = 2  # entries this short match only whole words ("о", "в", "по")


@dataclass(frozen=True)
class Reading:
    """A Russian question as English words, and the Russian words left as they were."""

    english: str
    unread: tuple[str, ...]


def is_russian(text: str) -> bool:
    """Whether most of a text's letters are Cyrillic."""
    letters = _LETTER.findall(text)
    return bool(letters) and sum(bool(_CYRILLIC.match(c)) for c in letters) * 2 > len(letters)


def read(text: str) -> Reading:
    """The question in English words; unlisted Cyrillic words stay (names, mostly)."""
    table = lexicon.pairs_multi("ru_en")
    out: list[str] = []
    unread: list[str] = []
    for token in _WORD.findall(text):
        word = token.casefold().replace("ё", "е")
        if not _CYRILLIC.search(word):
            out.append(token)
            continue
        english = _lookup(word, table)
        if english is None:
            out.append(token)
            unread.append(token)
        elif english:
            out.append(english)
    return Reading(" ".join(out), tuple(unread))


def _lookup(word: str, table: dict[str, str]) -> str | None:
    for size in range(len(word), 0, -1):
        entry = table.get(word[:size].replace("ё", "е"))
        if entry is None:
            continue
        if len(word) - size > MAX_ENDING or (size <= WHOLE_ONLY and size != len(word)):
            return None
        return "" if entry == "-" else entry
    return None
