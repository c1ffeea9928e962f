"""Text normalisation shared by the engine's index and its questions.

The word lists it uses are data in ``bot/lexicon/``; this module holds only the procedures.

Both sides go through the same functions, so a word in the knowledge base and the same word in a
question always meet in the same form.
"""

from __future__ import annotations

import re
import unicodedata

from bot import lexicon

STOPWORDS = lexicon.words("stopwords")  # words that carry no meaning for matching

CHAT_SPELLINGS = lexicon.pairs("chat_spellings")  # "abt" -> "about"

_EQUIVALENT_GROUPS = lexicon.groups("equivalents")  # "fix" meets "solve"
EQUIVALENTS: dict[str, str] = {}  # filled below, once _stem exists


INTERJECTIONS = lexicon.words("interjections")  # "lol", "tf": dropped

QUESTION_WORDS = lexicon.words("question_words")  # facts use them, statements do not

_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_NON_WORD = re.compile(r"[^\w']+|_+")
_US = re.compile(r"(?<![\w.])(?:U\.?S\.?A?\.?)(?![\w])")  # "US", "U.S.", "USA" in capitals


# Contractions, before the possessive "'s" is dropped: "who's" is "who is", "Iran's" is Iran.
_CONTRACTIONS = (
    (re.compile(r"\b(who|what|where|when|how|why|which|that|it|he|she|there|here)'s\b"),
     r"\1 is"),
    (re.compile(r"\bcan't\b"), "can not"), (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"n't\b"), " not"), (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"), (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"), (re.compile(r"\bi'm\b"), "i am"),
)


def fold(text: str) -> str:
    """Compatibility-normalised, case-folded, Cyrillic transliterated, control characters gone."""
    text = unicodedata.normalize("NFKC", text)
    text = _US.sub(" usa ", text)  # before case folding: "US" the country, not "us" the pronoun
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = text.casefold().translate(_TRANSLIT).translate(_APOSTROPHES)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def words(text: str) -> list[str]:
    """The words of a text, folded, possessives dropped ("Iran's" -> "iran")."""
    out = []
    for raw in _NON_WORD.split(fold(text)):
        token = raw.strip("'").removesuffix("'s").replace("'", "")
        token = CHAT_SPELLINGS.get(token, token)
        if token and token not in INTERJECTIONS:
            out.append(token)
    return out


def stem(word: str) -> str:
    """A light English stemmer: plurals and the commonest verb endings, nothing clever.

    Light on purpose: names ("Velayati", "Lukyanov") must survive untouched, and both the index
    and the question use the same function, so consistency matters more than linguistics.
    """
    if word in EQUIVALENTS:
        return EQUIVALENTS[word]
    base = _stem(word)
    # "solved" stems to "solv": the group's "solve" with its final "e" taken by the ending
    return EQUIVALENTS.get(base) or EQUIVALENTS.get(base + "e") or base


def _stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ied", "y")):
        if word.endswith(suffix):
            return word[: -len(suffix)] + replacement
    if word.endswith("ly") and len(word) > 5:  # "actively" -> "active"
        return word[:-2]
    if word.endswith("ing") and len(word) > 5:
        base = word[:-3]
        return base[:-1] if len(base) > 2 and base[-1] == base[-2] else base
    if word.endswith("ed") and len(word) > 4:
        base = word[:-2]
        return base[:-1] if len(base) > 2 and base[-1] == base[-2] else base
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# Every form of an equivalent word, as typed and as stemmed, to its group's first word.
EQUIVALENTS.update({form: group[0] for group in _EQUIVALENT_GROUPS for word in group
                    for form in (word, _stem(word))})


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and w not in QUESTION_WORDS]


SOFT_WORDS = frozenset(stem(w) for w in lexicon.words("soft_words"))  # phrasing, not subjects


_SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bDr)(?<!\bSt)(?<=[.!?])[\"”’]?\s+(?=[A-Z“\"])")


def split_sentences(paragraph: str) -> list[tuple[int, str]]:
    """The sentences of a paragraph of news copy, each with its offset."""
    out = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        out.append((start, paragraph[start:match.start() + 1].strip()))
        start = match.end()
    out.append((start, paragraph[start:].strip()))
    return [(s, t) for s, t in out if t]
