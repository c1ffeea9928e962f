"""Lexical evidence: how much of a question each knowledge-base entry covers.

A question is read into concepts (bot/reading.py), each with its keys and weight; an entry holds
keys with a strength (bot/lexical_index.py). The score of an entry is the share of the
question's weight it covers (0..100); ties go to the entry whose alternate questions read
closest, then to the one whose own words hold the concepts, then by BM25. The pick is the
answer set the lexical reading allows. Thresholds come from :class:`bot.policy.Tunables`.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.lexical_index import LexicalIndex
from bot.patterns import ANSWER_TYPES
from bot.policy import Tunables
from bot.question import Concept, ParsedQuestion


class Scorer:
    """Scores one knowledge base's entries for questions; built once with its index."""

    def __init__(self, ix: LexicalIndex, tunables: Tunables) -> None:
        self._ix = ix
        self._tunables = tunables

    def score(self, parsed: ParsedQuestion, candidates: list[int], concepts: list[Concept],
               unknown_factor: float = 1.0, plain_factor: float = 1.0, *,
               around: bool = False) -> list[tuple[float, int]]:
        """(score 0..100, doc index) for each candidate, best first.

        ``unknown_factor`` scales the weight of words the article never uses, and
        ``plain_factor`` that of known words that are not what was asked about (no topic,
        person or cited party): 1 is strict; less forgives a paraphrase's extra words.
        ``around``: the article's words around a statement count too, weakly (among one
        speaker's own statements, where they tell which one a topic means).
        """
        substantive = {id(c) for c in self.substantive(concepts, facts=plain_factor == 1.0)}
        scores: list[tuple[float, int]] = []
        for index in candidates:
            doc = self._ix.docs[index]
            asked = parsed.question_words & ANSWER_TYPES | ({"quantity"} if parsed.quantity
                                                              else set())
            if doc.kind == "fact" and any(f"q:{w}" not in doc.keys for w in asked):
                continue  # "when were sanctions lifted": only a fact that says when
            # "Who is the president of Russia?" must not be answered by a fact whose quote
            # happens to contain "President" and "Russian": who-is questions need a fact
            # curated for them (its questions, keywords or topics).
            held = ({k: 1.0 for k in doc.curated} if parsed.identity and doc.kind == "fact"
                    else doc.keys_around if around and doc.around else doc.keys)
            total = hit = 0.0
            for concept in concepts:
                weight = concept.weight * (
                    1.0 if id(concept) in substantive
                    else unknown_factor if concept.unknown else plain_factor)
                total += weight
                hit += weight * max((held.get(k, 0.0) for k in concept.keys), default=0.0)
            if doc.kind == "fact":
                for word in parsed.question_words - {"what"}:
                    total += self._tunables.question_word_weight
                    if f"q:{word}" in doc.keys:
                        hit += self._tunables.question_word_weight
            if total:
                scores.append((100.0 * hit / total, index))
        if not scores:
            return scores
        # Ties (common: "who attended" hits several facts fully) go to the entry whose own
        # alternate questions are closest to the question, then to the entry that is most
        # about what was asked (BM25 over its texts: the concepts recur in its words and
        # alternate questions), then statements first when the question asks what someone said.
        best = max(score for score, _ in scores)
        tied = {index for score, index in scores if score >= best - 1e-6}
        tie_break = {index: (self.closeness(parsed.folded, index),
                             self.literal(concepts, index),
                             self.bm25(concepts, index)) for index in tied}
        speech = parsed.speech or parsed.who_said
        scores.sort(key=lambda item: (-round(item[0], 6),
                                      speech and self._ix.docs[item[1]].kind == "fact",
                                      [-x for x in tie_break.get(item[1], (0.0, 0.0, 0.0))],
                                      (self._ix.docs[item[1]].kind == "fact") == speech,
                                      self._ix.docs[item[1]].order))
        # facts quoting one sentence (where, when and who met, drafted from the one lead) are
        # one answer: the best placed stands for the others
        seen: set[frozenset[str]] = set()
        kept = []
        for item in scores:
            doc = self._ix.docs[item[1]]
            if doc.kind == "fact" and doc.literal:
                if doc.literal in seen:
                    continue
                seen.add(doc.literal)
            kept.append(item)
        return kept

    def closeness(self, folded: str, index: int) -> float:
        """How close the question is to one of the entry's alternate questions (0..100)."""
        hit = process.extractOne(folded, self._ix.docs[index].questions, scorer=fuzz.ratio,
                                 processor=None, score_cutoff=self._tunables.close_question)
        return hit[1] if hit else 0.0

    def literal(self, concepts: list[Concept], index: int) -> float:
        """Weight of the concepts found in the article's own words of the entry (its quote),
        not only in its tags and alternate questions: "regional security" literally."""
        own = self._ix.docs[index].literal
        return sum(c.weight for c in concepts if c.words and c.words <= own)

    def bm25(self, concepts: list[Concept], index: int) -> float:
        """Okapi BM25 of the entry for the question's concepts (k1=1.2, b=0.75)."""
        doc = self._ix.docs[index]
        norm = 1.2 * (0.25 + 0.75 * doc.length / self._ix.average_length)
        total = 0.0
        for concept in concepts:
            tf = max((doc.counts.get(k, 0) for k in concept.keys), default=0)
            if tf:
                total += concept.weight * tf * 2.2 / (tf + norm)
        return total

    def pick(self, scores: list[tuple[float, int]], concepts: list[Concept], limit: int,
              conjunction: bool = False) -> list[tuple[float, int]]:
        """The answer set: the best entry, those close to it, or two that cover it together."""
        if not scores or scores[0][0] < self._tunables.clarify_min:
            return []
        best = scores[0][0]
        if best >= self._tunables.answer_min:
            return [s for s in scores if s[0] >= max(self._tunables.answer_min, best - self._tunables.list_margin)][:limit]
        # Two entries may answer a two-part question together ("Velayati on the US and the
        # nuclear program"): accept the pair if together they cover enough, each a real part,
        # and the question has two parts ("and"), not one odd word ("the deal with banks").
        total = sum(c.weight for c in concepts)
        first = self._ix.docs[scores[0][1]]
        if first.kind != "statement" or not conjunction:
            return []
        for score, index in scores[1:8]:
            second = self._ix.docs[index]
            if second.kind != "statement":
                continue
            together = sum(c.weight for c in concepts
                           if any(k in first.keys or k in second.keys for k in c.keys))
            if total and score >= self._tunables.pair_part_min and 100 * together / total >= self._tunables.answer_min:
                return [scores[0], (score, index)]
        return []

    def substantive(self, concepts: list[Concept], *, facts: bool = True,
                     ) -> list[Concept]:
        """The specific things asked: topics, people or cited parties (and, with ``facts``,
        words curated for facts: "venue", "headline"), not common ones."""
        return [c for c in concepts if not c.unknown and not self.vague([c])
                and (any(k[:2] in {"t:", "p:", "c:"} for k in c.keys)
                     or (facts and c.keys & self._ix.curated_keys))]

    def vague(self, concepts: list[Concept]) -> bool:
        """Whether every concept is so common in the article that no entry stands out."""
        return bool(concepts) and all(c.weight <= self._ix.common_weight for c in concepts)
