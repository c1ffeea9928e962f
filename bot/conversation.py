"""Follow-up questions: what "he", "and about X?" and "what else?" refer to.

A conversation keeps a small :class:`Context` (the last answer's speakers and what it showed).
:func:`resolve` turns a follow-up into the question it stands for ("what did he say about
Syria?" -> "what did Lukyanov say about Syria?"), or into a direct continuation ("what else did
he say?": the speaker's statements not shown yet); a question that names its own speaker or
topic starts over. Pure: no Telegram, no storage; the adapters keep one context per chat (or
per terminal session) and pass it in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.engine import Engine
from bot.patterns import GREETINGS, PERSON_NOUNS
from bot.render import PLAIN, note_text, render_result, short_name
from bot.results import Match, Note, NoteKind, Result, Status
from bot.text import INTERJECTIONS, fold

MAX_MORE = 5  # statements shown by one "what else?"
_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their|this person|that person)\b",
                      re.IGNORECASE)
_POSSESSIVE = frozenset({"his", "her", "hers", "their"})
# "what else did he say?", "anything else?", "more", "and?": the rest of what was being shown
_MORE = re.compile(r"^\s*(?:(?:and\s+)?(?:what\s+else|anything\s+else|more|tell\s+me\s+more|"
                   r"go\s+on|continue)(?:\s+(?:did|does|has|have|he|she|they|say|said|says|"
                   r"mention|mentioned|tell|me|us|is|there|please|pls|plz|from|him|her|them))*"
                   r"|and)"
                   r"\s*[?.!]*\s*$", re.IGNORECASE)
# "and about X?", "what about X?", "and on X?", "how about X?"
_ABOUT = re.compile(r"^\s*(?:and|what|how)\s+(?:about|on|regarding)\s+(?P<x>.+?)\s*\??\s*$",
                    re.IGNORECASE)
# "and the SCO?", "and military stuff?", "and Aliyev?": a short "and X?" continues the subject
_AND_X = re.compile(r"^\s*and\s+(?:the\s+)?(?P<x>(?:[\w'$.-]+\s*){1,4})\??\s*$", re.IGNORECASE)
# "who said that then?": who said what the last question asked about
_WHO_SAID_THAT = re.compile(r"^\s*(?:so\s+|then\s+)?who\s+(?:said|says|did|mentioned|talked\s+about|"
                            r"thinks|believes)\s+(?:that|this|it|so)?\b[\s\w]*\??\s*$",
                            re.IGNORECASE)
# the scaffolding around what a question asks: "did he say ...", "what did X say about ..."
_ASKED = re.compile(r"^\s*(?:did|does|has|(?:what|how)\s+(?:did|does))\s+[\w' -]+?\s+"
                    r"(?:say|said|mention|think|believe|claim|talk|speak|comment|discuss|warn|"
                    r"describe|see|view|assess)"
                    r"\s+(?:that\s+|about\s+|of\s+|on\s+)?"
                    r"(?P<x>.+?)\s*\??\s*$", re.IGNORECASE)
# "the other one", "the other guy": of two people quoted, the one the conversation is not about
_OTHER = re.compile(r"\bthe\s+other\s+(?:one|guy|man|woman|person|speaker|side|official|expert)\b"
                    r"|\bthe\s+other\b(?=\s*(?:say|said|think|thinks|mention|\?|$))",
                    re.IGNORECASE)
# "why?", "why did he say that?": the article gives reasons, if at all, in the speaker's words
_WHY = re.compile(r"^\s*(?:and\s+|but\s+)?(?:why|how\s+come)\b(?:\s+(?:did|does|is|was|would|"
                  r"he|she|they|say|said|think|so|that|this|it))*\s*[?.!]*\s*$", re.IGNORECASE)
_WHO_IS_HE = re.compile(r"^\s*who\s*(?:is|'s|was)\s+(?:he|she|that|this|they)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    """What a conversation was about after its last reply."""

    speakers: tuple[str, ...] = ()  # Person ids the last answer quoted (or was about)
    shown: tuple[str, ...] = ()  # entry ids shown so far for those speakers
    asked: str = ""  # what the last question asked about, without whom it asked it of


EMPTY = Context()


# "hi, ...", "ok so ...", "well, ...": small talk before the question proper
_LEAD_IN = re.compile(r"^\s*(?:(?:" + "|".join(sorted(GREETINGS | INTERJECTIONS | {"so", "well"},
                                                    key=len, reverse=True))
                      + r")\b[\s,!.:-]*)+", re.IGNORECASE)


def ask(engine: Engine, question: str, context: Context = EMPTY) -> tuple[Result, Context]:
    """Answer a question in a conversation; returns the reply and the context after it."""
    lead_in = _LEAD_IN.match(question)
    if lead_in and question[lead_in.end():].strip():
        result, after = ask(engine, question[lead_in.end():], context)
        return replace(result, question=question), after
    # a reload may have removed whom the conversation was about
    context = replace(context, speakers=tuple(p for p in context.speakers
                                              if engine.kb.find_person(p)))
    if context.asked and _WHO_SAID_THAT.match(question) and not _named_people(engine, question):
        result = engine.answer(f"who said {context.asked}")
        result = replace(result, question=question)
        return result, _next(engine, result, context)
    other = _other_speaker(engine, context) if _OTHER.search(question) else None
    if other:
        question_for = _OTHER.sub(short_name(engine.kb.person(other)), question)
        result = replace(engine.answer(question_for), question=question)
        return result, _next(engine, result, Context((other,)), named=(other,))
    speakers = context.speakers or _only_speaker(engine)
    if speakers and (_MORE.match(question) or _WHY.match(question)) and context.speakers:
        result = _more(engine, question, context)
        return result, _next(engine, result, context)
    rewritten = _rewrite(engine, question, speakers, context.asked) if speakers else question
    result = engine.answer(rewritten)
    if rewritten != question:
        result = replace(result, question=question)
    return result, _next(engine, result, context)


def _other_speaker(engine: Engine, context: Context) -> str | None:
    """Of the people quoted, the one other than whom the conversation is about, if one."""
    others = [p.id for p in engine.kb.quoted_people() if p.id not in context.speakers]
    return others[0] if context.speakers and len(others) == 1 else None


def _only_speaker(engine: Engine) -> tuple[str, ...]:
    """On a one-speaker article, "he" needs no earlier question."""
    quoted = engine.kb.quoted_people()
    return (quoted[0].id,) if len(quoted) == 1 else ()


def _rewrite(engine: Engine, question: str, speakers: tuple[str, ...], asked: str = "") -> str:
    """The follow-up as the question it stands for, or the question itself."""
    kb = engine.kb
    names = " and ".join(short_name(kb.person(p)) for p in speakers)
    if _WHO_IS_HE.match(question):
        return f"who is {kb.person(speakers[0]).name}"
    about = _ABOUT.match(question) or _AND_X.match(question)
    if about and _describes_someone(engine, about.group("x")):
        # "and the Russian deputy secretary?": the same question, of the person so described
        said = f" about {asked}" if asked else ""
        return f"what did the {about.group('x')} say{said}"
    if about and not _named_people(engine, about.group("x")):
        return f"what did {names} say about {about.group('x')}"
    if about:
        return f"what did {about.group('x')} say"  # "and Aliyev?": the same, of someone else
    if _named_people(engine, question):
        return question  # its own speaker: a fresh question
    return _PRONOUN.sub(lambda m: f"{names}'s" if m.group(1).lower() in _POSSESSIVE
                        and not _object_pronoun(question, m) else names, question)


def _describes_someone(engine: Engine, words: str) -> bool:
    """Whether words describe one person of the article by role ("the Russian deputy
    secretary"), not by name: a person noun, and asked what they said, the engine quotes one."""
    if (_named_people(engine, words) or _PRONOUN.search(words)
            or not PERSON_NOUNS & set(fold(words).split())):
        return False
    result = engine.answer(f"what did the {words} say")
    return result.status is Status.ANSWER and len(
        {m.speaker for m in result.matches if m.kind in ("statement", "person")}) == 1


def _object_pronoun(question: str, match: re.Match[str]) -> bool:
    """ "did she mention her" is rare; "her" before a noun is possessive, at the end an object."""
    return match.group(1).lower() == "her" and not question[match.end():].strip(" ?!.")


def _named_people(engine: Engine, question: str) -> tuple[str, ...]:
    """The people of the article a question names by name or alias."""
    words = set(re.findall(r"[\w'-]+", question.casefold().replace("'s", "")))
    named = []
    for person in engine.kb.people:
        for alias in (person.name, *person.aliases):
            parts = set(alias.casefold().split())
            if parts and parts <= words:
                named.append(person.id)
                break
    return tuple(named)


def _more(engine: Engine, question: str, context: Context) -> Result:
    """The speakers' statements not shown yet, or a note that there is no more."""
    kb = engine.kb
    rest = [s for p in context.speakers for s in kb.statements_by(p) if s.id not in context.shown]
    if not rest:
        note = Note(NoteKind.NO_MORE, context.speakers)
        result = Result(question, Status.NO_ANSWER, (), "", engine.examples, "", note)
    else:
        matches = tuple(Match(s.id, "statement", s.speaker, 100.0) for s in rest[:MAX_MORE])
        result = Result(question, Status.ANSWER, matches, "", (), "")
    return _rendered(engine, result)


def _rendered(engine: Engine, result: Result) -> Result:
    """A result built here, worded by render as the engine's are."""
    worded = replace(result, lead=note_text(result.note, engine.kb, result.lang))
    return replace(worded, text=render_result(worded, engine.kb, PLAIN))


def _next(engine: Engine, result: Result, context: Context,
          named: tuple[str, ...] = ()) -> Context:
    """The context after a reply: whom it was about, and what has been shown of them.

    Whom the question named counts first (an unanswered "what did Romanovich say about
    Syria?" still makes "he" Romanovich); otherwise whose words the answer showed.
    """
    named = named or _named_people(engine, result.question)
    topic = _ASKED.match(result.question)
    asked = topic.group("x") if topic else ""
    if result.status is not Status.ANSWER:
        if named and named != context.speakers:
            return Context(named, (), asked)
        return replace(context, asked=asked)
    speakers = named or tuple(dict.fromkeys(m.speaker for m in result.matches if m.speaker))
    if not speakers:
        return context
    shown = tuple(m.id for m in result.matches if m.speaker in speakers)
    if result.note.kind is NoteKind.WHO_IS:
        shown = ()  # a short card shows none of their words
    elif any(m.kind == "person" for m in result.matches):
        shown = tuple(s.id for p in speakers for s in engine.kb.statements_by(p)[:10])
    if speakers == context.speakers:
        shown = tuple(dict.fromkeys((*context.shown, *shown)))
    return Context(speakers, shown, asked)
