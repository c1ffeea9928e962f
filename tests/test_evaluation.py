"""How a blind question's reply is judged: what the reader sees, under the right name."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation import BlindItem, judge_blind
from bot.knowledge import load_knowledge
from bot.results import Match, Note, NoteKind, Result, Status

KB = load_knowledge(Path(__file__).resolve().parent / "articles"
                    / "iran-fm-caspian-legal-status-moscow" / "knowledge")


def _reply(*ids: str, note: NoteKind = NoteKind.NONE) -> Result:
    matches = tuple(Match(i, "statement", KB.statement(i).speaker, 100.0) for i in ids)
    return Result("q", Status.ANSWER, matches, "", (), "", Note(note))


def test_who_said_quoting_the_sentence_that_names_the_speaker_wants_that_name() -> None:
    """"who announced that?" with the quote "Iranian Foreign Ministry Spokesman Bahram
    Qassemi said on Sunday": the statement that sentence introduces, under his name."""
    item = BlindItem("who announced that?", "paraphrase", "who_said", "Bahram Qassemi",
                     "Iranian Foreign Ministry Spokesman Bahram Qassemi said on Sunday", 0)
    assert judge_blind(KB, item, _reply("qassemi-zarif-schedule"))[0]
    assert not judge_blind(KB, item, _reply("zarif-astana-interests"))[0]
    wrong_name = BlindItem(item.question, item.kind, item.type, "Mohammad Javad Zarif",
                           item.quote, 0)
    assert not judge_blind(KB, wrong_name, _reply("qassemi-zarif-schedule"))[0]


def test_where_it_was_said_counts_only_when_the_reply_shows_the_attribution() -> None:
    item = BlindItem("where did he say that?", "paraphrase", "fact", "",
                     "in the Kazakh capital of Astana in July 2016", 0)
    assert judge_blind(KB, item, _reply("zarif-astana-interests", note=NoteKind.SAID_AT))[0]
    assert not judge_blind(KB, item, _reply("zarif-astana-interests"))[0]
