"""Article text -> a draft knowledge base: people, roles, quotes, reported statements, facts.

Rules written for news copy, no model. People and institutions: :mod:`bot.drafting_people`;
the YAML: :mod:`bot.drafting_yaml`. Here: quotes are the text between quote marks, attributed by the words around them ("..., he said",
"X said: ..."); reported statements are sentences whose subject is a person followed by a speech
verb ("X stressed that ...", "According to him, ..."). "He", "she" and role nouns ("the
minister") resolve to the person last named, or whose role has that noun. Every text is an exact
substring of the article, so the draft passes the loader's verbatim check. What the builder is
unsure of is marked ``review:`` and ``article-bot check`` lists it.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from bot import lexicon
from bot.datelines import without_dateline
from bot.drafting_people import (
    EVALUATIVE,
    ORG_NOUNS,
    PRONOUNS,
    ROLE_ALTERNATION,
    ROLE_WORDS,
    SPELLING_CUTOFF,
    VERB,
    DraftPerson,
    find_people,
    slug,
)
from bot.patterns import GROUP_NOUNS
from bot.text import split_sentences

__all__ = ["Draft", "DraftPerson", "DraftStatement", "draft", "find_people", "find_statements",
           "split_sentences"]

# every quote mark pair, short ones too, so that straight quotes pair up right ("no doubts"
# then "extremely strong ..."); the short ones are then left inside their sentence
_QUOTE = re.compile(r"[“\"]([^“”\"]+?)[”\"]")
# a quote in one style of mark holding a title in the other: '"The name of the Joint Statement
# “Uzbekistan and ...” speaks for itself," he noted'; taken only when the paragraph has the
# one outer pair, so that two quotes of one style are never read as one around the other style
_NESTED = (re.compile(r'"([^"“”]*“[^“”"]*”[^"]*?)"'), re.compile(r'“([^“”]*"[^“”"]*"[^“”]*?)”'))
# "what it called “irregular crossings”", "dubbed “the deal of the century”": a name for
# something, inside the sentence that is the statement
_NAMING = re.compile(r"\b(?:called|calls|dubbed|termed|described as|so-called|known as)\s*$")
MIN_QUOTE_WORDS = 4  # a shorter quote ("totally nonsensical") is words inside a statement
_TITLE = r"(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)"


@dataclass
class DraftStatement:
    """A quote or reported statement, its speaker and how sure the builder is."""

    speaker: str
    kind: str  # quote | reported
    text: str
    attribution: str
    review: str = ""
    cites: str = ""  # a person id, or the words naming whom the speaker cites


@dataclass
class Draft:
    """What the builder found; :func:`to_yaml_data` turns it into a knowledge base."""

    title: str
    people: dict[str, DraftPerson]
    statements: list[DraftStatement]
    paragraphs: list[str]


# ---------------------------------------------------------------------------- speakers


@dataclass
class _Cursor:
    """Who was named last, for "he", "she" and "the minister"."""

    last: str | None = None
    last_paragraph: int = -1
    last_org: str | None = None  # the institution named last, for "it" and "the report"
    recent: tuple[DraftPerson, ...] = ()  # people named, the latest first, for "she"

    def saw(self, person: DraftPerson, paragraph: int) -> None:
        """Someone was named or spoke."""
        if person.institution:
            self.last_org = person.id
        else:
            self.last, self.last_paragraph = person.id, paragraph
            self.recent = (person, *(p for p in self.recent if p.id != person.id))[:8]


def _resolve(phrase: str, people: dict[str, DraftPerson], cursor: _Cursor,
             paragraph: int) -> tuple[str | None, str]:
    """The person a phrase names ("Lukyanov", "he", "the diplomat") and a review note."""
    phrase = re.sub(rf"^{_TITLE}", "", phrase.strip())
    folded = phrase.casefold()
    head = re.match(r"^(?:the|a|an)\s+(?:[a-z]+\s+){0,2}?([a-z-]+)", folded)
    if head and head.group(1).split("-")[-1] in ROLE_WORDS:
        # "the assistant to spiritual leader Ayatollah Ali Khamenei": the assistant spoke,
        # not the man the title names
        return _by_role(head.group(1), phrase, people, cursor)
    for person in people.values():
        surname = person.name.split()[-1]
        if re.search(rf"\b{re.escape(surname)}\b", phrase) or person.name in phrase:
            return person.id, ""
    spelled = _spelling_variant(phrase, people)
    if spelled:
        return spelled, ""
    if folded in PRONOUNS:
        if cursor.last is None:
            return None, "a pronoun with no one named before it"
        note = ("speaker resolved by a pronoun across a paragraph break"
                if cursor.last_paragraph != paragraph else "")
        wanted = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}.get(folded, "")
        if wanted and cursor.recent and cursor.recent[0].gender not in ("", wanted):
            # "she" after a man was named: the woman named before him
            fitting = next((p for p in cursor.recent if p.gender in ("", wanted)), None)
            if fitting is None:
                return None, f"'{phrase}' fits no one named before it"
            return fitting.id, f"'{phrase}' taken to be {fitting.name}, named before"
        return cursor.last, note
    org_head = re.match(r"^(?:the\s+)?(?:[a-z]+\s+){0,2}?([a-z]+)$", folded)
    if folded == "it" or (org_head and org_head.group(1) in ORG_NOUNS):
        if cursor.last_org is None:
            return None, f"no institution named before '{phrase}'"
        return cursor.last_org, ""
    nouns = [w for w in re.findall(r"[a-z-]+", folded) if w.split("-")[-1] in ROLE_WORDS]
    if nouns:
        return _by_role(nouns[0], phrase, people, cursor)
    return None, f"no speaker found for '{phrase}'"


def _named(phrase: str, people: dict[str, DraftPerson]) -> str | None:
    """The person (not institution) whose name the phrase starts with ("Maria Soto", "Mr.
    Soto"); not "the assistant to ... Khamenei", whose title names someone else."""
    phrase = re.sub(rf"^{_TITLE}", "", phrase.strip())
    for person in people.values():
        if not person.institution and (phrase.startswith(person.name) or re.match(
                rf"{re.escape(person.name.split()[-1])}\b", phrase)):
            return person.id
    return None


def _spelling_variant(phrase: str, people: dict[str, DraftPerson]) -> str | None:
    """A person whose surname the phrase spells another way ("Sanai" for "Sanaei")."""
    for word in re.findall(r"\b[A-Z][a-z’'-]{3,}\b", phrase):
        close = [p.id for p in people.values() if not p.institution
                 and p.name.split()[-1][0] == word[0]
                 and fuzz.ratio(word, p.name.split()[-1]) >= SPELLING_CUTOFF]
        if len(close) == 1:
            return close[0]
    return None


def _by_role(noun: str, phrase: str, people: dict[str, DraftPerson], cursor: _Cursor
             ) -> tuple[str | None, str]:
    """The person whose roles share most words with the phrase ("the Iranian minister": the
    Iranian Foreign Minister, not the Turkish one), else the person named last."""
    asked = {_neutral(w) for w in re.findall(r"[a-z]+", phrase.casefold())} - {"the", "a", "an",
                                                                             "of"}
    # a capitalised word ("Turkish", "Iranian") that a role lacks speaks against that person
    proper = {w.casefold() for w in re.findall(r"\b[A-Z][a-z]+", phrase)} - {"the"}

    humans = [p for p in people.values() if not p.institution]
    role_words = {p.id: {_neutral(w) for r in p.roles for w in re.findall(r"[a-z]+", r.casefold())}
                  for p in humans}

    def fit(person: DraftPerson) -> int:
        if not person.roles:
            return 0  # nothing known of them: nothing speaks for or against
        return len(asked & role_words[person.id]) - 2 * len((proper & asked)
                                                           - role_words[person.id])

    overlap = {p.id: fit(p) for p in humans}
    best = max(overlap.values(), default=0)
    leaders = [pid for pid, score in overlap.items() if score == best and score > 0]
    if len(leaders) == 1 and best >= 2:
        return leaders[0], ""
    # a whole word: "the president" is not the vice-president
    fitting = [p.id for p in humans
               if any(re.search(rf"(?<![\w-]){re.escape(noun)}\b", r.casefold()) for r in p.roles)
               or (_neutral(noun) != noun and _neutral(noun) in role_words[p.id])]
    if len(fitting) == 1:
        return fitting[0], ""
    if not fitting and cursor.last is not None and overlap.get(cursor.last, 0) >= 0:
        # "the Iranian politician", "the diplomat": a word no role has refers back to the
        # person just named, unless what it says of them contradicts their role
        return cursor.last, f"'{phrase}' taken to be the person named last"
    if len(leaders) == 1:
        return leaders[0], f"'{phrase}' matched by the words of a role"
    if cursor.last in fitting or (not fitting and cursor.last is not None):
        return cursor.last, f"'{phrase}' taken to be the person named last"
    return None, f"no speaker found for '{phrase}'"


_GENDERED_ROLE = re.compile(r"^(spokes|chair|congress|business|council|anchor)"
                            r"(?:man|woman|person|men|women|people|persons)$")


def _neutral(word: str) -> str:
    """A role noun whatever its gendered form: "spokesperson", "spokesman" -> "spokes"."""
    found = _GENDERED_ROLE.match(word)
    return found.group(1) if found else word


def _possessive(paragraph: str, position: int, person: DraftPerson) -> bool:
    """Whether a mention is a possessive ("calls for Mayor Taron Margaryan's resignation"):
    someone spoken of, not who the next "he" is."""
    surname = person.name.split()[-1]
    return re.match(rf"{re.escape(surname)}['’]s\b", paragraph[position:]) is not None


def _mentions(paragraph: str, people: dict[str, DraftPerson]) -> list[tuple[int, str]]:
    found = []
    for person in people.values():
        for match in re.finditer(re.escape(person.name.split()[-1]), paragraph):
            found.append((match.start(), person.id))
    return sorted(found)


# ------------------------------------------------------------------------------ statements


_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday)"
_AUDIENCE = r"(?:reporters|journalists|the press|the media|a press conference|the audience)"
MIN_REPORTED_WORDS = 3
# "in the Parliament Wednesday", "to reporters": where or to whom it was said, not what
_CIRCUMSTANCE = rf"(?:{_AUDIENCE}|(?:in|at|on|during|after|before|to|with|when|while)\b)"
_WHO = rf"(?:the\s+)?{_TITLE}?[\w’'. -]{{1,80}}?"
_AUX = r"(?:(?:has|had|have|was|is)\s+)?"
# ", Sanai explained", ", - has said Mr. Tajin during ...", "- continued he", "stressed the Head
# of the Kazakhstan Foreign Office."
_AFTER_QUOTE = re.compile(rf"^[\s,.]*(?:[-–—]\s*)?(?P<who>{_WHO})\s+{_AUX}{VERB}\b")
_AFTER_QUOTE_INVERTED = re.compile(rf"^[\s,.]*(?:[-–—]\s*)?{_AUX}{VERB}\s+(?P<who>{_WHO})"
                                   r"(?:[,;:]|\.(?<!Mr\.)(?<!Dr\.)(?<!Ms\.)|\s+(?:during|at|"
                                   r"after|before|when|while|as)\b|\s*$)")
_BEFORE_QUOTE = re.compile(rf"(?P<who>(?:[Tt]he\s+)?{_TITLE}?[\w’'. -]{{1,80}}?),?\s+{VERB}"
                           rf"(?:[^“\"]{{0,40}}|\s+that\b[^“\"]{{0,160}})[:,]?\s*$")
_SUBJECT_LEAD = (r"(?:(?:In particular|For his part|For her part|At the same time|Meanwhile|"
                 r"However|Also|Previously|Earlier|Later|Moreover|Besides|In (?:a|an|his|her|"
                 r"its|their) (?:[a-z]+ )?(?:statement|interview|speech|address|letter|"
                 r"message|remarks)),\s+)?")
# "X was quoted by Russian media as saying in October that ...": X's words, through others
_QUOTED_AS = (r"(?:was|were|has\s+been|had\s+been)\s+quoted(?:\s+by\s+[^,]{2,60}?)?\s+as\s+"
              r"(?:saying|stating|telling\s+[^,]{2,40}?)")
_REPORTED = re.compile(rf"^(?P<lead>{_SUBJECT_LEAD})(?P<who>(?:[Tt]he\s+)?[A-Z][\w’'. -]"
                       rf"{{0,80}}?|[Hh]e|[Ss]he|[Tt]hey)(?:\s+from\s+[^,]{{2,80}}(?=,\s+{VERB}\b|\s))?,?"
                       rf"(?:,\s(?P<apposition>[^,]{{3,120}}),?)?\s+(?:[a-z]+ly\s+)?(?:(?:has|have|had)\s+)?"
                       rf"(?:{VERB}|{_QUOTED_AS})\s+"
                       rf"(?:(?:on\s+)?{_DAY}\s+|in\s+[A-Z][a-z]+\s+)?(?:that,?\s+|about\s+)?"
                       rf"(?P<text>.{{12,}}?)[.]?$")
_ACCORDING = re.compile(r"^(?:[Aa]ccording to (?P<who>him|her|them|it|the [a-z]+|[A-Z][\w’'. -]"
                        r"{1,80}?)|[Ii]n (?P<who2>his|her|their) words),\s+(?P<text>.{12,}?)"
                        r"[.]?$")
# "More than 200 enterprises ..., according to the report.": the source at the end
_ACCORDING_AFTER = re.compile(r"^(?P<text>.{12,}?),\s+according to (?P<who>him|her|them|the "
                              r"[a-z]+|[A-Z][\w’'. -]{1,80}?)[.]?$")
# "Armenia, according to Ukrainian defence intelligence, offers ...": the whole sentence
_ACCORDING_INSIDE = re.compile(r"^(?P<text>[^,]{2,80},\s+according to (?P<who>him|her|them|the "
                               r"[a-z]+|[A-Za-z][\w’'. -]{1,80}?),\s+.{12,}?)[.]?$")
# ", adding that ...", ", noting that ...": a second statement of the same speaker
_GOING_ON = r"(?:adding|noting|stressing|explaining|saying|pointing out)\s+that"
# ", Trend reports.", ", the Jahon information agency reported.": the outlet's byline at the end
_REPORTED_BY = (r"(?:,\s+(?:the\s+)?[A-Z][\w.-]*(?:\s+[\w.-]+){0,3}\s+"
                r"(?:reports?|reported))")
# "Tbilisi conducts strict controls in this respect, he said, adding that ...": said at the end
_SAID_AFTER = re.compile(rf"^(?P<text>[^“\"].{{11,}}?),\s+(?P<who>he|she|they|it|the "
                         rf"[a-z]+(?:\s+[a-z]+)?|the\s+(?:[A-Z][\w’'-]+\s+){{1,2}}[a-z]+(?:\s+[a-z]+)?|(?:the\s+)?{_TITLE}?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)"
                         rf"{{0,5}}|[A-Z][\w’'-]+(?:\s+[\w’'-]+){{1,8}}?\s+[A-Z][\w’'-]+\s+[A-Z][\w’'-]+)"
                         rf"\s+{VERB}(?:\s+(?:{_AUDIENCE}|{_DAY}|(?:in|at|on|during|after)\s"
                         rf"[^,]{{1,60}}))?(?P<rest>,\s+{_GOING_ON}\s+.{{12,}}?)?"
                         rf"{_REPORTED_BY}?[.]?$")
# "Kazakhstan is serious about ..., said Kazakhstan's Minister of Energy, A. Satkaliyev, at
# today's press conference, Trend reports."
_SAID_INVERTED = re.compile(rf"^(?P<text>[^“\"].{{11,}}?),\s+{VERB}\s+(?P<who>(?:the\s+)?"
                            rf"[A-Z][^.]{{2,120}}?)(?:,\s+(?:at|in|during|on|after)\s[^,]{{2,80}})?"
                            rf"{_REPORTED_BY}?[.]?$")
# "Georgia, Armenia and Azerbaijan have been accused by Ukrainian Defence Intelligence of ...":
# the whole sentence is what the one after "by" says
_PASSIVE = re.compile(r"^(?P<text>.{12,}?\b(?:accused|criticized|criticised|urged|warned|"
                      r"blamed|praised)\s+by\s+(?:the\s+)?(?P<who>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)"
                      r"{0,5})\b.{6,}?)[.]?$")
# "Welcoming X and stressing the importance of ..., Christine Lagarde said": what the speaker
# of the sentence also said, in a participle clause
_PARTICIPLE = re.compile(r"(?:^|\band\s+|,\s+)(?P<text>(?:stressing|noting|emphasi[sz]ing|"
                         r"underlining|highlighting|recalling|pointing out|urging|warning|"
                         r"expressing|calling for)\b[^,.;:]{8,})")
# "..., Christine Lagarde said that ...": a speaker and a speech verb inside the sentence
_INNER = re.compile(rf"(?:^|,\s+|\band\s+)(?P<who>(?:[Tt]he\s+(?:[A-Za-z-]+\s+){{0,3}}?[a-z-]+|[Hh]e|[Ss]he|"
                    rf"[Ii]t|[Tt]hey|"
                    rf"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){{0,3}}))\s+(?:[a-z]+ly\s+)?{VERB}\s+"
                    rf"(?:that\s+)?(?P<text>[^,].{{11,}}?)[.]?$")
# "The agency adds that he also said that ...": a report of a report, said by "he"
_THAT_HE = re.compile(rf"\bthat\s+(?P<who>he|she)\s+(?:[a-z]+ly\s+)?{VERB}\s+(?:that\s+)?"
                      rf"(?P<text>[^,].{{11,}}?)[.]?$")
# "However, the leader of the ... party, Tamar Kekenadze, appealed to ...": the role first,
# then the name set off by commas, then the verb
_ROLE_THEN_NAME = re.compile(rf"(?:^|,\s+)(?:[Tt]he|[Aa]n?)\s+[^,]{{3,120}},\s+(?P<who>[A-Z][\w’'-]+"
                             rf"(?:\s+[A-Z][\w’'-]+){{1,3}}),\s+(?:[a-z]+ly\s+)?{VERB}\s+"
                             rf"(?:that\s+)?(?P<text>[^,].{{11,}}?)[.]?$")
# "Such statements, Saakashvili noted, are in the mainstream of ...": the speaker set off by
# commas inside the sentence, which is the statement as a whole
_PARENTHETICAL = re.compile(rf"^(?P<text>[^,“\"]{{3,80}},\s+(?P<who>he|she|they|the [a-z]+(?:\s+"
                            rf"[a-z]+)?|{_TITLE}?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){{0,3}})\s+{VERB},"
                            rf"\s+.{{12,}}?)[.]?$")
_ADDING = re.compile(rf"(?:^|,\s+){_GOING_ON}\s+(?P<text>.{{12,}}?)[.]?$")
# '"...," he stressed, adding that ...': after a quote, its speaker's next statement
_THEN_ADDING = re.compile(rf"^[\s,]*(?P<who>he|she|they|it|the\s+[a-z]+(?:\s+[a-z]+)?|{_TITLE}?"
                          rf"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){{0,3}})\s+{VERB},\s+{_GOING_ON}\s+"
                          rf"(?P<text>.{{12,}}?)[.]?$")
# '"Everybody should ..., the head of the state said at ...': a quote mark opened and never
# closed, before the attribution; the quote ends where the attribution starts
_UNCLOSED = re.compile(rf"[“\"]([^“”\"]{{12,}}?)(?=,\s+(?:[Tt]he\s+[a-z][\w ]{{2,60}}?|[Hh]e|[Ss]he|"
                       rf"{_TITLE}?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){{0,3}})\s+{_AUX}{VERB}\b)")
# the paragraph that ends a quote opened paragraphs before: no opening mark of its own
_CLOSING = re.compile(r"^([^“”\"]{12,}?)[”\"]")
# a paragraph that opens a quote and does not close it: the quote goes on in the next one
_OPEN_QUOTE = re.compile(r"^[“\"](?P<text>[^“”\"]{12,})$")


# "In particular, bilateral trade reached ...": a sentence that goes on with the statement
# before it, with no speech verb of its own
_CONTINUATION = re.compile(r"^(?:In particular|Moreover|Furthermore|In addition|Additionally|"
                           r"Besides|Also|At the same time|Above all|What is more),\s+\S")


@dataclass
class _Pending:
    """Quote paragraphs still waiting for the attribution at the end of the quote."""

    texts: list[str] = field(default_factory=list)


def find_statements(paragraphs: list[str], people: dict[str, DraftPerson]
                    ) -> list[DraftStatement]:
    """Quotes and reported statements, in article order, each with its speaker and whom it
    cites."""
    return [_with_cites(s, people) for s in _statements(paragraphs, people)]


# "As the Iranian president said last night, ...", "As President Ruto told parliament, ..."
_CITES = re.compile(rf"^As\s+(?P<cited>(?:the\s+)?[\w’'. -]{{2,60}}?)\s+(?:has\s+|had\s+)?"
                    rf"(?:{VERB}|put it)\b")


def _with_cites(statement: DraftStatement, people: dict[str, DraftPerson]) -> DraftStatement:
    found = _CITES.match(statement.text)
    if not found:
        return statement
    cited = found.group("cited").strip()
    named = next((p.id for p in people.values() if p.id != statement.speaker and re.search(
        rf"\b{re.escape(p.name.split()[-1])}\b", cited)), None)
    if named is None and " " not in cited:
        return statement  # one word that is no one's name: nothing to cite by
    return dataclasses.replace(statement, cites=named or cited)


def _statements(paragraphs: list[str], people: dict[str, DraftPerson]
                ) -> list[DraftStatement]:
    cursor = _Cursor()
    out: list[DraftStatement] = []
    pending = _Pending()
    previous: DraftStatement | None = None  # the statement right before, for "In particular"
    last_plain: str | None = None  # the sentence right before, no one's words, for "This was said by"
    for number, paragraph in enumerate(paragraphs):
        paragraph = without_dateline(paragraph)  # where it was filed is no one's words
        last_plain = None
        opened = _OPEN_QUOTE.match(paragraph)
        if opened:  # the first paragraphs of a quote spanning paragraphs
            pending.texts.append(opened.group("text").strip())
            continue
        quoted_spans: list[tuple[int, int]] = []
        events: list[tuple[float, str, Any]] = [(pos, "mention", pid)
                                              for pos, pid in _mentions(paragraph, people)]
        quotes = _quotes(paragraph)
        closing = _CLOSING.match(paragraph) if pending.texts else None
        if closing and not (quotes and quotes[0].start() < closing.end()):
            quotes.insert(0, closing)  # the last paragraph of a quote opened before
        if _unbalanced(paragraph):
            after = quotes[-1].end() if quotes else 0
            quotes += [m for m in _UNCLOSED.finditer(paragraph, after)]
        for match in quotes:
            if len(match.group(1)) < 12 or len(match.group(1).split()) < MIN_QUOTE_WORDS or (
                    _NAMING.search(paragraph[max(0, match.start() - 30):match.start()])) or (
                    _embedded(paragraph, match)):
                continue  # a phrase quoted inside a sentence, not a statement of its own
            events.append((match.start(), "quote", match))
            quoted_spans.append((match.start(), match.end()))
        for start, sentence in split_sentences(paragraph):
            events.append((start - 0.5, "boundary", None))
            inside = [(a, b) for a, b in quoted_spans
                      if a <= start < b or start <= a < start + len(sentence)]
            if not inside:
                events.append((start, "sentence", sentence))
                continue
            # the words around a quote can hold a statement of their own: "X criticized the
            # assertion that ...: “...”", "“...” in this respect, he said, adding that ..."
            end = start + len(sentence)
            if inside[0][0] > start:
                events.append((start, "sentence", paragraph[start:inside[0][0]].strip()))
            if inside[-1][1] < end:
                events.append((inside[-1][1], "sentence", paragraph[inside[-1][1]:end].strip()))
        sentence_start = copy.copy(cursor)
        claimed: list[tuple[float, float]] = []  # sentences whose speaker is already known
        for position, kind, payload in sorted(events, key=lambda e: e[0]):
            if kind == "boundary":
                sentence_start = copy.copy(cursor)
            elif kind == "mention":
                # a name inside a quote, or inside a sentence already attributed ("The
                # assistant to ... Khamenei expressed ..."), is not who speaks next
                if not any(a <= position < b for a, b in (*quoted_spans, *claimed)) and not (
                        _possessive(paragraph, int(position), people[payload])):
                    cursor.saw(people[payload], number)
            elif kind == "quote":
                statement = _quote_statement(paragraph, payload, people, cursor, number,
                                             sentence_start)
                if statement:
                    out += _continued(pending, statement)
                    out.append(statement)
                    cursor.saw(people[statement.speaker], number)
                previous = statement
            else:
                found = _reported_statements(payload, people, cursor, number)
                stated = _STATED_BY.match(payload) if not found else None
                if stated and last_plain:
                    # "Kyrgyzstan and Uzbekistan have completed ... This was stated by the
                    # President of Kyrgyzstan Sadyr Japarov": the sentence before is his
                    who = _named(stated["who"], people) or _resolve(
                        stated["who"], people, cursor, number)[0]
                    if who:
                        found = [DraftStatement(who, "reported", last_plain.rstrip("."),
                                                payload.rstrip("."))]
                if not found and previous is not None and _CONTINUATION.match(payload) and not (
                        {pid for _, pid in _mentions(payload, people)} - {previous.speaker}):
                    found = [DraftStatement(previous.speaker, "reported", payload.rstrip("."),
                                            previous.attribution, "no speech verb: taken to "
                                            "go on with the statement before it")]
                if found:
                    out.extend(found)
                    cursor.saw(people[found[0].speaker], number)
                    claimed.append((position, position + len(payload)))
                previous = found[-1] if found else None
                last_plain = None if found else payload
        pending.texts.clear()  # a quote left open with no attribution after it is not drafted
    return out


_STATED_BY = re.compile(r"^(?:This|That|It|These words)\s+(?:was|were|has\s+been)\s+(?:stated|said|"
                        r"announced|noted|declared|emphasi[sz]ed|stressed)\s+by\s+(?P<who>.{3,120}?)"
                        r"(?:\s+(?:during|at|in|on|when|while|after|before|to)\b|,|[.]?$)")


def _quotes(paragraph: str) -> list[re.Match[str]]:
    """The quote-mark pairs of a paragraph, a quote holding marks of the other style as one."""
    straight, curly = paragraph.count('"'), paragraph.count("“")
    nested = [m for pattern, single in zip(_NESTED, (straight == 2, curly == 1))
              if single for m in pattern.finditer(paragraph)]
    inside = [m for m in _QUOTE.finditer(paragraph)
              if not any(n.start() <= m.start() < n.end() for n in nested)]
    return sorted([*nested, *inside], key=lambda m: m.start())


def _unbalanced(paragraph: str) -> bool:
    """Whether a paragraph opens a quote mark it never closes."""
    return paragraph.count('"') % 2 == 1 or paragraph.count("“") > paragraph.count("”")


def _embedded(paragraph: str, match: re.Match[str]) -> bool:
    """A quote that is words inside a sentence ("caused by “security conditions on the
    roads”"), no one's quote of its own: a lower-case word runs into it, no attribution is
    next to it, and no "that" or speech verb opens it."""
    before = paragraph[max(0, match.start() - 40):match.start()]
    lead = re.search(r"\b([a-z]+)\s+$", before)
    if not lead or lead.group(1) == "that" or re.search(rf"\b{VERB}\s*$", before):
        return False
    following = paragraph[match.end():match.end() + 120]
    return not (_AFTER_QUOTE.match(following) or _AFTER_QUOTE_INVERTED.match(following))


def _continued(pending: _Pending, closing: DraftStatement) -> list[DraftStatement]:
    """The earlier paragraphs of a quote, said by whoever the closing paragraph names."""
    return [DraftStatement(closing.speaker, "quote", text, closing.attribution,
                           closing.review or "a quote spanning paragraphs: check where it "
                           "starts") for text in pending.texts]


def _quote_statement(paragraph: str, match: re.Match[str], people: dict[str, DraftPerson],
                     cursor: _Cursor, number: int, sentence_start: _Cursor
                     ) -> DraftStatement | None:
    """A quote and its speaker: named after it (", X said"; ", said X"), or before it ("X
    said: ..."; "He recalled that ... “...”", resolved as at the start of that sentence)."""
    text = match.group(1).strip().rstrip(",")
    if _is_title_case(text):
        return None  # "EU's Three Leading Countries - Countries of Central Asia": a name
    following = paragraph[match.end():match.end() + 120]
    before = _BEFORE_QUOTE.search(paragraph[max(0, match.start() - 200):match.start()])
    phrase = ""
    for found, state in ((_AFTER_QUOTE_INVERTED.match(following), cursor),
                         (_AFTER_QUOTE.match(following), cursor),
                         (before, sentence_start)):
        if found and _resolve(found.group("who"), people, state, number)[0]:
            phrase = found.group("who")
            speaker, review = _resolve(phrase, people, state, number)
            break
    else:
        speaker, review = cursor.last, "a quote with no attribution next to it"
    if speaker is None:
        return None
    attribution = (phrase + " said").strip() if phrase else ""
    return DraftStatement(speaker, "quote", text, attribution, review)


def _is_title_case(text: str) -> bool:
    tokens = re.findall(r"[A-Za-z][\w’'-]*", text)
    return bool(tokens) and all(t[0].isupper() or t in {"of", "the", "and", "for", "on", "in"}
                                for t in tokens)


def _reported_statements(sentence: str, people: dict[str, DraftPerson], cursor: _Cursor,
                         number: int) -> list[DraftStatement]:
    """The reported statements of a sentence: "X said that ...", "In his words, ...", "...,
    according to the report", "..., he said", and a second one in ", adding that ..."."""
    for pattern in _REPORTING_PATTERNS:
        match = pattern.search(sentence)
        if match:
            found = _reported_by(sentence, match, people, cursor, number)
            if found:
                return found
    return []


def _reported_by(sentence: str, match: re.Match[str], people: dict[str, DraftPerson],
                 cursor: _Cursor, number: int) -> list[DraftStatement]:
    """The statements of a sentence as one reporting pattern reads it (none when the words
    it takes for the speaker name no one)."""
    groups = match.groupdict()
    who = groups.get("who") or groups.get("who2") or ""
    apposition = groups.get("apposition") or ""
    speaker, review = _resolve(apposition, people, cursor, number) if apposition else (None, "")
    named = _named(who, people)
    if named:  # "Maria Soto, head of the Chamber of Commerce, said": the name, not the title
        speaker, review = named, ""
    elif speaker is None or review:
        by_who = _resolve(who, people, cursor, number)
        if by_who[0] is not None or speaker is None:
            speaker, review = by_who
    if speaker is None:
        speaker = _group_speaker(who, people, number)
        review = "a group of people, not one person: check whom it names"
    if speaker is None:
        return []
    text = match.group("text").strip().rstrip(".")
    # "underlined in his turn that ...", "told reporters on Friday that ...": what follows that
    short_lead = re.match(r"^(?:[\w’']+,?\s+){1,4}?that\s+(?P<said>.{12,})$", text)
    verb = re.search(r"([a-z]+)\s*$", sentence[:match.start("text")])
    # "said after the talks ..." tells when; "added that after the elections ..." is what
    said_that = bool(re.search(r"\bthat\s*$", sentence[:match.start("text")]))
    if short_lead and not (verb and verb.group(1) in EVALUATIVE) and not re.search(
            r"^(?!in\s).*?\b(?:fact|so|such|now|assertion|claim|statement|idea|news|view)\s+that",
            text[:60]):
        text, said_that = short_lead.group("said"), True
    if re.search(r"\bthat$", text):
        return []  # "Ivanishvili said the other day that": the lead-in of a quote, not words
    text = _with_verb(sentence, match, text)
    if speaker in people and people[speaker].group and groups.get("who"):
        # a group has no name of its own to show: its words as the article gives them,
        # with it ("Russian defense officials denied Tuesday that they plan ...")
        at = sentence.find(text, match.start("who"))
        if at > match.start("who"):
            text = sentence[match.start("who"):at] + text
    text = re.sub(r"\s+and\s+(?:said|added|stated|noted)\s*[:,]?$", "", text).rstrip(" :,")
    rest = groups.get("rest") or ""
    out = []
    adding = _ADDING.search(rest or text)
    if adding:
        if not rest:
            text = text[:adding.start()].rstrip(" ,")
        out.append(DraftStatement(speaker, "reported", adding.group("text").strip().rstrip("."),
                                  f"{who.strip()} added", review))
    for clause in _PARTICIPLE.finditer(sentence[:match.start("text")]):
        out.append(DraftStatement(speaker, "reported", clause.group("text").strip(),
                                  who.strip(), review))
    if len(text.split()) >= MIN_REPORTED_WORDS and (
            said_that or not re.match(_CIRCUMSTANCE, text)):
        out.insert(0, DraftStatement(speaker, "reported", text, who.strip(), review))
    return out




_COUNTED = frozenset(lexicon.keyed("answer_types")["quantity"]) | {
    "one", "several", "some", "many", "few", "both", "all", "most", "other", "senior"}
_GROUP = re.compile(r"^(?:the\s+)?(?P<words>(?:[\w’'-]+\s+){1,3}(?P<noun>[a-z]+))$")


def _group_speaker(phrase: str, people: dict[str, DraftPerson], paragraph: int) -> str | None:
    """A group the article makes speak ("Russian defense officials denied ..."): a plural
    group noun after a capitalised word saying whose (Russian, EU, Kremlin), drafted as one
    speaker (the words are the group's, never one member's)."""
    found = _GROUP.match(phrase.strip())
    if not found:
        return None
    noun, said_by = found["noun"], found["words"]
    named_by = [w for w in said_by.split()[:-1] if w[:1].isupper()
                and w.casefold() not in _COUNTED]
    if noun not in GROUP_NOUNS or not noun.endswith("s") or not named_by \
            or PRONOUNS & set(said_by.casefold().split()):
        return None  # "Two aid officials, speaking on condition of anonymity": no one's voice
    name = said_by[0].upper() + said_by[1:]
    person = people.setdefault(slug(name), DraftPerson(
        slug(name), name, ["quoted as a group; the article names none of them"],
        first_seen=paragraph, group=True))
    return person.id


# "in response to President Aliyev's threats that there would be no peace treaty unless ...":
# what someone's statement said, named by its noun
_NOUN_THAT = re.compile(r"\b(?P<who>(?:[A-Z][\w’'-]+\s+){0,2}[A-Z][\w’'-]+)['’]s\s+(?:recent\s+)?"
                        r"(?:threats?|statements?|claims?|warnings?|assurances?|promises?|"
                        r"remarks?|demands?|insistence|assertions?)\s+that\s+"
                        r"(?P<text>.{12,}?)[.]?$")

# most specific first; the next is tried when one finds no speaker in its words
_REPORTING_PATTERNS = (_ACCORDING, _ACCORDING_AFTER, _ACCORDING_INSIDE, _SAID_AFTER, _REPORTED,
                       _ROLE_THEN_NAME, _INNER, _THAT_HE, _SAID_INVERTED, _PASSIVE,
                       _PARENTHETICAL, _THEN_ADDING, _NOUN_THAT)


def _with_verb(sentence: str, match: re.Match[str], text: str) -> str:
    """The words with the verb that gives them their sense ("denied Tuesday that they plan
    to ...", "welcomed the talks"): without it they would say the opposite, or nothing."""
    at = sentence.find(text, match.start("text"))
    if at < 0:
        return text
    verb = re.search(rf"(?:also\s+)?\b([a-z]+)(?:\s+(?:on\s+)?{_DAY})?(?:\s+that)?$",
                     sentence[:at].rstrip())
    if verb and verb.group(1) in EVALUATIVE:
        return sentence[verb.start(1):at] + text
    return text


# ------------------------------------------------------------------------------- output


def draft(text: str) -> Draft:
    """Read an article (title on the first line, then paragraphs) into a draft."""
    lines = text.replace("\r\n", "\n").split("\n")
    title = lines[0].strip()
    body = "\n".join(lines[1:])
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]
    people = find_people(paragraphs)
    statements = find_statements(paragraphs, people)
    _add_attribution_aliases(statements, people)
    return Draft(title, people, statements, paragraphs)


# "the top Iranian diplomat added", "the head of the state said": how the article itself refers
# back to the speaker
_ROLE_ATTRIBUTION = re.compile(rf"^(?P<alias>[Tt]he\s+(?:[\w’'-]+\s+){{0,4}}?(?:{ROLE_ALTERNATION})"
                               rf"\b(?:\s+of\s+(?:the\s+)?[\w’'-]+){{0,2}})(?:\s+said)?$", re.IGNORECASE)


def _add_attribution_aliases(statements: list[DraftStatement],
                             people: dict[str, DraftPerson]) -> None:
    """The role nouns the article attributes a speaker's words by become that speaker's role
    aliases; an alias that two people share names neither, and is dropped."""
    for statement in statements:
        found = _ROLE_ATTRIBUTION.match(statement.attribution.strip())
        person = people.get(statement.speaker)
        if not found or person is None or person.institution or (
                statement.review and "named last" not in statement.review
                and "matched" not in statement.review):
            continue
        alias = "the " + found.group("alias").split(None, 1)[1].casefold()
        if any(p.name.split()[-1].casefold() in alias for p in people.values()):
            continue  # "the assistant to ... Khamenei": a title naming someone else
        nouns = set(re.findall(r"[a-z]+", alias)) & ROLE_WORDS
        if any(nouns & set(re.findall(r"[a-z]+", " ".join(p.roles).casefold()))
               for p in people.values() if p.id != person.id):
            continue  # "the minister" with two ministers in the article: either of them
        if alias not in person.role_aliases:
            person.role_aliases.append(alias)
    owners: dict[str, set[str]] = {}
    for person in people.values():
        for alias in person.role_aliases:
            owners.setdefault(alias.casefold(), set()).add(person.id)
    for person in people.values():
        person.role_aliases = [a for a in person.role_aliases if len(owners[a.casefold()]) == 1]
