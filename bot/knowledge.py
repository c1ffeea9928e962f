"""The knowledge base: frozen dataclasses, one loader, integrity checks.

A knowledge base is a folder of YAML files, one per article. Each file holds the article (with
its event), the people it names, the topics it covers, the statements it reports and the facts it
states. Everything is validated at load; a violation raises :class:`KnowledgeError` naming the
file, the line and the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class StatementKind(str, Enum):
    """How the article reports a statement."""

    QUOTE = "quote"  # verbatim, between quote marks in the article
    REPORTED = "reported"  # indirect speech: "X said that ..."; still verbatim article text


@dataclass(frozen=True)
class Event:
    """The event an article reports (here: a round table)."""

    title: str
    kind: str
    place: str
    city: str
    date: str
    organizers: tuple[str, ...]
    attendees: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """One article: its identity, summary, event and the source text it is checked against."""

    id: str
    title: str
    outlet: str
    summary: str
    event: Event
    source_path: str  # relative to the knowledge folder
    source_text: str  # the article text as read from source_path
    file: str  # the YAML file this article came from
    line: int


@dataclass(frozen=True)
class Person:
    """Someone the article names, with roles as the article states them."""

    id: str
    name: str
    roles: tuple[str, ...]  # as the article states them, first = the main one
    aliases: tuple[str, ...]  # names, surnames, spellings, transliterations
    role_aliases: tuple[str, ...]  # "the ambassador", "the CSS president", ...
    nationality: str  # "Iranian" / "Russian" / ...
    article_id: str
    file: str
    line: int

    @property
    def role(self) -> str:
        """The main role, as the article gives it."""
        return self.roles[0] if self.roles else ""


@dataclass(frozen=True)
class Topic:
    """A subject the article covers, with the words people use for it."""

    id: str
    name: str
    synonyms: tuple[str, ...]
    file: str
    line: int


@dataclass(frozen=True)
class Statement:
    """Words the article attributes to a person, verbatim from the article."""

    id: str
    speaker: str  # Person.id
    kind: StatementKind
    text: str  # verbatim article text (checked against the source)
    attribution: str  # how the article attributes it, e.g. "the diplomat said"
    cites: str | None  # Person.id or free text the speaker cites, e.g. "the Iranian president"
    topics: tuple[str, ...]  # Topic.id
    questions: tuple[str, ...]  # alternate questions this statement answers
    article_id: str
    file: str
    line: int


@dataclass(frozen=True)
class Fact:
    """Something the article states about the event or itself."""

    id: str
    answer: str  # the bot's short answer, in plain words
    quote: str  # verbatim article text that supports it (checked against the source)
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    topics: tuple[str, ...]
    article_id: str
    file: str
    line: int


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, indexed by id. Built only by :func:`load_knowledge`."""

    root: str
    articles: tuple[Article, ...]
    people: tuple[Person, ...]
    topics: tuple[Topic, ...]
    statements: tuple[Statement, ...]
    facts: tuple[Fact, ...]
    files: tuple[str, ...] = field(default=())
    _people_by_id: dict[str, Person] = field(init=False, repr=False, compare=False)
    _statements_by_id: dict[str, Statement] = field(init=False, repr=False, compare=False)
    _facts_by_id: dict[str, Fact] = field(init=False, repr=False, compare=False)
    _topics_by_id: dict[str, Topic] = field(init=False, repr=False, compare=False)
    _articles_by_id: dict[str, Article] = field(init=False, repr=False, compare=False)

    def person(self, person_id: str) -> Person:
        """The person with this id (KeyError if none)."""
        return self._people_by_id[person_id]

    def statement(self, statement_id: str) -> Statement:
        """The statement with this id (KeyError if none)."""
        return self._statements_by_id[statement_id]

    def fact(self, fact_id: str) -> Fact:
        """The fact with this id (KeyError if none)."""
        return self._facts_by_id[fact_id]

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id (KeyError if none)."""
        return self._topics_by_id[topic_id]

    def article(self, article_id: str) -> Article:
        """The article with this id (KeyError if none)."""
        return self._articles_by_id[article_id]

    def statements_by(self, person_id: str) -> tuple[Statement, ...]:
        """A person's statements, in article order."""
        return tuple(s for s in self.statements if s.speaker == person_id)

    def quoted_people(self) -> tuple[Person, ...]:
        """People with at least one statement, in article order."""
        speakers = {s.speaker for s in self.statements}
        return tuple(p for p in self.people if p.id in speakers)

    def __post_init__(self) -> None:
        # Indexes are derived once; the dataclass stays frozen.
        object.__setattr__(self, "_people_by_id", {p.id: p for p in self.people})
        object.__setattr__(self, "_statements_by_id", {s.id: s for s in self.statements})
        object.__setattr__(self, "_facts_by_id", {f.id: f for f in self.facts})
        object.__setattr__(self, "_topics_by_id", {t.id: t for t in self.topics})
        object.__setattr__(self, "_articles_by_id", {a.id: a for a in self.articles})


class KnowledgeError(Exception):
    """A knowledge base that cannot be loaded; each problem reads ``file:line: message``."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    """One finding about a knowledge base: an error (blocks loading) or a warning."""

    file: str
    line: int
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"
