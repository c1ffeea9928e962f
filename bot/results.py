"""What the engine returns: typed results, shared by the engine and the renderers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(str, Enum):
    """What kind of reply a question gets."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    NO_ANSWER = "no_answer"


@dataclass(frozen=True)
class Match:
    """One knowledge-base entry that a question matched."""

    id: str
    kind: str  # "statement" | "person" | "fact"
    speaker: str | None  # Person.id for statements and people, None for facts
    score: float  # 0..100


@dataclass(frozen=True)
class Suggestion:
    """A follow-up the user can pick (a button in Telegram, a line in the CLI)."""

    label: str  # short, human: "Velayati on BRICS"
    question: str  # the question to ask when picked, answered by the engine as-is


@dataclass(frozen=True)
class Result:
    """The engine's answer to one question."""

    question: str
    status: Status
    matches: tuple[Match, ...]  # answer: what to show; clarify: the candidates
    lead: str  # one or two plain sentences before the entries ("Sanaei did not speak of ...")
    suggestions: tuple[Suggestion, ...]  # clarify: at most 3 choices; no_answer: examples
    text: str  # the whole reply as plain text
