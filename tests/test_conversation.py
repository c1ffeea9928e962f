"""Follow-ups in a conversation: pronouns, "and about X?", "what else?", fresh starts."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.conversation import EMPTY, Context, ask
from bot.engine import Engine
from bot.knowledge import load_knowledge
from bot.results import NoteKind, Result, Status
from bot.semantic import shared_model

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_knowledge(ROOT / "knowledge"), shared_model())


def _talk(engine: Engine, questions: list[str]) -> list[tuple[str, list[str]]]:
    context = EMPTY
    replies = []
    for question in questions:
        result, context = ask(engine, question, context)
        replies.append((result.status.value, [m.id for m in result.matches]))
    return replies


def test_pronouns_and_what_else_follow_the_last_speaker(engine: Engine) -> None:
    replies = _talk(engine, ["What did Velayati say about BRICS?", "and what else did he say?",
                             "who is he?", "what did he say about sanctions?"])
    assert replies[0] == ("answer", ["velayati-brics-sco"])
    status, shown = replies[1]
    assert status == "answer" and "velayati-brics-sco" not in shown
    assert all(i.startswith("velayati-") for i in shown)
    assert replies[2] == ("answer", ["velayati"])
    assert replies[3] == ("answer", ["velayati-sanctions-trust"])


def test_and_about_x_keeps_the_speaker(engine: Engine) -> None:
    replies = _talk(engine, ["what did lukyanov say about syria", "and about patrushev?"])
    assert replies[1] == ("answer", ["lukyanov-patrushev-nuclear-security"])


def test_a_named_speaker_starts_over(engine: Engine) -> None:
    replies = _talk(engine, ["what did velayati say about brics", "what did Sanaei say about banks",
                             "what did he say about sanctions"])
    assert replies[1] == ("answer", ["sanaei-banking"])
    assert replies[2] == ("answer", ["sanaei-sanctions-impetus"])


def test_a_pronoun_never_moves_words_to_another_speaker(engine: Engine) -> None:
    """Sanaei never spoke of BRICS: "he" stays Sanaei, and the reply says so."""
    context = EMPTY
    _, context = ask(engine, "who is sanaei", context)
    result, _ = ask(engine, "what did he say about brics?", context)
    assert result.status is Status.NO_ANSWER
    assert result.note.kind is NoteKind.NOT_QUOTED_ON and result.note.people == ("sanaei",)


def test_what_else_ends_with_a_note(engine: Engine) -> None:
    context = Context(("romanovich",), ())
    result, _ = ask(engine, "what else?", context)
    assert result.status is Status.NO_ANSWER and result.note.kind is NoteKind.NO_MORE


def test_he_on_a_one_speaker_article_needs_no_earlier_question() -> None:
    kb = load_knowledge(ROOT / "tests" / "articles" / "kazakhstan-opec-obligations-minister"
                        / "knowledge")
    result, _ = ask(Engine(kb, shared_model()), "what does he think about OPEC+ commitments?")
    assert result.status is Status.ANSWER
    assert {m.speaker for m in result.matches} == {"satkaliyev"}


def test_ask_json_sessions_share_context_plain_lines_do_not(tmp_path: Path) -> None:
    lines = [json.dumps({"session": "s1", "question": "What did Velayati say about BRICS?"}),
             json.dumps({"session": "s2", "question": "who is Sanaei?"}),
             json.dumps({"session": "s1", "question": "who is he?"}),
             json.dumps({"session": "s2", "question": "who is he?"}),
             "who is he?"]
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "--json",
                           "--knowledge", str(ROOT / "knowledge")], cwd=tmp_path,
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=120, check=True)
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["question"] for r in replies] == ["What did Velayati say about BRICS?",
                                                "who is Sanaei?", "who is he?", "who is he?",
                                                "who is he?"]
    assert replies[2]["matches"][0]["id"] == "velayati"
    assert replies[3]["matches"][0]["id"] == "sanaei"
    assert replies[4]["status"] != "answer"  # no context: not a guess


def test_sealed_readers_conversations_floor(engine: Engine) -> None:
    """15 conversations (53 turns) on the bundled article by another reader, sealed until the
    last engine change of 2026-12-03. First run: 5 of 15 right in every turn, 75.5 % of turns,
    one misattribution through a pronoun ("why does he think ...?" after a small-talk "hi, ...").
    7 of 15 (81.1 %) before the conversation rules of bot/followup.py; 10 of 15 (88.7 %) after
    them, the rest the engine's single answers; 11 of 15 (90.6 %) on 2026-12-03's third
    session; 12 of 15 (94.3 %) on 2026-12-04 (an unquoted person's "what did he say?" is
    declined; "how did X respond" asks X); 13 of 15 (96.2 %) once "did he say when ...?" needs
    words that give a time. Today's figures are the floor."""
    from bot.evaluation import evaluate_conversations, load_conversations

    conversations = load_conversations(ROOT / "tests" / "eval_sealed_conversations.yaml")
    report = evaluate_conversations(conversations, {"russia-iran-partners": engine}, ask, EMPTY)
    assert report.turns.misattributions == []
    assert report.resolved >= 13, report.turns.failures
    assert round(report.turns.accuracy, 1) >= 96.2, report.turns.failures


def test_readers_conversations_floor() -> None:
    """20 conversations (74 turns) written blind by a reader on four articles.

    First run: 7 of 20 conversations right in every turn, 68.9 % of turns, 3 pronoun
    misattributions; 11 of 20 (81.1 %) before the conversation rules of bot/followup.py, 11 of
    20 (83.8 %) after them, the rest the engine's single answers; 12 of 20 (85.1 %) on
    2026-12-04, once part of a claim someone else made in full stopped being "his"; 13 of 20
    (89.2 %) after that day's second session. Today's figures are the floor.
    """
    from bot.evaluation import evaluate_conversations, load_conversations

    conversations = load_conversations(ROOT / "tests" / "eval_conversations.yaml")
    engines = {}
    for conversation in conversations:
        article = conversation.article
        if article not in engines:
            folder = (ROOT / "knowledge" if article == "russia-iran-partners"
                      else ROOT / "tests" / "articles" / article / "knowledge")
            engines[article] = Engine(load_knowledge(folder), shared_model())
    report = evaluate_conversations(conversations, engines, ask, EMPTY)
    assert report.turns.misattributions == []
    assert report.resolved >= 13, report.turns.failures
    assert round(report.turns.accuracy, 1) >= 89.2, report.turns.failures


def _article_engines(conversations: list[Any]) -> dict[str, Engine]:
    return {c.article: Engine(load_knowledge(ROOT / "tests" / "articles" / c.article
                                             / "knowledge"), shared_model())
            for c in conversations}


def _assert_floor(name: str, *, resolved: int, turns: float) -> None:
    """A sealed set of conversations on three articles: no misattribution, and at least this
    many conversations right in every turn and this share of turns right."""
    from bot.evaluation import evaluate_conversations, load_conversations

    conversations = load_conversations(ROOT / "tests" / name)
    report = evaluate_conversations(conversations, _article_engines(conversations), ask, EMPTY)
    assert report.turns.misattributions == []
    assert report.resolved >= resolved, report.turns.failures
    assert round(report.turns.accuracy, 1) >= turns, report.turns.failures


def test_sealed_conversations_on_three_new_articles_floor() -> None:
    """15 conversations (54 turns) by a reader on the three articles sealed until the second
    session of 2026-12-03 (armenia-turkey-..., kazakhstan-gas-..., georgian-dream-...). First
    run, after the last change: 3 of 15 right in every turn, 32 of 54 turns (59.3 %), no
    misattribution; most wrong turns are the engine's single answers to paraphrases. 4 of 15
    (70.4 %) after the third session of 2026-12-03 (the one person a fact quotes is "he"; "and
    the US?" after a country; "where?" re-asks the last question; "what's his name?"); 5 of 15
    (77.8 %) on 2026-12-04 ("who is Armenia's envoy?" shows the sentence naming him; an
    unquoted person's words are declined; "how did X react" asks X); 6 of 15 (79.6 %) once
    "did he say where ...?" needs words that give a place; 7 of 15 (83.3 %) after 2026-12-04's
    last sessions. Today's figures are the floor."""
    _assert_floor("eval_sealed_conversations_2.yaml", resolved=7, turns=83.3)


def test_sealed_conversations_on_the_third_three_articles_floor() -> None:
    """15 conversations (51 turns) by a reader on the three articles sealed until the third
    session of 2026-12-03 (uzbek-fm-..., saakashvili-..., pashinyan-...). First run: 8 of 15
    right in every turn, 82.4 % of turns, one misattribution ("what did he say Ivanishvili had
    claimed?" showed Ivanishvili's words: the name after "say" took the pronoun's place). 84.3 %
    and none after "he" stayed the one who speaks; 9 of 15 (86.3 %) once "it" in a short
    question ("who blocked it?") is the last topic; 10 of 15 (88.2 %) once "where did he say
    it?" is a fact, not his quotes; 12 of 15 (92.2 %) after 2026-12-04's last sessions. Today's
    figures are the floor."""
    _assert_floor("eval_sealed_conversations_3.yaml", resolved=12, turns=92.2)


def test_he_speaks_when_the_question_names_whom_he_spoke_of(engine: Engine) -> None:
    # "what did he say Patrushev ..." after Lukyanov: Lukyanov's words about Patrushev, never
    # Patrushev's (he is not quoted) nor anyone else's
    context = EMPTY
    _, context = ask(engine, "what did lukyanov say about syria", context)
    result, _ = ask(engine, "what did he say Patrushev had done?", context)
    assert all(m.speaker == "lukyanov" for m in result.matches if m.kind == "statement")
    assert result.status is Status.ANSWER


def test_where_and_to_whom_they_spoke_asks_for_all_they_said(engine: Engine) -> None:
    for question in ("what did Velayati tell reporters?", "what else did Velayati tell journalists?",
                     "what did Velayati say at the round table?"):
        result = engine.answer(question)
        assert result.status is Status.ANSWER, question
        assert len(result.matches) > 1 and all(m.speaker == "velayati" for m in result.matches)
    # what they said about the event is a topic: not everything
    about = engine.answer("what did Sanaei say about the event itself?")
    assert about.status is Status.ANSWER
    assert len(about.matches) < len(engine.kb.statements_by("sanaei"))


@pytest.fixture(scope="module")
def two_speakers() -> Engine:
    """An article quoting exactly two people: Abrahamyan and Lagarde."""
    folder = ROOT / "tests" / "articles" / "armenian-pm-meets-imf-lagarde" / "knowledge"
    return Engine(load_knowledge(folder), shared_model())


def test_the_other_one_is_the_other_of_two_speakers(two_speakers: Engine) -> None:
    replies = _talk(two_speakers, ["what did lagarde say about reforms?",
                                   "and what did the other one say?", "who is he?"])
    assert replies[0][0] == "answer"
    status, shown = replies[1]
    assert status == "answer" and shown and all(
        two_speakers.kb.statement(i).speaker == "abrahamyan" for i in shown)
    assert replies[2] == ("answer", ["abrahamyan"])  # "he" is now the other one


def test_the_other_one_with_no_one_to_contrast_is_not_guessed(engine: Engine) -> None:
    # four people are quoted in the bundled article: "the other one" of them is no one in
    # particular, so no one's words are shown for it
    context = EMPTY
    _, context = ask(engine, "What did Velayati say about BRICS?", context)
    result, _ = ask(engine, "what did the other one say?", context)
    assert result.status is not Status.ANSWER, result.text


def test_why_continues_with_the_speakers_other_words(two_speakers: Engine) -> None:
    context = EMPTY
    first, context = ask(two_speakers, "what did lagarde say about reforms?", context)
    why, context = ask(two_speakers, "why?", context)
    shown = {m.id for m in first.matches}
    assert why.status is Status.ANSWER and why.matches
    assert all(m.speaker == "lagarde" and m.id not in shown for m in why.matches)


def test_small_talk_before_a_question_does_not_hide_it(engine: Engine) -> None:
    context = EMPTY
    first, context = ask(engine, "hi, what did sanaei say about the banking sector?", context)
    assert first.status is Status.ANSWER and first.matches[0].speaker == "sanaei"
    assert first.question.startswith("hi, ")  # the reply is to what was typed
    again, _ = ask(engine, "ok so who is he?", context)
    assert [m.id for m in again.matches] == ["sanaei"]


def test_and_the_role_asks_the_same_of_the_person_so_described(engine: Engine) -> None:
    context = EMPTY
    _, context = ask(engine, "what did velayati say about syria?", context)
    result, context = ask(engine, "and the russian deputy secretary?", context)
    assert result.status is Status.ANSWER
    assert {m.speaker for m in result.matches} == {"lukyanov"}
    assert context.speakers == ("lukyanov",)


# ---------------------------------------------------------------- the rules people chat by
# Made-up exchanges (none from an evaluation file); each row: the turns, then what the last
# reply must be: its status, and whose words it shows (or the note and whom it is about).

EXCHANGES = [
    # "who did then?": who said what the last question asked about
    (["did foruzesh talk about the SCO?", "who did then?"], "answer", {"velayati", "lukyanov"}),
    (["did sanaei mention oil production?", "so who said it?"], "answer", {"velayati"}),
    # "and X?" of a person: the last question, asked of them
    (["did lukyanov mention oil?", "and velayati?"], "answer", {"velayati"}),
    (["who is foruzesh?", "and lukyanov?"], "answer", {"lukyanov"}),
    (["did velayati talk about banks?", "what about sanaei?"], "answer", {"sanaei"}),
    # ... and of someone who did not speak of it: not quoted on it, never another's words
    (["what did sanaei say about banks?", "and velayati?"], NoteKind.NOT_QUOTED_ON,
     {"velayati"}),
    # "and about X?" of the same person, X a topic
    (["what did velayati say about oil?", "and on the sanctions?"], "answer", {"velayati"}),
    # a head says whom "he" means
    (["who is lukyanov?", "the ambassador - did he mention banks?"], "answer", {"sanaei"}),
    (["who is lukyanov?", "and Velayati, what did he say about oil?"], "answer", {"velayati"}),
    # "else": less what was shown
    (["what did sanaei say about banks?", "what else did he say about banks?"],
     NoteKind.NO_MORE, {"sanaei"}),
    (["who talked about the nuclear program?", "who else talked about it?"],
     NoteKind.NO_MORE, set()),
    # "about it": the topic the last question asked about
    (["who talked about the nuclear program?", "what did sanaei say about it?"],
     NoteKind.NOT_QUOTED_ON, {"sanaei"}),
    # after "who ...?", "and X?" asks who spoke of X
    (["who spoke about the visa regime?", "and about banking?"], "answer", {"sanaei"}),
    (["which participant praised the event?", "and sanctions?"], "answer",
     {"sanaei", "velayati"}),
    # a new topic with no pronoun, answered by someone else: "he" is now them
    (["what did velayati say about brics?", "who talked about visas?", "who is he?"], "answer",
     {"foruzesh"}),
]


def _last(engine: Engine, turns: list[str]) -> tuple[Result, Context]:
    context = EMPTY
    for question in turns:
        result, context = ask(engine, question, context)
    return result, context


@pytest.mark.parametrize(("turns", "want", "people"), EXCHANGES)
def test_exchanges(engine: Engine, turns: list[str], want: object, people: set[str]) -> None:
    result, _ = _last(engine, turns)
    if isinstance(want, NoteKind):
        assert result.status is not Status.ANSWER, result.text
        assert result.note.kind is want and set(result.note.people) == people, result.text
    else:
        assert result.status is Status.ANSWER, result.text
        assert {m.speaker for m in result.matches} == people, result.text


RUSSIAN = [
    (["Кто такой Велаяти?", "что он сказал о санкциях?"], "answer", {"velayati"}),
    (["Что Велаяти сказал о нефти?", "кто он?"], "answer", {"velayati"}),
    (["Что сказал Санаи о банках?", "а Велаяти?"], NoteKind.NOT_QUOTED_ON, {"velayati"}),
    (["Санаи говорил о нефти?", "а кто тогда?"], "answer", {"velayati"}),
    (["Что Лукьянов сказал о Сирии?", "а о санкциях?"], NoteKind.NOT_QUOTED_ON, {"lukyanov"}),
]


@pytest.mark.parametrize(("turns", "want", "people"), RUSSIAN)
def test_russian_exchanges_have_russian_leads(engine: Engine, turns: list[str], want: object,
                                             people: set[str]) -> None:
    result, _ = _last(engine, turns)
    assert result.lang == "ru" and result.question == turns[-1]
    if isinstance(want, NoteKind):
        assert result.note.kind is want and set(result.note.people) == people, result.text
        assert any("\u0400" <= c <= "\u04ff" for c in result.lead), result.lead
    else:
        assert result.status is Status.ANSWER, result.text
        assert {m.speaker for m in result.matches} == people, result.text


def test_russian_what_else_shows_what_was_not_shown(engine: Engine) -> None:
    first, context = ask(engine, "Что Велаяти сказал о БРИКС?")
    more, _ = ask(engine, "а что ещё он сказал?", context)
    assert more.status is Status.ANSWER and more.lang == "ru"
    assert {m.speaker for m in more.matches} == {"velayati"}
    assert not {m.id for m in first.matches} & {m.id for m in more.matches}


@pytest.fixture(scope="module")
def one_speaker() -> Engine:
    folder = ROOT / "tests" / "articles" / "kazakhstan-opec-obligations-minister" / "knowledge"
    return Engine(load_knowledge(folder), shared_model())


def _asked_of_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch, question: str,
                     context: Context = EMPTY) -> list[str]:
    """The questions the conversation put to the engine for one message."""
    asked: list[str] = []
    answer = engine.answer

    def spy(text: str) -> Result:
        asked.append(text)
        return answer(text)

    monkeypatch.setattr(engine, "answer", spy)
    ask(engine, question, context)
    monkeypatch.undo()
    return asked


@pytest.mark.parametrize(("question", "resolved"), [
    ("what did they agree to cut?", False), ("when will they meet again?", False),
    ("did they sign anything?", False), ("what is their plan for the field?", False),
    ("will he cut output?", True), ("what is his plan for the field?", True),
])
def test_he_is_the_one_person_quoted_they_is_not(one_speaker: Engine,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 question: str, resolved: bool) -> None:
    """On a one-speaker article "he" / "his" is the speaker; "they" / "their" is a group
    (the sides, the countries), so asked as typed."""
    asked = _asked_of_engine(one_speaker, monkeypatch, question)
    assert any("Satkaliyev" in a for a in asked) is resolved, asked


@pytest.mark.parametrize(("carried", "resolved"), [(("velayati",), False),
                                                   (("velayati", "sanaei"), True)])
def test_they_is_two_or_more_carried_speakers(engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                             carried: tuple[str, ...], resolved: bool) -> None:
    asked = _asked_of_engine(engine, monkeypatch, "what did they decide about the next meeting?",
                             Context(carried))
    assert any("Velayati" in a for a in asked) is resolved, asked


def test_they_of_two_carried_speakers_is_both(two_speakers: Engine) -> None:
    context = EMPTY
    _, context = ask(two_speakers, "what did lagarde and abrahamyan say about cooperation?",
                     context)
    result, context = ask(two_speakers, "did they mention reforms?", context)
    assert result.status is Status.ANSWER
    assert {m.speaker for m in result.matches} <= {"lagarde", "abrahamyan"}


def test_he_stays_whom_it_meant_whoever_else_the_answer_showed() -> None:
    """A statement the two experts made together answers a question of one of them; "he" is
    still that one, not the pair."""
    folder = ROOT / "tests" / "articles" / "iran-azerbaijan-relations-strained-experts" / "knowledge"
    experts = Engine(load_knowledge(folder), shared_model())
    context = EMPTY
    _, context = ask(experts, "what did asatryan say about iran?", context)
    result, context = ask(experts, "what does he think of the situation around karabakh?",
                          context)
    assert result.status is Status.ANSWER
    assert context.speakers == ("asatryan",)


def test_a_carried_speaker_never_lends_his_name_to_anothers_words(engine: Engine) -> None:
    """Of every quoted person, asked through a pronoun about every topic of the article: the
    reply shows their own words (or words citing them, or that they share), or says they were
    not quoted on it."""
    kb = engine.kb
    for person in kb.quoted_people():
        for topic in kb.topics:
            for question in (f"what did he say about {topic.name}?", f"and about {topic.name}?"):
                result, _ = ask(engine, question, Context((person.id,)))
                if result.status is not Status.ANSWER:
                    continue
                for match in result.matches:
                    if match.kind == "statement":
                        statement = kb.statement(match.id)
                        assert statement.speaker == person.id or statement.cites == person.id, (
                            person.id, question, match.id)


def test_others_words_for_a_carried_speaker_become_not_quoted_on(engine: Engine) -> None:
    """The engine's answer to a question asked of the conversation's speaker, had it shown
    someone else's words, is turned into "not quoted on it; X spoke about it"."""
    from bot.conversation import _only_theirs
    from bot.results import Match

    theirs = Result("what did Sanaei say about BRICS?", Status.ANSWER,
                    (Match("velayati-brics-sco", "statement", "velayati", 80.0),), "", (), "")
    reply = _only_theirs(engine, theirs, ("sanaei",), "BRICS")
    assert reply.status is Status.NO_ANSWER and not reply.matches
    assert (reply.note.kind, reply.note.people, reply.note.others) == (
        NoteKind.NOT_QUOTED_ON, ("sanaei",), ("velayati",))
    assert "Sanaei" in reply.text and "Velayati" in reply.text
    mixed = replace(theirs, matches=(Match("sanaei-banking", "statement", "sanaei", 90.0),
                                     *theirs.matches))
    kept = _only_theirs(engine, mixed, ("sanaei",), "BRICS")
    assert [m.id for m in kept.matches] == ["sanaei-banking"]


def test_why_shows_the_likeliest_reasons_first(engine: Engine) -> None:
    """After "why?", the speaker's other words sharing the topics of what was just shown come
    first, at most three, none shown before."""
    first, context = ask(engine, "what did velayati say about trust in america?")
    why, _ = ask(engine, "why?", context)
    shown = {m.id for m in first.matches}
    topics = {t for i in shown for t in engine.kb.statement(i).topics}
    assert why.status is Status.ANSWER and 0 < len(why.matches) <= 3
    assert all(m.speaker == "velayati" and m.id not in shown for m in why.matches)
    assert topics & set(engine.kb.statement(why.matches[0].id).topics)


def test_who_is_he_of_two_people_asks_whom(engine: Engine) -> None:
    """After an answer quoting two people, "who is he?" is not a guess between them."""
    result, _ = ask(engine, "who is he?", Context(("velayati", "lukyanov")))
    assert result.status is Status.CLARIFY
    assert {m.id for m in result.matches} == {"velayati", "lukyanov"}


def test_and_a_person_with_no_question_before_is_asked_as_typed(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _asked_of_engine(engine, monkeypatch, "and sanaei?") == ["and sanaei?"]
    context = Context(("velayati",), asked="oil", frame="did \x00 mention oil?")
    assert _asked_of_engine(engine, monkeypatch, "and sanaei?", context) == [
        "did Sanaei mention oil?"]


def test_a_fact_answer_keeps_whom_but_not_what_was_asked(engine: Engine) -> None:
    context = EMPTY
    _, context = ask(engine, "did velayati talk about visas?", context)
    assert context.asked == "visas"
    _, context = ask(engine, "where was the round table held?", context)
    assert context.speakers == ("velayati",) and context.asked == ""


def test_the_telegram_conversation_expires_after_a_pause() -> None:
    """In Telegram the context is kept with the time of its last reply and forgotten after
    CONVERSATION_TTL: after a long pause "he" means no one."""
    import time

    from bot.telegram.articles import CONVERSATION_KEY
    from bot.telegram.questions import CONVERSATION_TTL, conversation_expired

    now = time.time()
    assert not conversation_expired({CONVERSATION_KEY: (Context(("velayati",)), now - 60)})
    assert conversation_expired({CONVERSATION_KEY: (Context(("velayati",)),
                                                    now - CONVERSATION_TTL - 1)})
    assert not conversation_expired({})


@pytest.fixture(scope="module")
def articles() -> dict[str, Engine]:
    """Engines of test articles, built on first use."""
    class Engines(dict[str, Engine]):
        def __missing__(self, name: str) -> Engine:
            folder = ROOT / "tests" / "articles" / name / "knowledge"
            self[name] = Engine(load_knowledge(folder), shared_model())
            return self[name]

    return Engines()


@pytest.mark.parametrize(("article", "turns", "people"), [
    # "the Iranian one" after "the Turkish minister": the Iranian minister
    ("iran-turkiye-fms-meet-tehran",
     ["what did the turkish minister say about trade?", "and the iranian one?"],
     {"amir-abdollahian"}),
    # "the other one": whom the conversation was about before, asked the last question
    ("mirzoyan-bayramov-peace-treaty-call",
     ["what did mirzoyan say about the treaty?", "and bayramov?", "and the other one?"],
     {"mirzoyan"}),
])
def test_ellipsis_names_the_person_meant(articles: dict[str, Engine], article: str,
                                         turns: list[str], people: set[str]) -> None:
    result, context = _last(articles[article], turns)
    assert result.status is Status.ANSWER, result.text
    assert {m.speaker for m in result.matches} == people and context.speakers == tuple(people)


@pytest.fixture(scope="module")
def envoys() -> Engine:
    """Armenia and Turkey name envoys: a spokesman, a minister, France, the U.S., Biden."""
    folder = ROOT / "tests" / "articles" / "armenia-turkey-special-envoys" / "knowledge"
    return Engine(load_knowledge(folder), shared_model())


def test_after_a_fact_he_is_the_one_person_it_quotes(envoys: Engine) -> None:
    # the fact names the envoy (never quoted) and the spokesman who announced it (quoted):
    # "what else did he say?" is the spokesman's words, not a choice of everyone
    replies = _talk(envoys, ["and who announced it?", "what else did he say?"])
    assert replies[0] == ("answer", ["armenia-envoy-named"])
    status, shown = replies[1]
    assert status == "answer" and shown
    assert all(envoys.kb.statement(i).speaker == "hunanyan" for i in shown)


def test_a_country_after_a_country_is_the_same_question_of_it(envoys: Engine) -> None:
    replies = _talk(envoys, ["how did france react?", "and the US?"])
    assert replies[0][0] == "answer"
    assert replies[1] == ("answer", ["us-welcomed"])
    # of a person, "and Turkey?" stays a topic: what Cavusoglu said about Turkey
    replies = _talk(envoys, ["what did Cavusoglu say about Armenia?", "and Turkey?"])
    status, shown = replies[1]
    assert status == "answer" and all(envoys.kb.statement(i).speaker == "cavusoglu"
                                      for i in shown)


def test_where_re_asks_the_last_question(envoys: Engine) -> None:
    replies = _talk(envoys, ["what did Biden suggest to Erdogan?", "where was that?"])
    assert replies[1] == ("answer", ["biden-erdogan-rome"])
    gas = Engine(load_knowledge(ROOT / "tests" / "articles" / "kazakhstan-gas-union-terms"
                                / "knowledge"), shared_model())
    replies = _talk(gas, ["when did Putin and Tokayev discuss the gas union?", "where?"])
    assert replies[1] == ("answer", ["putin-tokayev-meeting"])
    # with no question before it, "where?" is the article's own event, as typed
    first, _ = ask(gas, "where?", EMPTY)
    assert first.status is not Status.ANSWER or first.matches[0].kind == "fact"


def test_whats_his_name_is_his_card(two_speakers: Engine) -> None:
    replies = _talk(two_speakers, ["what did lagarde say about reforms?", "what's her name?"])
    assert replies[1] == ("answer", ["lagarde"])


def test_words_of_someone_never_quoted_are_declined(envoys: Engine) -> None:
    # Rubinyan is named, never quoted; the spokesman's words name him: they are not his
    result, _ = ask(envoys, "what did Rubinyan say about the normalization process?", EMPTY)
    assert result.status is Status.NO_ANSWER and result.matches == ()
    assert "does not quote" in result.text
    assert "Who is Ruben Rubinyan?" in [s.question for s in result.suggestions]


def test_it_in_a_short_question_is_the_last_topic() -> None:
    avenue = Engine(load_knowledge(ROOT / "tests" / "articles" / "pashinyan-issues-step-by-step"
                                   / "knowledge"), shared_model())
    replies = _talk(avenue, ["What did Pashinyan say about the Arshakunyats Avenue closure?",
                             "who blocked it?"])
    assert replies[1] == ("answer", ["pashinyan-arshakunyats-closure"])
    # with no topic before it, "who blocked it?" is a question of its own: never a guess
    result, _ = ask(avenue, "who blocked it?", EMPTY)
    assert result.status is not Status.ANSWER or result.matches[0].kind == "fact"


@pytest.mark.parametrize("question", ["Where did Pashinyan speak to reporters?",
                                      "where did Pashinyan say it?", "when did Pashinyan speak?"])
def test_where_or_when_someone_spoke_is_a_fact_not_a_quote(question: str) -> None:
    avenue = Engine(load_knowledge(ROOT / "tests" / "articles" / "pashinyan-issues-step-by-step"
                                   / "knowledge"), shared_model())
    result = avenue.answer(question)
    assert result.status is Status.ANSWER and [m.kind for m in result.matches] == ["fact"]


def test_did_x_say_that_too_asks_x_of_the_last_topic() -> None:
    georgia = Engine(load_knowledge(ROOT / "tests" / "articles"
                                    / "saakashvili-warns-ivanishvili-remarks" / "knowledge"),
                     shared_model())
    replies = _talk(georgia, ["did Ivanishvili say the old government worked with the militants?",
                              "did Saakashvili say that too?"])
    status, shown = replies[1]
    # only Saakashvili's words on the militants: not everything he said, never Ivanishvili's
    assert status == "answer" and shown
    assert all(georgia.kb.statement(i).speaker == "saakashvili" for i in shown)
    assert len(shown) < len(georgia.kb.statements_by("saakashvili"))


def test_he_as_the_subject_stays_him_when_the_question_names_someone_else() -> None:
    """ "Who is Mirziyoyev?" "where did he meet Trump?": he is Mirziyoyev, Trump whom he met;
    "what did he say about the deals?" is then Mirziyoyev's words."""
    folder = ROOT / "tests" / "articles" / "uzbekistan-us-5-billion" / "knowledge"
    engine = Engine(load_knowledge(folder), shared_model())
    context = EMPTY
    for question in ["Who is Mirziyoyev?", "where did he meet trump"]:
        _, context = ask(engine, question, context)
    assert context.speakers[:1] == ("mirziyoyev",)
    result, _ = ask(engine, "what did he say about the deals signed?", context)
    assert result.status is Status.ANSWER
    assert {m.speaker for m in result.matches} == {"mirziyoyev"}


def test_who_said_that_names_whose_words_were_just_shown() -> None:
    folder = ROOT / "tests" / "articles" / "peskov-putin-kazakhstan-visit" / "knowledge"
    engine = Engine(load_knowledge(folder), shared_model())
    first, context = ask(engine, "how close are russia and kazakhstan according to the kremlin",
                         EMPTY)
    assert first.status is Status.ANSWER
    result, context = ask(engine, "who said that?", context)
    assert result.status is Status.ANSWER
    assert [m.id for m in result.matches] == [m.id for m in first.matches]
    assert result.text.startswith("Said by Dmitry Peskov:")
    assert context.speakers == ("peskov",)


def test_sealed_conversations_on_the_fourth_three_articles_floor() -> None:
    """15 conversations (49 turns) by a reader on the three articles sealed until the last
    engine change of 2026-12-04 (georgia-eu-status-pm, peskov-putin-kazakhstan-visit,
    uzbekistan-us-5-billion). First run: 6 of 15 right in every turn, 71.4 % of turns, two
    misattributions ("Did Putin say his visit had nothing to do with Europe?" showed Peskov's
    words, Peskov's role alias naming Putin; "where did he meet Trump?" made "he" Trump). None
    once a name is whose it is and "he" as the subject stays him; 7 of 15 (77.6 %) once "who
    said that?" names whose words were just shown; 10 of 15 (85.7 %) on 2026-12-04's second
    session ("when did X and Y meet?" is a time; "what will he and Putin discuss?", neither
    quoted, is what the article says of them). Today's figures are the floor."""
    _assert_floor("eval_sealed_conversations_4.yaml", resolved=10, turns=85.7)


def test_sealed_conversations_on_the_fifth_three_articles_floor() -> None:
    """15 conversations (59 turns) by a reader on the three articles sealed until the last
    engine change of 2026-12-04's second session (armenia-legislation-..., iran-fm-caspian-...,
    russia-denies-strategic-bombers-kant). First run: 2 of 15 right in every turn, 69.5 % of
    turns, two misattributions through a pronoun ("Did he also say ...?" after a spokeswoman's
    words; "she" after "who responded to Aliyev's statements?" taken as Aliyev). None, 3 of 15
    (76.3 %), once "he" and "she" follow the article's own pronouns and a who-said answer's
    speaker is whom the next pronoun means. 5 of 15 (81.4 %) on 2026-12-04's third session
    ("what did X say the participants would discuss?" is one statement; "where did he say
    that?" is the attribution that says where; 83.1 % of turns once "who announced that?" after
    a fact is whose words the fact quotes). Today's figures are the floor."""
    _assert_floor("eval_sealed_conversations_5.yaml", resolved=5, turns=83.1)


def test_sealed_conversations_on_the_sixth_three_articles_floor() -> None:
    """15 conversations (65 turns), 5 by each of three readers who saw only one article,
    sealed until 2026-12-04's third session had made most of its engine changes (georgia-wine-
    exports-russia-salvation, iran-armenia-gas-electricity-barter, kyrgyz-uzbek-border-
    delimitation-complete). First run: 4 of 15 right in every turn, 78.5 % of turns, one
    misattribution ("what else did he say?" after two men's words showed both); none once
    that asks which of them "he" is; 5 of 15 (80.0 %) once "who did say that then?" is read as
    who said it; 81.5 % of turns once "who did he meet with?" asks whom he met; 6 of 15
    (83.1 %) once "what did he say about the protests?" of someone never on them is declined.
    Today's figures are the floor."""
    _assert_floor("eval_sealed_conversations_6.yaml", resolved=6, turns=83.1)


def test_he_and_another_unquoted_person_asks_what_the_article_says_of_them() -> None:
    """"what will he and Putin discuss?", neither of them quoted: the words of whoever spoke
    of their talks, with a lead naming him, instead of asking which of the two spoke."""
    article = Engine(load_knowledge(ROOT / "tests" / "articles" / "peskov-putin-kazakhstan-visit"
                                    / "knowledge"), shared_model())
    _, context = ask(article, "Who is Tokayev?", EMPTY)
    result, _ = ask(article, "what will he and putin discuss?", context)
    assert result.status is Status.ANSWER
    assert "peskov-regional-cooperation-agenda" in [m.id for m in result.matches]
    assert {m.speaker for m in result.matches} == {"peskov"}
    assert result.note.kind is NoteKind.QUOTING_ON and set(result.note.others) == {"peskov"}


def test_when_did_he_say_it_after_a_no_is_when_he_said_what_he_did_say() -> None:
    """"did he also say the bombers never landed?" (he did not) "when did he say it?": when
    he said his own words, as their attribution gives it, not the words he never said."""
    folder = ROOT / "tests" / "articles" / "russia-denies-strategic-bombers-kant" / "knowledge"
    engine = Engine(load_knowledge(folder), shared_model())
    replies = _talk(engine, ["who's sevostyanov?", "what did he say?",
                             "did he also say the bombers never landed?", "when did he say it?"])
    assert replies[2] == ("no_answer", [])
    assert replies[3] == ("answer", ["sevostyanov-aircraft-double"])


def test_who_announced_that_after_a_fact_is_whose_words_the_fact_quotes() -> None:
    """"when is he going?" is a fact whose words are the spokesman's ("Zarif is scheduled to
    attend ..., Qassemi said on Sunday"): "who announced that?" is he, with his words."""
    folder = ROOT / "tests" / "articles" / "iran-fm-caspian-legal-status-moscow" / "knowledge"
    engine = Engine(load_knowledge(folder), shared_model())
    replies = _talk(engine, ["when will zarif attend the meeting in moscow?",
                             "who announced that?"])
    assert replies[1] == ("answer", ["qassemi-zarif-schedule"])


def test_what_else_did_he_say_after_two_peoples_words_asks_which_of_them() -> None:
    """"who called the wines poison?" showed two men's words: "what else did he say?" asks
    which of them "he" is, with buttons, instead of showing both under "he"."""
    folder = ROOT / "tests" / "articles" / "georgia-wine-exports-russia-salvation" / "knowledge"
    engine = Engine(load_knowledge(folder), shared_model())
    context = EMPTY
    first, context = ask(engine, "who called the wines poison?", context)
    assert len({m.speaker for m in first.matches}) == 2
    more, context = ask(engine, "what else did he say?", context)
    assert more.status is Status.CLARIFY and more.note.kind is NoteKind.WHOM
    assert {m.id for m in more.matches} == {m.speaker for m in first.matches}
