"""The article's own words around each statement (bot/context.py)."""

from __future__ import annotations

from pathlib import Path

from bot.context import statement_contexts
from bot.knowledge import load_knowledge

ARTICLES = Path(__file__).resolve().parent / "articles"


def test_the_sentence_around_a_quote_and_the_lead_in_before_it() -> None:
    kb = load_knowledge(ARTICLES / "pashinyan-issues-step-by-step" / "knowledge")
    contexts = statement_contexts(kb)
    assert set(contexts) == {s.id for s in kb.statements}
    # its own sentence names the subject
    assert "As regards the calls for resignation" in contexts["pashinyan-not-right-resignation"].text
    # "..., said the Prime Minister.": the narrative sentence before says what it was about
    assert "questioned about the closure of Arshakunyats Avenue" in contexts[
        "pashinyan-arshakunyats-protest"].text
    # never the statement's own words, nor another statement's
    for statement in kb.statements:
        for other in kb.statements:
            assert other.text not in contexts[statement.id].text
    # a sentence with a lead-in of its own takes none from before it ("When asked about the
    # issues raised by citizens, ..." is not about the Cabinet meeting the first line names)
    assert "Cabinet" not in contexts["pashinyan-fail-all-at-once"].text
    assert "issues raised by citizens" in contexts["pashinyan-fail-all-at-once"].text



def test_a_dateline_is_no_context() -> None:
    kb = load_knowledge(ARTICLES / "kazakh-fm-transcaspian-pipe-conditions" / "knowledge")
    contexts = statement_contexts(kb)
    assert not any("Azerbaijan, Baku" in c.text for c in contexts.values())
    assert any("Trend reports" in c.text for c in contexts.values())
