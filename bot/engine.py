"""The answering engine: a question in, a typed result out. No Telegram, no HTML.

How a question is understood, in order:

1. Words are folded (case, accents, Cyrillic), stop words set aside, typos corrected against the
   knowledge base's own vocabulary (rapidfuzz, edit distance, strict per word length).
2. Phrases are found, longest first, in any word order: people's names, spellings and roles
   ("the Iranian ambassador"), topic synonyms ("Shanghai Cooperation Organisation"), whom a
   statement cites ("the Iranian president"). What is left are plain words, known or unknown.
3. Every statement and fact was indexed the same way at load (its text, alternate questions,
   topics, keywords). An entry's score is the share of the question's meaning it covers, each
   concept weighted by how rare it is (idf); a word the article never uses weighs the most, so
   "the weather in Moscow" covers too little of anything to be answered.
4. A named speaker filters: only their statements (or ones that cite them) can answer. If another
   person said it, the reply says so instead of showing the words under the wrong name.
5. Thresholds decide: answer, clarify (at most three choices), or no answer with examples.
6. Where that lexical verdict is unsure or silent, the semantic policy (``bot/policy.py``)
   may answer by meaning, within the same speaker rules.

The stages live apart: ``patterns`` (every regex), ``question`` (the types), ``lexical_index``
(built once per knowledge base), ``context`` (the article's words around each statement),
``slots`` (whom a name slot means), ``scoring`` (an entry's share of the question, the answer
set), this module (reading and deciding), ``policy`` (the semantic signal), and ``render`` (all
wording: the engine returns a typed ``Note``).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from bot import describing, lexicon
from bot.knowledge import Fact, KnowledgeBase, Person, Statement, normalise_verbatim
from bot.lexical_index import (
    LexicalIndex,
)
from bot.patterns import (
    ABOUT,
    ALL_SAID,
    ANSWER_TYPES,
    ARTICLE_ABOUT,
    CLAIM,
    CLEFT,
    DEFINITION,
    GREETINGS,
    IN_THE_ARTICLE,
    NAME_OF,
    PRONOUN,
    PRONOUN_SUBJECT,
    QUESTION_FRAME,
    REPORTED_BY,
    REPORTING_VERBS,
    SAID_WH,
    SAYS_CLAUSE,
    SPEAKER_COUNT,
    WAS_IT,
    WHO_IS,
)
from bot.policy import (
    DEFAULT_TUNABLES,
    Action,
    SemanticIndex,
    Tunables,
    answer_kinds,
    describe_person,
    nearest,
    refine,
)
from bot.question import Concept, IndexedEntry, ParsedQuestion
from bot.reading import QuestionReader
from bot.render import PLAIN, note_text, render_result
from bot.results import NO_NOTE, Match, Note, NoteKind, Result, Status, Suggestion
from bot.russian import is_russian
from bot.russian import read as read_russian
from bot.scoring import Scorer
from bot.semantic import MiniLM
from bot.slots import SlotReader
from bot.text import content_stems, fold, stem, words

VERBATIM_WORDS = 5  # a who-said question quoting this many words of one statement is about it

__all__ = ["Engine", "Match", "Result", "Status", "Suggestion"]

log = logging.getLogger(__name__)


class Engine:
    """Answers questions from one knowledge base. Build once per knowledge base (cheap: ms)."""

    def __init__(self, kb: KnowledgeBase, embedder: MiniLM | None = None,
                 tunables: Tunables = DEFAULT_TUNABLES) -> None:
        self.kb = kb
        self._embedder = embedder
        self._tunables = tunables
        self._semantic = SemanticIndex.build(kb, embedder) if embedder is not None else None

        self._ix = LexicalIndex(kb)
        self._reader = QuestionReader(kb, self._ix, tunables)
        self._scorer = Scorer(self._ix, tunables)
        self._named_in: dict[tuple[str, str], bool] = {}
        # each statement's words in order, for a question that quotes the article word for word
        self._worded = {i: f" {' '.join(words(kb.statement(d.id).text))} "
                        for i, d in enumerate(self._ix.docs) if d.kind == "statement"}
        self._slots = SlotReader(kb, self._ix, self._reader, tunables, (
            embedder.embed_entries([describe_person(p) for p in kb.people])
            if embedder is not None else None))
        # what each entry's own words can answer beyond meaning: a number, a time (see
        # answer_kinds), a place (a fact's by its quote)
        self._gives = [_gives(self.kb.statement(d.id).text) if d.kind == "statement"
                       else _gives(self.kb.fact(d.id).quote) for d in self._ix.docs]
        # where and when each statement was said, as its attribution gives it ("said on
        # Sunday", "speaking in Astana in July 2016"); only an attribution the article holds
        # word for word, since the reply shows it as the article's
        sources = {a.id: normalise_verbatim(a.source_text) for a in kb.articles}
        self._said_at = {s.id: said_at(s.attribution) for s in kb.statements
                         if s.attribution and all(
                             normalise_verbatim(part) in sources.get(s.article_id, "")
                             for part in _ELISION.split(s.attribution))}  # "X ... was quoted"
        self._examples = self._example_suggestions()
        # words for the occasion of what was said ("at the round table", "in the piece"):
        # where someone spoke, not what about
        self._occasion = ARTICLE_WORDS | {"event"} | {
            w for a in kb.articles for w in content_stems(a.event.kind)}
        # what the article is about, by its title: what everyone in it speaks of
        self._titled = self._occasion | {w for a in kb.articles for w in content_stems(a.title)}

    def __getstate__(self) -> dict[str, object]:
        """Everything built from the knowledge base, without the model (a library caches
        built engines on disk); :meth:`attach` gives an unpickled engine its model back."""
        state = dict(self.__dict__)
        state["_embedder"] = None
        return state

    def attach(self, embedder: MiniLM | None) -> Engine:
        """Use ``embedder`` for questions (an engine read back from a cache); returns self."""
        self._embedder = embedder
        return self
    # ---------------------------------------------------------------------------- answering

    def answer(self, question: str) -> Result:
        """Answer one question; never raises on any string input."""
        if not isinstance(question, str):
            question = str(question)
        try:
            if is_russian(question):
                return self._answer_russian(question)
            return self._answer(question)
        except Exception:  # a bug must cost one reply, never the conversation
            log.exception("engine failed on a question of %d characters", len(question))
            return self._result(question, Status.NO_ANSWER, (), Note(NoteKind.ENGINE_ERROR),
                                self._examples)

    def _answer_russian(self, question: str) -> Result:
        """A Russian question, read in English words; the lead comes back in Russian."""
        reading = read_russian(question)
        result = self._answer(reading.english)
        note = result.note
        unknown = [w for w in reading.unread if not self._reader.correct(fold(w)).known]
        names = [w for w in unknown if w[:1].isupper() and not question.lstrip().startswith(w)]
        if result.status is Status.NO_ANSWER and unknown and note.kind in (
                NoteKind.NOT_IN_ARTICLE, NoteKind.NO_QUESTION, NoteKind.NOT_MENTIONED,
                NoteKind.NOT_ENGLISH, NoteKind.NO_WORDS):
            # a name the article never uses ("Путин"), or a question not understood: then
            # never say the article is silent about it
            note = (Note(NoteKind.NOT_MENTIONED, subject=" ".join(names)) if names
                    and len(names) == len(unknown)
                    else Note(NoteKind.NOT_UNDERSTOOD, subject=" ".join(unknown)))
        localized = replace(result, question=question, note=note, lang="ru",
                            lead=note_text(note, self.kb, "ru")
                            if note.kind is not NoteKind.NONE or result.matches else "")
        return replace(localized, text=render_result(localized, self.kb, PLAIN))

    def _answer(self, question: str) -> Result:
        stripped = question.strip()
        if len(stripped) > self._tunables.max_question_chars:
            return self._result(question, Status.NO_ANSWER, (), Note(
                NoteKind.TOO_LONG, count=len(stripped), limit=self._tunables.max_question_chars),
                self._examples)
        parsed = self._reader.parse(self._as_asked(stripped))
        if not parsed.tokens:
            note = Note(NoteKind.NO_WORDS if stripped else NoteKind.EMPTY)
            return self._result(question, Status.NO_ANSWER, (), note, self._examples)
        if not re.search(r"[a-z]", parsed.folded):
            return self._result(question, Status.NO_ANSWER, (), Note(NoteKind.NOT_ENGLISH),
                                self._examples)
        if (not parsed.speakers and not parsed.objects and not parsed.cited
                and not parsed.concepts and not parsed.question_words
                and all(t.raw in GREETINGS or t.function for t in parsed.tokens)):
            return self._result(question, Status.NO_ANSWER, (), Note(NoteKind.GREETING),
                                self._examples)

        as_typed = fold(stripped)
        if ARTICLE_ABOUT.match(as_typed) and not parsed.speakers and not any(
                self._scorer.closeness(parsed.folded, i) >= self._tunables.faq_match
                for i, d in enumerate(self._ix.docs) if d.kind == "fact"):
            # "what is this story about?": the article itself (title, summary, who speaks),
            # unless the admin curated a fact for the question ("what is the article about")
            return self._article_card(question)
        if REPORTED_BY.search(as_typed):
            # "which agency reported Peskov's comments?": whoever published the article; the
            # people named only say which report. A fact curated for it, or the article itself
            parsed.objects, parsed.speakers, parsed.cited = [], [], []
            reported = self._answer_open(question, parsed, facts_only=True)
            if reported.status is Status.ANSWER:
                return reported
            return self._article_card(question)
        if SPEAKER_COUNT.search(parsed.folded) and not parsed.speakers:
            speakers = self.kb.quoted_people()
            return self._result(question, Status.ANSWER, tuple(
                Match(p.id, "person", p.id, 100.0) for p in speakers),
                Note(NoteKind.SPEAKER_COUNT, count=len(speakers)), ())
        if not (parsed.speakers or parsed.objects or parsed.cited):
            described, slot = self._slots.people_by_role_words(parsed)
            if len(described) > 1 and parsed.concepts:
                # "the CSS guy on BRICS": of those it could be, only one spoke about it
                asked = [c for c in parsed.concepts if not c.words <= slot]
                spoke = [p for p in described if asked and self._scorer.pick(self._scorer.score(
                    parsed, [i for i, d in enumerate(self._ix.docs) if d.speaker == p], asked),
                    asked, self._tunables.max_list)]
                if len(spoke) == 1:
                    described = spoke
            if len(described) > 1:
                return self._clarify_people(question, described)
            if described:
                # the slot's words named them; what else was asked stays ("... on the SCO")
                parsed.concepts = [c for c in parsed.concepts if not c.words <= slot]
                if described[0].startswith("c:"):
                    parsed.cited = [described[0][2:]]
                else:
                    parsed.speakers, parsed.described_by = described, slot
                    parsed.who_is = not parsed.concepts and bool(WHO_IS.search(parsed.folded))
        unknown = self._slots.unknown_name(parsed)
        if unknown:
            return self._result(question, Status.NO_ANSWER, (),
                                Note(NoteKind.NOT_MENTIONED, subject=unknown), self._examples)
        if parsed.speech and len(parsed.speakers) > 1:
            quoted = [p for p in parsed.speakers if self.kb.statements_by(p)]
            if len(quoted) == 1:  # "what did Ali say": only one Ali is quoted
                parsed.speakers = quoted
        if len(parsed.speakers) > 1 and not any(self.kb.statements_by(p)
                                                for p in parsed.speakers):
            # "what will Tokayev and Putin discuss?": none of them is quoted; what the article
            # says of them (their talks) is what is asked, not which of them spoke
            parsed.objects, parsed.speakers = parsed.objects + parsed.speakers, []
        if parsed.speakers and len(parsed.speakers) > 1 and not parsed.concepts:
            return self._clarify_people(question, parsed.speakers)  # "the Iranian delegation"
        if (parsed.speech and not parsed.speakers and not parsed.objects and not parsed.cited
                and not parsed.concepts and PRONOUN.search(parsed.folded)):
            # "what did he say?": no one to refer to; offer the people who spoke
            return self._clarify_people(question, [p.id for p in self.kb.quoted_people()])
        if parsed.speakers and (parsed.who_is or (not parsed.concepts and not parsed.speech
                                                  and not parsed.question_words)):
            person = self.kb.person(parsed.speakers[0])
            return self._result(question, Status.ANSWER,
                                (Match(person.id, "person", person.id, 100.0),
                                 *self._naming_facts(person.id, parsed.described_by)),
                                Note(NoteKind.WHO_IS) if parsed.who_is and (
                                    WHO_IS.search(parsed.folded) or not parsed.speech)
                                else NO_NOTE, ())
        if (len(parsed.speakers) == 1 and parsed.concepts and ALL_SAID.search(parsed.folded)
                and self.kb.statements_by(parsed.speakers[0])
                and not any((c.unknown and not c.words <= ARTICLE_WORDS)
                            or any(k[:2] in {"t:", "c:"} for k in c.keys)
                            for c in parsed.concepts)):
            # "everything Lagarde said in the meeting": all of it, whatever the context words
            person = self.kb.person(parsed.speakers[0])
            return self._result(question, Status.ANSWER,
                                (Match(person.id, "person", person.id, 100.0),), NO_NOTE, ())
        if parsed.speakers:
            return self._said_where(parsed, self._refined(
                question, parsed, self._answer_for_speakers(question, parsed)))
        unquoted = self._slots.unresolved_speaker(parsed)
        meant = self._slots.described_people(unquoted, self._embedder) if unquoted else []
        if meant:
            # "what did the Uzbek premier say": the article's roles, in other words, name them
            slot_stems = frozenset(content_stems(unquoted))
            parsed.concepts = [c for c in parsed.concepts if not c.words <= slot_stems]
            quoted = [p for p in meant if self.kb.statements_by(p)]
            parsed.speakers = quoted if len(meant) > 1 and len(quoted) == 1 else meant
            parsed.described_by = slot_stems
            if len(parsed.speakers) > 1 and not parsed.concepts:
                return self._clarify_people(question, parsed.speakers)
            return self._said_where(parsed, self._refined(
                question, parsed, self._answer_for_speakers(question, parsed)))
        if unquoted:
            if describing.only_places(describing.read(unquoted)):
                # "how did the US react?", no American quoted: what the article reports of
                # the US, never someone else's words
                reported = self._answer_open(question, parsed, facts_only=True)
                if reported.status is Status.ANSWER:
                    return reported
            typed = re.search(re.escape(unquoted), question, re.IGNORECASE)
            return self._result(question, Status.NO_ANSWER, (), Note(
                NoteKind.NOT_QUOTED, subject=typed[0] if typed else unquoted), self._examples)
        return self._refined(question, parsed, self._answer_open(question, parsed))

    def _article_card(self, question: str) -> Result:
        """The article itself as the answer: title, outlet, summary, who speaks."""
        return self._result(question, Status.ANSWER, tuple(
            Match(a.id, "article", None, 100.0) for a in self.kb.articles), NO_NOTE, ())

    def _refined(self, question: str, parsed: ParsedQuestion, lexical: Result) -> Result:
        """The lexical verdict, overturned by the semantic policy where it is not decisive."""
        if self._semantic is None or self._embedder is None:
            return lexical
        sims = self._semantic.similarities(
            self._embedder.embed_one(self._meaning_of(question, parsed)))
        decision = refine(lexical, self._semantic, sims, parsed.speakers, self._tunables,
                          who_said=parsed.who_said and _reports_speech(parsed),
                          speech=parsed.speech, asked=_answer_kinds_asked(parsed))
        if decision.action is not Action.ANSWER:
            if lexical.status is Status.NO_ANSWER and lexical.suggestions == self._examples:
                # not sure enough to answer: the nearest entries are better "try" than examples
                near = nearest(self._semantic, sims, parsed.speakers, self._tunables)
                if near:
                    kinds = self._semantic.kind_of
                    return self._result(question, Status.NO_ANSWER, (), lexical.note, _dedupe(
                        tuple(self._suggest_entry(i, kinds[i]) for i in near),
                        self._tunables.max_suggestions))
            return lexical
        kinds, speakers = self._semantic.kind_of, self._semantic.speaker_of
        matches = tuple(Match(i, kinds[i], speakers[i], s)
                        for i, s in zip(decision.ids, decision.scores, strict=True))
        return self._result(question, Status.ANSWER, matches, NO_NOTE, ())

    def _names_in(self, statement_id: str, person_id: str) -> bool:
        """Whether a statement's own words name the person (found once per pair)."""
        key = (statement_id, person_id)
        found = self._named_in.get(key)
        if found is None:
            found = self._named_in[key] = bool(self._slots.names_of(person_id).search(
                self.kb.statement(statement_id).text))
        return found

    def _as_asked(self, question: str) -> str:
        """The question in the form the reader knows: "what is the name of X" asks who X is;
        "was it X who said Y", of someone the article names, asks whether X said Y ("is it
        true that ..." stays as asked)."""
        was_it = WAS_IT.match(question)
        if was_it and self._reader.parse(was_it.group("x")).speakers:
            return f"did {was_it.group('x')} say {was_it.group('rest')}"
        question = CLEFT.sub(r"\g<lead>who ", question)  # "who was it that said X": who said X
        framed = IN_THE_ARTICLE.sub(" ", question)
        if framed != question and not ALL_SAID.search(" ".join(words(question))):
            # ("all of X's quotes in the piece" already reads the article words as all)
            parsed = self._reader.parse(framed)
            if parsed.speakers or parsed.objects or parsed.concepts:
                question = " ".join(framed.split())
        return NAME_OF.sub("who is ", question)

    def _meaning_of(self, question: str, parsed: ParsedQuestion) -> str:
        """What the sentence model compares with the entries: the question without the names
        of the speakers it is asked of and without its frame ("who said that", "what did X say
        about"), which no entry's words hold; the whole question when little else is left."""
        text = question
        for person_id in parsed.speakers:
            text = self._slots.names_of(person_id).sub(" ", text)
        if parsed.described_by:  # "Tashkent's top diplomat" is whom it asks, like a name
            text = " ".join(w for w in text.split()
                            if not set(content_stems(w)) & parsed.described_by)
        rest = QUESTION_FRAME.sub("", " ".join(text.split()), count=1)
        return rest if len(rest.split()) >= 2 else question

    def _answer_for_speakers(self, question: str, parsed: ParsedQuestion) -> Result:
        """Questions that name who spoke: only their words (or words citing them) answer."""
        speakers = parsed.speakers
        own = [i for i, d in enumerate(self._ix.docs) if d.speaker in speakers]
        quoted = any(d.kind == "statement" for d in (self._ix.docs[i] for i in own))
        about_them = [i for i, d in enumerate(self._ix.docs)
                      if d.kind == "fact" and any(f"p:{p}" in d.keys for p in speakers)]
        # others' words that speak of them: citing them, or naming them in the words
        # themselves (an alternate question or attribution that names them is not that)
        citing = [i for i, d in enumerate(self._ix.docs)
                  if d.kind == "statement" and d.speaker not in speakers
                  and any(f"p:{p}" in d.keys for p in speakers)
                  and (self.kb.statement(d.id).cites in speakers
                       or any(self._names_in(d.id, p) for p in speakers))]
        # of those, the ones that give their words (``cites``), not merely mention them
        cited = [i for i in citing if self.kb.statement(self._ix.docs[i].id).cites in speakers]
        if parsed.speech and not quoted and len(speakers) == 1 and not cited:
            # "what did Romanovich say (about sanctions)?", "did he speak?": named, never
            # quoted, and no one gives their words (a mention is not their words, nor are the
            # article's facts about them). The article does not answer: the reply says so, with
            # their role, and offers their card and the facts about them. (Of two or more,
            # "what did the presidents talk about" asks what they discussed.)
            suggestions = tuple(s for s in (
                self._suggest_entry(speakers[0], "person"),
                *(self._suggest_entry(self._ix.docs[i].id, "fact") for i in about_them))
                if fold(s.question).strip(" ?") != fold(question).strip(" ?"))
            return self._result(question, Status.NO_ANSWER, (),
                                Note(NoteKind.NAMED_NOT_QUOTED, (speakers[0],)),
                                _dedupe(suggestions, self._tunables.max_suggestions))
        if not parsed.speech or not quoted:
            # "was Patrushev at the round table", "did Romanovich speak?": facts about them
            own += about_them
        said_wh = SAID_WH.search(parsed.folded)
        if said_wh and parsed.speech:
            # "did he say where the envoys will meet?": only words that give a place answer;
            # his words on the envoys that give none are not that
            wh = said_wh.group("wh")
            needs = "where" if wh == "where" else "when" if wh == "when" else "quantity"
            own = [i for i in own if self._ix.docs[i].kind == "fact" or needs in self._gives[i]]
        placed = parsed.question_words & {"where", "when"}
        if placed and not parsed.speech and parsed.concepts:
            # "when did Mirziyoyev and Trump meet?": asks for a time, not for their words;
            # only words that give one answer, and the facts curated to answer it: about
            # them, or else about no one and giving it in its own words (a fact about others
            # is not their meeting; one that gives no time does not say when)
            facts = self._facts_saying(placed)
            own = ([i for i in own if self._ix.docs[i].kind == "statement"
                    and placed <= self._gives[i]]
                   + ([i for i in about_them if i in facts]
                      or [i for i in facts
                          if not any(k[:2] == "p:" for k in self._ix.docs[i].keys)
                          and placed <= self._gives[i]]))
        if parsed.speech and quoted and not ABOUT.search(parsed.folded):
            # "what did Pashinyan tell reporters?", "Velayati's words at the round table":
            # where and to whom they spoke asks for nothing narrower than what they said
            # (what they said "about the event" is a topic)
            parsed.concepts = [c for c in parsed.concepts if not c.words <= self._occasion]
        concepts = (parsed.concepts + [self._person_concept(p) for p in parsed.objects]
                    + [self._cite_concept(c) for c in parsed.cited])
        if placed and parsed.speech and not concepts:
            # "where did he say it?": his words whose attribution says where (or when)
            told = self._said_there(tuple(Match(s.id, "statement", s.speaker, 100.0)
                                          for p in speakers for s in self.kb.statements_by(p)),
                                    placed)
            if told:
                return self._result(question, Status.ANSWER, told, Note(NoteKind.SAID_AT), ())
        if placed and not concepts:
            # "where was he at the time?", or said where no attribution tells: where or when
            # they spoke is a fact about them, or about the article's occasion; never a quote
            facts = self._facts_saying(placed)
            chosen = next((i for i in about_them if i in facts), facts[0] if facts else None)
            if chosen is not None:
                return self._result(question, Status.ANSWER, self._matches([(100.0, chosen)]),
                                    NO_NOTE, ())
        if not concepts and parsed.question_words - {"what", "who"} and not parsed.speech:
            return self._not_said_about(question, speakers)  # "where is Velayati from"
        if not concepts:  # "what did Foruzesh say": everything they said
            said = [i for i in own if self._ix.docs[i].kind == "statement"]
            if said:
                matches = tuple(Match(self._ix.docs[i].id, "statement", self._ix.docs[i].speaker,
                                      100.0) for i in said)
                return self._result(question, Status.ANSWER, matches, NO_NOTE, ())
            if cited:
                return self._cited_answer(question, speakers, cited, 100.0)
            person = self.kb.person(speakers[0])  # no words of theirs asked for: their card
            return self._result(question, Status.ANSWER,
                                (Match(person.id, "person", person.id, 100.0),), NO_NOTE, ())

        # With the speaker certain, words the article never uses ("the harm Iran sustained")
        # weigh little, as long as something specific was asked (a topic, not just "Iran").
        factor = self._tunables.speaker_unknown_factor if self._scorer.substantive(concepts, facts=False) else 1.0
        scores = self._scorer.score(parsed, own, concepts, factor, factor, around=True)
        picked = self._scorer.pick(scores, concepts, self._tunables.max_list, parsed.conjunction)
        groups = {g for p in speakers for g in self._ix.groups.get(p, ())}
        shared = [i for i, d in enumerate(self._ix.docs)
                  if d.speaker in groups] if groups and not picked else []
        if shared and not CLAIM.match(parsed.folded):
            # none of their own words: words they said with others, under all their names ("a
            # statement of Asatryan and Israelyan is Asatryan's too")
            scores = self._scorer.score(parsed, own + shared, concepts, factor, factor,
                                        around=True)
            picked = self._scorer.pick(scores, concepts, self._tunables.max_list,
                                       parsed.conjunction)
        # what others said of it, best first: a partial match of the speaker's own words is
        # not theirs when someone else said it all, and the reply names who did
        said_by_others = [] if picked else self._scorer.pick(self._scorer.score(
            parsed, [i for i, d in enumerate(self._ix.docs)
                     if d.kind == "statement" and d.speaker not in speakers],
            concepts, factor, factor), concepts, self._tunables.max_list)
        if (not picked and parsed.speech and own
                and all(self._scorer.vague([c]) and not c.unknown for c in concepts)
                # "did Mirziyoyev talk about the arrests?", a subject of the article's that
                # none of his words hold and that is not what the article is about: not his
                and not (ABOUT.search(parsed.folded) and any(
                    not c.words <= self._titled and not any(
                        k in self._ix.docs[i].keys for i in own for k in c.keys)
                    for c in concepts))
                and not (said_by_others and said_by_others[0][0] >= self._tunables.answer_min
                         and (CLAIM.match(parsed.folded) or SAYS_CLAUSE.match(parsed.folded)))):
            # "Velayati's remarks at the event": only context, no topic: all they said (unless
            # a claim asked is someone else's: "did Trump say the deals are worth $5 billion?")
            said = [i for i in own if self._ix.docs[i].kind == "statement"]
            picked = [(100.0, i) for i in said][:self._tunables.max_list]
        if (not picked and scores and scores[0][0] >= self._tunables.clarify_min
                and self._ix.docs[scores[0][1]].kind == "statement"):
            # The speaker is certain: a partial match is enough when one of their statements
            # stands well clear of their others ("Sanaei on Russia's place in Iran's policy"),
            # or several match equally ("Velayati's take on the US": both of his US quotes).
            best = scores[0][0]
            tied = [s for s in scores if s[0] >= best - 1e-6]
            if said_by_others and said_by_others[0][0] >= max(
                    self._tunables.answer_min, best + self._tunables.list_margin):
                # "did Putin say the cooperation serves the whole region?": part of it, where
                # someone else said all of it, is not his saying it
                scores = []
            elif len(scores) == len(tied) or best - scores[len(tied)][0] >= self._tunables.speaker_margin:
                picked = tied[:self._tunables.max_list]
        if picked:
            return self._result(question, Status.ANSWER, self._matches(picked), NO_NOTE, ())
        cited_scores = self._scorer.score(parsed, citing, concepts)
        cited_pick = self._scorer.pick(cited_scores, concepts, self._tunables.max_list)
        if cited_pick:
            return self._cited_answer(question, speakers, [i for _, i in cited_pick],
                                      cited_pick[0][0])
        if scores and scores[0][0] >= self._tunables.clarify_min:
            return self._clarify(question, scores)

        # Not theirs. Did someone else say it? Say so, never show it under their name.
        labels = list(dict.fromkeys(c.label for c in parsed.concepts))  # one topic, named once
        # "on BRICS and the SCO" for topics; "on climate change" for plain words as asked; a
        # claim asked yes or no ("did Putin say the cooperation serves the region?") is no
        # topic: the reply says he is not quoted saying it (an empty subject)
        substantive = self._scorer.substantive(parsed.concepts, facts=False)
        claim = (bool(CLAIM.match(parsed.folded)) and not substantive) or bool(
            SAYS_CLAUSE.match(parsed.folded))
        topic = "" if claim else (_join(labels) if substantive else " ".join(labels)) or "that"
        if said_by_others:
            who = tuple(dict.fromkeys(self._ix.docs[i].speaker or "" for _, i in said_by_others))
            suggestions = tuple(self._suggest_statement(self._ix.docs[i].id, topic or None)
                                for _, i in said_by_others[:self._tunables.max_suggestions])
            return self._result(question, Status.NO_ANSWER, (), Note(
                NoteKind.NOT_QUOTED_ON, tuple(speakers), who, topic),
                _dedupe(suggestions, self._tunables.max_suggestions))
        own_statements = [d for d in self._ix.docs if d.speaker in speakers]
        if not parsed.speech:
            return self._not_said_about(question, speakers)
        if own_statements:
            suggestions = tuple(self._suggest_statement(d.id) for d in own_statements)
            return self._result(question, Status.NO_ANSWER, (), Note(
                NoteKind.NOT_QUOTED_ON, tuple(speakers), subject=topic),
                _dedupe(suggestions, self._tunables.max_suggestions))
        return self._result(question, Status.NO_ANSWER, (),
                            Note(NoteKind.NAMED_NOT_QUOTED, (speakers[0],)), self._examples)

    def _said_where(self, parsed: ParsedQuestion, result: Result) -> Result:
        """ "Where did X say Y?": the statements answering it whose attribution tells where (or
        when), shown with it; otherwise the answer as it is (the quote, no place)."""
        placed = parsed.question_words & {"where", "when"}
        if not (placed and parsed.speech and result.status is Status.ANSWER):
            return result
        said = self._said_there(result.matches, placed)
        return self._result(result.question, Status.ANSWER, said,
                            Note(NoteKind.SAID_AT), ()) if said else result

    def _said_there(self, matches: tuple[Match, ...], placed: frozenset[str] | set[str]
                    ) -> tuple[Match, ...]:
        """The statements among ``matches`` whose attribution tells where / when they were said."""
        return tuple(m for m in matches if m.kind == "statement"
                     and placed <= self._said_at.get(m.id, frozenset()))

    def _naming_facts(self, person_id: str, described_by: frozenset[str]) -> tuple[Match, ...]:
        """ "Who is Turkey's envoy?": beside the card, the article's sentence that names them
        so (a fact about them holding the description's words), if there is one."""
        if not described_by:
            return ()
        for doc in self._ix.docs:
            if doc.kind == "fact" and f"p:{person_id}" in doc.keys \
                    and described_by & doc.literal:
                return (Match(doc.id, "fact", None, 100.0),)
        return ()

    def _facts_saying(self, kinds: Iterable[str]) -> list[int]:
        """The facts curated to answer every one of these ("where", "when", "quantity"), in
        article order."""
        return [i for i, d in enumerate(self._ix.docs) if d.kind == "fact"
                and all(f"q:{w}" in d.curated for w in kinds)]

    def _not_said_about(self, question: str, speakers: list[str]) -> Result:
        return self._result(question, Status.NO_ANSWER, (),
                            Note(NoteKind.NOT_SAID_ABOUT, (speakers[0],)),
                            (self._suggest_entry(speakers[0], "person"),))

    def _cited_answer(self, question: str, speakers: list[str], citing: list[int],
                      score: float) -> Result:
        quoting = tuple(dict.fromkeys(self._ix.docs[i].speaker or "" for i in citing))
        matches = tuple(Match(self._ix.docs[i].id, "statement", self._ix.docs[i].speaker, score)
                        for i in citing)
        return self._result(question, Status.ANSWER, matches,
                            Note(NoteKind.CITED_BY, tuple(speakers), quoting), ())

    def _answer_open(self, question: str, parsed: ParsedQuestion, *,
                     facts_only: bool = False) -> Result:
        """Questions that name no speaker: topics, who-said, facts, cited people (``facts_only``:
        the article's facts alone, no one's words)."""
        concepts = list(parsed.concepts)
        concepts += [self._person_concept(p) for p in parsed.objects]
        concepts += [self._cite_concept(c) for c in parsed.cited]
        asked = parsed.question_words & ANSWER_TYPES
        if not concepts and asked:
            # "Where was it?", "when was this?": the article's own event is the subject.
            facts = self._facts_saying(asked)
            if facts:
                chosen = max(facts, key=lambda i: (self._scorer.closeness(parsed.folded, i),
                                                   -self._ix.docs[i].order))
                return self._result(question, Status.ANSWER,
                                    self._matches([(100.0, chosen)]), NO_NOTE, ())
        if not concepts:
            # Nothing but question words ("who was there?", "how are you?"): only an entry
            # whose own alternate question reads almost the same can answer.
            close = [(self._scorer.closeness(parsed.folded, i), i) for i in range(self._ix.doc_count)]
            best, index = max(close, default=(0.0, 0))
            if best >= self._tunables.faq_match:
                return self._result(question, Status.ANSWER, self._matches([(best, index)]),
                                    NO_NOTE, ())
            return self._result(question, Status.NO_ANSWER, (), Note(NoteKind.NO_QUESTION),
                                self._examples)
        if parsed.who_said and not facts_only:
            quoting = self._quoting(question)
            if quoting is not None:  # "who said 'Georgia deserves EU candidate status ...'?"
                docs = [self._ix.docs[quoting]]
                return self._result(question, Status.ANSWER, self._matches([(100.0, quoting)]),
                                    self._who_lead(parsed, docs, concepts), ())
        candidates = list(range(self._ix.doc_count))
        if facts_only or parsed.identity or "when" in parsed.question_words:
            # Quotes do not say who someone is, or when: only facts can.
            candidates = [i for i, d in enumerate(self._ix.docs) if d.kind == "fact"]
        elif "where" in parsed.question_words:
            # Where: facts, and words that name a place ("the song contest which will be held
            # in Baku")
            candidates = [i for i, d in enumerate(self._ix.docs) if d.kind == "fact"
                          or "where" in self._gives[i]]
        elif parsed.quantity:
            # How many: a fact, or words that give a number ("more than 200 enterprises")
            candidates = [i for i, d in enumerate(self._ix.docs) if d.kind == "fact"
                          or "quantity" in self._gives[i]]
        elif (DEFINITION.search(parsed.folded) and not parsed.speech
              and len(concepts) <= self._tunables.definition_concepts):
            # "What is OPEC?": a fact, or a quote that uses those very words ("what is the
            # situation in Afghanistan"), not one that is merely tagged with a synonym.
            candidates = [i for i, d in enumerate(self._ix.docs) if d.kind == "fact"
                          or all(c.words <= d.literal for c in concepts)]
        scores = self._scorer.score(parsed, candidates, concepts)
        picked = self._scorer.pick(scores, concepts, self._tunables.max_open_list, parsed.conjunction)
        describes_someone = any(t.key in self._ix.person_words for t in parsed.tokens)
        # A who-said question is a paraphrase of the words it asks about: one specific thing
        # found is enough to forgive the rest of its wording. Distinct things: "Vestnik
        # Kavkaza" is one, though two words found in the same entries.
        needed = 1 if parsed.who_said else 2
        if not picked and not describes_someone and len({
                frozenset(i for k in c.keys for i in self._ix.postings.get(k, ()))
                for c in self._scorer.substantive(concepts)}) >= needed:
            # Two specific things asked and found together: a long, formal question's other
            # words ("at which institution did ... take place") count less. One known word
            # and an unknown one ("the weather in Moscow") stays strict.
            relaxed = self._scorer.score(parsed, candidates, concepts, self._tunables.open_unknown_factor)
            relaxed_pick = self._scorer.pick(relaxed, concepts, self._tunables.max_open_list, parsed.conjunction)
            if relaxed_pick:
                scores, picked = relaxed, relaxed_pick
        if (len(picked) > 1 and self._scorer.vague(concepts) and not parsed.identity
                and self._scorer.closeness(parsed.folded, picked[0][1]) < self._tunables.close_question):
            # "russia": too common to pick one quote (words common in the article that only
            # one entry holds together are that entry's)
            return self._clarify(question, scores)
        if picked:
            # A fact answers best alone; statements can be listed together.
            if self._ix.docs[picked[0][1]].kind == "fact":
                picked = picked[:1]
            else:
                picked = [p for p in picked if self._ix.docs[p[1]].kind == "statement"]
            statements = [self._ix.docs[i] for _, i in picked if self._ix.docs[i].kind == "statement"]
            lead = self._who_lead(parsed, statements, concepts)
            if parsed.objects and statements and not parsed.who_said:
                lead = self._cited_lead(parsed.objects, statements)
            if (PRONOUN_SUBJECT.search(parsed.folded) and not parsed.who_said
                    and len({d.speaker for d in statements}) > 1):
                return self._clarify(question, scores)  # "what did he say about sanctions?"
            return self._result(question, Status.ANSWER, self._matches(picked), lead, ())
        if (scores and scores[0][0] >= self._tunables.clarify_min and not describes_someone
                and self._ix.docs[scores[0][1]].kind == "statement"
                and (len(scores) == 1 or scores[0][0] - scores[1][0] >= self._tunables.open_margin)):
            # One statement stands far clear of everything else: a paraphrase of it ("who
            # said Washington can no longer be trusted?") rather than a guess between two.
            return self._result(question, Status.ANSWER, self._matches(scores[:1]),
                                self._who_lead(parsed, [self._ix.docs[scores[0][1]]], concepts), ())
        if scores and scores[0][0] >= self._tunables.clarify_min:
            return self._clarify(question, scores)
        return self._result(question, Status.NO_ANSWER, (), Note(NoteKind.NOT_IN_ARTICLE),
                            self._examples)

    def _quoting(self, question: str) -> int | None:
        """The one statement whose words hold, in order, what a who-said question quotes (five
        words or more after its frame), if just one does."""
        asked = words(QUESTION_FRAME.sub("", " ".join(question.split()), count=1))
        if len(asked) < VERBATIM_WORDS:
            return None
        phrase = f" {' '.join(asked)} "
        holding = [i for i, text in self._worded.items() if phrase in text]
        return holding[0] if len(holding) == 1 else None

    def _who_lead(self, parsed: ParsedQuestion, statements: list[IndexedEntry], concepts: list[Concept],
                  ) -> Note:
        """For who-said questions: who spoke, and about what ("Lukyanov spoke about Syria:")."""
        if not parsed.who_said or not statements:
            return NO_NOTE
        who = tuple(dict.fromkeys(d.speaker or "" for d in statements))
        about = _join(c.label for c in concepts if not self._scorer.vague([c])
                      and any(k[:2] in {"t:", "p:", "c:"} for k in c.keys))
        return Note(NoteKind.SPOKE_ABOUT, others=who, subject=about)

    def _cited_lead(self, objects: list[str], statements: list[IndexedEntry]) -> Note:
        citing = [d for d in statements if d.speaker not in objects
                  and any(f"p:{p}" in d.keys for p in objects)]
        if not citing or len(citing) != len(statements):
            return NO_NOTE
        quoting = tuple(dict.fromkeys(d.speaker or "" for d in citing))
        return Note(NoteKind.QUOTING_ON, tuple(objects), quoting)

    def _cite_concept(self, cite: str) -> Concept:
        keys = frozenset({f"c:{cite}"})
        return Concept(keys, cite.replace("-", " "), self._reader.weight(keys),
                        frozenset(cite.split("-")))

    def _person_concept(self, person_id: str) -> Concept:
        keys = frozenset({f"p:{person_id}"})
        name = self.kb.person(person_id).name
        return Concept(keys, name, self._reader.weight(keys), frozenset(content_stems(name)[-1:]))

    # ---------------------------------------------------------------------------- replies

    def _matches(self, picked: list[tuple[float, int]]) -> tuple[Match, ...]:
        return tuple(Match(self._ix.docs[i].id, self._ix.docs[i].kind, self._ix.docs[i].speaker,
                           round(score, 1)) for score, i in picked)

    def _clarify(self, question: str, scores: list[tuple[float, int]]) -> Result:
        top = [s for s in scores if s[0] >= self._tunables.clarify_min][:self._tunables.max_suggestions]
        matches = self._matches(top)
        suggestions = tuple(self._suggest_entry(m.id, m.kind) for m in matches)
        return self._result(question, Status.CLARIFY, matches, Note(NoteKind.UNSURE),
                            suggestions)

    def _clarify_people(self, question: str, people: list[str]) -> Result:
        """Ask which person (or cited party, "c:<key>") the question means."""
        matches: list[Match] = []
        suggestions: list[Suggestion] = []
        for candidate in people[:self._tunables.max_suggestions]:
            if candidate.startswith("c:"):  # someone only cited: "the Iranian president"
                label = candidate[2:].replace("-", " ")
                facts = sorted(self._ix.postings.get(candidate, ()), key=lambda i: (
                    self._ix.docs[i].kind != "fact", self._ix.docs[i].order))
                if facts:
                    doc = self._ix.docs[facts[0]]
                    matches.append(Match(doc.id, doc.kind, doc.speaker, 60.0))
                suggestions.append(Suggestion(f"the {label}", f"Who is the {label}?"))
                continue
            name = self.kb.person(candidate).name
            matches.append(Match(candidate, "person", candidate, 60.0))
            suggestions.append(Suggestion(name, f"Who is {name}?"))
        return self._result(question, Status.CLARIFY, tuple(matches), Note(NoteKind.WHOM),
                            tuple(suggestions))

    def _suggest_entry(self, entry_id: str, kind: str) -> Suggestion:
        if kind == "statement":
            return self._suggest_statement(entry_id)
        if kind == "fact":
            fact: Fact = self.kb.fact(entry_id)
            text = fact.questions[0] if fact.questions else fact.answer
            return Suggestion(_sentence(text)[:60], _sentence(text))
        person: Person = self.kb.person(entry_id)
        return Suggestion(person.name, f"Who is {person.name}?")

    def _suggest_statement(self, statement_id: str, about: str | None = None) -> Suggestion:
        statement: Statement = self.kb.statement(statement_id)
        name = self._ix.people_names[statement.speaker]
        topic = about or (self._reader.topic_label(statement.topics[0]) if statement.topics else "")
        label = f"{name} on {topic}" if topic else f"{name}"
        question = (f"What did {name} say about {topic}?" if topic
                    else f"What did {name} say?")
        return Suggestion(label[:60], question)

    def _example_suggestions(self) -> tuple[Suggestion, ...]:
        """Three example questions from the knowledge base: a quote, a who-said, a who-is.

        Each picks what only one statement covers (the rarest topic), so the example, asked,
        gives one clear answer ("What did Velayati say about BRICS?").
        """
        topic_count: dict[str, int] = defaultdict(int)
        for statement in self.kb.statements:
            for topic in statement.topics:
                topic_count[topic] += 1
        quoted = sorted(self.kb.quoted_people(), key=lambda p: -len(self.kb.statements_by(p.id)))
        out: list[Suggestion] = []
        used: set[str] = set()
        for person, template in zip(quoted, ("What did {name} say about {topic}?",
                                             "Who talked about {topic}?")):
            topics = [t for s in self.kb.statements_by(person.id) for t in s.topics
                      if t not in used]
            if not topics:
                continue
            # the rarest topic, and among those the shortest name: "BRICS", "banking"
            topic = min(topics, key=lambda t: (topic_count[t], len(self.kb.topic(t).name)))
            used.add(topic)
            text = template.format(name=self._ix.people_names[person.id],
                                   topic=self._reader.topic_label(topic))
            out.append(Suggestion(text, text))
        if len(quoted) > 2 or (quoted and len(out) < 2):
            name = self._ix.people_names[quoted[min(2, len(quoted) - 1)].id]
            out.append(Suggestion(f"Who is {name}?", f"Who is {name}?"))
        return tuple(out[:self._tunables.max_suggestions])

    @property
    def examples(self) -> tuple[Suggestion, ...]:
        """Example questions this knowledge base answers (for greetings and help)."""
        return self._examples

    def _result(self, question: str, status: Status, matches: tuple[Match, ...], note: Note,
                suggestions: tuple[Suggestion, ...]) -> Result:
        result = Result(question, status, matches, note_text(note, self.kb), suggestions, "",
                        note)
        return replace(result, text=render_result(result, self.kb, PLAIN))




def _join(items: object) -> str:
    names = list(dict.fromkeys(str(i) for i in items))  # type: ignore[attr-defined]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in "?.!" else text + "?"


_REPORTING = frozenset(stem(v) for v in REPORTING_VERBS)
# "all of X's quotes in this piece": words for the article or the occasion, not a topic
ARTICLE_WORDS = frozenset(stem(w) for w in lexicon.words("article_words"))


def _reports_speech(parsed: ParsedQuestion) -> bool:
    """Whether a question speaks of saying ("who warned ...", "which official said ..."), not
    of the world ("who won Eurovision?"): a speech word or a reporting verb in it."""
    return parsed.speech or any(t.key in _REPORTING or t.key + "e" in _REPORTING
                                or stem(t.raw) in _REPORTING for t in parsed.tokens)


def _gives(text: str) -> frozenset[str]:
    """What a statement's words can answer beyond meaning: "quantity", "when", "where" ("in" or
    "at" a name: "in Moscow", "at the White House"; a country talked about is no place)."""
    place = re.search(r"\b(?:in|at)\s+(?:the\s+)?[A-Z]", text)
    return answer_kinds(text) | ({"where"} if place else frozenset())


_ELISION = re.compile(r"\s*(?:\.\.\.|\u2026)\s*")
_MONTHS_DAYS = r"(?:january|february|march|april|may|june|july|august|september|october|" \
    r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"


def said_at(attribution: str) -> frozenset[str]:
    """Whether an attribution says where ("in Astana", "at the meeting in Dagestan", "in the
    Parliament") or when ("on Sunday", "in July 2016", "at today's press conference") the words
    were said."""
    place = re.search(r"\b(?:in|at)\s+(?:the\s+)?(?!(?i:" + _MONTHS_DAYS + r"))[A-Z]", attribution)
    time = answer_kinds(re.sub(r"\d+(?:st|nd|rd|th)\b", "", attribution)) & {"when"}
    return time | ({"where"} if place else frozenset())


def _answer_kinds_asked(parsed: ParsedQuestion) -> frozenset[str]:
    """What a question needs its answer to hold beyond meaning: a number, a time."""
    return frozenset({"quantity"} if parsed.quantity else set()) | (
        {"when"} if "when" in parsed.question_words else set())


def _dedupe(suggestions: tuple[Suggestion, ...], limit: int) -> tuple[Suggestion, ...]:
    seen: dict[str, Suggestion] = {}
    for s in suggestions:
        seen.setdefault(s.question, s)
    return tuple(seen.values())[:limit]
