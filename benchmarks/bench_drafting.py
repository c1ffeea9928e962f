"""Benchmark the drafter against the hand-written knowledge bases (knowledge/, tests/articles/).

Run ``python benchmarks/bench_drafting.py`` (``--verbose`` lists what was missed, what is not a
real statement and what went to the wrong person). Reports per article and in total: direct
quotes and reported statements found, share of drafted statements that are real, share of those
attributed right, and the slowest draft. Always exits 0: the floors are in tests/test_drafting.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.draft_eval import DraftScore, corpus, score_folder

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--articles", type=Path,
                        help="instead, a folder laid out as tests/articles/ (<id>/knowledge/)")
    args = parser.parse_args(argv)
    total = DraftScore("total")
    rows = []
    folders = (sorted(p / "knowledge" for p in args.articles.iterdir() if (p / "knowledge").is_dir())
               if args.articles else corpus(ROOT))
    for folder in folders:
        part = score_folder(folder)
        total.add(part)
        name = folder.parent.name if folder.name == "knowledge" else folder.name
        rows.append((name if name != ROOT.name else "bundled", part))
    if args.json:
        print(json.dumps({name: _figures(p) for name, p in [*rows, ("total", total)]}))
        return 0
    print(f"{'article':44} quotes  reported  real  right  ms")
    for name, part in [*rows, ("total", total)]:
        print(f"{name[:44]:44} {part.quotes_found:>2}/{part.quotes:<3} {part.reported_found:>3}/"
              f"{part.reported:<4} {part.precision:5.0%} {part.attribution:5.0%} "
              f"{part.seconds * 1000:5.1f}")
        if args.verbose and name != "total":
            for label, items in (("missed", part.missed), ("not real", part.unreal),
                                 ("wrong", part.wrong)):
                for item in items:
                    print(f"    {label}: {item}")
    found = (total.quotes_found + total.reported_found) / max(total.quotes + total.reported, 1)
    print(f"\nfound {found:.0%} (quotes {total.quotes_found}/{total.quotes}, reported "
          f"{total.reported_found}/{total.reported}); real {total.precision:.0%}; "
          f"attributed right {total.attribution:.0%}; slowest {total.seconds * 1000:.1f} ms")
    return 0


def _figures(part: DraftScore) -> dict[str, float]:
    return {"quotes": part.quotes, "quotes_found": part.quotes_found,
            "reported": part.reported, "reported_found": part.reported_found,
            "precision": part.precision, "attribution": part.attribution,
            "slowest_s": part.seconds}


if __name__ == "__main__":
    sys.exit(main())
