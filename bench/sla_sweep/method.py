"""How it was measured: the method part of the docs section, with this run's parameters."""

from __future__ import annotations

from bench.sla_sweep.config import COMMAND, LOAD_CHUNK, PG_DATABASE
from bench.sla_sweep.reading import plural
from bench.sla_sweep.results import Report


def render_method(report: Report) -> list[str]:
    """The heading, how to rerun, the parameters, the processes and the fill."""
    options, results = report.options, report.results
    parameters = "; ".join(f"{r.name} {r.tickets:,} tickets" for r in results)
    batch = results[0].batch if results else 0
    return [
        "### How it was measured",
        "",
        f"- Rerun: `make bench`, or `{COMMAND}` (options `--database sqlite|postgres|both`, "
        "`--tickets`, `--breaches`, `--runs`, `--repeats`, `--profile` to print the profile; "
        "`--quick` is a small smoke run that leaves this file alone).",
        f"- Parameters: {parameters}; {options.breaches:,} due breaches; "
        f"{plural(options.runs, 'run')} per database; the selection timed {options.repeats} "
        f"times per run in each of its three forms; the sweep's default batch of {batch:,} clocks.",
        "- Each database is measured in a process of its own with `DJANGO_SETTINGS_MODULE="
        "loket.settings` and a fresh `LOKET_VAR_DIR`: SQLite in a file there (with the "
        f"settings' WAL and IMMEDIATE transactions), PostgreSQL in a database `{PG_DATABASE}` "
        "on 127.0.0.1, created for the run and dropped after it. Then `migrate`, the shipped "
        "policy (`apply_policy`, policies/catalo-id.toml) and two supervisors with e-mail "
        "addresses.",
        "- Fill: an open ticket in category `support` per row, with its `first_response` clock "
        "(running; 24,300 s to the warning and 32,400 s to the breach, as the policy sets "
        "them), loaded through the driver rather than the ORM: `COPY` on PostgreSQL, "
        f"`executemany` in transactions of {LOAD_CHUNK:,} rows on SQLite, every index and "
        "constraint in place. Every n-th clock (n = tickets / breaches, so they are scattered "
        "over the whole table, the worst case for the selection's row lookups) is due: its "
        "warning already recorded, its breach in the hour before the sweep instant, so "
        "`next_check_at` is the breach. All others have their warning, their `next_check_at`, "
        "in the two weeks after it. The instants are fixed, not derived from the business "
        "calendar, which the sweep does not consult.",
    ]


def render_measuring(report: Report) -> list[str]:
    """How the selection and the processing were timed and checked."""
    batch = report.results[0].batch if report.results else 0
    return [
        "- Selection: the statement `due_clocks()` sends is captured with an execute wrapper "
        "and timed three ways, each in a transaction of its own (as the sweep runs it; "
        "`FOR UPDATE SKIP LOCKED` on PostgreSQL), rolled back: in the engine alone (PostgreSQL: "
        "the execution time `EXPLAIN (ANALYZE, TIMING OFF)` reports; SQLite: the statement "
        "stepped to its end by the stdlib `sqlite3` module on a connection of its own, without "
        "Django's type conversions); executed and all its rows fetched through Django's cursor; "
        f"and the whole `due_clocks(now, {batch})` call, which adds building the objects it "
        "returns. The benchmark fails unless the plan uses `clock_due`.",
        "- Processing: each run first puts the data back (deletes the points, events, outbox "
        "rows and task rows and makes the due clocks due again; then on PostgreSQL `VACUUM "
        "(ANALYZE)` of the touched tables and `CHECKPOINT`, on SQLite a WAL checkpoint), times "
        "the selection, then times one `sweep(now)` call wall-clock (`time.perf_counter()`), "
        "its commits and the after-commit enqueueing of the digests' delivery tasks included. "
        "Afterwards there must be exactly one breach point and one `sla_breach` event per due "
        "clock, no warning, no clock still due and one digest per supervisor and batch; any "
        "other count fails the benchmark. No e-mail is sent: the digests stay in the outbox.",
        "",
    ]
