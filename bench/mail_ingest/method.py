"""How it was measured: the method part of the docs section, and the corpus's mix."""

from __future__ import annotations

from bench.common import markdown_table, median
from bench.mail_ingest.config import COMMAND, OPENERS, PEER_ISSUE_RATE, PEER_NAME, SEED
from bench.mail_ingest.corpus import KINDS
from bench.mail_ingest.results import Report


def render_method(report: Report) -> list[str]:
    options = report.options
    return [
        "### How it was measured",
        "",
        f"- Rerun: `PEER_DIR=<installed {PEER_NAME}> {COMMAND} --peer-reset` (options `--count`, "
        "`--runs`, `--peer DIR` instead of `PEER_DIR`, `--peer-reset` to run the peer's "
        "`reset_db.sh` once first, `--no-docs`; without a peer it measures Loket alone; "
        "`--quick` is a 60-message Loket-only smoke run that leaves this file alone). The peer "
        "is installed by `../shared/peers/django-helpdesk/install.sh`, never by the benchmark.",
        f"- Parameters: {options.count:,} messages, {options.runs} runs, each a {PEER_NAME} run "
        "then a Loket run on the same corpus; the corpus is generated once per invocation "
        f"(seed {SEED}) into a temporary folder and removed afterwards.",
    ]


def render_sides() -> list[str]:
    """How each desk's run is set up and timed."""
    return [
        "- Loket: a child process per run with `DJANGO_SETTINGS_MODULE=loket.settings`, a "
        "fresh `LOKET_VAR_DIR` (SQLite there, no `DATABASE_URL`), `LOKET_MAIL=file`, "
        "`LOKET_MAIL_ADDRESS=support@example.com`. Untimed: `django.setup()`, `migrate`, "
        f"`policy apply`, then the {OPENERS} openers through `ingest()` (one ticket per "
        "requester), and Loket's copy of the messages written with each reply tag replaced by "
        "the reference of its ticket. Timed (`time.perf_counter()`): one loop reading each "
        "file and calling `loket.mail.ingest.ingest(raw, mailbox=..., now=...)`, exactly as "
        "`loket mail ingest` does. Every outcome must be the expected one, or the benchmark "
        "fails. Acknowledgements are queued in the outbox (no worker runs), as in production.",
        f"- {PEER_NAME}: its own `manage.py shell -c` snippet in its own venv, as its "
        "`bench_peer.py email` times it: `process_email(quiet=True)` in-process on the files "
        "in the queue's local mail directory, in its SQLite database (seeded with 10,000 "
        "tickets by `reset_db.sh`). Untimed, in the same process: the openers are ingested "
        "first, and the messages put into the mail directory with each reply tag as "
        "`[support-<id>]` of the ticket the same requester opened. Its notifications go to "
        "Django's dummy e-mail backend (rendered, then dropped). Rate: files it consumed over "
        f"the time of the call. The issue reports about {PEER_ISSUE_RATE:.0f} messages/s for "
        "it on this kind of machine.",
        "- Peak memory: `VmHWM` from `/proc/self/status` at the end of each process; `VmRSS` "
        "is sampled ten times during Loket's loop.",
    ]


def render_mix(report: Report) -> list[str]:
    """The corpus: per kind, how many messages, their bytes and what each desk must do."""
    manifest = report.manifest
    rows = []
    for kind in KINDS:
        sizes = [s for s, k in zip(manifest.sizes, manifest.kinds, strict=True) if k == kind.name]
        rows.append([
            kind.name, f"{len(sizes):,}", f"{len(sizes) / len(manifest.sizes):.0%}",
            f"{sum(sizes) / 1e6:.2f}",
            f"{median(sizes) / 1e3:.1f}" if sizes else "-", kind.description,
            kind.loket, "new ticket" if kind.peer_new else "follow-up",
        ])  # fmt: skip
    headers = ["Kind", "Messages", "Share", "MB", "Median KB", "What", "Loket", PEER_NAME]
    sizes = manifest.sizes
    return [
        f"The corpus: {len(sizes):,} messages, {sum(sizes) / 1e6:.1f} MB, median "
        f"{median(sizes) / 1e3:.1f} KB, largest {max(sizes) / 1e6:.2f} MB, in a seeded random "
        "order; the same bytes for both desks except the tag in the subject of replies and "
        f"automatic replies. The {OPENERS} openers are plain English mails from "
        f"{OPENERS} requesters, whose tickets the replies continue. New mails come from 300 "
        "customers per language, so some get more than the five acknowledgements an hour "
        "Loket sends one sender (the ticket is still opened). Image sizes are of the image; "
        "base64 makes the mail a third larger. Replies carry no In-Reply-To, so both desks "
        "thread them by the tag in the subject.",
        "",
        *markdown_table(headers, rows, "lrrrrlll"),
    ]
