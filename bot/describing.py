"""Who a description means: "the Uzbek premier", "Ankara's top diplomat", "the Kremlin chief".

Readers name people by what they are as often as by name, and in other words than the article's:
the article writes "Prime Minister of Uzbekistan", the reader "the Uzbek premier". This stage reads
a description with two shared lexicons, never with an article's own lists:

* ``demonyms`` and ``places``: a country or institution in any of its forms (adjective,
  capital, seat of government), so "Ankara's", "Turkish" and "Turkey" are one;
* ``role_terms``: an office in other words ("top diplomat" for a foreign minister, "premier" for a
  prime minister), and ``top_words``: "chief", "head", "leader", the highest office held.

A person fits when every part of the description is in their nationality, roles or aliases.
Nothing here guesses: a description with a word no one's roles hold fits no one, and the engine
then falls back on meaning (or says the article does not quote anyone by that description).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot import lexicon
from bot.knowledge import Person
from bot.patterns import GRAMMAR
from bot.text import stem, words

Phrase = tuple[str, ...]  # stems


TOP = frozenset(stem(w) for w in lexicon.words("top_words"))
PERSON_NOUNS = frozenset(stem(w) for w in lexicon.words("person_nouns"))
SOMEONE = frozenset(stem(w) for w in lexicon.words("someone_words"))
# words that say nothing about whom: "the minister mentioned in the piece", "quoted here"
_GRAMMAR = frozenset(stem(w) for w in (*GRAMMAR, *lexicon.words("article_words"))) | {
    "s", "mention", "quot", "quote", "name", "cit", "cite", "here", "this", "from"}


_JOINS = frozenset({"and", "or"})
# words after which an office's description goes on about what it is for ("the envoy to the
# talks", "the minister in charge of ..."), not what it is ("of" is part of the office)
_QUALIFYING = frozenset(stem(w) for w in ("to", "for", "with", "in", "on", "at", "during",
                                          "about", "regarding", "over"))


def _phrase(text: str) -> Phrase:
    return tuple(stem(w) for w in words(text))


def _rows(name: str) -> list[list[str]]:
    """Lines of ``a b ; c d = e ; f`` read back into text (the loader splits on spaces)."""
    return [" ".join(row).split("=") for row in lexicon.groups(name)]


@functools.cache
def _places() -> tuple[frozenset[Phrase], ...]:
    """Each country (demonyms.txt: its names and adjectives) with what else names it
    (places.txt: people, capital, seat), and the institutions of places.txt."""
    extra: dict[str, list[str]] = {}
    for (line,) in _rows("places"):
        parts = [part.strip() for part in line.split(";") if part.strip()]
        extra.setdefault(parts[0], []).extend(parts)
    out: list[frozenset[Phrase]] = []
    for row in lexicon.groups("demonyms"):
        names = [w.replace("_", " ") for w in row]
        out.append(frozenset(_phrase(t) for t in (*names, *extra.pop(names[0], ()))))
    for parts in extra.values():  # institutions: NATO, the IMF, ...
        out.append(frozenset(_phrase(t) for t in parts))
    return tuple(out)


@functools.cache
def _place_index() -> dict[Phrase, frozenset[Phrase]]:
    """Every form of every place -> all the forms of that place (the first place listed wins)."""
    index: dict[Phrase, frozenset[Phrase]] = {}
    for forms in _places():
        for form in forms:
            index.setdefault(form, forms)
    return index


@functools.cache
def _longest() -> int:
    """The most words a place or a term has: how far :func:`read` looks ahead."""
    return max([len(p) for p in _place_index()] + [len(t) for t in _terms()])


@functools.cache
def _terms() -> dict[Phrase, tuple[Phrase, ...]]:
    """A reader's term -> what roles may say instead, in rank order."""
    return {tuple(s for s in _phrase(term) if s not in _GRAMMAR):
            tuple(_phrase(a) for a in alternatives.split(";") if a.strip())
            for term, alternatives in _rows("role_terms")}


@dataclass(frozen=True)
class Description:
    """A description read: the places it names, its terms (each a set of ways a role may say
    it) and whether it asks for the highest office ("the Kremlin chief")."""

    places: tuple[frozenset[Phrase], ...]
    terms: tuple[tuple[Phrase, ...], ...]
    top: bool
    office: bool = False  # a term of the lexicon or a person noun: it describes someone
    # words after "to", "for", "with" ... that are no office or place ("the envoy for the
    # talks"): they narrow whom it means when a role holds them, never rule everyone out
    qualifiers: tuple[Phrase, ...] = ()
    own: tuple[bool, ...] = ()  # for each place: named before any "to", "for" ("Armenia's
    # envoy", "the Turkish envoy"): the person's own place more likely than one they deal with

    @property
    def says_someone(self) -> bool:
        """Whether it describes a person at all (an office), not just a country."""
        return bool(self.terms) or self.top

    def from_elsewhere(self, people: Sequence[Person]) -> bool:
        """Whether it names a place or institution that no one of ``people`` belongs to
        ("Venezuela's oil minister" in an article about Armenia): then it is no one here."""
        return any(not any(belongs(p, place) for p in people) for place in self.places)


def read(text: str) -> Description:
    """Split a description into places, offices and "the head of"."""
    stems = [s for s in _phrase(text) if s not in _GRAMMAR or s in _JOINS or s in _QUALIFYING]
    places: list[frozenset[Phrase]] = []
    terms: list[tuple[Phrase, ...]] = []
    qualifiers: list[Phrase] = []
    own: list[bool] = []
    top = office = False
    joined = False  # the last word was "and" / "or" right after a place
    qualifying = False  # past "to", "for", "with" ... after an office
    i = 0
    while i < len(stems):
        for size in range(min(_longest(), len(stems) - i), 0, -1):
            chunk = tuple(stems[i:i + size])
            place = _place_index().get(chunk)
            term = _terms().get(chunk)
            if size == 1 and chunk[0] in _QUALIFYING:
                qualifying = qualifying or office
            elif size == 1 and chunk[0] in _JOINS:
                joined = bool(places) and i > 0 and _place_index().get(
                    (stems[i - 1],)) is not None
            elif (qualifying and size == 1 and place is None and term is None
                  and chunk[0] not in PERSON_NOUNS | TOP | SOMEONE):
                qualifiers.append(chunk)
            elif term is not None and (place is None or size > 1):
                terms.append(term)
                office = True
            elif place is not None and joined:
                # "the Russian and Kazakh presidents": either place, one person each
                places[-1] = places[-1] | place
            elif place is not None:
                places.append(place)
                own.append(not qualifying)
            elif size == 1 and chunk[0] in TOP:
                top = True
            elif size == 1 and chunk[0] in SOMEONE:
                office = True  # "the Kazakh official": someone, whom the rest says
            elif size == 1:
                terms.append((chunk,))
                office = office or chunk[0] in PERSON_NOUNS
            else:
                continue
            joined = joined and size == 1 and chunk[0] in _JOINS
            i += size
            break
    return Description(tuple(places), tuple(terms), top, office or top, tuple(qualifiers),
                       tuple(own))


def place_named(word: str) -> frozenset[Phrase] | None:
    """The place a single word names ("armenia's", "ankara", "turkish"), if any."""
    return _place_index().get(_phrase(word))


def belongs(person: Person, place: frozenset[Phrase]) -> bool:
    """Whether a person's nationality, roles or aliases name the place in some form."""
    segments = _segments(person)
    return any(_holds(segments, form) for form in place)


_RELATION = frozenset(stem(w) for w in ("to", "on", "with", "in", "toward", "towards",
                                          "against", "at"))


def belongs_as_own(person: Person, place: frozenset[Phrase]) -> bool:
    """Whether the place is the person's own, not one their role is about: "US President"
    and "President of the US" are the US's; "ambassador to the US" and "expert on Azerbaijan"
    are not (``belongs`` counts both)."""
    return any(seg[i:i + len(form)] == form and not _after_relation(seg, i)
               for seg in _segments(person) for form in place
               for i in range(len(seg) - len(form) + 1))


def _after_relation(segment: Phrase, i: int) -> bool:
    """Whether the words before position i are "to", "on", ... (an article between too)."""
    j = i - 1
    while j >= 0 and segment[j] in ("the", "a", "an"):
        j -= 1
    return j >= 0 and segment[j] in _RELATION


def only_places(description: Description) -> bool:
    """Whether a description names places and nothing else ("France", "the US and Iran")."""
    return bool(description.places) and not description.terms and not description.top


@functools.lru_cache(maxsize=8192)
def _segments(person: Person) -> tuple[Phrase, ...]:
    """A person's nationality, roles, name and aliases as stems, read once per person."""
    return tuple(_phrase(t) for t in (person.nationality, *person.roles, *person.role_aliases,
                                      person.name, *person.aliases) if t)


def _holds(segments: Iterable[Phrase], phrase: Phrase) -> bool:
    n = len(phrase)
    return any(seg[i:i + n] == phrase for seg in segments for i in range(len(seg) - n + 1))


def _top_rank(segments: Sequence[Phrase]) -> int | None:
    """Where the highest office a person holds stands in the "top" ranking (0 highest)."""
    ranking = _terms().get(("top",), ())
    return next((rank for rank, office in enumerate(ranking) if _holds(segments, office)), None)


def fits(description: Description, people: Sequence[Person]) -> list[str]:
    """The ids of the people a description fits; with "chief", only the highest office's."""
    found: list[tuple[int, int, str]] = []  # (narrowing words missing, office rank, id)
    for person in people:
        segments = _segments(person)
        if not all(belongs(person, place) for place in description.places):
            continue
        if not all(any(_holds(segments, a) for a in term) for term in description.terms):
            continue
        rank = _top_rank(segments) if description.top else 0
        if rank is None:
            continue
        # what narrows, not what rules out: the words it is for, and places as their own
        missing = sum(not _holds(segments, q) for q in description.qualifiers) + sum(
            not belongs_as_own(person, place)
            for place, own in zip(description.places, description.own) if own)
        found.append((missing, rank, person.id))
    best = min(((missing, rank) for missing, rank, _ in found), default=(0, 0))
    return [pid for missing, rank, pid in found if (missing, rank) == best]
