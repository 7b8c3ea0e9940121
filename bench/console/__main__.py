"""`python -m bench.console`: the command line (see the package's docstring).

Run with `--child fill|measure` (by the parent, never by hand) it is one step for one database:
Django is set up for that database first, and only then are the modules that need it imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import django

import bench.console
from bench.common import DOCS, REPO, BenchError, machine_info, write_docs
from bench.console.config import (
    BLOCK,
    DATABASES,
    DEFAULT_TICKETS,
    MAX_TICKETS,
    QUICK_TICKETS,
    REQUESTS,
    RUNS,
    SECTION,
)
from bench.console.parent import Measured, Options, drop_database, measure
from bench.console.peer import PeerResult, peer_list
from bench.console.report import (
    SAVED,
    Report,
    goals_missed,
    load_report,
    print_summary,
    render_section,
    save_report,
)


def build_parser() -> argparse.ArgumentParser:
    doc = bench.console.__doc__
    parser = argparse.ArgumentParser(
        prog="python -m bench.console", description=doc.splitlines()[0] if doc else None
    )
    parser.add_argument("--database", choices=[*DATABASES, "both"], default="both")
    parser.add_argument(
        "--tickets", type=int, help="tickets (default 100,000 SQLite, 1,000,000 PostgreSQL)"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="runs; the medians are reported")
    parser.add_argument("--requests", type=int, default=REQUESTS, help="timed requests per case")
    parser.add_argument(
        "--peer",
        type=Path,
        default=Path(os.environ["PEER_DIR"]) if os.environ.get("PEER_DIR") else None,
        help="an installed django-helpdesk (default $PEER_DIR): its ticket list is timed too",
    )
    parser.add_argument("--quick", action="store_true", help="tiny SQLite data, 1 run; no docs")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL database after")
    parser.add_argument("--render", type=Path, help="write the docs from saved results only")
    parser.add_argument("--child", choices=("fill", "migrate", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return parser


def parse_options(argv: Sequence[str] | None) -> tuple[argparse.Namespace, Options]:
    command_line = build_parser()
    arguments = command_line.parse_args(argv)
    databases = DATABASES if arguments.database == "both" else (arguments.database,)
    if arguments.quick:
        databases = ("sqlite",)
        arguments.runs, arguments.requests = 1, min(arguments.requests, 5)
    tickets = {
        db: arguments.tickets or (QUICK_TICKETS if arguments.quick else DEFAULT_TICKETS[db])
        for db in databases
    }
    for count in tickets.values():
        if not (BLOCK <= count <= MAX_TICKETS and count % BLOCK == 0):
            command_line.error(f"--tickets must be a multiple of {BLOCK} up to {MAX_TICKETS:,}")
    if arguments.runs < 1 or arguments.requests < 1:
        command_line.error("--runs and --requests must be positive")
    options = Options(
        databases=databases,
        tickets=tickets,
        runs=arguments.runs,
        requests=arguments.requests,
        quick=arguments.quick,
        peer=None if arguments.quick else arguments.peer,
        drop=arguments.drop,
    )
    return arguments, options


def child(arguments: argparse.Namespace) -> int:
    """One step in this process, for the database DATABASE_URL names; its result as JSON."""
    django.setup()
    # after django.setup(): the child's module imports models, which need configured settings.
    from bench.console import child as step

    database = "postgres" if os.environ.get("DATABASE_URL") else "sqlite"
    try:
        if arguments.child == "fill":
            result = step.fill_database(database, arguments.tickets, arguments.key)
        elif arguments.child == "migrate":
            result = step.migrate_kept(database, arguments.key)
        else:
            result = step.measure_once(arguments.requests)
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    arguments.result.write_text(json.dumps(result))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments, options = parse_options(argv)
    if arguments.child:
        return child(arguments)
    measured = load_report(arguments.render) if arguments.render else run_all(options)
    if measured is None:
        return 1
    report = measured
    if not (arguments.render or options.quick):  # a smoke run keeps a full run's results
        save_report(report, SAVED)
    print_summary(report)
    if not (report.options.quick or arguments.no_docs):
        write_docs(SECTION, render_section(report))
        print(f"\nwrote the console section of {DOCS.relative_to(REPO)}")
    missed = goals_missed(report)
    label = "goal missed (not enforced in --quick)" if report.options.quick else "GOAL MISSED"
    for goal in missed:
        print(f"{label}: {goal}", file=sys.stderr)
    return 1 if missed and not report.options.quick else 0


def run_all(options: Options) -> Report | None:
    """Every database, and the peer after SQLite; None when a measurement failed."""
    started = datetime.now(UTC)
    machine = machine_info("django", "psycopg")
    results: list[Measured] = []
    peers: list[PeerResult] = []
    try:
        for database in options.databases:
            results.append(measure(database, options))
            if database == "sqlite" and options.peer is not None:
                peers.append(peer_list(options.peer, options.tickets[database]))
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return None
    finally:
        if options.drop and "postgres" in options.databases:
            drop_database()
    return Report(results, peers, machine, started, options)


if __name__ == "__main__":
    sys.exit(main())
