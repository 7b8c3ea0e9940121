"""The benchmark's constants: databases, sizes, the goals of issue 4 and the data's instants."""

import re
from datetime import UTC, datetime

SECTION = "## SLA sweep (issue 4)"
COMMAND = ".venv/bin/python -m bench.sla_sweep"

DATABASES = ("sqlite", "postgres")
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
PLAN_KIND = {"sqlite": "EXPLAIN QUERY PLAN", "postgres": "EXPLAIN (ANALYZE, BUFFERS, WAL)"}
DEFAULT_TICKETS = {"sqlite": 100_000, "postgres": 1_000_000}
QUICK_TICKETS = {"sqlite": 5_000, "postgres": 20_000}
MAX_TICKETS = 10_000_000  # a bound on what a typo can make this benchmark write
# Only this server is ever contacted; the benchmark database is created and dropped on it.
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_ADMIN_DATABASE = "postgres"
PG_DATABASE = "loket_bench"
CHILD_TIMEOUT = 3 * 3600.0

# The goals of issue 4.
SELECTION_GOAL_MS = 10.0
BREACHES_PER_GOAL = 10_000
PROCESSING_GOAL_SECONDS = 2.0
BASELINE_RATE = 231.0  # tickets/s, django-helpdesk 2.6.1's escalation pass (from the issue)
BASELINE_FACTOR = 20.0

# The sweep instant: a Monday, 12:00 in Jakarta. Every instant in the data is whole seconds.
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
CATEGORY = "support"  # first response in 1 business day: warning 24,300 s, breach 32,400 s
SUPERVISORS = (
    ("bench-supervisor-1", "sup1@example.com"),
    ("bench-supervisor-2", "sup2@example.com"),
)
LOAD_CHUNK = 50_000
FUTURE_SPREAD = 14 * 86_400  # future warnings spread over two weeks after the sweep instant
PAST_SPREAD = 3_600  # due breaches spread over the hour before it
CREATED_SPREAD = 3 * 86_400

# Parts of the sweep, found in the profile by (file path ending, function name).
SWEEP = ("loket/sla/sweep.py", "sweep")
PROFILED_PARTS = {
    "due_clocks()": ("loket/sla/sweep.py", "due_clocks"),
    "due_points()": ("loket/sla/sweep.py", "due_points"),
    "record()": ("loket/sla/sweep.py", "record"),
    "record(): advance()": ("loket/sla/sweep.py", "advance"),
    "record(): Clock bulk_update()": ("django/db/models/query.py", "bulk_update"),
    "record(): bulk_create() of points and events": ("django/db/models/query.py", "bulk_create"),
    "record(): notify_supervisors()": ("loket/sla/sweep.py", "notify_supervisors"),
}
BULK_UPDATE = "record(): Clock bulk_update()"

# In PostgreSQL's EXPLAIN ANALYZE output.
EXECUTION_TIME = re.compile(r"Execution Time: ([0-9.]+) ms")
ACTUAL_ROWS = re.compile(r"actual rows=(\d+)")
FULL_PAGE_IMAGES = re.compile(r"fpi=(\d+)")
