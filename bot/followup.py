"""What a chat message does in a conversation: the moves people make after an answer.

:func:`read` turns a message into a :class:`FollowUp`, without looking at the conversation:
"what else?" asks for more of the same, "why?" for the reasons, "who is he?" for the card of
whom the chat is about, "who said it then?" for whoever said what was just asked about, "the
other one" for the other of two people, "and about X?" / "and X?" for the same question of
another topic or person, "what else did X say ...?" / "who else ...?" for the same question
less what was shown already; anything else is a question of its own (whose "he" may still
refer back). "The ambassador, what did he say?" puts whom "he" means first; that head is kept.
A Russian message is read in English words first (:mod:`bot.russian`), so the same moves work
in both languages ("а о визах?" is "and about visa?", "что ещё?" is "what also?").

Every pattern is compiled here; :mod:`bot.conversation` resolves a move against the context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum

from bot.russian import is_russian
from bot.russian import read as read_russian


class Move(str, Enum):
    """What a message asks of the conversation."""

    QUESTION = "question"  # a question of its own
    MORE = "more"  # "what else?", "more", "go on": the rest of what was being shown
    WHY = "why"  # "why?", "why did he say that?"
    WHO_IS = "who_is"  # "who is he?"
    WHO_SAID_IT = "who_said_it"  # "who said that then?", "who did?": who said what was asked
    OTHER = "other"  # "the other one": the other of two people
    AND = "and"  # "and about X?", "and X?", "what about X?"
    WH = "wh"  # "where?", "when was that?": the last question, asked with this word


@dataclass(frozen=True)
class FollowUp:
    """A message read as a move of the conversation."""

    move: Move
    text: str  # the message in English words (a Russian one as read)
    subject: str = ""  # AND: the X of "and X?"
    about: bool = False  # AND: "and about X?", so X is a topic even when X is a person
    excluding: bool = False  # "else": less what the conversation has shown already
    head: str = ""  # "the ambassador, what did he say?": the words "he" stands for ...
    tail: str = ""  # ... and the question they head
    lang: str = "en"


_END = r"\s*[?.!…]*\s*$"
_OPEN = r"^\s*(?:(?:and|but|so|ok|okay|then|well)\s+)*"  # "and so ...", "ok then ..."
# what may follow "what else" / "more" without asking anything new ("more from him pls")
_FILLER = (r"(?:\s+(?:did|does|do|has|have|had|he|she|they|say|said|says|mention|mentioned|"
           r"add|added|adds|note|noted|comment|commented|state|stated|"
           r"tell|told|me|us|is|was|there|please|pls|plz|from|him|her|them|anything|something|"
           r"of|that|then|about|it|this|details|again))*")
_MORE = re.compile(_OPEN + r"(?:(?:what|anything|something)\s+(?:else|also|more)|more|also|"
                   r"tell\s+(?:me\s+)?more|tell\s+details|go\s+on|continue|keep\s+going|"
                   r"(?:any\s+)?more\s+details|details)" + _FILLER + _END
                   + r"|^\s*and" + _END
                   # "did he say anything else?", "has she got more?"
                   + r"|" + _OPEN + r"(?:did|does|has|have|had|can|could|would)\s+(?:he|she|they)\s+"
                   r"(?:say|said|mention|add|tell\s+(?:us|me)|talk\s+about|speak\s+about|got|have)"
                   r"\s+(?:anything|something|much)\s+(?:else|more)" + _FILLER + _END,
                   re.IGNORECASE)
_WHY = re.compile(_OPEN + r"(?:why|how\s+come)\b(?:\s+(?:did|does|is|was|would|he|she|they|"
                  r"say|said|think|so|that|this|it|not|then))*" + _END, re.IGNORECASE)
_WHO_IS = re.compile(_OPEN + r"who\s*(?:is|'s|s|was)?\s+(?:he|she|him|her|this\s+person|"
                     r"that\s+person|this\s+guy|that\s+guy)(?:\s+(?:is|was|again|exactly|"
                     r"then|btw|actually))*" + _END
                     + r"|" + _OPEN + r"who\s*(?:is|'s|was)\s+(?:that|this)" + _END
                     # "what's his name?", "her full name?", "what is his job?", "his role?"
                     + r"|" + _OPEN + r"(?:what\s*(?:is|'s|s|was)\s+)?(?:his|her)\s+(?:full\s+)?"
                     r"(?:name|job|role|position|title|post)" + _END,
                     re.IGNORECASE)
# "where?", "and when?", "where was that?", "when did that happen?", "how much exactly?"
_WH = re.compile(_OPEN + r"(?P<w>where|when|how\s+(?:many|much|long|often)|what\s+(?:date|day|"
                 r"year|time)|which\s+(?:day|city|country|year))"
                 r"(?:\s+(?:was|is|did|does|will|would|exactly|then|precisely|again|that|this|it|"
                 r"happen|happened|take\s+place|took\s+place|be))*" + _END, re.IGNORECASE)
_WHO_SAID_IT = re.compile(
    _OPEN + r"(?:who|whom)(?:\s+then)?(?:\s+(?:said|says|did(?:\s+say)?|does(?:\s+say)?|mentioned|talked\s+about|"
    r"spoke\s+about|thinks|believes|claimed|stated|announced|reported|noted|added|denied|"
    r"argued|warned|suggested)(?:\s+(?:that|this|it|so))?)?"
    r"(?:[\s,]+(?:then|instead|actually|exactly|really|please))*" + _END, re.IGNORECASE)
_OTHER = re.compile(
    r"\bthe\s+other\s+(?:one|guy|man|woman|person|speaker|side|official|expert)\b"
    r"|\bthe\s+other\b(?=\s*(?:say|said|think|thinks|mention|,|\?|$))"
    r"|^\s*and\s+(?:the\s+)?other(?:\s+one)?" + _END
    + r"|\bsaid\s+(?:the\s+)?other\b", re.IGNORECASE)
# "and what else did X say ...?", "who else talked about ...?": the question, less what was shown
_ELSE = re.compile(_OPEN + r"(?P<w>what|who|anything|anyone|anybody|something|someone|"
                   r"somebody)\s+(?:else|also)\b(?P<rest>.*)$", re.IGNORECASE)
_ELSE_ANYWHERE = re.compile(r"\s+else\b", re.IGNORECASE)
_ASKING = (r"(?:what|who|whom|whose|which|how|why|when|where|did|does|do|is|are|was|were|"
           r"has|have|had|can|could|would|will|should)\b")
# "and about X?", "and on X?" (X a topic, a person too: talk about them); "what about X?",
# "as for X?" (X a topic, or a person to ask the same of)
_ABOUT = re.compile(r"^\s*(?:(?:and|but|so|ok)\s+)?(?P<q>(?:what|how)\s+(?=about)|as\s+(?=for|to))?"
                    r"(?:about|on|regarding|concerning|for|to)\s+(?!" + _ASKING + r")"
                    r"(?P<x>[^?]+?)" + _END, re.IGNORECASE)
# "and the SCO?", "and military stuff?", "and Aliyev?": a short "and X?"
_AND_X = re.compile(r"^\s*and\s+(?!" + _ASKING + r")(?P<x>(?:[\w'$.-]+\s*){1,5}?)" + _END,
                    re.IGNORECASE)
# "the ambassador, what did he say?", "and his boss - did he ...": a head, then its question
_HEAD = re.compile(r"^\s*(?:(?:and|but|so|ok)\s+)?(?:as\s+for\s+|what\s+about\s+)?"
                   r"(?P<head>[^?]+?)\s*(?:[,:;]|\s[-\u2013\u2014]+\s|[\u2013\u2014])\s*"
                   r"(?P<tail>(?:(?:and|so)\s+)?" + _ASKING + r".*)$", re.IGNORECASE)
SUBJECT_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)


def read(message: str) -> FollowUp:
    """The move a message makes; a Russian one is read in English words first."""
    lang = "en"
    text = message
    if is_russian(message):
        lang, text = "ru", read_russian(message).english
    return _read(text, lang)


def _read(text: str, lang: str) -> FollowUp:
    if _MORE.match(text):
        return FollowUp(Move.MORE, text, lang=lang)
    if _WHY.match(text):
        return FollowUp(Move.WHY, text, lang=lang)
    if _WHO_IS.match(text):
        return FollowUp(Move.WHO_IS, text, lang=lang)
    if _WHO_SAID_IT.match(text):
        return FollowUp(Move.WHO_SAID_IT, text, lang=lang)
    wh = _WH.match(text)
    if wh:
        return FollowUp(Move.WH, text, subject=wh["w"], lang=lang)
    if _OTHER.search(text):
        return FollowUp(Move.OTHER, text, lang=lang)
    other = _ELSE.match(text)
    if other:
        asking = "who" if other["w"].casefold() in ("who", "anyone", "anybody", "someone",
                                                     "somebody") else "what"
        # "anything else on oil?" is "what about oil?", less what was shown
        rest = re.sub(r"^(?:on|regarding|concerning)\b", "about", other["rest"].strip())
        inner = _read(f"{asking} {rest}" if rest.strip(" ?.!") else f"{asking} said it?", lang)
        return replace(inner, excluding=True)
    head = _HEAD.match(text)
    if head and SUBJECT_PRONOUN.search(head["tail"]):
        return FollowUp(Move.QUESTION, text, head=head["head"].strip(), tail=head["tail"],
                        lang=lang)
    if _ELSE_ANYWHERE.search(text):  # "did he quote anyone else?": less what was shown
        return replace(_read(_ELSE_ANYWHERE.sub("", text), lang), excluding=True)
    about = _ABOUT.match(text)
    if about:
        return FollowUp(Move.AND, text, about["x"].strip(), about=not about["q"], lang=lang)
    short = _AND_X.match(text)
    if short:
        return FollowUp(Move.AND, text, short["x"].strip(), lang=lang)
    return FollowUp(Move.QUESTION, text, lang=lang)
