"""`python -m bench.whatsapp_webhook`: the command line (see the package's docstring)."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence

import bench.whatsapp_webhook
from bench.common import DOCS, REPO, BenchError, write_docs
from bench.whatsapp_webhook.report import SECTION, print_failures, print_table, render_section
from bench.whatsapp_webhook.timing import Options, benchmark


def parse_options(argv: Sequence[str] | None) -> Options:
    doc = bench.whatsapp_webhook.__doc__
    parser = argparse.ArgumentParser(
        prog="python -m bench.whatsapp_webhook", description=doc.splitlines()[0] if doc else None
    )
    parser.add_argument("--runs", type=int, default=3, help="rounds; the medians are reported")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per phase per round")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per endpoint")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--ack-timeout",
        type=float,
        default=300.0,
        help="seconds after a webhook phase to wait for its acknowledgements",
    )
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s; writes no docs")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the server's var dir and log")
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.runs, arguments.seconds, arguments.warmup = 1, 2.0, 1.0
    if arguments.runs < 1 or arguments.seconds <= 0 or arguments.clients < 1:
        parser.error("--runs, --seconds and --clients must be positive")
    return Options(
        runs=arguments.runs,
        seconds=arguments.seconds,
        warmup=arguments.warmup,
        clients=arguments.clients,
        workers=arguments.workers,
        ack_timeout=arguments.ack_timeout,
        write_docs=not (arguments.quick or arguments.no_docs),
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
    if result.errors or result.problems:
        print(
            f"\nFAILED: {result.errors} request error(s), {len(result.problems)} integrity "
            "problem(s); docs/benchmarks.md left unchanged",
            file=sys.stderr,
        )
        print_failures(result)
        return 1
    if options.write_docs:
        write_docs(SECTION, render_section(result))
        print(f"\nwrote the WhatsApp webhook section of {DOCS.relative_to(REPO)}")
    if not options.keep:
        shutil.rmtree(result.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
