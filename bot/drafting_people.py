"""People and institutions in an article's text, for :mod:`bot.drafting`: names are runs of
capitalised words that a speech verb, a title ("Foreign Minister ...") or an appositive (",
President of ...") marks as a person; roles are those titles as the article writes them;
institutions ("the Ministry of Defence Intelligence warned", "according to the Agency") speak
too. Also the vocabulary the statement rules share: speech verbs, role words, titles.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot import lexicon
from bot.models import english_words

SPELLING_CUTOFF = 80.0  # rapidfuzz ratio: "Sanai" ~ "Sanaei" (83), "Fidan" !~ "Fedun"

SPEECH_VERBS = (
    "said", "says", "stressed", "noted", "added", "stated", "emphasized", "emphasised",
    "underlined", "pointed out", "told", "announced", "declared", "explained", "believes",
    "expressed", "welcomed", "outlined", "warned", "argued", "claimed", "insisted",
    "recalled", "remarked", "commented", "assured", "reiterated", "highlighted", "urged",
    "confirmed", "reported", "informed", "criticized", "criticised", "thinks", "considers",
    "considered", "appreciated", "praised", "hailed", "assessed", "described", "suggested",
    "proposed", "voiced", "called", "continued", "concluded", "replied", "answered", "wrote",
    "observed", "acknowledged", "admitted", "condemned", "denied", "predicted", "promised",
    "vowed", "pledged", "recommended", "asserted", "maintained", "mentioned", "specified",
    "clarified", "accused", "estimated", "forecast", "responded", "agreed", "appealed",
    "addressed", "rejected", "dismissed",
    # present tense, for plural and institutional subjects ("the members ... emphasize that")
    "say", "emphasize", "emphasise", "stress", "believe", "insist", "claim", "argue", "warn",
)
VERB = "(?:also\\s+)?(?:" + "|".join(re.escape(v) for v in SPEECH_VERBS) + ")"
_PARTICLES = r"(?:al|bin|ibn|de|van|von|der|da|del|la|le|di|du)"
_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)*|(?:al|bin|ibn|de|van|von)\b)"
_NAME = rf"[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)*(?:\s+{_NAME_WORD}){{1,5}}"
_NAME_RE = re.compile(_NAME)
# Words that make a capitalised run an institution or a title, not a person's name.
_NOT_NAME = frozenset(["Council", "Institute", "Ministry", "Committee", "Center", "Centre", "Organization", "Organisation", "Union", "Party", "Government", "Republic", "Federation", "Bank", "Fund", "Agency", "University", "Parliament", "Assembly", "News", "Press", "Service", "Duma", "State", "States", "Nations", "Office", "Department", "Commission", "Association", "Company", "Corporation", "Group", "Forum", "Summit", "Conference", "Minister", "President", "Ambassador", "Secretary", "Chairman", "Director", "Prime", "Deputy", "Vice", "Foreign", "Security", "Strategic", "Studies", "Affairs", "Intelligence", "Defence", "Defense", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Caucasus", "Asia", "Europe", "East", "West", "North", "South", "Kremlin", "Speaker", "Spokesman", "Spokeswoman", "Spokesperson", "Chief", "Head", "Leader", "Envoy", "Expert", "Analyst", "Professor", "General", "Minister's", "Mr", "Mrs", "Ms", "Dr", "Administration", "Presidential", "Institute", "Embassy", "Cabinet",
                       # portfolios: "Commissioner for Energy Kadri Simson"
                       "Energy", "Finance", "Economy", "Trade", "Interior", "Justice", "Health",
                       "Education", "Agriculture", "Transport", "Environment", "Culture",
                       "Labour", "Labor", "Industry", "Commerce", "Development", "Tourism",
                       "Communications", "Digital", "Climate", "The",
                       # media: "told Public Radio of Armenia", "in an interview with Rustavi TV"
                       "Radio", "Television", "TV", "Channel", "Newspaper", "Magazine",
                       # places: "Lake Naivasha", "Mount Elgon"
                       "Lake", "Mount", "River", "Sea", "Gulf", "Bay", "Cape", "Island",
                       "Islands", "Street", "Avenue", "Square", "Valley", "Desert", "Ocean",
                       "Strait", "Canal", "Airport", "Station", "Province", "Region",
                       "District", "County"])
ROLE_WORDS = frozenset(["minister", "president", "ambassador", "spokesman", "spokeswoman", "spokesperson", "secretary", "chairman", "director", "head", "deputy", "vice", "premier", "chief", "leader", "expert", "analyst", "envoy", "representative", "mp", "member", "governor", "mayor", "commander", "professor", "official", "adviser", "advisor", "assistant", "founder", "editor", "correspondent",
                         "diplomat", "politician", "lawmaker", "economist", "researcher",
                         "scholar", "journalist", "officer", "negotiator", "counterpart",
                         "politologist", "observer", "activist", "lawyer", "chairwoman",
                         "commissioner", "senator", "chancellor", "judge", "prosecutor",
                         "ombudsman", "emir", "governor-general", "rapporteur", "fellow",
                         "lecturer", "strategist", "consultant", "historian", "scientist", "speaker"])
ROLE_ALTERNATION = "|".join(sorted(ROLE_WORDS, key=len, reverse=True))
PRONOUNS = frozenset({"he", "she", "him", "her", "his", "they"})
# verbs whose object is what was said ("expressed satisfaction over ...", "criticized the
# assertion"): the verb belongs to the statement when no "that" follows it
EVALUATIVE = ("expressed", "welcomed", "criticized", "criticised", "condemned", "praised",
               "hailed", "voiced", "appreciated", "denied", "accused", "called", "urged",
               "proposed", "suggested", "outlined", "described", "assessed", "highlighted",
               "considered", "considers", "appealed", "questioned", "doubted", "rejected",
               "dismissed")


@dataclass
class DraftPerson:
    """A person found in the article."""

    id: str
    name: str
    roles: list[str] = field(default_factory=list)
    role_aliases: list[str] = field(default_factory=list)
    first_seen: int = 0
    institution: bool = False  # a ministry, an agency, a party: "it", "the report"
    gender: str = ""  # "m" or "f" when the article shows it (Mr/Ms, spokeswoman, he/she)
    nationality: str = ""  # "Georgian", from a role's country or adjective
    group: bool = False  # "Russian defense officials": many people quoted as one, no one named


# ------------------------------------------------------------------------------- people


def slug(text: str) -> str:
    return "-".join(w for w in re.findall(r"[a-z0-9]+", text.casefold()))[:48].strip("-")


def _not_name(word: str) -> bool:
    """An institution word, a title ("Mayor", "Senator") or a day: never part of a name; nor
    an English abstract noun ("... Administration and Infrastructure Suren Papikyan")."""
    return (word in _NOT_NAME or word.casefold() in ROLE_WORDS or word.casefold() in ORG_WORDS
            or (len(word) >= 7 and bool(_ABSTRACT.search(word.casefold()))
                and word.casefold() in english_words()))


# the endings of English abstract nouns, which names do not have
_ABSTRACT = re.compile(r"(?:tion|sion|ment|ture|ity|ness|ance|ence|ism|ship)s?$")


# "the “For Georgia” party": a name opening with a function word is a party's or a
# programme's, not a person's
_FUNCTION_WORDS = frozenset(["For", "From", "With", "Without", "By", "To", "Of", "In", "On",
                             "At", "And", "But", "Or", "As", "Our", "My", "Your", "We", "It",
                             "This", "That", "These", "Those", "There", "Here", "If", "When",
                             # numbers: "Three Leading Countries"
                             "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight",
                             "Nine", "Ten", "Twelve", "Twenty", "Hundred", "Thousand"])


def _is_name(candidate: str) -> bool:
    parts = candidate.split()
    return len(parts) >= 2 and parts[0] not in _FUNCTION_WORDS and not any(
        _not_name(p) for p in parts)


def _trimmed(match: re.Match[str], text: str) -> tuple[str, int]:
    """A capitalised run without the title or place words before the name in it.

    "Affairs Alexander Romanovich" -> "Alexander Romanovich"; "Russia Mehdi Sanaei" -> "Mehdi
    Sanaei" when "Russia" stands alone elsewhere in the article.
    """
    parts = match.group(0).split()
    start = match.start()
    titles = [i for i, part in enumerate(parts) if _not_name(part)]
    if titles and titles[-1] < len(parts) - 1:  # "Finance Minister Lasha Khutsishvili"
        start += sum(len(p) + 1 for p in parts[:titles[-1] + 1])
        parts = parts[titles[-1] + 1:]
    # "President of Azerbaijan Ilham Aliyev": the word right after a title's "of" is the
    # title's place, not a first name
    title_of = re.search(r"\b([\w-]+)\s+(?:of|to|for)\s+(?:the\s+)?$", match.string[:start])
    if len(parts) > 2 and title_of and _not_name(title_of.group(1).split("-")[-1].title()):
        start += len(parts[0]) + 1
        parts = parts[1:]
    while len(parts) > 2 and (_not_name(parts[0]) or _stands_alone(parts[0], parts[1], text)):
        start += len(parts[0]) + 1
        parts = parts[1:]
    return " ".join(parts), start


def _stands_alone(word: str, following: str, text: str) -> bool:
    """Whether a word also appears with no capitalised word after it ("Russia and Iran"):
    a place or an institution, not a first name ("Ali" in "Ali Khamenei" never does)."""
    return re.search(rf"\b{re.escape(word)}\b(?!\s+(?:{_PARTICLES}\s+)?[A-Z])(?!’s|'s)",
                     text) is not None


def _role_before(text: str, start: int) -> str:
    """The title right before a name: "Deputy Secretary of the Russian Security Council"."""
    # "The Turkish foreign minister Hakan Fidan": a lower-case word before the role word, when
    # the title starts with a capital ("assistant of spiritual leader X" is not X's title)
    role = _title_run(text, start, adjectives=True)
    if not role or not role[0].isupper():
        role = _title_run(text, start, adjectives=False)
    return role or _appositive_before(text[:start])


# "the leader of the non-parliamentary opposition Free Democrats party, Tamar Kekenadze,":
# a role phrase set off by a comma before the name, in any case
_APPOSITIVE_BEFORE = re.compile(rf"(?:^|[.;:]\s+|,\s+|\b(?:and|while|but)\s+)(?:[Tt]he|[Aa]n?)\s+"
                                rf"(?P<role>(?:[\w’'-]+\s+){{0,2}}?(?:{ROLE_ALTERNATION})\b"
                                rf"(?:\s+(?:of|for|at|in|to|from)\s+[^,;:“”\"]{{2,80}}?)?)"
                                rf",\s*$")


def _appositive_before(before: str) -> str:
    # a name inside is the institution's ("leader of Strategy Agmashenebeli") or whom the
    # role serves ("the assistant to ... Khamenei"): the comma sets the role off as a whole
    found = _APPOSITIVE_BEFORE.search(before)
    return found.group("role").strip() if found else ""


def _title_run(text: str, start: int, *, adjectives: bool) -> str:
    before = text[:start].rstrip().removesuffix(",").rstrip()  # "The vice-president ..., Name"
    adjective = rf"|[a-z]+(?=\s+(?:{ROLE_ALTERNATION})\b)" if adjectives else ""
    token = rf"(?:[A-Z][\w’'-]*|of|the|and|for|on|in|to|[a-z]+-(?:{ROLE_ALTERNATION})|" \
            rf"(?:{ROLE_ALTERNATION})\b{adjective})"
    match = re.search(rf"({token}(?:\s+{token})*)$", before)
    if not match:
        return ""
    role = match.group(1).strip()
    names = [m for m in _NAME_RE.finditer(role) if _is_name(_trimmed(m, role)[0])]
    if names:  # "A B and Swedish Rural Affairs Minister": the title after the other name
        role = role[names[-1].end():].strip()
    role = re.sub(r"^(?:(?:[Tt]he|of|and|for|on|in|to)\s+)+", "", role)
    if re.search(r"\b(?:of|the|to|for|on|in|and)$", role):
        return ""  # "a correspondent of": a title cut short, not a role
    first_word = role.split()[0].casefold() if role else ""
    if any(w.casefold().removesuffix("'s").removesuffix("’s") in ROLE_WORDS
           or w.casefold().split("-")[-1] in ROLE_WORDS for w in role.split()) and (
            first_word not in {"the", "a"}) and not _holds_a_name(role):
        return role
    return ""


def _holds_a_name(role: str) -> bool:
    """Whether a role text runs on into someone else's name (a list of people)."""
    return any(_is_name(_trimmed(m, role)[0]) for m in _NAME_RE.finditer(role))


_PARTY_NOUNS = ("party", "movement", "bloc", "faction", "coalition", "alliance", "union",
                "opposition", "majority")


def _role_after(text: str, end: int) -> str:
    """An appositive right after a name: ", President of the Iranian Center (CSS),"."""
    match = re.match(r",\s+((?:the\s+)?[^,;:“\"]{3,90}?(?:[“\"][^“”\"]{1,40}[”\"][^,;:“\"]{0,30})?)"
                     r"(?:,|\.(?:\s|$)|\s+(?:said|says|stressed|noted))", text[end:])
    party = re.match(rf"\s+(from the [^,;:.]{{1,60}}?\b(?:{'|'.join(_PARTY_NOUNS)}))\b",
                     text[end:])
    if party and not match:
        return party.group(1)  # "Mikheil Daushvili from the “For Georgia” party, said"
    if not match:
        return ""
    following = text[end + match.end():].lstrip()
    next_name = _NAME_RE.match(following)
    if next_name and _is_name(_trimmed(next_name, following)[0]):
        return ""  # "A, Deputy Chairman of ..., B": that title is B's, in a list of people
    role = match.group(1).strip()
    first = role.split()[0].casefold() if role.split() else ""
    if first in SPEECH_VERBS or first in EVALUATIVE or first.endswith("ed"):
        return ""  # ", condemned Prime Minister's remarks and said": what they did, not who
    if any(w.casefold() in ROLE_WORDS for w in re.findall(r"[A-Za-z]+", role)) and not (
            _holds_a_name(role)):
        return role
    return ""


def _role_as(text: str, end: int) -> str:
    """The office someone is named to: "named Serder Kilic as Ankara’s envoy to the process"."""
    appointed = re.match(rf"\s+as\s+((?:[\w’'-]+\s+){{0,3}}?(?:{ROLE_ALTERNATION})\b"
                         rf"(?:\s+(?:of|for|to|at|in|on)\s+[^,;:.“”\"]{{2,80}})?)", text[end:])
    return appointed.group(1) if appointed else ""


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
            named_as = _role_as(paragraph, end)
            spoke = re.match(rf"\s*,?\s*(?:(?P<between>[^,]{{0,120}}),\s*)?{VERB}\b", after)
            if spoke and spoke.group("between") and _is_name(spoke.group("between").strip()):
                spoke = None  # "The leader of Strategy X, Giorgi Vashadze, condemned": Vashadze
            said_by = re.search(rf"\b{VERB}\s*$", paragraph[:start]) is not None
            according = re.search(r"\b[Aa]ccording to\s*$", paragraph[:start])
            if not (role or named_as or spoke or said_by or according
                    or name in _known_names(people)
                    or _named_again(name, text)
                    or re.search(r"\b[A-Z][a-z]+[’']s\s+$", paragraph[:start])):
                continue
            key = slug(name.split()[-1])
            person = people.get(key) or _spelled_otherwise(name, people)
            if person is None:
                person = people[key] = DraftPerson(key, name, first_seen=order)
                order += 1
            elif len(name) > len(person.name):
                person.name = name
            for found in (role, named_as):
                if found and found not in person.roles:
                    person.roles.append(found)
    _fuller_titles(text, people)
    _find_institutions(paragraphs, people, order)
    _find_genders(paragraphs, people)
    for person in people.values():
        for role in person.roles:
            for alias in role_aliases(role, institution=person.institution):
                if alias not in person.role_aliases:
                    person.role_aliases.append(alias)
        if not person.institution:
            person.nationality = next(filter(None, map(nationality, person.roles)), "")
    return people


def _spelled_otherwise(name: str, people: dict[str, DraftPerson]) -> DraftPerson | None:
    """The person a full name spells another way: the same given name and a surname close in
    spelling ("Shavkat Mirzieyev" for "Shavkat Mirziyoyev"), a typo of the copy."""
    given, *_, surname = name.split() or [""]
    if given == surname:
        return None
    return next((p for p in people.values() if not p.institution and len(p.name.split()) > 1
                 and p.name.split()[0] == given and fuzz.ratio(p.name.split()[-1], surname)
                 >= SPELLING_CUTOFF), None)


@functools.cache
def _demonyms() -> dict[str, tuple[str, ...]]:
    return {row[0].replace("_", " "): tuple(w.replace("_", " ") for w in row[1:])
            for row in lexicon.groups("demonyms")}


@functools.cache
def _country_pattern() -> re.Pattern[str]:
    names = sorted({*_demonyms(), *(a for v in _demonyms().values() for a in v)}, key=len,
                   reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")(?:[’']s)?\b",
                      re.IGNORECASE)


def nationality(role: str) -> str:
    """The nationality a role states: "Georgia's Finance Minister", "Foreign Minister of
    Azerbaijan", "Armenian Prime Minister" -> "Georgian", "Azerbaijani", "Armenian" (the
    first country or adjective of bot/lexicon/demonyms.txt it names)."""
    found = next((m for m in _country_pattern().finditer(role) if not re.search(
        r"\b(?:on|to|from|in|about|for|with|against|over)\s+(?:the\s+)?[“\"]?$",
        role[:m.start()], re.IGNORECASE)), None)  # "expert on Iran" is not Iranian
    if not found:
        return ""
    word = found.group(1).casefold()
    demonyms = _demonyms()
    adjective = demonyms[word][0] if word in demonyms else word
    return " ".join(w.capitalize() for w in adjective.split())


def national_variant(role: str) -> str:
    """The role with its country said as an adjective, as readers ask for it: "Georgia's
    Finance Minister" -> "Georgian Finance Minister", "Foreign Minister of Azerbaijan" ->
    "Azerbaijani Foreign Minister"; empty when the role has no country."""
    demonyms = _demonyms()
    owned = re.match(r"^(?P<country>[A-Z][\w ]*?)[’']s\s+(?P<rest>.+)$", role)
    if owned and owned.group("country").casefold() in demonyms:
        adjective = demonyms[owned.group("country").casefold()][0]
        return f"{adjective.title()} {owned.group('rest')}"
    of = re.match(r"^(?P<rest>[^,]+?)\s+of\s+(?:the\s+)?(?P<country>[A-Z][\w ]*?)"
                  r"(?P<tail>\s+(?:to|in|at)\s+.+)?$", role)
    if of and of.group("country").casefold() in demonyms:
        adjective = demonyms[of.group("country").casefold()][0]
        return f"{adjective.title()} {of.group('rest')}{of.group('tail') or ''}"
    return ""


MAX_ALIAS_WORDS = 7  # a longer role ("leader of the ... party") is asked about by its head


def role_aliases(role: str, *, institution: bool = False) -> list[str]:
    """How readers may refer to someone by a role the article gives them: the role as
    written ("Armenian Prime Minister", "Foreign Minister of Azerbaijan"; "the expert on
    Azerbaijan" when it opens in lower case; the engine reads aliases by their words, so
    case and "the" do not matter), a long one by its head ("the leader"). An
    institution is "the ministry". A bare head noun ("the minister") is not one: it names
    everyone with that title and every "ministers" in a text; the article's own "the
    minister said" adds it (:func:`bot.drafting.draft`)."""
    if institution:
        heads = [w for w in role.split() if w.casefold() in ORG_WORDS]
        return [f"the {heads[-1].casefold()}"] if heads else []
    words_in = role.split()
    if not any(re.sub(r"[’']s$", "", w.casefold()).split("-")[-1] in ROLE_WORDS
               for w in words_in):
        return []
    if len(words_in) > MAX_ALIAS_WORDS:
        head = re.split(r"\s+(?:of|to|for|from|at|in)\s+", role, maxsplit=1)[0]
        head = re.sub(r"^(?:the|an?)\s+", "", head, flags=re.IGNORECASE)
        return [f"the {head.casefold()}"] if len(head.split()) <= 3 else []
    bare = re.sub(r"^(?:the|an?)\s+", "", role, flags=re.IGNORECASE)
    variant = national_variant(bare)
    return [bare if bare[:1].isupper() else f"the {bare}", *([variant] if variant else [])]


ORG_WORDS = frozenset(["ministry", "intelligence", "office", "service", "council", "committee",
                        "agency", "government", "party", "embassy", "administration",
                        "department", "commission", "bank", "fund", "kremlin", "cabinet",
                        "parliament", "court", "police", "army", "union", "organization",
                        "organisation", "institute", "center", "centre", "secretariat",
                        "directorate", "command", "majority", "opposition", "presidency",
                        "mission", "delegation", "coalition", "alliance", "bureau", "chamber",
                        "federation", "association", "society", "foundation", "company",
                        "corporation", "league", "board", "authority", "academy", "university",
                        "commerce", "ministries", "nations", "programme", "program", "forces",
                        "military", "navy", "network", "movement", "group", "initiative"])
# the words an article refers back to an institution by: "the report stated", "it added"
ORG_NOUNS = ORG_WORDS | {"report", "statement", "communique", "release", "document"}
_ORG_RUN = r"[A-Z][\w’'-]*(?:\s+(?:of|for|on|and|the|[A-Z][\w’'-]*))*"
# "the Ukrainian Ministry of Defence Intelligence warned", "according to Ukrainian defence
# intelligence,": an institution as the subject of a speech verb or the source of a report
# "the Sudanese army denied", "the Georgian government said": a people's adjective and an
# institution noun in lower case
_ORG_LOWER = re.compile(rf"\b[Tt]he\s+(?P<org>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*\s+"
                        rf"(?:army|government|military|police|parliament|ministry|navy|"
                        rf"opposition|embassy|presidency|cabinet))(?=\s+(?:[a-z]+ly\s+)?{VERB}\b)")
_ORG_SPEAKS = re.compile(rf"(?:^|(?<=[\s“\"(]))(?P<org>{_ORG_RUN})(?=\s+(?:[a-z]+ly\s+)?"
                         rf"{VERB}\b)")
_ORG_ACCORDING = re.compile(r"\b[Aa]ccording to (?:the\s+)?(?P<org>[A-Z][\w’'-]*(?:\s+"
                            r"[\w’'-]+){0,5}?)(?=[,.])")
# "Gazprom, in a statement, said", "Gazprom said in a statement": whoever issues a statement
_STATEMENT_BY = re.compile(r"(?:^|(?<=[\s(]))(?P<org>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,4})"
                           r"(?:,\s+in (?:a|an|its) (?:statement|press release|communiqu[eé])"
                           r"|\s+(?:said|stated|announced) in (?:a|an|its) (?:statement|press "
                           r"release|communiqu[eé]))")
_MEMBERS = re.compile(rf"\b[Tt]he members of the (?P<org>(?:[a-z]+\s+){{0,3}}[a-z]+)\s+"
                      rf"{VERB}\b")


def _find_institutions(paragraphs: list[str], people: dict[str, DraftPerson],
                       order: int) -> None:
    """Institutions that speak ("the Ministry said", "according to the Agency"), as speakers
    keyed by their last word, so "the Ukrainian Ministry of Defence Intelligence" and
    "Ukrainian Defence Intelligence" are one."""
    for paragraph in paragraphs:
        found = [m.group("org") for m in _ORG_SPEAKS.finditer(paragraph)]
        found += [m.group("org") for m in _ORG_LOWER.finditer(paragraph)]
        found += [m.group("org") for m in _ORG_ACCORDING.finditer(paragraph)]
        found += [m.group("org") for m in _MEMBERS.finditer(paragraph)]
        issuers = {m.group("org") for m in _STATEMENT_BY.finditer(paragraph)}
        for run in [*found, *issuers]:
            name = re.sub(r"^(?:The|the)\s+", "", run.strip())
            name = re.sub(r"\s+(?:of|for|on|and|the)$", "", name)
            words_in = name.split()
            heads = [w for w in words_in if w.casefold() in ORG_WORDS]
            if run in issuers and not heads and not _is_name(name):
                heads = [words_in[-1]]  # "Gazprom, in a statement,": a company by its name
            if not heads or any(w.casefold() in ROLE_WORDS for w in words_in):
                continue  # "Deputy Secretary of the Security Council": someone's title
            if words_in[-1].casefold() not in ORG_WORDS and " of " not in name and (
                    run not in issuers):
                continue  # "the Party leaders": the run is not the institution's name
            key = slug(heads[-1])
            if key in people:
                continue  # already someone, or already this institution in another spelling
            people[key] = DraftPerson(key, name, ["an institution named in the article"],
                                      [f"the {heads[-1].casefold()}"], order, True)
            order += 1


_MALE = {"he", "his", "him"}
_FEMALE = {"she", "her"}


def _find_genders(paragraphs: list[str], people: dict[str, DraftPerson]) -> None:
    """What the article shows of each person's gender: a title (Mr, Ms), a role (spokeswoman),
    or "he"/"she" opening the sentence after one that names only them."""
    text = "\n".join(paragraphs)
    humans = [p for p in people.values() if not p.institution]
    for person in humans:
        surname = re.escape(person.name.split()[-1])
        roles = " ".join(person.roles).casefold()
        if re.search(rf"\b(?:Mrs|Ms|Madam|Dame|Lady)\.?\s+(?:[A-Z][\w-]+\s+)?{surname}\b", text) or (
                re.search(r"\b\w+woman\b", roles)):
            person.gender = "f"
        elif re.search(rf"\b(?:Mr|Sir)\.?\s+(?:[A-Z][\w-]+\s+)?{surname}\b", text) or (
                re.search(r"\b(?:spokes|chair|business|congress)man\b", roles)):
            person.gender = "m"
    for paragraph in paragraphs:
        sentences = re.split(r"(?<=[.!?”\"])\s+", paragraph)
        for first, second in itertools.pairwise(sentences):
            named = [p for p in humans if re.search(rf"\b{re.escape(p.name.split()[-1])}\b",
                                                     first)]
            pronoun = re.match(r"(He|She|His|Her)\b", second)
            if len(named) == 1 and pronoun and not named[0].gender and not any(
                    re.search(rf"\b{re.escape(p.name.split()[-1])}\b", second) for p in humans):
                named[0].gender = "m" if pronoun.group(1).casefold() in _MALE else "f"


_DETERMINERS = frozenset(["the", "a", "an", "this", "that", "its", "their", "his", "her", "our"])


def _fuller_titles(text: str, people: dict[str, DraftPerson]) -> None:
    """A title given in full where no name follows ("Georgia’s Foreign Minister denied ..."),
    for the one person whose only title is its bare head ("Minister Mikheil Janelidze")."""
    for person in people.values():
        if len(person.roles) != 1 or len(person.roles[0].split()) != 1:
            continue
        head = person.roles[0]
        if sum(any(re.search(rf"\b{re.escape(head)}\b", r, re.IGNORECASE) for r in p.roles)
               for p in people.values()) != 1:
            continue  # two ministers: which one the full title is cannot be told
        fuller = {m.group(1) for m in re.finditer(
            rf"((?:[A-Z][\w’'-]*\s+){{1,3}}{re.escape(head)})\b(?!\s+(?:of\s+)?[A-Z])", text)}
        fuller = {f for f in fuller if f.split()[0] not in ("The", "A", "An")}
        if len(fuller) == 1:
            person.roles.insert(0, fuller.pop())


def _named_again(name: str, text: str) -> bool:
    """Whether the article refers to someone again by surname alone ("Putin, Aliyev and
    Rouhani signed"): news copy names a person in full once, then by surname. A place or a
    party ("Caspian Sea", "Free Democrats") is never cut to its last word."""
    first, surname = name.split()[0], name.split()[-1]
    if len(surname) < 3 or re.search(rf"\b{re.escape(surname.casefold())}\b", text):
        return False  # "the Sea", "countries": a word the article also writes in lower case
    for found in re.finditer(rf"\b{re.escape(surname)}\b(?![’']s\s+[A-Z])", text):
        before = text[max(0, found.start() - 40):found.start()]
        previous = re.search(r"(\S+)\s+$", before)
        after = text[found.end():found.end() + 2]
        word = previous.group(1).lstrip("\"“‘'(«[") if previous else ""
        if previous and (word == first or word.casefold() in _DETERMINERS
                         or word[:1].isupper() and not word.endswith((",", ".", ":", ";"))):
            continue  # the full name again, or a longer capitalised run
        if re.match(r"\s+[A-Z]", after) or after.startswith("-"):
            continue
        return True
    return False


def _known_names(people: dict[str, DraftPerson]) -> set[str]:
    return {p.name for p in people.values()}

