"""Buttons: what each one stands for (small typed objects), example questions, keyboards.

A button's callback data is one of the frozen dataclasses below. python-telegram-bot's
``arbitrary_callback_data`` keeps the object in its callback data cache and sends Telegram only
an opaque id; the cache is saved with the persistence (:mod:`bot.telegram.persistence`), so a
button still works after a restart. Handlers are routed by the object's class
(``CallbackQueryHandler(pattern=ShowStatement)``); a button the cache no longer knows arrives as
``InvalidCallbackData`` and is answered "out of date".
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine import Result, Status
from bot.knowledge import KnowledgeBase, Statement, Topic
from bot.storage import MAX_QUESTION_CHARS

CALLBACK_CACHE_SIZE = 2048  # keyboards whose buttons are remembered (PTB drops the oldest)
BUTTON_LABEL_MAX = 60  # longer labels are cut; Telegram would truncate them anyway


@dataclass(frozen=True)
class ShowStatement:
    """Show this statement, as an answer."""

    id: str


@dataclass(frozen=True)
class ShowPerson:
    """Show this speaker's card."""

    id: str


@dataclass(frozen=True)
class AskTopic:
    """Ask who talked about this topic."""

    id: str


@dataclass(frozen=True)
class AskQuestion:
    """Ask this question (a suggestion's full wording, however long)."""

    text: str


@dataclass(frozen=True)
class Feedback:
    """A reader's 👍 or 👎 on one answer (both buttons of an answer share ``answer``)."""

    answer: str  # a token naming this answer, so a second press is known as one
    question: str
    shown: tuple[str, ...]  # the entry ids the answer showed
    verdict: Literal["up", "down"]


FEEDBACK_LABELS = {"up": "\U0001f44d", "down": "\U0001f44e"}  # 👍 👎


def feedback_row(result: Result, shown: Sequence[str] | None = None,
                 ) -> list[InlineKeyboardButton]:
    """The 👍 👎 buttons under an answer that shows something; none under anything else (a
    request to clarify, "not in the article"). They rate ``shown`` (the entry ids the reply
    showed), by default the result's matches."""
    if result.status is not Status.ANSWER or not result.matches:
        return []
    answer = secrets.token_hex(8)
    question = result.question[:MAX_QUESTION_CHARS]
    entries = [m.id for m in result.matches] if shown is None else shown
    rated = tuple(dict.fromkeys(entries))
    verdicts: tuple[Literal["up", "down"], ...] = ("up", "down")
    return [InlineKeyboardButton(FEEDBACK_LABELS[v], callback_data=Feedback(
        answer, question, rated, v)) for v in verdicts]


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """``markup`` without its feedback buttons (the others kept), None if nothing is left."""
    if markup is None:
        return None
    rows = [[b for b in row if not isinstance(b.callback_data, Feedback)]
            for row in markup.inline_keyboard]
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def topic_question(topic: Topic) -> str:
    """The question a topic button asks the engine."""
    return f"Who talked about {topic.name}?"  # the engine's own wording for topic examples


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
    rows = [[InlineKeyboardButton(button_label(example_question(s, kb)),
                                  callback_data=ShowStatement(s.id))]
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
    more = InlineKeyboardButton(button_label(f"More from {person.name}"),
                                callback_data=ShowPerson(person.id))
    return InlineKeyboardMarkup([[more]])

