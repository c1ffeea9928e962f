"""Buttons: compact callback data (never unbounded user text), example questions, keyboards."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine import Result
from bot.knowledge import KnowledgeBase, Statement, Topic
from bot.telegram.state import BotState

CALLBACK_DATA_MAX_BYTES = 64  # Bot API: callback_data is 1-64 bytes of UTF-8
BUTTON_LABEL_MAX = 60  # longer labels are cut; Telegram would truncate them anyway

# Callback data, one short form per action, each routed to its handler by its pattern:
#   q:<statement-id>  show that statement        p:<person-id>  that speaker's card
#   t:<topic-id>      ask about the topic        a:<question>   ask (only if it fits 64 bytes)
#   h:<16 hex>        ask a longer question, kept in BotState.asked (or found in the KB again)
# Ids are at most 48 characters of [a-z0-9-] (knowledge.py), so every form fits in 64 bytes.
STATEMENT_BUTTON = re.compile(r"q:(.+)", re.DOTALL)
PERSON_BUTTON = re.compile(r"p:(.+)", re.DOTALL)
TOPIC_BUTTON = re.compile(r"t:(.+)", re.DOTALL)
ASK_BUTTON = re.compile(r"a:(.+)", re.DOTALL)
HASHED_BUTTON = re.compile(r"h:(.+)", re.DOTALL)


def _fits(data: str) -> bool:
    return 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES


def question_key(question: str) -> str:
    """The short hash that stands for a long question in ``h:`` callback data."""
    return hashlib.sha256(question.encode("utf-8")).hexdigest()[:16]


def ask_callback_data(question: str, state: BotState) -> str:
    """Callback data that asks ``question``: inline if it fits in 64 bytes, else by hash."""
    data = f"a:{question}"
    if _fits(data):
        return data
    key = question_key(question)
    state.asked.put(key, question)
    return f"h:{key}"


def topic_question(topic: Topic) -> str:
    """The question a topic button asks the engine."""
    return f"Who talked about {topic.name}?"  # the engine's own wording for topic examples


def _known_questions(kb: KnowledgeBase) -> list[str]:
    """Questions a hashed button may stand for after a restart emptied BotState.asked."""
    found = [q for s in kb.statements for q in s.questions]
    found += [q for f in kb.facts for q in f.questions]
    found += [topic_question(t) for t in kb.topics]
    return found


def hashed_question(key: str, kb: KnowledgeBase, state: BotState) -> str | None:
    """The question behind ``h:<key>``: remembered, else found in the knowledge base again
    (after a restart emptied BotState.asked); None if it is unknown."""
    question = state.asked.get(key)
    if question is None:
        question = next((q for q in _known_questions(kb) if question_key(q) == key), None)
    return question


def knows(lookup: Callable[[str], object], key: str) -> bool:
    """Whether a KeyError-raising lookup knows ``key``."""
    try:
        lookup(key)
    except KeyError:
        return False
    return True


def button_label(text: str, width: int = BUTTON_LABEL_MAX) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _as_question(text: str) -> str:
    """``what did X say`` -> ``What did X say?`` for display on a button."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in "?.!" else text + "?"


def example_statements(kb: KnowledgeBase, count: int = 3) -> list[Statement]:
    """Statements to offer as examples: one per quoted person first, in article order."""
    chosen: list[Statement] = []
    speakers: set[str] = set()
    for statement in kb.statements:
        if statement.speaker not in speakers:
            chosen.append(statement)
            speakers.add(statement.speaker)
    chosen += [s for s in kb.statements if s not in chosen]
    return chosen[:count]


def example_question(statement: Statement, kb: KnowledgeBase) -> str:
    """A question a statement answers, for a button or a hint."""
    if statement.questions:
        return _as_question(statement.questions[0])
    return f"What did {kb.person(statement.speaker).name} say?"


def example_keyboard(kb: KnowledgeBase, count: int = 3) -> InlineKeyboardMarkup | None:
    """Example questions as buttons, each showing the statement that answers it."""
    rows = [[InlineKeyboardButton(button_label(example_question(s, kb)), callback_data=f"q:{s.id}")]
            for s in example_statements(kb, count)]
    return InlineKeyboardMarkup(rows) if rows else None


def more_from_keyboard(result: Result, kb: KnowledgeBase) -> InlineKeyboardMarkup | None:
    """A "More from <speaker>" button when an answer quotes exactly one person."""
    if any(m.kind == "person" for m in result.matches):
        return None  # the answer already is that person's card
    speakers = {m.speaker for m in result.matches if m.kind == "statement" and m.speaker}
    if len(speakers) != 1:
        return None
    person = kb.find_person(speakers.pop())
    if person is None:
        return None
    more = InlineKeyboardButton(button_label(f"More from {person.name}"), callback_data=f"p:{person.id}")
    return InlineKeyboardMarkup([[more]])

