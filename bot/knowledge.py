"""The knowledge base: frozen dataclasses, one loader, integrity checks.

A knowledge base is a folder of YAML files, one per article. Each file holds the article (with
its event), the people it names, the topics it covers, the statements it reports and the facts it
states. Everything is validated at load; a violation raises :class:`KnowledgeError` naming the
file, the line and the entry.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz


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
    url: str = ""  # where the article was published, when known
    date: str = ""  # when it was published, as given ("2023-05-26", "April 13")


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
    review: str = ""  # what a drafted entry's builder was unsure of; check lists it


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

    def find_person(self, person_id: str) -> Person | None:
        """The person with this id, or None."""
        return self._people_by_id.get(person_id)

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


# --------------------------------------------------------------------------------------------
# Reading YAML safely
# --------------------------------------------------------------------------------------------

MAX_FILE_BYTES = 1_048_576  # a hand-written article file is a few dozen KiB
MAX_NODES = 100_000  # after alias expansion; a "billion laughs" file blows far past this
_SAFE_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)
LINE_KEY = "__line__"


# libyaml's parser when PyYAML was built with it (much faster); the safe constructor either way.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[valid-type, misc]
    """PyYAML's safe loader that also records the line of every mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symlink resolved, lies inside ``root``."""
    try:
        return path.resolve(strict=True).is_relative_to(root.resolve(strict=True))
    except (OSError, RuntimeError):  # missing file, symlink loop
        return False


def read_text_inside(path: Path, root: Path, label: str) -> str:
    """Read a UTF-8 file that must be a regular file inside ``root`` and not too large.

    Raises :class:`KnowledgeError` with one problem otherwise; nothing outside ``root`` is opened.
    """
    shown = _shown(path, root)
    if not _inside(path, root):
        raise KnowledgeError([Problem(shown, 0, f"{label} is outside the knowledge folder "
                                                "or missing (symlinks are resolved)")])
    real = path.resolve()
    if not real.is_file():  # a FIFO or device would block or never end
        raise KnowledgeError([Problem(shown, 0, f"{label} is not a regular file")])
    if real.stat().st_size > MAX_FILE_BYTES:
        raise KnowledgeError([Problem(shown, 0, f"{label} is larger than "
                                                f"{MAX_FILE_BYTES // 1024} KiB")])
    with real.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise KnowledgeError([Problem(shown, 0, f"{label} is larger than "
                                                f"{MAX_FILE_BYTES // 1024} KiB")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KnowledgeError([Problem(shown, 0, f"{label} is not UTF-8 ({exc.reason} "
                                                f"at byte {exc.start})")]) from None


def _check_nodes(root_node: yaml.Node, shown: str) -> None:
    """Reject unsafe tags, recursive aliases and documents that expand past MAX_NODES."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:  # an alias to an already counted node: count its expansion again
            return sizes[key]
        if key in in_progress:
            raise KnowledgeError([Problem(shown, node.start_mark.line + 1,
                                          "recursive YAML alias")])
        if node.tag not in _SAFE_TAGS:
            raise KnowledgeError([Problem(shown, node.start_mark.line + 1,
                                          f"YAML tag {node.tag!r} is not allowed")])
        in_progress.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        in_progress.discard(key)
        if total > MAX_NODES:
            raise KnowledgeError([Problem(shown, node.start_mark.line + 1,
                                          f"document expands to more than {MAX_NODES} nodes "
                                          "(alias bomb?)")])
        sizes[key] = total
        return total

    size(root_node)


def read_yaml(path: Path, root: Path) -> Any:
    """Parse one knowledge file safely: size-capped, tags and alias expansion checked first.

    Only PyYAML's safe constructors run, and only after the node graph has been vetted, so
    ``!!python/...`` tags are refused before anything is constructed.
    """
    shown = _shown(path, root)
    text = read_text_inside(path, root, "file")
    loader: _LineLoader | None = None
    try:
        _count_nodes(text, shown)
        loader = _LineLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, shown)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise KnowledgeError([Problem(shown, line, f"invalid YAML: {exc.problem}")]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "?")
        raise KnowledgeError([Problem(shown, line, "invalid YAML: control characters are not "
                                                   f"allowed (U+{code:04X})")]) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise KnowledgeError([Problem(shown, 0, f"invalid YAML: {message}")]) from None
    except RecursionError:
        raise KnowledgeError([Problem(shown, 0, "YAML nested too deeply")]) from None
    finally:
        if loader is not None:
            loader.dispose()


def _count_nodes(text: str, shown: str) -> None:
    """Refuse more than MAX_NODES nodes from the event stream, before any node is built."""
    loader = _LineLoader(text)
    try:
        count = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.NodeEvent):  # scalar, sequence/mapping start, alias
                count += 1
                if count > MAX_NODES:
                    line = event.start_mark.line + 1 if event.start_mark else 0
                    raise KnowledgeError([Problem(shown, line,
                                                  f"more than {MAX_NODES} YAML nodes")])
    finally:
        loader.dispose()


def _shown(path: Path, root: Path) -> str:
    """How a file is named in messages: relative to the knowledge folder when possible."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# Schema: turning parsed YAML into dataclasses, collecting every problem on the way
# --------------------------------------------------------------------------------------------

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_QUOTE_MARKS = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "`": "'",
})
_SPACE_RE = re.compile(r"\s+")


def normalise_verbatim(text: str) -> str:
    """Text as compared for the verbatim check: one kind of quote mark, single spaces."""
    return _SPACE_RE.sub(" ", text.translate(_QUOTE_MARKS)).strip()


@dataclass
class _Entry:
    """A mapping from the YAML with where it came from, for messages."""

    data: dict[str, Any]
    file: str
    line: int
    what: str  # "statement 'velayati-brics'" etc.

    def problem(self, message: str) -> Problem:
        return Problem(self.file, self.line, f"{self.what}: {message}")


class _Reader:
    """Reads typed fields from one YAML mapping, recording problems instead of raising."""

    def __init__(self, entry: _Entry, allowed: set[str], problems: list[Problem]) -> None:
        self.entry = entry
        self.problems = problems
        for key in entry.data:
            if key != LINE_KEY and key not in allowed:
                problems.append(entry.problem(f"unknown key {key!r}"))

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.entry.data.get(key)
        if value is None:
            if required:
                self.problems.append(self.entry.problem(f"missing {key!r}"))
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.problems.append(self.entry.problem(f"{key!r} must be a non-empty string"))
            return default
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        value = self.entry.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problems.append(self.entry.problem(f"{key!r} must be a string or null"))
            return None
        return value.strip()

    def texts(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.entry.data.get(key)
        if value is None:
            if required:
                self.problems.append(self.entry.problem(f"missing {key!r}"))
            return ()
        if isinstance(value, list):
            # "keywords: [31, villages]": YAML reads 31 as a number, the writer meant the word
            # (a whole number reads back the same; 2.50 or yes would not, and stay errors)
            value = [str(item) if type(item) is int else item for item in value]
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            listed = value if isinstance(value, list) else []
            number = next((item for item in listed if isinstance(item, float)), None)
            hint = (f" (put numbers in quotes: \"{number}\")" if number is not None
                    else " (yes, no, on and off read as true or false: put them in quotes)"
                    if any(isinstance(item, bool) for item in listed) else "")
            self.problems.append(self.entry.problem(f"{key!r} must be a list of strings{hint}"))
            return ()
        return tuple(dict.fromkeys(item.strip() for item in value))  # dedupe, keep order

    def mapping(self, key: str) -> _Entry | None:
        value = self.entry.data.get(key)
        if not isinstance(value, dict):
            self.problems.append(self.entry.problem(f"{key!r} must be a mapping"))
            return None
        line = value.get(LINE_KEY, self.entry.line)
        return _Entry(value, self.entry.file, line, f"{self.entry.what} {key}")


def _entries(doc: dict[str, Any], section: str, file: str, problems: list[Problem],
             ) -> list[_Entry]:
    """The mappings of one top-level list, each with an id-bearing description."""
    value = doc.get(section)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(file, doc.get(LINE_KEY, 1), f"{section!r} must be a list"))
        return []
    entries = []
    singular = section.rstrip("s") if section != "people" else "person"
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            problems.append(Problem(file, doc.get(LINE_KEY, 1),
                                    f"{section}[{index}] must be a mapping"))
            continue
        ident = item.get("id")
        label = f"{singular} {ident!r}" if isinstance(ident, str) else f"{section}[{index}]"
        entries.append(_Entry(item, file, item.get(LINE_KEY, 0), label))
    return entries


def _read_id(reader: _Reader) -> str:
    ident = reader.text("id")
    if ident and not _ID_RE.match(ident):
        reader.problems.append(reader.entry.problem(
            "id must be lower-case letters, digits and '-', at most 48 characters"))
    return ident


_TOP_KEYS = {"article", "people", "topics", "statements", "facts"}


def _parse_file(path: Path, root: Path, problems: list[Problem]) -> KnowledgeBase | None:
    """Parse one article file into a (not yet cross-checked) partial knowledge base."""
    file = _shown(path, root)
    try:
        doc = read_yaml(path, root)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
        return None
    if not isinstance(doc, dict):
        problems.append(Problem(file, 1, "the file must be a mapping with an 'article' key"))
        return None
    for key in doc:
        if key != LINE_KEY and key not in _TOP_KEYS:
            problems.append(Problem(file, 1, f"unknown top-level key {key!r}"))
    if not isinstance(doc.get("article"), dict):
        problems.append(Problem(file, 1, "missing 'article' mapping"))
        return None

    article_entry = _Entry(doc["article"], file, doc["article"].get(LINE_KEY, 1), "article")
    reader = _Reader(article_entry, {"id", "title", "outlet", "summary", "source", "event", "url",
                                     "date"}, problems)
    article_id = _read_id(reader)
    source_rel = reader.text("source")
    source_text = ""
    if source_rel:
        try:
            source_text = read_text_inside(path.parent / source_rel, root, "source")
        except KnowledgeError as exc:
            problems.extend(Problem(file, article_entry.line, f"article: {p.message} "
                                    f"({source_rel})") for p in exc.problems)
    event_entry = reader.mapping("event")
    event = Event("", "", "", "", "", (), ())
    if event_entry is not None:
        ev = _Reader(event_entry, {"title", "kind", "place", "city", "date", "organizers",
                                   "attendees"}, problems)
        event = Event(ev.text("title"), ev.text("kind"), ev.text("place", required=False),
                      ev.text("city", required=False), ev.text("date", required=False),
                      ev.texts("organizers"), ev.texts("attendees"))
    article = Article(article_id, reader.text("title"), reader.text("outlet"),
                      reader.text("summary"), event, source_rel, source_text, file,
                      article_entry.line, reader.text("url", required=False),
                      reader.text("date", required=False))

    topics = []
    for entry in _entries(doc, "topics", file, problems):
        r = _Reader(entry, {"id", "name", "synonyms"}, problems)
        topics.append(Topic(_read_id(r), r.text("name"), r.texts("synonyms"), file, entry.line))

    people = []
    for entry in _entries(doc, "people", file, problems):
        r = _Reader(entry, {"id", "name", "nationality", "roles", "aliases", "role_aliases"},
                    problems)
        people.append(Person(_read_id(r), r.text("name"), r.texts("roles", required=True),
                             r.texts("aliases"), r.texts("role_aliases"),
                             r.text("nationality", required=False), article_id, file,
                             entry.line))

    statements = []
    for entry in _entries(doc, "statements", file, problems):
        r = _Reader(entry, {"id", "speaker", "kind", "text", "attribution", "cites", "topics",
                            "questions", "review"}, problems)
        kind_text = r.text("kind")
        try:
            kind = StatementKind(kind_text)
        except ValueError:
            if kind_text:
                problems.append(entry.problem("kind must be 'quote' or 'reported'"))
            kind = StatementKind.QUOTE
        statements.append(Statement(_read_id(r), r.text("speaker"), kind, r.text("text"),
                                    r.text("attribution", required=False),
                                    r.optional_text("cites"), r.texts("topics"),
                                    r.texts("questions"), article_id, file, entry.line,
                                    r.text("review", required=False)))

    facts = []
    for entry in _entries(doc, "facts", file, problems):
        r = _Reader(entry, {"id", "answer", "quote", "questions", "keywords", "topics"},
                    problems)
        facts.append(Fact(_read_id(r), r.text("answer"), r.text("quote"),
                          r.texts("questions"), r.texts("keywords"), r.texts("topics"),
                          article_id, file, entry.line))

    return KnowledgeBase(str(root), (article,), tuple(people), tuple(topics),
                         tuple(statements), tuple(facts), (file,))


def _cross_check(kb: KnowledgeBase, problems: list[Problem]) -> None:
    """Integrity across entries: unique ids, references that exist, verbatim quotes."""
    seen: dict[str, tuple[str, int]] = {}
    every: list[Article | Person | Topic | Statement | Fact] = [
        *kb.articles, *kb.people, *kb.topics, *kb.statements, *kb.facts]
    for item in every:
        if not item.id:
            continue
        if item.id in seen:
            file, line = seen[item.id]
            problems.append(Problem(item.file, item.line,
                                    f"duplicate id {item.id!r} (first at {file}:{line})"))
        else:
            seen[item.id] = (item.file, item.line)

    people = {p.id for p in kb.people}
    topics = {t.id for t in kb.topics}
    sources = {a.id: normalise_verbatim(a.source_text) for a in kb.articles}

    def check_topics_and_words(entry: Statement | Fact, where: str, field: str, text: str,
                               ) -> None:
        problems.extend(Problem(entry.file, entry.line, f"{where}: unknown topic {t!r}")
                        for t in entry.topics if t not in topics)
        source = sources.get(entry.article_id, "")
        if text and source and normalise_verbatim(text) not in source:
            problems.append(Problem(entry.file, entry.line,
                                    f"{where}: {field} is not verbatim in the article source"))

    for s in kb.statements:
        where = f"statement {s.id!r}"
        if s.speaker and s.speaker not in people:
            problems.append(Problem(s.file, s.line, f"{where}: unknown speaker {s.speaker!r}"))
        if s.cites and " " not in s.cites and s.cites not in people:
            # one word must be a person id; free text ("the Iranian president") is fine
            problems.append(Problem(s.file, s.line, f"{where}: unknown cited person "
                                                     f"{s.cites!r}"))
        check_topics_and_words(s, where, "text", s.text)
    for f in kb.facts:
        check_topics_and_words(f, f"fact {f.id!r}", "quote", f.quote)
    for p in kb.people:
        if not p.name:
            continue
        if not p.roles:
            problems.append(Problem(p.file, p.line, f"person {p.id!r}: no role"))


def _article_files(root: Path) -> list[Path]:
    """The YAML files of a knowledge folder (or the single file given), sorted."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.iterdir() if p.suffix in {".yaml", ".yml"})


def _combine(parts: list[KnowledgeBase], root: Path) -> KnowledgeBase:
    return KnowledgeBase(
        str(root),
        tuple(a for kb in parts for a in kb.articles),
        tuple(p for kb in parts for p in kb.people),
        tuple(t for kb in parts for t in kb.topics),
        tuple(s for kb in parts for s in kb.statements),
        tuple(f for kb in parts for f in kb.facts),
        tuple(f for kb in parts for f in kb.files),
    )


def inspect_knowledge(path: str | os.PathLike[str], *, lint: bool = True,
                      ) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load a knowledge base and report every problem: errors, and warnings when ``lint``.

    Returns the knowledge base (None if any error) and the problems, errors first.
    """
    given = Path(path)
    root = given.parent if given.is_file() else given
    problems: list[Problem] = []
    if not given.exists():
        return None, [Problem(str(given), 0, "no such file or folder")]
    if not (given.is_dir() or given.is_file()):  # a FIFO or a device: iterdir() would raise
        return None, [Problem(str(given), 0, "not a file or folder")]
    files = _article_files(given)
    if not files:
        return None, [Problem(str(given), 0, "no .yaml files in the knowledge folder")]
    parts = [kb for file in files if (kb := _parse_file(file, root, problems)) is not None]
    kb = _combine(parts, root)
    _cross_check(kb, problems)
    errors = [p for p in problems if p.severity == "error"]
    if lint and not errors:
        problems.extend(lint_knowledge(kb))
    problems.sort(key=lambda p: (p.severity != "error", p.file, p.line))
    return (None if errors else kb), problems


def load_knowledge(path: str | os.PathLike[str]) -> KnowledgeBase:
    """Load and validate a knowledge base; raise :class:`KnowledgeError` listing the errors."""
    kb, problems = inspect_knowledge(path, lint=False)
    if kb is None:
        raise KnowledgeError([p for p in problems if p.severity == "error"])
    return kb


# --------------------------------------------------------------------------------------------
# Lint (warnings for `article-bot check`) and the change summary for /reload
# --------------------------------------------------------------------------------------------

NEAR_DUPLICATE_CUTOFF = 90.0  # fuzz.ratio on normalised text; rewordings score ~60-80


def _fold(text: str) -> str:
    """Case- and punctuation-insensitive form used to compare aliases and statements."""
    return " ".join(re.sub(r"[^\w\s]", " ", normalise_verbatim(text).casefold()).split())


def lint_knowledge(kb: KnowledgeBase) -> list[Problem]:
    """Warnings about a valid knowledge base: things that load but will answer badly."""
    warnings: list[Problem] = []

    def warn(item: Person | Statement, message: str) -> None:
        warnings.append(Problem(item.file, item.line, message, "warning"))

    folded = [(s, _fold(s.text)) for s in kb.statements]
    for i, (first, a) in enumerate(folded):
        for second, b in folded[i + 1:]:
            score = fuzz.ratio(a, b, processor=None, score_cutoff=NEAR_DUPLICATE_CUTOFF)
            if score:
                kind = "duplicate" if a == b else f"near-duplicate ({score:.0f}%)"
                warn(second, f"statement {second.id!r}: {kind} of {first.id!r} "
                             f"({first.file}:{first.line})")
    owners: dict[str, Person] = {}
    for person in kb.people:
        for alias in {_fold(a) for a in (person.name, *person.aliases, *person.role_aliases)}:
            other = owners.setdefault(alias, person)
            if other.id != person.id:
                warn(person, f"person {person.id!r}: alias {alias!r} is also claimed by "
                             f"{other.id!r} ({other.file}:{other.line})")
    for s in kb.statements:
        if not s.topics:
            warn(s, f"statement {s.id!r}: no topics (topic questions will not find it)")
        if s.review:
            warn(s, f"statement {s.id!r}: needs review: {s.review}")
    referenced = {s.speaker for s in kb.statements} | {s.cites for s in kb.statements}
    mentions = _fold(" ".join([*(f.quote for f in kb.facts),
                               *(r for p in kb.people for r in p.roles)]))
    for person in kb.people:
        names = (person.name, *person.aliases)
        if person.id not in referenced and not any(
            f" {_fold(n)} " in f" {mentions} " for n in names
        ):
            warn(person, f"person {person.id!r}: never referenced by a statement or fact")
    return warnings


@dataclass(frozen=True)
class FileChange:
    """What a reload changes in one file: ids added, removed and changed per kind."""

    file: str
    added: dict[str, tuple[str, ...]]
    removed: dict[str, tuple[str, ...]]
    changed: dict[str, tuple[str, ...]]

    def is_empty(self) -> bool:
        """Whether nothing in this file changed."""
        return not any((*self.added.values(), *self.removed.values(), *self.changed.values()))


_KINDS = ("statements", "people", "facts", "topics")


def _comparable(item: Any) -> Any:
    """An entry without its position, so moving it around is not a change."""
    return dataclasses.replace(item, line=0)


def diff_knowledge(old: KnowledgeBase, new: KnowledgeBase) -> list[FileChange]:
    """Per file, the statements, people, facts and topics added, removed and changed."""
    changes = []
    for file in sorted(set(old.files) | set(new.files)):
        added: dict[str, tuple[str, ...]] = {}
        removed: dict[str, tuple[str, ...]] = {}
        changed: dict[str, tuple[str, ...]] = {}
        for kind in _KINDS:
            before = {e.id: _comparable(e) for e in getattr(old, kind) if e.file == file}
            after = {e.id: _comparable(e) for e in getattr(new, kind) if e.file == file}
            added[kind] = tuple(i for i in after if i not in before)
            removed[kind] = tuple(i for i in before if i not in after)
            changed[kind] = tuple(i for i in after if i in before and after[i] != before[i])
        changes.append(FileChange(file, added, removed, changed))
    return changes


def format_changes(changes: list[FileChange]) -> str:
    """A short plain-text summary of a reload, one line per file."""
    lines = []
    for change in changes:
        if change.is_empty():
            lines.append(f"{change.file}: no change")
            continue
        parts = []
        for label, table in (("added", change.added), ("removed", change.removed),
                             ("changed", change.changed)):
            counts = [f"{len(ids)} {kind}" for kind, ids in table.items() if ids]
            if counts:
                parts.append(f"{label} " + ", ".join(counts))
        lines.append(f"{change.file}: " + "; ".join(parts))
    return "\n".join(lines) if lines else "no files"
