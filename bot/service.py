"""The running bot's knowledge: a library of articles behind one reference, reloaded safely.

A reload builds the new library aside (reusing every unchanged article: files are compared by
content hash, so only changed articles are read and indexed again), validates everything, and
only then swaps the single reference. Questions in flight keep the engine they started with; a knowledge
base that fails validation is never swapped in, so the old one keeps serving.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Engine
from bot.knowledge import (
    FileChange,
    KnowledgeBase,
    KnowledgeError,
    Problem,
    diff_knowledge,
)
from bot.library import ENGINES_KEPT, Library
from bot.semantic import MiniLM, shared_model

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did: swapped in a new knowledge base, or kept the old one."""

    ok: bool
    changes: list[FileChange] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


class KnowledgeService:
    """Holds the current library; ``reload()`` swaps in a new one only if it validates."""

    def __init__(self, path: str | os.PathLike[str], library: Library | Engine,
                 model: MiniLM | None = None,
                 cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path)
        self._library = (library if isinstance(library, Library)
                         else Library.single(library, model))
        self._model = model  # the semantic model every rebuilt engine uses
        self._cache_dir = cache_dir
        self._reload_lock = threading.Lock()  # one reload at a time; readers never wait

    @classmethod
    def load(cls, path: str | os.PathLike[str], model: MiniLM | None = None, *,
             cache_dir: str | os.PathLike[str] | None = None, kept: int = ENGINES_KEPT,
             ) -> KnowledgeService:
        """Load the knowledge folder at ``path`` (raises KnowledgeError if it is invalid).

        Without a ``model``, the bundled semantic model (raises SemanticModelError if absent).
        ``cache_dir``: where built indexes are kept across starts (None: rebuilt each start).
        """
        model = model if model is not None else shared_model()
        library = Library.load(path, model, cache_dir=cache_dir, kept=kept)
        return cls(path, library, model, cache_dir)

    @property
    def library(self) -> Library:
        """The library to use for the next question (read once per question)."""
        return self._library

    @property
    def engine(self) -> Engine:
        """The engine of the library's default (newest) article: the whole knowledge base
        when the folder holds one article."""
        library = self._library
        return library.engine(library.default_article)

    def reload(self, *, force: bool = False) -> ReloadOutcome:
        """Re-read, validate and swap; on any error keep the old knowledge base.

        Besides validation, two guards against a file caught half-written (a cut YAML file is
        often still valid YAML): the files must not change while they are read, and a reload
        that removes entries is refused unless ``force``. Blocking (file I/O, index building):
        call it from a worker thread.
        """
        with self._reload_lock:
            before = _snapshot(self.path)
            old = self._library
            try:
                library = Library.load(self.path, self._model, cache_dir=self._cache_dir,
                                       previous=old)
            except KnowledgeError as exc:
                return self._rejected(exc.problems)
            if _snapshot(self.path) != before:
                return self._rejected([Problem(str(self.path), 0, "files changed while being "
                                               "read (still being written?); reload again")])
            kept = {c.digest for c in library.cards}
            gone = [c for c in old.cards if c.digest not in kept]
            fresh = [c for c in library.cards if c.digest not in {o.digest for o in old.cards}]
            changes = diff_knowledge(_combined([old.kb(c.ref.id) for c in gone]),
                                     _combined([library.kb(c.ref.id) for c in fresh]))
            if not force:
                shrinking = _shrinking(changes)
                if shrinking:
                    return self._rejected(shrinking)
            self._library = library  # the swap: one reference, atomic for readers
            log.info("knowledge base reloaded from %s (%d article(s) re-read of %d)",
                     self.path, len(fresh), len(library.cards))
            return ReloadOutcome(ok=True, changes=changes)

    def _rejected(self, problems: list[Problem]) -> ReloadOutcome:
        log.warning("reload of %s rejected: %d error(s), first: %s",
                    self.path, len(problems), problems[0] if problems else "")
        return ReloadOutcome(ok=False, errors=problems)


def _snapshot(path: Path) -> list[tuple[str, int, int]]:
    """Name, size and modification time of every file under the knowledge folder."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    out = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue
        out.append((str(file), stat.st_size, stat.st_mtime_ns))
    return out


def _shrinking(changes: list[FileChange]) -> list[Problem]:
    """Files that would lose entries: refused unless forced, since a file cut mid-write is
    often still valid YAML, and a deliberate removal is rare enough to confirm."""
    problems = []
    for change in changes:
        removed = [f"{len(ids)} {kind}" for kind, ids in change.removed.items() if ids]
        if removed:
            first = next(i for ids in change.removed.values() for i in ids)
            problems.append(Problem(change.file, 0, "would remove " + ", ".join(removed)
                                    + f" (e.g. {first!r}); a half-written file? If intended, "
                                    "reload with force (/reload force)"))
    return problems


def _combined(kbs: list[KnowledgeBase]) -> KnowledgeBase:
    """Several articles' knowledge bases as one, to compare what a reload changes."""
    return KnowledgeBase("", tuple(a for kb in kbs for a in kb.articles),
                         tuple(p for kb in kbs for p in kb.people),
                         tuple(t for kb in kbs for t in kb.topics),
                         tuple(s for kb in kbs for s in kb.statements),
                         tuple(f for kb in kbs for f in kb.facts),
                         tuple(f for kb in kbs for f in kb.files))
