"""`python -m bench.sla_sweep`: the command line (see the package's docstring).

Run with `--child DATABASE` (by the parent, never by hand) it is one database's measurement:
Django is set up for that database first, and only then are the modules that need it imported.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import django

import bench.sla_sweep
from bench.common import DOCS, REPO, BenchError, write_docs
from bench.sla_sweep.config import (
    BREACHES_PER_GOAL,
    DATABASES,
    DEFAULT_TICKETS,
    MAX_TICKETS,
    QUICK_TICKETS,
    SECTION,
)
from bench.sla_sweep.parent import benchmark
from bench.sla_sweep.report import print_summary, render_section
from bench.sla_sweep.results import Options, Report, load_results, save_results


def build_parser() -> argparse.ArgumentParser:
    doc = bench.sla_sweep.__doc__
    parser = argparse.ArgumentParser(
        prog="python -m bench.sla_sweep", description=doc.splitlines()[0] if doc else None
    )
    parser.add_argument("--database", choices=[*DATABASES, "both"], default="both")
    parser.add_argument(
        "--tickets", type=int, help="open tickets (default 100,000 SQLite, 1,000,000 PostgreSQL)"
    )
    parser.add_argument("--breaches", type=int, default=BREACHES_PER_GOAL, help="due clocks")
    parser.add_argument("--runs", type=int, default=5, help="runs; the medians are reported")
    parser.add_argument("--repeats", type=int, default=20, help="selection timings per run")
    parser.add_argument("--quick", action="store_true", help="small numbers, 1 run; no docs")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the var dirs and loket_bench")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one sweep")
    parser.add_argument("--render", type=Path, help="write the docs from saved results only")
    parser.add_argument("--child", choices=DATABASES, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return parser


def parse_options(argv: Sequence[str] | None) -> tuple[argparse.Namespace, Options]:
    command_line = build_parser()
    arguments = command_line.parse_args(argv)
    databases = DATABASES if arguments.database == "both" else (arguments.database,)
    if arguments.child:
        databases = (arguments.child,)
    defaults = QUICK_TICKETS if arguments.quick else DEFAULT_TICKETS
    tickets = {db: arguments.tickets or defaults[db] for db in databases}
    if arguments.quick and not arguments.child:
        arguments.runs, arguments.repeats = 1, 5
        arguments.breaches = min(arguments.breaches, 1_000)
    if arguments.runs < 1 or arguments.repeats < 1 or arguments.breaches < 1:
        command_line.error("--runs, --repeats and --breaches must be positive")
    for count in tickets.values():
        if not arguments.breaches <= count <= MAX_TICKETS:
            command_line.error(f"--tickets must be from --breaches to {MAX_TICKETS:,}")
    options = Options(
        databases=databases,
        tickets=tickets,
        breaches=arguments.breaches,
        runs=arguments.runs,
        repeats=arguments.repeats,
        write_docs=not (arguments.quick or arguments.no_docs),
        keep=arguments.keep,
        profile=arguments.profile,
    )
    return arguments, options


def run_child(database: str, options: Options, result: Path) -> int:
    """One database's measurement, in this process; what it measured goes to `result`."""
    django.setup()
    # after django.setup(): the child's modules import models, which need configured settings.
    from bench.sla_sweep import child

    try:
        measured = child.measure(
            database, options.tickets[database], options.breaches, options.runs,
            options.repeats, options.profile,
        )  # fmt: skip
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    result.write_text(json.dumps(asdict(measured)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments, options = parse_options(argv)
    if arguments.child:
        return run_child(arguments.child, options, arguments.result)
    if arguments.render:
        report = load_results(arguments.render, options)
    else:
        try:
            report = Report(*benchmark(options), options=options)
        except BenchError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        if not arguments.quick:  # a smoke run must not replace a full run's saved results
            save_results(report)
    print_summary(report.results)
    if report.options.write_docs:
        write_docs(SECTION, render_section(report))
        print(f"\nwrote the SLA sweep section of {DOCS.relative_to(REPO)}")
    sys.stdout.flush()
    return goals_verdict(report, quick=arguments.quick)


def goals_verdict(report: Report, quick: bool) -> int:
    """1 if a goal was missed; a --quick run, a smoke test too small to hold the machine to
    the goals, only reports them."""
    label = "goal missed (not enforced in --quick)" if quick else "GOAL MISSED"
    missed = [
        f"{result.name}: {name}"
        for result in report.results
        for name, ok in result.goals().items()
        if not ok
    ]
    for goal in missed:
        print(f"{label}: {goal}", file=sys.stderr)
    return 1 if missed and not quick else 0


if __name__ == "__main__":
    sys.exit(main())
