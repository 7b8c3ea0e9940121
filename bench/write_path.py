"""The write path of one contact-form submission (issue 13): what it does inside SQLite's write
transaction, and what that costs.

SQLite admits one writer; a submission holds the write lock from `BEGIN IMMEDIATE` to `COMMIT`,
so the CPU spent in between, not the whole request, bounds how many submissions per second the
database can take however many web processes there are. This benchmark posts the contact form
in-process (Django's test client, no network), on a fresh SQLite database with the Catalo.id
policy, and measures per submission: the statements inside and outside write transactions, the
number of write transactions, the thread CPU time inside them, the CPU of the whole POST, and a
profile of where the time inside goes. With `--baseline CHECKOUT` the same measurement runs, in
the same sitting and alternating, on another checkout (e.g. a worktree of the commit before
issue 13) with its own virtualenv, and the section reports both.

    .venv/bin/python -m bench.write_path [--baseline ../loket-before]   # 5 runs, writes docs
    .venv/bin/python -m bench.write_path --quick                          # 1 short run, no docs

The child (`--child`) imports nothing from `bench`, so it runs unchanged on an older checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SECTION = "## Write path: one contact-form submission (issue 13)"
COMMAND = ".venv/bin/python -m bench.write_path"
# The steps of a submission whose cumulative time the profile reports, where they exist.
STEPS = (
    "loket.inbound.pipeline.inspect",
    "loket.inbound.pipeline.read_ahead",
    "loket.inbound.pipeline.decide",
    "loket.tickets.operations.open_ticket",
    "loket.tickets.operations.new_ticket",
    "loket.tickets.operations.new_ticket_and_clocks",
    "loket.tickets.operations.assign_reference",
    "loket.tickets.timeline.add_message",
    "loket.tickets.timeline.record_event",
    "loket.tickets.operations.acknowledge_opening",
    "loket.notify.content.acknowledgement",
    "loket.notify.outbox.queue_email",
    "loket.inbound.pipeline.record_triage",
)


# --- the child: one measurement in a fresh process --------------------------------------------


def child(submissions: int) -> dict[str, Any]:  # pragma: no cover - runs in a subprocess
    root = tempfile.mkdtemp(prefix="loket-write-path-")
    os.environ.update(
        LOKET_VAR_DIR=root, LOKET_MAIL="file", DJANGO_SETTINGS_MODULE="loket.settings"
    )
    os.environ.pop("DATABASE_URL", None)
    import importlib
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.sqlite3 import base as sqlite_base
    from django.test import Client

    for command in (("migrate",), ("collectstatic", "--noinput"), ("policy", "apply")):
        call_command(*command, verbosity=0)
    client = Client(HTTP_ACCEPT_LANGUAGE="id", HTTP_HOST="127.0.0.1")
    client.get("/support/contact/")

    def submit(number: int) -> None:
        response = client.post(
            "/support/contact/",
            {
                "name": "Budi Santoso",
                "email": f"budi{number}@example.co.id",
                "subject": f"Tagihan ganda {number}",
                "description": "Saya ditagih dua kali bulan ini untuk paket Pro. " * 6,
                "category": "support",
                "time_zone": "Asia/Jakarta",
            },
        )
        assert response.status_code == 302, response.status_code

    for number in range(30):
        submit(number)

    state: dict[str, Any] = {"inside": False, "started": 0.0, "held": 0.0, "writes": 0}
    counts = {"inside": 0, "outside": 0}
    sqlite: Any = sqlite_base.DatabaseWrapper  # private hooks: where BEGIN and COMMIT happen
    begin = sqlite._start_transaction_under_autocommit
    commit = sqlite._commit

    def begun(self: Any) -> None:
        state["inside"], state["started"] = True, time.thread_time()
        begin(self)

    def committed(self: Any) -> None:
        commit(self)
        if state["inside"]:
            state["held"] += time.thread_time() - state["started"]
            state["writes"] += 1
        state["inside"] = False

    def count(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        counts["inside" if state["inside"] else "outside"] += 1
        if not state["inside"] and sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            state["writes"] += 1  # autocommit: a write transaction of its own
        return execute(sql, *args)

    sqlite._start_transaction_under_autocommit = begun
    sqlite._commit = committed
    started = time.thread_time()
    with connection.execute_wrapper(count):
        for number in range(1000, 1000 + submissions):
            submit(number)
    cpu = time.thread_time() - started
    held, writes = state["held"], state["writes"]
    sqlite._start_transaction_under_autocommit = begin
    sqlite._commit = commit

    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for number in range(5000, 5000 + submissions // 2):
        submit(number)
    profile.disable()
    stats: Any = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    steps: dict[str, float] = {}
    for step in STEPS:
        module_name, _, function = step.rpartition(".")
        try:
            code = getattr(importlib.import_module(module_name), function).__code__
        except (ImportError, AttributeError):
            continue
        for (filename, line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.items():
            if filename == code.co_filename and line == code.co_firstlineno and name == function:
                steps[step] = cumulative / (submissions // 2) * 1000
    return {
        "post_cpu_ms": cpu / submissions * 1000,
        "held_cpu_ms": held / submissions * 1000,
        "write_transactions": writes / submissions,
        "statements_inside": counts["inside"] / submissions,
        "statements_outside": counts["outside"] / submissions,
        "profile_ms": steps,
    }


# --- the parent: alternate runs, medians, the docs section ------------------------------------


def measure(python: str, source: Path, submissions: int) -> dict[str, Any]:
    environment = {**os.environ, "PYTHONPATH": str(source)}
    environment.pop("DATABASE_URL", None)
    done = subprocess.run(
        [python, str(Path(__file__).resolve()), "--child", str(submissions)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"measurement failed in {source}:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def summary(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    # Not at the top: the child runs as a plain script on any checkout (no `bench`).
    from bench.common import median

    keys = ("post_cpu_ms", "held_cpu_ms", "write_transactions", "statements_inside",
            "statements_outside")  # fmt: skip
    medians: dict[str, Any] = {key: median([run[key] for run in runs]) for key in keys}
    steps = sorted({step for run in runs for step in run["profile_ms"]}, key=STEPS.index)
    medians["profile_ms"] = {
        step: median([run["profile_ms"][step] for run in runs if step in run["profile_ms"]])
        for step in steps
    }
    return medians


def section(current: dict[str, Any], baseline: dict[str, Any] | None, runs: int, n: int) -> str:
    # Not at the top: the child runs as a plain script on any checkout (no `bench`).
    from bench.common import machine_info, markdown_table

    rows = [
        ("write transactions per submission", "write_transactions", ".2f"),
        ("statements inside them", "statements_inside", ".1f"),
        ("statements outside them", "statements_outside", ".1f"),
        ("thread CPU inside them (the write lock held), ms", "held_cpu_ms", ".2f"),
        ("thread CPU of the whole POST, ms", "post_cpu_ms", ".2f"),
    ]
    header = ["", "now"] + (["before issue 13", "ratio now / before"] if baseline else [])
    table = []
    for label, key, spec in rows:
        cells = [label, format(current[key], spec)]
        if baseline:
            cells += [format(baseline[key], spec), f"{current[key] / baseline[key]:.2f}"]
        table.append(cells)
    profile = []
    for step in sorted(
        {*current["profile_ms"], *(baseline or {}).get("profile_ms", {})}, key=STEPS.index
    ):
        now = current["profile_ms"].get(step)
        cells = [f"`{step.removeprefix('loket.')}`", f"{now:.2f}" if now is not None else "-"]
        if baseline:
            before = baseline["profile_ms"].get(step)
            cells.append(f"{before:.2f}" if before is not None else "-")
        profile.append(cells)
    machine = machine_info("django")
    lines = [
        SECTION,
        "",
        "<!-- Written by bench/write_path.py; rerunning it replaces this section. -->",
        "",
        f"Median of {runs} runs of {n} submissions each, in-process (Django's test client, no "
        "network, one thread), fresh SQLite database with the Catalo.id policy, category "
        "`support` (acknowledged, no evidence asked for)"
        + (", alternating with the baseline checkout in the same sitting." if baseline else "."),
        "",
        *markdown_table(header, table),
        "",
        "Where the time goes: cumulative milliseconds per submission under cProfile (which "
        "inflates every figure several times; compare rows, not absolute values). A dash: the "
        "step does not exist in that version.",
        "",
        *markdown_table(["step", "now"] + (["before"] if baseline else []), profile),
        "",
        "### Machine and date",
        "",
        *[f"- {key}: {value}" for key, value in machine.items()],
        "",
        "### How it was measured",
        "",
        f"- Rerun: `{COMMAND} [--baseline CHECKOUT]` (`--runs`, `--submissions`; `--quick` is "
        "a smoke run that leaves this file alone). The baseline is another checkout with its "
        "own `.venv` (e.g. `git worktree add ../before 81ff3c0 && make -C ../before install`).",
        "- Statements are counted with a Django execute wrapper; a write transaction is one "
        "`BEGIN IMMEDIATE` .. `COMMIT`, and the CPU inside it is `time.thread_time()` between the "
        "two, so it does not count time spent waiting for the CPU on a busy machine.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--baseline", type=Path, help="another checkout, with its own .venv")
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args(argv)
    if options.child:
        print(json.dumps(child(options.child)))
        return 0
    repo = Path(__file__).resolve().parent.parent
    runs, submissions = (1, 40) if options.quick else (options.runs, options.submissions)
    current: list[dict[str, Any]] = []
    before: list[dict[str, Any]] = []
    for run in range(runs):
        current.append(measure(sys.executable, repo / "src", submissions))
        if options.baseline:
            base = options.baseline.resolve()
            before.append(measure(str(base / ".venv/bin/python"), base / "src", submissions))
        print(f"run {run + 1}/{runs}: {json.dumps(current[-1])}", file=sys.stderr)
    now = summary(current)
    print(json.dumps({"now": now, "before": summary(before) if before else None}, indent=2))
    print(
        f"median: {now['write_transactions']:.2f} write transactions per submission, "
        f"{now['statements_inside']:.1f} statements inside, "
        f"{now['held_cpu_ms']:.2f} ms CPU inside, {now['post_cpu_ms']:.2f} ms CPU per POST"
    )
    if not options.quick:
        # Not at the top: the child runs as a plain script on any checkout (no `bench`).
        from bench.common import write_docs

        write_docs(SECTION, section(now, summary(before) if before else None, runs, submissions))
    return 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        sys.path.insert(0, os.environ.get("PYTHONPATH", ""))
    sys.exit(main())
