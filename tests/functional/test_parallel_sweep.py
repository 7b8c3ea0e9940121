"""Four sweepers at once, as separate processes on the same database: every warning and
breach is recorded once and every breach is in exactly one supervisor digest."""

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection

from loket.notify.models import OutboxMessage
from loket.sla.models import SlaPoint
from loket.tickets.models import Event, EventKind
from tests.builders import build_ticket
from tests.functional.test_worker import shared_database_url

pytestmark = pytest.mark.django_db(transaction=True)

TICKETS = 160
OPENED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB
SWEEP_AT = "2026-11-30T09:00:00+07:00"  # every clock is past warning and breach


def test_four_parallel_sweepers_record_everything_exactly_once() -> None:
    for name in ("sup1", "sup2"):
        user = User.objects.create_user(name, f"{name}@catalo.id", "pw")
        user.groups.add(Group.objects.get_or_create(name="supervisors")[0])
    tickets = [
        build_ticket(category=("access" if i % 2 else "support"), now=OPENED)
        for i in range(TICKETS)
    ]
    clocks = TICKETS + TICKETS // 2  # first response for all, resolution for access
    environment = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "LOKET_VAR_DIR": str(settings.VAR_DIR),
    }
    # Small batches, so that the sweepers really interleave on the same due clocks: the work
    # must outlast the spread of their start-up times on a busy machine (batches of 7 over
    # 180 clocks once let the first sweeper finish before the others had started).
    command = [
        sys.executable, "-m", "loket.cli", "sla", "sweep", "--now", SWEEP_AT, "--batch", "3",
    ]  # fmt: skip
    sweepers = [
        subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    reports = [json.loads(process.communicate(timeout=120)[0]) for process in sweepers]
    assert all(process.returncode == 0 for process in sweepers)
    if connection.vendor == "postgresql":
        assert sum(1 for report in reports if report["breaches"]) > 1, "they shared the work"

    assert sum(report["breaches"] for report in reports) == clocks
    assert sum(report["warnings"] for report in reports) == clocks
    assert SlaPoint.objects.count() == 2 * clocks
    assert Event.objects.filter(kind=EventKind.SLA_BREACH).count() == clocks
    assert Event.objects.filter(kind=EventKind.SLA_WARNING).count() == clocks
    for supervisor in ("sup1@catalo.id", "sup2@catalo.id"):
        digests = OutboxMessage.objects.filter(kind="sla_breach_digest", to_address=supervisor)
        mentions = Counter(
            line.split()[0] + " " + line.split()[1]
            for digest in digests
            for line in digest.body.splitlines()
            if line.startswith("CAT-")
        )
        assert len(mentions) == clocks
        assert set(mentions.values()) == {1}, "each breach is in exactly one digest"
    assert {ticket.reference for ticket in tickets} == {key.split()[0] for key in mentions}
    # The shipped policy escalates a breached resolution (S11): each access ticket once.
    escalated = Counter(Event.objects.filter(kind=EventKind.ESCALATED).values_list("ticket_id"))
    assert len(escalated) == TICKETS // 2
    assert set(escalated.values()) == {1}
