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
    kind: str  # "statement" | "person" | "fact" | "article" (the article itself: its id)
    speaker: str | None  # Person.id for statements and people, None for facts and articles
    score: float  # 0..100


@dataclass(frozen=True)
class Suggestion:
    """A follow-up the user can pick (a button in Telegram, a line in the CLI)."""

    label: str  # short, human: "Velayati on BRICS"
    question: str  # the question to ask when picked, answered by the engine as-is


class NoteKind(str, Enum):
    """What a reply says before (or instead of) the entries: what happened, not its wording."""

    NONE = "none"
    ENGINE_ERROR = "engine_error"  # the engine failed on this question (a bug, logged)
    TOO_LONG = "too_long"  # count: the message's length; limit: the most a question may be
    NO_WORDS = "no_words"  # only punctuation, emoji or symbols
    EMPTY = "empty"  # nothing at all
    NOT_ENGLISH = "not_english"  # no Latin letters
    GREETING = "greeting"  # hello, thanks, ...
    NOT_MENTIONED = "not_mentioned"  # subject: a name the article never uses
    NOT_QUOTED = "not_quoted"  # subject: whom words were attributed to, quoted nowhere
    NOT_QUOTED_ON = "not_quoted_on"  # people did not speak of subject; others (if any) did
    NAMED_NOT_QUOTED = "named_not_quoted"  # people[0] is named but never quoted
    NOT_SAID_ABOUT = "not_said_about"  # the article says nothing of that about people[0]
    CITED_BY = "cited_by"  # people are not quoted directly; others cited them
    NO_QUESTION = "no_question"  # question words only: no subject found
    NOT_IN_ARTICLE = "not_in_article"  # the article does not answer it
    NOT_UNDERSTOOD = "not_understood"  # subject: the words of the question that were not read
    NO_MORE = "no_more"  # "what else?": everything people said has been shown
    WHO_IS = "who_is"  # the answer is who someone is: a short card, no lead
    SAID_AT = "said_at"  # where or when words were said: the article's attribution shows it
    SPEAKER_COUNT = "speaker_count"  # count people are quoted: their short cards follow
    SPOKE_ABOUT = "spoke_about"  # who-said: others spoke about subject (or "said it", if empty)
    QUOTING_ON = "quoting_on"  # others spoke of people
    UNSURE = "unsure"  # clarify between entries
    WHOM = "whom"  # clarify between people


@dataclass(frozen=True)
class Note:
    """A reply's lead, typed: ``render.note_text`` turns it into words."""

    kind: NoteKind = NoteKind.NONE
    people: tuple[str, ...] = ()  # Person ids the note is about
    others: tuple[str, ...] = ()  # Person ids of the others involved (who did say it, ...)
    subject: str = ""  # a topic or a name, as the knowledge base or the question has it
    count: int = 0
    limit: int = 0


NO_NOTE = Note()


@dataclass(frozen=True)
class Result:
    """The engine's answer to one question."""

    question: str
    status: Status
    matches: tuple[Match, ...]  # answer: what to show; clarify: the candidates
    lead: str  # the note in words, before the entries ("The article does not quote ...")
    suggestions: tuple[Suggestion, ...]  # clarify: at most 3 choices; no_answer: examples
    text: str  # the whole reply as plain text
    note: Note = NO_NOTE  # what ``lead`` says, typed (the engine sets it; render words it)
    lang: str = "en"  # the question's language, which the lead and headings are written in


@dataclass(frozen=True)
class ArticleRef:
    """One article of a library, as replies cite it and lists show it."""

    id: str
    title: str
    outlet: str
    date: str = ""  # as the knowledge base gives it ("2023-05-26"), or ""
    url: str = ""


@dataclass(frozen=True)
class ArticleAnswer:
    """One article's reply within a library's answer."""

    article: ArticleRef
    result: Result


@dataclass(frozen=True)
class LibraryResult:
    """A library's answer to one question: one article's reply, or several grouped by article.

    ``parts[0]`` is the main reply (the current article's, when it was asked first).
    """

    question: str
    parts: tuple[ArticleAnswer, ...]
    more: int = 0  # other articles that may answer it too, not shown
    elsewhere: tuple[ArticleRef, ...] = ()  # parts[0] does not answer it; these articles do
    text: str = ""  # the whole reply as plain text

    @property
    def status(self) -> Status:
        """The main reply's status."""
        return self.parts[0].result.status

    @property
    def article(self) -> ArticleRef:
        """The article of the main reply: the chat's current article after this question."""
        return self.parts[0].article
