"""The console lines, the failure report and the WhatsApp webhook section of docs/benchmarks.md."""

from __future__ import annotations

import math
import sys

from bench.whatsapp_webhook.timing import Result, medians

SECTION = "## WhatsApp webhook: POSTs accepted and acknowledgements (issue 11)"


def seconds(value: float) -> str:
    return "never" if value == math.inf else f"{value:.2f} s"


def print_table(result: Result) -> None:
    middle = medians(result.rounds)
    arrived = sum(r.acks.arrived for r in result.rounds)
    expected = sum(r.acks.expected for r in result.rounds)
    print(
        f"\nmedian: webhook {middle['webhook']:.1f} POSTs/s, contact form "
        f"{middle['contact']:.1f} submissions/s, ratio {middle['ratio']:.1f}x"
    )
    print(
        f"ack handed to Graph API: p50 {seconds(middle['p50'])}, p95 {seconds(middle['p95'])} "
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


def render_section(result: Result) -> str:
    return SECTION + "\n"
