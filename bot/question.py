"""What a question is understood to be, and what an indexed entry holds: the engine's data."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Token:
    """One word of a question: as typed, and the stem it is matched by."""

    raw: str
    key: str  # stem, typo-corrected when a known word is one or two edits away
    known: bool
    function: bool  # a stop word or question word


@dataclass(frozen=True)
class Concept:
    """One unit of meaning in a question; matches an entry holding any of its keys."""

    keys: frozenset[str]
    label: str  # for messages: "BRICS", "football"
    weight: float
    words: frozenset[str] = frozenset()  # the stems as asked, to find them in the article's text
    unknown: bool = False  # no entry holds it: a word the article never uses


@dataclass
class ParsedQuestion:
    """A question understood: who it names, what it is about, and what kind of question."""

    folded: str
    tokens: list[Token]
    speakers: list[str]  # people ids named as speakers
    objects: list[str]  # people ids named as what the question is about ("who cited Patrushev")
    cited: list[str]  # free-text cites named ("the Iranian president")
    concepts: list[Concept]  # everything else that carries meaning
    question_words: set[str]
    who_is: bool
    who_said: bool
    speech: bool
    identity: bool  # "who is ...": asks who someone is, not what was said
    conjunction: bool = False  # "... and ...": the question may have two parts
    quantity: bool = False  # "how many", "how much": a number is asked for
    # the stems of the words that named the speaker by a description ("Tashkent's top diplomat")
    described_by: frozenset[str] = frozenset()


@dataclass(frozen=True)
class IndexedEntry:
    """A statement or fact, indexed."""

    id: str
    kind: str  # "statement" | "fact"
    speaker: str | None
    keys: dict[str, float]  # concept key -> how strongly the entry holds it (0..1)
    order: int
    questions: tuple[str, ...]  # its alternate questions, folded, for tie-breaks
    counts: dict[str, int]  # how often each key occurs across the entry's texts (BM25 tf)
    length: int  # content words across the entry's texts
    curated: frozenset[str] = frozenset()  # facts: keys from questions, keywords and topics
    literal: frozenset[str] = frozenset()  # stems of the article's own words (text or quote)
    # statements: keys of the article's words around it (see bot/context.py), weaker; and
    # those with its own keys, as scoring among one speaker's statements reads them
    around: dict[str, float] = field(default_factory=dict)
    keys_around: dict[str, float] = field(default_factory=dict)
