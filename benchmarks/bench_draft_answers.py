"""Benchmark answering from drafted knowledge bases against the hand-written ones.

Run ``python benchmarks/bench_draft_answers.py`` (``--verbose`` lists, per article, the plain
questions the hand-written knowledge base answers and the draft does not, with what the draft
replied; ``--json`` prints the figures). For every article of ``tests/articles/``: its text
(``knowledge/sources/<id>.txt``) is drafted with ``article-bot draft`` into an empty folder, no
edits, and its blind ``questions.yaml`` is asked of an engine on the draft and of one on the
hand-written knowledge base. Reported per article and overall: plain questions right from the
draft and from the hand KB, the plain ones the hand KB answers that the draft answers too (the
issue's target: 90 %), paraphrases, out-of-scope declines and misattributions (must stay 0).
Always exits 0: it is a measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.cli import main as cli_main
from bot.engine import Engine
from bot.evaluation import BlindItem, article_cases, judge_blind, load_blind
from bot.knowledge import load_knowledge
from bot.semantic import shared_model

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"


@dataclass
class Side:
    """One knowledge base's replies to one article's questions."""

    right: dict[int, bool] = field(default_factory=dict)  # question index -> answered right
    replies: dict[int, str] = field(default_factory=dict)
    misattributions: list[str] = field(default_factory=list)


@dataclass
class Row:
    """Figures for one article (or the sum of them)."""

    article: str
    plain: int = 0
    plain_draft: int = 0
    plain_hand: int = 0
    plain_kept: int = 0  # right from the hand KB and from the draft
    paraphrase: int = 0
    paraphrase_draft: int = 0
    paraphrase_hand: int = 0
    declinable: int = 0
    declined_draft: int = 0
    declined_hand: int = 0
    misattributed_draft: int = 0
    misattributed_hand: int = 0
    lost: list[str] = field(default_factory=list)
    undeclined: list[str] = field(default_factory=list)  # declined by the hand KB only
    misattributions: list[str] = field(default_factory=list)

    def add(self, other: Row) -> None:
        """Add another article's counts."""
        for name, value in vars(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)

    @property
    def kept(self) -> float:
        """Share of the plain questions the hand KB answers that the draft answers too."""
        return self.plain_kept / self.plain_hand if self.plain_hand else 1.0


def drafted_folder(source: Path, article_id: str, out: Path) -> Path:
    """Draft an article with ``article-bot draft`` into ``out`` (as an admin would)."""
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["draft", str(source), "--out", str(out), "--id", article_id])
    if code != 0:
        raise SystemExit(f"{source}: article-bot draft failed ({code})")
    return out


def ask(engine: Engine, items: tuple[BlindItem, ...]) -> Side:
    """Every question's verdict and a short form of the reply."""
    side = Side()
    for item in items:
        result = engine.answer(item.question)
        ok, wrong = judge_blind(engine.kb, item, result)
        side.right[item.index] = ok
        shown = ", ".join(m.id for m in result.matches[:3]) or "-"
        side.replies[item.index] = f"{result.status.value} ({shown})"
        if wrong:
            side.misattributions.append(f"{item.question!r}: {wrong}")
    return side


def compare(article: str, items: tuple[BlindItem, ...], draft: Side, hand: Side) -> Row:
    """One article's row from both sides' verdicts."""
    row = Row(article)
    for item in items:
        d, h = draft.right[item.index], hand.right[item.index]
        if item.kind == "plain":
            row.plain += 1
            row.plain_draft += d
            row.plain_hand += h
            row.plain_kept += d and h
            if h and not d:
                row.lost.append(f"[{item.type}] {item.question!r} ({item.speaker}: "
                                f"{item.quote[:50]!r}) -> {draft.replies[item.index]}")
        elif item.kind == "paraphrase":
            row.paraphrase += 1
            row.paraphrase_draft += d
            row.paraphrase_hand += h
        elif item.declinable:
            row.declinable += 1
            row.declined_draft += d
            row.declined_hand += h
            if h and not d:
                row.undeclined.append(f"[{item.kind}] {item.question!r} -> "
                                      f"{draft.replies[item.index]}")
    row.misattributed_draft = len(draft.misattributions)
    row.misattributed_hand = len(hand.misattributions)
    row.misattributions = draft.misattributions
    return row


def measure(folder: Path = ARTICLES) -> list[Row]:
    """Every article's row, drafting each into a temporary folder."""
    model = shared_model()
    rows = []
    for case in article_cases(folder):
        blind = load_blind(case.questions)
        hand_kb = load_knowledge(case.knowledge)
        source = case.knowledge / "sources" / f"{case.article}.txt"
        with tempfile.TemporaryDirectory() as tmp:
            draft_kb = load_knowledge(drafted_folder(source, case.article, Path(tmp)))
        draft = ask(Engine(draft_kb, model), blind.items)
        hand = ask(Engine(hand_kb, model), blind.items)
        rows.append(compare(case.article, blind.items, draft, hand))
    return rows


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   - "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--articles", type=Path, default=ARTICLES,
                        help="a folder laid out as tests/articles/")
    args = parser.parse_args(argv)
    rows = measure(args.articles)
    total = Row("total")
    for row in rows:
        total.add(row)
    if args.json:
        print(json.dumps({r.article: {k: v for k, v in vars(r).items() if isinstance(v, int)}
                          | {"kept": r.kept} for r in [*rows, total]}))
        return 0
    print(f"{'article':44} {'plain draft/hand':>17} {'kept':>6} {'para d/h':>9} "
          f"{'declined d/h':>13} {'misattr d/h':>11}")
    for row in [*rows, total]:
        if row is total:
            print()
        print(f"{row.article[:44]:44} {row.plain_draft:>4}/{row.plain_hand:<3}of {row.plain:<4}"
              f" {row.kept:6.0%} {row.paraphrase_draft:>4}/{row.paraphrase_hand:<4}"
              f" {row.declined_draft:>5}/{row.declined_hand:<3}of {row.declinable:<3}"
              f" {row.misattributed_draft:>5}/{row.misattributed_hand:<3}")
        if args.verbose and row is not total:
            for line in row.lost:
                print(f"    lost: {line}")
            for line in row.undeclined:
                print(f"    not declined: {line}")
            for line in row.misattributions:
                print(f"    MISATTRIBUTED: {line}")
    print(f"\nplain: draft {_pct(total.plain_draft, total.plain)}, hand "
          f"{_pct(total.plain_hand, total.plain)}; of the {total.plain_hand} the hand KB answers "
          f"the draft answers {total.plain_kept} ({total.kept:.1%}; target 90 %)")
    print(f"paraphrase: draft {_pct(total.paraphrase_draft, total.paraphrase)}, hand "
          f"{_pct(total.paraphrase_hand, total.paraphrase)}; out of scope declined: draft "
          f"{_pct(total.declined_draft, total.declinable)}, hand "
          f"{_pct(total.declined_hand, total.declinable)}; misattributions: draft "
          f"{total.misattributed_draft}, hand {total.misattributed_hand}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
