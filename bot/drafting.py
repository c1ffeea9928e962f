"""Article text -> a draft knowledge base: people, roles, quotes, reported statements, facts.

Rules written for news copy, no model: names are runs of capitalised words that a speech verb,
a title ("Foreign Minister ...") or an appositive (", President of ...") marks as a person;
quotes are the text between quote marks, attributed by the words around them ("..., he said",
"X said: ..."); reported statements are sentences whose subject is a person followed by a speech
verb ("X stressed that ...", "According to him, ..."). "He", "she" and role nouns ("the
minister") resolve to the person last named, or whose role has that noun. Every text is an exact
substring of the article, so the draft passes the loader's verbatim check. What the builder is
unsure of is marked ``review:`` and ``article-bot check`` lists it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.text import STOPWORDS, words

SPEECH_VERBS = (
    "said", "says", "stressed", "noted", "added", "stated", "emphasized", "emphasised",
    "underlined", "pointed out", "told", "announced", "declared", "explained", "believes",
    "expressed", "welcomed", "outlined", "warned", "argued", "claimed", "insisted",
    "recalled", "remarked", "commented", "assured", "reiterated", "highlighted", "urged",
    "confirmed", "reported", "informed", "criticized", "criticised", "thinks", "considers",
    "considered", "appreciated", "praised", "hailed", "assessed", "described", "suggested",
    "proposed", "voiced", "called",
)
_VERB = "(?:also\\s+)?(?:" + "|".join(re.escape(v) for v in SPEECH_VERBS) + ")"
_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)*|(?:al|bin|ibn|de|van|von)\b)"
_NAME = rf"[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)*(?:\s+{_NAME_WORD}){{1,5}}"
_NAME_RE = re.compile(_NAME)
# Words that make a capitalised run an institution or a title, not a person's name.
_NOT_NAME = frozenset(["Council", "Institute", "Ministry", "Committee", "Center", "Centre", "Organization", "Organisation", "Union", "Party", "Government", "Republic", "Federation", "Bank", "Fund", "Agency", "University", "Parliament", "Assembly", "News", "Press", "Service", "Duma", "State", "States", "Nations", "Office", "Department", "Commission", "Association", "Company", "Corporation", "Group", "Forum", "Summit", "Conference", "Minister", "President", "Ambassador", "Secretary", "Chairman", "Director", "Prime", "Deputy", "Vice", "Foreign", "Security", "Strategic", "Studies", "Affairs", "Intelligence", "Defence", "Defense", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Caucasus", "Asia", "Europe", "East", "West", "North", "South", "Kremlin", "Spokesman", "Spokeswoman", "Spokesperson", "Chief", "Head", "Leader", "Envoy", "Expert", "Analyst", "Professor", "General", "Minister's", "Mr", "Mrs", "Ms", "Dr", "Administration", "Presidential", "Institute", "Embassy", "Cabinet"])
_ROLE_WORDS = frozenset(["minister", "president", "ambassador", "spokesman", "spokeswoman", "spokesperson", "secretary", "chairman", "director", "head", "deputy", "vice", "premier", "chief", "leader", "expert", "analyst", "envoy", "representative", "mp", "member", "governor", "mayor", "commander", "professor", "official", "adviser", "advisor", "assistant", "founder", "editor", "correspondent"])
_ROLE_ALTERNATION = "|".join(sorted(_ROLE_WORDS, key=len, reverse=True))
_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "they"})
_SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bDr)(?<!\bSt)(?<=[.!?])[\"”’]?\s+(?=[A-Z“\"])")
_QUOTE = re.compile(r"[“\"]([^“”\"]{12,}?)[”\"]")


@dataclass
class DraftPerson:
    """A person found in the article."""

    id: str
    name: str
    roles: list[str] = field(default_factory=list)
    role_aliases: list[str] = field(default_factory=list)
    first_seen: int = 0


@dataclass
class DraftStatement:
    """A quote or reported statement, its speaker and how sure the builder is."""

    speaker: str
    kind: str  # quote | reported
    text: str
    attribution: str
    review: str = ""


@dataclass
class Draft:
    """What the builder found; :func:`to_yaml_data` turns it into a knowledge base."""

    title: str
    people: dict[str, DraftPerson]
    statements: list[DraftStatement]
    paragraphs: list[str]


# ------------------------------------------------------------------------------- people


def _slug(text: str) -> str:
    return "-".join(w for w in re.findall(r"[a-z0-9]+", text.casefold()))[:48].strip("-")


def _is_name(candidate: str) -> bool:
    parts = candidate.split()
    return len(parts) >= 2 and not any(p in _NOT_NAME for p in parts)


def _trimmed(match: re.Match[str], text: str) -> tuple[str, int]:
    """A capitalised run without the title or place words before the name in it.

    "Affairs Alexander Romanovich" -> "Alexander Romanovich"; "Russia Mehdi Sanaei" -> "Mehdi
    Sanaei" when "Russia" stands alone elsewhere in the article.
    """
    parts = match.group(0).split()
    start = match.start()
    titles = [i for i, part in enumerate(parts) if part in _NOT_NAME]
    if titles and titles[-1] < len(parts) - 1:  # "Finance Minister Lasha Khutsishvili"
        start += sum(len(p) + 1 for p in parts[:titles[-1] + 1])
        parts = parts[titles[-1] + 1:]
    while len(parts) > 2 and (parts[0] in _NOT_NAME or _stands_alone(parts[0], parts[1], text)):
        start += len(parts[0]) + 1
        parts = parts[1:]
    return " ".join(parts), start


def _stands_alone(word: str, following: str, text: str) -> bool:
    """Whether a word also appears with no capitalised word after it ("Russia and Iran"):
    a place or an institution, not a first name ("Ali" in "Ali Khamenei" never does)."""
    return re.search(rf"\b{re.escape(word)}\b(?!\s+[A-Z])(?!’s|'s)", text) is not None


def _role_before(text: str, start: int) -> str:
    """The title right before a name: "Deputy Secretary of the Russian Security Council"."""
    before = text[:start].rstrip().removesuffix(",").rstrip()  # "The vice-president ..., Name"
    token = rf"(?:[A-Z][\w’'-]*|of|the|and|for|on|in|to|[a-z]+-(?:{_ROLE_ALTERNATION})|" \
            rf"{_ROLE_ALTERNATION})"
    match = re.search(rf"({token}(?:\s+{token})*)$", before)
    if not match:
        return ""
    role = match.group(1).strip()
    role = re.sub(r"^(?:the|of|and|for|on|in|to)\s+", "", role)
    if re.search(r"\b(?:of|the|to|for|on|in|and)$", role):
        return ""  # "a correspondent of": a title cut short, not a role
    first_word = role.split()[0].casefold() if role else ""
    if any(w.casefold().removesuffix("'s").removesuffix("’s") in _ROLE_WORDS
           or w.casefold().split("-")[-1] in _ROLE_WORDS for w in role.split()) and (
            first_word not in {"the", "a"}) and not _holds_a_name(role):
        return role
    return ""


def _holds_a_name(role: str) -> bool:
    """Whether a role text runs on into someone else's name (a list of people)."""
    return any(_is_name(_trimmed(m, role)[0]) for m in _NAME_RE.finditer(role))


def _role_after(text: str, end: int) -> str:
    """An appositive right after a name: ", President of the Iranian Center (CSS),"."""
    match = re.match(r",\s+((?:the\s+)?[^,;:“\"]{3,90}?)(?:,|\s+(?:said|says|stressed|noted))",
                     text[end:])
    if not match:
        return ""
    following = text[end + match.end():].lstrip()
    next_name = _NAME_RE.match(following)
    if next_name and _is_name(_trimmed(next_name, following)[0]):
        return ""  # "A, Deputy Chairman of ..., B": that title is B's, in a list of people
    role = match.group(1).strip()
    if any(w.casefold() in _ROLE_WORDS for w in re.findall(r"[A-Za-z]+", role)) and not (
            _holds_a_name(role)):
        return role
    return ""


def find_people(paragraphs: list[str]) -> dict[str, DraftPerson]:
    """People named in the article: capitalised runs marked as persons by their context."""
    people: dict[str, DraftPerson] = {}
    order = 0
    text = "\n".join(paragraphs)
    for paragraph in paragraphs:
        for match in _NAME_RE.finditer(paragraph):
            name, start = _trimmed(match, text)
            if not _is_name(name):
                continue
            end = match.end()
            after = paragraph[end:end + 40]
            role = _role_before(paragraph, start) or _role_after(paragraph, end)
            spoke = re.match(rf"\s*,?\s*(?:[^,]{{0,120}},\s*)?{_VERB}\b", after) is not None
            said_by = re.search(rf"\b{_VERB}\s*$", paragraph[:start]) is not None
            according = re.search(r"\b[Aa]ccording to\s*$", paragraph[:start])
            if not (role or spoke or said_by or according or name in _known_names(people)):
                continue
            key = _slug(name.split()[-1])
            person = people.get(key)
            if person is None:
                person = people[key] = DraftPerson(key, name, first_seen=order)
                order += 1
            elif len(name) > len(person.name):
                person.name = name
            if role and role not in person.roles:
                person.roles.append(role)
    for person in people.values():
        for role in person.roles:
            head = [w for w in re.findall(r"[A-Za-z]+", role) if w.casefold() in _ROLE_WORDS]
            if head:
                alias = "the " + head[-1].casefold()
                if alias not in person.role_aliases:
                    person.role_aliases.append(alias)
    return people


def _known_names(people: dict[str, DraftPerson]) -> set[str]:
    return {p.name for p in people.values()}


# ---------------------------------------------------------------------------- speakers


@dataclass
class _Cursor:
    """Who was named last, for "he", "she" and "the minister"."""

    last: str | None = None
    last_paragraph: int = -1


def _resolve(phrase: str, people: dict[str, DraftPerson], cursor: _Cursor,
             paragraph: int) -> tuple[str | None, str]:
    """The person a phrase names ("Lukyanov", "he", "the diplomat") and a review note."""
    phrase = phrase.strip()
    folded = phrase.casefold()
    head = re.match(r"^(?:the|a|an)\s+(?:[a-z]+\s+){0,2}?([a-z-]+)", folded)
    if head and head.group(1).split("-")[-1] in _ROLE_WORDS:
        # "the assistant to spiritual leader Ayatollah Ali Khamenei": the assistant spoke,
        # not the man the title names
        return _by_role(head.group(1), phrase, people, cursor)
    for person in people.values():
        surname = person.name.split()[-1]
        if surname in phrase or person.name in phrase:
            return person.id, ""
    if folded in _PRONOUNS:
        if cursor.last is None:
            return None, "a pronoun with no one named before it"
        note = ("speaker resolved by a pronoun across a paragraph break"
                if cursor.last_paragraph != paragraph else "")
        return cursor.last, note
    nouns = [w for w in re.findall(r"[a-z-]+", folded) if w.split("-")[-1] in _ROLE_WORDS]
    if nouns:
        return _by_role(nouns[0], phrase, people, cursor)
    return None, f"no speaker found for '{phrase}'"


def _by_role(noun: str, phrase: str, people: dict[str, DraftPerson], cursor: _Cursor
             ) -> tuple[str | None, str]:
    """The person whose roles share most words with the phrase ("the Iranian minister": the
    Iranian Foreign Minister, not the Turkish one), else the person named last."""
    asked = {w for w in re.findall(r"[a-z]+", phrase.casefold())} - {"the", "a", "an", "of"}
    # a capitalised word ("Turkish", "Iranian") that a role lacks speaks against that person
    proper = {w.casefold() for w in re.findall(r"\b[A-Z][a-z]+", phrase)} - {"the"}

    def fit(person: DraftPerson) -> int:
        role_words = {w for r in person.roles for w in re.findall(r"[a-z]+", r.casefold())}
        return len(asked & role_words) - 2 * len((proper & asked) - role_words)

    overlap = {p.id: fit(p) for p in people.values()}
    best = max(overlap.values(), default=0)
    leaders = [pid for pid, score in overlap.items() if score == best and score > 0]
    if len(leaders) == 1 and best >= 2:
        return leaders[0], ""
    fitting = [p.id for p in people.values() if any(noun in r.casefold() for r in p.roles)]
    if len(fitting) == 1:
        return fitting[0], ""
    if len(leaders) == 1:
        return leaders[0], f"'{phrase}' matched by the words of a role"
    if cursor.last in fitting or (not fitting and cursor.last is not None):
        return cursor.last, f"'{phrase}' taken to be the person named last"
    return None, f"no speaker found for '{phrase}'"


def _mentions(paragraph: str, people: dict[str, DraftPerson]) -> list[tuple[int, str]]:
    found = []
    for person in people.values():
        for match in re.finditer(re.escape(person.name.split()[-1]), paragraph):
            found.append((match.start(), person.id))
    return sorted(found)


# ------------------------------------------------------------------------------ statements


_AFTER_QUOTE = re.compile(rf"^[,.]?\s*(?P<who>(?:the\s+)?[\w’'. -]{{1,80}}?)\s+{_VERB}\b"
                          rf"|^[,.]?\s*{_VERB}\s+(?P<who2>(?:the\s+)?[\w’'. -]{{1,80}}?)[,.]")
_BEFORE_QUOTE = re.compile(rf"(?P<who>(?:[Tt]he\s+)?[\w’'. -]{{1,80}}?)\s+{_VERB}[^“\"]{{0,40}}"
                           rf"[:,]?\s*$")
_REPORTED = re.compile(rf"^(?P<lead>(?:(?:In particular|For his part|For her part|At the same "
                       rf"time|Meanwhile|However|Also),\s+)?)(?P<who>(?:[Tt]he\s+)?[A-Z][\w’'. -]"
                       rf"{{0,80}}?|[Hh]e|[Ss]he)(?:,\s(?P<apposition>[^,]{{3,120}}),)?\s+{_VERB}\s+"
                       rf"(?:that\s+|about\s+)?(?P<text>.{{12,}}?)[.]?$")
_ACCORDING = re.compile(r"^(?:[Aa]ccording to (?P<who>him|her|them|[A-Z][\w’'. -]{1,80}?)|"
                        r"[Ii]n (?P<who2>his|her|their) words),\s+(?P<text>.{12,}?)[.]?$")
# "..., Christine Lagarde said that ...": a speaker and a speech verb inside the sentence
_INNER = re.compile(rf"(?:^|,\s+|\band\s+)(?P<who>(?:[Tt]he\s+[a-z]+(?:\s+[a-z]+)?|[Hh]e|[Ss]he|"
                    rf"[A-Z][a-z]+(?:\s+[A-Z][\w’'-]+){{0,3}}))\s+(?:[a-z]+ly\s+)?{_VERB}\s+"
                    rf"(?:that\s+)?(?P<text>[^,].{{11,}}?)[.]?$")
_ADDING = re.compile(r",\s+adding that\s+(?P<text>.{12,}?)[.]?$")


def find_statements(paragraphs: list[str], people: dict[str, DraftPerson]
                    ) -> list[DraftStatement]:
    """Quotes and reported statements, in article order, each with its speaker."""
    cursor = _Cursor()
    out: list[DraftStatement] = []
    for number, paragraph in enumerate(paragraphs):
        quoted_spans: list[tuple[int, int]] = []
        events: list[tuple[int, str, Any]] = [(pos, "mention", pid)
                                              for pos, pid in _mentions(paragraph, people)]
        for match in _QUOTE.finditer(paragraph):
            events.append((match.start(), "quote", match))
            quoted_spans.append((match.start(), match.end()))
        for start, sentence in _sentences(paragraph):
            if any(a <= start < b or start <= a < start + len(sentence)
                   for a, b in quoted_spans):
                continue
            events.append((start, "sentence", sentence))
        claimed: list[tuple[int, int]] = []  # sentences whose speaker is already known
        for position, kind, payload in sorted(events, key=lambda e: e[0]):
            if kind == "mention":
                # a name inside a quote, or inside a sentence already attributed ("The
                # assistant to ... Khamenei expressed ..."), is not who speaks next
                if not any(a <= position < b for a, b in (*quoted_spans, *claimed)):
                    cursor.last, cursor.last_paragraph = payload, number
            elif kind == "quote":
                statement = _quote_statement(paragraph, payload, people, cursor, number)
                if statement:
                    out.append(statement)
                    cursor.last, cursor.last_paragraph = statement.speaker, number
            else:
                found = _reported_statements(payload, people, cursor, number)
                if found:
                    out.extend(found)
                    cursor.last, cursor.last_paragraph = found[0].speaker, number
                    claimed.append((position, position + len(payload)))
    return out


def _sentences(paragraph: str) -> list[tuple[int, str]]:
    out = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        out.append((start, paragraph[start:match.start() + 1].strip()))
        start = match.end()
    out.append((start, paragraph[start:].strip()))
    return [(s, t) for s, t in out if t]


def _quote_statement(paragraph: str, match: re.Match[str], people: dict[str, DraftPerson],
                     cursor: _Cursor, number: int) -> DraftStatement | None:
    text = match.group(1).strip().rstrip(",")
    after = _AFTER_QUOTE.match(paragraph[match.end():match.end() + 120])
    before = _BEFORE_QUOTE.search(paragraph[max(0, match.start() - 140):match.start()])
    phrase = ""
    if after:
        phrase = after.group("who") or after.group("who2") or ""
    elif before:
        phrase = before.group("who")
    speaker, review = (_resolve(phrase, people, cursor, number) if phrase
                       else (cursor.last, "a quote with no attribution next to it"))
    if speaker is None:
        return None
    attribution = (phrase + " said").strip() if phrase else ""
    return DraftStatement(speaker, "quote", text, attribution, review)


def _reported_statements(sentence: str, people: dict[str, DraftPerson], cursor: _Cursor,
                         number: int) -> list[DraftStatement]:
    """The reported statements of a sentence: "X said that ...", "In his words, ...", and a
    second one in ", adding that ..."."""
    match = _ACCORDING.match(sentence) or _REPORTED.match(sentence) or _INNER.search(sentence)
    if not match:
        return []
    groups = match.groupdict()
    who = groups.get("who") or groups.get("who2") or ""
    apposition = groups.get("apposition") or ""
    speaker, review = _resolve(apposition, people, cursor, number) if apposition else (None, "")
    if speaker is None or review:
        speaker, review = _resolve(who, people, cursor, number)
    if speaker is None:
        return []
    text = match.group("text").strip().rstrip(".")
    out = []
    adding = _ADDING.search(text)
    if adding:
        text = text[:adding.start()].rstrip(" ,")
        out.append(DraftStatement(speaker, "reported", adding.group("text").strip().rstrip("."),
                                  f"{who.strip()} added", review))
    return [DraftStatement(speaker, "reported", text, who.strip(), review), *out]


# ------------------------------------------------------------------------------- output


def draft(text: str) -> Draft:
    """Read an article (title on the first line, then paragraphs) into a draft."""
    lines = text.replace("\r\n", "\n").split("\n")
    title = lines[0].strip()
    body = "\n".join(lines[1:])
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]
    people = find_people(paragraphs)
    statements = find_statements(paragraphs, people)
    return Draft(title, people, statements, paragraphs)


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
            "roles": person.roles or ["named in the article (no role given)"],
            "aliases": list(dict.fromkeys([person.name, surname])),
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
        statements.append(entry)
    lede = _first_sentence(result.paragraphs[0]) if result.paragraphs else result.title
    facts: list[dict[str, Any]] = [{
        "id": f"what-{tag}", "answer": lede, "quote": lede,
        "keywords": ["what", "happened", "about"], "topics": [],
    }]
    for paragraph in result.paragraphs:
        if outlet and outlet in paragraph:
            sentence = next((s for _, s in _sentences(paragraph) if outlet in s), paragraph)
            facts.append({"id": f"outlet-{tag}", "answer": f"{outlet} reported it.",
                          "quote": sentence.rstrip("."), "keywords": ["who", "reported"],
                          "topics": []})
            break
    event_facts, place, kind = _event_facts(result, tag)
    facts += event_facts
    return {
        "article": {
            "id": article_id, "title": result.title, "outlet": outlet or "unknown outlet",
            "source": source, "summary": lede,
            "event": {"title": result.title, "kind": kind or "report",
                      "place": place or "not stated in the article (draft)", "city": "",
                      "date": date,
                      "organizers": [], "attendees": []},
            **({"url": url} if url else {}),
            **({"date": date} if date else {}),
        },
        "topics": topics,
        "people": people,
        "statements": statements,
        "facts": facts,
    }


def _retagged(result: Draft, tag: str) -> Draft:
    people = {f"{k}-{tag}": DraftPerson(f"{k}-{tag}", p.name, p.roles, p.role_aliases,
                                        p.first_seen) for k, p in result.people.items()}
    statements = [DraftStatement(f"{s.speaker}-{tag}", s.kind, s.text, s.attribution, s.review)
                  for s in result.statements]
    return Draft(result.title, people, statements, result.paragraphs)


_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December")
_WHERE = re.compile(r"\b(?:held|took place|met|meet|gathered|convened|hosted|visited|visit|"
                    r"arrived)\b[^.“\"]*?\b(?:at|in)\s+(?P<place>(?:the\s+)?[A-Z][\w’'-]*"
                    r"(?:\s+(?:of|the|for|under|[A-Z][\w’'-]*))*)")
_WHEN = re.compile(rf"\b(?:on|last|this|next)\s+(?:{_DAYS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b|"
                   rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b|\b(?:today|yesterday)\b|\bin\s+(?:early|late)?\s*"
                   rf"\d{{4}}\b")
_MEETING = re.compile(r"\b(?P<kind>talks|meeting|press conference|news conference|phone call|"
                      r"telephone conversation|round table|summit|visit|interview)\b")
_MET = re.compile(r"\b(?:met with|met|held talks|held a [\w ]*?(?:conference|meeting|call|"
                  r"conversation)|had a [\w ]*?(?:call|conversation|meeting))\b")


def _event_facts(result: Draft, tag: str) -> tuple[list[dict[str, Any]], str, str]:
    """Where and when it happened and who met, from the first sentence saying each; and the
    event's place and kind for the article block."""
    facts: list[dict[str, Any]] = []
    place = kind = ""
    found: set[str] = set()
    for paragraph in result.paragraphs:
        for _, sentence in _sentences(paragraph):
            if "\u201c" in sentence or '"' in sentence:
                continue  # a quote's words are a statement, not the article's own account
            quote = sentence.rstrip(".")
            where = _WHERE.search(sentence)
            if where and "where" not in found:
                found.add("where")
                place = where.group("place").strip()
                facts.append({"id": f"where-{tag}", "answer": f"In {place}.", "quote": quote,
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
    return facts, place, kind


def _first_sentence(paragraph: str) -> str:
    sentences = _sentences(paragraph)
    return sentences[0][1].rstrip(".") if sentences else paragraph


def _topics(result: Draft) -> list[dict[str, Any]]:
    """The article's recurring content words (twice or more, no names), as topics."""
    names = {w.casefold() for p in result.people.values() for w in p.name.split()}
    counts: dict[str, int] = {}
    for paragraph in result.paragraphs:
        for word in words(paragraph):
            if len(word) > 3 and word.isalpha() and word not in STOPWORDS and word not in names:
                counts[word] = counts.get(word, 0) + 1
    chosen = sorted((w for w, c in counts.items() if c >= 2), key=lambda w: (-counts[w], w))
    return [{"id": _slug(w), "name": w, "synonyms": [w]} for w in chosen[:15]]


def _mentions_topic(text: str, topic: dict[str, Any]) -> bool:
    return topic["name"] in words(text)
