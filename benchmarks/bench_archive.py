"""Benchmark a large archive: start-up, peak memory and latency for 100 to 4,000 articles.

Builds a deterministic synthetic archive: copies of the real knowledge bases (tests/articles/
and knowledge/), each copy with its own id, date and people (every name renamed, in the YAML and
its source text alike, so the verbatim checks still hold and no two copies share a name). Then,
for each size, in a fresh subprocess pinned to one core:

* **first build**: ``Library.load`` with an empty index cache (every article read, validated,
  indexed and embedded, and written to the cache);
* **start-up**: ``Library.load`` again, from the cache, as a restarted bot does;
* **questions**: the blind questions of the copies (their speaker's name renamed too) naming
  their speaker, asked with no current article; and questions naming no one, asked with the
  copy as the current article. Each is judged against the copy's knowledge base, and the same
  questions are asked of the copy's own engine alone: "as right as with one article".

Peak memory is the subprocess's ``ru_maxrss`` (the model's ~90 MiB included). Run
``python benchmarks/bench_archive.py --sizes 100,1000,4000`` (4,000 takes a long first build);
``--json`` for machine-readable output. Always exits 0: this measures, it does not gate.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bot.evaluation import article_cases, judge_blind, load_blind
from bot.knowledge import load_knowledge
from bot.text import content_stems

ARTICLES = REPO_ROOT / "tests" / "articles"
BUNDLED = REPO_ROOT / "knowledge"
QUESTIONS_PER_SIZE = 400
SEED = 8

# Targets of issue 8, on one core, at 4,000 articles
TARGET_START_S = 5.0
TARGET_PEAK_MIB = 1024.0
TARGET_P99_MS = 100.0
TARGET_P50_FACTOR = 2.0  # per-question p50 at most twice the one-article p50

_ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "tr", "gr", "pl", "sh", "zh", "ch"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ei"]
_CODAS = ["n", "r", "k", "m", "t", "l", "v", "sh"]


def invented_name(number: int) -> str:
    """A pronounceable name unique to ``number`` ("Dalivok", "Trezomun"): no real word."""
    space = (len(_ONSETS) * len(_VOWELS)) ** 3 * len(_CODAS)
    assert number < space, "archive too large for the name generator"
    number = number * 2654435761 % space  # a bijection (coprime): neighbours look unalike
    parts = []
    for _ in range(3):
        number, onset = divmod(number, len(_ONSETS))
        number, vowel = divmod(number, len(_VOWELS))
        parts.append(_ONSETS[onset] + _VOWELS[vowel])
    return ("".join(parts) + _CODAS[number % len(_CODAS)]).capitalize()


@dataclass(frozen=True)
class Base:
    """A real knowledge base to copy: its file, source, and the words of its people's names."""

    article_id: str
    yaml_text: str
    source_name: str
    source_text: str
    name_words: tuple[str, ...]
    questions: Path | None


def bases() -> list[Base]:
    """Every real knowledge base, in a fixed order."""
    folders: list[tuple[Path, Path | None]] = [(c.knowledge, c.questions)
                                                for c in article_cases(ARTICLES)]
    folders.append((BUNDLED, None))
    out = []
    for folder, questions in folders:
        for file in sorted(folder.glob("*.yaml")):
            kb = load_knowledge(file)
            article = kb.articles[0]
            titles = {s for p in kb.people for t in (*p.roles, *p.role_aliases)
                      for s in content_stems(t)}
            words: dict[str, None] = {}
            for person in kb.people:
                for alias in (person.name, *person.aliases):
                    for word in re.findall(r"[A-Z][\w'-]*\w", alias):
                        if len(word) >= 3 and content_stems(word) and \
                                content_stems(word)[0] not in titles:
                            words[word] = None
            out.append(Base(article.id, file.read_text(encoding="utf-8"),
                            article.source_path, (folder / article.source_path).read_text(
                                encoding="utf-8"), tuple(words), questions))
    return out


NAMES_PER_COPY = 256  # name words of one article (the bundled one has about a hundred)


def renaming(base: Base, copy: int) -> dict[str, str]:
    """Each name word of a base -> the copy's own invented one (no two copies share one)."""
    assert len(base.name_words) <= NAMES_PER_COPY
    return {word: invented_name(copy * NAMES_PER_COPY + n)
            for n, word in enumerate(base.name_words)}


def rename(text: str, names: dict[str, str]) -> str:
    """Every name word replaced, whatever its case, as a whole word."""
    if not names:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(
        names, key=len, reverse=True)) + r")\b", re.IGNORECASE)
    lowered = {k.casefold(): v for k, v in names.items()}

    def replace(match: re.Match[str]) -> str:
        new = lowered[match[0].casefold()]
        if match[0].isupper():
            return new.upper()
        return new if match[0][:1].isupper() else new.lower()
    return pattern.sub(replace, text)


def copy_id(base: Base, copy: int) -> str:
    """The copy's article id (ids are at most 48 characters)."""
    return f"{base.article_id[:40].rstrip('-')}-c{copy:05d}"


def build_archive(folder: Path, size: int, all_bases: list[Base]) -> None:
    """``size`` renamed copies, deterministic: copy ``i`` is base ``i % len(bases)``."""
    if (folder / ".complete").exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "sources").mkdir(parents=True)
    for copy in range(size):
        base = all_bases[copy % len(all_bases)]
        names = renaming(base, copy)
        new_id = copy_id(base, copy)
        date = time.strftime("%Y-%m-%d", time.gmtime(1_500_000_000 + 86400 * copy))
        # the id and source first, kept from the renaming (an id may hold a name)
        text = re.sub(r"(?m)^  date: .*\n", "", base.yaml_text)
        text = re.sub(rf"(?m)^  id: {re.escape(base.article_id)}$", "  id: @@ID@@\n"
                      f"  date: '{date}'", text, count=1)
        text = text.replace(f"source: {base.source_name}", "source: sources/@@ID@@.txt", 1)
        text = rename(text, names).replace("@@ID@@", new_id)
        (folder / f"{new_id}.yaml").write_text(text, encoding="utf-8")
        (folder / "sources" / f"{new_id}.txt").write_text(rename(base.source_text, names),
                                                         encoding="utf-8")
    (folder / ".complete").write_text("ok")


# ------------------------------------------------------------------------------ questions


def question_plan(size: int, all_bases: list[Base]) -> list[dict[str, Any]]:
    """Questions for random copies: named ones with no current article, others with it."""
    rng = random.Random(SEED)
    blind = {b.article_id: load_blind(b.questions) for b in all_bases if b.questions}
    plan: list[dict[str, Any]] = []
    while len(plan) < QUESTIONS_PER_SIZE:
        copy = rng.randrange(size)
        base = all_bases[copy % len(all_bases)]
        if base.article_id not in blind:
            continue
        item = rng.choice(blind[base.article_id].items)
        names = renaming(base, copy)
        # named: the question uses a name of one of the copy's people (so the copy alone has
        # it); a question naming no one, or someone the article only mentions, is asked with
        # the copy as the chat's current article
        named = any(re.search(rf"\b{re.escape(w)}\b", item.question, re.IGNORECASE)
                    for w in names)
        plan.append({"copy": copy_id(base, copy), "base": base.article_id,
                     "question": rename(item.question, names), "index": item.index,
                     "names": names, "current": None if named else copy_id(base, copy)})
    return plan


# ------------------------------------------------------------------------------ one size


def measure(folder: Path, cache: Path, phase: str, plan_file: Path | None) -> dict[str, Any]:
    """Run in the subprocess: load the library (and ask the plan's questions)."""
    from dataclasses import replace

    from bot.library import Library
    from bot.semantic import load_model

    # One question vector cached: the articles a question is asked of share its embedding,
    # as with the bot's cache, but no question of the plan is answered from an earlier one.
    model = load_model(cache_size=1)
    started = time.perf_counter()
    library = Library.load(folder, model, cache_dir=cache)
    out: dict[str, Any] = {"load_s": time.perf_counter() - started, "articles": len(
        library.cards)}
    if plan_file is not None:
        plan = json.loads(plan_file.read_text(encoding="utf-8"))
        blind = {c.article: load_blind(c.questions) for c in article_cases(ARTICLES)}
        latencies, alone_latencies = [], []
        right = alone_right = right_article = 0
        judged: list[bool] = []
        items = []
        for step in plan:
            item = next(i for i in blind[step["base"]].items if i.index == step["index"])
            items.append(replace(item, speaker=rename(item.speaker, step["names"]),
                                 quote=rename(item.quote, step["names"])))
        for step, item in zip(plan, items, strict=True):
            started = time.perf_counter()
            result = library.ask(step["question"], current=step["current"])
            latencies.append(time.perf_counter() - started)
            part = result.parts[0]
            judged.append(part.article.id == step["copy"] and judge_blind(
                library.kb(step["copy"]), item, part.result)[0])
            right += judged[-1]
            if part.article.id == step["copy"]:
                right_article += 1
            elif os.environ.get("BENCH_VERBOSE"):
                print("wrong article:", step["question"], step["copy"], part.article.id,
                      file=sys.stderr)
        # The copy alone, in a second pass: the one-question embedding cache then holds
        # another question, as the library's first ask of a question did.
        for step, item in zip(plan, items, strict=True):
            engine = library.engine(step["copy"])
            started = time.perf_counter()
            alone = engine.answer(step["question"])
            alone_latencies.append(time.perf_counter() - started)
            ok = judge_blind(engine.kb, item, alone)[0]
            alone_right += ok
            if ok != judged[len(alone_latencies) - 1] and os.environ.get("BENCH_VERBOSE"):
                print(f"{'only alone' if ok else 'only in the library'} right:",
                      step["question"], step["copy"], f"current={step['current']}",
                      file=sys.stderr)
        latencies.sort()
        alone_latencies.sort()
        out.update({
            "questions": len(plan),
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
            "alone_p50_ms": 1000 * statistics.median(alone_latencies),
            "alone_p99_ms": 1000 * alone_latencies[int(0.99 * (len(alone_latencies) - 1))],
            "right": right, "alone_right": alone_right, "right_article": right_article,
            "engines_in_memory": library.built(),
        })
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["phase"] = phase
    return out


def run_phase(folder: Path, cache: Path, phase: str, plan_file: Path | None,
              cpu: int = 0) -> dict[str, Any]:
    """One phase in a fresh subprocess on one core, one thread."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONPATH": str(REPO_ROOT)}
    argv = [sys.executable, __file__, "--child", str(folder), str(cache), phase]
    if plan_file is not None:
        argv.append(str(plan_file))
    if shutil.which("taskset"):
        argv = ["taskset", "-c", str(cpu), *argv]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{done.stderr[-3000:]}")
    if os.environ.get("BENCH_VERBOSE"):
        sys.stderr.write(done.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    """Build the archives and measure each size."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        folder, cache, phase = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
        plan = Path(sys.argv[5]) if len(sys.argv) > 5 else None
        print("\n" + json.dumps(measure(folder, cache, phase, plan)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,4000",
                        help="archive sizes in articles, comma-separated (default 100,1000,4000)")
    parser.add_argument("--work", default="/tmp/article-bot-archive",
                        help="where archives and caches are built (reused across runs)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--fresh", action="store_true", help="rebuild the index caches")
    parser.add_argument("--cpu", type=int, default=0, help="the core to pin to (default 0)")
    args = parser.parse_args()
    work = Path(args.work)
    all_bases = bases()
    figures = []
    for size in (int(s) for s in args.sizes.split(",")):
        folder, cache = work / f"archive-{size}", work / f"cache-{size}"
        build_archive(folder, size, all_bases)
        if args.fresh:
            shutil.rmtree(cache, ignore_errors=True)
        plan_file = work / f"plan-{size}.json"
        plan_file.write_text(json.dumps(question_plan(size, all_bases)), encoding="utf-8")
        first = run_phase(folder, cache, "first build", None, args.cpu)
        warm = run_phase(folder, cache, "start-up", plan_file, args.cpu)
        row = {"size": size, "first_build_s": first["load_s"],
               "first_build_peak_mib": first["peak_mib"], **warm}
        figures.append(row)
        if not args.json:
            print(format_row(row), flush=True)
    if args.json:
        print(json.dumps(figures, indent=2))
    return 0


def format_row(row: dict[str, Any]) -> str:
    """One size's figures, with the targets."""
    n = row["questions"]
    ok_start = "ok" if row["load_s"] <= TARGET_START_S else "OVER"
    ok_peak = "ok" if row["peak_mib"] <= TARGET_PEAK_MIB else "OVER"
    ok_p50 = "ok" if row["p50_ms"] <= TARGET_P50_FACTOR * row["alone_p50_ms"] else "OVER"
    ok_p99 = "ok" if row["p99_ms"] <= TARGET_P99_MS else "OVER"
    return (f"{row['size']:>6,} articles: first build {row['first_build_s']:.1f} s "
            f"(peak {row['first_build_peak_mib']:.0f} MiB); start-up {row['load_s']:.2f} s "
            f"[{ok_start}], peak {row['peak_mib']:.0f} MiB [{ok_peak}]; per question "
            f"p50 {row['p50_ms']:.1f} ms [{ok_p50}: one article alone "
            f"{row['alone_p50_ms']:.1f} ms], p99 {row['p99_ms']:.1f} ms [{ok_p99}]; "
            f"right article {row['right_article']}/{n}, right answer {row['right']}/{n} "
            f"(the article alone: {row['alone_right']}/{n}); "
            f"{row['engines_in_memory']} engines in memory")


if __name__ == "__main__":
    raise SystemExit(main())
