"""Files wait in quarantine until ClamAV has read them (issue 14). With LOKET_CLAMD_SOCKET set,
every new attachment is stored `pending` (the timeline does that) and never served; after the
commit a task asks clamd, and the worker's housekeeping asks again for every file still pending,
so a scanner that is down holds the files until it is back - it never lets them through.

Of two workers on one file, only the one whose conditional UPDATE moves it out of `pending`
records the outcome, so an infected file is reported once."""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from loket.tickets.models import Attachment, EventKind, Message, ScanStatus
from loket.tickets.timeline import record_event
from loket.tickets.virusscan import ScannerUnavailable, Verdict, scan

logger = logging.getLogger("loket.scanning")

# A housekeeping pass scans at most this many files; the next pass takes the rest.
PASS_SIZE = 200
OUTCOME_STATUS = {
    "clean": ScanStatus.CLEAN,
    "infected": ScanStatus.INFECTED,
    "failed": ScanStatus.FAILED,
}
OUTCOME_EVENT = {"infected": EventKind.FILE_INFECTED, "failed": EventKind.FILE_UNSCANNABLE}


def scan_soon(message: Message) -> None:
    """Queue the scan of the message's files in quarantine once the caller's transaction
    commits (call it inside the transaction that stored them)."""
    if not settings.LOKET_CLAMD_SOCKET:
        return
    pending = list(
        Attachment.objects.filter(message=message, scan_status=ScanStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    if pending:
        transaction.on_commit(lambda: scan_attachments.enqueue(pending), robust=True)


@task()
def scan_attachments(attachment_ids: list[int]) -> str:
    now = timezone.now()
    waiting = Attachment.objects.filter(pk__in=attachment_ids, scan_status=ScanStatus.PENDING)
    try:
        outcomes = [scan_one(attachment, now) for attachment in waiting.order_by("pk")]
    except ScannerUnavailable as error:
        # Housekeeping tries again on its next pass; meanwhile nobody can download them.
        logger.warning("virus scanner unavailable, files wait in quarantine: %s", error)
        return "waiting: scanner unavailable"
    return ", ".join(outcomes) or "nothing pending"


def scan_pending(now: datetime) -> int:
    """Housekeeping: ask clamd about the files still pending (their task failed, or has not
    run yet). Stops at the first sign that clamd is down. The number of files settled."""
    if not settings.LOKET_CLAMD_SOCKET:
        return 0
    pending = Attachment.objects.filter(scan_status=ScanStatus.PENDING).order_by("pk")
    settled = 0
    for attachment in pending.select_related("message")[:PASS_SIZE]:
        try:
            scan_one(attachment, now)
        except ScannerUnavailable as error:
            waiting = pending.count()
            logger.warning("virus scanner unavailable; %d file(s) wait: %s", waiting, error)
            break
        settled += 1
    return settled


def scan_one(attachment: Attachment, now: datetime) -> str:
    """Scan one stored file and settle it; raises ScannerUnavailable when clamd cannot say."""
    try:
        with attachment.file.open("rb") as stored:
            content = stored.read()
    except FileNotFoundError:
        verdict = Verdict("failed", "the stored file is missing")
    else:
        verdict = scan(
            content,
            address=settings.LOKET_CLAMD_SOCKET,
            timeout=settings.LOKET_CLAMD_TIMEOUT_SECONDS,
        )
    settle(attachment, verdict, now)
    return verdict.outcome


def settle(attachment: Attachment, verdict: Verdict, now: datetime) -> bool:
    """Move the file out of quarantine with clamd's verdict, recording on the ticket a virus
    found or a file clamd refused; False when another worker settled it first."""
    with transaction.atomic():
        moved = Attachment.objects.filter(pk=attachment.pk, scan_status=ScanStatus.PENDING).update(
            scan_status=OUTCOME_STATUS[verdict.outcome],
            scan_result=verdict.detail[:200],
            scanned_at=now,
        )
        if not moved:
            return False
        kind = OUTCOME_EVENT.get(verdict.outcome)
        if kind is not None:
            ticket_id = Message.objects.values_list("ticket_id", flat=True).get(
                pk=attachment.message_id
            )
            detail = f"{attachment.filename}: {verdict.detail}"
            data = {"attachment": attachment.pk, "filename": attachment.filename,
                    "result": verdict.detail, "error": detail}  # fmt: skip
            record_event(ticket_id, kind, data=data, now=now)
    if verdict.outcome != "clean":
        logger.warning("file %s (%s) %s: %s", attachment.pk, attachment.filename,
                       verdict.outcome, verdict.detail)  # fmt: skip
    return True
