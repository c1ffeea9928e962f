"""Behaviour of the answering engine on the real knowledge base (the Vestnik Kavkaza article).

Example tables pin what the product promises: verbatim quotes under the right name, no answer
when the article does not answer, a question back when two readings are close, and a defined
reply to any input. The evaluation file (tests/eval_questions.yaml) is the broad net; this file
holds the cases that must never regress.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine, Status, said_at
from bot.evaluation import evaluate, load_eval
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.patterns import CLAIM, SAYS_CLAUSE
from bot.results import NoteKind
from bot.semantic import shared_model

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILE = ROOT / "tests" / "eval_questions.yaml"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(ROOT / "knowledge")


@pytest.fixture(scope="module")
def engine(kb: KnowledgeBase) -> Engine:
    """The engine as the bot runs it: lexical reading plus the semantic model."""
    return Engine(kb, shared_model())


def _statement_speakers(kb: KnowledgeBase, result) -> set[str]:
    return {kb.statement(m.id).speaker for m in result.matches if m.kind == "statement"}


# ------------------------------------------------------------------------------------ answers

ANSWER_CASES = [
    # speaker + topic
    ("what did velayati say about brics", "velayati-brics-sco"),
    ("what did lukyanov say about syria", "lukyanov-syria-afghanistan-sco"),
    ("what did sanaei say about the banking sector", "sanaei-banking"),
    ("foruzesh on petrochemicals", "foruzesh-aerospace-petrochemicals"),
    ("what did velayati say about venezuela", "velayati-energy-market"),
    # "all" with context words: the whole card; with a topic: that topic's words
    ("all of Sanaei's statements in the article", "sanaei"),
    ("everything Velayati said about sanctions", "velayati-sanctions-trust"),
    # a described speaker, named by meaning; a city standing for its country's speakers
    ("what does moscow think about afghanistan", "lukyanov-syria-afghanistan-sco"),
    # a name in the possessive before words of speech is what is talked about
    ("who commented on Patrushev's statement?", "lukyanov-patrushev-nuclear-security"),
    ("what did lukyanov say about the iranian nuclear program", "lukyanov-patrushev-nuclear-security"),
    ("what did velayati say about the nuclear negotiations", "velayati-gratitude-nuclear"),
    ("what did sanaei say about trade", "sanaei-economy-trade"),
    ("what did lukyanov say about the sco", "lukyanov-syria-afghanistan-sco"),
    ("what did velayati say about the sco", "velayati-brics-sco"),
    # role references
    ("what did the ambassador say about banks", "sanaei-banking"),
    ("what did the css president say about brics", "velayati-brics-sco"),
    ("what did the css vice president say about visas", "foruzesh-visas"),
    ("iranian envoy on foreign policy", "sanaei-russia-priority"),
    ("what did the adviser say about investments", "velayati-investments"),
    # who said
    ("who said iran is a natural partner of russia", "lukyanov-natural-partner"),
    ("who mentioned venezuela", "velayati-energy-market"),
    ("who said there is a transition period in world politics", "velayati-transition-period"),
    ("who said moscow and tehran should exchange views", "velayati-transition-period"),
    ("who talked about agriculture", "foruzesh-industry-agriculture"),
    # topics and synonyms the article does not use
    ("is russia a priority for irans foreign policy", "sanaei-russia-priority"),
    ("should iran join the sco", "lukyanov-syria-afghanistan-sco"),
    ("space cooperation", "foruzesh-aerospace-petrochemicals"),
    ("what about farming", "foruzesh-industry-agriculture"),
    ("what was said about oil", "velayati-energy-market"),
    ("travel between russia and iran", "foruzesh-visas"),
    ("what about money", "sanaei-banking"),
    ("does tehran want planes from russia", "foruzesh-aerospace-petrochemicals"),
    ("what does moscow think about afghanistan", "lukyanov-syria-afghanistan-sco"),
    # typos and transliterations
    ("lukianov syria", "lukyanov-syria-afghanistan-sco"),
    ("welayati venezuala", "velayati-energy-market"),
    ("afganistan", "lukyanov-syria-afghanistan-sco"),
    ("velayati investmnets", "velayati-investments"),
    # who is
    ("who is velayati", "velayati"),
    ("who is the iranian ambassador", "sanaei"),
    ("who is khameneis adviser", "velayati"),
    ("who is the iranian president", "iranian-president-mention"),  # the article never names him
    # facts
    ("where was the round table held", "event-place"),
    ("who organized the round table", "event-organizers"),
    ("who attended", "event-attendees"),
    ("which outlet published this", "article-outlet"),
    ("what is riss", "what-is-riss"),
]


@pytest.mark.parametrize("question", ["How many people spoke?", "How many speakers were there?",
                                      "how many people were quoted", "Сколько человек выступило?"])
def test_how_many_spoke_counts_the_quoted_people(engine: Engine, kb: KnowledgeBase,
                                                 question: str) -> None:
    result = engine.answer(question)
    assert result.status is Status.ANSWER
    assert [m.id for m in result.matches] == [p.id for p in kb.quoted_people()]
    assert "4" in result.text.splitlines()[0]


def test_what_x_said_about_a_role_word_is_not_a_who_is(engine: Engine) -> None:
    """ "capacity" asks a role in "in what capacity", not in "what did X say about capacity",
    which the article does not answer: no card, and the reply says what he is not quoted on."""
    result = engine.answer("what did sanaei say about capacity")
    assert result.status is Status.NO_ANSWER
    assert result.text.startswith("The article does not quote Mehdi Sanaei on capacity.")
    assert engine.answer("what is sanaei's capacity").matches[0].kind == "person"


@pytest.mark.parametrize(("question", "expected"), ANSWER_CASES)
def test_answers_with_the_right_entry_first(engine: Engine, question: str, expected: str) -> None:
    result = engine.answer(question)
    assert result.status is Status.ANSWER, result.text
    assert result.matches[0].id == expected, [m.id for m in result.matches]


@pytest.mark.parametrize(("question", "speaker"), [
    ("what did velayati say", "velayati"),
    ("what did the ambassador say", "sanaei"),
    ("what did lukianov say", "lukyanov"),
    ("what did the russians say", "lukyanov"),
])
def test_everything_a_speaker_said_is_only_theirs(engine: Engine, kb: KnowledgeBase,
                                                  question: str, speaker: str) -> None:
    result = engine.answer(question)
    assert result.status is Status.ANSWER
    assert _statement_speakers(kb, result) == {speaker}
    assert {m.id for m in result.matches} == {s.id for s in kb.statements_by(speaker)}


def test_words_of_a_cited_person_come_with_who_cited_them(engine: Engine, kb: KnowledgeBase) -> None:
    result = engine.answer("what did patrushev say")
    assert result.status is Status.ANSWER
    assert [m.id for m in result.matches] == ["lukyanov-patrushev-nuclear-security"]
    assert "Lukyanov" in result.text and "Patrushev" in result.text


# ---------------------------------------------------------------------------------- no answer

NO_ANSWER_CASES = [
    "whats the weather in moscow",
    "who won the world cup",
    "what did putin say",
    "what did trump say about iran",
    "biden sanctions",
    "what did velayati say about football",
    "what did sanaei say about ukraine",
    "what did lukyanov say about ukraine",
    "lukyanov on china",
    "what about israel",
    "how do i make borscht",
    "tell me a joke",
    "what is the capital of france",
    "who is putin",
    "who is macron",
    "how old is velayati",
    "what did zarif say",
    "did anyone mention china",
    "rial to ruble exchange rate",
]


@pytest.mark.parametrize("question", NO_ANSWER_CASES)
def test_out_of_scope_gets_no_answer(engine: Engine, question: str) -> None:
    result = engine.answer(question)
    assert result.status is Status.NO_ANSWER, [m.id for m in result.matches]
    assert result.matches == ()
    assert result.text.strip()


@pytest.mark.parametrize("question", ["what did romanovich say", "what did khamenei say"])
def test_named_but_never_quoted(engine: Engine, kb: KnowledgeBase, question: str) -> None:
    """The article does not answer: the reply says they are named, not quoted, with their
    role, and offers their card."""
    person = kb.person(question.split()[-2])
    result = engine.answer(question)
    assert result.status is Status.NO_ANSWER
    assert result.matches == ()
    assert "does not quote" in result.text
    assert person.role in result.text
    assert f"Who is {person.name}?" in [s.question for s in result.suggestions]


# --------------------------------------------------------------------------- misattribution

# (question, the person it attributes words to, the person who actually spoke about it)
MISATTRIBUTION_TRAPS = [
    ("what did sanaei say about venezuela", "sanaei", "velayati"),
    ("what did velayati say about afghanistan", "velayati", "lukyanov"),
    ("what did lukyanov say about visas", "lukyanov", "foruzesh"),
    ("what did foruzesh say about brics", "foruzesh", "velayati"),
    ("what did velayati say about the banking sector", "velayati", "sanaei"),
    ("what did sanaei say about syria", "sanaei", "lukyanov"),
    ("what did lukyanov say about oil", "lukyanov", "velayati"),
    ("what did foruzesh say about the united states", "foruzesh", "velayati"),
    ("what did the ambassador say about petrochemicals", "sanaei", "foruzesh"),
    ("what did the css president say about visas", "velayati", "foruzesh"),
    ("did lukyanov mention venezuela", "lukyanov", "velayati"),
    ("what did velayati say about agriculture", "velayati", "foruzesh"),
    ("what did romanovich say about sanctions", "romanovich", None),
    ("what did khamenei say about the us", "khamenei", "velayati"),
]


@pytest.mark.parametrize(("question", "asked", "actual"), MISATTRIBUTION_TRAPS)
def test_never_shows_words_under_the_wrong_name(engine: Engine, kb: KnowledgeBase,
                                                question: str, asked: str,
                                                actual: str | None) -> None:
    result = engine.answer(question)
    assert result.status is Status.NO_ANSWER, [m.id for m in result.matches]
    assert not (_statement_speakers(kb, result) - {asked})
    # No quote of another speaker appears in the reply text either.
    for statement in kb.statements:
        if statement.speaker != asked:
            assert statement.text not in result.text
    assert kb.person(asked).name in result.text
    if actual is not None and "spoke about" in result.text:
        assert kb.person(actual).name in result.text


# ---------------------------------------------------------------------------------- clarify

CLARIFY_CASES = [
    "who is ali",  # Ali Akbar Velayati or Ayatollah Ali Khamenei
    "russia",  # in nearly every entry: no quote stands out
    "iran",
]
AMBIGUOUS_ROLES = [
    # Lukyanov is Deputy Secretary of the Security Council, Romanovich Deputy Chairman of a Duma
    # committee: "the deputy" is either, so the engine asks.
    "what did the deputy say",
    "who is the deputy",
]


@pytest.mark.parametrize("question", CLARIFY_CASES)
def test_close_readings_ask_back(engine: Engine, question: str) -> None:
    result = engine.answer(question)
    assert result.status is Status.CLARIFY
    assert 1 <= len(result.suggestions) <= 3
    assert len({s.question for s in result.suggestions}) == len(result.suggestions)
    for suggestion in result.suggestions:
        assert suggestion.label.strip()
        follow_up = engine.answer(suggestion.question)
        assert follow_up.status is Status.ANSWER, (suggestion.question, follow_up.text)


@pytest.mark.parametrize("question", AMBIGUOUS_ROLES)
def test_two_deputies_ask_back(engine: Engine, question: str) -> None:
    assert engine.answer(question).status is Status.CLARIFY


# -------------------------------------------------------------------------- rapidfuzz traps

@pytest.mark.parametrize("needle", ["us", "u", "the", "ira", "vel", "sc", "a"])
def test_short_needles_do_not_flatter(engine: Engine, needle: str) -> None:
    result = engine.answer(needle)
    assert result.status is Status.NO_ANSWER, [m.id for m in result.matches]
    assert result.matches == ()


@pytest.mark.parametrize("needle", ["russia", "iran", "tehran", "moscow"])
def test_a_common_word_alone_never_picks_a_random_quote(engine: Engine, needle: str) -> None:
    result = engine.answer(needle)
    assert result.status is not Status.ANSWER, [m.id for m in result.matches]


@pytest.mark.parametrize(("needle", "topic"), [("sco", "sco"), ("usa", "united-states"),
                                               ("brics", "brics"), ("iraq", "iraq")])
def test_a_rare_short_word_answers_only_with_entries_about_it(engine: Engine, kb: KnowledgeBase,
                                                              needle: str, topic: str) -> None:
    result = engine.answer(needle)
    assert result.status is Status.ANSWER
    for match in result.matches:
        assert topic in kb.statement(match.id).topics


def test_iraq_is_not_a_typo_of_iran(engine: Engine) -> None:
    result = engine.answer("what about iraq")
    assert result.matches[0].id == "velayati-energy-market"


@pytest.mark.parametrize(("article", "word", "read_as"), [
    ("georgia-fm-denies-fewer-nato-contacts", "part", "part"),  # its own word, not "party"
    ("georgia-fm-denies-fewer-nato-contacts", "partty", "party"),  # a misspelling is corrected
    ("peskov-peace-treaty-foreseeable-future", "agreed", "agree"),  # a form of "agree" is it
])
def test_an_english_word_is_not_read_as_another(article: str, word: str, read_as: str) -> None:
    folder = ROOT / "tests" / "articles" / article / "knowledge"
    article = Engine(load_knowledge(folder), shared_model())
    assert article._reader.correct(word).key == read_as


# ------------------------------------------------------------------------------- bad input

BAD_INPUTS = [
    "",
    " ",
    "   \t\n  ",
    "x" * 10_000,
    "what did velayati say " * 500,
    "🙂",
    "🙂🙂🙂 🇮🇷🇷🇺",
    "سلام حال شما چطور است",
    "ولایتی چه گفت",
    "\u202eword reversed",
    "\x00\x1b[31m",
    "\x00",
    "?!.,;:-",
    "...",
    "None",
    "null",
    "undefined",
    "NaN",
    "привет как дела",
    "1234567",
]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=lambda t: repr(t[:20]))
def test_bad_input_gets_a_defined_reply(engine: Engine, text: str) -> None:
    result = engine.answer(text)
    assert result.status is Status.NO_ANSWER
    assert result.matches == ()
    assert result.text.strip()
    assert "\x00" not in result.text and "\x1b" not in result.text


def test_non_string_input_does_not_raise(engine: Engine) -> None:
    result = engine.answer(None)  # type: ignore[arg-type]
    assert result.status is Status.NO_ANSWER
    assert result.text.strip()


def test_a_long_message_is_declined_with_its_length(engine: Engine) -> None:
    result = engine.answer("x" * 10_000)
    assert "10,000" in result.text


# ---------------------------------------------------------------- replies quote verbatim

def _answer_questions() -> list[str]:
    items = load_eval(EVAL_FILE)
    return sorted({i.question for i in items if i.expect_status is Status.ANSWER}
                  | {q for q, _ in ANSWER_CASES})


def test_every_answer_quotes_verbatim_with_name_and_role(engine: Engine, kb: KnowledgeBase) -> None:
    checked = 0
    for question in _answer_questions():
        result = engine.answer(question)
        if result.status is not Status.ANSWER:
            continue
        for match in result.matches:
            if match.kind == "statement":
                statement = kb.statement(match.id)
                person = kb.person(statement.speaker)
                assert statement.text in result.text, (question, match.id)
                assert person.name in result.text and person.role in result.text, question
                checked += 1
            elif match.kind == "fact":
                assert kb.fact(match.id).quote in result.text, (question, match.id)
            else:
                assert kb.person(match.id).name in result.text, (question, match.id)
        assert "Vestnik Kavkaza" in result.text, question  # the source line
    assert checked > 100


def test_statement_texts_are_in_the_article(kb: KnowledgeBase) -> None:
    source = " ".join((ROOT / "knowledge" / "sources" / "russia-iran-partners.txt")
                      .read_text(encoding="utf-8").split())
    for statement in kb.statements:
        assert " ".join(statement.text.split()) in source, statement.id


# ------------------------------------------------------------------------------ the floor

def test_evaluation_floor(engine: Engine) -> None:
    items = load_eval(EVAL_FILE)
    assert len(items) >= 150
    report = evaluate(engine, items)
    assert report.misattributions == []
    assert report.accuracy == 100.0, "\n".join(report.failures)


# The golden figures: each set's accuracy and answered out-of-scope count, first on 2026-12-02
# before the engine was split into stages and given the semantic signal, raised to the figures
# of 2026-12-04's third session. No change may go below them.
@pytest.mark.parametrize(("name", "floor", "answered_out_of_scope"), [
    ("eval_holdout.yaml", 97.5, 0),  # a tester's 160 questions, Telegram-style
    ("eval_blind_crowd.yaml", 98.7, 1),  # another tester's 150: students, journalists, hurried
    ("eval_blind_mobile.yaml", 96.7, 0),  # a third set of 120: lower case, slang, fragments
    ("eval_blind_formal.yaml", 88.3, 2),  # 120 long formal paraphrases: the hardest kind
    ("eval_blind_mixed.yaml", 86.7, 2),  # 150: casual, ordinary and formal in thirds
    ("eval_blind_casual.yaml", 98.0, 1),  # 150: half casual, half ordinary questions
    ("eval_blind_final.yaml", 83.3, 3),  # 150 in thirds, sealed until the last change
])
def test_held_out_sets_floor(engine: Engine, name: str, floor: float,
                             answered_out_of_scope: int) -> None:
    """Questions written by testers who never saw the team's phrasings or the engine.

    Their floors are today's figures (the golden run): they measure generalisation, and a
    change that helps one set by hurting another shows up here. The out-of-scope questions
    each set may see answered are pinned at today's count: never more.
    """
    items = load_eval(ROOT / "tests" / name)
    assert len(items) >= 100
    report = evaluate(engine, items)
    assert report.misattributions == []
    assert report.out_of_scope - report.declined <= answered_out_of_scope, report.failures
    assert round(report.accuracy, 1) >= floor, "\n".join(report.failures)


# ------------------------------------------------------------- other articles' knowledge bases

ARTICLES = Path(__file__).resolve().parent / "articles"


def _article_engine(article: str) -> Engine:
    return Engine(load_knowledge(ARTICLES / article / "knowledge"), shared_model())


def test_who_is_by_description_shows_the_sentence_that_names_them() -> None:
    """ "Who is Turkey's envoy?": the card of the one the description fits, then the article's
    sentence that names them so; "who is Kilic?" names them already: the card alone."""
    engine = _article_engine("armenia-turkey-special-envoys")
    described = engine.answer("who is Turkey's envoy to the normalization process?")
    assert described.status is Status.ANSWER
    assert [(m.kind, m.id) for m in described.matches] == [
        ("person", "kilic"), ("fact", "turkey-envoy-named")]
    assert "Serder Kilic as Ankara’s envoy" in described.text
    named = engine.answer("who is kilic?")
    assert [(m.kind, m.id) for m in named.matches] == [("person", "kilic")]


def test_how_many_is_answered_by_words_that_give_a_number() -> None:
    """A quote holding the figure answers "how many" (or the fact the admin curated for it,
    its keyword "how many"); one without a number cannot."""
    engine = _article_engine("ukraine-claims-south-caucasus-sanctions-evasion")
    result = engine.answer("how many enterprises founded in south caucasus?")
    assert result.status is Status.ANSWER
    first = result.matches[0]
    assert "More than 200 enterprises" in (engine.kb.fact(first.id).quote if first.kind == "fact"
                                           else engine.kb.statement(first.id).text)
    for match in result.matches:
        assert match.kind == "fact" or any(ch.isdigit() for ch in
                                           engine.kb.statement(match.id).text)


@pytest.mark.parametrize(("article", "question", "speaker"), [
    # who responds comes before the verb; what follows it is what they respond to
    ("ukraine-claims-south-caucasus-sanctions-evasion",
     "how did khutsishvili respond to the ukrainian claims?", "khutsishvili"),
    ("ukraine-claims-south-caucasus-sanctions-evasion",
     "How did Azerbaijan respond to the Ukrainian accusations?", None),
    # a place of one's own: an expert on Azerbaijan is not Azerbaijan's foreign ministry
    ("iran-azerbaijan-relations-strained-experts",
     "How did Azerbaijan's foreign ministry respond to the Iranian ambassador?", None),
    # a name the article never gives
    ("uzbek-fm-russia-fruitful-cooperation",
     "How did Sergey Lavrov respond to Kamilov's comments?", None),
])
def test_the_one_who_responds_is_the_speaker(article: str, question: str,
                                              speaker: str | None) -> None:
    result = _article_engine(article).answer(question)
    if speaker is None:
        assert result.status is Status.NO_ANSWER, [m.id for m in result.matches]
    else:
        assert result.status is Status.ANSWER
        assert {m.speaker for m in result.matches} == {speaker}


def test_the_name_of_someone_asks_who_they_are() -> None:
    engine = _article_engine("georgia-fm-denies-fewer-nato-contacts")
    named = engine.answer("whats the name of georgia's foreign minister")
    assert [(m.kind, m.id) for m in named.matches] == [("person", "janelidze")]
    unnamed = engine.answer("What's the name of the new US defense secretary?")
    assert unnamed.status is Status.NO_ANSWER  # the article does not name him


def test_the_words_around_a_quote_tell_which_of_a_speakers_quotes_a_topic_means() -> None:
    """ "Referring to the 8th meeting of the Supreme Council ..., the Turkish Foreign Minister
    said, "In the near future, we will welcome ...": the council is what the quote is about,
    though the quote never names it (bot/context.py)."""
    engine = _article_engine("iran-turkiye-fms-meet-tehran")
    result = engine.answer("What did Fidan say when referring to the Supreme Council of "
                           "Iran-Turkey Strategic Relations?")
    assert result.status is Status.ANSWER
    assert {m.speaker for m in result.matches} == {"fidan"}
    assert any("we will welcome" in engine.kb.statement(m.id).text for m in result.matches)


def test_did_he_say_where_needs_words_that_give_a_place() -> None:
    """ "did Hunanyan say where the envoys will meet?": his words on the meeting give no place,
    so the article does not say; "what did Fidan say when referring to ..." asks no time."""
    envoys = _article_engine("armenia-turkey-special-envoys")
    assert envoys.answer("did Hunanyan say where the envoys will meet?").status is \
        Status.NO_ANSWER
    opec = _article_engine("kazakhstan-opec-obligations-minister")
    result = opec.answer("did Satkaliyev say when the field will reach full capacity?")
    assert result.status is Status.ANSWER
    assert "second half of this year" in opec.kb.statement(result.matches[0].id).text


def test_part_of_a_claim_someone_else_made_in_full_is_not_theirs() -> None:
    """ "Did Putin say the cooperation serves the interests of the whole region?": Putin's words
    share "cooperation" and "regional"; Zarif said it all. The reply says Putin is not quoted
    saying that, and who spoke about it."""
    engine = _article_engine("baku-trilateral-summit-2016")
    result = engine.answer("Did Putin say the cooperation serves the interests of the whole "
                           "region?")
    assert result.status is Status.NO_ANSWER
    assert result.text.startswith("The article does not quote Vladimir Putin saying that. "
                                  "Mohammad Javad Zarif spoke about it.")
    assert all("Zarif" in s.question for s in result.suggestions)


@pytest.mark.parametrize(("question", "card"), [
    ("which party is daushvili from", "daushvili"),
    ("Khvichia is an MP from which party?", "khvichia"),  # a word of his own role, and party
])
def test_where_someone_comes_from_is_their_card(question: str, card: str) -> None:
    engine = _article_engine("georgia-opposition-responds-pm-interview")
    result = engine.answer(question)
    assert [(m.kind, m.id) for m in result.matches] == [("person", card)]


def test_what_someone_said_about_a_party_is_their_words_not_their_card() -> None:
    engine = _article_engine("georgia-opposition-responds-pm-interview")
    result = engine.answer("what did daushvili say about the party?")
    assert all(m.kind != "person" for m in result.matches)


def test_was_it_x_who_said_asks_whether_x_said_it() -> None:
    engine = _article_engine("georgia-opposition-responds-pm-interview")
    asked_of_him = engine.answer("was it Khvichia who said that the opposition has nothing to "
                                 "do with the rally?")
    assert asked_of_him.status is Status.ANSWER
    assert {m.speaker for m in asked_of_him.matches} == {"khvichia"}
    not_him = engine.answer("was it Vashadze who said that the opposition has nothing to do "
                            "with the rally?")
    assert not_him.status is Status.NO_ANSWER
    assert not_him.matches == ()



def test_a_name_in_an_alternate_question_is_not_whom_the_words_cite() -> None:
    """Mirziyoyev's statement has the alternate question "what did Mirziyoyev tell Trump?";
    that does not make it Trump's words, cited: "did Trump say ...?" is not answered with it."""
    engine = _article_engine("uzbekistan-us-5-billion")
    result = engine.answer("Did Trump say the agreements with US companies are worth about "
                           "$5 billion?")
    assert result.status is Status.NO_ANSWER
    assert result.note.kind is NoteKind.NOT_QUOTED_ON


def test_a_name_is_whose_it_is_not_the_one_whose_role_names_him() -> None:
    """Peskov is "Putin's press secretary"; "did Putin say ...?" asks of Putin, never quoted."""
    engine = _article_engine("peskov-putin-kazakhstan-visit")
    result = engine.answer("Did Putin say his visit had nothing to do with Europe?")
    assert result.status is Status.NO_ANSWER
    assert result.note.kind is NoteKind.NAMED_NOT_QUOTED


def test_an_acronym_the_article_never_writes_means_its_words() -> None:
    """ "the GD chairman": the article writes "Georgian Dream", never "GD"."""
    engine = _article_engine("georgia-eu-status-pm")
    assert engine._ix.acronyms.get("gd") == "dream"  # "The ..." at a sentence start is no part
    result = engine.answer("What did the GD chairman tell journalists on friday?")
    assert result.status is Status.ANSWER
    assert {m.speaker for m in result.matches} == {"kobakhidze"}
    # "EC" is only part of a curated phrase there ("EC report"): alone it still means its words
    assert engine._ix.acronyms.get("ec") == "commission"
    result = engine.answer("What did the ruling party chairman say about the EC document?")
    assert result.status is Status.ANSWER
    assert {m.speaker for m in result.matches} == {"kobakhidze"}


def test_who_said_words_quoted_from_the_article_finds_the_one_statement_holding_them(
        engine: Engine, kb: KnowledgeBase) -> None:
    """A who-said question that quotes five or more of a statement's words in order is about
    that statement, however many others share its words (every statement of the article,
    asked by a run of its own words)."""
    from bot.text import words
    asked = 0
    for statement in kb.statements:
        run = words(statement.text)[2:9]
        phrase = " ".join(run)
        if len(run) < 7 or sum(phrase in " ".join(words(s.text)) for s in kb.statements) != 1:
            continue
        result = engine.answer(f"who said {phrase}?")
        assert result.status is Status.ANSWER, phrase
        assert [m.id for m in result.matches] == [statement.id], phrase
        asked += 1
    assert asked >= 20


@pytest.mark.parametrize("question", [
    "who can no longer be trusted, in Velayati's view?",
    "who can no longer be trusted, according to Velayati?",
    "who can no longer be trusted by Velayati's account?",
])
def test_a_who_question_asked_of_someone_s_account_gives_their_words(
        engine: Engine, kb: KnowledgeBase, question: str) -> None:
    """ "according to X", "in X's view": X is the one whose words answer, not the one they are
    about (asked plainly, "who can no longer be trusted?" is too vague to answer)."""
    result = engine.answer(question)
    assert result.status is Status.ANSWER
    assert _statement_speakers(kb, result) == {"velayati"}


@pytest.mark.parametrize("question", [
    "What is this Interfax story about?", "what's the article about", "summarize the article",
    "tl;dr", "give me a summary of this report",
])
def test_what_the_article_is_about_is_the_article_itself(question: str) -> None:
    """Asked what the story is about, with no fact curated for it, the reply is the article:
    its title, outlet and date, summary and who is quoted."""
    kb = load_knowledge(ROOT / "tests" / "articles" / "georgia-eu-status-pm" / "knowledge")
    result = Engine(kb, None).answer(question)
    assert result.status is Status.ANSWER
    assert [(m.kind, m.id) for m in result.matches] == [("article", "georgia-eu-status-pm")]
    text = result.text
    assert kb.articles[0].title in text and kb.articles[0].summary in text
    assert "Quoted: Irakli Garibashvili, Irakli Kobakhidze" in text


@pytest.mark.parametrize("question", [
    "what is the report about",  # the European Commission's report: a curated fact
    "what did Kobakhidze say about the article?",
])
def test_a_question_about_a_report_in_the_article_is_not_about_the_article(question: str) -> None:
    kb = load_knowledge(ROOT / "tests" / "articles" / "georgia-eu-status-pm" / "knowledge")
    result = Engine(kb, None).answer(question)
    assert all(m.kind != "article" for m in result.matches)


@pytest.mark.parametrize("question", ["where was Saakashvili at the time?",
                                      "where was Saakashvili back then?"])
def test_at_the_time_points_to_the_occasion_and_asks_about_nothing_else(question: str) -> None:
    kb = load_knowledge(ROOT / "tests" / "articles" / "saakashvili-warns-ivanishvili-remarks"
                        / "knowledge")
    result = Engine(kb, None).answer(question)
    assert result.status is Status.ANSWER
    assert [m.id for m in result.matches] == ["saakashvili-in-us"]


def test_when_named_people_met_is_a_time_not_their_words() -> None:
    """"When did X and Y meet?" names speakers but asks for a time: the fact that gives it
    answers, not X's words on the visit; and a fact about other people is not their meeting."""
    folder = ROOT / "tests" / "articles" / "uzbekistan-us-5-billion" / "knowledge"
    article = Engine(load_knowledge(folder), shared_model())
    result = article.answer("When did Mirziyoyev and Trump meet?")
    assert result.status is Status.ANSWER
    assert result.matches[0].id == "uzbekistan-us-meeting-date"
    folder = ROOT / "tests" / "articles" / "mirzoyan-bayramov-peace-treaty-call" / "knowledge"
    other = Engine(load_knowledge(folder), shared_model())
    assert other.answer("where did pashinyan and aliyev meet").status is Status.NO_ANSWER
    folder = ROOT / "tests" / "articles" / "kazakh-uzbek-pms-talks" / "knowledge"
    silent = Engine(load_knowledge(folder), shared_model())  # its "when" fact gives no time
    assert silent.answer("When did the Kazakh and Uzbek prime ministers meet?").status \
        is Status.NO_ANSWER


@pytest.mark.parametrize(("question", "reported"), [
    ("which news agency reported peskov's comments", True),
    ("Which agency reported Kamilov's interview?", True),
    ("whats the source for this story?", True),
    ("which outlet's correspondent quoted lukyanov", True),
    ("who published this article?", True),
    ("which agency is running the official investigation?", False),  # an agency in the story
    ("who reported that russians registered businesses?", False),  # a speaker's report
    ("Which media outlets reported that bombers would be based at Kant?", False),  # in the story
    ("which news outlets reported this?", True),
])
def test_who_published_the_article_is_asked_apart_from_the_story(question: str,
                                                                 reported: bool) -> None:
    from bot.patterns import REPORTED_BY

    assert bool(REPORTED_BY.search(question.lower())) is reported


def test_which_agency_reported_x_is_the_articles_source_not_xs_words() -> None:
    folder = ROOT / "tests" / "articles" / "uzbek-fm-russia-fruitful-cooperation" / "knowledge"
    article = Engine(load_knowledge(folder), shared_model())
    result = article.answer("Which agency reported Kamilov's interview?")
    assert [m.id for m in result.matches] == ["uzbek-fm-jahon"]
    folder = ROOT / "tests" / "articles" / "armenian-pm-meets-imf-lagarde" / "knowledge"
    article = Engine(load_knowledge(folder), shared_model())
    result = article.answer("who published this story?")  # no fact for it: the article
    assert result.status is Status.ANSWER and result.matches[0].kind == "article"


@pytest.mark.parametrize(("article", "question", "first"), [
    ("uzbekistan-us-5-billion", "who is donald trump in this article", "trump"),
    ("kazakh-fm-transcaspian-pipe-conditions",
     "Who is the head of the Kazakhstan Foreign Office mentioned in the piece?", "tajin"),
])
def test_the_article_named_in_a_question_is_its_frame(article: str, question: str,
                                                      first: str) -> None:
    folder = ROOT / "tests" / "articles" / article / "knowledge"
    result = Engine(load_knowledge(folder), shared_model()).answer(question)
    assert result.status is Status.ANSWER and result.matches[0].id == first


def test_where_is_answered_by_words_that_name_the_place() -> None:
    """No fact says where the song contest is; the words that say it "will be held in Baku"
    do. ("When" stays with facts: a time word in a quote is rarely the time asked.)"""
    folder = ROOT / "tests" / "articles" / "iran-azerbaijan-relations-strained-experts" / "knowledge"
    article = Engine(load_knowledge(folder), shared_model())
    result = article.answer("Where will the Eurovision contest be held?")
    assert result.status is Status.ANSWER
    assert result.matches[0].id == "israelyan-eurovision-dissatisfaction"
    assert article.answer("where will the next summit be held?").status is not Status.ANSWER


@pytest.mark.parametrize(("question", "asks"), [
    ("In which country did Abrahamyan meet Lagarde?", {"where"}),
    ("which city was the forum held in", {"where"}),
    ("which country's president spoke?", set()),  # a subject, not "where"
    ("On what day was the press conference?", {"when"}),
    ("what year did the talks start?", {"when"}),
    ("what time is it", set()),
])
def test_which_place_asks_where_and_which_day_asks_when(engine: Engine, question: str,
                                                        asks: set[str]) -> None:
    asked = engine._reader.parse(question).question_words & {"where", "when"}
    assert asked == asks


def test_a_members_name_is_the_member_not_the_group_named_by_its_members() -> None:
    """A knowledge base may list the pair who spoke together ("Sargis Asatryan and Armen
    Israelyan") as a person: "Israelyan" alone is Israelyan, not a choice between him and it."""
    folder = ROOT / "tests" / "articles" / "iran-azerbaijan-relations-strained-experts" / "knowledge"
    article = Engine(load_knowledge(folder), shared_model())
    result = article.answer("all israelyan quotes")
    assert result.status is Status.ANSWER
    # his own words, and those he shared with Asatryan (under both their names)
    assert "israelyan" in {m.speaker for m in result.matches} <= {"israelyan", "both-speakers"}
    together = article.answer("what did asatryan and israelyan say")
    assert {m.speaker for m in together.matches} == {"both-speakers"}


def test_which_noun_said_asks_who_said_it() -> None:
    """"Which lawmaker said ...?": any noun before a verb of saying asks who said it, not only
    the nouns the lexicon lists for that ("which official ...")."""
    folder = ROOT / "tests" / "articles" / "georgia-opposition-responds-pm-interview" / "knowledge"
    article = Engine(load_knowledge(folder), shared_model())
    assert article._reader.parse("which lawmaker said there was no uprising").who_said
    result = article.answer(
        "Which lawmaker said he had not heard a single politician calling for an uprising?")
    assert result.status is Status.ANSWER
    assert result.matches[0].speaker == "khvichia"


def test_who_was_it_that_said_is_who_said(engine: Engine) -> None:
    plain = engine.answer("who said Washington can no longer be trusted?")
    cleft = engine.answer("who was it that said Washington can no longer be trusted?")
    assert cleft.status is plain.status is Status.ANSWER
    assert [m.id for m in cleft.matches] == [m.id for m in plain.matches]


def test_threats_and_warnings_are_words_someone_said() -> None:
    """"What were Aliyev's threats?" asks for his words: never a fact whose quote (the
    headline) holds the word "threats"."""
    folder = ROOT / "tests" / "articles" / "armenia-legislation-domestic-affair-baghdasaryan" / "knowledge"
    article = Engine(load_knowledge(folder), shared_model())
    assert article._reader.parse("What were President Aliyev's threats?").speech
    result = article.answer("What were President Aliyev's threats?")
    assert all(m.kind != "fact" for m in result.matches)


def test_everyone_words_after_a_named_speakers_verb_are_what_was_said() -> None:
    """"What did X say the participants would discuss?" asks for one of X's statements, the
    one about the participants; "what did X tell the participants?" is all X said, and "what
    did the participants say about Y" still names nobody in particular."""
    article = _article_engine("iran-fm-caspian-legal-status-moscow")
    said = article.answer("what did Qassemi say the participants would discuss?")
    assert [m.id for m in said.matches] == ["qassemi-draft-convention"]
    told = article.answer("What did Qassemi tell the participants?")
    assert len(told.matches) == 3 and {m.speaker for m in told.matches} == {"qassemi"}
    everyone = article._reader.parse("what did the participants say about the convention?")
    assert not everyone.speakers and "participants" not in {c.label for c in everyone.concepts}


@pytest.mark.parametrize(("attribution", "gives"), [
    ("Iranian Foreign Ministry Spokesman Bahram Qassemi said on Sunday", {"when"}),
    ("Mirzoyan announced in the Parliament Wednesday", {"when", "where"}),
    ("the head of the state said at the meeting in Dagestan", {"where"}),
    ("Earlier in December, Kremlin spokesman Dmitry Peskov said", {"when"}),  # no place
    ("Referring to the 8th meeting of the Council, he said", set()),  # "8th" is no time
    ("He added", set()),
    ("the diplomat said", set()),
])
def test_an_attribution_tells_where_and_when_words_were_said(attribution: str,
                                                             gives: set[str]) -> None:
    assert said_at(attribution) == gives


def test_where_did_he_say_it_shows_the_attribution_that_says_where() -> None:
    """"Where did Zarif say it?": his words whose attribution gives the place, shown with it;
    an attribution the article holds only in parts ("X ... was quoted") counts; a statement
    whose attribution says nothing of the place keeps its plain answer."""
    article = _article_engine("iran-fm-caspian-legal-status-moscow")
    where = article.answer("where did zarif say it")
    assert where.status is Status.ANSWER and where.note.kind is NoteKind.SAID_AT
    assert [m.id for m in where.matches] == ["zarif-astana-interests"]
    assert "(\u201cSpeaking in a ministerial meeting" in where.text and "Astana" in where.text
    added = article.answer("where did Zarif say the legal regime should take into account "
                           "peace and security?")  # "He added": the article does not say
    assert [m.id for m in added.matches] == ["zarif-astana-peace-security"]
    assert added.note.kind is not NoteKind.SAID_AT
    elided = _article_engine("russia-denies-strategic-bombers-kant").answer(
        "when did Sevostyanov say it?")
    assert elided.note.kind is NoteKind.SAID_AT and "in October" in elided.text


def test_the_words_describing_the_speaker_are_not_what_the_sentence_model_compares() -> None:
    """"What did Georgia's treasury chief say about ...": the description names whom it is
    asked of, like a name; the sentence model compares the rest with the entries."""
    article = _article_engine("ukraine-claims-south-caucasus-sanctions-evasion")
    question = ("What did Georgia's treasury chief say about whether Russian finance and trade "
                "via Georgia breach UN rules?")
    parsed = article._reader.parse(question)
    parsed.described_by = frozenset({"treasury", "chief"})
    assert "treasury" not in article._meaning_of(question, parsed)
    result = article.answer(question)
    assert result.status is Status.ANSWER
    assert {m.speaker for m in result.matches} == {"khutsishvili"}


def test_a_name_is_named_by_its_capitalised_words_only() -> None:
    """"Russian defense officials" (a group the article quotes) is not named by "defense":
    "the air defence commander" is someone else."""
    article = _article_engine("russia-denies-strategic-bombers-kant")
    assert "p:russian-defense-officials" not in article._ix.phrases.get(("defense",), set())
    parsed = article._reader.parse("tell me everything the air defence commander said")
    assert parsed.speakers == ["sevostyanov"]


def test_is_it_true_x_said_is_a_claim_with_or_without_that() -> None:
    assert CLAIM.match("is it true roshchupkin said moscow wants to project its influence")
    assert SAYS_CLAUSE.match("is it true that roshchupkin said moscow wants influence")


def test_who_is_and_a_verb_in_ing_asks_who_does_it_not_who_a_name_is() -> None:
    """"who's taking part?" is no question about someone called "Part"; "who is Erdogan?"
    still is, of a name the article never mentions."""
    article = _article_engine("iran-fm-caspian-legal-status-moscow")
    taking = article.answer("who's taking part")
    assert taking.note.kind is not NoteKind.NOT_MENTIONED
    assert "Part" not in taking.text
    unknown = article.answer("who is Erdogan?")
    assert unknown.note.kind is NoteKind.NOT_MENTIONED and unknown.note.subject == "Erdogan"


def test_who_did_x_meet_asks_whom_x_met_not_who_spoke_of_x() -> None:
    """"who did Zanganeh meet with?": the one he met, which a fact of the article tells;
    not who mentioned Zanganeh."""
    article = _article_engine("iran-armenia-gas-electricity-barter")
    parsed = article._reader.parse("who did Zanganeh meet with")
    assert not parsed.who_said and parsed.speakers == ["zanganeh"]
    result = article.answer("who did Zanganeh meet with")
    assert result.status is Status.ANSWER and result.matches[0].kind == "fact"
    assert "Papikyan" in article.kb.fact(result.matches[0].id).quote


def test_did_x_talk_about_a_subject_only_others_spoke_of_is_declined() -> None:
    """"did Mirziyoyev talk about the arrests of journalists?": the arrests are in the article,
    never in his words, and not what the article is about: he is not quoted on them (his other
    words are no answer); a subject in the article's title stays context."""
    article = _article_engine("kyrgyz-uzbek-border-delimitation-complete")
    result = article.answer("did Mirziyoyev talk about arrests of journalists?")
    assert result.status is Status.NO_ANSWER and result.note.kind is NoteKind.NOT_QUOTED_ON
    assert result.text.count("protests and arrests") == 1
    titled = article.answer("What did Japarov say about the border delimitation process?")
    assert titled.status is Status.ANSWER
    assert {m.speaker for m in titled.matches if m.kind == "statement"} == {"japarov"}
