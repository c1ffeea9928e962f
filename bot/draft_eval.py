"""How good a draft is: its statements against a hand-written knowledge base of the article.

A hand statement is *found* when a drafted text holds it or lies inside it, or when the two
share most of their words in order (rapidfuzz's partial ratio over 90 on folded text, so a
draft cut at a different comma still counts). A drafted statement is *real* when it matches a
hand statement, and *attributed right* when its speaker is that statement's speaker (by name,
surname or alias). Used by ``benchmarks/bench_drafting.py`` and the floors in the tests.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from bot.drafting import Draft, draft
from bot.knowledge import KnowledgeBase, Person, Statement, load_knowledge
from bot.text import fold

MATCH_CUTOFF = 90.0
MIN_OVERLAP = 24  # characters: shorter fragments match too easily


@dataclass
class DraftScore:
    """Counts for one article (or a sum of articles)."""

    article: str
    quotes: int = 0
    quotes_found: int = 0
    reported: int = 0
    reported_found: int = 0
    drafted: int = 0
    real: int = 0
    right: int = 0
    seconds: float = 0.0
    missed: list[str] = field(default_factory=list)
    unreal: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, other: DraftScore) -> None:
        """Add another article's counts to these."""
        for name in ("quotes", "quotes_found", "reported", "reported_found", "drafted", "real",
                     "right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds = max(self.seconds, other.seconds)

    @property
    def found(self) -> float:
        """Share of the hand statements found."""
        total = self.quotes + self.reported
        return (self.quotes_found + self.reported_found) / total if total else 1.0

    @property
    def precision(self) -> float:
        """Share of the drafted statements that are real statements."""
        return self.real / self.drafted if self.drafted else 1.0

    @property
    def attribution(self) -> float:
        """Share of the real drafted statements given to the right person."""
        return self.right / self.real if self.real else 1.0


def matches(drafted: str, hand: str) -> bool:
    """Whether a drafted text and a hand-written statement are the same statement."""
    a, b = fold(drafted), fold(hand)
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    if short in long:
        return len(short) >= MIN_OVERLAP or short == long
    return len(short) >= MIN_OVERLAP and fuzz.partial_ratio(short, long) >= MATCH_CUTOFF


def same_person(name: str, person: Person) -> bool:
    """Whether a drafted speaker's name names the hand-written person."""
    folded = fold(name)
    names = {fold(n) for n in (person.name, *person.aliases)}
    surname = folded.split()[-1] if folded.split() else folded
    return folded in names or any(surname in n.split() for n in names)


def score(result: Draft, hand: KnowledgeBase, article: str, seconds: float = 0.0
          ) -> DraftScore:
    """Compare a draft with the hand-written knowledge base of the same article."""
    out = DraftScore(article, seconds=seconds)
    hand_statements: list[Statement] = [s for s in hand.statements if s.article_id == article]
    for s in hand_statements:
        found = any(matches(d.text, s.text) for d in result.statements)
        if s.kind == "quote":
            out.quotes += 1
            out.quotes_found += found
        else:
            out.reported += 1
            out.reported_found += found
        if not found:
            out.missed.append(f"{s.speaker}: {s.text[:90]}")
    seen: set[str] = set()
    for d in result.statements:
        if d.text in seen:
            continue
        seen.add(d.text)
        out.drafted += 1
        owners = [s for s in hand_statements if matches(d.text, s.text)]
        name = result.people[d.speaker].name if d.speaker in result.people else d.speaker
        if not owners:
            out.unreal.append(f"{name}: {d.text[:90]}")
            continue
        out.real += 1
        if any(same_person(name, hand.person(s.speaker)) for s in owners):
            out.right += 1
        else:
            out.wrong.append(f"{name} (hand: {owners[0].speaker}): {d.text[:80]}")
    return out


def score_folder(folder: Path) -> DraftScore:
    """Draft the article of a knowledge folder (its sources) and score it."""
    hand = load_knowledge(folder)
    total = DraftScore(folder.name)
    for article in hand.articles:
        started = time.perf_counter()
        result = draft(article.source_text)
        elapsed = time.perf_counter() - started
        total.add(part := score(result, hand, article.id, elapsed))
        total.missed += part.missed
        total.unreal += part.unreal
        total.wrong += part.wrong
    return total


def corpus(root: Path) -> list[Path]:
    """The knowledge folders with hand-written statements: knowledge/ and tests/articles/*."""
    folders = [root / "knowledge"]
    folders += sorted(p / "knowledge" for p in (root / "tests" / "articles").iterdir()
                      if (p / "knowledge").is_dir())
    return folders
