"""The console summary and the SLA sweep section of docs/benchmarks.md."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bench.common import bold, markdown_table
from bench.sla_sweep.config import (
    BASELINE_FACTOR,
    BASELINE_RATE,
    BREACHES_PER_GOAL,
    PLAN_KIND,
    PROCESSING_GOAL_SECONDS,
    PROFILED_PARTS,
    SECTION,
    SELECTION_GOAL_MS,
)
from bench.sla_sweep.method import render_measuring, render_method
from bench.sla_sweep.reading import mark, plan_note, plural, reading
from bench.sla_sweep.results import Measured, Report, statements


def print_summary(results: Sequence[Measured]) -> None:
    print()
    print(
        f"{'database':<11}{'tickets':>10}{'fill s':>8}{'engine ms':>11}{'cursor ms':>11}"
        f"{'due_clocks ms':>15}{'s /10k':>8}{'breaches/s':>12}{'x 231/s':>9}  goals"
    )
    for result in results:
        goals = ", ".join(f"{name} {mark(ok, False)}" for name, ok in result.goals().items())
        print(
            f"{result.name:<11}{result.tickets:>10,}{result.fill_seconds:>8.1f}"
            f"{result.engine_median:>11.2f}{result.query_median:>11.2f}"
            f"{result.call_median:>15.2f}{result.seconds_per_goal:>8.3f}{result.rate:>12,.0f}"
            f"{result.rate / BASELINE_RATE:>9.1f}  {goals}"
        )


def render_section(report: Report) -> str:
    lines: list[str] = []
    for part in PARTS:
        lines += part(report)
    return "\n".join(lines) + "\n"


def render_intro(report: Report) -> list[str]:
    breaches = report.options.breaches
    lines = [
        SECTION,
        "",
        "<!-- Written by bench/sla_sweep/; rerunning it replaces this section. -->",
        "",
        "The SLA sweep over a table of open tickets, each with a running first-response clock, "
        f"of which {breaches:,} are due for a breach at the sweep instant: selecting "
        "the due clocks (`loket.sla.sweep.due_clocks(now, batch)`, the query of each of the "
        f"sweep's batches), and `sweep(now)` recording the {breaches:,} breaches (a "
        "`SlaPoint` and an event each, the clocks advanced, one digest e-mail per supervisor "
        "and batch). The goals of issue 4: selecting the due clocks in at most "
        f"{SELECTION_GOAL_MS:.0f} ms through an index; {BREACHES_PER_GOAL:,} breaches in at "
        f"most {PROCESSING_GOAL_SECONDS:.0f} s; at least {BASELINE_FACTOR:.0f} times the "
        f"{BASELINE_RATE:.0f} tickets/s of django-helpdesk 2.6.1's escalation pass (the "
        f"issue's figure, not measured here), that is {BASELINE_FACTOR * BASELINE_RATE:,.0f} "
        "breaches/s.",
        "",
    ]
    return [*lines, *map(headline, report.results), ""]


def headline(result: Measured) -> str:
    met = [name for name, ok in result.goals().items() if ok]
    return (
        f"- **{result.name}, {result.tickets:,} tickets, median of "
        f"{plural(len(result.runs), 'run')}: "
        f"`due_clocks()` {result.call_median:.2f} ms ({result.engine_median:.2f} ms of it in "
        f"the database engine); {result.breaches:,} breaches in "
        f"{result.sweep_median:.3f} s = {result.rate:,.0f} breaches/s, "
        f"{result.rate / BASELINE_RATE:.1f} times the baseline.** Goals met: "
        f"{len(met)} of {len(result.goals())}."
    )


GOAL_HEADERS = [
    "Database",
    "Tickets",
    f"`due_clocks()` call (goal ≤ {SELECTION_GOAL_MS:.0f} ms)",
    "of which: SQL through Django's cursor",
    "of which: in the engine",
    "Index",
    f"{BREACHES_PER_GOAL:,} breaches (goal ≤ {PROCESSING_GOAL_SECONDS:.0f} s)",
    "Breaches/s",
    f"Ratio to {BASELINE_RATE:.0f}/s (goal ≥ {BASELINE_FACTOR:.0f})",
]


def render_goals(report: Report) -> list[str]:
    rows = [goal_row(result) for result in report.results]
    return ["### Against the goals", "", *markdown_table(GOAL_HEADERS, rows, "lrrrrlrrr"), ""]


def goal_row(result: Measured) -> list[str]:
    goals = result.goals()
    return [
        result.name,
        f"{result.tickets:,}",
        f"{result.call_median:.2f} ms {mark(goals['selection'])}",
        f"{result.query_median:.2f} ms {mark(result.query_median <= SELECTION_GOAL_MS)}",
        f"{result.engine_median:.2f} ms {mark(result.engine_median <= SELECTION_GOAL_MS)}",
        "`clock_due`",
        f"{result.seconds_per_goal:.3f} s {mark(goals['processing'])}",
        f"{result.rate:,.0f}",
        f"{result.rate / BASELINE_RATE:.1f} {mark(goals['ratio'])}",
    ]


RUN_HEADERS = [
    *("Database", "Run", "Engine ms", "Django cursor ms", "`due_clocks()` ms", "Sweep s"),
    *("Breaches/s", f"Ratio to {BASELINE_RATE:.0f}/s", "Queries", "In database calls"),
]


def render_runs(report: Report) -> list[str]:
    rows = [row for result in report.results for row in run_rows(result)]
    return [
        "### Results per run",
        "",
        "Selection: the median of the run's timings of each kind, in ms. Sweep: one "
        "`sweep(now)` call; *in database calls* is the time inside the statements' execute "
        "calls (driver and Django's cursor included), the rest is Python.",
        "",
        *markdown_table(RUN_HEADERS, rows, "l" + "r" * 9),
        "",
    ]


def run_rows(result: Measured) -> list[list[str]]:
    """A row per run, then the medians in bold."""
    rows = []
    columns = (result.engine_ms, result.query_ms, result.call_ms, result.runs)
    for number, (engine, query, call, run) in enumerate(zip(*columns, strict=True), 1):
        rate = result.breaches / run.seconds
        rows.append(
            [
                *(result.name, str(number), f"{engine:.2f}", f"{query:.2f}", f"{call:.2f}"),
                *(f"{run.seconds:.3f}", f"{rate:,.0f}", f"{rate / BASELINE_RATE:.1f}"),
                str(run.queries),
                f"{run.database_seconds:.3f} s ({run.database_seconds / run.seconds:.0%})",
            ]
        )
    database, sweep = result.database_median, result.sweep_median
    medians = [f"{result.engine_median:.2f}", f"{result.query_median:.2f}"]
    medians += [f"{result.call_median:.2f}", f"{sweep:.3f}", f"{result.rate:,.0f}"]
    medians += [f"{result.rate / BASELINE_RATE:.1f}"]
    in_database = f"{database:.3f} s ({database / sweep:.0%})"
    return [*rows, [result.name, *bold(["Median", *medians]), "", in_database]]


def render_statements(report: Report) -> list[str]:
    results = report.results
    rows = [
        [f"`{name}`", *(statement_cell(result, name) for result in results)]
        for name in statements(results)
    ]
    outside = [f"{r.sweep_median - r.database_median:.3f} s" for r in results]
    rows.append(["Outside database calls", *outside])
    headers = ["Statement", *(result.name for result in results)]
    return [
        "### Where a sweep's time goes",
        "",
        "Inside the database calls, by statement: median seconds per sweep (how many such "
        "statements a sweep sends in brackets). A SELECT's rows are fetched after its execute "
        "call returns, and SQLite does most of a query's work while they are fetched, so its "
        "SELECT lines are low: the selection's own figures are in the tables above. *Outside "
        "database calls* is Python, and the fetching just mentioned: Django building queries "
        "and objects, the sweep's own loop, rendering the digests, and the commits.",
        "",
        *markdown_table(headers, rows, "l" + "r" * len(results)),
        "",
    ]


def statement_cell(result: Measured, name: str) -> str:
    count = result.runs[0].statements.get(name, 0)
    return f"{result.statement_median(name):.3f} s ({count})" if count else ""


def render_profile(report: Report) -> list[str]:
    results = report.results
    rows = [
        [f"`{part}`", *(f"{result.profile_shares.get(part, 0.0):.0%}" for result in results)]
        for part in PROFILED_PARTS
        if any(result.profile_shares.get(part) for result in results)  # else not in the sweep
    ]
    rows.append(["Sweep under cProfile", *(f"{r.profile_seconds:.3f} s" for r in results)])
    headers = ["Part", *(result.name for result in results)]
    return [
        "By part of `loket/sla/sweep.py`: the share of one more sweep, run under cProfile after "
        "the timed runs (cumulative time, callees included; profiling slows Python code more "
        "than database calls, so the shares lean towards the Python-heavy parts).",
        "",
        *markdown_table(headers, rows, "l" + "r" * len(results)),
        "",
    ]


FILL_HEADERS = ["Database", "Tickets + clocks", "Tickets s", "Clocks s", "Rows/s", "Then"]


def render_fill(report: Report) -> list[str]:
    rows = [
        [
            result.name,
            f"{result.tickets:,} + {result.tickets:,}",
            f"{result.load_seconds['tickets_ticket']:.1f}",
            f"{result.load_seconds['sla_clock']:.1f}",
            f"{2 * result.tickets / result.fill_seconds:,.0f}",
            f"{result.analyze_command}: {result.analyze_seconds:.1f} s",
        ]
        for result in report.results
    ]
    return ["### Filling the database", "", *markdown_table(FILL_HEADERS, rows, "lrrrrl"), ""]


def render_plans(report: Report) -> list[str]:
    lines = ["### The selection and its plan", ""]
    for result in report.results:
        lines += [
            f"{result.name} {result.version}, `{PLAN_KIND[result.database]}` with "
            f"{result.breaches:,} clocks due among {result.tickets:,}, the statement as "
            "`due_clocks()` sends it:",
            "",
            *("```sql", result.selection_sql, "```"),
            "",
            *("```", result.plan, "```"),
            "",
            *plan_note(result),
        ]
    return lines


def render_machine(report: Report) -> list[str]:
    results = report.results
    return [
        "### Machine and date",
        "",
        f"- Date: {report.started:%Y-%m-%d %H:%M} UTC",
        *(f"- {name}: {value}" for name, value in report.machine.items()),
        *(f"- {result.name}: {result.version}" for result in results),
        f"- Code measured: src/loket/sla/sweep.py with SHA-256 "
        f"`{results[0].sweep_sha256[:16] if results else ''}…`",
        "",
    ]


def render_reading(report: Report) -> list[str]:
    return ["### Reading", "", " ".join(reading(report.results))]


PARTS: Sequence[Callable[[Report], list[str]]] = (
    *(render_intro, render_goals, render_runs, render_statements, render_profile),
    *(render_fill, render_plans, render_machine),
    *(render_method, render_measuring),
    render_reading,
)
