"""The worker as a real process: killed mid-delivery, restarted, the mail goes out once."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from loket.notify.models import OutboxMessage, OutboxStatus
from loket.tickets.models import EventKind
from tests.builders import build_ticket
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)


def shared_database_url() -> str:
    """The test database as a DATABASE_URL, so a subprocess works on the same data."""
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    user, host, port = database["USER"] or "postgres", database["HOST"], database["PORT"]
    return f"postgres://{user}@{host or '127.0.0.1'}:{port or 5432}/{database['NAME']}"


@pytest.fixture
def start_worker(smtp_server: SmtpServer) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    environment = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "LOKET_VAR_DIR": str(settings.VAR_DIR),
        "LOKET_MAIL": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_TIMEOUT": "60",
        "LOKET_OUTBOX_LEASE_SECONDS": "2",
        "LOKET_HOUSEKEEPING_SECONDS": "0.3",
    }

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "loket.cli", "worker"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def test_a_worker_killed_before_delivering_is_replaced_and_the_mail_goes_out_once(
    smtp_server: SmtpServer, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    # Opened now: the worker's own SLA sweep must find nothing due (an old ticket's breach
    # would rightly escalate it and mail the requester as well).
    ticket = build_ticket(now=timezone.now())
    row = OutboxMessage.objects.get(ticket=ticket)
    smtp_server.mailbox.hold = True

    first = start_worker()
    wait_until(lambda: smtp_server.mailbox.stalled == 1)
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENDING
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    assert smtp_server.messages == []

    smtp_server.mailbox.hold = False
    start_worker()
    [delivered] = smtp_server.wait_for(1, timeout=60)
    time.sleep(3)  # longer than the lease: a second delivery would have happened by now

    assert len(smtp_server.messages) == 1
    assert f"[{ticket.reference}]" in delivered["Subject"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert ticket.events.filter(kind=EventKind.MAIL_SENT).count() == 1


def test_two_workers_share_the_outbox_and_send_every_mail_exactly_once(
    smtp_server: SmtpServer, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    now = timezone.now()
    tickets = [build_ticket(email=f"pelanggan{n}@example.co.id", now=now) for n in range(40)]

    start_worker()
    start_worker()
    received = smtp_server.wait_for(40, timeout=90)
    time.sleep(3)  # longer than the lease: a double send would have happened by now

    assert len(smtp_server.messages) == 40
    message_ids = [message["Message-ID"] for message in received]
    assert len(set(message_ids)) == 40, "no mail was sent twice"
    rows = OutboxMessage.objects.filter(ticket__in=tickets)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 1)}
    assert {row.message_id for row in rows} == set(message_ids)
    sent_events = [t.events.filter(kind=EventKind.MAIL_SENT).count() for t in tickets]
    assert sent_events == [1] * 40
