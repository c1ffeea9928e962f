"""Question understanding: a typed question read into a :class:`ParsedQuestion`.

Who it names (speakers, the people it asks about, cited parties), what it is about (concepts
weighted by how rare they are in the article), and what kind of question it is. Built once per
knowledge base beside its lexical index; the engine (:mod:`bot.engine`) scores and decides.
"""

from __future__ import annotations

import re

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot import describing, lexicon
from bot.knowledge import KnowledgeBase
from bot.lexical_index import LexicalIndex
from bot.models import english_words
from bot.patterns import (
    ABOUT,
    ASKER_NOUNS,
    AT_THE_TIME,
    EVERYONE,
    GROUP_NOUNS,
    IDENTITY,
    NAMING_VERBS,
    OBJECT_MARKERS,
    POSSESSED_WORDS,
    QUANTITY,
    ROLE_QUERY,
    SOURCE,
    SPEECH,
    THE_TIME_WORDS,
    WHO_IS,
    WHO_SAID,
)
from bot.policy import Tunables
from bot.question import Concept, ParsedQuestion, Token
from bot.text import QUESTION_WORDS, SOFT_WORDS, STOPWORDS, content_stems, fold, stem, words

SPEAKING_VERBS = lexicon.words("speaking_verbs")


class QuestionReader:
    """Reads questions against one knowledge base's vocabulary (its lexical index)."""

    def __init__(self, kb: KnowledgeBase, ix: LexicalIndex, tunables: Tunables) -> None:
        self.kb = kb
        self._ix = ix
        self._tunables = tunables

    def correct(self, word: str) -> Token:
        """Match a typed word to the vocabulary: exact, stemmed, or within 1-2 edits."""
        if word in STOPWORDS or word in QUESTION_WORDS:
            return Token(word, word, True, True)
        if word in self._ix.acronyms:  # "EC": the article's "European Commission"
            return Token(word, self._ix.acronyms[word], True, False)
        key = stem(word)
        # "getting" -> "get"; "making" -> "mak" -> "make"; "easier" -> "easy"
        for form in _base_forms(word, key):
            if form in STOPWORDS:
                return Token(word, form, True, True)
            if form in self._ix.content_vocab:
                return Token(word, form, True, False)
        if word in self._ix.content_vocab:
            return Token(word, word, True, False)
        if len(word) >= 4 and word.isalpha() and key not in SOFT_WORDS:
            # (a common English word is not a typo: "promise" is not "premise")
            # One edit up to 7 letters, two from 8: "afganistan", "lukianov", "velayti".
            # Short words must also keep their first letter: "iraq" is not a typo of "iran".
            # The word and its stem are both tried: "bricks" is one edit from "bric(s)".
            allowed = 1 if len(word) < 8 else 2
            for typed in dict.fromkeys((word, key)):
                hit = process.extractOne(typed, self._ix.vocab_list, scorer=OSA.distance,
                                         processor=None, score_cutoff=allowed)
                if hit is None:
                    continue
                choice = hit[0]
                if (choice in english_words() and word in english_words()
                        and not _inflections(word, choice)
                        and not (choice in STOPWORDS or choice in QUESTION_WORDS)):
                    continue  # "part" is a word of its own, not a typo of "party"
                if (len(typed) > 5 or choice[0] == typed[0]) and not (
                    (choice in STOPWORDS or choice[0] != typed[0]) and hit[1] > 1
                ):
                    if choice in STOPWORDS or choice in QUESTION_WORDS:
                        return Token(word, choice, True, True)
                    return Token(word, stem(choice), True, False)
        return Token(word, key, False, False)

    def parse(self, question: str) -> ParsedQuestion:
        folded = " ".join(words(question))
        folded = re.sub(r"\bthe us\b", "the usa", folded)
        # "in which country did they meet?" asks where; "on what day was it?", when
        folded = _WHICH_PLACE.sub("where", folded)
        folded = _WHICH_TIME.sub("when", folded)
        possessed = {stem(fold(m.group(1))) for m in POSSESSED_WORDS.finditer(question)}
        tokens = [self.correct(w) for w in folded.split()]
        # Question words count where they ask ("where was it held"), not inside a clause
        # ("... can show where to go next"): only among the first three words.
        question_words = {t.key for t in tokens[:3] if t.key in QUESTION_WORDS}
        content = [t for t in tokens if not t.function]
        stems = [t.key for t in content]
        # For each content word: whether "about"/"on"/"cited" came before it ("what did
        # Lukyanov say about Patrushev": Patrushev is what it is about, not who spoke).
        after_marker: list[bool] = []
        after_verb: list[bool] = []  # spoken of because a speaker's verb came before
        seen = by_verb = False
        for t in tokens:
            # "did Kilic say France will ...", "how did Azerbaijan respond to the Ukrainian
            # claims": a name after the verb of whoever comes before it is spoken of
            by_verb = by_verb or (not seen and t.raw in SPEAKING_VERBS and bool(after_marker))
            seen = seen or t.raw in OBJECT_MARKERS or by_verb
            if not t.function:
                after_marker.append(seen)
                after_verb.append(by_verb)
        speakers: list[str] = []
        objects: list[str] = []
        cited: list[str] = []
        by_role: set[str] = set()
        concepts: list[Concept] = []
        used = [False] * len(content)
        found_people: dict[int, set[str]] = {}  # content index -> the people its phrase named
        told_of: set[str] = set()  # people named after a speaker's verb
        for found, start, end in self._ix.find_phrases(stems):
            used[start:end] = [True] * (end - start)
            people = sorted(c[2:] for c in found if c.startswith("p:"))
            for index in range(start, end):
                found_people[index] = set(people)
            label = " ".join(t.raw for t in content[start:end])
            if people and tuple(sorted(stems[start:end])) in self._ix.role_keys:
                by_role.update(people)
            if people and start and not any(describing.place_named(t.raw) is not None
                                            for t in content[start:end]):
                # "Armenia's foreign ministry" is not France's: a place just before the words
                # that found someone keeps only the people of that place
                before = start - 1
                while before > 0 and set(people) & found_people.get(before, set()):
                    before -= 1  # "Armenia's foreign | ministry": the words naming them, then
                place = describing.place_named(content[before].raw)
                if place is not None:
                    people = [p for p in people if describing.belongs(self.kb.person(p), place)]
                    if not people:
                        used[start:end] = [False] * (end - start)
                        continue
            if people:
                # "Garibashvili's words", "Pashinyan's statement": whose words are talked
                # about, not who is asked to speak
                spoken_of = any(stem(fold(t.raw)) in possessed for t in content[start:end])
                for person in people:
                    (objects if after_marker[start] or spoken_of else speakers).append(person)
                    if after_verb[start]:
                        told_of.add(person)
                continue
            cites = [c for c in found if c.startswith("c:")]
            if cites:
                cited.extend(c[2:] for c in cites)
                continue
            keys = frozenset(found | {f"w:{s}" for s in stems[start:end]}
                             if end - start == 1 else found)
            topics = [self.topic_label(c[2:]) for c in found if c.startswith("t:")]
            concepts.append(Concept(keys, topics[0] if len(topics) == 1 else label,
                                     self.weight(keys), frozenset(stems[start:end])))
        speech = bool(SPEECH.search(folded))
        if speech:
            # "what did the participants say about X": everyone, so nobody in particular; but
            # after a named speaker's verb ("what did X say the participants would discuss")
            # they are what was said, unless they are whom X told
            told = {i for i, t in enumerate(content) if _told(tokens, t)}
            for index, token in enumerate(content):
                if token.raw in EVERYONE and not used[index] and not (
                        speakers and after_verb[index] and index not in told):
                    used[index] = True
        if speech and not speakers:
            # "what did the Iranian side / the Russians say": everyone of that nationality
            for index, token in enumerate(content):
                group = self._ix.nationalities.get(token.key)
                following = content[index + 1].raw if index + 1 < len(content) else ""
                if group and not used[index] and (token.raw.endswith("s")
                                                  or following in GROUP_NOUNS):
                    speakers.extend(group)
                    used[index] = True
                    if following in GROUP_NOUNS:
                        used[index + 1] = True
        # "what did X say about the Russians who moved ...": a relative "who" asks no one
        who_said = bool(WHO_SAID.search(folded)) and not (
            speakers and re.match(r"^\s*(?:what|how)\b", folded)) and not (
            # "who did Zanganeh meet with?", "whom will she appoint?": whom they did it to
            speakers and not speech and _WHOM_DID.match(folded))
        which = re.match(r"^\s*which\s+(\w+)", folded)
        asker = which.group(1) if which and who_said and which.group(1) in ASKER_NOUNS else None
        if not speakers and _WHICH_SAYS.match(folded):
            # "which lawmaker said ...?", "which opposition figure claims ...?": whoever the
            # noun is, the question asks who said it; the noun is how it asks
            who_said = True
        for index, token in enumerate(content):
            if used[index] or (who_said and token.raw in NAMING_VERBS) or token.raw == asker:
                continue  # "who called Iran a partner": "called" is how it was said
            if token.known:
                keys = frozenset({f"w:{token.key}"})
                concepts.append(Concept(keys, token.raw, self.weight(keys),
                                         frozenset({token.key}), not self.held(keys)))
            elif token.raw.isdigit() and len(token.raw) <= 2:
                continue  # "2 quotes", "top 3": not content
            else:
                soft = token.key in SOFT_WORDS  # "occur", "voiced": phrasing, not a subject
                concepts.append(Concept(frozenset({f"u:{token.key}"}), token.raw,
                                         self._ix.unknown_weight * (self._tunables.soft_factor if soft else 1.0),
                                         frozenset({token.key}), True))
        if AT_THE_TIME.search(folded):
            concepts = [c for c in concepts if not c.words <= THE_TIME_WORDS]
        named = set(speakers + objects)
        if named and concepts and not ABOUT.search(folded) and all(
                c.words <= ROLE_QUERY or (not speech and all(
                    named <= self._ix.role_words.get(w, set()) for w in c.words))
                for c in concepts):  # "what did X say about the party?" asks for words
            # "What is Lukyanov's official title?", "what office does Romanovich hold?"
            concepts, identity_asked = [], True
        else:
            identity_asked = False
        who_is = (bool(WHO_IS.search(folded)) or identity_asked) and not concepts
        if objects and not speakers and not who_said and not told_of & set(objects):
            speakers, objects = objects, []  # "tell me about Foruzesh": no one else to be about
        people = speakers + objects
        if (who_said and not speech and not concepts and len(people) == 1
                and by_role.issuperset(people)):
            who_is, who_said = True, False  # "who heads the CSS?": who is the head of the CSS
        source = SOURCE.search(folded) if who_said else None
        if source:
            # "who founded the party, according to Kobakhidze?": his account is asked for
            phrase = content_stems(source.group("x") or source.group("y") or "")
            giving = {c[2:] for found, _, _ in self._ix.find_phrases(phrase) for c in found
                      if c.startswith("p:")} & set(people)
            if giving:
                speakers = [p for p in people if p in giving]
                objects = [p for p in people if p not in giving]
                who_said = False
                speech = True
        if who_said and not who_is:
            objects = speakers + objects  # "who mentioned Patrushev": he is what it is about
            speakers = []
        return ParsedQuestion(folded, tokens, list(dict.fromkeys(speakers)),
                       list(dict.fromkeys(objects)), list(dict.fromkeys(cited)), concepts,
                       question_words, who_is, who_said, speech,
                       bool(IDENTITY.search(folded)),
                       bool(re.search(r"\b(?:and|plus|also|as well as)\b", folded)),
                       bool(QUANTITY.search(folded)))

    def held(self, keys: frozenset[str]) -> bool:
        """Whether any entry holds one of these keys."""
        return any(key in self._ix.postings for key in keys)

    def weight(self, keys: frozenset[str]) -> float:
        docs: set[int] = set()
        for key in keys:
            docs |= self._ix.postings.get(key, set())
        return self._ix.idf(len(docs)) if docs else self._ix.unknown_weight

    def topic_label(self, topic_id: str) -> str:
        """A topic's name as it reads mid-sentence: "sanctions against Iran", "Venezuela"."""
        name = self.kb.topic(topic_id).name
        first = name.split()[0] if name else ""
        if first[1:].islower() and stem(first.lower()) in self._ix.lower_stems:
            return first.lower() + name[len(first):]
        return name


_WHICH_SAYS = re.compile(
    r"^\s*(?:and\s+|so\s+)?which\s+(?:\w+\s+)?\w+\s+(?:has\s+|had\s+)?"
    r"(?:said|says|claimed|claims|stated|states|warned|warns|noted|notes|argued|argues|"
    r"insisted|insists|called|calls|described|describes|suggested|suggests|urged|urges|"
    r"proposed|proposes|announced|announces|denied|denies|thinks|believes|stressed|stresses|"
    r"told|tells|promised|promises|accused|accuses|blamed|blames|admitted|admits|"
    r"emphasi[sz]ed|emphasi[sz]es|compared|compares|listed|lists|predicted|predicts|"
    r"expressed|expresses|voiced|voices|referred|refers|mentioned|mentions)\b")
_WHOM_DID = re.compile(r"^\s*(?:and\s+|so\s+)?(?:who|whom)\s+(?:did|does|do|will|would|has|had|is|was)"
                       r"\s+\w")
_TELL = frozenset({"tell", "tells", "told", "telling"})
_WH_VERB = r"(?=\s+(?:did|does|do|was|were|is|are|will|would|has|have|had)\b)"
_WHICH_PLACE = re.compile(
    r"^(?:in|at|from)\s+(?:which|what)\s+(?:country|city|town|capital|place|venue|location|"
    r"region|building)\b|^(?:which|what)\s+(?:country|city|town|place|venue|location)" + _WH_VERB)
_WHICH_TIME = re.compile(
    r"^(?:on|in|at)\s+(?:which|what)\s+(?:day|date|year|month|week|time)\b"
    r"|^(?:which|what)\s+(?:day|date|year|month|week)" + _WH_VERB)  # not "what time is it"


def _inflections(a: str, b: str) -> bool:
    """Whether two words are forms of one ("agree", "agreed"; "make", "making"), or one
    names the doer of the other ("advised", "adviser")."""
    short, long = sorted((a, b), key=len)
    bases = {short, short.removesuffix("e"), short.removesuffix("ed"), short.removesuffix("d")}
    return any(long in (base + "s", base + "es", base + "d", base + "ed", base + "ing",
                        base + "er", base + "ers", base + "r")
               for base in bases)


def _base_forms(word: str, key: str) -> tuple[str, ...]:
    """The stem, and the stem with the "e" or "y" that an ending swallowed."""
    forms = [key]
    if word.endswith(("ing", "ed")) and not key.endswith("e"):
        forms.append(key + "e")
    if word.endswith(("ier", "iest")):
        forms.append(word[: -3 if word.endswith("ier") else -4] + "y")
    return tuple(forms)


def _told(tokens: list[Token], word: Token) -> bool:
    """Whether a word is whom someone told ("told the participants", "tell them all")."""
    at = next(i for i, t in enumerate(tokens) if t is word)
    before = [t.raw for t in tokens[:at] if t.raw not in ("the", "all")]
    return bool(before) and before[-1] in _TELL
