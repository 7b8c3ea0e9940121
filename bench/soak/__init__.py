"""Soak (issue 13): a steady open-loop load at 80 % of the measured intake rate for 10 minutes
against `loket serve`, watching whether the acknowledgements keep up and the memory stays put.

Starts the server as bench/intake does (SQLite in a fresh var directory, or PostgreSQL in a
database of its own with `--database-url`), measures the intake rate closed-loop (or takes
`--rate`), then offers a share of it at scheduled instants from several client threads. Every
few seconds it samples the submissions accepted, the acknowledgements sent and unsent, and the
RSS and CPU of every server process; at the end it checks that every ticket got exactly one
acknowledgement and replaces the soak section of docs/benchmarks.md.

    .venv/bin/python -m bench.soak           # 10 minutes, writes the docs
    .venv/bin/python -m bench.soak --quick   # about 20 s: a smoke test, writes nothing

Only 127.0.0.1 is contacted and every loop is bounded in time and in count.

The modules: `load` is the open-loop load generator, `watch` the sampler, `run` the soak from
start to end, `goals` the verdicts, `report` the console and the docs section.
"""
