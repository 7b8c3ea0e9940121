"""Intake benchmark (issue 2): public contact-form submissions per second against `loket serve`.

Starts `loket serve --workers 2` on SQLite in a fresh var directory and drives it with 8
concurrent clients. Every run measures, against the same server processes, the contact form
(POST, one new ticket each) and the trivial /health/ view as the ceiling. The medians of the
runs and their ratio replace the intake section of docs/benchmarks.md.

    .venv/bin/python -m bench.intake           # 5 runs of 10 s per endpoint, writes the docs
    .venv/bin/python -m bench.intake --quick   # 1 run of 2 s: a smoke test, writes nothing

Only 127.0.0.1 is contacted and every loop is bounded in time and in count.

The modules: `server` starts, watches and stops the server; `cpu` accounts for where the CPU
time goes; `clients` are the load generator; `timing` runs the phases and the whole benchmark;
`report` prints the console table and renders the docs section, with the prose in `reading`.
"""
