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
from dataclasses import dataclass
from typing import Any

from bot import lexicon
from bot.drafting import Draft, split_sentences
from bot.text import words

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DATE = rf"(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?)"
# "ASTANA, Kazakhstan, March 7.", "BAKU - ", "NEW YORK (Reuters) -", "YEREVAN, April 13. /TASS/."
_DATELINE = re.compile(
    rf"^(?P<city>[A-Z][A-Z’'.-]+(?:\s+[A-Z][A-Z’'.-]+){{0,2}})"
    rf"(?:,\s+(?P<region>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){{0,2}}))?"
    rf"(?:,\s+(?P<date>{_DATE}))?"
    rf"(?:\s*\((?P<agency>[^()]{{2,40}})\))?"
    rf"\s*(?:[.:]|\s[-–—])\s*(?:/\s*(?P<agency2>[^/]{{2,40}}?)\s*/\.?\s*)?")
# "Azerbaijan, Baku/ Trend / Marat Tajin ...": country, city, then the agency between slashes
_SLASH_DATELINE = re.compile(r"^(?P<region>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?),\s+(?P<city>[A-Z]"
                             r"[a-z]+(?:\s+[A-Z][a-z]+)?)\s*/\s*(?P<agency>[A-Z][\w.-]*(?:\s+"
                             r"[A-Z][\w.-]*){0,2})\s*/\s*")
# "..., Trend reports.", "El.kz reports with reference to ...": a news agency's own byline
_REPORTS = re.compile(r"(?:^|[,.;]\s+|\s[-–—]\s+)(?P<outlet>[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)"
                      r"{0,3})\s+reports?\b(?=\s+(?:with reference|referring|citing|quoting)\b"
                      r"|[,.;]|$)")
_ANSWER_TYPES = lexicon.keyed("answer_types")
_WHEN = re.compile(rf"\b(?:{_DATE}|(?:{_DAYS})|(?:in|since|until|by)\s+(?:early\s+|late\s+)?"
                   r"(?:19|20)\d\d|today|yesterday|tomorrow)\b")
_WHERE = re.compile(r"\b(?:in|at)\s+(?:the\s+)?[A-Z][\w’'-]+")
_NUMBER = re.compile(r"\d")
MIN_ACCOUNT_WORDS = 6  # a shorter sentence ("He left.") says too little to answer anything
MIN_STATEMENT_WORDS = 4  # a drafted statement this long inside a sentence answers for it


@dataclass(frozen=True)
class Dateline:
    """What a dateline says, and its verbatim text."""

    text: str
    city: str
    region: str = ""
    date: str = ""
    agency: str = ""
    place_text: str = ""  # the text before the agency: "Azerbaijan, Baku", "YEREVAN, April 13"


def find_dateline(paragraph: str) -> Dateline | None:
    """The dateline opening a paragraph, if any ("ASTANA, Kazakhstan, March 7.")."""
    slash = _SLASH_DATELINE.match(paragraph)
    if slash:
        return Dateline(slash.group(0).strip(), slash.group("city"), slash.group("region"),
                        agency=slash.group("agency").strip(),
                        place_text=paragraph[:slash.end("city")])
    found = _DATELINE.match(paragraph)
    if not found or not found.group(0).strip() or len(found.group("city")) < 3:
        return None
    if not (found.group("region") or found.group("date") or found.group("agency")
            or found.group("agency2") or re.match(r"\S+(?:\s+\S+){0,2}\s+[-–—]\s", found.group(0))):
        return None  # "NATO said ..." opens a sentence; a dateline says where or when
    city = found.group("city").title()
    place_end = max(found.end(g) for g in ("city", "region", "date") if found.group(g))
    return Dateline(found.group(0).strip().rstrip("-–— ").strip(), city,
                    found.group("region") or "", found.group("date") or "",
                    (found.group("agency") or found.group("agency2") or "").strip(),
                    paragraph[:place_end])


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
    for paragraph in paragraphs[:1]:
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
            if (len(text.split()) < MIN_ACCOUNT_WORDS or _quoted(text) or text in taken
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


def _quoted(text: str) -> bool:
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
