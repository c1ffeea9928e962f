"""The issue's crash scenarios at full size: 400 questions from 100 users, the bot's process
group killed with SIGKILL after the 100th reply (also with 10 % of sends failing), or sent
SIGTERM; restarted; replies counted per question at the fake Bot API (tests/crash_scenario.py),
whose answers take 50 ms to reach the bot, as over a network.

Targets: 0 lost everywhere; at most 32 duplicated replies after SIGKILL, 0 after SIGTERM.

    .venv/bin/python benchmarks/bench_crash.py [--users 100] [--json] [--only polling|webhook]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from crash_scenario import Mode, Outcome, run_scenario

from bot.dispatcher import MAX_IN_FLIGHT

SCENARIOS: tuple[tuple[signal.Signals, float], ...] = (
    (signal.SIGKILL, 0.0), (signal.SIGKILL, 0.1), (signal.SIGTERM, 0.0))


def passed(outcome: Outcome) -> bool:
    """Whether ``outcome`` meets the issue's targets."""
    allowed = MAX_IN_FLIGHT if outcome.signal == "SIGKILL" else 0
    return (outcome.lost == 0 and outcome.duplicated <= allowed
            and outcome.out_of_order_chats == 0 and outcome.second_exit_status == 0
            and (outcome.signal == "SIGKILL" or outcome.first_exit_status == 0))


def main(argv: list[str] | None = None) -> int:
    """Run every scenario and print a table (exit 0: a measurement, not a gate)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100, help="users, 4 questions each (100)")
    parser.add_argument("--stop-after", type=int, default=100, help="replies before the signal")
    parser.add_argument("--latency", type=float, default=0.05,
                        help="seconds each Bot API answer takes to reach the bot (0.05)")
    parser.add_argument("--only", choices=["polling", "webhook"], default=None)
    parser.add_argument("--json", action="store_true", help="one JSON object per scenario")
    args = parser.parse_args(argv)
    modes: list[Mode] = [args.only] if args.only else ["polling", "webhook"]
    if not args.json:
        print(f"{'mode':<8} {'signal':<8} {'failing':>7} {'failed':>6} {'questions':>9} "
              f"{'before':>6} {'lost':>4} {'dup':>4} {'order':>5} {'exit':>9} {'s':>5}")
    for mode in modes:
        for stop_signal, fail_rate in SCENARIOS:
            with tempfile.TemporaryDirectory() as folder:
                outcome = run_scenario(Path(folder), mode=mode, users=args.users,
                                       stop_after=args.stop_after, stop_signal=stop_signal,
                                       fail_rate=fail_rate, latency=args.latency,
                                       timeout=120)
            row = outcome.as_row() | {"pass": passed(outcome)}
            if args.json:
                print(json.dumps(row), flush=True)
                continue
            exits = f"{outcome.first_exit_status}/{outcome.second_exit_status}"
            print(f"{mode:<8} {outcome.signal:<8} {fail_rate:>7.0%} {outcome.failed_sends:>6} "
                  f"{outcome.questions:>9} "
                  f"{outcome.replied_before_signal:>6} {outcome.lost:>4} "
                  f"{outcome.duplicated:>4} {outcome.out_of_order_chats:>5} {exits:>9} "
                  f"{outcome.seconds:>5.1f}  {'PASS' if row['pass'] else 'FAIL'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
