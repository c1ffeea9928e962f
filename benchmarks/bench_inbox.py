"""What the inbox adds per update, at a steady 30 updates a second (the issue's target: 1 ms).

Each update does what the bot does for it: :meth:`AsyncInbox.put` (one transaction; fsynced
with ``--sync full``) before the acknowledgement, and :meth:`AsyncInbox.mark_done` after the
reply, both awaited from the event loop (through the inbox's own thread when they have to
wait). The payload is a real text-message update. The figure per update is put + mark_done,
wall-clock as the event loop sees it.

    .venv/bin/python benchmarks/bench_inbox.py [--rate 30] [--seconds 20] [--sync full] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.inbox import AsyncInbox, Inbox, Incoming, Synchronous

TARGET_MS = 1.0
UPDATE = {"update_id": 0, "message": {
    "message_id": 17, "date": 1_800_000_000, "text": "What did Velayati say about BRICS?",
    "chat": {"id": 30_001, "type": "private", "first_name": "User 30001"},
    "from": {"id": 30_001, "is_bot": False, "first_name": "User 30001",
             "language_code": "en"}}}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


async def measure(folder: Path, rate: float, seconds: float,
                  synchronous: Synchronous) -> dict[str, float]:
    """Store and mark done ``rate`` updates a second for ``seconds``; latencies in ms."""
    inbox = Inbox(folder / "inbox.sqlite3", synchronous=synchronous)
    facade = AsyncInbox(inbox)
    puts: list[float] = []
    dones: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        for index in range(int(rate * seconds)):
            await asyncio.sleep(max(start + index / rate - loop.time(), 0))
            payload = json.dumps(UPDATE | {"update_id": 100_000_001 + index})
            began = time.perf_counter()
            (stored,) = await facade.put([Incoming(100_000_001 + index, 30_001, time.time(),
                                                   payload)])
            middle = time.perf_counter()
            await facade.mark_done(stored.seq)
            puts.append((middle - began) * 1000)
            dones.append((time.perf_counter() - middle) * 1000)
    finally:
        facade.close()
        inbox.close()
    both = [p + d for p, d in zip(puts, dones, strict=True)]
    return {"updates": len(both), "rate": rate,
            "put_p50_ms": statistics.median(puts), "put_p99_ms": _percentile(puts, 0.99),
            "done_p50_ms": statistics.median(dones), "done_p99_ms": _percentile(dones, 0.99),
            "per_update_mean_ms": statistics.fmean(both),
            "per_update_p50_ms": statistics.median(both),
            "per_update_p99_ms": _percentile(both, 0.99), "per_update_max_ms": max(both)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures (always exits 0: a measurement, not a gate)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=30.0, help="updates per second (30)")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long (20)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="folder for the inbox file (default: a temporary folder here, "
                             "on the disk the bot's data would use)")
    parser.add_argument("--sync", choices=["normal", "full"], default="normal",
                        help="INBOX_SYNC: full fsyncs every store (default normal)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir or Path.cwd()) as folder:
        sync: Synchronous = "FULL" if args.sync == "full" else "NORMAL"
        figures = asyncio.run(measure(Path(folder), args.rate, args.seconds, sync))
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"{figures['updates']:.0f} updates at {args.rate:g}/s, INBOX_SYNC={args.sync}, "
          "put + mark_done:")
    print(f"  put   p50 {figures['put_p50_ms']:.3f}  p99 {figures['put_p99_ms']:.3f} ms")
    print(f"  done  p50 {figures['done_p50_ms']:.3f}  p99 {figures['done_p99_ms']:.3f} ms")
    print(f"  per update mean {figures['per_update_mean_ms']:.3f}  p50 "
          f"{figures['per_update_p50_ms']:.3f}  p99 {figures['per_update_p99_ms']:.3f}  max "
          f"{figures['per_update_max_ms']:.3f} ms")
    verdict = "PASS" if figures["per_update_mean_ms"] <= TARGET_MS else "FAIL"
    print(f"{verdict} inbox cost per update (mean) <= {TARGET_MS:g} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
