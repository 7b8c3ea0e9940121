"""`python -m bench.mail_ingest`: the command line (see the package's docstring).

Run with `--child CORPUS` (by the parent, never by hand) it is one Loket run: Django is set up
first, and only then is the module that needs it imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import django

import bench.mail_ingest
from bench.common import DOCS, REPO, BenchError, write_docs
from bench.mail_ingest.config import (
    DEFAULT_COUNT,
    MAX_COUNT,
    OPENERS,
    PEER_DIR_VARIABLE,
    QUICK_COUNT,
    SECTION,
)
from bench.mail_ingest.report import print_summary, render_section
from bench.mail_ingest.results import Options, Report
from bench.mail_ingest.runner import benchmark, peer_versions


def build_parser() -> argparse.ArgumentParser:
    doc = bench.mail_ingest.__doc__
    parser = argparse.ArgumentParser(
        prog="python -m bench.mail_ingest", description=doc.splitlines()[0] if doc else None
    )
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="messages per run")
    parser.add_argument("--runs", type=int, default=3, help="runs; the medians are reported")
    parser.add_argument(
        "--peer",
        type=Path,
        help=f"installed django-helpdesk folder (default: ${PEER_DIR_VARIABLE})",
    )
    parser.add_argument(
        "--peer-reset", action="store_true", help="run the peer's reset_db.sh first"
    )
    parser.add_argument(
        "--quick", action="store_true", help="60 messages, 1 run, Loket only; no docs"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return parser


def parse_options(argv: Sequence[str] | None) -> tuple[argparse.Namespace, Options]:
    command_line = build_parser()
    arguments = command_line.parse_args(argv)
    peer = arguments.peer or (
        Path(os.environ[PEER_DIR_VARIABLE]) if os.environ.get(PEER_DIR_VARIABLE) else None
    )
    if arguments.quick:
        arguments.count, arguments.runs, peer = QUICK_COUNT, 1, None
    if arguments.runs < 1 or not OPENERS <= arguments.count <= MAX_COUNT:
        command_line.error(f"--runs must be positive and --count from {OPENERS} to {MAX_COUNT:,}")
    options = Options(
        count=arguments.count,
        runs=arguments.runs,
        peer=peer.resolve() if peer else None,
        peer_reset=arguments.peer_reset and peer is not None,
        quick=arguments.quick,
        write_docs=not (arguments.quick or arguments.no_docs),
    )
    return arguments, options


def run_child(corpus: Path, result: Path) -> int:
    """One Loket run, in this process; what it measured goes to `result`."""
    django.setup()
    # after django.setup(): the child's module imports loket's models, which need the settings.
    from bench.mail_ingest import loket_child

    try:
        measured = loket_child.measure(corpus, Path(os.environ["LOKET_VAR_DIR"]) / "inbox")
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    result.write_text(json.dumps(asdict(measured)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments, options = parse_options(argv)
    if arguments.child:
        return run_child(arguments.child, arguments.result)
    try:
        report = benchmark(options)
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    print_summary(report)
    if options.write_docs:
        write_docs(SECTION, render_section(report, peer_versions(report)))
        print(f"\nwrote the e-mail ingestion section of {DOCS.relative_to(REPO)}")
    sys.stdout.flush()
    return goals_verdict(report)


def goals_verdict(report: Report) -> int:
    """1 if a goal was missed; a --quick run, a smoke test, only reports them."""
    label = "goal missed (not enforced in --quick)" if report.options.quick else "GOAL MISSED"
    missed = [goal for goal, met in report.goals().items() if not met]
    for goal in missed:
        print(f"{label}: {goal}", file=sys.stderr)
    return 1 if missed and not report.options.quick else 0


if __name__ == "__main__":
    sys.exit(main())
