"""Where the lexical reading is not decisive, the semantic signal decides; hard rules stay on top.

The lexical engine understands the question (who it names, whether it asks who someone is, a
fact, a number) and scores entries by the article's words. Paraphrases share few words with the
article, so its verdict is often "not sure" or "not in the article" when the article does say
it. Sentence embeddings see meaning instead of words; they cannot tell "said" from "did not
say", nor a speaker from a topic, so they only ever choose *among the entries the lexical
reading allows*: a named speaker's own words (or words citing them), never anyone else's.

:func:`refine` takes the lexical verdict and the cosine of the question to every entry and
returns a :class:`Decision`; the engine turns it into a result. All thresholds live in
:class:`Tunables`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum

import numpy as np

from bot import lexicon
from bot.knowledge import KnowledgeBase, Person
from bot.results import Result, Status
from bot.semantic import Embedder, Vectors
from bot.text import split_sentences, words


@dataclass(frozen=True)
class Tunables:
    """Every threshold of the answering pipeline, in one object passed to the engine.

    The lexical ones are shares of a question's weight (0..100) and list sizes; the semantic
    ones are cosine similarities (0..1), calibrated once on the development articles' blind sets
    (tests/articles/, plus the bundled article's readers' set) to add answers without declining
    fewer of the questions the article does not answer: round numbers, not a fit to questions.
    """

    # the lexical reading
    answer_min: float = 70.0  # share of the question's weight an entry must cover to be the answer
    clarify_min: float = 50.0  # below this the article does not answer; between the two, ask
    list_margin: float = 10.0  # other entries within this many points of the best are shown too
    max_list: int = 5  # statements shown for "what did X say about Y" / "who talked about Y"
    max_open_list: int = 3  # entries shown for a question that names no speaker
    max_suggestions: int = 3
    max_question_chars: int = 500  # longer messages are not questions; ask for a short one
    question_word_weight: float = 1.0  # "where"/"when"/"who": fact keywords, not statement content
    pair_part_min: float = 25.0  # each of two entries answering together must cover this much
    definition_concepts: int = 2  # "what is X (of Y)": short questions asking for a definition
    # an unknown common verb or adjective weighs this share of an unknown noun
    soft_factor: float = 0.3
    # unknown words, when the speaker is named and a topic asked
    speaker_unknown_factor: float = 0.15
    # unknown words, when two specific things were asked and found
    open_unknown_factor: float = 0.4
    # a statement this far ahead of every other entry answers a paraphrase
    open_margin: float = 25.0
    # a named speaker's statement this far ahead of their others answers
    speaker_margin: float = 20.0
    # fuzz.ratio to an alternate question that answers a question with no content
    faq_match: float = 88.0
    close_question: float = 70.0  # fuzz.ratio to an alternate question that counts in a tie-break

    # the semantic signal

    answer_named: float = 0.60  # a named speaker's statement this close to the question...
    answer_open: float = 0.70  # ...or, naming no one, any entry this close, answers it
    margin: float = 0.14  # when this far ahead of the next allowed entry
    clarify_bonus: float = 0.10  # the lexical reading already found candidates: lower bar
    other_speaker_gap: float = 0.05  # someone else's words this much closer: not theirs
    who_min: float = 0.40  # "who said ...": one person's words this close...
    who_margin: float = 0.06  # ...and this much closer than anyone else's name that person
    candidate_min: float = 0.45  # of the lexical clarify's candidates, one this close...
    candidate_margin: float = 0.08  # ...and this far ahead of the others answers
    suggest_min: float = 0.45  # an entry this close is worth suggesting when none answers
    suggestions: int = 3
    person_min: float = 0.45  # a description ("the IMF chief") this close to a person's roles...
    person_margin: float = 0.08  # ...and this far ahead of everyone else's names that person


DEFAULT_TUNABLES = Tunables()


@dataclass(frozen=True)
class SemanticIndex:
    """Every statement and fact of a knowledge base as a unit vector, computed once at load."""

    ids: tuple[str, ...]
    kinds: tuple[str, ...]  # "statement" | "fact"
    speakers: tuple[str | None, ...]
    cites: tuple[str | None, ...]
    vectors: Vectors
    # what each entry can answer beyond meaning: "quantity" (it holds a number), "when" (a time)
    gives: tuple[frozenset[str], ...] = ()
    # a statement of several sentences: each sentence's vector too, and whose it is ("This is a
    # truly historic event. We have demonstrated ...": each says something of its own)
    parts: Vectors | None = None
    part_of: tuple[int, ...] = ()

    @classmethod
    def build(cls, kb: KnowledgeBase, embedder: Embedder) -> SemanticIndex:
        """Embed each statement's words and each fact's quote with its short answer."""
        texts = [s.text for s in kb.statements] + [f"{f.answer} {f.quote}" for f in kb.facts]
        sentences = [(i, sentence) for i, s in enumerate(kb.statements)
                     for sentence in _sentences(s.text)]
        return cls(
            ids=tuple([s.id for s in kb.statements] + [f.id for f in kb.facts]),
            kinds=tuple(["statement"] * len(kb.statements) + ["fact"] * len(kb.facts)),
            speakers=tuple([s.speaker for s in kb.statements] + [None] * len(kb.facts)),
            cites=tuple([s.cites for s in kb.statements] + [None] * len(kb.facts)),
            vectors=embedder.embed_entries(texts),
            gives=tuple(answer_kinds(t) for t in texts),
            parts=embedder.embed_entries([t for _, t in sentences]) if sentences else None,
            part_of=tuple(i for i, _ in sentences))

    @functools.cached_property
    def kind_of(self) -> dict[str, str]:
        """Entry id -> "statement" or "fact"."""
        return dict(zip(self.ids, self.kinds, strict=True))

    @functools.cached_property
    def speaker_of(self) -> dict[str, str | None]:
        """Entry id -> its speaker (None for facts)."""
        return dict(zip(self.ids, self.speakers, strict=True))

    def similarities(self, question: Vectors) -> Vectors:
        """The cosine of the question's vector to every entry."""
        sims: Vectors = self.vectors @ question
        if self.parts is not None and len(self.part_of):
            best = np.full_like(sims, -1.0)
            np.maximum.at(best, np.array(self.part_of), self.parts @ question)
            sims = np.maximum(sims, (sims + best) / 2)
        return sims


class Action(str, Enum):
    """What the semantic policy does with the lexical verdict."""

    KEEP = "keep"
    ANSWER = "answer"


@dataclass(frozen=True)
class Decision:
    """The policy's verdict: keep the lexical result, or answer with these entries."""

    action: Action
    ids: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()


KEEP = Decision(Action.KEEP)


_ANSWER_WORDS = lexicon.keyed("answer_types")
_DIGIT = re.compile(r"\d")


def answer_kinds(text: str) -> frozenset[str]:
    """What kinds of answer a text can give: "quantity" (a number), "when" (a time)."""
    found = set(words(text))
    if _DIGIT.search(text):
        return frozenset(_ANSWER_WORDS)
    return frozenset(kind for kind, vocabulary in _ANSWER_WORDS.items() if found & vocabulary)


def _sentences(text: str) -> list[str]:
    """The sentences of a statement that has more than one."""
    found = [sentence for _, sentence in split_sentences(text)]
    return found if len(found) > 1 else []


def describe_person(person: Person) -> str:
    """What a person's vector stands for: the name and roles as the article gives them."""
    roles = "; ".join(person.roles)
    nationality = f" ({person.nationality})" if person.nationality else ""
    return f"{person.name}{nationality}, {roles}"


def pick_person(sims: Vectors, people: list[str], tunables: Tunables = DEFAULT_TUNABLES
                ) -> str | None:
    """The person a description means: close enough, and clearly closer than anyone else."""
    if not people:
        return None
    order = np.argsort(-sims)
    best = float(sims[order[0]])
    second = float(sims[order[1]]) if len(order) > 1 else 0.0
    if best >= tunables.person_min and best - second >= tunables.person_margin:
        return people[int(order[0])]
    return None


def refine(lexical: Result, index: SemanticIndex, sims: Vectors, speakers: list[str],
           tunables: Tunables = DEFAULT_TUNABLES, *, who_said: bool = False,
           speech: bool = False, asked: frozenset[str] = frozenset()) -> Decision:
    """Keep the lexical verdict, or answer where it was unsure or silent and meaning is clear.

    A lexical answer stands. A lexical "which of these people?" stands (a name is missing, not
    a meaning). Otherwise the closest allowed entry answers when it is close enough and far
    enough ahead of the next one; with a named speaker, not when another speaker's words are
    closer still (then the lexical "not quoted on that" stands).
    """
    if lexical.status is Status.ANSWER or not len(index.ids):
        return KEEP
    if lexical.status is Status.CLARIFY and lexical.matches and \
            lexical.matches[0].kind == "person":
        return KEEP
    if lexical.status is Status.CLARIFY and who_said:
        said_by = {m.speaker for m in lexical.matches}
        if len(said_by) == 1 and None not in said_by:
            # "who said ...?": every candidate is one person's, so who it was is not in doubt
            ranked = sorted(lexical.matches, key=lambda m: -float(sims[index.ids.index(m.id)])
                            if m.id in index.ids else 0.0)
            return Decision(Action.ANSWER, tuple(m.id for m in ranked),
                            tuple(m.score for m in ranked))
    if lexical.status is Status.CLARIFY:
        # the words found a few candidates; meaning may tell them apart
        found = [index.ids.index(m.id) for m in lexical.matches if m.id in index.ids
                 and not (speech and m.kind == "fact")]  # "what did X argue": words, not facts
        order_ = sorted(found, key=lambda i: -float(sims[i]))
        if len(order_) >= 2 and float(sims[order_[0]]) >= tunables.candidate_min and \
                float(sims[order_[0]] - sims[order_[1]]) >= tunables.candidate_margin:
            return _answer(index, order_[0], float(sims[order_[0]]))
    theirs = np.array([_allowed(index, i, speakers) for i in range(len(index.ids))])
    allowed = theirs & np.array([_gives(index, i, asked) for i in range(len(index.ids))])
    if not allowed.any():
        return KEEP
    if who_said and not speakers:
        decision = _who_said(index, np.where(allowed, sims, -1.0), tunables)
        if decision is not KEEP:
            return decision
    masked = np.where(allowed, sims, -1.0)
    order = np.argsort(-masked)
    best = int(order[0])
    s1 = float(masked[best])
    # the runner-up among the allowed entries; with only one allowed (one statement cites the
    # person), the closest of all the others, so a lone candidate is not ahead by default
    rest = masked if allowed.sum() > 1 else sims
    s2 = max((float(rest[i]) for i in range(len(index.ids)) if i != best), default=0.0)
    bar = tunables.answer_named if speakers else tunables.answer_open
    if lexical.status is Status.CLARIFY:
        bar -= tunables.clarify_bonus
    if s1 < bar or s1 - s2 < tunables.margin:
        return KEEP
    if speakers:
        statements = np.array([k == "statement" for k in index.kinds])
        others = np.where(~theirs & statements, sims, -1.0)
        if float(others.max(initial=-1.0)) >= s1 + tunables.other_speaker_gap:
            return KEEP
    return _answer(index, best, s1)


def nearest(index: SemanticIndex, sims: Vectors, speakers: list[str],
            tunables: Tunables = DEFAULT_TUNABLES) -> tuple[str, ...]:
    """The allowed entries closest to a question it did not answer, for "try: ..." buttons."""
    allowed = [i for i in range(len(index.ids)) if _allowed(index, i, speakers)]
    ranked = sorted(allowed, key=lambda i: -float(sims[i]))[:tunables.suggestions]
    return tuple(index.ids[i] for i in ranked if float(sims[i]) >= tunables.suggest_min)


def _who_said(index: SemanticIndex, sims: Vectors, tunables: Tunables) -> Decision:
    """ "Who said ...?": one speaker's words clearly closer than anyone else's answer it.

    The margin is between people, not statements: two statements of the same person close to
    the question leave no doubt about who.
    """
    best: dict[str, int] = {}
    for i, (kind, speaker) in enumerate(zip(index.kinds, index.speakers, strict=True)):
        if kind == "statement" and speaker and (speaker not in best
                                                or sims[i] > sims[best[speaker]]):
            best[speaker] = i
    ranked = sorted(best.values(), key=lambda i: -float(sims[i]))
    if not ranked:
        return KEEP
    s1 = float(sims[ranked[0]])
    s2 = float(sims[ranked[1]]) if len(ranked) > 1 else 0.0
    if s1 >= tunables.who_min and s1 - s2 >= tunables.who_margin:
        return _answer(index, ranked[0], s1)
    return KEEP


def _gives(index: SemanticIndex, i: int, asked: frozenset[str]) -> bool:
    """Whether entry ``i`` holds what the question asks for (a number, a time), if anything."""
    return not asked or not index.gives or asked <= index.gives[i]


def _allowed(index: SemanticIndex, i: int, speakers: list[str]) -> bool:
    if not speakers:
        return True
    return index.speakers[i] in speakers or index.cites[i] in speakers


def _answer(index: SemanticIndex, i: int, score: float) -> Decision:
    return Decision(Action.ANSWER, (index.ids[i],), (round(100 * score, 1),))
