"""E-mail ingestion benchmark (issue 8): messages per second from mixed .eml files, side by side
with django-helpdesk 2.6.1, and the peak memory of Loket's ingesting process.

Generates 1,000 mixed .eml files once (seeded: plain, HTML, attachments from a 3.6 KB log to
3 MB photos, ISO-2022-JP Japanese, Indonesian, replies and out-of-office replies), then per run
alternates a django-helpdesk run (its `process_email()` timed in-process, as its own
bench_peer.py does) and a Loket run (a child process on SQLite in a fresh var dir, timing a
loop that reads each file and calls `loket.mail.ingest.ingest()`). The medians, the ratio and
Loket's peak RSS replace the e-mail ingestion section of docs/benchmarks.md.

    PEER_DIR=/tmp/peer .venv/bin/python -m bench.mail_ingest --peer-reset   # writes the docs
    .venv/bin/python -m bench.mail_ingest                   # Loket alone (no PEER_DIR)
    .venv/bin/python -m bench.mail_ingest --quick           # 60 messages, Loket alone, no docs

The peer is an installed django-helpdesk folder (venv/, site/, reset_db.sh, as
../shared/peers/django-helpdesk/install.sh makes it); the benchmark never installs it.

The goals (issue 8): at least 4 times the peer, measured in the same run; Loket's peak memory
flat and under 150 MB for 1,000 messages. Missing one fails a full run; --quick only reports.

The modules: `config` (constants and goals), `corpus` (the .eml files and their manifest),
`loket_side` (the parent's end of a Loket run) and `loket_child` (the child's, imported after
`django.setup()`), `peer_side` (the peer's snippet), `results` (what is measured and checked),
`runner` (the rounds), `report` and `method` (console and docs section).
"""
