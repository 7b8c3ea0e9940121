"""The database a benchmark's server writes to, read from the outside: the server's SQLite file
(read-only) or a PostgreSQL database of the benchmark's own, created and dropped by it.

Also the checks that only the database and the mail files can make: every ticket got exactly
one acknowledgement, and the mail transport received each one exactly once.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.common import BenchError

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# A benchmark drops and creates its database: only names of this shape, never `loket` or
# anybody's data.
OWN_NAME = re.compile(r"loket_bench_[a-z0-9_]+")
CONNECT_TIMEOUT = 10

ACKNOWLEDGEMENT = "acknowledgement"
SENT_ACKNOWLEDGEMENTS = (
    "SELECT COUNT(*) FROM notify_outboxmessage WHERE kind = 'acknowledgement' AND status = 'sent'"
)
# Claimed by nobody yet or claimed and not yet recorded: what the worker still has to do.
UNSENT_ACKNOWLEDGEMENTS = (
    "SELECT COUNT(*) FROM notify_outboxmessage "
    "WHERE kind = 'acknowledgement' AND status IN ('pending', 'sending')"
)
TICKETS = "SELECT COUNT(*) FROM tickets_ticket"
# Per ticket: its acknowledgement rows and how many of them are sent; then how many tickets
# have which. A ticket with no row at all (withheld, lost) counts as having none.
ACKNOWLEDGEMENTS_PER_TICKET = """
SELECT
    COUNT(*),
    COALESCE(SUM(CASE WHEN rows_ = 1 AND sent = 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN rows_ = 0 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN rows_ > 1 THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN rows_ = 1 AND sent = 0 THEN 1 ELSE 0 END), 0)
FROM (
    SELECT t.id,
           COUNT(o.id) AS rows_,
           COALESCE(SUM(CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END), 0) AS sent
    FROM tickets_ticket t
    LEFT JOIN notify_outboxmessage o ON o.ticket_id = t.id AND o.kind = 'acknowledgement'
    GROUP BY t.id
) AS per_ticket
"""
SENT_ACKNOWLEDGEMENT_IDS = (
    "SELECT id FROM notify_outboxmessage WHERE kind = 'acknowledgement' AND status = 'sent'"
)
MESSAGE_ID = re.compile(rb"^Message-ID: <([0-9a-f-]{32,36})@", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Acknowledged:
    """How the tickets in the database stand with their acknowledgements."""

    tickets: int
    exactly_one_sent: int
    none: int
    several: int
    one_unsent: int

    @property
    def all_exactly_once(self) -> bool:
        return self.tickets > 0 and self.exactly_one_sent == self.tickets

    def describe(self) -> str:
        return (
            f"{self.exactly_one_sent:,} of {self.tickets:,} tickets have exactly one sent "
            f"acknowledgement ({self.one_unsent:,} one not yet sent, {self.none:,} none, "
            f"{self.several:,} more than one)"
        )


@dataclass(frozen=True)
class Database:
    """SQLite at `sqlite_path`, or the PostgreSQL database at `url`."""

    url: str = ""
    sqlite_path: Path | None = None

    @classmethod
    def sqlite(cls, var_dir: Path) -> Database:
        return cls(sqlite_path=var_dir / "loket.sqlite3")

    @classmethod
    def postgres(cls, url: str) -> Database:
        name = urlsplit(url).path.lstrip("/")
        if not OWN_NAME.fullmatch(name):
            raise BenchError(
                f"refusing database {name!r}: the benchmark drops and creates it, so its name "
                "must be loket_bench_<something> (lower case, digits, _)"
            )
        return cls(url=url)

    @property
    def name(self) -> str:
        return "PostgreSQL" if self.url else "SQLite"

    @property
    def environment(self) -> dict[str, str]:
        """What the server's environment needs (SQLite is the var directory's default)."""
        return {"DATABASE_URL": self.url} if self.url else {}

    def scalar(self, sql: str) -> int:
        return self.numbers(sql)[0]

    def numbers(self, sql: str) -> list[int]:
        """The first row of a query's answer, every column an integer (NULL as 0)."""
        return [int(str(value or 0)) for value in self.rows(sql)[0]]

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        if self.sqlite_path is not None:
            # Read-only: in WAL mode a reader never takes the write lock the server queues on.
            uri = f"file:{self.sqlite_path}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True, timeout=10)) as db:
                return list(db.execute(sql).fetchall())
        with psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as db:
            return list(db.execute(sql.encode()).fetchall())

    def acknowledged(self) -> Acknowledged:
        return Acknowledged(*self.numbers(ACKNOWLEDGEMENTS_PER_TICKET))

    def sent_acknowledgement_ids(self) -> set[str]:
        return {str(row[0]).replace("-", "") for row in self.rows(SENT_ACKNOWLEDGEMENT_IDS)}


# --- PostgreSQL: a database of the benchmark's own ---------------------------------------------


def admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if not OWN_NAME.fullmatch(name):  # checked again: this one destroys data
        raise BenchError(f"refusing to drop database {name!r}")
    with psycopg.connect(admin_url(url), autocommit=True, connect_timeout=CONNECT_TIMEOUT) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)".encode())


@contextmanager
def own_postgres_database(url: str) -> Iterator[Database]:
    """A fresh, empty database at `url` for the duration, dropped afterwards."""
    database = Database.postgres(url)
    name = urlsplit(url).path.lstrip("/")
    try:
        drop_database(url)  # left over from a run that was killed
        with psycopg.connect(
            admin_url(url), autocommit=True, connect_timeout=CONNECT_TIMEOUT
        ) as db:
            db.execute(f"CREATE DATABASE {name}".encode())
    except psycopg.Error as error:
        raise BenchError(f"PostgreSQL at {admin_url(url)}: {error}") from error
    try:
        yield database
    finally:
        drop_database(url)


# --- The mail files: what the transport received -----------------------------------------------


def mail_deliveries(mail_dir: Path) -> Counter[str]:
    """How many times each outbox row's mail reached the file transport, by row id (hex).

    Django's file backend appends every message of a connection to one file; the Message-ID
    Loket sets is `<outbox row id@domain>`.
    """
    found: Counter[str] = Counter()
    for path in mail_dir.glob("*.log") if mail_dir.is_dir() else ():
        found.update(
            match.decode().replace("-", "") for match in MESSAGE_ID.findall(path.read_bytes())
        )
    return found


def transport_problems(database: Database, mail_dir: Path) -> list[str]:
    """Each acknowledgement the database calls sent was received by the transport exactly once."""
    sent = database.sent_acknowledgement_ids()
    received = mail_deliveries(mail_dir)
    twice = sorted(row for row in sent if received[row] > 1)
    never = sorted(row for row in sent if received[row] == 0)
    problems = []
    if twice:
        problems.append(f"{len(twice)} acknowledgement(s) reached the transport more than once")
    if never:
        problems.append(f"{len(never)} acknowledgement(s) marked sent never reached the transport")
    return problems
