"""Drafts waiting for review, kept apart from the served knowledge folder until published.

A draft is a folder ``DRAFTS/<id>/`` holding ``<id>.yaml`` and ``sources/<id>.txt``, the same
layout as the knowledge folder, so it is validated by the very loader that serves. Publishing
copies both files into the knowledge folder only after the served files and the draft have been
loaded together in a staging copy; then the service's validated, atomic reload swaps them in,
and a reload that still fails removes them again. Nothing here knows Telegram.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.drafting import Draft, draft
from bot.drafting_yaml import to_yaml_data
from bot.knowledge import KnowledgeError, Problem, inspect_knowledge, read_yaml
from bot.service import KnowledgeService, ReloadOutcome

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_ARTICLE_BYTES = 1 << 20  # an article is text; a larger file is not one
ERRORS_SHOWN = 5


class DraftError(Exception):
    """A refused article, edited draft or publish request; the message says why."""


@dataclass(frozen=True)
class DraftSummary:
    """What a stored draft holds, for the reply to the admin."""

    article_id: str
    title: str
    people: tuple[tuple[str, str], ...]  # (name, first role)
    quotes: int
    reported: int
    reviews: tuple[tuple[str, str, str], ...]  # (speaker name, what to check, text)
    yaml_path: Path


def decode_article(data: bytes) -> str:
    """The text of an uploaded article, or DraftError: too large, binary, not UTF-8, empty."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise DraftError(f"over {MAX_ARTICLE_BYTES // 1024} KiB: not an article")
    if b"\x00" in data:
        raise DraftError("a binary file, not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DraftError(f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as "
                         "UTF-8 and send it again") from None
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise DraftError("control characters in the text: not a text article")
    if not text.strip():
        raise DraftError("the file is empty")
    return text


def check_id(article_id: str) -> str:
    """The id if it is a plain draft id (no path, no dots), else DraftError."""
    if not ID_PATTERN.fullmatch(article_id):
        raise DraftError(f"{article_id[:40]!r} is not a draft id (lower-case letters, digits "
                         "and -)")
    return article_id


class DraftStore:
    """The drafts folder next to a served knowledge folder."""

    def __init__(self, folder: Path, service: KnowledgeService) -> None:
        self.folder = folder
        self.service = service
        self._lock = threading.Lock()  # one change to the drafts or the knowledge at a time

    # -- creating and replacing drafts ------------------------------------------------------

    def create(self, text: str, *, outlet: str = "") -> DraftSummary:
        """Draft an article and keep the draft (blocking: call from a worker thread)."""
        result = draft(text)
        if not result.statements:
            raise DraftError("no quote or statement found in it")
        with self._lock:
            article_id = self._free_id(_slug_id(result))
            data = to_yaml_data(result, article_id, f"sources/{article_id}.txt", outlet=outlet)
            header = ("# Drafted by article-bot: review every entry, above all the ones marked "
                      f"review:,\n# then send this file back or /publish {article_id}.\n")
            body = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=99)
            self._write(article_id, body.encode("utf-8"), text)
            return self.summary(article_id)

    def replace(self, data: bytes) -> DraftSummary:
        """Take an edited draft sent back; it must load with its article's source."""
        if len(data) > MAX_ARTICLE_BYTES:
            raise DraftError(f"over {MAX_ARTICLE_BYTES // 1024} KiB: not a draft")
        with tempfile.TemporaryDirectory(dir=self._ensure_folder()) as scratch:
            probe = Path(scratch) / "edited.yaml"
            probe.write_bytes(data)
            try:  # size, tags, alias bombs and depth are vetted before anything is built
                doc = read_yaml(probe, Path(scratch))
            except KnowledgeError as exc:
                raise DraftError(_problems(exc.problems)) from None
        article = doc.get("article") if isinstance(doc, dict) else None
        if not isinstance(article, dict) or not isinstance(article.get("id"), str):
            raise DraftError("no article id in it (article: id:)")
        article_id = article["id"]
        check_id(article_id)
        if article.get("source") != f"sources/{article_id}.txt":
            raise DraftError(f"article source must stay sources/{article_id}.txt")
        with self._lock:
            self._refuse_served(article_id)
            source = self.folder / article_id / "sources" / f"{article_id}.txt"
            if not source.is_file():
                raise DraftError(f"no draft {article_id!r}: send the article first")
            self._write(article_id, data, source.read_text(encoding="utf-8"))
            return self.summary(article_id)

    def summary(self, article_id: str) -> DraftSummary:
        """What the stored draft holds."""
        folder = self.folder / check_id(article_id)
        kb, problems = inspect_knowledge(folder / f"{article_id}.yaml", lint=False)
        if kb is None:
            raise DraftError(_problems(problems))
        names = {p.id: p.name for p in kb.people}
        return DraftSummary(
            article_id, kb.articles[0].title,
            tuple((p.name, p.roles[0] if p.roles else "") for p in kb.people),
            sum(s.kind == "quote" for s in kb.statements),
            sum(s.kind != "quote" for s in kb.statements),
            tuple((names.get(s.speaker, s.speaker), s.review, s.text)
                  for s in kb.statements if s.review),
            folder / f"{article_id}.yaml")

    # -- publishing ---------------------------------------------------------------------------

    def publish(self, article_id: str) -> ReloadOutcome:
        """Move a draft into the knowledge folder through the service's validated reload.

        Blocking (copies, loads, reloads): call from a worker thread.
        """
        check_id(article_id)
        with self._lock:
            draft_dir = self.folder / article_id
            yaml_file = draft_dir / f"{article_id}.yaml"
            source = draft_dir / "sources" / f"{article_id}.txt"
            if not yaml_file.is_file() or not source.is_file():
                raise DraftError(f"no draft {article_id!r}")
            self._refuse_served(article_id)
            served = self.service.path
            if not served.is_dir():
                raise DraftError("the bot serves a single file, not a knowledge folder: copy "
                                 f"the draft from {draft_dir} by hand")
            target_yaml = served / f"{article_id}.yaml"
            target_source = served / "sources" / f"{article_id}.txt"
            if target_yaml.exists() or target_source.exists():
                raise DraftError(f"{target_yaml.name} or sources/{target_source.name} is "
                                 "already in the knowledge folder")
            self._staged_check(served, yaml_file, source, article_id)
            try:
                target_source.parent.mkdir(parents=True, exist_ok=True)
                _atomic_copy(source, target_source)
                _atomic_copy(yaml_file, target_yaml)  # the YAML last: the loader reads it
            except OSError as exc:  # a full disk, a read-only folder: leave nothing behind
                target_yaml.unlink(missing_ok=True)
                target_source.unlink(missing_ok=True)
                raise DraftError(f"could not copy the draft in: {exc.strerror or exc}") from None
            outcome = self.service.reload()
            if not outcome.ok:  # e.g. a concurrent edit of the folder: take the draft back out
                target_yaml.unlink(missing_ok=True)
                target_source.unlink(missing_ok=True)
                return outcome
            shutil.rmtree(draft_dir, ignore_errors=True)
            return outcome

    # -- helpers ------------------------------------------------------------------------------

    def _ensure_folder(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder

    def _free_id(self, base: str) -> str:
        served = {a.id for a in self.service.engine.kb.articles}
        candidate, n = base, 1
        while candidate in served or (self.folder / candidate).exists() or (
                self.service.path / f"{candidate}.yaml").exists():
            n += 1
            candidate = f"{base[:60]}-{n}"
        return candidate

    def _refuse_served(self, article_id: str) -> None:
        if article_id in {a.id for a in self.service.engine.kb.articles}:
            raise DraftError(f"an article {article_id!r} is already served; give the draft "
                             "another id (article: id:)")

    def _write(self, article_id: str, yaml_bytes: bytes, text: str) -> None:
        """Validate the draft in a scratch folder, then put it in place of the old one."""
        root = self._ensure_folder()
        scratch = Path(tempfile.mkdtemp(prefix=".new-", dir=root))
        try:
            (scratch / "sources").mkdir()
            (scratch / "sources" / f"{article_id}.txt").write_text(text, encoding="utf-8")
            (scratch / f"{article_id}.yaml").write_bytes(yaml_bytes)
            kb, problems = inspect_knowledge(scratch, lint=False)
            if kb is None:
                raise DraftError(_problems(problems))
            final = root / article_id
            old = root / f".old-{article_id}"
            shutil.rmtree(old, ignore_errors=True)
            if final.exists():
                final.rename(old)
            scratch.rename(final)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _staged_check(self, served: Path, yaml_file: Path, source: Path,
                      article_id: str) -> None:
        """Load the served files and the draft together in a copy: collisions show here."""
        with tempfile.TemporaryDirectory(dir=self._ensure_folder(), prefix=".stage-") as tmp:
            stage = Path(tmp) / "knowledge"
            try:
                shutil.copytree(served, stage, symlinks=True)
                (stage / "sources").mkdir(exist_ok=True)
                shutil.copyfile(source, stage / "sources" / f"{article_id}.txt")
                shutil.copyfile(yaml_file, stage / f"{article_id}.yaml")
            except OSError as exc:
                raise DraftError(f"could not stage the draft: {exc.strerror or exc}") from None
            kb, problems = inspect_knowledge(stage, lint=False)
            if kb is None:
                raise DraftError("it does not load with the served articles:\n"
                                 + _problems(problems))


def _slug_id(result: Draft) -> str:
    words = re.findall(r"[a-z0-9]+", result.title.casefold())
    slug = "-".join(words[:8])[:56].strip("-")
    return slug or "article"


def _atomic_copy(source: Path, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.part")
    shutil.copyfile(source, temporary)
    temporary.replace(target)


def _problems(problems: list[Problem]) -> str:
    errors = [p for p in problems if p.severity == "error"] or problems
    lines = [f"line {p.line}: {p.message}" if p.line else p.message
             for p in errors[:ERRORS_SHOWN]]
    if len(errors) > ERRORS_SHOWN:
        lines.append(f"\u2026 and {len(errors) - ERRORS_SHOWN} more")
    return "\n".join(lines)
