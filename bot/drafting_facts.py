"""The article's own account as facts, for :mod:`bot.drafting_yaml`.

News copy says where and when before anything else: a dateline ("ASTANA, Kazakhstan, March 7.",
"BAKU - ", "YEREVAN, April 13. /TASS/.", "Azerbaijan, Baku / Trend /") gives the city, the date
and the agency; "..., Trend reports" names the outlet. Every sentence of the article's own
narrative (no one's words: not a quote, not a drafted statement) is a fact too, tagged with the
question words it can answer (when: a date or a time word; where: "in"/"at" a place; how many:
a number; who: a person named), so "how many sessions were held" or "which stations were
attacked" find the sentence that says it. Every quote is verbatim article text.
"""

from __future__ import annotations

import re
from typing import Any

from bot import lexicon
from bot.datelines import DATE, DAYS, find_dateline
from bot.drafting import Draft, split_sentences
from bot.text import words

_REPORTS = re.compile(r"(?:^|[,.;]\s+|\s[-–—]\s+)(?P<outlet>[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)"
                      r"{0,3})\s+reports?\b(?=\s+(?:with reference|referring|citing|quoting)\b"
                      r"|[,.;]|$)")
_ANSWER_TYPES = lexicon.keyed("answer_types")
_WHEN = re.compile(rf"\b(?:{DATE}|(?:{DAYS})|(?:in|since|until|by)\s+(?:early\s+|late\s+)?"
                   r"(?:19|20)\d\d|today|yesterday|tomorrow)\b")
_WHERE = re.compile(r"\b(?:in|at)\s+(?:the\s+)?[A-Z][\w’'-]+")
_NUMBER = re.compile(r"\d")
MIN_ACCOUNT_WORDS = 6  # a shorter sentence ("He left.") says too little to answer anything
MIN_STATEMENT_WORDS = 4  # a drafted statement this long inside a sentence answers for it


def find_outlet(paragraphs: list[str]) -> tuple[str, str, str]:
    """The agency the article names as its own reporter, the words saying so ("Trend reports
    referring to InterFax-Kazakhstan", else the dateline) and the source it cites, if any."""
    for paragraph in paragraphs:
        for _, sentence in split_sentences(paragraph):
            found = _REPORTS.search(sentence)
            if found:
                byline = sentence[found.start("outlet"):].rstrip(" .")
                source = re.search(r"\b(?:with reference to|referring to|citing|quoting)\s+"
                                   r"(?P<source>.+)$", byline)
                return (found.group("outlet"), byline,
                        source.group("source").strip() if source else "")
    for paragraph in paragraphs[:3]:  # a standfirst may come before the dateline
        line = find_dateline(paragraph)
        if line and line.agency:
            return line.agency, line.text.rstrip(" ./"), ""
    return "", "", ""


def answers(sentence: str) -> list[str]:
    """The question words a sentence of the article can answer."""
    out = ["what"]
    if _WHEN.search(sentence) or set(words(sentence)) & _ANSWER_TYPES.get("when", frozenset()):
        out += ["when", "date"]
    if _WHERE.search(sentence):
        out += ["where", "place"]
    if _NUMBER.search(sentence) or set(words(sentence)) & _ANSWER_TYPES.get(
            "quantity", frozenset()):
        out += ["how many", "how much"]
    return out


def account_facts(result: Draft, tag: str, drafted: list[str], topics: list[dict[str, Any]],
                  taken: set[str]) -> list[dict[str, Any]]:
    """Each sentence of the article's own narrative as a fact (see the module docstring),
    but for those another fact quotes already (``taken``)."""
    facts: list[dict[str, Any]] = []
    surnames = {p.name.split()[-1] for p in result.people.values()}
    for number, paragraph in enumerate(result.paragraphs):
        line = find_dateline(paragraph)
        quoted = quoted_spans(paragraph)
        for start, sentence in split_sentences(paragraph):
            if any(a < start + len(sentence) and start < b for a, b in quoted):
                continue  # a sentence of someone's quote: their words, not the article's
            if line and start == 0 and sentence.startswith(line.text):
                sentence = sentence[len(line.text):].lstrip(" .-–—/")
            text = without_byline(sentence.rstrip("."))
            if (len(text.split()) < MIN_ACCOUNT_WORDS or holds_quote(text) or text in taken
                    or _holds_statement(text, drafted)):
                continue
            keywords = answers(text)
            if any(re.search(rf"\b{re.escape(s)}\b", text) for s in surnames):
                keywords.append("who")
            facts.append({"id": f"account-{tag}-{number + 1}-{len(facts) + 1}",
                          "answer": text + ".", "quote": text, "keywords": keywords,
                          "topics": [t["id"] for t in topics if t["name"] in words(text)]})
    return facts


# a quote opens after a space and closes before one: in 'The "Herald" has reported that ...
# the "witch-hunt"', the marks around ' has reported ... the ' close and open, not quote
_QUOTED = re.compile(r"(?:^|(?<=[\s(\[—–-]))[“\"](?=\S)[^“”\"]+?(?<=\S)[”\"](?=$|[\s,.;:!?)\]—–-])")


def quoted_spans(paragraph: str) -> list[tuple[int, int]]:
    """Where a paragraph quotes someone (four words or more between quote marks; a mark
    opened and never closed runs to the paragraph's end)."""
    spans = [(m.start(), m.end()) for m in _QUOTED.finditer(paragraph)
             if len(m.group(0).split()) >= 4]
    tail = paragraph[spans[-1][1]:] if spans else paragraph
    opened = re.search(r"(?:^|(?<=[\s(\[—–-]))[“\"](?=\S)[^“”\"]*$", tail)
    if opened and len(opened.group(0).split()) >= 4:
        offset = spans[-1][1] if spans else 0
        spans.append((offset + opened.start(), len(paragraph)))
    return spans


def holds_quote(text: str) -> bool:
    """Whether a sentence holds someone's quoted words (four words or more in quote marks)."""
    return any(len(q.split()) >= 4 for q in re.findall(r"[“\"]([^“”\"]+)[”\"]?", text))


def _holds_statement(text: str, drafted: list[str]) -> bool:
    """Whether a sentence is, or holds, a drafted statement: that statement answers for it."""
    return any(text in d or (len(d.split()) >= MIN_STATEMENT_WORDS and d in text)
               for d in drafted)


def without_byline(sentence: str) -> str:
    """A sentence without the agency's byline at its end ("..., Trend reports")."""
    found = _REPORTS.search(sentence)
    rest = sentence[found.end():].strip(" .") if found else ""
    if found and found.start() > 0 and (not rest or re.match(
            r"(?:with reference to|referring to|citing|quoting)\s[^,;]+$", rest)):
        return sentence[:found.start()].rstrip(" ,;.-–—")
    return sentence
