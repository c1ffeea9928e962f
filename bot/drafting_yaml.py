"""A draft (:mod:`bot.drafting`) as a knowledge-base mapping (knowledge/SCHEMA.md): people,
statements with their review marks, topics in the article's words, and facts from its own
account (where, when, who met whom, the outlet, the lede)."""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Any

from bot.datelines import DAYS, FULL_MONTHS, Dateline, find_dateline
from bot.drafting import Draft, DraftStatement, split_sentences
from bot.drafting_facts import (
    account_facts,
    find_outlet,
    holds_quote,
    quoted_spans,
    without_byline,
)
from bot.drafting_people import slug
from bot.text import STOPWORDS, words


def to_yaml_data(result: Draft, article_id: str, source: str, *, outlet: str = "",
                 url: str = "", date: str = "") -> dict[str, Any]:
    """The knowledge-base mapping for a draft (SCHEMA.md), ready for ``yaml.safe_dump``.

    Ids carry the article's initials ("peskov-pspt"), so drafts of many articles load together.
    """
    tag = "".join(w[0] for w in article_id.split("-") if w)[:8] or "a"
    result = _retagged(result, tag)
    topics = [{**t, "id": f"{t['id']}-{tag}"} for t in _topics(result)]
    people = []
    for person in sorted(result.people.values(), key=lambda p: p.first_seen):
        surname = person.name.split()[-1]
        people.append({
            "id": person.id, "name": person.name,
            **({"nationality": person.nationality} if person.nationality else {}),
            "roles": person.roles or ["named in the article (no role given)"],
            # a group is named by all its words: "officials" alone is anyone's
            "aliases": list(dict.fromkeys([person.name] if person.group
                                          else [person.name, surname])),
            "role_aliases": person.role_aliases,
        })
    statements = []
    seen: set[str] = set()
    for number, s in enumerate(result.statements, start=1):
        if s.text in seen:
            continue
        seen.add(s.text)
        entry: dict[str, Any] = {
            "id": f"{s.speaker}-{number}", "speaker": s.speaker, "kind": s.kind, "text": s.text,
            "attribution": s.attribution or "the article",
            "topics": [t["id"] for t in topics if _mentions_topic(s.text, t)],
        }
        if s.review:
            entry["review"] = s.review
        if s.cites:
            entry["cites"] = s.cites
        statements.append(entry)
    line = find_dateline(result.paragraphs[0]) if result.paragraphs else None
    lede = _lede(result, line)
    facts: list[dict[str, Any]] = [{
        "id": f"what-{tag}", "answer": lede + ".", "quote": lede,
        "keywords": ["what", "happened", "about"], "topics": [],
    }]
    found_outlet, byline, cited = find_outlet(result.paragraphs)
    outlet = outlet or found_outlet
    for paragraph in result.paragraphs:
        if outlet and outlet in paragraph:
            sentence = byline if byline and outlet in byline else next(
                (s for _, s in split_sentences(paragraph) if outlet in s), paragraph)
            answer = f"{outlet} reported it" + (f", citing {cited}." if cited else ".")
            if cited and re.fullmatch(r"[A-Z][\w.-]*(?: [A-Z][\w.-]*){0,2}", cited) and not any(
                    cited in p["aliases"] for p in people):
                # the source the report cites is named in the article: "what did it say"
                # is then about someone the article does not quote
                people.append({"id": f"{slug(cited)[:30]}-{tag}", "name": cited,
                               "roles": [f"the source {outlet} cites"], "aliases": [cited],
                               "role_aliases": []})
            facts.append({"id": f"outlet-{tag}", "answer": answer,
                          "quote": sentence.rstrip("."),
                          "keywords": ["who", "reported", "agency", "outlet", "source",
                                       "published", *([cited] if cited else [])],
                          "topics": []})
            break
    event_facts, place, kind = _event_facts(result, tag, line)
    facts += event_facts
    facts += account_facts(result, tag, [s.text for s in result.statements], topics,
                           {f["quote"] for f in facts})
    facts = _unique_ids(facts, {e["id"] for e in (*topics, *people, *statements)})
    return {
        "article": {
            "id": article_id, "title": result.title, "outlet": outlet or "unknown outlet",
            "source": source, "summary": lede + ".",
            "event": {"title": result.title, "kind": kind or "report",
                      "place": place or "not stated in the article (draft)",
                      "city": line.city if line else "",
                      "date": date or (line.date if line else ""),
                      "organizers": [], "attendees": []},
            **({"url": url} if url else {}),
            **({"date": date} if date else {}),
        },
        "topics": topics,
        "people": people,
        "statements": statements,
        "facts": facts,
    }


def _unique_ids(facts: list[dict[str, Any]], taken: set[str]) -> list[dict[str, Any]]:
    """Facts with ids no other entry has: ids are unique across a knowledge base, and a fact's
    ("when-…") may meet a topic drawn from the article's words ("when", used twice). Nothing
    refers to a fact by id, so the fact gives way."""
    out = []
    for fact in facts:
        fact_id, number = fact["id"], 2
        while fact_id in taken:
            fact_id, number = f"{fact['id']}-{number}", number + 1
        taken.add(fact_id)
        out.append({**fact, "id": fact_id})
    return out


def _retagged(result: Draft, tag: str) -> Draft:
    people = {f"{k}-{tag}": dataclasses.replace(p, id=f"{k}-{tag}")
              for k, p in result.people.items()}
    people_ids = set(result.people)
    statements = [DraftStatement(f"{s.speaker}-{tag}", s.kind, s.text, s.attribution, s.review,
                                 f"{s.cites}-{tag}" if s.cites in people_ids else s.cites)
                  for s in result.statements]
    return Draft(result.title, people, statements, result.paragraphs)


_DAYS, _MONTHS = DAYS, FULL_MONTHS
# "met in Arica", "at a press conference in Astana", "announced in the Parliament Wednesday"
_WHERE = re.compile(rf"\b(?:held|took place|met|meet|gathered|convened|hosted|visited|visit|"
                    rf"arrived|conference|briefing|announced|told|spoke|speaking)\b[^.“\"]*?"
                    rf"\b(?:at|in)\s+(?P<place>(?:the\s+)?(?!(?:{_DAYS}|{_MONTHS})\b)[A-Z][\w’'-]*"
                    rf"(?:\s+(?:of|the|for|under|(?!(?:{_DAYS}|{_MONTHS})\b)[A-Z][\w’'-]*))*)")
# "gathered outside party headquarters on Erekle II square in downtown Tbilisi": an event verb,
# then a place phrase that ends in a name, however the words before the name run
_WHERE_AROUND = re.compile(rf"\b(?:held|took place|met|gathered|convened|rallied|assembled)\s+"
                           rf"(?P<place>(?:outside|near|at|in|on|inside|in front of)\s+"
                           rf"(?!(?:{_DAYS}|{_MONTHS})\b)[^,.;:“\"]{{0,80}}\b(?!(?:{_DAYS}|"
                           rf"{_MONTHS})\b)[A-Z][\w’'-]*)")
_WHEN = re.compile(rf"\b(?:on|last|this|next)\s+(?:{_DAYS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b|"
                   rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b|\b(?:today|yesterday)\b|\bin\s+(?:early|late)?\s*"
                   rf"\d{{4}}\b")
_MEETING = re.compile(r"\b(?P<kind>talks|meeting|press conference|news conference|phone call|"
                      r"telephone conversation|round table|summit|visit|interview)\b")
_MET = re.compile(r"\b(?:met with|met|held talks|held a [\w ]*?(?:conference|meeting|call|"
                  r"conversation)|had a [\w ]*?(?:call|conversation|meeting))\b")


def _event_facts(result: Draft, tag: str, line: Dateline | None
                 ) -> tuple[list[dict[str, Any]], str, str]:
    """Where and when it happened and who met, from the first sentence saying each (the
    dateline's city when no sentence says where); and the event's place and kind for the
    article block."""
    facts: list[dict[str, Any]] = []
    place = kind = ""
    found: set[str] = set()
    for paragraph in result.paragraphs:
        for sentence in _own_words(paragraph):
            quote = sentence.rstrip(".")
            said = [(sentence.find(s.text), sentence.find(s.text) + len(s.text))
                    for s in result.statements if s.text and s.text in sentence]
            where = _WHERE.search(sentence) or _WHERE_AROUND.search(sentence)
            if where and any(a <= where.start("place") < b for a, b in said):
                where = None  # "he stated that meetings are due to be held in Georgia": his
                # words say where something else happens, not where the article's event was
            if where and "where" not in found:
                found.add("where")
                place = where.group("place").strip()
                answer = (place[:1].upper() + place[1:] if where.re is _WHERE_AROUND
                          else f"In {place}")
                facts.append({"id": f"where-{tag}", "answer": f"{answer}.", "quote": quote,
                              "keywords": ["where", "place", "venue", "held", "city"],
                              "topics": []})
            when = _WHEN.search(sentence)
            if when and "when" not in found:
                found.add("when")
                facts.append({"id": f"when-{tag}", "answer": when.group(0)[:1].upper() + when.group(0)[1:] + ".",
                              "quote": quote, "keywords": ["when", "date", "day"],
                              "topics": []})
            if _MET.search(sentence) and "who" not in found:
                found.add("who")
                facts.append({"id": f"who-met-{tag}", "answer": quote + ".", "quote": quote,
                              "keywords": ["who", "met", "meeting", "talks", "sides",
                                           "participants"], "topics": []})
            meeting = _MEETING.search(sentence)
            if meeting and not kind:
                kind = meeting.group("kind")
    if line and "where" not in found:
        where_line = f"{line.city}, {line.region}" if line.region else line.city
        facts.append({"id": f"where-{tag}", "answer": f"In {where_line} (the dateline).",
                      "quote": (line.place_text or line.text).rstrip(" ./"),
                      "keywords": ["where", "place", "city", "from"], "topics": []})
    return facts, place, kind


def _own_words(paragraph: str) -> list[str]:
    """The article's own words in a paragraph, sentence by sentence: a sentence with a quote
    gives the words around it ('"...", - has said Mr. Tajin during the press conference in
    Astana'), for a quote's words are a statement, not the article's account."""
    spans = quoted_spans(paragraph)
    out = []
    for start, sentence in split_sentences(paragraph):
        end = start + len(sentence)
        inside = sorted((max(a, start), min(b, end)) for a, b in spans if a < end and start < b)
        cuts = [start, *[x for span in inside for x in span], end]
        for a, b in itertools.pairwise(cuts[::1]):
            piece = paragraph[a:b].strip(" ,;:-–—")
            # a short phrase in quote marks ('what they called “great victory,”') is the
            # article's words; a longer one, or a mark left open, is someone's
            if (a, b) in inside or holds_quote(piece) or piece.count('"') % 2 or (
                    piece.count("\u201c") != piece.count("\u201d")):
                continue
            if len(piece.split()) >= 4:
                out.append(piece)
    return out


def _lede(result: Draft, line: Dateline | None) -> str:
    """The article's first sentence after its dateline (the title if it has none)."""
    for paragraph in result.paragraphs:
        for start, sentence in split_sentences(paragraph):
            if line and paragraph is result.paragraphs[0] and start == 0 and (
                    sentence.startswith(line.text)):
                sentence = sentence[len(line.text):].lstrip(" .-–—/")
            if len(sentence.split()) >= 4:
                return without_byline(sentence.rstrip("."))
    return result.title


def _topics(result: Draft) -> list[dict[str, Any]]:
    """The article's recurring content words (twice or more, no names), as topics."""
    names = {w.casefold() for p in result.people.values() for w in p.name.split()}
    counts: dict[str, int] = {}
    for paragraph in result.paragraphs:
        for word in words(paragraph):
            if len(word) > 3 and word.isalpha() and word not in STOPWORDS and word not in names:
                counts[word] = counts.get(word, 0) + 1
    chosen = sorted((w for w, c in counts.items() if c >= 2), key=lambda w: (-counts[w], w))
    text = "\n".join(result.paragraphs)
    return [{"id": slug(w), "name": _as_written(w, text), "synonyms": [w]} for w in chosen[:15]]


def _as_written(word: str, text: str) -> str:
    """A topic word as the article writes it inside its sentences: "Uzbekistan", "sanctions"
    (the capital of a sentence's first word says nothing)."""
    inside = re.findall(rf"(?<=[\w,;:’'\")] )({re.escape(word)})\b", text, re.IGNORECASE)
    return max(set(inside), key=inside.count) if inside else word


def _mentions_topic(text: str, topic: dict[str, Any]) -> bool:
    return topic["synonyms"][0] in words(text)
