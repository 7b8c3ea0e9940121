"""Reads for /ready/ and /metrics: a few aggregate queries each, cheap enough for every probe
and scrape (they use the indexes the hot paths already need)."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min

from loket.inbound.models import InboundRecord
from loket.notify.models import OutboxMessage, OutboxStatus
from loket.ops.models import WorkerHeartbeat
from loket.sla.models import Clock, SlaPoint
from loket.tickets.models import Attachment, ScanStatus, Ticket

logger = logging.getLogger("loket.ops")
UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool = True
    reason: str = ""
    detail: dict[str, float | None] = field(default_factory=dict)


def database_answers() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # The probe is public: the error's class only; its text (host names) goes to the log.
        logger.error("readiness: the database does not answer: %s", error)
        reason = f"the database does not answer ({type(error).__name__})"
        return Check("database", ok=False, reason=reason)
    return Check("database")


def newest_heartbeat() -> datetime | None:
    newest: datetime | None = WorkerHeartbeat.objects.aggregate(newest=Max("beat_at"))["newest"]
    return newest


def heartbeat_age_seconds(now: datetime) -> float | None:
    newest = newest_heartbeat()
    return None if newest is None else max(0.0, (now - newest).total_seconds())


def worker_alive(now: datetime, *, max_age_seconds: float) -> Check:
    age = heartbeat_age_seconds(now)
    if age is None:
        return Check("worker", ok=False, reason="no worker has written a heartbeat yet")
    detail: dict[str, float | None] = {"heartbeat_age_seconds": round(age, 1)}
    if age > max_age_seconds:
        reason = f"no worker heartbeat for {age:.0f} s (limit {max_age_seconds:.0f} s)"
        return Check("worker", ok=False, reason=reason, detail=detail)
    return Check("worker", detail=detail)


def sweep_lag_seconds(now: datetime) -> float:
    """How long the oldest SLA check that has come due has waited for the sweep (0 when none
    waits): a warning or breach not yet recorded is that late."""
    oldest = Clock.objects.filter(next_check_at__lte=now).aggregate(oldest=Min("next_check_at"))
    return 0.0 if oldest["oldest"] is None else (now - oldest["oldest"]).total_seconds()


def sweep_keeping_up(now: datetime, *, max_lag_seconds: float) -> Check:
    lag = sweep_lag_seconds(now)
    detail: dict[str, float | None] = {"lag_seconds": round(lag, 1)}
    if lag > max_lag_seconds:
        reason = f"the SLA sweep is {lag:.0f} s behind (limit {max_lag_seconds:.0f} s)"
        return Check("sla_sweep", ok=False, reason=reason, detail=detail)
    return Check("sla_sweep", detail=detail)


def readiness(now: datetime, *, max_heartbeat_age: float, max_sweep_lag: float) -> list[Check]:
    """The database first: when it does not answer, the other checks cannot be made."""
    database = database_answers()
    if not database.ok:
        return [database]
    return [
        database,
        worker_alive(now, max_age_seconds=max_heartbeat_age),
        sweep_keeping_up(now, max_lag_seconds=max_sweep_lag),
    ]


def tickets_by_status_and_category() -> list[tuple[str, str, int]]:
    rows = Ticket.objects.values_list("status", "category_id").annotate(n=Count("id"))
    return [(status, category, n) for status, category, n in rows.order_by()]


def outbox_by_status() -> dict[str, int]:
    rows = OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(OutboxStatus.values, 0)
    counts.update(dict(rows))
    return counts


def oldest_unsent_age_seconds(now: datetime) -> float:
    oldest = OutboxMessage.objects.filter(status__in=UNSENT).aggregate(oldest=Min("created_at"))
    return 0.0 if oldest["oldest"] is None else max(0.0, (now - oldest["oldest"]).total_seconds())


def sla_points_by_kind() -> list[tuple[str, str, int]]:
    rows = SlaPoint.objects.values_list("kind", "clock__kind").annotate(n=Count("id")).order_by()
    return [(kind, clock_kind, n) for kind, clock_kind, n in rows]


def inbound_by_channel_source_status() -> list[tuple[str, str, str, int]]:
    rows = InboundRecord.objects.values_list("channel", "source", "status").annotate(n=Count("id"))
    return [(channel, source, status, n) for channel, source, status, n in rows.order_by()]


def files_waiting_for_scan(now: datetime) -> tuple[int, float]:
    """Files in quarantine (pending the virus scanner), and the age of the oldest (0 when none);
    the partial index `attachment_scan_pending` keeps this cheap."""
    waiting = Attachment.objects.filter(scan_status=ScanStatus.PENDING).aggregate(
        count=Count("id"), oldest=Min("message__created_at")
    )
    oldest = waiting["oldest"]
    return waiting["count"], 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
