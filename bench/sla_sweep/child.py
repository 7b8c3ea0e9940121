"""A child process's whole work: fill a fresh database, then time the selection and the sweep.

Imported only after `django.setup()`, by `python -m bench.sla_sweep --child DATABASE`.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db import connections

from bench.common import BenchError
from bench.sla_sweep.checks import check_fill
from bench.sla_sweep.fill import fill, prepare
from bench.sla_sweep.profiling import profile_sweep
from bench.sla_sweep.results import Measured
from bench.sla_sweep.rows import Rows
from bench.sla_sweep.timing import (
    EngineTimer,
    display_sql,
    explain,
    fingerprint,
    reset,
    selection_statement,
    time_selection,
    time_sweep,
)
from loket.sla.sweep import BATCH


def measure(
    database: str, tickets: int, breaches: int, runs: int, repeats: int, profile: bool
) -> Measured:
    call_command("migrate", verbosity=0)
    rows = Rows(tickets, breaches, *prepare())
    connections.close_all()  # the rows are loaded through the driver, on a connection of its own
    filled = fill(database, rows)
    check_fill(tickets, breaches)
    sql, params = selection_statement()
    measured = Measured(
        database=database,
        version=filled.version,
        tickets=tickets,
        breaches=breaches,
        batch=BATCH,
        repeats=repeats,
        load_seconds=filled.load_seconds,
        analyze_seconds=filled.analyze_seconds,
        analyze_command=filled.analyze_command,
        selection_sql=display_sql(sql, params),
        plan=checked_plan(database, sql, params),
        sweep_sha256=fingerprint(),
    )
    time_runs(measured, sql, params, runs)
    profile_once(measured, profile)
    connections.close_all()
    if fingerprint() != measured.sweep_sha256:
        raise BenchError("src/loket/sla/sweep.py changed while it was being measured")
    return measured


def checked_plan(database: str, sql: str, params: Any) -> str:
    """The selection's plan, printed; it must use the `clock_due` partial index."""
    plan = explain(database, sql, params)
    print(plan, flush=True)
    if "clock_due" not in plan:
        raise BenchError(f"the due-clock selection does not use the clock_due index:\n{plan}")
    return plan


def time_runs(measured: Measured, sql: str, params: Any, runs: int) -> None:
    """Each run: back to the filled state, time the selection, then time one sweep."""
    breaches = measured.breaches
    with EngineTimer(sql, params) as engine:
        for number in range(1, runs + 1):
            reset(measured.database)
            engine_ms, query_ms, call_ms = time_selection(
                engine, sql, params, measured.repeats, min(breaches, BATCH)
            )
            measured.engine_ms.append(engine_ms)
            measured.query_ms.append(query_ms)
            measured.call_ms.append(call_ms)
            run = time_sweep(breaches)
            measured.runs.append(run)
            print(
                f"run {number}: selection {engine_ms:.2f} ms (engine) / {query_ms:.2f} ms "
                f"(Django cursor) / {call_ms:.2f} ms (due_clocks()); sweep {run.seconds:.3f} s "
                f"= {breaches / run.seconds:,.0f} breaches/s, {run.queries} queries taking "
                f"{run.database_seconds:.3f} s",
                flush=True,
            )


def profile_once(measured: Measured, show: bool) -> None:
    """One more sweep under cProfile, from the filled state; the listing printed if `show`."""
    reset(measured.database)
    measured.profile_seconds, measured.profile_shares, measured.profile = profile_sweep(
        measured.breaches
    )
    print(
        f"one more sweep under cProfile: {measured.profile_seconds:.3f} s; "
        + ", ".join(f"{part} {share:.0%}" for part, share in measured.profile_shares.items()),
        flush=True,
    )
    if show:
        print(measured.profile, flush=True)
