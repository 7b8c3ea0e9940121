"""The console lines and the e-mail ingestion section of docs/benchmarks.md."""

from __future__ import annotations

import sys

from bench.common import bold, markdown_table, median, spread
from bench.mail_ingest.config import PEER_NAME, SECTION
from bench.mail_ingest.corpus import KINDS, Manifest
from bench.mail_ingest.method import render_method, render_mix, render_sides
from bench.mail_ingest.results import LoketRun, PeerRun, Report

# --- The console -------------------------------------------------------------------------------


def print_corpus(manifest: Manifest) -> None:
    sizes = manifest.sizes
    mix = ", ".join(f"{kind.name} {manifest.count(kind.name)}" for kind in KINDS)
    print(
        f"corpus: {len(sizes):,} messages, {sum(sizes) / 1e6:.1f} MB (median "
        f"{median(sizes) / 1e3:.1f} KB, largest {max(sizes) / 1e6:.2f} MB), after "
        f"{len(manifest.openers)} openers; {mix}",
        flush=True,
    )


def print_peer(number: int, run: PeerRun, differences: list[str]) -> None:
    print(
        f"round {number}: {PEER_NAME} {run.processed:,} of {run.messages:,} messages in "
        f"{run.seconds:.2f} s = {run.rate:.1f} messages/s; {run.new_tickets:,} new tickets, "
        f"{run.new_followups:,} follow-ups; peak RSS {run.peak_mb:.1f} MB",
        flush=True,
    )
    for difference in differences:
        print(f"  {PEER_NAME} did different work: {difference}", flush=True)


def print_loket(number: int, run: LoketRun, problems: list[str]) -> None:
    print(
        f"round {number}: Loket {run.messages:,} messages in {run.seconds:.2f} s = "
        f"{run.rate:.1f} messages/s; {outcomes(run)}; peak RSS {run.peak_mb:.1f} MB "
        f"(set-up {run.setup_peak_mb:.1f} MB, timed loop {megabytes(run.loop_peak_mb)} MB)",
        flush=True,
    )
    samples = " ".join(f"{mb:.1f}" for mb in run.rss_mb)
    print(f"  Loket's RSS in MB before the loop and after each tenth: {samples}", flush=True)
    for problem in problems:
        print(f"  Loket: {problem}", file=sys.stderr, flush=True)


def megabytes(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


def outcomes(run: LoketRun) -> str:
    return ", ".join(f"{count:,} {outcome}" for outcome, count in sorted(run.outcomes.items()))


def print_summary(report: Report) -> None:
    line = (
        f"\nmedian: Loket {report.loket_rate():.1f} messages/s, peak RSS {report.peak_mb():.1f} MB"
    )
    if report.peers:
        line += f"; {PEER_NAME} {report.peer_rate():.1f} messages/s; ratio {report.ratio():.2f}"
    print(line)
    for goal, met in report.goals().items():
        print(f"goal {'met' if met else 'MISSED'}: {goal}")


# --- docs/benchmarks.md ------------------------------------------------------------------------


def render_section(report: Report, peer_versions: dict[str, str]) -> str:
    lines = [
        SECTION,
        "",
        "<!-- Written by bench/mail_ingest/; rerunning it replaces this section. -->",
        "",
    ]
    lines += [*render_summary(report), ""]
    lines += [*render_machine(report, peer_versions), ""]
    lines += [*render_method(report), *render_sides(), ""]
    for part in (render_mix, render_results, render_work, render_memory):
        lines += [*part(report), ""]
    return "\n".join(lines)


def render_summary(report: Report) -> list[str]:
    rounds, headline = report.rounds, f"Loket {report.loket_rate():.1f} messages/s"
    if report.peers:
        headline += (
            f"; {PEER_NAME} {report.peer_rate():.1f} messages/s; ratio Loket / {PEER_NAME} "
            f"{report.ratio():.2f}"
        )
    goals = "; ".join(
        f"{goal}: {'met' if met else 'missed'}" for goal, met in report.goals().items()
    )
    return [
        f"Messages per second ingested from {report.options.count:,} mixed .eml files in one "
        f"process on SQLite, side by side in the same run with {PEER_NAME} on the same files"
        + ("" if report.peers else " (not in this run: Loket only)")
        + ", and the peak memory of Loket's ingesting process.",
        "",
        f"**Median of {len(rounds)} runs: {headline}. Loket's peak RSS: "
        f"{report.peak_mb():.1f} MB.**"
        f" Range over the runs: Loket {spread([r.loket.rate for r in rounds])} messages/s"
        + (
            f", {PEER_NAME} {spread([p.rate for p in report.peers])} messages/s."
            if report.peers
            else "."
        ),
        "",
        f"Goals of issue 8: {goals}.",
    ]


def render_machine(report: Report, peer_versions: dict[str, str]) -> list[str]:
    return [
        "### Machine and date",
        "",
        f"- Date: {report.started:%Y-%m-%d %H:%M} UTC",
        *(f"- {name}: {value}" for name, value in report.machine.items()),
        *(f"- {name}: {value}" for name, value in peer_versions.items()),
    ]


def render_results(report: Report) -> list[str]:
    """Per run: both rates, their ratio and both peaks; the medians in bold."""
    headers = ["Run", f"{PEER_NAME} msg/s", "Loket msg/s", "Loket / peer", "Loket peak RSS MB"]
    headers.append(f"{PEER_NAME} peak RSS MB")
    rows = [
        [str(r.number), f"{r.peer.rate:.1f}" if r.peer else "-", f"{r.loket.rate:.1f}",
         f"{r.ratio:.2f}" if r.ratio is not None else "-", f"{r.loket.peak_mb:.1f}",
         f"{r.peer.peak_mb:.1f}" if r.peer else "-"]
        for r in report.rounds
    ]  # fmt: skip
    peers = bool(report.peers)
    loket_peak = median([r.loket.peak_mb for r in report.rounds])
    middle = [
        f"{report.peer_rate():.1f}" if peers else "", f"{report.loket_rate():.1f}",
        f"{report.ratio():.2f}" if peers else "", f"{loket_peak:.1f}",
        f"{median([p.peak_mb for p in report.peers]):.1f}" if peers else "",
    ]  # fmt: skip
    return ["### Results", "", *markdown_table(headers, [*rows, ["**Median**", *bold(middle)]])]


def render_work(report: Report) -> list[str]:
    """What each desk did with the messages, so a reader can check it was the same work."""
    headers = ["Run", "Loket outcomes", f"{PEER_NAME} new tickets", f"{PEER_NAME} follow-ups"]
    headers.append(f"{PEER_NAME} files left unread")
    rows = [
        [str(r.number), outcomes(r.loket), f"{r.peer.new_tickets:,}" if r.peer else "-",
         f"{r.peer.new_followups:,}" if r.peer else "-",
         f"{r.peer.messages - r.peer.processed:,}" if r.peer else "-"]
        for r in report.rounds
    ]  # fmt: skip
    manifest = report.manifest
    return [
        "What each desk made of the messages. Expected: Loket "
        + ", ".join(f"{n:,} {o}" for o, n in sorted(manifest.expected_loket().items()))
        + f"; {PEER_NAME} {manifest.expected_peer_new():,} new tickets and a follow-up per "
        "message (it opens a ticket with one, and has no notion of an automatic reply).",
        "",
        *markdown_table(headers, rows, "rlrrr"),
    ]


def render_memory(report: Report) -> list[str]:
    """Loket's resident memory through each run: flat means the size mix does not add up."""
    headers = ["Run", "Before the loop", *(f"{tenth}0%" for tenth in range(1, 11))]
    headers += ["Set-up peak", "Timed loop peak", "Process peak"]
    rows = [
        [str(r.number), *(f"{mb:.1f}" for mb in r.loket.rss_mb), f"{r.loket.setup_peak_mb:.1f}",
         megabytes(r.loket.loop_peak_mb), f"{r.loket.peak_mb:.1f}"]
        for r in report.rounds
    ]  # fmt: skip
    return [
        "Loket's resident memory in MB: `VmRSS` before the timed loop and after each tenth of "
        "the messages; the peak (`VmHWM`) of the set-up (Django, migrations, the policy, the "
        "openers), of the timed loop alone (the high-water mark reset before it through "
        "`/proc/self/clear_refs`) and of the whole process, which the goal is about.",
        "",
        *markdown_table(headers, rows),
    ]
