"""The running bot's knowledge: one engine behind one reference, reloaded safely.

A reload builds the new knowledge base and engine aside, validates everything, and only then
swaps the single reference. Questions in flight keep the engine they started with; a knowledge
base that fails validation is never swapped in, so the old one keeps serving.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Engine
from bot.knowledge import FileChange, KnowledgeError, Problem, diff_knowledge, load_knowledge

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did: swapped in a new knowledge base, or kept the old one."""

    ok: bool
    changes: list[FileChange] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


class KnowledgeService:
    """Holds the current engine; ``reload()`` swaps in a new one only if it validates."""

    def __init__(self, path: str | os.PathLike[str], engine: Engine) -> None:
        self.path = Path(path)
        self._engine = engine
        self._reload_lock = threading.Lock()  # one reload at a time; readers never wait

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KnowledgeService:
        """Load the knowledge base at ``path`` (raises KnowledgeError if it is invalid)."""
        return cls(path, Engine(load_knowledge(path)))

    @property
    def engine(self) -> Engine:
        """The engine to use for the next question (read once per question)."""
        return self._engine

    def reload(self) -> ReloadOutcome:
        """Re-read, validate and swap; on any error keep the old knowledge base.

        Blocking (file I/O and index building): call it from a worker thread in async code.
        """
        with self._reload_lock:
            try:
                engine = Engine(load_knowledge(self.path))
            except KnowledgeError as exc:
                log.warning("reload of %s rejected: %d error(s), first: %s",
                            self.path, len(exc.problems), exc.problems[0] if exc.problems else "")
                return ReloadOutcome(ok=False, errors=exc.problems)
            changes = diff_knowledge(self._engine.kb, engine.kb)
            self._engine = engine  # the swap: one reference, atomic for readers
            log.info("knowledge base reloaded from %s", self.path)
            return ReloadOutcome(ok=True, changes=changes)
