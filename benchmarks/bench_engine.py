"""Benchmark the answering engine: answer latency, knowledge-base load time, peak memory.

Run ``python benchmarks/bench_engine.py`` (or ``make bench``); ``--json`` for machine-readable
output, ``--profile`` for the top functions by cumulative time. Always exits 0: this measures,
it does not gate (the tests do). See benchmarks/README.md for what the numbers mean.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.engine import Engine
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.semantic import MiniLM, load_model

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE = REPO_ROOT / "knowledge"
DEFAULT_QUESTIONS = REPO_ROOT / "tests" / "eval_questions.yaml"

# Targets (milliseconds), with the semantic signal on, on one core. A Telegram round trip is
# ~100 ms, so the engine should stay well under it.
TARGET_P50_MS = 15.0
TARGET_P99_MS = 40.0
TARGET_LOAD_MS = 1000.0  # per article


def build(kb: KnowledgeBase, model: MiniLM | None) -> Engine:
    """The engine as the bot builds it (``model`` None: the lexical reading alone)."""
    return Engine(kb, model)

# Used when tests/eval_questions.yaml is missing: every kind of question the engine handles.
FALLBACK_QUESTIONS: tuple[str, ...] = (
    "what did velayati say about brics",
    "what did lukyanov say about syria",
    "lukyanov on afghanistan",
    "what did sanaei say about the banking sector",
    "sanaei on sanctions",
    "what did velayati say about sanctions",
    "foruzesh visa regime",
    "what did foruzesh say about agriculture",
    "what did the ambassador say about trade",
    "what did the CSS president say about the SCO",
    "what did the deputy secretary of the security council say",
    "who talked about the energy market",
    "who mentioned venezuela",
    "who said that the west cannot be trusted",
    "who cited patrushev",
    "who is sanaei",
    "who is velayati",
    "who is Mehdi Sanaei",
    "tell me about lukyanov",
    "what is the role of foruzesh",
    "where was the round table held",
    "when was the round table",
    "who organized the event",
    "who attended the round table",
    "what is the CSS",
    "what is the article about",
    "which outlet published this",
    "what did velayatti say about brics",
    "wat did sanaii say about sanktions",
    "lukianov syria",
    "what about the nuclear deal",
    "what about oil",
    "relations between russia and iran",
    "did sanaei mention brics",
    "what did putin say",
    "what is the weather in moscow",
    "who won the football match",
    "hello",
    "",
    "?!",
    "\U0001f642\U0001f642\U0001f642",
    "what did they say",
)


@dataclass(frozen=True)
class Target:
    """One number compared with its target."""

    name: str
    value_ms: float
    limit_ms: float

    @property
    def passed(self) -> bool:
        """Whether the value is within the target."""
        return self.value_ms <= self.limit_ms


@dataclass(frozen=True)
class Report:
    """Everything one benchmark run measured."""

    python: str
    platform: str
    pinned_cpu: int | None
    questions_source: str
    questions: int
    rounds: int
    samples: int
    latency_ms: dict[str, float]  # p50, p90, p99, max, mean
    load_ms: dict[str, float]  # median of load_knowledge, Engine(), and both; runs
    peak_memory_mib: dict[str, float]  # load + engine build; answering every question once
    targets: list[dict[str, Any]]


def pin_to_one_core() -> int | None:
    """Pin this process to one CPU (less scheduler noise); the CPU used, or None if impossible."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    try:
        allowed = sorted(os.sched_getaffinity(0))
        cpu = 0 if 0 in allowed else allowed[0]
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return cpu


def load_questions(path: Path) -> tuple[list[str], str]:
    """The questions of an evaluation file, or the built-in list if it is missing or unusable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return list(FALLBACK_QUESTIONS), "built-in list"
    if not isinstance(data, list):
        return list(FALLBACK_QUESTIONS), "built-in list"
    questions = [item["question"] for item in data
                 if isinstance(item, dict) and isinstance(item.get("question"), str)]
    if not questions:
        return list(FALLBACK_QUESTIONS), "built-in list"
    return questions, str(path)


def percentile(ordered: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of already sorted values (``share`` in 0..100)."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(share / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def measure_latency(engine: Engine, questions: Sequence[str], rounds: int,
                    warmup: int) -> list[float]:
    """Answer every question ``rounds`` times (after ``warmup`` rounds); each latency in ms."""
    answer = engine.answer
    for _ in range(warmup):
        for question in questions:
            answer(question)
    gc.collect()
    clock = time.perf_counter_ns
    samples: list[float] = []
    append = samples.append
    for _ in range(rounds):
        for question in questions:
            started = clock()
            answer(question)
            append((clock() - started) / 1e6)
    return samples


def measure_load(knowledge: Path, runs: int, model: MiniLM | None) -> dict[str, float]:
    """Median times of ``load_knowledge``, ``Engine(kb)`` and both, over ``runs`` fresh builds."""
    loads: list[float] = []
    builds: list[float] = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        kb = load_knowledge(knowledge)
        loaded = time.perf_counter()
        build(kb, model)
        built = time.perf_counter()
        loads.append((loaded - started) * 1000)
        builds.append((built - loaded) * 1000)
    totals = [a + b for a, b in zip(loads, builds, strict=True)]
    # the first build with a new model encodes every entry; later ones reuse unchanged vectors
    fresh = load_model(cache_size=0) if model is not None else None
    started = time.perf_counter()
    build(load_knowledge(knowledge), fresh)
    first = (time.perf_counter() - started) * 1000
    return {"load_knowledge": statistics.median(loads), "engine": statistics.median(builds),
            "total": statistics.median(totals), "min_total": min(totals), "runs": float(runs),
            "first_build": first}


def peak_memory(action: Callable[[], object]) -> float:
    """Peak Python memory allocated while running ``action``, in MiB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        action()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024)


def profile(engine: Engine, questions: Sequence[str], rounds: int, top: int = 20) -> str:
    """cProfile over the question loop; the ``top`` functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for question in questions:
            engine.answer(question)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def run(args: argparse.Namespace) -> Report:
    """Measure everything and build the report."""
    cpu = pin_to_one_core() if not args.no_pin else None
    questions, source = load_questions(Path(args.questions))
    # no question cache: every timed answer encodes its question, as a new question does
    model = None if args.lexical_only else load_model(cache_size=0)
    engine = build(load_knowledge(args.knowledge), model)

    samples = sorted(measure_latency(engine, questions, args.rounds, args.warmup))
    latency = {"p50": percentile(samples, 50), "p90": percentile(samples, 90),
               "p99": percentile(samples, 99), "max": samples[-1] if samples else 0.0,
               "mean": statistics.fmean(samples) if samples else 0.0}
    load = measure_load(Path(args.knowledge), args.load_runs, model)
    memory = {
        "load_and_build": peak_memory(lambda: build(load_knowledge(args.knowledge), model)),
        "answer_all_once": peak_memory(lambda: [engine.answer(q) for q in questions]),
    }
    targets = [Target("latency p50", latency["p50"], TARGET_P50_MS),
               Target("latency p99", latency["p99"], TARGET_P99_MS),
               Target("load + engine (median)", load["total"], TARGET_LOAD_MS),
               Target("first build (encodes all)", load["first_build"], TARGET_LOAD_MS)]
    return Report(
        python=platform.python_version(), platform=platform.platform(), pinned_cpu=cpu,
        questions_source=source, questions=len(questions), rounds=args.rounds,
        samples=len(samples), latency_ms=latency, load_ms=load, peak_memory_mib=memory,
        targets=[{**asdict(t), "passed": t.passed} for t in targets],
    )


def format_report(report: Report) -> str:
    """The report as a short plain-text table."""
    lat, load, mem = report.latency_ms, report.load_ms, report.peak_memory_mib
    cpu = report.pinned_cpu
    pinned = f"pinned to CPU {cpu}" if cpu is not None else "not pinned"
    lines = [
        f"Python {report.python} on {report.platform}, {pinned}",
        (f"questions: {report.questions} from {report.questions_source}; "
         f"{report.rounds} rounds = {report.samples} answers"),
        "",
        (f"answer latency (ms): p50 {lat['p50']:.3f}  p90 {lat['p90']:.3f}  "
         f"p99 {lat['p99']:.3f}  max {lat['max']:.3f}  mean {lat['mean']:.3f}"),
        (f"load (ms, median of {int(load['runs'])}): load_knowledge "
         f"{load['load_knowledge']:.1f}  Engine() {load['engine']:.1f}  "
         f"total {load['total']:.1f} (min {load['min_total']:.1f}); first build, every "
         f"entry encoded: {load['first_build']:.1f}"),
        (f"peak memory (MiB, tracemalloc): load + build {mem['load_and_build']:.1f}  "
         f"answering every question once {mem['answer_all_once']:.1f}"),
        "",
    ]
    for target in report.targets:
        verdict = "PASS" if target["passed"] else "FAIL"
        lines.append(f"{verdict}  {target['name']:<24} {target['value_ms']:8.3f} ms  "
                     f"(target <= {target['limit_ms']:g} ms)")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    """The command-line options."""
    p = argparse.ArgumentParser(description="Benchmark the article-bot answering engine.")
    p.add_argument("--knowledge", default=str(DEFAULT_KNOWLEDGE), help="knowledge folder")
    p.add_argument("--questions", default=str(DEFAULT_QUESTIONS),
                   help="evaluation YAML to take questions from (built-in list if missing)")
    p.add_argument("--rounds", type=int, default=200, help="timed passes over all questions")
    p.add_argument("--warmup", type=int, default=3, help="untimed passes first")
    p.add_argument("--load-runs", type=int, default=20, help="knowledge-base builds to time")
    p.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    p.add_argument("--lexical-only", action="store_true",
                   help="without the semantic model (the lexical reading alone)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--profile", action="store_true",
                   help="also profile the question loop (top 20 by cumulative time)")
    p.add_argument("--profile-rounds", type=int, default=10, help="passes to profile")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the results; always returns 0."""
    args = parser().parse_args(argv)
    try:
        report = run(args)
    except KnowledgeError as exc:  # a benchmark reports, it does not fail the build
        print(f"bench_engine: the knowledge base is invalid:\n{exc}", file=sys.stderr)
        return 0
    print(json.dumps(asdict(report), indent=2) if args.json else format_report(report))
    if args.profile:
        questions, _ = load_questions(Path(args.questions))
        engine = build(load_knowledge(args.knowledge), load_model(cache_size=0))
        print(profile(engine, questions, args.profile_rounds),
              file=sys.stderr if args.json else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
