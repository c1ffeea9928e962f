"""Whom a question's name slot means ("what did <X> say", "who is <X>", "according to <X>").

The slot's words may name someone, describe them by the words of their roles ("the deputy",
"Ankara's top diplomat", read with the shared lexicons of bot/describing.py, else by meaning
with the sentence model), name someone the article never mentions, or name a country or body
no one quoted speaks for. The engine asks; this module only reads.
"""

from __future__ import annotations

import re

from bot import describing
from bot.knowledge import KnowledgeBase
from bot.lexical_index import LexicalIndex
from bot.models import english_words
from bot.patterns import (
    EVERYONE,
    GRAMMAR,
    GROUP_NOUNS,
    NAME_SLOTS,
    NOT_SOMEONE,
    PERSON_NOUNS,
    PRONOUN,
    SPEECH_NOUN_SLOT,
)
from bot.policy import Tunables, pick_person
from bot.question import ParsedQuestion
from bot.reading import QuestionReader
from bot.semantic import MiniLM, Vectors
from bot.text import content_stems, fold, stem


class SlotReader:
    """Reads name slots against one knowledge base's people; built once with the engine."""

    def __init__(self, kb: KnowledgeBase, ix: LexicalIndex, reader: QuestionReader,
                 tunables: Tunables, people_vectors: Vectors | None) -> None:
        self.kb = kb
        self._ix = ix
        self._reader = reader
        self._tunables = tunables
        self._people_vectors = people_vectors  # each person's name and roles, embedded
        self._name_patterns: dict[str, re.Pattern[str]] = {}
        # each person's name and aliases (not role aliases) as sets of stems
        self._name_stems = {p.id: [frozenset(content_stems(a)) for a in (p.name, *p.aliases)]
                            for p in kb.people}

    def names_of(self, person_id: str) -> re.Pattern[str]:
        """Every way the article names a person, longest first, as one pattern (compiled once
        per person, on first use)."""
        pattern = self._name_patterns.get(person_id)
        if pattern is None:
            person = self.kb.person(person_id)
            names = sorted({person.name, *person.aliases, *person.role_aliases}, key=len,
                           reverse=True)
            pattern = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, names))})(?:'s|’s)?(?!\w)",
                                 re.IGNORECASE)
            self._name_patterns[person_id] = pattern
        return pattern

    def described_people(self, description: str, embedder: MiniLM | None = None) -> list[str]:
        """The people a description fits ("Ankara's top diplomat"): by the shared lexicons of
        places and offices first; else, given the sentence model, the one person whose name
        and roles mean it, if any. A place no one here belongs to ("Venezuela's oil minister")
        fits no one."""
        read = describing.read(description)
        if read.says_someone:
            fitting = describing.fits(read, self.kb.people)
            if fitting:
                return fitting
            if read.from_elsewhere(self.kb.people):
                return []
        if self._people_vectors is None or embedder is None or (read.terms and not read.office):
            return []  # a name the article never gives someone ("Ivanishvili") is no one's
        # a place of their own ("Azerbaijan's foreign ministry") rules out those who only deal
        # with it ("an expert on Azerbaijan"), whatever their roles mean
        own = [place for place, is_own in zip(read.places, read.own, strict=True) if is_own]
        people = [i for i, p in enumerate(self.kb.people)
                  if all(describing.belongs_as_own(p, place) for place in own)]
        if not people:
            return []
        sims = (self._people_vectors @ embedder.embed_one(description))[people]
        meant = pick_person(sims, [self.kb.people[i].id for i in people], self._tunables)
        return [meant] if meant else []

    def unresolved_speaker(self, parsed: ParsedQuestion) -> str:
        """Whom words are attributed to ("what did OPEC say"), when that is no one quoted.

        Any quote would then put words in the wrong mouth; returns the slot's words or "".
        Pronouns and everyone-words ("they", "the participants") are not a someone.
        """
        if parsed.speakers or parsed.objects or parsed.cited:
            return ""
        for pattern in (*NAME_SLOTS[1:3], SPEECH_NOUN_SLOT):
            match = pattern.search(parsed.folded)
            if not match:
                continue
            slot = match.group("x").strip()
            slot_words = [w for w in slot.split() if w not in GRAMMAR]
            # "the Iranian side" is Iran, but "the Iranian envoy" is someone
            if slot_words and not any(w in EVERYONE or w in GROUP_NOUNS or w in NOT_SOMEONE
                                      or PRONOUN.search(w) for w in slot_words) and not (
                    any(self._demonym(w) for w in slot_words)
                    and not describing.read(slot).office):
                return slot
        return ""

    def _demonym(self, word: str) -> bool:
        """Whether a word names a quoted nationality, its country or what stands for it.

        "iran" for "Iranian"; "moscow" too when a topic lists it beside Russia ("what does
        Moscow think" asks what the Russians said).
        """
        names = [stem(word)] + [stem(fold(self.kb.topic(c[2:]).name))
                                for c in self._ix.phrases.get((stem(word),), ()) if c.startswith("t:")]
        return any(n.startswith(name[:4]) and len(name) >= 4 or n == name
                   for n in self._ix.nationalities for name in names)

    def people_by_role_words(self, parsed: ParsedQuestion) -> tuple[list[str], frozenset[str]]:
        """Who a name slot describes by words of roles or cites ("the deputy", "the president").

        Only when every word of the slot is a word of someone's role and of no topic; a word
        in several people's roles ("deputy") gives several people, and the engine asks.
        Returns the candidates (person ids, or "c:<cite>") and the slot's stems.
        """
        for pattern in NAME_SLOTS:
            match = pattern.search(parsed.folded)
            if not match:
                continue
            slot = [t for t in (self._reader.correct(w) for w in match.group("x").split())
                    if not t.function]
            if not slot:
                return [], frozenset()
            if len(slot) > 3:  # too long for role words alone; an office in other words?
                read = describing.read(match.group("x"))
                fitting = describing.fits(read, self.kb.people)
                # what the office is "for" may be what is asked ("Kazakhstan's top diplomat
                # on what the pipeline hinges"): those words stay the question's
                asked = ({q[0] for q in read.qualifiers if len(q) == 1}
                         if pattern is not NAME_SLOTS[0] else set())  # not of "who is X"
                return ((fitting, frozenset(t.key for t in slot if t.key not in asked))
                        if fitting else ([], frozenset()))
            people: set[str] | None = None
            for token in slot:
                owners = self._ix.role_words.get(token.key, set()) | self._ix.cite_words.get(
                    token.key, set())
                if not owners:
                    people = set()
                    break
                people = set(owners) if people is None else people & owners
            if not people:
                # Every word of the slot in one of someone's aliases: "the CSS guy" is the CSS
                # president or its vice-president; "security council deputy" is Lukyanov.
                wanted = {t.key for t in slot}
                if wanted <= self._ix.topic_words:  # "Russia on Syria": a country, not a person
                    return [], frozenset()
                # a name is whose it is: "did Putin say ..." is Putin, not the one whose role
                # alias names him ("Putin's spokesman")
                people = {pid for pid, names in self._name_stems.items()
                          if any(wanted <= name for name in names)} or {
                    person for key, person in self._ix.alias_keys if wanted <= set(key)}
            read = describing.read(match.group("x"))
            if not people:  # "the head of the Kazakh foreign office": offices in other words
                people = set(describing.fits(read, self.kb.people))
            if people and describing.only_places(read):
                # "how did the US react?": a country speaks through its own people whom the
                # article quotes, not through an envoy to it; else what the article says of
                # the country answers
                people = {p for p in people if p.startswith("c:") or (
                    self.kb.statements_by(p) and all(describing.belongs_as_own(
                        self.kb.person(p), place) for place in read.places))}
            return sorted(people, key=lambda p: self._ix.person_order.get(p, len(
                self._ix.person_order))), frozenset(t.key for t in slot)
        return [], frozenset()

    def unknown_name(self, parsed: ParsedQuestion) -> str | None:
        """A name the question asks about that the article never mentions ("who is Putin")."""
        if parsed.speakers or parsed.cited or (parsed.objects and not parsed.speech):
            return None
        for pattern in NAME_SLOTS:
            match = pattern.search(parsed.folded)
            if not match:
                continue
            slot = match.group("x").split()
            if slot and len(slot[0]) > 5 and slot[0].endswith("ing") and slot[0] in english_words():
                continue  # "who's taking part?", "who is leading the delegation?": a verb
            slot_tokens = [self._reader.correct(w) for w in slot]
            meaningful = [t for t in slot_tokens if not t.function]
            if meaningful and all(not t.known for t in meaningful) and len(meaningful) <= 3:
                return " ".join(t.raw.capitalize() for t in meaningful)
            if any(t.raw in PERSON_NOUNS for t in meaningful) and not self.described_people(
                    " ".join(slot)):
                # "Venezuela's oil minister": someone the article does not name
                return "anyone by that description"  # -> "does not mention anyone by ..."
        return None
