"""The console summary and the soak's section of docs/benchmarks.md."""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass

from bench.common import markdown_table, median, percentile
from bench.intake.cpu import other_cores
from bench.soak.goals import BACKLOG_LIMIT_SECONDS, MEMORY_LIMIT_MB, goals, max_rss, trend
from bench.soak.load import Arrival
from bench.soak.run import Result
from bench.soak.watch import BOUNDED_ROLES, Sample

SECTION = "## Soak: 80 % of intake for 10 minutes (issue 13)"
COMMAND = ".venv/bin/python -m bench.soak"
LATE = 1.0  # seconds behind schedule that count an arrival as late


# --- Stretches of the load: one row per minute -------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    start: Sample
    end: Sample
    inside: list[Sample]  # the samples after `start` up to `end`
    arrivals: list[Arrival]  # those due in [start, end)

    @property
    def seconds(self) -> float:
        return self.end.at - self.start.at

    def per_second(self, count: int) -> float:
        return count / self.seconds if self.seconds > 0 else float("nan")

    @property
    def accepted(self) -> float:
        return self.per_second(self.end.accepted - self.start.accepted)

    @property
    def sent(self) -> float:
        return self.per_second(self.end.sent - self.start.sent)

    def latency_ms(self, p: float) -> float:
        latencies = [a.latency for a in self.arrivals if a.problem is None]
        return percentile(latencies, p) * 1000 if latencies else float("nan")

    @property
    def behind(self) -> float:
        """How far the load fell behind its schedule: the latest start of an arrival due in
        the stretch. Once behind, every later arrival starts late until the threads catch up."""
        return max((a.late for a in self.arrivals), default=float("nan"))

    def rss(self, role: str) -> float:
        peaks = max_rss(self.inside)
        return peaks.get(role, float("nan"))

    def cores(self, role: str) -> float:
        return median([s.cores.get(role, 0.0) for s in self.inside if s.cores])

    @property
    def other(self) -> float:
        return median([other_cores(s.cores) for s in self.inside if s.cores])


def stretches(result: Result, width: float) -> list[Stretch]:
    """The load cut into stretches of about `width` seconds at the samples nearest the cuts."""
    samples = result.samples
    if len(samples) < 2:
        return []
    half = result.options.interval / 2
    cuts = [samples[0]]
    boundary = width
    for sample in samples[1:-1]:
        if sample.at >= boundary - half:
            cuts.append(sample)
            boundary += width
    if samples[-1].at - cuts[-1].at < half and len(cuts) > 1:
        cuts.pop()  # a last stretch of nothing: the final sample ends the one before
    cuts.append(samples[-1])
    return [
        Stretch(
            start,
            end,
            [s for s in samples if start.at < s.at <= end.at],
            [a for a in result.arrivals if start.at <= a.due < end.at],
        )
        for start, end in itertools.pairwise(cuts)
    ]


def stretch_width(result: Result) -> float:
    seconds = result.options.minutes * 60
    return 60.0 if seconds >= 180 else max(result.options.interval, seconds / 5)


# --- The console ---------------------------------------------------------------------------------


def print_summary(result: Result) -> None:
    print(
        f"\n{'from s':>6} {'to s':>6} {'in/s':>6} {'acks/s':>6} {'backlog':>7} {'p95 ms':>7} "
        f"{'behind':>6} {'web MB':>7} {'wrk MB':>7}"
    )
    for part in stretches(result, stretch_width(result)):
        print(
            f"{part.start.at:6.0f} {part.end.at:6.0f} {part.accepted:6.1f} {part.sent:6.1f} "
            f"{part.end.backlog:7d} {part.latency_ms(95):7.1f} {part.behind:6.1f} "
            f"{max(part.rss('web worker'), part.rss('web master')):7.1f} "
            f"{part.rss('worker'):7.1f}"
        )
    print(f"\nat the end of the load: {result.at_end.describe()}")
    drained = result.drain.seconds
    when = f"drained in {drained:.1f} s" if drained is not None else "NOT drained"
    print(f"after the drain ({when}): {result.after_drain.describe()}")
    for goal in goals(result):
        print(f"goal {goal.name}: {goal.verdict} ({goal.figure})")


def print_failures(result: Result) -> None:
    for sample in result.error_samples:
        print(f"  load: {sample}", file=sys.stderr)
    for problem in result.problems:
        print(f"  integrity: {problem}", file=sys.stderr)
    for line in result.trouble:
        print(f"  server: {line}", file=sys.stderr)
    print(f"server files kept in {result.root}", file=sys.stderr)


# --- docs/benchmarks.md --------------------------------------------------------------------------


def render_section(result: Result) -> str:
    lines = [
        SECTION,
        "",
        "<!-- Written by bench/soak/; rerunning it replaces this section. -->",
        "",
    ]
    for part in (render_summary, render_machine, render_setup, render_table, render_reading):
        lines += [*part(result), ""]
    return "\n".join(lines)


def render_summary(result: Result) -> list[str]:
    options = result.options
    verdicts = "; ".join(f"{goal.name}: {goal.verdict} ({goal.figure})" for goal in goals(result))
    return [
        f"An open-loop load of {result.target:.1f} submissions/s "
        f"({options.share:.0%} of the intake rate {rate_source(result)}) for "
        f"{options.minutes:g} minutes against `loket serve` ({options.workers} gunicorn sync "
        f"workers plus the background worker, {result.database}), watching the acknowledgements "
        "the worker sends, the backlog it leaves and the memory of every server process.",
        "",
        f"**Goals of issue 13: {verdicts}.**",
    ]


def rate_source(result: Result) -> str:
    calibration = result.calibration
    if calibration.phase is None:
        return f"{calibration.rate:.1f}/s given with `--rate`"
    return (
        f"{calibration.rate:.1f}/s measured in the same run, "
        f"{result.options.calibration_clients} clients closed-loop for "
        f"{result.options.calibration_seconds:g} s"
    )


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
        f"- Rerun: `make bench`, or `{COMMAND}` (options `--minutes`, `--rate` to skip the "
        "measurement, `--share`, `--clients`, `--workers`, `--database-url "
        "postgres://postgres@127.0.0.1:5432/loket_bench_soak` for PostgreSQL in a database "
        "the benchmark creates and drops; `--quick` is a 20-second smoke run that leaves this "
        "file alone).",
        f"- Parameters: {options.warmup:g} s closed-loop warm-up, then "
        + (
            f"{options.calibration_seconds:g} s with {options.calibration_clients} clients "
            "closed-loop to measure the intake rate, "
            if result.calibration.phase is not None
            else ""
        )
        + f"the outbox drained, then {options.minutes:g} minutes of load at {options.share:.0%} "
        f"of that rate from {options.clients} client threads, sampled every "
        f"{options.interval:g} s; afterwards up to {options.drain_seconds:g} s for the worker "
        "to send what is left.",
        "- Server: bench/intake's, `loket serve --bind 127.0.0.1:<free port> --workers "
        f"{options.workers}` in a fresh `LOKET_VAR_DIR` with `LOKET_MAIL=file` (every sent "
        "mail lands in a file), the contact form's rate limits out of the way"
        + (
            ", `DATABASE_URL` pointing at the benchmark's own database"
            if options.database_url
            else ""
        )
        + ". The acknowledgement cap stays at its default: every submission comes from a new "
        "address, as on a real desk.",
        "- Load: open loop. Arrival *k* is due at *start + k / rate*; the client threads "
        "(bench/intake's clients, one CSRF token each) take the arrivals in turn and sleep "
        "until each is due. When every thread is still waiting for an answer, the next arrival "
        "starts late; the schedule is never shifted, so the load is *behind schedule* (the "
        "table shows the most in each stretch) until the threads catch up, and a server that "
        "takes less than the rate offered falls further and further behind. Latencies are "
        "from the request's start, so they do not include the time an arrival waited for a "
        f"free thread. Only a 302 to the thanks page counts as accepted; arrivals more than "
        f"{LATE:g} s behind are counted as late.",
        "- Samples: submissions accepted; from the database (SQLite read-only, PostgreSQL over "
        "its own connection) acknowledgements with status `sent` and the *backlog*, "
        "acknowledgements `pending` or `sending`; the RSS (`VmRSS` of `/proc/PID/status`) "
        "of every process in the server's process group and the CPU each used since the "
        "previous sample.",
        "- Checks: every accepted submission is a ticket; every ticket has exactly one "
        "acknowledgement row and it is sent (counted per ticket with a join, at the end of "
        "the load and after the drain); every sent acknowledgement's `Message-ID` appears "
        "exactly once in the mail files. A failed check fails the run. Backlog goals: at the "
        f"end of the load at most {BACKLOG_LIMIT_SECONDS:g} s of the offered rate; not "
        "growing: the median backlog over the last third of the load at most that much above "
        "the median over the first third (the least-squares slope is reported too). Memory: "
        f"the highest RSS of the gunicorn master, of each gunicorn worker and of the "
        f"background worker under {MEMORY_LIMIT_MB:g} MB.",
    ]


TABLE_HEADERS = [
    *("Time (m:ss)", "Accepted /s", "p50 ms", "p95 ms", "Behind schedule s", "Acks sent /s"),
    *(
        "Backlog at end",
        "Web master MB",
        "Web workers MB",
        "Worker MB",
        "Web cores",
        "Worker cores",
        "Other cores",
    ),
]


def render_table(result: Result) -> list[str]:
    parts = stretches(result, stretch_width(result))
    rows = [
        [
            f"{clock(part.start.at)}-{clock(part.end.at)}",
            *(f"{part.accepted:.1f}", figure(part.latency_ms(50)), figure(part.latency_ms(95))),
            *(figure(part.behind, ".1f"), f"{part.sent:.1f}", str(part.end.backlog)),
            *(f"{part.rss('web master'):.1f}", f"{part.rss('web worker'):.1f}"),
            *(f"{part.rss('worker'):.1f}", f"{part.cores('web'):.2f}"),
            *(f"{part.cores('worker'):.2f}", f"{part.other:.2f}"),
        ]
        for part in parts
    ]
    return [
        "### Results",
        "",
        f"One row per stretch of the load (the samples every {result.options.interval:g} s "
        "condensed); RSS is the highest in the stretch, cores the median of its samples, "
        "*other* is everything else running on the machine.",
        "",
        *markdown_table(TABLE_HEADERS, rows, align="l" + "r" * (len(TABLE_HEADERS) - 1)),
        "",
        f"- At the end of the load: {result.at_end.describe()}.",
        f"- After the drain ({drain_text(result)}): {result.after_drain.describe()}.",
        f"- Processes seen: {processes_seen(result)}.",
        f"- Highest RSS per process role: {peaks_text(result)}.",
    ]


def peaks_text(result: Result) -> str:
    peaks = max_rss(result.samples)
    return ", ".join(f"{role} {mb:.1f} MB" for role, mb in sorted(peaks.items()))


def clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def figure(value: float, spec: str = ".0f") -> str:
    """A figure, or n/a for a stretch with nothing to take it of."""
    return "n/a" if value != value else f"{value:{spec}}"


def drain_text(result: Result) -> str:
    seconds = result.drain.seconds
    if seconds is None:
        return f"{result.drain.backlog} still unsent after {result.options.drain_seconds:g} s"
    return f"backlog 0 after {seconds:.1f} s"


def processes_seen(result: Result) -> str:
    counts = {role: len(pids) for role, pids in sorted(result.pids.items())}
    return ", ".join(f"{role}: {count}" for role, count in counts.items()) + (
        " (a restarted process would count as one more)"
    )


# --- The reading ---------------------------------------------------------------------------------


def render_reading(result: Result) -> list[str]:
    sentences = [*read_rate(result), *read_backlog(result), *read_memory(result)]
    sentences += read_machine(result)
    return ["### Reading", "", " ".join(sentences)]


def read_rate(result: Result) -> list[str]:
    arrivals = result.arrivals
    late = sum(1 for a in arrivals if a.late > LATE)
    seconds = result.samples[-1].at if result.samples else float("nan")
    accepted = result.samples[-1].accepted / seconds if result.samples else float("nan")
    sentence = f"The server took {accepted:.1f} submissions/s of the {result.target:.1f} offered"
    if late <= 0.01 * max(len(arrivals), 1):
        return [f"{sentence}, with {late:,} of {len(arrivals):,} arrivals late: a real rate."]
    behind = max(a.late for a in arrivals)
    return [
        f"{sentence}: {late:,} of {len(arrivals):,} arrivals started more than {LATE:g} s "
        f"late and the load was up to {behind:.1f} s behind its schedule, because all "
        f"{result.options.clients} client threads were waiting for answers: for those "
        "stretches the server took less than the rate offered (the rows where *behind "
        "schedule* grows), so the load ran longer than planned and the backlog figures "
        "below are at the rate the server actually took."
    ]


def read_backlog(result: Result) -> list[str]:
    shape = trend(result.samples)
    sent = [s.sent for s in result.samples]
    seconds = result.samples[-1].at - result.samples[0].at if len(result.samples) > 1 else 0.0
    rate = (sent[-1] - sent[0]) / seconds if seconds else float("nan")
    limit = result.target * BACKLOG_LIMIT_SECONDS
    if shape.last <= shape.first + limit:
        return [
            f"The worker sent {rate:.1f} acknowledgements/s and kept up: the median backlog "
            f"was {shape.first:.0f} over the first third and {shape.last:.0f} over the last "
            f"(slope {shape.slope:+.1f} per minute); what was unsent at any moment was about "
            "the batch in hand, not a queue that grows."
        ]
    return [
        f"The worker sent only {rate:.1f} acknowledgements/s, so the backlog grew from a median "
        f"{shape.first:.0f} over the first third to {shape.last:.0f} over the last "
        f"({shape.slope:+.1f} per minute): at this rate acknowledgements fall further and "
        "further behind."
    ]


def read_memory(result: Result) -> list[str]:
    peaks = max_rss(result.samples)
    first = max_rss(result.samples[:2])
    growth = ", ".join(
        f"{role} {peaks[role] - first.get(role, peaks[role]):+.1f} MB" for role in sorted(peaks)
    )
    bounded = {role: mb for role, mb in peaks.items() if role in BOUNDED_ROLES}
    worst = max(bounded, key=lambda role: bounded[role]) if bounded else "none"
    sentences = [
        f"Memory from the first sample to the highest: {growth}. The largest of the processes "
        f"issue 13 bounds was the {worst} at {bounded.get(worst, float('nan')):.1f} MB."
    ]
    supervisor = peaks.get("supervisor", 0.0)
    if supervisor >= 0.8 * MEMORY_LIMIT_MB:
        sentences.append(
            f"The supervisor (`loket serve` itself) held {supervisor:.1f} MB: it runs migrate, "
            "collectstatic and the policy import in its own process before it starts the "
            "others, and keeps what Django loaded for them while it only watches its children."
        )
    return sentences


def read_machine(result: Result) -> list[str]:
    other = median([other_cores(s.cores) for s in result.samples if s.cores])
    load = result.machine.get("Load average before the run (1, 5, 15 min)", "")
    if other < 0.25:
        return [f"The machine was otherwise quiet (load average before: {load})."]
    return [
        f"Other work on this shared machine used a median {other:.2f} cores of "
        f"{result.machine['Logical CPUs']} while the load ran (load average before: {load}, "
        f"after: {result.load_after}), so the intake rate measured here is lower than on a "
        "quiet machine; the soak offered its share of that same lower rate."
    ]
