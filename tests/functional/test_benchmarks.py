"""The benchmarks in bench/ as `make bench` runs them, in their small `--quick` mode: each must
finish, print its headline figure and leave docs/benchmarks.md as it was."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).parents[2]
DOCS = REPO / "docs" / "benchmarks.md"


def docs_text() -> bytes | None:
    return DOCS.read_bytes() if DOCS.exists() else None


def run_quick(benchmark: str, *options: str, timeout: float) -> str:
    """Run `python -m bench.<benchmark> --quick` from the repository root; its whole output."""
    before = docs_text()
    completed = subprocess.run(
        [sys.executable, "-m", f"bench.{benchmark}", "--quick", *options],
        cwd=REPO,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"bench.{benchmark} --quick failed:\n{output[-4000:]}"
    assert docs_text() == before, f"bench.{benchmark} --quick changed {DOCS.name}"
    return output


def suite_database() -> str:
    """The bench's name for the database this run of the suite is on (no DATABASE_URL: SQLite)."""
    scheme = urlsplit(os.environ.get("DATABASE_URL", "")).scheme
    return "postgres" if scheme.startswith(("postgres", "pgsql")) else "sqlite"


def test_the_intake_benchmark_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    output = run_quick("intake", timeout=300)
    assert re.search(r"median: intake \d+\.\d submissions/s, ceiling \d+\.\d requests/s", output)


def test_the_whatsapp_webhook_benchmark_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    # Its own fake Graph API and `loket serve` on SQLite in a var dir of its own.
    output = run_quick("whatsapp_webhook", timeout=300)
    assert re.search(
        r"^median: webhook \d+\.\d POSTs/s, contact form \d+\.\d submissions/s, "
        r"ratio \d+\.\dx$",
        output,
        re.MULTILINE,
    )
    acks = re.search(
        r"^ack handed to Graph API: p50 \d+\.\d\d s, p95 \d+\.\d\d s \((\d+)/(\d+) arrived\)$",
        output,
        re.MULTILINE,
    )
    assert acks is not None
    assert acks[1] == acks[2] != "0"
    assert re.search(
        r"^diagnosis, background worker stopped: webhook \d+\.\d POSTs/s, contact form "
        r"\d+\.\d submissions/s, ratio \d+\.\dx$",
        output,
        re.MULTILINE,
    )


def test_the_sla_sweep_benchmark_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    # On the suite's own database: the SQLite run of the suite measures SQLite, the PostgreSQL
    # run PostgreSQL (in a database of the bench's own on 127.0.0.1:5432).
    database = suite_database()
    output = run_quick("sla_sweep", "--database", database, timeout=300)
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[database]
    assert f"== {name}: " in output
    assert re.search(r"sweep \d+\.\d{3} s = [\d,]+ breaches/s", output)
    assert re.search(rf"^{name} +[\d,]+ .* [\d,]+ +\d+\.\d  selection ", output, re.MULTILINE)


def test_the_calendar_benchmark_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    output = run_quick("calendar_add", timeout=120)
    assert re.search(r"1 hour: median [\d,]+ calls/s", output)


def test_the_mail_ingest_benchmark_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    # Loket alone (--quick ignores PEER_DIR), on SQLite in a var dir of its own.
    output = run_quick("mail_ingest", timeout=300)
    assert re.search(r"round 1: Loket 60 messages in \d+\.\d\d s = \d+\.\d messages/s", output)
    assert re.search(r"median: Loket \d+\.\d messages/s, peak RSS \d+\.\d MB", output)


def test_the_startup_benchmark_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    # Fresh `loket` processes on a desk of its own (SQLite); goals reported, not enforced.
    output = run_quick("startup", timeout=300)
    assert re.search(r"^round 2: python -c pass \d+\.\d{3} s, loket --help ", output, re.M)
    for case, goal in (("loket --help", "0.2"), ("loket sla preview", "0.5")):
        assert re.search(
            rf"^ +{case}: median \d+\.\d{{3}} s \(runs .*\), CPU \d+\.\d{{3}} s, "
            rf"goal {goal} s: (met|not met)$",
            output,
            re.MULTILINE,
        )
    assert re.search(r"^ +django.setup\(\) alone: median \d+\.\d{3} s", output, re.M)


def test_the_redaction_score_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    output = run_quick("redaction", timeout=120)
    assert re.search(r"development: recall \d+\.\d% of \d+ secrets", output)


def test_the_triage_score_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    output = run_quick("triage", timeout=120)
    assert re.search(r"held-out: category \d+\.\d%, route \d+\.\d%", output)


def test_the_console_benchmark_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    # 2,000 generated tickets on SQLite (kept under var/bench/console/ between runs), a few
    # requests per page; the goals are reported, not enforced, at this size.
    output = run_quick("console", timeout=300)
    assert "== SQLite: 2,000 tickets" in output
    for case in ("queue first page: all", "queue first page: mine", "ticket page, 50 messages"):
        assert re.search(rf"^  {case} +p50 +\d+\.\d\d ms +p95 +\d+\.\d\d ms", output, re.M)
    assert re.search(r"^  search 返金 +p50 .* 50 rows$", output, re.MULTILINE)
    assert re.search(r"^  search pengembalian +p50 .* 50 rows$", output, re.MULTILINE)
    assert "goal queries per queue page constant: met" in output
    assert "goal queries per ticket page constant: met" in output


def test_the_write_path_benchmark_runs_in_quick_mode_and_a_submission_writes_once() -> None:
    output = run_quick("write_path", timeout=300)
    headline = re.search(
        r"^median: (\d+\.\d\d) write transactions per submission, (\d+\.\d) statements inside, "
        r"\d+\.\d\d ms CPU inside, \d+\.\d\d ms CPU per POST$",
        output,
        re.MULTILINE,
    )
    assert headline is not None, output[-2000:]
    # The ticket, its message, clocks, events, portal links and acknowledgement in one
    # transaction: none for a queue row (the outbox row is the worker's queue), none for the
    # thank-you page's link, none for a session.
    assert headline[1] == "1.00"


def own_database_options(name: str) -> tuple[str, ...]:
    """On the PostgreSQL run of the suite, a database of the bench's own on the suite's server
    (created and dropped by the bench; the pid keeps parallel runs apart)."""
    if suite_database() != "postgres":
        return ()
    server = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}_{os.getpid()}")
    return ("--database-url", server.geturl())


def test_the_soak_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    # On the suite's database: SQLite in the server's var dir, or PostgreSQL.
    output = run_quick("soak", *own_database_options("loket_bench_soak"), timeout=300)
    assert re.search(r"^intake: \d+\.\d submissions/s with 8 clients closed-loop", output, re.M)
    assert re.search(r"^soak: \d+\.\d submissions/s for 0\.2 min$", output, re.MULTILINE)
    assert len(re.findall(r"^ +\d+ +\d+ +\d+\.\d +\d+\.\d +\d+ ", output, re.MULTILINE)) >= 3
    drained = re.search(
        r"^after the drain \(drained in \d+\.\d s\): (\d+) of (\d+) tickets have exactly one "
        r"sent acknowledgement \(0 one not yet sent, 0 none, 0 more than one\)$",
        output,
        re.MULTILINE,
    )
    assert drained is not None, output[-3000:]
    assert drained[1] == drained[2] != "0"
    assert re.search(r"^goal backlog not growing: (met|missed) \(median \d+ ", output, re.M)
    assert re.search(
        r"^goal RSS of each web process and the worker under 150 MB: (met|missed) \(web master "
        r"\d+\.\d MB, web worker \d+\.\d MB, worker \d+\.\d MB\)$",
        output,
        re.MULTILINE,
    )


def test_the_scaleout_benchmark_runs_in_quick_mode_and_leaves_the_docs_alone() -> None:
    # PostgreSQL on the PostgreSQL run of the suite (what the benchmark is for), SQLite on the
    # SQLite run; two configurations, one of them with two background workers.
    options = own_database_options("loket_bench_scaleout") or ("--sqlite",)
    output = run_quick("scaleout", *options, timeout=600)
    postgres = r"\d+\.\d\d" if suite_database() == "postgres" else "nan"
    for web, workers in ((1, 1), (2, 2)):
        assert re.search(
            rf"^round 1: {web} web, {workers} worker\(s\): intake +\d+\.\d/s \(0 errors\), "
            rf"acks +\d+\.\d/s, \d+ unsent after, .* postgres {postgres} machine",
            output,
            re.MULTILINE,
        ), output[-3000:]
        assert re.search(rf"^limit, {web} web, {workers} workers?: ", output, re.MULTILINE)
    end = re.search(r"^at the end: (\d+) of (\d+) tickets have exactly one sent", output, re.M)
    assert end is not None
    assert end[1] == end[2] != "0"
