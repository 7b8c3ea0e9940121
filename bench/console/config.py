"""The benchmark's constants: databases, sizes, the shape of the data and the goals of issue 12."""

from pathlib import Path

from bench.common import REPO

SECTION = "## Console at a million tickets (issue 12)"
COMMAND = ".venv/bin/python -m bench.console"

DATABASES = ("sqlite", "postgres")
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
DEFAULT_TICKETS = {"sqlite": 100_000, "postgres": 1_000_000}
QUICK_TICKETS = 2_000
MAX_TICKETS = 5_000_000  # a bound on what a typo can make this benchmark write
# Only this server is ever contacted; the benchmark database is created (and kept, as the cache
# of the fill) on it: `--drop` removes it.
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_ADMIN_DATABASE = "postgres"
PG_DATABASE = "loket_console_bench"
# SQLite fills are kept here, one folder per size and schema.
CACHE = REPO / "var" / "bench" / "console"
MARKER_TABLE = "bench_console_fill"
CHILD_TIMEOUT = 3 * 3600.0
# A kept fill is reused while the size and the generator are the same and every migration it
# was made with is unchanged; migrations added since are applied to it (as a deployment would).
MIGRATIONS = REPO / "src" / "loket"
GENERATOR: tuple[Path, ...] = (
    REPO / "bench" / "console" / "data.py",
    REPO / "bench" / "console" / "texts.py",
)

# The data: every hundred tickets, one has 50 messages and the other 99 share 450, so there are
# exactly five messages per ticket (5,000,000 for a million).
BLOCK = 100
LONG_THREAD = 50
MESSAGES_PER_BLOCK = 500
AGENTS = 20
BENCH_AGENT = "bench-agent-01"
LOAD_CHUNK = 20_000  # tickets per generated chunk

# How it is measured.
REQUESTS = 50  # timed requests per case and run
WARMUP = 3
RUNS = 3
DEEP_PAGE = 200
QUEUE_VIEWS = ("all", "mine", "breached", "category:refund")
PAGED_VIEWS = (
    "all", "mine", "unassigned", "breached", "waiting", "category:refund",
    "category:support", "language:ja", "language:id", "channel:whatsapp", "level:1",
)  # fmt: skip
SEARCHES = ("返金", "pengembalian")

# The goals of issue 12.
QUEUE_GOAL_MS = 30.0
DEEP_PAGE_GOAL_MS = 30.0
TICKET_GOAL_MS = 20.0
SEARCH_GOAL_MS = 100.0
RSS_GOAL_MB = 150.0

PEER_NAME = "django-helpdesk 2.6.1"
PEER_REQUESTS = 20
