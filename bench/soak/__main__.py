"""`python -m bench.soak`: the command line (see the package's docstring)."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence

import bench.soak
from bench.common import DOCS, REPO, BenchError, write_docs
from bench.soak.report import SECTION, print_failures, print_summary, render_section
from bench.soak.run import Options, soak


def parse_options(argv: Sequence[str] | None) -> Options:
    doc = bench.soak.__doc__
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=doc.splitlines()[0] if doc else None
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the load")
    parser.add_argument("--rate", type=float, help="intake rate to take (default: measure it)")
    parser.add_argument("--share", type=float, default=0.8, help="of the intake rate to offer")
    parser.add_argument("--calibration-seconds", type=float, default=20.0)
    parser.add_argument("--calibration-clients", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=3.0, help="closed-loop warm-up seconds")
    parser.add_argument("--clients", type=int, default=16, help="open-loop client threads")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--drain", type=float, default=60.0, help="most seconds to wait after")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL: postgres://USER@HOST:PORT/loket_bench_NAME, created and dropped "
        "(default: SQLite in the server's var directory)",
    )
    parser.add_argument("--quick", action="store_true", help="about 20 s; writes no docs")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the server's var dir and log")
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.minutes, arguments.calibration_seconds, arguments.warmup = 0.2, 3.0, 1.0
        arguments.interval, arguments.drain = 1.0, 30.0
    positive = (arguments.minutes, arguments.calibration_seconds, arguments.interval)
    if min(positive) <= 0 or arguments.clients < 1 or arguments.calibration_clients < 1:
        parser.error("--minutes, --calibration-seconds, --interval and the clients: positive")
    if not 0 < arguments.share <= 1 or (arguments.rate is not None and arguments.rate <= 0):
        parser.error("--share must be in (0, 1] and --rate positive")
    return Options(
        minutes=arguments.minutes,
        rate=arguments.rate,
        share=arguments.share,
        calibration_seconds=arguments.calibration_seconds,
        calibration_clients=arguments.calibration_clients,
        warmup=arguments.warmup,
        clients=arguments.clients,
        interval=arguments.interval,
        drain_seconds=arguments.drain,
        workers=arguments.workers,
        database_url=arguments.database_url,
        write_docs=not (arguments.quick or arguments.no_docs),
        keep=arguments.keep,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    try:
        result = soak(options)
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    print_summary(result)
    if result.problems:
        print(
            f"\nFAILED: {len(result.problems)} problem(s); docs/benchmarks.md left unchanged",
            file=sys.stderr,
        )
        print_failures(result)
        return 1
    if options.write_docs:
        write_docs(SECTION, render_section(result))
        print(f"\nwrote the soak section of {DOCS.relative_to(REPO)}")
    if not options.keep:
        shutil.rmtree(result.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
