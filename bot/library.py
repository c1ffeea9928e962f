"""Many articles in one bot: one knowledge base and one engine per article, and a router.

An archive of thousands of articles cannot be one engine: phrases, postings and people would be
global, so every question would visit every article's entries, and "who mentioned Patrushev"
would find every article's Patrushev. Instead each article keeps its own engine, unchanged, and
a small global :class:`Router` (names, aliases and content words -> article numbers) picks which
article(s) to ask:

* a question naming someone (by name or alias) asks the articles that name them; several that
  answer are shown grouped by article;
* a question naming no one asks the chat's current article first; if it does not answer, the
  best-routed other articles are asked, and the reply says which of them answer; with no
  current article, the best-routed articles are asked in turn and the first that answers is
  shown, with how many more articles may answer too.

Start-up stays fast at scale through an on-disk cache keyed by each file's content hash (and
the code's): per article, its pickled engine (knowledge base, lexical index, vectors); for the
library, its article cards and the built router. Engines are built (or read back) on first use
and kept in a bounded LRU. Reloading one changed file rebuilds only that article.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import re
import sys
import tempfile
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot import conversation
from bot.conversation import EMPTY, Context
from bot.engine import Engine
from bot.knowledge import KnowledgeBase, KnowledgeError, Problem, load_knowledge
from bot.render import PLAIN, render_library_result
from bot.results import ArticleAnswer, ArticleRef, LibraryResult, NoteKind, Result, Status
from bot.russian import is_russian
from bot.russian import read as read_russian
from bot.semantic import MiniLM
from bot.text import content_stems

log = logging.getLogger(__name__)

ENGINES_KEPT = 256  # built engines kept in memory (a few hundred KiB each); others are re-read
MAX_NAMED = 5  # articles asked for a name several articles share ("what did Pashinyan say")
MAX_OPEN = 3  # articles asked for a question naming no one, before saying none answers
MIN_NAME_PART = 4  # shorter name parts ("Ali") route only as part of a longer name
CACHE_VERSION = 2  # raise it when this module changes what a card or router holds
ROUTE_K1, ROUTE_B = 1.2, 0.75  # BM25's usual constants, for ranking articles by words
# Looking elsewhere helps only when the current article is silent on the subject; a greeting,
# an empty or too long message is answered by the current article as it is.
LOOK_ELSEWHERE = frozenset({NoteKind.NOT_IN_ARTICLE, NoteKind.NOT_QUOTED})

Ids = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class ArticleCard:
    """What the library keeps of an article without its engine: how to cite and route it."""

    ref: ArticleRef
    file: str  # the YAML file
    digest: str  # content hash of the file and its source text (with the code's fingerprint)
    names: tuple[str, ...]  # stems of people's names and aliases ("smailov", "alikhan smailov")
    words: tuple[str, ...]  # content stems of everything the article has


def card_for(kb: KnowledgeBase, file: str, digest: str) -> ArticleCard:
    """An article's card, from its knowledge base (one article per file)."""
    article = kb.articles[0]
    # Words of titles ("prime", "minister", "president") are no one's name, even inside an
    # alias ("Prime Minister Pashinyan"): only the other words of names route by themselves.
    titles = {s for p in kb.people for t in (*p.roles, *p.role_aliases)
              for s in content_stems(t)}
    # ...but a name inside a role alias ("the Girchi MP Daushvili") stays a name
    for person in kb.people:
        role_stems = {s for r in person.roles for s in content_stems(r)}
        titles -= {s for a in (person.name, *person.aliases) for s in content_stems(a)} - role_stems
    names: set[str] = set()
    for person in kb.people:
        for alias in (person.name, *person.aliases):
            stems = content_stems(alias)
            if stems and not set(stems) <= titles:
                names.add(" ".join(stems))
            names.update(s for s in stems if len(s) >= MIN_NAME_PART and s not in titles)
    texts = [article.title, article.summary]
    texts += [t for p in kb.people for t in (*p.roles, *p.role_aliases)]
    texts += [t for topic in kb.topics for t in (topic.name, *topic.synonyms)]
    texts += [t for s in kb.statements for t in (s.text, *s.questions)]
    texts += [t for f in kb.facts for t in (f.answer, f.quote, *f.questions, *f.keywords)]
    words = {s for text in texts for s in content_stems(text)}
    ref = ArticleRef(article.id, article.title, article.outlet, article.date, article.url)
    # interned, sorted tuples: thousands of cards share their words, in memory and pickled
    return ArticleCard(ref, file, digest, tuple(sys.intern(n) for n in sorted(names)),
                       tuple(sys.intern(w) for w in sorted(words | titles)))


@dataclass(frozen=True)
class Route:
    """Where a question should go: articles that name someone it names, and by content."""

    named: tuple[int, ...]  # article numbers, most of the question's names first
    ranked: tuple[int, ...]  # article numbers with any of its words, best first
    scores: npt.NDArray[np.float32]  # every article's routing score
    covered: npt.NDArray[np.float32]  # how many of the question's words and names each has


class Router:
    """The global inverted index: name and word stems -> the numbers of articles having them.

    Small on purpose: article numbers, not entries (an article's engine finds the entry).
    """

    def __init__(self, cards: Sequence[ArticleCard]) -> None:
        names: dict[str, list[int]] = defaultdict(list)
        words: dict[str, list[int]] = defaultdict(list)
        for number, card in enumerate(cards):
            for name in card.names:
                names[name].append(number)
            for word in {*card.words, *(n for n in card.names if " " not in n)}:
                words[word].append(number)
        self.size = len(cards)
        # BM25's length normalisation (each word once per article): a long article must not
        # win every question merely by having more words
        lengths = np.asarray([len(c.words) for c in cards], dtype=np.float32)
        average = float(lengths.mean()) if len(cards) else 1.0
        self.norm = (ROUTE_K1 + 1) / (1 + ROUTE_K1 * (1 - ROUTE_B + ROUTE_B * lengths
                                                       / max(average, 1.0)))
        self.names = {k: np.asarray(v, dtype=np.uint32) for k, v in names.items()}
        self.words = {k: np.asarray(v, dtype=np.uint32) for k, v in words.items()}
        self.name_parts = sorted(k for k in self.names if " " not in k)
        # newest first among equals: the dates as given sort as ISO dates do
        dates = [card.ref.date for card in cards]
        order = sorted(range(len(cards)), key=lambda i: dates[i], reverse=True)
        self.recency = np.zeros(len(cards), dtype=np.uint32)
        self.recency[order] = np.arange(len(cards), dtype=np.uint32)

    def route(self, question: str) -> Route:
        """Which articles name the question's people, and which share its words, best first."""
        stems = content_stems(read_russian(question).english if is_russian(question)
                              else question)
        scores = np.zeros(self.size, dtype=np.float32)
        name_hits = np.zeros(self.size, dtype=np.float32)
        covered = np.zeros(self.size, dtype=np.float32)
        for gram in _grams(stems):
            found = self.names.get(gram)
            if found is None and " " not in gram and len(gram) >= 5 and gram not in self.words:
                found = self._near_name(gram)  # "velayatti": a name one or two edits away
            if found is not None:
                name_hits[found] += len(gram.split())
        for word in dict.fromkeys(stems):
            found = self.words.get(word)
            if found is not None:
                scores[found] += math.log(1.0 + self.size / len(found)) * self.norm[found]
                covered[found] += 1
        scores += name_hits * 10.0  # a name outweighs any words
        named = np.flatnonzero(name_hits)
        named = named[np.lexsort((self.recency[named], -name_hits[named]))]
        ranked = np.flatnonzero(scores)
        ranked = ranked[np.lexsort((self.recency[ranked], -scores[ranked]))]
        return Route(tuple(int(i) for i in named), tuple(int(i) for i in ranked), scores,
                     covered + name_hits)

    def _near_name(self, word: str) -> Ids | None:
        # One edit, the first letter kept: among an archive's hundreds of thousands of names,
        # two edits would turn ordinary words the articles never use ("penalise") into names.
        hit = process.extractOne(word, self.name_parts, scorer=OSA.distance, processor=None,
                                 score_cutoff=1)
        return self.names[hit[0]] if hit is not None and hit[0][0] == word[0] else None


def _grams(stems: list[str]) -> list[str]:
    """Single stems, then runs of two and three ("alikhan smailov"), as names are keyed."""
    return [" ".join(stems[i:i + n]) for n in (1, 2, 3) for i in range(len(stems) - n + 1)]


# ------------------------------------------------------------------------------ the cache


# What a cached engine, card or router is built by: a change to any of these rebuilds the cache
# (the Telegram adapter, the CLI and the wording are not part of what is cached).
BUILT_BY = ("engine.py", "context.py", "datelines.py", "knowledge.py", "lexical_index.py",
            "patterns.py", "reading.py", "scoring.py", "slots.py", "describing.py",
            "policy.py", "question.py", "results.py", "russian.py", "semantic.py", "text.py",
            "lexicon")


def code_fingerprint() -> str:
    """A hash of the code and language data that build indexes: a cached engine is only as good
    as the code that built it, so any change to either rebuilds the cache."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(str(CACHE_VERSION).encode())
    for name in BUILT_BY:
        path = package / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(package).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


_SOURCE_LINE = re.compile(rb"^\s*source:\s*[\"']?([^\"'\s#]+)", re.MULTILINE)


def file_digest(path: Path, fingerprint: str) -> str:
    """The content hash of a knowledge file and the source text it names."""
    digest = hashlib.sha256(fingerprint.encode())
    data = path.read_bytes()
    digest.update(data)
    for source in _SOURCE_LINE.findall(data):
        try:
            digest.update((path.parent / source.decode("utf-8", "replace")).read_bytes())
        except OSError:
            digest.update(b"-")  # a missing source: the load will say so
    return digest.hexdigest()


class IndexCache:
    """Built engines and the library's cards and router, on disk, by content hash.

    Written atomically (a temporary file renamed); a file that cannot be read is rebuilt,
    never trusted. Only the bot writes here: the folder must not be writable by others.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def read(self, name: str) -> object | None:
        """A cached object, or None if absent or unreadable."""
        try:
            with open(self.folder / name, "rb") as stream:
                value: object = pickle.load(stream)
                return value
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a truncated or stale pickle is rebuilt, whatever it raises
            log.warning("index cache %s unreadable; rebuilding it", name)
            return None

    def has(self, name: str) -> bool:
        """Whether an object is cached under this name."""
        return (self.folder / name).is_file()

    def write(self, name: str, value: object) -> None:
        """Store an object (best effort: a full disk costs speed, not answers)."""
        try:
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.folder / name)
        except OSError as exc:
            log.warning("cannot write the index cache %s: %s", name, exc)


# ------------------------------------------------------------------------------ the library


def article_files(path: Path) -> list[Path]:
    """The YAML files of a knowledge folder (or the single file given), sorted."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


@dataclass
class _Built:
    """What a library load produced: the cards, and engines built along the way."""

    cards: list[ArticleCard]
    engines: dict[str, Engine] = field(default_factory=dict)
    fresh: int = 0  # articles read and indexed anew


class Library:
    """Every article's engine, built on first use, and the router that picks among them."""

    def __init__(self, root: Path, cards: Sequence[ArticleCard], router: Router,
                 model: MiniLM | None, cache: IndexCache | None,
                 engines: dict[str, Engine] | None = None, kept: int = ENGINES_KEPT) -> None:
        self.root = root
        self.cards = tuple(cards)
        self.router = router
        self._model = model
        self._cache = cache
        self._kept = kept
        self._number = {card.ref.id: n for n, card in enumerate(self.cards)}
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._lock = threading.Lock()
        for digest, engine in (engines or {}).items():
            self._remember(digest, engine)

    # ------------------------------------------------------------------------ loading

    @classmethod
    def load(cls, path: str | os.PathLike[str], model: MiniLM | None, *,
             cache_dir: str | os.PathLike[str] | None = None, kept: int = ENGINES_KEPT,
             previous: Library | None = None) -> Library:
        """Load every article of a folder; raise KnowledgeError listing every invalid file.

        With ``cache_dir``, unchanged articles are read back from the cache (and new ones are
        built and cached); ``previous`` lends its built engines for unchanged files (a reload).
        """
        root = Path(path)
        if not root.exists():
            raise KnowledgeError([Problem(str(root), 0, "no such file or folder")])
        cache = IndexCache(cache_dir) if cache_dir is not None else None
        fingerprint = code_fingerprint()
        files = article_files(root)
        if not files:
            raise KnowledgeError([Problem(str(root), 0, "no .yaml files in the knowledge folder")])
        digests = [file_digest(f, fingerprint) for f in files]
        known: dict[str, ArticleCard] = {}
        if previous is not None:
            known.update((c.digest, c) for c in previous.cards)
        cards_name = f"cards-{fingerprint}.pkl"
        if cache is not None:
            cached = cache.read(cards_name)
            if isinstance(cached, dict):
                known.update({d: c for d, c in cached.items() if d not in known})
        lent: dict[str, Engine] = {}
        if previous is not None:
            with previous._lock:
                lent = dict(previous._engines)
        built = _Built([])
        problems: list[Problem] = []
        for file, digest in zip(files, digests, strict=True):
            card = known.get(digest)
            if card is None or card.file != str(file) or not (
                    digest in lent or (cache is not None and cache.has(f"engine-{digest}.pkl"))):
                try:
                    kb = load_knowledge(file)
                except KnowledgeError as exc:
                    problems.extend(exc.problems)
                    continue
                card = card_for(kb, str(file), digest)
                built.fresh += 1
                # Built now, from the text just validated: a file changed later is served
                # only once a reload has validated it. Cached, the next start reads it back.
                engine = Engine(kb, model)
                if cache is not None:
                    cache.write(f"engine-{digest}.pkl", engine)
                if cache is None or len(built.engines) < kept:  # the rest is read back
                    built.engines[digest] = engine
            built.cards.append(card)
        if problems:
            raise KnowledgeError(problems)
        ids: dict[str, str] = {}
        for card in built.cards:
            if card.ref.id in ids:
                problems.append(Problem(card.file, 0, f"article id {card.ref.id!r} is also the "
                                        f"id of {ids[card.ref.id]}"))
            ids[card.ref.id] = card.file
        if problems:
            raise KnowledgeError(problems)
        router = None
        router_name = "router-" + hashlib.sha256(
            "\n".join(c.digest + c.file for c in built.cards).encode()).hexdigest()[:24] + ".pkl"
        if cache is not None:
            if built.fresh or not isinstance(cache.read(cards_name), dict):
                cache.write(cards_name, {c.digest: c for c in built.cards})
            cached_router = cache.read(router_name)
            router = cached_router if isinstance(cached_router, Router) else None
        if router is None:
            router = Router(built.cards)
            if cache is not None:
                cache.write(router_name, router)
        wanted = set(digests)
        engines = {**{d: e for d, e in lent.items() if d in wanted}, **built.engines}
        # Without a cache, every engine stays in memory: there is nowhere to read one back from
        return cls(root, built.cards, router, model, cache, engines,
                   kept if cache is not None else max(kept, len(built.cards)))

    @classmethod
    def single(cls, engine: Engine, model: MiniLM | None = None) -> Library:
        """A library of one engine already built (its knowledge base is one article, or
        several served together as before)."""
        kb = engine.kb
        card = card_for(kb, kb.files[0] if kb.files else kb.root, "")
        return cls(Path(kb.root), [card], Router([card]), model, None, {"": engine})

    # ------------------------------------------------------------------------ articles

    @property
    def articles(self) -> tuple[ArticleRef, ...]:
        """Every article, newest first (then in file order)."""
        order = np.argsort(self.router.recency, kind="stable")
        return tuple(self.cards[int(i)].ref for i in order)

    @property
    def default_article(self) -> str:
        """The article a chat starts with: the newest."""
        return self.articles[0].id

    def find(self, article_id: str | None) -> ArticleRef | None:
        """The article with this id, if the library has it."""
        number = self._number.get(article_id or "")
        return self.cards[number].ref if number is not None else None

    def card(self, article_id: str) -> ArticleCard:
        """An article's card (KeyError if unknown)."""
        return self.cards[self._number[article_id]]

    def kb(self, article_id: str) -> KnowledgeBase:
        """An article's knowledge base (KeyError if unknown)."""
        return self.engine(article_id).kb

    def engine(self, article_id: str) -> Engine:
        """An article's engine: kept, read back from the cache, or built now."""
        card = self.card(article_id)
        with self._lock:
            engine = self._engines.get(card.digest)
            if engine is not None:
                self._engines.move_to_end(card.digest)
                return engine
        engine = self._read_back(card) or self._build(card)
        with self._lock:
            self._remember(card.digest, engine)
        return engine

    def built(self) -> int:
        """How many engines are in memory."""
        with self._lock:
            return len(self._engines)

    def _remember(self, digest: str, engine: Engine) -> None:
        self._engines[digest] = engine
        self._engines.move_to_end(digest)
        while len(self._engines) > self._kept:
            self._engines.popitem(last=False)

    def _read_back(self, card: ArticleCard) -> Engine | None:
        if self._cache is None:
            return None
        engine = self._cache.read(f"engine-{card.digest}.pkl")
        return engine.attach(self._model) if isinstance(engine, Engine) else None

    def _build(self, card: ArticleCard) -> Engine:
        # Only when a cached engine vanished (removed by hand): the file must still be the
        # one validated at load, or a reload has to validate it first.
        if file_digest(Path(card.file), code_fingerprint()) != card.digest:
            raise KnowledgeError([Problem(card.file, 0, "changed since it was loaded and its "
                                          "index left the cache: reload the knowledge base")])
        engine = Engine(load_knowledge(card.file), self._model)
        if self._cache is not None:
            self._cache.write(f"engine-{card.digest}.pkl", engine)
        return engine

    # ------------------------------------------------------------------------ answering

    def ask(self, question: str, current: str | None = None) -> LibraryResult:
        """Answer one question, outside any conversation, from the right article(s);
        ``current``: the chat's article, if any."""
        return self._answer(question, current, None)[0]

    def converse(self, question: str, current: str | None, context: Context,
                 ) -> tuple[LibraryResult, Context]:
        """Answer a question of a conversation whose current article is ``current``.

        ``context`` is the conversation's context in the current article ("he", "what else?");
        the context returned is the one in the article of the reply (the new current one).
        """
        return self._answer(question, current, context)

    def _answer(self, question: str, current: str | None, context: Context | None,
                ) -> tuple[LibraryResult, Context]:
        """``context`` None: a question on its own (each engine's plain answer)."""
        if self.find(current) is None:
            current, context = None, (None if context is None else EMPTY)
        route = self.router.route(question)
        now = self._number[current] if current is not None else None
        contexts: dict[int, Context] = {}
        replies: dict[int, Result] = {}

        def answer(number: int) -> Result:
            """The article's reply, asked once (in the conversation, for the current one)."""
            if number not in replies:
                engine = self.engine(self.cards[number].ref.id)
                if context is None:
                    replies[number], contexts[number] = engine.answer(question), EMPTY
                else:
                    replies[number], contexts[number] = conversation.ask(
                        engine, question, context if number == now else EMPTY)
            return replies[number]

        if route.named and (now is None or now not in route.named
                            or answer(now).status is not Status.ANSWER):
            # A name finds its article(s), whatever the current one is.
            order = sorted(route.named, key=lambda n: n != now)
            asked = [(n, answer(n)) for n in order[:MAX_NAMED]]
            answered = [(n, r) for n, r in asked if r.status is Status.ANSWER]
            if answered:
                return (self._result(question, answered, len(order) - len(asked), ()),
                        contexts[answered[0][0]])
            clarifying = [(n, r) for n, r in asked if r.status is Status.CLARIFY]
            # the current article, when it has the name, speaks for itself
            first = asked[0] if asked[0][0] == now else (clarifying or asked)[0]
            return self._result(question, [first], 0, ()), contexts[first[0]]
        if now is not None:
            reply = answer(now)
            if reply.status is not Status.NO_ANSWER or reply.note.kind not in LOOK_ELSEWHERE:
                more = self._more(route, now) if reply.status is Status.ANSWER else 0
                return self._result(question, [(now, reply)], more, ()), contexts[now]
            others = [n for n in route.ranked if n != now][:MAX_OPEN]
            elsewhere = tuple(self.cards[n].ref for n in others
                              if answer(n).status is Status.ANSWER)
            return self._result(question, [(now, reply)], 0, elsewhere), contexts[now]
        candidates = list(route.ranked[:MAX_OPEN]) or [self._number[self.default_article]]
        fallback: int | None = None
        for number in candidates:
            reply = answer(number)
            if reply.status is Status.ANSWER:
                return (self._result(question, [(number, reply)], self._more(route, number),
                                     ()), contexts[number])
            if fallback is None or (replies[fallback].status is Status.NO_ANSWER
                                    and reply.status is Status.CLARIFY):
                fallback = number
        assert fallback is not None
        return self._result(question, [(fallback, replies[fallback])], 0, ()), contexts[fallback]

    def _more(self, route: Route, shown: int) -> int:
        """Other articles having as many of the question's words as the one shown: they may
        answer it too."""
        covered = route.covered[shown]
        if covered <= 0:
            return 0
        return int(np.count_nonzero(route.covered >= covered)) - 1

    def _result(self, question: str, parts: Iterable[tuple[int, Result]], more: int,
                elsewhere: tuple[ArticleRef, ...]) -> LibraryResult:
        result = LibraryResult(question, tuple(ArticleAnswer(self.cards[n].ref, r)
                                               for n, r in parts), more, elsewhere)
        text = render_library_result(result, self.kb, PLAIN)
        return LibraryResult(result.question, result.parts, more, elsewhere, text)
