"""Scale-out (issue 13, item 5): the intake benchmark on PostgreSQL with 1, 2 and 4 web
processes and 1 and 2 background workers, and what limits each step.

Prepares one database as `loket serve` would (by default a PostgreSQL database of its own,
created and dropped on 127.0.0.1:5432), then for every configuration starts `loket web
--workers W` and W' `loket worker` processes in one process group, warms them up, and lets 8
clients submit the contact form as fast as they are answered (bench/intake's clients, every
submission from a new address so that every ticket is acknowledged). Per configuration: the
submissions/s, the acknowledgements sent meanwhile, the backlog left, the CPU of each process
group and of PostgreSQL's backends, and what those backends were waiting on. The
configurations run in rounds, each round in a rotated order; the medians replace the
scale-out section of docs/benchmarks.md.

    .venv/bin/python -m bench.scaleout           # 3 rounds of 15 s per configuration
    .venv/bin/python -m bench.scaleout --quick   # 2 configurations of 2 s, writes nothing

Only 127.0.0.1 is contacted and every loop is bounded in time and in count.

The modules: `cluster` prepares the database and starts and stops the processes, `activity`
watches PostgreSQL, `measure` runs the configurations, `report` prints and writes the
results.
"""
