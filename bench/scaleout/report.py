"""The console table and the scale-out section of docs/benchmarks.md: medians per
configuration, where the CPU went, what limited each step, and a reading."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.common import markdown_table, median, spread
from bench.intake.cpu import other_cores
from bench.scaleout.activity import ACTIVITIES
from bench.scaleout.measure import Result, Step

SECTION = "## Scale-out on PostgreSQL (issue 13)"
COMMAND = ".venv/bin/python -m bench.scaleout"
SATURATED = 0.9  # machine busy share from which the CPU is what limits
LOCKS_MATTER = 0.15  # share of busy backend samples waiting on a lock


@dataclass(frozen=True)
class Configuration:
    """The rounds of one (web, workers) pair, reduced to medians."""

    web: int
    workers: int
    steps: list[Step]

    def median(self, pick: Callable[[Step], float]) -> float:
        return median([pick(step) for step in self.steps])

    @property
    def rate(self) -> float:
        return self.median(lambda s: s.intake.rate)

    @property
    def acknowledgements(self) -> float:
        return self.median(lambda s: s.acknowledgements)

    def cores(self, role: str) -> float:
        return self.median(lambda s: s.intake.cores[role])

    @property
    def postgres(self) -> float:
        return self.median(lambda s: s.postgres_cores)

    @property
    def other(self) -> float:
        """Everything else on the machine: PostgreSQL's backends for this database are ours."""
        return self.median(lambda s: max(0.0, other_cores(s.intake.cores) - pg(s)))

    @property
    def busy(self) -> float:
        return self.median(lambda s: s.intake.cores["machine"])

    @property
    def per_core(self) -> float:
        return self.median(lambda s: s.per_core)

    def activity(self, name: str) -> float:
        return self.median(lambda s: s.activity.get(name, float("nan")))

    @property
    def label(self) -> str:
        return f"{self.web} web, {self.workers} worker{'s' if self.workers > 1 else ''}"


def pg(step: Step) -> float:
    return 0.0 if step.postgres_cores != step.postgres_cores else step.postgres_cores


def configurations(result: Result) -> list[Configuration]:
    pairs = sorted({(step.web, step.workers) for step in result.steps}, key=lambda p: (p[1], p[0]))
    return [
        Configuration(
            web, workers, [s for s in result.steps if (s.web, s.workers) == (web, workers)]
        )
        for web, workers in pairs
    ]


def limit_of(config: Configuration, cpus: int, clients: int) -> str:
    """What held this configuration back, from its medians."""
    lock = config.activity("lock")
    locks = f"; backends waited on a lock {lock:.0%} of their busy time" if lock >= 0.05 else ""
    if config.busy >= SATURATED:
        return (
            f"CPU: the machine {config.busy:.0%} busy (web {config.cores('web'):.2f}, workers "
            f"{config.cores('worker'):.2f}, PostgreSQL {cores_text(config.postgres)}, client "
            f"{config.cores('client'):.2f}, other {config.other:.2f} of {cpus} cores){locks}"
        )
    if lock >= LOCKS_MATTER:
        return f"lock waits: backends waited on a lock {lock:.0%} of their busy time"
    flushes = config.activity("io") + config.activity("lwlock")
    if flushes >= 0.3:
        return f"commit flushes: backends waited on WAL I/O {flushes:.0%} of their busy time"
    if config.cores("web") >= 0.85 * config.web:
        return f"the web processes: {config.cores('web'):.2f} cores for {config.web} of them"
    return (
        f"none of CPU ({config.busy:.0%} busy) or locks: the {clients} clients, each waiting "
        "for its answer before it sends the next"
    )


# --- The console ---------------------------------------------------------------------------------


def print_table(result: Result) -> None:
    print(
        f"\n{'configuration':<18} {'in/s':>6} {'acks/s':>6} {'unsent':>6} {'web':>5} "
        f"{'wrk':>5} {'pg':>5} {'client':>6} {'other':>5} {'busy':>5} {'/core':>6} {'lock':>5}"
    )
    for config in configurations(result):
        print(
            f"{config.label:<18} {config.rate:6.1f} {config.acknowledgements:6.1f} "
            f"{config.median(lambda s: s.backlog):6.0f} {config.cores('web'):5.2f} "
            f"{config.cores('worker'):5.2f} {config.postgres:5.2f} "
            f"{config.cores('client'):6.2f} {config.other:5.2f} {config.busy:5.0%} "
            f"{config.per_core:6.1f} {percent(config.activity('lock')):>5}"
        )
    cpus = int(result.machine["Logical CPUs"])
    for config in configurations(result):
        print(f"limit, {config.label}: {limit_of(config, cpus, result.options.clients)}")
    print(f"at the end: {result.acknowledged.describe()}")


def percent(share: float) -> str:
    return "n/a" if share != share else f"{share:.0%}"


def cores_text(cores: float) -> str:
    return "n/a" if cores != cores else f"{cores:.2f}"


def print_failures(result: Result) -> None:
    for problem in result.problems:
        print(f"  problem: {problem}", file=sys.stderr)
    for line in result.trouble:
        print(f"  server: {line}", file=sys.stderr)
    print(f"server files kept in {result.root}", file=sys.stderr)


# --- docs/benchmarks.md --------------------------------------------------------------------------


def render_section(result: Result) -> str:
    lines = [
        SECTION,
        "",
        "<!-- Written by bench/scaleout/; rerunning it replaces this section. -->",
    ]
    lines.append("")
    for part in (render_summary, render_machine, render_setup, render_results, render_cpu):
        lines += [*part(result), ""]
    lines += [*render_limits(result), "", *render_reading(result), ""]
    return "\n".join(lines)


def render_summary(result: Result) -> list[str]:
    configs = configurations(result)
    best = max(configs, key=lambda c: c.rate)
    options = result.options
    return [
        f"The intake benchmark (bench/intake's clients, {options.clients} of them, every "
        "submission a new ticket from a new address) against `loket web --workers W` with "
        f"`W'` separate `loket worker` processes on {result.database}, (W, W') in "
        f"{', '.join(f'({web}, {workers})' for web, workers in options.pairs)}.",
        "",
        f"**Best: {best.label}, {best.rate:.1f} submissions/s, {best.acknowledgements:.1f} "
        f"acknowledgements/s sent meanwhile, {best.per_core:.1f} submissions/s per busy server "
        f"core. At the end every ticket had exactly one acknowledgement: "
        f"{'yes' if result.acknowledged.all_exactly_once else 'no'} "
        f"({result.acknowledged.exactly_one_sent:,} of {result.acknowledged.tickets:,}).**",
    ]


def render_machine(result: Result) -> list[str]:
    return [
        "### Machine and date",
        "",
        f"- Date: {result.started:%Y-%m-%d %H:%M} UTC",
        *(f"- {name}: {value}" for name, value in result.machine.items()),
        f"- Load average after the run (1, 5, 15 min): {result.load_after}",
    ]


def render_setup(result: Result) -> list[str]:
    options = result.options
    return [
        "### How it was measured",
        "",
        f"- Rerun: `make bench`, or `{COMMAND}` (options `--web 1 2 4`, `--workers 1 2`, "
        "`--rounds`, `--seconds`, `--clients`, `--database-url` for another PostgreSQL server "
        "or database name (loket_bench_*, created and dropped), `--sqlite`; `--quick` is a "
        "smoke run of two configurations that leaves this file alone).",
        f"- Parameters: {options.rounds} round{'s' if options.rounds > 1 else ''}; in each, "
        "every configuration once, the order rotated by one per round; per configuration "
        f"{options.warmup:g} s warm-up, the outbox drained, then {options.seconds:g} s of "
        "intake.",
        "- Database: prepared once as `loket serve` prepares it (migrate, collectstatic, "
        "policy apply); every configuration adds its tickets to it. Server processes: "
        "`loket web --bind 127.0.0.1:<free port> --workers W` (gunicorn sync workers) and W' "
        "`loket worker`, in one process group, with bench/intake's environment "
        "(`LOKET_MAIL=file`, the contact form's rate limits out of the way), stopped with "
        "SIGTERM after each configuration.",
        "- Figures: submissions/s are completed 302s over the phase; acknowledgements/s are "
        "outbox rows that became `sent` during the phase, read from the database; *unsent* "
        "is the backlog when the phase ended. CPU in cores from `/proc`: the web processes "
        "(gunicorn master and workers), the background workers, PostgreSQL's backends "
        "connected to the benchmark's database (their pids from `pg_stat_activity`), the "
        "client, and *other*: everything else on the machine. Per core: submissions/s "
        "divided by the cores web, workers and PostgreSQL kept busy. Lock and the other "
        "wait shares: of the samples (10 a second of `pg_stat_activity`) in which one of "
        "the database's client backends was not idle, the share waiting on a heavyweight "
        "lock, an LWLock, I/O, or idle in a transaction (the application working between "
        "two statements of its transaction).",
        "- Checks: every answer a 302 to the thanks page; at the end every ticket has exactly "
        "one acknowledgement, sent, and every sent one reached the mail files exactly once.",
    ]


RESULT_HEADERS = [
    *("Configuration", "Submissions /s", "Range over rounds", "p50 ms", "p95 ms"),
    *("Acks sent /s during intake", "Unsent after", "Drained in", "Per core /s"),
]


def render_results(result: Result) -> list[str]:
    rows = [
        [
            config.label,
            f"{config.rate:.1f}",
            spread([s.intake.rate for s in config.steps]),
            f"{config.median(lambda s: s.intake.latency_ms(50)):.0f}",
            f"{config.median(lambda s: s.intake.latency_ms(95)):.0f}",
            f"{config.acknowledgements:.1f}",
            f"{config.median(lambda s: s.backlog):.0f}",
            f"{config.median(lambda s: s.drain_seconds):.1f} s",
            f"{config.per_core:.1f}",
        ]
        for config in configurations(result)
    ]
    return [
        "### Results",
        "",
        f"Medians over the rounds ({len(result.steps)} phases in all).",
        "",
        *markdown_table(RESULT_HEADERS, rows, align="l" + "r" * (len(RESULT_HEADERS) - 1)),
    ]


CPU_HEADERS = [
    *("Configuration", "Web", "Workers", "PostgreSQL", "Client", "Other", "Machine busy"),
    *("Running", "Lock", "LWLock", "I/O", "Idle in transaction"),
]


def render_cpu(result: Result) -> list[str]:
    rows = [
        [
            config.label,
            *(f"{config.cores(role):.2f}" for role in ("web", "worker")),
            cores_text(config.postgres),
            f"{config.cores('client'):.2f}",
            f"{config.other:.2f}",
            f"{config.busy:.0%}",
            *(percent(config.activity(name)) for name in ACTIVITIES[:5]),
        ]
        for config in configurations(result)
    ]
    return [
        f"Where the time went during intake: CPU in cores out of "
        f"{result.machine['Logical CPUs']}, and what the database's busy backends were doing.",
        "",
        *markdown_table(CPU_HEADERS, rows, align="l" + "r" * (len(CPU_HEADERS) - 1)),
    ]


def render_limits(result: Result) -> list[str]:
    cpus = int(result.machine["Logical CPUs"])
    return [
        "### What limits each step",
        "",
        *(
            f"- {config.label}: {limit_of(config, cpus, result.options.clients)}."
            for config in configurations(result)
        ),
    ]


def render_reading(result: Result) -> list[str]:
    configs = configurations(result)
    sentences = [*read_web(configs), *read_workers(configs), *read_machine(result, configs)]
    return ["### Reading", "", " ".join(sentences)]


def by_pair(configs: Sequence[Configuration]) -> dict[tuple[int, int], Configuration]:
    return {(c.web, c.workers): c for c in configs}


def read_web(configs: Sequence[Configuration]) -> list[str]:
    one_worker = sorted((c for c in configs if c.workers == min(c.workers for c in configs)),
                        key=lambda c: c.web)  # fmt: skip
    if len(one_worker) < 2:
        return []
    base = one_worker[0]
    steps = ", ".join(
        f"{c.web} web processes {c.rate:.1f}/s ({c.rate / base.rate:.2f}x, {c.per_core:.1f} per "
        "core)"
        for c in one_worker[1:]
    )
    return [
        f"With {base.workers} worker{'s' if base.workers > 1 else ''}, {base.web} web process "
        f"took {base.rate:.1f} submissions/s ({base.per_core:.1f} per busy server core); {steps}."
    ]


def read_workers(configs: Sequence[Configuration]) -> list[str]:
    pairs = by_pair(configs)
    counts = sorted({c.workers for c in configs})
    if len(counts) < 2:
        return []
    few, many = counts[0], counts[-1]
    parts = []
    for web in sorted({c.web for c in configs}):
        if (web, few) in pairs and (web, many) in pairs:
            a, b = pairs[(web, few)], pairs[(web, many)]
            parts.append(
                f"{web} web: {a.acknowledgements:.1f} → {b.acknowledgements:.1f} "
                f"acknowledgements/s against {a.rate:.1f} → {b.rate:.1f} submissions/s"
            )
    if not parts:
        return []
    return [
        f"From {few} to {many} background workers (acknowledgements sent during intake, "
        f"then submissions): {'; '.join(parts)}."
    ]


def read_machine(result: Result, configs: Sequence[Configuration]) -> list[str]:
    other = median([c.other for c in configs])
    load = result.machine.get("Load average before the run (1, 5, 15 min)", "")
    if other < 0.25:
        return [f"The machine was otherwise quiet (load average before: {load})."]
    return [
        f"Other work on this shared machine used a median {other:.2f} cores of "
        f"{result.machine['Logical CPUs']} during the phases (load average before: {load}, "
        f"after: {result.load_after}), so every rate here is lower than on a quiet machine."
    ]
