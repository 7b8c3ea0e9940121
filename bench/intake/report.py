"""The console table, the failure report and the intake section of docs/benchmarks.md."""

from __future__ import annotations

import sys

from bench.common import bold, markdown_table, spread
from bench.intake.cpu import other_cores
from bench.intake.reading import render_reading
from bench.intake.timing import Result, Run, medians

SECTION = "## Intake: contact-form submissions (issue 2)"

# --- The console -------------------------------------------------------------------------------


def print_table(result: Result) -> None:
    print(
        f"\n{'run':>4} {'intake/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'health/s':>9} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'ratio':>6} {'acks/s':>6} {'unsent':>6} {'drain s':>7}"
    )
    for number, run in enumerate(result.runs, 1):
        intake, health = run.intake, run.health
        print(
            f"{number:>4} {intake.rate:9.1f} {intake.latency_ms(50):7.1f} "
            f"{intake.latency_ms(95):7.1f} {health.rate:9.1f} {health.latency_ms(50):7.1f} "
            f"{health.latency_ms(95):7.1f} {run.ratio:6.3f} {run.delivery_rate:6.1f} "
            f"{run.backlog:6d} {run.drain_seconds:7.1f}"
        )
    print_cpu_table(result)
    middle = medians(result.runs)
    print(
        f"\nmedian: intake {middle['intake']:.1f} submissions/s, ceiling {middle['health']:.1f} "
        f"requests/s, ratio {middle['ratio']:.3f}"
    )
    print("(CPU in cores; busy = whole machine; web-worker states = share of 200/s samples)")


def print_cpu_table(result: Result) -> None:
    print(
        f"\n{'run':>4} {'phase':<7} {'web':>5} {'bgwrk':>5} {'client':>6} {'other':>5} "
        f"{'busy':>5}   web workers: {'running':>7} {'sqlite sleep':>12} {'awaiting req':>12}"
    )
    for number, run in enumerate(result.runs, 1):
        for phase in (run.intake, run.health):
            cores, states = phase.cores, phase.web_states
            print(
                f"{number:>4} {phase.name:<7} {cores['web']:5.2f} {cores['worker']:5.2f} "
                f"{cores['client']:6.2f} {other_cores(cores):5.2f} {cores['machine']:5.0%}"
                f"   {'':12} {share(states, 'running'):>7} "
                f"{share(states, 'sqlite busy sleep'):>12} "
                f"{share(states, 'waiting for a request'):>12}"
            )


def share(states: dict[str, float], state: str) -> str:
    return f"{states[state]:.0%}" if state in states else "n/a"


def print_failures(result: Result) -> None:
    for phase in result.phases():
        for sample in phase.samples:
            print(f"  {phase.name}: {sample}", file=sys.stderr)
    for problem in result.problems:
        print(f"  integrity: {problem}", file=sys.stderr)
    for line in result.trouble:
        print(f"  server: {line}", file=sys.stderr)
    print(f"server files kept in {result.root}", file=sys.stderr)


# --- docs/benchmarks.md ------------------------------------------------------------------------


def render_section(result: Result) -> str:
    lines = [
        SECTION,
        "",
        "<!-- Written by bench/intake/; rerunning it replaces this section. -->",
        "",
    ]
    for part in (render_summary, render_setup, render_results, render_cpu, render_reading):
        lines += [*part(result), ""]
    return "\n".join(lines)


def render_summary(result: Result) -> list[str]:
    middle = medians(result.runs)
    options = result.options
    return [
        f"Public contact-form submissions per second with {options.clients} concurrent clients "
        f"against `loket serve` ({options.workers} gunicorn sync workers plus the background "
        "worker, SQLite), and in the same run, against the same server processes, the trivial "
        "`/health/` view as the ceiling.",
        "",
        f"**Median of {len(result.runs)} runs: {middle['intake']:.1f} submissions/s; ceiling "
        f"{middle['health']:.1f} requests/s; ratio intake / ceiling {middle['ratio']:.3f}.** "
        f"Range over the runs: intake {spread([run.intake.rate for run in result.runs])}/s, "
        f"ceiling {spread([run.health.rate for run in result.runs])}/s.",
        "",
        "### Machine and date",
        "",
        f"- Date: {result.started:%Y-%m-%d %H:%M} UTC",
        *(f"- {name}: {value}" for name, value in result.machine.items()),
    ]


def render_setup(result: Result) -> list[str]:
    options = result.options
    return [
        "### How it was measured",
        "",
        "- Rerun: `make bench`, or `.venv/bin/python -m bench.intake` (options `--runs`, "
        "`--seconds`, `--clients`, `--workers`; `--quick` is a 2-second smoke run that leaves "
        "this file alone).",
        f"- Parameters: {options.runs} runs of {options.seconds:g} s per endpoint, "
        f"{options.clients} client threads, `--workers {options.workers}`, "
        f"{options.warmup:g} s warm-up per endpoint first.",
        f"- Server: `loket serve --bind 127.0.0.1:<free port> --workers {options.workers}` with "
        "a fresh `LOKET_VAR_DIR`, `LOKET_MAIL=file` and no `DATABASE_URL`. A settings wrapper "
        "adds only a console handler for `django.request` errors, so a failure would be in the "
        "server log.",
        "- Clients: one thread each with a stdlib `http.client` connection. Each fetches its "
        "CSRF cookie and form token with one GET, then POSTs urlencoded forms, a new ticket "
        "each. Only a 302 to `/support/contact/thanks/<token>/` counts; any other answer fails "
        "the benchmark. gunicorn's sync workers close the connection after every response, so "
        "every request opens a new TCP connection.",
        "- Each run: the intake phase, then a wait until the background worker has sent every "
        "acknowledgement e-mail (so its backlog does not eat the ceiling's CPU), then the "
        "ceiling phase. A rate is completed requests over the time until the last one "
        "finished. Afterwards the database must hold exactly one ticket per 302 and every "
        "acknowledgement must be sent.",
    ]


RESULT_HEADERS = [
    *("Run", "Intake /s", "p50 ms", "p95 ms", "Ceiling /s", "p50 ms", "p95 ms", "Ratio"),
    *("Acks sent /s during intake", "Unsent after intake", "Drained after"),
]


MEDIAN_DIGITS = (("intake", 1), ("health", 1), ("ratio", 3))


def render_results(result: Result) -> list[str]:
    rows = [result_row(number, run) for number, run in enumerate(result.runs, 1)]
    middle = medians(result.runs)
    intake, health, ratio = (f"{middle[name]:.{digits}f}" for name, digits in MEDIAN_DIGITS)
    rows.append(bold(["Median", intake, "", "", health, "", "", ratio, "", "", ""]))
    return ["### Results", "", *markdown_table(RESULT_HEADERS, rows)]


def result_row(number: int, run: Run) -> list[str]:
    intake, health = run.intake, run.health
    return [
        *(str(number), f"{intake.rate:.1f}", f"{intake.latency_ms(50):.1f}"),
        *(f"{intake.latency_ms(95):.1f}", f"{health.rate:.1f}", f"{health.latency_ms(50):.1f}"),
        *(f"{health.latency_ms(95):.1f}", f"{run.ratio:.3f}", f"{run.delivery_rate:.1f}"),
        *(str(run.backlog), f"{run.drain_seconds:.1f} s"),
    ]


CPU_HEADERS = [
    *("Run", "Phase", "Web workers", "Background worker", "Client", "Other", "Machine busy"),
    *("Running", "SQLite busy sleep", "Awaiting a request"),
]


def render_cpu(result: Result) -> list[str]:
    rows = [
        [
            *(str(number), phase.name, f"{phase.cores['web']:.2f}"),
            *(f"{phase.cores['worker']:.2f}", f"{phase.cores['client']:.2f}"),
            *(f"{other_cores(phase.cores):.2f}", f"{phase.cores['machine']:.0%}"),
            *(share(phase.web_states, state) for state in CPU_STATES),
        ]
        for number, run in enumerate(result.runs, 1)
        for phase in (run.intake, run.health)
    ]
    return [
        f"Where the time went: CPU in use, in cores out of {result.machine['Logical CPUs']} "
        "(client and server share the machine; *other* is everything else running on it), and "
        "what the web workers were doing, from 200 samples a second of `/proc/PID/syscall`. "
        "*Running* includes waiting for a free CPU; *SQLite busy sleep* is the busy handler "
        "sleeping until the write lock is free.",
        "",
        *markdown_table(CPU_HEADERS, rows, align="rlrrrrrrrr"),
    ]


CPU_STATES = ("running", "sqlite busy sleep", "waiting for a request")
