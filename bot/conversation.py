"""Follow-up questions: what "he", "and about X?" and "what else?" refer to.

A conversation keeps a small :class:`Context` (whom the last answer was about, what it showed,
what the last question asked and how). :func:`ask` reads the message's move
(:mod:`bot.followup`) and resolves it against the context: "what did he say about Syria?" ->
"what did Lukyanov say about Syria?", "and Aliyev?" -> the last question asked of Aliyev, "what
else did he say?" -> the speaker's statements not shown yet. A question that names its own
speaker starts over. The rules people chat by, which this module keeps:

- "he", "she", "his", "her" are one person: the one the conversation is about (on an article
  quoting one person, that person). "They" and "their" are a group: only two or more people the
  conversation is about, never one (people say "they" of the sides, the countries, the
  participants).
- Whom a pronoun meant is whom the next "he" means, whoever else the answer happened to show.
- A carried speaker never lends their name to another's words: when the engine's answer to a
  question asked of them shows someone else's statements, the reply says they were not quoted
  on it, and who was.
- "Else" means less what the conversation has shown already.

Pure: no Telegram, no storage; the adapters keep one context per chat (or per terminal
session, or per ``ask --json`` session) and pass it in. Telegram forgets it after a pause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot import describing, lexicon
from bot.engine import Engine
from bot.followup import FollowUp, Move
from bot.followup import read as read_move
from bot.knowledge import KnowledgeBase, Statement
from bot.patterns import GREETINGS, PERSON_NOUNS, PRONOUN_SUBJECT
from bot.pronouns import gender_of, pronoun_gender
from bot.render import PLAIN, note_text, render_result, short_name
from bot.results import Match, Note, NoteKind, Result, Status, Suggestion
from bot.text import INTERJECTIONS, fold, words

MAX_MORE = 5  # statements shown by one "what else?"
MAX_WHY = 3  # statements shown for one "why?": the likeliest reasons, not everything left
REASON_WORDS = lexicon.words("reasons")
_SINGULAR = re.compile(r"\b(he|she|him|her|his|hers|this person|that person|this guy|that guy)\b",
                       re.IGNORECASE)
_PLURAL = re.compile(r"\b(they|them|their|theirs)\b", re.IGNORECASE)
_ANY_PRONOUN = re.compile(f"{_SINGULAR.pattern}|{_PLURAL.pattern}", re.IGNORECASE)
_POSSESSIVE = frozenset({"his", "her", "hers", "their", "theirs"})
# a question's first word, not a name ("tell me about X" asks of no one)
_NOT_A_NAME = (r"(?!(?:what|who|how|why|when|where|which|did|does|do|is|are|was|were|has|have|"
               r"can|could|would|will|tell|anything|anyone)\b)")
# where a question names whom it asks: "what did X say", "did X mention", "who is X", "X on Y"
_SLOTS = (
    # (a Russian question, read in English words, may have no "did": "what he said about X")
    re.compile(r"^\s*(?:(?:and|so|ok)\s+)*(?:what|how|why|when)\s+(?:(?:did|does|do|has|had|"
               r"would|will|is|was)\s+)?(?P<x>.+?)\s+(?:say|said|says|think|thinks|thought|tell|"
               r"told|mention|mentioned|talk|speak|stress|stressed|note|noted|add|added|want|"
               r"propose|suggest|believe|claim|state|warn|warned|explain|explained|comment|feel|"
               r"describe|described|see|view|assess|call|mean|expect|hope|react|respond|reply)\b",
               re.IGNORECASE),
    re.compile(r"^\s*(?:(?:and|so|ok)\s+)*(?:did|does|has|had|is|was)\s+(?P<x>.+?)\s+"
               r"(?:say|mention|talk|speak|comment|discuss|stress|note|warn|explain|claim|state|"
               r"think|believe|agree|quote|bring|raise|refer|address|call)\b", re.IGNORECASE),
    re.compile(r"^\s*(?:(?:and|so|ok)\s+)*who\s*(?:is|'s|was)\s+(?P<x>.+?)\s*[?.!]*\s*$",
               re.IGNORECASE),
    re.compile(r"^\s*(?:(?:and|so|ok)\s+)*" + _NOT_A_NAME + r"(?P<x>[\w' -]+?)\s+(?:on|about)\s+\S",
               re.IGNORECASE),
)
# what a question asks about, after whom: "did he talk about X", "what did X say of X"
_TOPIC = re.compile(r"\b(?:say|said|says|mention|mentioned|think|thinks|thought|talk|talked|"
                    r"speak|spoke|comment|commented|discuss|discussed|warn|warned|describe|"
                    r"described|explain|explained|claim|claimed|believe|believes|see|view|"
                    r"assess|bring\s+up|raise|raised|address|addressed)\b"
                    r"\s+(?:(?:anything|something|much|a\s+lot)\s+)?"
                    r"(?:(?:about|of|on|regarding|concerning|that)\s+)?(?P<x>.+?)\s*[?.!]*\s*$",
                    re.IGNORECASE)
_ON_TOPIC = re.compile(r"^\s*(?:(?:and|so|ok|what\s+about)\s+)*" + _NOT_A_NAME
                       + r"[\w' -]+?\s+(?:on|about)\s+(?P<x>.+?)\s*[?.!]*\s*$", re.IGNORECASE)
# "... about it?", "did X say that too?" at the end: the last topic
_ABOUT_IT = re.compile(r"\b(about|on|of|regarding|mention|mentioned|say|said|says)\s+"
                       r"(?:it|that|this|so)\b(?=(?:\s+(?:too|also|as\s+well|either))?"
                       r"\s*[?.!]*\s*$)", re.IGNORECASE)
# "who blocked it?", "when did they close it?": a short question whose object is the last topic
_DID_IT = re.compile(r"^\s*(?:(?:and|so|ok)\s+)?(?:who|when|where|why|how)\s+(?:\w+\s+){0,3}?"
                     r"(?P<it>it|that)\s*[?.!]*\s*$", re.IGNORECASE)
# "when did he say it?", "where did she say that?"
_WHEN_SAID = re.compile(r"^\s*(?:(?:and|so|ok)\s+)?(?:when|where)\s+(?:did|does|has|had)\s+"
                        r"(?:he|she|they)\s+(?:say|said|tell|mention|make)\s+(?:it|that|this)"
                        r"(?:\s+(?:remark|statement|comment))?\s*[?.!]*\s*$", re.IGNORECASE)
_ONE = re.compile(r"^\s*(?:the\s+)?(?P<x>(?!other\b)[\w'-]+(?:\s+[\w'-]+)?)\s+one\s*$",
                  re.IGNORECASE)
_WHO_ASKED = re.compile(r"^\s*(?:(?:and|so|ok|then)\s+)*(?:who|whom|which\s+\w+|anyone|anybody)\s+"
                        r"(?:(?:else|also|then)\s+)?(?!is\b|was\b|are\b|'s\b)\w", re.IGNORECASE)
_SLOT = "\x00"  # where the frame of a question takes whom it asks


@dataclass(frozen=True)
class Context:
    """What a conversation was about after its last reply."""

    speakers: tuple[str, ...] = ()  # Person ids the last answer quoted (or was about)
    shown: tuple[str, ...] = ()  # entry ids shown so far for those speakers
    asked: str = ""  # what the last question asked about, without whom it asked it of
    frame: str = ""  # the last question with whom it asked of as _SLOT ("and Aliyev?")
    named_as: str = ""  # the words it named them with ("the Turkish minister")
    last: tuple[str, ...] = ()  # entry ids the last reply showed
    previous: tuple[str, ...] = ()  # whom the conversation was about before ("the other one")
    asked_who: bool = False  # the last question asked who said something ("and about X?")
    question: str = ""  # the last question as the engine was asked it ("where?" re-asks it)


EMPTY = Context()


# "hi, ...", "ok so ...", "well, ...": small talk before the question proper
_LEAD_IN = re.compile(r"^\s*(?:(?:" + "|".join(sorted(GREETINGS | INTERJECTIONS | {"so", "well"},
                                                    key=len, reverse=True))
                      + r")\b[\s,!.:-]*)+", re.IGNORECASE)


@dataclass(frozen=True)
class _Asked:
    """A message resolved: the question the engine is asked, and of whom the conversation
    asked it (empty when the question chose its own people)."""

    question: str
    carried: tuple[str, ...] = ()


def ask(engine: Engine, question: str, context: Context = EMPTY) -> tuple[Result, Context]:
    """Answer a question in a conversation; returns the reply and the context after it."""
    lead_in = _LEAD_IN.match(question)
    if lead_in and question[lead_in.end():].strip():
        result, after = ask(engine, question[lead_in.end():], context)
        return replace(result, question=question), after
    # a reload may have removed whom the conversation was about
    context = replace(context, speakers=tuple(p for p in context.speakers
                                              if engine.kb.find_person(p)))
    move = read_move(question)
    direct = _direct(engine, question, move, context)
    if direct is not None:
        return direct
    asked = _resolve(engine, move, context)
    if asked is None:  # not a follow-up: the question as typed
        result = engine.answer(question)
        return result, _next(engine, result, context, move.text)
    result = engine.answer(asked.question)
    if asked.carried:
        result = _only_theirs(engine, result, asked.carried, _topic(asked.question))
    if move.excluding:
        result = _less_shown(engine, result, context)
    result = _localized(engine, replace(result, question=question), move.lang)
    return result, _next(engine, result, context, asked.question, asked.carried)


def _direct(engine: Engine, question: str, move: FollowUp, context: Context,
            ) -> tuple[Result, Context] | None:
    """The moves answered from the context alone: "what else?", "why?", "the other one"."""
    if move.move is Move.OTHER:
        other = _other_speaker(engine, context)
        if other is None:
            return None
        name = short_name(engine.kb.person(other))
        asked = _OTHER_WORDS.sub(name, move.text)
        if not re.sub(r"\W|\band\b|\bwhat\s+about\b", "", asked.replace(name, "")):
            # "and the other one?": the last question, asked of them
            asked = (context.frame.replace(_SLOT, name) if context.frame
                     else f"what did {name} say")
        result = engine.answer(asked)
        result = _localized(engine, replace(result, question=question), move.lang)
        return result, _next(engine, result, context, asked, (other,))
    said = ([i for i in context.last if _known_statement(engine.kb, i)]
            or _reported_in(engine.kb, context.last)
            if move.move is Move.WHO_SAID_IT and not context.asked_who else [])
    if said:
        # "how close are Russia and Kazakhstan, according to the Kremlin?" "who said that?":
        # whose words the last reply showed
        matches = tuple(Match(i, "statement", engine.kb.statement(i).speaker, 100.0)
                        for i in said)
        who = tuple(dict.fromkeys(m.speaker or "" for m in matches))
        result = _rendered(engine, Result(question, Status.ANSWER, matches, "", (), "",
                                          Note(NoteKind.SPOKE_ABOUT, others=who)))
        return _localized(engine, result, move.lang), _next(engine, result, context, "", who)
    if move.move in (Move.MORE, Move.WHY) and context.speakers and not move.excluding:
        meant = _of_gender(engine, move.text, context.speakers, context.previous)
        if len(meant) > 1 and _SINGULAR.search(move.text):
            # "what else did he say?" after two people's words: which of them "he" is, asked
            # with buttons, never both people's words under "he"
            asked = f"what did {_names(engine, meant)} say?"
            result = _localized(engine, replace(engine.answer(asked), question=question),
                                move.lang)
            return result, _next(engine, result, context, asked, meant)
        if meant and meant != context.speakers:
            context = replace(context, speakers=meant)
        result = _more(engine, question, context, why=move.move is Move.WHY)
        result = _localized(engine, result, move.lang)
        return result, _next(engine, result, context, "", context.speakers)
    return None


def _of_gender(engine: Engine, text: str, speakers: tuple[str, ...],
               previous: tuple[str, ...]) -> tuple[str, ...]:
    """Whom a gendered pronoun can mean: "did he also say ...?" after a spokeswoman's words is
    not her; of the earlier speakers, the one it fits (none: it means no one known)."""
    wanted = pronoun_gender(text)
    if wanted is None or not speakers:
        return speakers
    kb = engine.kb
    fits = tuple(p for p in speakers if gender_of(kb, kb.person(p)) in (None, wanted))
    if fits:
        return fits
    return tuple(p for p in previous if p not in speakers
                 and gender_of(kb, kb.person(p)) in (None, wanted))[:1]


_SINGULAR = re.compile(r"\b(?:he|she|him|her|his)\b", re.IGNORECASE)
_OTHER_WORDS = re.compile(r"\b(?:the\s+)?other(?:\s+(?:one|guy|man|woman|person|speaker|side|"
                          r"official|expert))?\b", re.IGNORECASE)


def _resolve(engine: Engine, move: FollowUp, context: Context) -> _Asked | None:
    """The question a follow-up stands for, or None when it is a question of its own."""
    speakers = _of_gender(engine, move.text, context.speakers or _only_speaker(engine),
                          context.previous)
    text = move.text
    own = move.excluding  # a question of its own, but changed here: asked as changed
    if not context.last and _WHEN_SAID.match(text):
        # "did he also say the bombers never landed?" (no) "when did he say it?": what he did
        # say, not the words the last reply found he never said
        return _Asked(_substituted(engine, text, speakers[:1], singular=True),
                      speakers[:1]) if speakers else None
    if context.asked and _ABOUT_IT.search(text):  # "who else talked about it?": the topic
        text = _ABOUT_IT.sub(lambda m: f"{m.group(1)} {context.asked}", text)
        move = replace(move, text=text, tail=_ABOUT_IT.sub(
            lambda m: f"{m.group(1)} {context.asked}", move.tail))
        own = True
    did_it = _DID_IT.match(text)
    if context.asked and did_it and not _named_people(engine, text):
        # "what did he say about the avenue's closure?" "who blocked it?": of the closure
        text = text[:did_it.start("it")] + context.asked + text[did_it.end("it"):]
        move = replace(move, text=text)
        own = True
    if move.head:
        who = _head_person(engine, move.head)
        if who:
            return _Asked(_pronoun_as(move.tail, who[0]), who[1])
    if move.move is Move.WH:  # "when did they meet?" "where?": the same, asked "where"
        return _Asked(_rewhere(context.question, move.subject)) if context.question else None
    if move.move is Move.WHO_SAID_IT:
        return _Asked(f"who said {context.asked}") if context.asked else None
    if move.move is Move.WHO_IS and speakers:  # of two or more: the engine asks whom
        return _Asked("who is " + " and ".join(engine.kb.person(p).name for p in speakers))
    if move.move is Move.MORE and speakers:  # "what else did X say?", "more" on one speaker
        return _Asked(_substituted(engine, "what did he say?", speakers[:1], singular=True),
                      speakers[:1])
    if move.move is Move.AND:
        return _and(engine, move, context, speakers)
    singular = len(speakers) == 1
    # a question of its own, unless its pronoun speaks ("what did he say Ivanishvili had
    # claimed?": he speaks; whom it names is spoken of)
    if not speakers or (_named_people(engine, text) and not _pronoun_speaks(text, singular)):
        return _Asked(text) if own else None
    if not (_SINGULAR.search(text) if singular else _PLURAL.search(text) or
            _SINGULAR.search(text)):
        return _Asked(text) if own else None
    return _Asked(_substituted(engine, text, speakers, singular=singular), speakers)


def _and(engine: Engine, move: FollowUp, context: Context,
         speakers: tuple[str, ...]) -> _Asked | None:
    """ "and about X?" of the same person; "and X?" of another person, or another topic."""
    x = move.subject
    if context.asked_who and (move.about or not _named_people(engine, x)):
        return _Asked(f"who talked about {x}")  # "who spoke of visas?" "and sanctions?"
    if move.about and speakers:  # "and about Patrushev?": what they said of Patrushev
        return _Asked(f"what did {_names(engine, speakers)} say about {x}", speakers)
    named = _named_people(engine, x)
    person = named[0] if len(named) == 1 and _is_only_a_name(engine, x, named[0]) else None
    if person is None and _ONE.match(x):  # "and the Iranian one?": the Iranian minister
        x = _one(x, context.named_as)
        person = _described(engine, x) if _describes_someone(engine, x) else None
        if person is None:
            return None
    elif person is None and _describes_someone(engine, x):
        person = _described(engine, x)
    if person is not None:
        # "and Aliyev?", "and the Russian deputy secretary?": the same question, of them
        if not (context.frame or context.asked):
            return None  # no last question to ask of them: "and Bob?" as typed
        who = x if person not in named else short_name(engine.kb.person(person))
        if context.frame:
            return _Asked(context.frame.replace(_SLOT, who))
        said = f" about {context.asked}" if context.asked else ""
        return _Asked(f"what did {who} say{said}")
    if named:  # "what about Lukyanov on Syria?": a question naming its own speaker
        return _Asked(f"what did {x} say")
    if context.frame and _only_places(context.named_as) and _only_places(x):
        # "how did France react?" "and the US?": a country asked of in a country's place
        return _Asked(context.frame.replace(_SLOT, x))
    if speakers:
        return _Asked(f"what did {_names(engine, speakers)} say about {x}", speakers)
    return _Asked(f"who said {x}") if context.asked else None


_LEADING_WH = re.compile(r"^\s*(?:(?:and|so|ok|then)\s+)*(?:what|when|where|who|whom|"
                         r"which\s+\w+|how\s+(?:many|much|long|often)|how)\b", re.IGNORECASE)


def _rewhere(question: str, wh: str) -> str:
    """The question asked with another question word: "when did X meet Y?" + "where" ->
    "where did X meet Y?"; one without its own ("did X meet Y?") gets it in front."""
    if _LEADING_WH.match(question):
        return _LEADING_WH.sub(wh, question, count=1)
    return f"{wh} {question}"


def _pronoun_speaks(question: str, singular: bool) -> bool:
    """Whether the one who speaks in "what did X say ...", "did X mention ..." is a pronoun
    ("he", or "they" of several)."""
    for slot in _SLOTS[:2]:
        match = slot.match(question)
        if match:
            who = match.group("x").strip()
            return bool((_SINGULAR if singular else _PLURAL).fullmatch(who))
    # "where did he meet Trump?": the pronoun is the subject, whom it names the object
    return singular and bool(PRONOUN_SUBJECT.search(question.lower()))


def _only_places(words: str) -> bool:
    """Whether words name places and nothing else ("France", "the US", "Baku and Ankara")."""
    return describing.only_places(describing.read(words))


def _is_only_a_name(engine: Engine, words: str, person_id: str) -> bool:
    """Whether words are a person's name and nothing more ("the Aliyev?", not "Aliyev on X")."""
    person = engine.kb.person(person_id)
    names = {w for alias in (person.name, *person.aliases) for w in fold(alias).split()}
    rest = [w for w in re.findall(r"[\w'-]+", fold(words)) if w not in names]
    return all(w in ("the", "mr", "mrs", "ms", "dr", "s") for w in rest)


def _head_person(engine: Engine, head: str) -> tuple[str, tuple[str, ...]] | None:
    """Whom the head of "the ambassador, what did he say?" means, as words for "he" and the
    person carried (none for a description, which the engine reads in the whole question): of
    its comma-separated parts, the last that names or describes one person ("his boss, the
    head of the centre")."""
    for part in reversed(re.split(r"\s*,\s*", head)):
        named = _named_people(engine, part)
        if len(named) == 1:
            return short_name(engine.kb.person(named[0])), named
        if not named and _describes_someone(engine, part):
            article = "" if re.match(r"\s*(?:the|a|an)\b", part, re.IGNORECASE) else "the "
            return article + part.strip(), ()
    return None


def _pronoun_as(question: str, who: str) -> str:
    """The question with "he" / "she" (and "his" / "her") as the words for whom they mean."""
    return _SINGULAR.sub(lambda m: f"{who}'s" if m.group(0).lower() in _POSSESSIVE
                         and not _object_pronoun(question, m) else who, question)


def _substituted(engine: Engine, question: str, speakers: tuple[str, ...], *,
                 singular: bool) -> str:
    """The question with its pronouns as the speakers' names ("his" as "Lukyanov's")."""
    names = _names(engine, speakers)
    if singular:
        return _pronoun_as(question, names)
    return _ANY_PRONOUN.sub(lambda m: f"{names}'s" if m.group(0).lower() in _POSSESSIVE
                            and not _object_pronoun(question, m) else names, question)


def _names(engine: Engine, speakers: tuple[str, ...]) -> str:
    return " and ".join(short_name(engine.kb.person(p)) for p in speakers)


def _other_speaker(engine: Engine, context: Context) -> str | None:
    """The one the conversation was about before whom it is about now; or, of two people
    quoted, the one it is not about; else None (no guess among more)."""
    if not context.speakers:
        return None
    before = [p for p in context.previous if p not in context.speakers]
    if len(before) == 1:
        return before[0]
    others = [p.id for p in engine.kb.quoted_people() if p.id not in context.speakers]
    return others[0] if len(others) == 1 else None


def _only_speaker(engine: Engine) -> tuple[str, ...]:
    """On a one-speaker article, "he" needs no earlier question."""
    quoted = engine.kb.quoted_people()
    return (quoted[0].id,) if len(quoted) == 1 else ()


def _describes_someone(engine: Engine, words: str) -> bool:
    """Whether words describe a person of the article by role ("the Russian deputy
    secretary"), not by name: a person noun, and no name or pronoun."""
    return not (_named_people(engine, words) or _SINGULAR.search(words)
                or _PLURAL.search(words)) and bool(PERSON_NOUNS & set(fold(words).split()))


def _described(engine: Engine, words: str) -> str | None:
    """The one person described, when asked what they said the engine quotes one."""
    article = "" if re.match(r"\s*(?:the|a|an)\b", words, re.IGNORECASE) else "the "
    result = engine.answer(f"what did {article}{words} say")
    people = {m.speaker for m in result.matches if m.kind in ("statement", "person")}
    return people.pop() if result.status is Status.ANSWER and len(people) == 1 else None


def _fact_subject(engine: Engine, result: Result) -> tuple[str, ...]:
    """Whom a reply of facts is about, for the next "he": the one person its first fact names;
    of several, the one of them the article quotes ("who announced it?" -> the spokesman, not
    the envoy he named); else no one."""
    facts = [m for m in result.matches if m.kind == "fact"]
    if not facts:
        return ()
    named = _named_people(engine, engine.kb.fact(facts[0].id).quote)
    quoted = [p for p in named if engine.kb.statements_by(p)]
    return named if len(named) == 1 else (quoted[0],) if len(quoted) == 1 else ()


def _object_pronoun(question: str, match: re.Match[str]) -> bool:
    """ "did she mention her" is rare; "her" before a noun is possessive, at the end an object."""
    return match.group(0).lower() == "her" and not question[match.end():].strip(" ?!.")


def _named_people(engine: Engine, question: str) -> tuple[str, ...]:
    """The people of the article a question names by name or alias."""
    words = set(re.findall(r"[\w'-]+", fold(question).replace("'s", "")))
    named = []
    for person in engine.kb.people:
        for alias in (person.name, *person.aliases):
            parts = set(fold(alias).split())
            if parts and parts <= words:
                named.append(person.id)
                break
    return tuple(named)


def _topic(question: str) -> str:
    """What a question asks about, without whom: "did he talk about visas?" -> "visas"."""
    match = _TOPIC.search(question) or _ON_TOPIC.match(question)
    return match.group("x") if match else ""


def _frame(engine: Engine, question: str) -> tuple[str, str]:
    """The question with whom it asks of as _SLOT, and the words it names them with, when
    that is a person; else ("", "")."""
    for slot in _SLOTS:
        match = slot.match(question)
        if not match:
            continue
        who = match.group("x")
        named = _named_people(engine, who)
        if (len(named) == 1 and _is_only_a_name(engine, who, named[0])) or (
                not named and _describes_someone(engine, who)):
            return question[:match.start("x")] + _SLOT + question[match.end("x"):], who
        break
    return "", ""


def _one(words: str, named_as: str) -> str:
    """ "the Iranian one" after "the Turkish minister": "one" stands for the person noun the
    last question named someone with ("the Iranian minister"); other words as they are."""
    one = _ONE.match(words)
    nouns = [w for w in fold(named_as).split() if w in PERSON_NOUNS]
    return f"the {one['x']} {nouns[-1]}" if one and nouns else words


# ------------------------------------------------------------------------- the replies


def _more(engine: Engine, question: str, context: Context, *, why: bool = False) -> Result:
    """The speakers' statements not shown yet, or a note that there is no more; for "why?",
    those likeliest to give the reasons of what was shown last first."""
    kb = engine.kb
    rest = [s for p in context.speakers for s in kb.statements_by(p) if s.id not in context.shown]
    if not rest:
        note = Note(NoteKind.NO_MORE, context.speakers)
        result = Result(question, Status.NO_ANSWER, (), "", engine.examples, "", note)
        return _rendered(engine, result)
    limit = MAX_MORE
    if why:
        rest = _by_reason(kb, rest, context.last)
        limit = MAX_WHY
    matches = tuple(Match(s.id, "statement", s.speaker, 100.0) for s in rest[:limit])
    return _rendered(engine, Result(question, Status.ANSWER, matches, "", (), ""))


def _by_reason(kb: KnowledgeBase, statements: list[Statement],
               last: tuple[str, ...]) -> list[Statement]:
    """Statements ordered by how likely they explain the last ones shown: sharing their topics
    counts most, then giving a reason ("because", "so", or a curated "why ..." question)."""
    topics = {t for i in last if _known_statement(kb, i) for t in kb.statement(i).topics}

    def score(statement: Statement) -> int:
        shared = len(topics & set(statement.topics))
        words = set(re.findall(r"[a-z]+", statement.text.casefold()))
        reason = bool(words & REASON_WORDS) or any(
            q.casefold().startswith("why") for q in statement.questions)
        return 2 * shared + reason

    return sorted(statements, key=score, reverse=True)  # stable: article order among equals


def _known_statement(kb: KnowledgeBase, entry_id: str) -> bool:
    return any(s.id == entry_id for s in kb.statements)


def _reported_in(kb: KnowledgeBase, entry_ids: tuple[str, ...]) -> list[str]:
    """The statements whose words are the shown facts' ("Zarif is scheduled to attend on
    Monday", in the spokesman's words): "who announced that?" asks whose they are."""
    quoted = [_runs(f.quote) for f in kb.facts if f.id in entry_ids]
    return [s.id for s in kb.statements if any(_runs(s.text) & runs for runs in quoted)]


def _runs(text: str, size: int = 6) -> set[tuple[str, ...]]:
    """Every run of ``size`` words in a text: two texts sharing one share the article's words."""
    said = words(text)
    return {tuple(said[i:i + size]) for i in range(len(said) - size + 1)}


def _speaks_for(kb: KnowledgeBase, statement: Statement, person_id: str) -> bool:
    """Whether a statement is the person's words, or words that cite them or that they share
    (a statement of "Asatryan and Israelyan" is Asatryan's too)."""
    if statement.speaker == person_id or statement.cites == person_id:
        return True
    person = kb.person(person_id)
    surname = fold(short_name(person))
    if statement.cites and surname in fold(statement.cites).split():
        return True
    group = kb.find_person(statement.speaker)
    return group is not None and fold(person.name) in fold(group.name)


def _only_theirs(engine: Engine, result: Result, carried: tuple[str, ...],
                 topic: str) -> Result:
    """The reply to a question asked of the conversation's speakers: never others' words.
    Others' statements are dropped; when none of theirs is left, the reply says they were not
    quoted on it, and who was."""
    if result.status is not Status.ANSWER or (
            result.note.kind in (NoteKind.CITED_BY, NoteKind.QUOTING_ON)
            and set(result.note.people) & set(carried)):
        # the engine's own lead says whose words they are ("Y cited X:", "Peskov, on
        # Tokayev and Putin:")
        return result
    kb = engine.kb
    kept, others = [], []
    for match in result.matches:
        if match.kind == "statement" and not any(
                _speaks_for(kb, kb.statement(match.id), p) for p in carried):
            others.append(match.speaker or "")
        else:
            kept.append(match)
    if not others:
        return result
    if any(m.kind == "statement" for m in kept):
        return _rendered(engine, replace(result, matches=tuple(kept)))
    others = list(dict.fromkeys(p for p in others if p and p not in carried))
    subject = topic or "that"
    note = Note(NoteKind.NOT_QUOTED_ON, carried, tuple(others), subject=subject)
    suggestions = tuple(
        Suggestion(f"{short_name(kb.person(p))} on {subject}",
                   f"What did {short_name(kb.person(p))} say about {subject}?")
        for p in others[:3]) if topic else engine.examples
    return _rendered(engine, Result(result.question, Status.NO_ANSWER, (), "", suggestions, "",
                                    note))


def _less_shown(engine: Engine, result: Result, context: Context) -> Result:
    """ "What else did X say ...?", "who else ...?": the answer less what was shown already
    (for "who else", less whose words were shown); a note when nothing is left."""
    if result.status is not Status.ANSWER:
        return result
    seen = set(context.shown) | set(context.last)
    who_else = result.note.kind is NoteKind.SPOKE_ABOUT
    kept = tuple(m for m in result.matches
                 if m.id not in seen and not (who_else and m.speaker in context.speakers))
    if kept == result.matches:
        return result
    if not kept:  # "that is all the article quotes of X on Y", or on that
        note = Note(NoteKind.NO_MORE, _named_people(engine, result.question),
                    subject=_topic(result.question))
        return _rendered(engine, Result(result.question, Status.NO_ANSWER, (), "",
                                        engine.examples, "", note))
    note = result.note
    if who_else:
        note = replace(note, others=tuple(dict.fromkeys(m.speaker for m in kept
                                                        if m.speaker)))
    return _rendered(engine, replace(result, matches=kept, note=note))


def _rendered(engine: Engine, result: Result) -> Result:
    """A result built here, worded by render as the engine's are."""
    worded = replace(result, lead=note_text(result.note, engine.kb, result.lang)
                     if result.note.kind is not NoteKind.NONE or result.matches else "")
    return replace(worded, text=render_result(worded, engine.kb, PLAIN))


def _localized(engine: Engine, result: Result, lang: str) -> Result:
    """A reply to a Russian follow-up, asked of the engine in English, with its lead in
    Russian as the engine words its own Russian replies."""
    if lang == result.lang:
        return result
    return _rendered(engine, replace(result, lang=lang))


def _next(engine: Engine, result: Result, context: Context, asked_as: str,
          named: tuple[str, ...] = ()) -> Context:
    """The context after a reply: whom it was about, and what has been shown of them.

    Whom the question was asked of counts first (an unanswered "what did Romanovich say about
    Syria?" still makes "he" Romanovich; "he" stays whom it meant, whoever else the answer
    showed); otherwise whose words the answer showed.
    """
    named = named or _named_people(engine, asked_as)
    who_asked = bool(_WHO_ASKED.match(asked_as))
    if named and who_asked and result.status is Status.ANSWER:
        # "who responded to Aliyev's statements?": whoever the answer quotes is "she" next,
        # not Aliyev, whom the question only spoke of
        said = {m.speaker for m in result.matches if m.kind == "statement" and m.speaker}
        if said and not said & set(named):
            named = ()
    after = replace(_after(engine, result, context, asked_as, named),
                    asked_who=who_asked and not named,
                    question=asked_as or context.question)
    if after.speakers != context.speakers and context.speakers:
        return replace(after, previous=context.speakers)
    return replace(after, previous=context.previous)


def _after(engine: Engine, result: Result, context: Context, asked_as: str,
           named: tuple[str, ...]) -> Context:
    """:func:`_next` but for whom the conversation was about before."""
    topic = _topic(asked_as)
    frame, named_as = _frame(engine, asked_as)
    last = tuple(m.id for m in result.matches) if result.status is Status.ANSWER else ()
    if result.status is not Status.ANSWER:
        if named and named != context.speakers:
            return Context(named, (), topic, frame, named_as)
        if not frame:
            frame, named_as = context.frame, context.named_as
        return replace(context, asked=topic, frame=frame, named_as=named_as, last=())
    speakers = (named or tuple(dict.fromkeys(m.speaker for m in result.matches if m.speaker))
                or _fact_subject(engine, result))
    if not speakers:
        return replace(context, asked=topic, frame=frame, named_as=named_as, last=last)
    shown = tuple(m.id for m in result.matches if m.speaker in speakers)
    if result.note.kind is NoteKind.WHO_IS:
        shown = ()  # a short card shows none of their words
    elif any(m.kind == "person" for m in result.matches):
        shown = tuple(s.id for p in speakers for s in engine.kb.statements_by(p)[:10])
    if speakers == context.speakers:
        shown = tuple(dict.fromkeys((*context.shown, *shown)))
    return Context(speakers, shown, topic, frame, named_as, last)
