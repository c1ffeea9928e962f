"""The lexical index of one knowledge base: phrases, postings, weights, vocabularies.

Built once per knowledge base (a few milliseconds per article); the engine reads questions
against it. Keys: ``p:<person>``, ``t:<topic>``, ``c:<cite>``, ``w:<stem>``, ``q:<question word>``.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from bot.context import Context, statement_contexts
from bot.knowledge import KnowledgeBase
from bot.patterns import GRAMMAR, QUANTITY, SOURCE_WORDS
from bot.question import IndexedEntry
from bot.render import short_name
from bot.text import QUESTION_WORDS, STOPWORDS, content_stems, fold, stem, words

MAX_PHRASE = 6  # longest alias or synonym, in content words
# "European Commission", "International Monetary Fund": two to five capitalised words
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,4}\b")
UNKNOWN_WEIGHT_FACTOR = 1.2  # an unknown word weighs a bit more than the rarest known one
ANSWER_TEXT_STRENGTH = 0.6  # a fact's answer is the bot's wording, weaker evidence
CONTEXT_STRENGTH = 0.5  # the article's words around a statement, weaker than its own
VAGUE_SHARE = 0.25  # a concept found in this share of all entries cannot pick an answer alone


class LexicalIndex:
    """Everything the lexical reading needs to know about a knowledge base, computed once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.people_names: dict[str, str] = {p.id: short_name(p) for p in kb.people}
        name_keys: set[tuple[str, ...]] = set()
        role_keys: set[tuple[str, ...]] = set()
        self.alias_keys: list[tuple[tuple[str, ...], str]] = []
        # person -> the groups named by their members that hold them ("Sargis Asatryan and
        # Armen Israelyan" for Asatryan): the group's words are theirs too
        self.groups: dict[str, set[str]] = defaultdict(set)
        # (the words a name is written with in capitals: "Russian defense officials" is named
        # by "defense" no more than a topic is)
        name_stems = {p.id: frozenset(content_stems(" ".join(
            w for w in p.name.split() if w[:1].isupper()))) for p in kb.people}
        for person in kb.people:
            for alias in (person.name, *person.aliases):
                name_keys.add(self.add_phrase(alias, f"p:{person.id}"))
            for alias in person.role_aliases:
                role_keys.add(self.add_phrase(alias, f"p:{person.id}"))
            self.alias_keys += [(tuple(content_stems(a)), person.id)
                                 for a in (*person.aliases, *person.role_aliases)]
            # Each part of a full name names the person too; a part two people share ("Ali")
            # names both, and the engine asks which one. A group named by its members ("Sargis
            # Asatryan and Armen Israelyan") is not named by one member's name.
            own = name_stems[person.id]
            members = [other for other, names in name_stems.items()
                       if len(names) > 1 and names < own]
            for member in members:
                self.groups[member].add(person.id)
            for part in own - {p for m in members for p in name_stems[m]}:
                if len(part) >= 3:
                    self.phrases[(part,)].add(f"p:{person.id}")
        for topic in kb.topics:
            for synonym in (topic.name, *topic.synonyms):
                self.add_phrase(synonym, f"t:{topic.id}")
        # Phrases that describe someone by role only ("the head of the CSS"): "who heads the
        # CSS?" then asks who that is, rather than who mentioned them.
        self.role_keys = frozenset(role_keys - name_keys)
        self.cite_words: dict[str, set[str]] = defaultdict(set)
        for statement in kb.statements:
            if statement.cites and kb.find_person(statement.cites) is None:
                self.add_phrase(statement.cites, f"c:{cite_key(statement.cites)}")
                for word in content_stems(statement.cites):
                    self.cite_words[word].add(f"c:{cite_key(statement.cites)}")

        self.docs: list[IndexedEntry] = []
        contexts = statement_contexts(kb)
        for order, statement in enumerate(kb.statements):
            counts, length = self.counts([statement.text, *statement.questions])
            literal = frozenset(content_stems(statement.text))
            # the article's words around it say, weakly, what it is about; never who is
            # named there (a name in the lead-in is not whom the statement cites)
            context = contexts.get(statement.id, Context(""))
            around, _ = self.counts([context.text])
            # ... unless the statement's own "they" or "he" stands for the people named there
            antecedents = {k for k in self.counts([context.antecedent])[0]
                           if k.startswith("p:") and k != f"p:{statement.speaker}"}
            around.update(dict.fromkeys(antecedents, 1))
            keys = dict.fromkeys(counts, 1.0)
            keys.update(dict.fromkeys((f"t:{t}" for t in statement.topics), 1.0))
            if statement.cites:
                cite = statement.cites
                keys[f"p:{cite}" if kb.find_person(cite) else f"c:{cite_key(cite)}"] = 1.0
            weak = {k: CONTEXT_STRENGTH for k in around
                    if (k[:2] not in ("p:", "c:") or k in antecedents) and k not in keys}
            self.docs.append(IndexedEntry(statement.id, "statement", statement.speaker, keys, order,
                                   folded(statement.questions), counts, length,
                                   literal=literal, around=weak,
                                   keys_around={**weak, **keys} if weak else keys))
        outlets = {a.id: fold(a.outlet) for a in kb.articles if a.outlet}
        for order, fact in enumerate(kb.facts, start=len(kb.statements)):
            outlet = outlets.get(fact.article_id, "")
            # a fact naming the article's own outlet answers "which outlet reported it?"
            source_words = (tuple(sorted(SOURCE_WORDS)) if outlet and outlet in fold(
                f"{fact.answer} {fact.quote}") else ())
            # The bot's own answer wording counts less than the article's words and the
            # curated questions and keywords: "the article does not name the city" is not
            # what the fact is about.
            answer_counts, answer_length = self.counts([fact.answer])
            quote_counts, quote_length = self.counts([fact.quote])
            curated_counts, curated_length = self.counts([*fact.questions, *fact.keywords,
                                                           *source_words])
            curated = set(curated_counts) | {f"t:{t}" for t in fact.topics}
            curated |= {f"q:{w}" for text in (*fact.questions, *fact.keywords)
                        for w in words(text) if w in QUESTION_WORDS}
            if any(QUANTITY.search(" ".join(words(q))) for q in (*fact.questions, *fact.keywords)):
                curated.add("q:quantity")  # it answers "how many ...?"
            keys = dict.fromkeys(answer_counts, ANSWER_TEXT_STRENGTH)
            keys.update(dict.fromkeys([*quote_counts, *curated], 1.0))
            counts = {k: answer_counts.get(k, 0) + quote_counts.get(k, 0)
                      + curated_counts.get(k, 0) for k in keys}
            self.docs.append(IndexedEntry(fact.id, "fact", None, keys, order, folded(fact.questions),
                                   counts, answer_length + quote_length + curated_length,
                                   frozenset(curated), frozenset(content_stems(fact.quote))))

        # Words curated for facts ("venue", "headline"): specific, like a topic.
        self.curated_keys = frozenset(k for d in self.docs for k in d.curated
                                       if k.startswith("w:"))
        self.postings: dict[str, set[int]] = defaultdict(set)
        for index, doc in enumerate(self.docs):
            for key in doc.keys:
                self.postings[key].add(index)
        self.doc_count = len(self.docs)
        self.unknown_weight = UNKNOWN_WEIGHT_FACTOR * self.idf(1)
        self.average_length = sum(d.length for d in self.docs) / max(self.doc_count, 1)
        # a concept found in VAGUE_SHARE of all entries weighs this much or less
        self.common_weight = self.idf(max(1, int(self.doc_count * VAGUE_SHARE)))

        # The correction vocabulary: every word the index knows, plus the words of questions.
        vocab = {key[2:] for key in self.postings if key.startswith("w:")}
        vocab |= {key[2:] for d in self.docs for key in d.around if key.startswith("w:")}
        vocab |= {w for phrase in self.phrases for w in phrase}
        self.content_vocab = frozenset(vocab)
        self.vocab_list = sorted(vocab | STOPWORDS | QUESTION_WORDS)
        # Acronyms the article never writes but a reader may ("EC" for "European Commission"):
        # the initials of a run of capitalised words, read as its last word
        self.acronyms: dict[str, str] = {}
        for article in kb.articles:
            for run in _CAPITALISED_RUN.finditer(article.source_text):
                names = run.group(0).split()
                while names and names[0].lower() in STOPWORDS:  # "The European Commission"
                    names = names[1:]
                if len(names) < 2:
                    continue
                initials = "".join(n[0] for n in names).lower()
                last = content_stems(names[-1])
                # (one that is only part of a curated phrase, "EC report", is still read so)
                if last and f"w:{initials}" not in self.postings and initials not in STOPWORDS:
                    self.acronyms.setdefault(initials, last[0])
        # Words the articles write in lower case, to write topic names mid-sentence.
        self.lower_stems = frozenset(
            stem(w) for a in kb.articles for w in re.findall(r"\b[a-z]+\b", a.source_text))
        # Words of people's roles that are not topic words: "deputy", "chairman", "secretary".
        topic_words = {phrase[0] for phrase, concepts in self.phrases.items()
                       if len(phrase) == 1 and any(c.startswith("t:") for c in concepts)}
        self.topic_words = frozenset(topic_words)
        self.role_words: dict[str, set[str]] = defaultdict(set)
        for person in kb.people:
            for role in person.roles:
                for word in content_stems(role_head(role)):
                    if word not in topic_words and not word.isdigit():
                        self.role_words[word].add(person.id)
        self.person_order = {p.id: n for n, p in enumerate(kb.people)}
        quoted = kb.quoted_people()
        self.nationalities: dict[str, tuple[str, ...]] = {}
        for nationality in {p.nationality for p in quoted if p.nationality}:
            self.nationalities[stem(fold(nationality))] = tuple(
                p.id for p in quoted if p.nationality == nationality)
        # Words that describe people ("deputy", "head", "ambassador"): a question using them
        # is about someone; if no one is recognised, no quote is shown on a partial match.
        self.person_words = frozenset(
            w for person in kb.people for text in (*person.roles, *person.role_aliases)
            for w in content_stems(role_head(text))) - topic_words - set(self.nationalities)



    def add_phrase(self, text: str, concept: str) -> tuple[str, ...]:
        """Index a name, alias or synonym under its sorted content stems; returns that key."""
        key = tuple(sorted(content_stems(text)))
        dropped = [w for w in words(text) if w in STOPWORDS and w not in GRAMMAR]
        if len(key) == 1 and dropped:
            # "Iran deal" must not become a synonym of plain "Iran": a phrase may lose its
            # grammar words ("the ambassador"), not words that made it specific.
            return ()
        if key and len(key) <= MAX_PHRASE:
            self.phrases[key].add(concept)
        return key

    def counts(self, texts: list[str]) -> tuple[dict[str, int], int]:
        """The concept keys of knowledge-base texts (their phrases and plain word stems) with
        how often each occurs, and the texts' length in content words."""
        counts: dict[str, int] = defaultdict(int)
        length = 0
        for text in texts:
            stems = content_stems(text)
            length += len(stems)
            for s in stems:
                counts[f"w:{s}"] += 1
            for concepts, _, _ in self.find_phrases(stems):
                for concept in concepts:
                    counts[concept] += 1
        return dict(counts), length

    def find_phrases(self, stems: list[str]) -> list[tuple[set[str], int, int]]:
        """Phrases in a run of stems, longest first, non-overlapping: (concepts, start, end)."""
        found: list[tuple[set[str], int, int]] = []
        taken = [False] * len(stems)
        for size in range(min(MAX_PHRASE, len(stems)), 0, -1):
            for start in range(len(stems) - size + 1):
                end = start + size
                if any(taken[start:end]):
                    continue
                concepts = self.phrases.get(tuple(sorted(stems[start:end])))
                if concepts:
                    found.append((set(concepts), start, end))
                    taken[start:end] = [True] * size
        found.sort(key=lambda item: item[1])
        return found

    def idf(self, df: int) -> float:
        return math.log(1.0 + self.doc_count / max(df, 1))


def role_head(role: str) -> str:
    """The title part of a role: "Deputy Secretary" of "Deputy Secretary of the Russian
    Security Council"; "assistant" of "assistant of spiritual leader ...", not "leader"."""
    return re.split(r"\b(?:of|to|on|at|for|in)\b", fold(role), maxsplit=1)[0]


def cite_key(text: str) -> str:
    """The key of a free-text cite ("the Iranian president" -> "iranian-president")."""
    return "-".join(content_stems(text))


def folded(texts: tuple[str, ...]) -> tuple[str, ...]:
    """Texts as the engine compares them: folded words joined by spaces."""
    return tuple(" ".join(words(t)) for t in texts)
