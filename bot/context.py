"""The article's own words around each statement: what it was said about, in the article's terms.

A quote rarely names its subject; the sentence around it often does ("As regards the calls for
resignation, according to Pashinyan, ..."), or the sentence before it does ("The prime minister
was also questioned about the closure of Arshakunyats Avenue."). For every statement this finds,
in its article's source text, the rest of the sentence that holds it and the narrative sentence
just before it (one that holds no statement of its own), so that the index can let those words
count, a little, as what the statement is about. Works the same for a hand-written knowledge
base and a drafted one: only the article text and the statements' verbatim texts are used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.datelines import without_dateline
from bot.knowledge import KnowledgeBase, normalise_verbatim
from bot.text import content_stems, split_sentences

# a statement whose subject is a pronoun: "they will ...", "In addition, it is ..."
_ANAPHORIC = re.compile(r"^(?:[A-Z][a-z]+(?: [a-z]+)?, )?(?:they|he|she|it|these|this)\b",
                        re.IGNORECASE)
LEAD_WORDS = 35  # a longer sentence before a quote (a list of attendees) is no lead-in
OWN_FRAME_WORDS = 3  # "said the Prime Minister": a sentence around a quote that names no subject


@dataclass(frozen=True)
class Context:
    """The article's words around one statement."""

    text: str
    # the statement opens with a pronoun ("they will compare ...") whose people are named in
    # the sentence before: that sentence, whose names (only) say whom it is about
    antecedent: str = ""


def statement_contexts(kb: KnowledgeBase) -> dict[str, Context]:
    """Statement id -> the article's words around it (none when it cannot be placed)."""
    contexts: dict[str, Context] = {}
    for article in kb.articles:
        if not article.source_text:
            continue
        statements = [s for s in kb.statements if s.article_id == article.id]
        texts = {s.id: normalise_verbatim(s.text) for s in statements}
        sentences = _sentences(article.source_text)
        spans = [_span(sentences, text) for text in texts.values()]
        for statement, span in zip(statements, spans, strict=True):
            if span is None:
                continue
            first, last = span
            around = " ".join(sentences[i][1] for i in range(first, last + 1))
            for text in texts.values():  # the statement's own words, and any other's, out
                around = around.replace(text, " ")
            parts = [around]
            antecedent = ""
            before = first - 1
            # the sentence before leads in only when the statement's own sentence says no more
            # than who spoke ("..., said the Prime Minister."), and it is narrative, not words
            if len(content_stems(around)) <= OWN_FRAME_WORDS and before >= 0 and len(
                    sentences[before][1].split()) <= LEAD_WORDS and not any(
                    s is not None and s[0] <= before <= s[1] for s in spans):
                parts.insert(0, sentences[before][1])
            elif before >= 0 and _ANAPHORIC.match(texts[statement.id]):
                # "they will compare their positions ...": who "they" are is named in the
                # sentence before
                antecedent = sentences[before][1]
            contexts[statement.id] = Context(" ".join(" ".join(parts).split()), antecedent)
    return contexts


def _sentences(source: str) -> list[tuple[int, str]]:
    """The article's sentences, normalised as the verbatim check does, with their paragraph."""
    out = []
    for number, paragraph in enumerate(re.split(r"\n\s*\n", source)):
        # where the story was filed ("Azerbaijan, Baku/ Trend /") is not what anyone spoke about
        for _, sentence in split_sentences(without_dateline(normalise_verbatim(paragraph))):
            out.append((number, sentence))
    return out


def _span(sentences: list[tuple[int, str]], text: str) -> tuple[int, int] | None:
    """The first and last sentence a statement's text runs over, if it is found."""
    if not text:
        return None
    joined = ""
    starts = []
    for _, sentence in sentences:
        starts.append(len(joined))
        joined += sentence + " "
    at = joined.find(text)
    if at < 0:
        return None
    end = at + len(text)
    first = max(i for i, s in enumerate(starts) if s <= at)
    last = max(i for i, s in enumerate(starts) if s < end)
    return first, last
