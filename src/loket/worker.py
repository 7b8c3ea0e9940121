"""`loket worker`: sends the outbox, runs queued tasks (django-tasks-db) and the periodic
housekeeping - a heartbeat, taking back mail a dead worker held, files waiting for the virus
scanner, the SLA sweep, and polling the IMAP mailboxes. Call `run` once Django is set up."""

import logging
import threading
import time
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from loket.mail.imap import poll_all
from loket.notify.delivery import deliver_due
from loket.notify.outbox import recover_outbox
from loket.ops.heartbeat import record_heartbeat
from loket.sla.sweep import sweep
from loket.tickets.quarantine import scan_pending
from loket.whatsapp.intake import process_forgotten

logger = logging.getLogger("loket.worker")


def housekeeping_once() -> None:
    now = timezone.now()
    # First, so that /ready/ tells a live worker whose sweep fails (sweep lag) from a dead one.
    record_heartbeat(now)
    requeued = recover_outbox(now)
    if requeued:
        logger.info("handed %d undelivered outbox message(s) back to the queue", requeued)
    taken = process_forgotten(now)
    if taken:
        logger.info("processed %d WhatsApp item(s) that were waiting", taken)
    scan_quarantine(now)
    report = sweep(now)
    if report.warnings or report.breaches:
        logger.info(
            "SLA sweep: %d warning(s), %d breach(es)", len(report.warnings), len(report.breaches)
        )
    # Every opened portal link keeps a session (tickets/portal_access.py); expired
    # ones go, as Django's clearsessions would (one indexed DELETE, usually of nothing).
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def scan_quarantine(now: datetime) -> None:
    """Files still waiting for the virus scanner (its task failed or clamd was down)."""
    settled = scan_pending(now)
    if settled:
        logger.info("scanned %d file(s) waiting in quarantine", settled)


def poll_mail() -> None:
    taken = poll_all()
    if taken:
        logger.info("took %d message(s) from the IMAP mailboxes", len(taken))


def housekeeping_loop(stop: threading.Event, interval: float) -> None:
    mail_every = settings.LOKET_IMAP_POLL_SECONDS
    next_mail = 0.0
    while not stop.is_set():
        try:
            housekeeping_once()
            if mail_every and time.monotonic() >= next_mail:
                next_mail = time.monotonic() + mail_every
                poll_mail()
        except Exception:
            logger.exception("housekeeping failed; trying again in %.0f s", interval)
        finally:
            close_old_connections()
        stop.wait(min(interval, mail_every or interval))


def outbox_loop(stop: threading.Event, interval: float) -> None:
    """Send what is due, batch after batch; when nothing is, look again after `interval`."""
    while not stop.is_set():
        sent = 0
        try:
            sent = len(deliver_due(timezone.now()))
        except Exception:
            logger.exception("sending the outbox failed; trying again in %.1f s", interval)
        finally:
            close_old_connections()
        if not sent:
            stop.wait(interval)


def drain_outbox() -> int:
    """Everything due now, batch after batch (the batch mode of `run`)."""
    total = 0
    while outcomes := deliver_due(timezone.now()):
        total += len(outcomes)
    return total


def run(*, batch: bool = False, interval: float = 0.5) -> None:
    """Run the task queue; with `batch`, run housekeeping and what is due now, then return."""
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    if batch:
        housekeeping_once()
        drain_outbox()
        worker.run()
        # What the tasks queued (an acknowledgement of a WhatsApp message) goes out too.
        drain_outbox()
        return
    stop = threading.Event()
    for name, target, pause in (
        ("housekeeping", housekeeping_loop, settings.LOKET_HOUSEKEEPING_SECONDS),
        ("outbox", outbox_loop, settings.LOKET_OUTBOX_POLL_SECONDS),
    ):
        threading.Thread(target=target, args=(stop, pause), name=name, daemon=True).start()
    worker.configure_signals()
    logger.info("worker started")
    try:
        worker.run()
    finally:
        stop.set()
