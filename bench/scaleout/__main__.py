"""`python -m bench.scaleout`: the command line (see the package's docstring)."""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence

import bench.scaleout
from bench.common import DOCS, REPO, BenchError, write_docs
from bench.database import PG_SERVER
from bench.scaleout.measure import Options, benchmark, clean_up
from bench.scaleout.report import SECTION, print_failures, print_table, render_section

DEFAULT_URL = f"{PG_SERVER}/loket_bench_scaleout"


def parse_options(argv: Sequence[str] | None) -> Options:
    doc = bench.scaleout.__doc__
    parser = argparse.ArgumentParser(
        prog="python -m bench.scaleout", description=doc.splitlines()[0] if doc else None
    )
    parser.add_argument("--web", type=int, nargs="+", default=[1, 2, 4], help="web processes")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="background workers")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are reported")
    parser.add_argument("--seconds", type=float, default=15.0, help="intake seconds per step")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per step")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_URL,
        help=f"PostgreSQL database to create and drop, named loket_bench_* ({DEFAULT_URL})",
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument(
        "--quick", action="store_true", help="1 web + 1 worker, then 2 + 2, 2 s; writes no docs"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the server's var dir and log")
    arguments = parser.parse_args(argv)
    counts = [*arguments.web, *arguments.workers, arguments.rounds, arguments.clients]
    if min(counts) < 1 or arguments.seconds <= 0:
        parser.error("--web, --workers, --rounds, --clients and --seconds must be positive")
    pairs = tuple(itertools.product(arguments.web, arguments.workers))
    if arguments.quick:
        pairs, arguments.rounds, arguments.seconds, arguments.warmup = ((1, 1), (2, 2)), 1, 2.0, 1.0
    return Options(
        pairs=pairs,
        rounds=arguments.rounds,
        seconds=arguments.seconds,
        warmup=arguments.warmup,
        clients=arguments.clients,
        database_url="" if arguments.sqlite else arguments.database_url,
        write_docs=not (arguments.quick or arguments.no_docs or arguments.sqlite),
        keep=arguments.keep,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    try:
        result = benchmark(options)
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    print_table(result)
    if result.problems:
        print(
            f"\nFAILED: {len(result.problems)} problem(s); docs/benchmarks.md left unchanged",
            file=sys.stderr,
        )
        print_failures(result)
        return 1
    if options.write_docs:
        write_docs(SECTION, render_section(result))
        print(f"\nwrote the scale-out section of {DOCS.relative_to(REPO)}")
    clean_up(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
