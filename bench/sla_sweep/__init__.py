"""SLA sweep benchmark (issue 4): finding the due clocks, and recording 10,000 breaches.

Fills a fresh database with N open tickets, each with a running first-response clock, of which
exactly `--breaches` are due for a breach at the sweep instant (their warning is recorded
already) and all the others are due in the future. Then, per run: the due-clock selection query
exactly as `loket.sla.sweep.due_clocks()` issues it (timed as SQL alone and as the whole call),
and `sweep(now)` recording the breaches, timed from call to return. The plan of the selection
must use the `clock_due` partial index; after every sweep the database must hold exactly one
breach point and one event per due clock. The medians replace the SLA sweep section of
docs/benchmarks.md.

    .venv/bin/python -m bench.sla_sweep            # SQLite 100,000 and PostgreSQL 1,000,000
    .venv/bin/python -m bench.sla_sweep --quick    # small numbers, 1 run, writes nothing
    .venv/bin/python -m bench.sla_sweep --database sqlite --profile

Each database is measured in a child process of its own (Django reads its database once, at
start): SQLite in a file under a fresh LOKET_VAR_DIR, PostgreSQL in a database `loket_bench` on
127.0.0.1:5432 that is dropped and created first and dropped again at the end. Only local
databases are touched and every loop is bounded.

The bar (issue 4): selecting the due clocks takes at most 10 ms and uses an index; 10,000
breaches are processed in at most 2 s; at least 20 times the 231 tickets/s of django-helpdesk
2.6.1's escalation pass. Missing it fails a full run; a --quick run only reports it.

The modules: `config` (constants and goals), `results` (what a child measures, as JSON),
`parent` (one child process per database), and in the child, after `django.setup()`, `child`
(its whole work), `fill` and `rows` (the data), `timing`, `checks` and `profiling`; `report`
and `reading` render the console summary and the docs section.
"""
