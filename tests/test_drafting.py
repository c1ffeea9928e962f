"""Drafting a knowledge base from an article's text: what it finds, what it marks, what it refuses."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sealed_sets import SEALED_2026_12_04_C

from bot.cli import main
from bot.draft_eval import DraftScore, corpus, score_folder
from bot.drafting import draft
from bot.knowledge import inspect_knowledge, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "knowledge" / "sources" / "russia-iran-partners.txt"


def test_the_bundled_article_is_drafted_with_every_statement_attributed_right() -> None:
    """Against the hand-written knowledge base: each drafted statement is one of its texts
    (or inside one), said by the same person."""
    hand = load_knowledge(ROOT / "knowledge")
    result = draft(BUNDLED.read_text(encoding="utf-8"))
    assert {p.name for p in result.people.values()} >= {
        "Ali Akbar Velayati", "Mehdi Sanaei", "Yevgeny Lukyanov", "Gholam Reza Foruzesh"}
    by_surname = {p.name.split()[-1]: p.id for p in hand.people}
    right = 0
    for statement in result.statements:
        speaker = by_surname[result.people[statement.speaker].name.split()[-1]]
        owners = {s.speaker for s in hand.statements
                  if statement.text[:40] in s.text or s.text[:40] in statement.text}
        right += owners == {speaker}
    assert len(result.statements) >= 18
    assert right == len(result.statements)


def test_roles_as_the_article_states_them() -> None:
    people = draft(BUNDLED.read_text(encoding="utf-8")).people
    assert people["lukyanov"].roles[0] == "Deputy Secretary of the Russian Security Council"
    assert people["romanovich"].roles[0] == (
        "Deputy Chairman of the State Duma Committee on International Affairs")
    assert people["sanaei"].roles[0] == "Iranian Ambassador to Russia"


def test_draft_writes_a_knowledge_base_that_loads(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "knowledge"
    code = main(["draft", str(BUNDLED), "--out", str(out), "--id", "drafted",
                 "--outlet", "Vestnik Kavkaza", "--date", "today"])
    assert code == 0, capsys.readouterr().err
    assert (out / "drafted.yaml").is_file() and (out / "sources" / "drafted.txt").is_file()
    kb, problems = inspect_knowledge(out)
    assert kb is not None and not [p for p in problems if p.severity == "error"]
    reviews = [p for p in problems if "needs review" in p.message]
    assert reviews  # what the builder was unsure of is listed by check
    assert (kb.articles[0].outlet, kb.articles[0].date) == ("Vestnik Kavkaza", "today")
    # a second draft beside the first loads with it (ids carry the article's initials)
    shutil.copy(BUNDLED, tmp_path / "again.txt")
    assert main(["draft", str(tmp_path / "again.txt"), "--out", str(out)]) == 0
    assert {a.id for a in load_knowledge(out).articles} == {"drafted", "again"}


def test_a_fact_id_never_meets_a_topic_drawn_from_the_same_word(tmp_path: Path) -> None:
    # "when" twice in the text is a topic ("when-…"), and the date is a fact ("when-…")
    article = tmp_path / "ferry-deal.txt"
    article.write_text(
        "Ferry deal signed\n\nVARNA, 3 May. Bulgarian minister Petar Ivanov said on Monday that "
        "the ferry line will open when the port is ready.\n\n\"We will know when the "
        "works end,\" Ivanov said.\n", encoding="utf-8")
    assert main(["draft", str(article), "--out", str(tmp_path / "k")]) == 0
    kb = load_knowledge(tmp_path / "k")
    ids = [e.id for e in (*kb.topics, *kb.people, *kb.statements, *kb.facts)]
    assert len(ids) == len(set(ids))
    assert any(t.id.startswith("when-") for t in kb.topics)


@pytest.mark.parametrize(("content", "message"), [
    (b"\x00\x01binary", "not a text article"),
    (b"", "not a text article"),
    (b"Headline\n\nNobody said anything here at all.\n", "no quote or statement"),
    (b"\xff\xfe\xfa", "cannot read"),
])
def test_a_bad_article_is_refused_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str) -> None:
    article = tmp_path / "bad.txt"
    article.write_bytes(content)
    out = tmp_path / "knowledge"
    code = main(["draft", str(article), "--out", str(out)])
    assert code != 0
    assert message in capsys.readouterr().err
    assert not (out / "bad.yaml").exists()


def test_a_huge_file_is_not_an_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "huge.txt"
    article.write_bytes(b"x" * (2 << 20))
    assert main(["draft", str(article), "--out", str(tmp_path / "k")]) == 2
    assert "not an article" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# The rules, on articles written for these tests (none of them is in the measured corpus)
# --------------------------------------------------------------------------------------------

def _said(text: str) -> dict[str, str]:
    """Each drafted statement's text -> its speaker's name."""
    result = draft(text)
    return {s.text: result.people[s.speaker].name for s in result.statements}


def test_an_institution_speaks_and_is_referred_back_to() -> None:
    said = _said(
        "Ministry warns of floods\n\n"
        "\"The rivers of the north will rise above the danger mark by Friday,\" the Estonian "
        "Ministry of Environment warned. Dozens of villages could be cut off, according to the "
        "report. \"Evacuation plans are ready in every district,\" it added.\n")
    assert set(said.values()) == {"Estonian Ministry of Environment"}
    assert "Dozens of villages could be cut off" in said
    assert "Evacuation plans are ready in every district" in said


def test_reported_speech_forms_and_their_speakers() -> None:
    said = _said(
        "Port talks in Varna\n\n"
        "Bulgarian Transport Minister Petar Ivanov met his Romanian counterpart Elena Popa in "
        "Varna on Monday.\n\n"
        "According to Ivanov, the new ferry line will open before the summer season. The "
        "minister also welcomed the agreement on shared customs checks.\n\n"
        "Popa said that both ports will cut their fees for container ships. Cargo volumes "
        "rose by a third last year, she said, adding that the rail link to Constanta is the "
        "next priority.\n\n"
        "The freight terminal, according to the Romanian official, needs a new crane.\n")
    assert said["the new ferry line will open before the summer season"] == "Petar Ivanov"
    assert said["welcomed the agreement on shared customs checks"] == "Petar Ivanov"
    assert said["both ports will cut their fees for container ships"] == "Elena Popa"
    assert said["Cargo volumes rose by a third last year"] == "Elena Popa"
    assert said["the rail link to Constanta is the next priority"] == "Elena Popa"
    assert said["The freight terminal, according to the Romanian official, needs a new "
                "crane"] == "Elena Popa"


def test_quotes_said_by_a_title_a_role_noun_or_another_spelling() -> None:
    said = _said(
        "Chess federation elects a president\n\n"
        "Federation President Arkady Dvorkovich spoke after the vote. \"We will hold the "
        "Olympiad in two cities this time\", - has said Mr. Dvorkovich during the press "
        "conference.\n\n"
        "\"The budget for junior events will double next year,\" the Russian official said.\n\n"
        "\"Every federation gets a vote on the calendar,\" Dvorkovitch explained.\n")
    assert said == {
        "We will hold the Olympiad in two cities this time": "Arkady Dvorkovich",
        "The budget for junior events will double next year": "Arkady Dvorkovich",
        "Every federation gets a vote on the calendar": "Arkady Dvorkovich"}


def test_a_quote_spanning_paragraphs_and_words_quoted_inside_a_sentence() -> None:
    result = draft(
        "Mayor on the new bridge\n\n"
        "Mayor Anna Berg opened the bridge on Sunday.\n\n"
        "\"This bridge took eleven years to plan and three to build.\n\n"
        "\"It will carry forty thousand cars a day,\" Berg said.\n\n"
        "Berg called the delays \"truly regrettable\" and said that the city had learnt "
        "from them.\n")
    texts = {s.text: s for s in result.statements}
    assert texts["This bridge took eleven years to plan and three to build."].review
    assert texts["It will carry forty thousand cars a day"].speaker == "berg"
    assert "truly regrettable" not in texts  # two words quoted are part of a sentence
    assert any("the city had learnt from them" in t for t in texts)


def test_the_measured_corpus_meets_its_floors() -> None:
    """Against the hand-written knowledge bases (benchmarks/bench_drafting.py prints the
    details): every direct quote, most reported statements, nearly nothing invented or given
    to the wrong person."""
    total, earlier = DraftScore("all"), DraftScore("before 2026-12-04's third session")
    for folder in corpus(ROOT):
        score = score_folder(folder)
        total.add(score)
        if folder.parent.name not in SEALED_2026_12_04_C:
            earlier.add(score)
    assert earlier.quotes_found == earlier.quotes  # every quote of the twenty-five (113)
    # every direct quote. First runs over unseen articles: the three added on 2026-12-03 gave 6
    # of 7 quotes, 8 of 11 reported statements, nothing invented or misgiven; the three of its
    # second session 8 of 10 quotes, 8 of 14 reported, one quote given to the wrong person,
    # since fixed; the three of its third session 10 of 11 quotes, 5 of 8 reported, 94 % real,
    # 87 % given right (100 % once a possessive, "Margaryan's resignation", stopped being whom
    # the next "he" means). The last quotes missed, all found since 2026-12-04: a quote run on
    # into a paragraph with no opening mark (the Kazakh gas union), a phrase quoted inside a
    # sentence whose speaker is set off by commas ("Such statements, Saakashvili noted, are in
    # the mainstream of "a propaganda campaign ...""), and a quote never closed (Medvedev's).
    # The three added on 2026-12-04, first run: 6 of 7 quotes (the one missed is first-person
    # speech printed without quote marks), 10 of 16 reported, 94 % real, 100 % right; 15 of 16
    # once a dateline ("TBILISI. Feb 3 (Interfax) -"), a title in lower case before a name
    # ("Georgian Dream ruling party chairman Irakli Kobakhidze said"), ", noting that ..." and
    # '"...," he stressed, adding that ...' were read. The three added in the second session of
    # 2026-12-04, first run: 6 of 6 quotes, 9 of 14 reported, 100 % real and right; 12 of 14
    # once "the Iranian spokesperson noted" found the Foreign Ministry Spokesman, "X was quoted
    # ... as saying that ...", "Aliyev's threats that ..." and "Additionally, ..." were read.
    # The three added in the third session of 2026-12-04, first run: 5 of 6 quotes (the one
    # missed is one word, "poison", a label quoted inside a sentence), 6 of 11 reported, 100 %
    # real, 91 % right; 8 of 11 and 100 % right once "Administration and Infrastructure" ended a
    # portfolio instead of starting a name, "This was stated by X" made the sentence before
    # X's, and a role of eight words came before "X said on Wednesday". All twenty-eight (one
    # quote of 119 missed, that one):
    assert total.quotes_found >= total.quotes - 1  # 118 of 119
    assert total.reported_found >= 0.90 * total.reported  # 108 of 120 (90.0 %)
    assert total.precision >= 0.95
    assert total.attribution >= 0.95


@pytest.mark.parametrize("folder", corpus(ROOT), ids=lambda p: p.parent.name)
def test_every_draft_of_the_corpus_loads(tmp_path: Path, folder: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    source = next((folder / "sources").glob("*.txt"))
    out = tmp_path / "k"
    assert main(["draft", str(source), "--out", str(out), "--id", "drafted"]) == 0, (
        capsys.readouterr().err)
    assert load_knowledge(out).statements


DRAFTING_ARTICLES = ROOT / "tests" / "drafting"  # written for these tests, in news style


def test_a_border_article_every_statement_to_its_speaker() -> None:
    said = _said((DRAFTING_ARTICLES / "chile-peru-border.txt").read_text(encoding="utf-8"))
    by_speaker: dict[str, int] = {}
    for name in said.values():
        by_speaker[name] = by_speaker.get(name, 0) + 1
    assert by_speaker == {"Alberto van Klaveren": 2, "Javier Gonzalez-Olaechea": 3,
                          "Chilean Interior Ministry": 2, "Maria Soto": 1}
    assert said["it would send 200 more officers to the region"] == "Chilean Interior Ministry"
    assert "irregular crossings organised by smugglers" not in said  # a name for something


def test_a_hydrogen_article_titles_cites_and_institutions() -> None:
    result = draft((DRAFTING_ARTICLES / "eu-kenya-hydrogen.txt").read_text(encoding="utf-8"))
    people = {p.name: p for p in result.people.values()}
    assert people["Kadri Simson"].roles == ["European Commissioner for Energy"]
    assert people["Grace Wanjiru"].roles == ["a spokeswoman for the Kenya Water Alliance"]
    citing = [s for s in result.statements if s.cites]
    assert [(result.people[s.speaker].name, s.cites) for s in citing] == [
        ("Davis Chirchir", "President Ruto")]
    said = {s.text: result.people[s.speaker].name for s in result.statements}
    assert said["it would mobilise 60 million euros in grants"] == "European Commission"
    assert not any("Environmental groups" in t or "divert water" in t for t in said)


def test_two_ministers_named_in_one_sentence_and_split_quotes() -> None:
    result = draft((DRAFTING_ARTICLES / "nordic-fishing-quotas.txt").read_text(encoding="utf-8"))
    people = {p.name: p.roles for p in result.people.values()}
    assert people["Peter Kullgren"] == ["Swedish Rural Affairs Minister"]
    assert people["Marianne Sivertsen Naess"] == ["Norwegian Fisheries Minister"]
    said = {s.text: result.people[s.speaker].name for s in result.statements}
    assert said["because coastal towns depend on this fishery."] == "Marianne Sivertsen Naess"
    assert said["Ignoring that would be irresponsible."] == "Peter Kullgren"
    assert said["she would bring the issue to the Nordic Council in June"] == (
        "Marianne Sivertsen Naess")
    assert not any("declined to comment" in t for t in said)


def test_a_company_issuing_a_statement_speaks_and_roles_end_a_sentence() -> None:
    result = draft((DRAFTING_ARTICLES / "kremlin-gas-hub.txt").read_text(encoding="utf-8"))
    people = {p.name: p.roles for p in result.people.values()}
    assert people["Tatiana Mitrova"] == [
        "a research fellow at Columbia University's Center on Global Energy Policy"]
    said = {s.text: result.people[s.speaker].name for s in result.statements}
    assert said["it was ready to supply additional volumes"] == "Gazprom"
    assert said["no agreement had been reached"] == "Dmitry Peskov"
    assert said["demand in southern Europe has fallen by a fifth since 2021"] == "Tatiana Mitrova"


def test_a_sentence_going_on_with_the_statement_before_it_is_marked() -> None:
    result = draft("Trade grows\n\nMinister Ana Lima said that exports rose sharply this year."
                   "\n\nIn particular, coffee sales to Asia doubled.\n\nThe port was busy all "
                   "summer.\n\nIn particular, the weather was dry.\n")
    texts = {s.text: s for s in result.statements}
    going_on = texts["In particular, coffee sales to Asia doubled"]
    assert going_on.speaker == "lima" and "no speech verb" in going_on.review
    assert "In particular, the weather was dry" not in texts  # only right after a statement


def test_institutions_in_many_forms_and_words_quoted_inside_a_sentence() -> None:
    said = _said((DRAFTING_ARTICLES / "un-darfur-famine.txt").read_text(encoding="utf-8"))
    assert said["parts of Darfur could face famine within weeks if aid convoys remain "
                "blocked"] == "United Nations"
    assert said["denied blocking the convoys"] == "Sudanese army"
    assert said['the delays were caused by "security conditions on the roads"'] == (
        "Sudanese army")  # "it" is the army; the quoted words are inside its statement
    assert said["it had pre-positioned food for 500,000 people in neighbouring Chad"] == (
        "World Food Programme")
    assert not any("fuel shortages" in t or "bread" in t for t in said)  # no one named


def test_she_is_the_woman_named_before_the_man_named_last() -> None:
    """Only when the article shows both genders (Mr, spokeswoman, "He ..." right after the
    name): someone of unknown gender named last stays the guess for "she", marked."""
    result = draft(
        "Budget vote delayed\n\n"
        "Finance spokeswoman Jane Doyle said that the vote would wait until May. She blamed "
        "the coalition for the delay.\n\n"
        "Opposition leader Tom Brandt met the speaker on Tuesday. Mr. Brandt left without "
        "a word.\n\n"
        "\"We will not sign a blank cheque,\" she said.\n")
    said = {s.text: s for s in result.statements}
    cheque = said["We will not sign a blank cheque"]
    assert result.people[cheque.speaker].name == "Jane Doyle" and "Jane Doyle" in cheque.review


def _bench_draft_answers() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_draft_answers", ROOT / "benchmarks" / "bench_draft_answers.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_answering_from_drafts_keeps_what_the_hand_written_knowledge_bases_answer() -> None:
    """Every article of tests/articles drafted with no edits (benchmarks/bench_draft_answers.py
    prints the details): the issue's target is 90 % of the plain questions the hand-written
    knowledge base answers (91.4 % when this floor was set on thirteen articles; 90.0 % on
    sixteen, the three added in the second session of 2026-12-03 giving 73.2 % on their first
    run; 86.4 % on nineteen, the three added in the third session giving 61.5 % on theirs (one
    draft did not load until a fact's id stopped meeting a topic's) and 64.1 % once a name in
    the possessive stopped being the next "he"; 85.6 % (243 of 284) once "where did X
    speak?" became a fact, which the hand-written knowledge bases hold more often; 85.8 %
    (247 of 288) on 2026-12-04, with the words around a quote counting as what it is about;
    86.8 % (250) once "..., Foreign Minister X said in an interview, the agency reported" was
    read after a dateline; 87.5 % (252) with "named X as Ankara's envoy" a role; 88.2 % (254)
    with a quote's closing paragraph read and "X said Wednesday" after a statement; 88.5 %
    (255) with "Such statements, X noted, are ..." read; 88.9 % (256) with the words around a
    quote known to the reader's vocabulary; on twenty-two, the three added on 2026-12-04 giving
    69.0 % (29 of 42) on their first run and 78.6 % (33) after; 87.9 % (290 of 330) once
    datelines, titles in lower case, ", noting that" and '"...," he stressed, adding that' were
    read; on twenty-five, the three added in the second session of 2026-12-04 giving 89.2 % (33
    of 37) on their first run; 90.4 % (340 of 376) once the outlet named in a dateline after a
    standfirst and more forms of reported speech were drafted; on twenty-eight, the three added
    in the third session of 2026-12-04 giving 79.5 % (31 of 39) on their first run; 90.1 %
    (375 of 416) once a group the article makes speak, "This was stated by X" and a fact's
    "how many" keyword were read; 90.4 % (376) once "what did X say about Y?" of a subject
    none of X's words hold was declined),
    never a misattribution, and out-of-scope questions declined as often as from the
    hand-written ones, nearly."""
    bench = _bench_draft_answers()
    total = bench.Row("total")
    for row in bench.measure():
        total.add(row)
    assert total.kept >= 0.90, f"{total.plain_kept}/{total.plain_hand}"
    assert total.misattributed_draft == 0
    assert total.declined_draft >= total.declined_hand - 5
