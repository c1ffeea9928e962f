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
from bot.render import PLAIN, short_name
from bot.results import Match, Note, NoteKind, Result, Status

MAX_MORE = 5  # statements shown by one "what else?"
_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their|this person|that person)\b",
                      re.IGNORECASE)
_POSSESSIVE = frozenset({"his", "her", "hers", "their"})
# "what else did he say?", "anything else?", "more", "and?": the rest of what was being shown
_MORE = re.compile(r"^\s*(?:(?:and\s+)?(?:what\s+else|anything\s+else|more|tell\s+me\s+more|"
                   r"go\s+on|continue)(?:\s+(?:did|does|has|have|he|she|they|say|said|says|"
                   r"mention|mentioned|tell|me|us|is|there|please|from|him|her|them))*|and)"
                   r"\s*[?.!]*\s*$", re.IGNORECASE)
# "and about X?", "what about X?", "and on X?", "how about X?"
_ABOUT = re.compile(r"^\s*(?:and|what|how)\s+(?:about|on|regarding)\s+(?P<x>.+?)\s*\??\s*$",
                    re.IGNORECASE)
_WHO_IS_HE = re.compile(r"^\s*who\s*(?:is|'s|was)\s+(?:he|she|that|this|they)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    """What a conversation was about after its last reply."""

    speakers: tuple[str, ...] = ()  # Person ids the last answer quoted (or was about)
    shown: tuple[str, ...] = ()  # entry ids shown so far for those speakers


EMPTY = Context()


def ask(engine: Engine, question: str, context: Context = EMPTY) -> tuple[Result, Context]:
    """Answer a question in a conversation; returns the reply and the context after it."""
    speakers = context.speakers or _only_speaker(engine)
    if speakers and _MORE.match(question) and context.speakers:
        result = _more(engine, question, context)
        return result, _next(engine, result, context)
    rewritten = _rewrite(engine, question, speakers) if speakers else question
    result = engine.answer(rewritten)
    if rewritten != question:
        result = replace(result, question=question)
    return result, _next(engine, result, context)


def _only_speaker(engine: Engine) -> tuple[str, ...]:
    """On a one-speaker article, "he" needs no earlier question."""
    quoted = engine.kb.quoted_people()
    return (quoted[0].id,) if len(quoted) == 1 else ()


def _rewrite(engine: Engine, question: str, speakers: tuple[str, ...]) -> str:
    """The follow-up as the question it stands for, or the question itself."""
    kb = engine.kb
    names = " and ".join(short_name(kb.person(p)) for p in speakers)
    if _WHO_IS_HE.match(question):
        return f"who is {kb.person(speakers[0]).name}"
    about = _ABOUT.match(question)
    if about:
        return f"what did {names} say about {about.group('x')}"
    if _names_someone(engine, question):
        return question  # its own speaker: a fresh question
    return _PRONOUN.sub(lambda m: f"{names}'s" if m.group(1).lower() in _POSSESSIVE
                        and not _object_pronoun(question, m) else names, question)


def _object_pronoun(question: str, match: re.Match[str]) -> bool:
    """ "did she mention her" is rare; "her" before a noun is possessive, at the end an object."""
    return match.group(1).lower() == "her" and not question[match.end():].strip(" ?!.")


def _names_someone(engine: Engine, question: str) -> bool:
    """Whether the question names a person of the article itself."""
    words = set(re.findall(r"[\w'-]+", question.casefold()))
    for person in engine.kb.people:
        for alias in (person.name, *person.aliases):
            parts = set(alias.casefold().split())
            if parts and parts <= words:
                return True
    return False


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
    from bot.render import note_text, render_result

    worded = replace(result, lead=note_text(result.note, engine.kb, result.lang))
    return replace(worded, text=render_result(worded, engine.kb, PLAIN))


def _next(engine: Engine, result: Result, context: Context) -> Context:
    """The context after a reply: its speakers, and what has been shown of them."""
    if result.status is not Status.ANSWER:
        return context  # an unanswered question leaves the subject where it was
    speakers = tuple(dict.fromkeys(m.speaker for m in result.matches if m.speaker))
    if not speakers:
        return context
    shown = tuple(m.id for m in result.matches)
    if any(m.kind == "person" for m in result.matches):
        shown = tuple(s.id for p in speakers for s in engine.kb.statements_by(p)[:10])
    if speakers == context.speakers:
        shown = tuple(dict.fromkeys((*context.shown, *shown)))
    return Context(speakers, shown)
