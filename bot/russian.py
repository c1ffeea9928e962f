"""Russian questions read as English ones, word by word, through the shared lexicon.

The article and its quotes are English; readers also write Russian. A Russian word is looked
up by its longest listed beginning in ``bot/lexicon/ru_en.txt`` (Russian inflects the ending:
"санкциях" -> "санкци" -> sanctions), short words and those listed with a final "." only
whole ("кем." is "whom", never the start of "кемпинг"); a word not listed is left as it
is, so a Cyrillic name ("Велаяти", "Лукьянова") is transliterated and typo-corrected by the
engine like any name. What could not be read is returned too, so that a reply never claims the
article is silent when it is the question that was not understood.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot import lexicon

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[\w\u0400-\u04ff][\w\u0400-\u04ff'-]*|[^\w\s]")
# Russian puts the verb first ("что сказал посол о санкциях"): read as "what did the ambassador
# say about sanctions", so that the engine finds who spoke where an English question has it.
_SPEECH_BASE = {"said": "say", "says": "say", "say": "say", "thinks": "think",
                "think": "think", "thought": "think", "noted": "note", "stressed": "stress",
                "mentioned": "mention", "mentions": "mention", "told": "tell",
                "explained": "explain", "added": "add", "proposed": "propose",
                "claimed": "claim", "warned": "warn", "commented": "comment"}
_VERB_FIRST = re.compile(
    r"^(?:(?P<q>(?:about\s+)?(?:what|how)\s+)|(?=\S+\s+\S+(?:\s+\S+){0,3}?\s+(?:about|on|"
    r"regarding|concerning)\b))(?P<v>" + "|".join(_SPEECH_BASE) + r")\s+"
    r"(?P<x>(?!about\b|on\b|anything\b|something\b|anyone\b|someone\b)\S+(?:\s+\S+){0,5}?)"
    r"(?P<rest>\s+(?:about|on|regarding|in|at|during|to|with|concerning)\b.*|\s*[?.!]*\s*)$")
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
    table, whole = _tables()
    out: list[str] = []
    unread: list[str] = []
    for token in _WORD.findall(text):
        word = token.casefold().replace("ё", "е")
        if not _CYRILLIC.search(word):
            out.append(token)
            continue
        english = whole.get(word)
        if english is None:
            english = _lookup(word, table)
        elif english == "-":
            english = ""
        if english is None:
            out.append(token)
            unread.append(token)
        elif english:
            out.append(english)
    return Reading(_english_order(" ".join(out)), tuple(unread))


def _english_order(english: str) -> str:
    """ "what said X about Y" as "what did X say about Y"; "said X about Y" as "did X say ..."."""
    match = _VERB_FIRST.match(english)
    if not match:
        return english
    verb = _SPEECH_BASE[match["v"]]
    return f"{match['q'] or ''}did {match['x']} {verb}{match['rest']}"


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """The lexicon's beginnings, and its words listed whole (with a final ".")."""
    table: dict[str, str] = {}
    whole: dict[str, str] = {}
    for listed, english in lexicon.pairs_multi("ru_en").items():
        key = listed.replace("ё", "е")
        if key.endswith(".") and len(key) > 1:
            whole[key[:-1]] = english
        else:
            table[key] = english
    return table, whole


def _lookup(word: str, table: dict[str, str]) -> str | None:
    for size in range(len(word), 0, -1):
        entry = table.get(word[:size])
        if entry is None:
            continue
        if len(word) - size > MAX_ENDING or (size <= WHOLE_ONLY and size != len(word)):
            return None
        return "" if entry == "-" else entry
    return None
