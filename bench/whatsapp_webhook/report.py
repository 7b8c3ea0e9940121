"""The console lines, the failure report and the WhatsApp webhook section of docs/benchmarks.md."""

from __future__ import annotations

import math
import sys

from bench.common import bold, markdown_table, spread
from bench.intake.cpu import other_cores
from bench.intake.report import share
from bench.whatsapp_webhook.reading import GOAL, render_reading
from bench.whatsapp_webhook.timing import Result, medians

SECTION = "## WhatsApp webhook: POSTs accepted and acknowledgements (issue 11)"


def seconds(value: float, timeout: float) -> str:
    """An acknowledgement time; one that did not arrive within the wait, as "> timeout"."""
    return f"> {timeout:.0f} s" if value == math.inf else f"{value:.2f} s"


def print_table(result: Result) -> None:
    print(
        f"\n{'round':>5} {'phase':<8} {'rate/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'web':>5} "
        f"{'bgwrk':>5} {'client':>6} {'other':>5} {'busy':>5} {'running':>7} {'sqlite':>6} "
        f"{'await':>5}"
    )
    rows = [
        (str(n), phase) for n, r in enumerate(result.rounds, 1) for phase in (r.contact, r.webhook)
    ]
    rows += [("diag", result.measured.alone.contact), ("diag", result.measured.alone.webhook)]
    for number, phase in rows:
        cores, states = phase.cores, phase.web_states
        print(
            f"{number:>5} {phase.name[:8]:<8} {phase.rate:7.1f} {phase.latency_ms(50):7.1f} "
            f"{phase.latency_ms(95):7.1f} {cores['web']:5.2f} {cores['worker']:5.2f} "
            f"{cores['client']:6.2f} {other_cores(cores):5.2f} {cores['machine']:5.0%} "
            f"{share(states, 'running'):>7} {share(states, 'sqlite busy sleep'):>6} "
            f"{share(states, 'waiting for a request'):>5}"
        )
    print(
        "(CPU in cores; busy = whole machine; running / sqlite (busy sleep) / await (a "
        "request) = share of the web workers' time, from 200 samples a second)"
    )
    middle = medians(result.rounds)
    arrived = sum(r.acks.arrived for r in result.rounds)
    expected = sum(r.acks.expected for r in result.rounds)
    timeout = result.options.ack_timeout
    print(
        f"\nmedian: webhook {middle['webhook']:.1f} POSTs/s, contact form "
        f"{middle['contact']:.1f} submissions/s, ratio {middle['ratio']:.1f}x"
    )
    print(
        f"ack handed to Graph API: p50 {seconds(middle['p50'], timeout)}, "
        f"p95 {seconds(middle['p95'], timeout)} "
        f"({arrived}/{expected} arrived)"
    )


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
        "<!-- Written by bench/whatsapp_webhook/; rerunning it replaces this section. -->",
        "",
    ]
    for part in (render_summary, render_setup, render_results, render_cpu, render_reading):
        lines += [*part(result), ""]
    return "\n".join(lines)


def render_summary(result: Result) -> list[str]:
    middle = medians(result.rounds)
    options, rounds = result.options, result.rounds
    arrived = sum(r.acks.arrived for r in rounds)
    expected = sum(r.acks.expected for r in rounds)
    timeout = options.ack_timeout
    verdict = "met" if middle["ratio"] >= GOAL else "missed"
    return [
        f"Signed WhatsApp webhook POSTs accepted per second (answered 200, each a new message "
        f"from a new number, stored in the database first) with {options.clients} concurrent "
        f"clients against `loket serve` ({options.workers} gunicorn sync workers plus the "
        "background worker, SQLite), and in the same run, against the same server processes "
        "and with the same clients, the contact form exactly as the intake benchmark above "
        "submits it. For every message, the time from its 200 to the fake Graph API receiving "
        "its acknowledgement, at that load.",
        "",
        f"**Median of {len(rounds)} rounds: webhook {middle['webhook']:.1f} POSTs/s; contact "
        f"form {middle['contact']:.1f} submissions/s; ratio {middle['ratio']:.1f}x (goal of "
        f"issue 11: at least {GOAL:.0f}x: {verdict}). Acknowledgement handed to the Graph API "
        f"after the 200: p50 {seconds(middle['p50'], timeout)}, p95 "
        f"{seconds(middle['p95'], timeout)} ({arrived} of {expected} arrived).** Range over "
        f"the rounds: webhook {spread([r.webhook.rate for r in rounds])}/s, contact form "
        f"{spread([r.contact.rate for r in rounds])}/s, ratio "
        f"{spread([r.ratio for r in rounds])}x.",
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
        "- Rerun: `make bench`, or `.venv/bin/python -m bench.whatsapp_webhook` (options "
        "`--runs`, `--seconds`, `--clients`, `--workers`, `--ack-timeout`; `--quick` is a "
        "2-second smoke run that leaves this file alone).",
        f"- Parameters: {options.runs} rounds of {options.seconds:g} s per phase, "
        f"{options.clients} client threads, `--workers {options.workers}`, "
        f"{options.warmup:g} s warm-up of each of `/health/`, the contact form and the webhook "
        f"first; acknowledgements waited for up to {options.ack_timeout:g} s after a phase.",
        "- Fake Graph API: `tests/graph.py`'s `FakeGraph` on 127.0.0.1 in the benchmark's "
        "process, which stamps every send with the time it received it. The server gets its "
        "credentials (`LOKET_WHATSAPP_PHONE_NUMBER_ID`, `_ACCESS_TOKEN`, `_APP_SECRET`, "
        "`_VERIFY_TOKEN`) and `LOKET_WHATSAPP_GRAPH_URL` pointing at it.",
        f"- Server: `loket serve --bind 127.0.0.1:<free port> --workers {options.workers}` "
        "(gunicorn and `loket worker`), started as bench/intake starts it: a fresh "
        "`LOKET_VAR_DIR`, `LOKET_MAIL=file`, no `DATABASE_URL`, the contact form's rate "
        "limits raised out of the way.",
        "- Each round: phase A, the contact form with bench/intake's clients (GET for the CSRF "
        "token once, then POSTs, a new ticket each, only a 302 to the thanks page counts); a "
        "wait until the worker has sent their acknowledgement e-mails; phase B, the webhook: "
        "each POST a text message as Meta sends it (`tests.graph.text`), from a number and "
        "with a `wamid` never used before, signed with `X-Hub-Signature-256`; only a 200 `ok` "
        "counts. Then a wait until the fake has received an acknowledgement for every number "
        "answered 200, matched by `to`; the time of each is from the client reading the 200 "
        "to the fake receiving the send (one clock, `time.monotonic()`, one process). A rate "
        "is completed requests over the time until the last one finished.",
        "- Checks: every 200 must be a stored inbound item, every item a new ticket, every "
        "number exactly one acknowledgement; every 302 a ticket. Any other answer fails the "
        "benchmark.",
        "- Diagnosis, once after the rounds: phases A and B again with the background worker "
        "stopped (SIGSTOP, at a moment it holds no write lock), so that nothing but the "
        "requests writes; the stored items are counted against the 200s, then the worker is "
        "resumed and the server stopped.",
    ]


RESULT_HEADERS = [
    *("Round", "Contact form /s", "p50 ms", "p95 ms", "Webhook /s", "p50 ms", "p95 ms"),
    *("Ratio", "Acks arrived", "during phase B", "Ack p50", "Ack p95", "Last ack after B"),
]


def render_results(result: Result) -> list[str]:
    timeout = result.options.ack_timeout
    rows = []
    for number, one in enumerate(result.rounds, 1):
        contact, webhook, acks = one.contact, one.webhook, one.acks
        rows.append(
            [
                *(str(number), f"{contact.rate:.1f}", f"{contact.latency_ms(50):.1f}"),
                *(f"{contact.latency_ms(95):.1f}", f"{webhook.rate:.1f}"),
                *(f"{webhook.latency_ms(50):.1f}", f"{webhook.latency_ms(95):.1f}"),
                *(f"{one.ratio:.1f}x", f"{acks.arrived}/{acks.expected}", str(acks.during)),
                *(seconds(acks.percentile(50), timeout), seconds(acks.percentile(95), timeout)),
                f"{acks.waited:.1f} s",
            ]
        )
    middle = medians(result.rounds)
    p50, p95 = seconds(middle["p50"], timeout), seconds(middle["p95"], timeout)
    form, posts = f"{middle['contact']:.1f}", f"{middle['webhook']:.1f}"
    ratio = f"{middle['ratio']:.1f}x"
    rows.append(bold(["Median", form, "", "", posts, "", "", ratio, "", "", p50, p95, ""]))
    return ["### Results", "", *markdown_table(RESULT_HEADERS, rows)]


CPU_HEADERS = [
    *("Round", "Phase", "Requests /s", "Web workers", "Background worker", "Client", "Other"),
    *("Machine busy", "Running", "SQLite busy sleep", "Awaiting a request"),
]
CPU_STATES = ("running", "sqlite busy sleep", "waiting for a request")


def render_cpu(result: Result) -> list[str]:
    phases = [(str(n), p) for n, r in enumerate(result.rounds, 1) for p in (r.contact, r.webhook)]
    alone = result.measured.alone
    phases += [("after", alone.contact), ("after", alone.webhook)]
    rows = [
        [
            *(number, phase.name, f"{phase.rate:.1f}", f"{phase.cores['web']:.2f}"),
            *(f"{phase.cores['worker']:.2f}", f"{phase.cores['client']:.2f}"),
            *(f"{other_cores(phase.cores):.2f}", f"{phase.cores['machine']:.0%}"),
            *(share(phase.web_states, state) for state in CPU_STATES),
        ]
        for number, phase in phases
    ]
    return [
        f"Where the time went: CPU in use, in cores out of {result.machine['Logical CPUs']} "
        "(client, fake Graph API and server share the machine; *other* is everything else "
        "running on it), and what the web workers were doing, from 200 samples a second of "
        "`/proc/PID/syscall`. *Running* includes waiting for a free CPU; *SQLite busy sleep* "
        "is the busy handler sleeping until the write lock is free.",
        "",
        *markdown_table(CPU_HEADERS, rows, align="rlrrrrrrrrr"),
    ]
