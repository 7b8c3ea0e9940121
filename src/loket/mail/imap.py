"""The IMAP poller: fetches what Loket has not taken yet, ingests each message (stored, then
processed, committed), and only then flags it on the server. A poller killed at any step
leaves the message unflagged; the next poll fetches it again, and the stored copy's
de-duplication makes sure it becomes one ticket with one acknowledgement."""

import logging
import time
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from imapclient import SEEN, IMAPClient

from loket import failpoints
from loket.mail.ingest import Ingested, ingest, quarantine_oversized
from loket.mail.models import Mailbox

logger = logging.getLogger(__name__)

TAKEN = b"$LoketIngested"
SIZES_PER_FETCH = 50
IDLE_SECONDS = 300  # RFC 2177: renew IDLE well within the server's 30-minute timeout


def connect(mailbox: Mailbox) -> IMAPClient:
    client = IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.use_ssl, timeout=60)
    if mailbox.use_starttls:
        client.starttls()
    client.login(mailbox.username, mailbox.password)
    client.select_folder(mailbox.folder)
    return client


def poll(mailbox: Mailbox) -> Iterator[tuple[int, Ingested]]:
    """Every message not yet taken, one at a time (memory stays flat), oldest first."""
    client = connect(mailbox)
    try:
        yield from take_new(client, mailbox.address)
    finally:
        client.logout()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")


def take_new(client: IMAPClient, address: str) -> Iterator[tuple[int, Ingested]]:
    uids = sorted(client.search(["NOT", "DELETED", "NOT", "KEYWORD", TAKEN.decode()]))
    for start in range(0, len(uids), SIZES_PER_FETCH):
        batch = uids[start : start + SIZES_PER_FETCH]
        sizes = client.fetch(batch, ["RFC822.SIZE"])
        for uid in batch:
            if uid in sizes:
                yield uid, take(client, uid, int(sizes[uid][b"RFC822.SIZE"]), address)


def take(client: IMAPClient, uid: int, size: int, address: str) -> Ingested:
    if size > settings.LOKET_MAIL_MAX_BYTES:
        # Too large to read: the headers are kept in the quarantine, the mail stays on the server.
        header = client.fetch([uid], ["BODY.PEEK[HEADER]"])[uid][b"BODY[HEADER]"]
        result = quarantine_oversized(header, size, mailbox=address, now=timezone.now())
    else:
        raw = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
        failpoints.reached("fetched")
        result = ingest(raw, mailbox=address, now=timezone.now())
    failpoints.reached("committed")
    client.add_flags([uid], [TAKEN, SEEN])
    return result


def poll_all(now: datetime | None = None) -> list[tuple[Mailbox, int, Ingested]]:
    """One pass over every active mailbox; a broken mailbox is logged and the next one polled."""
    results = []
    for mailbox in Mailbox.objects.filter(active=True).order_by("pk"):
        try:
            results += [(mailbox, uid, result) for uid, result in poll(mailbox)]
        except Exception as error:  # one mailbox's outage must not stop the others
            logger.warning("polling %s failed: %s", mailbox.address, error)
            Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(error)[:2000])
    return results


def wait_for_mail(mailbox: Mailbox, seconds: float) -> None:
    """IMAP IDLE when the server offers it (woken by new mail), else a plain sleep."""
    try:
        client = connect(mailbox)
    except Exception as error:  # the next poll reports it; do not spin meanwhile
        logger.warning("IDLE on %s unavailable: %s", mailbox.address, error)
        time.sleep(seconds)
        return
    try:
        if b"IDLE" not in client.capabilities():
            time.sleep(seconds)
            return
        client.idle()
        client.idle_check(timeout=min(seconds, IDLE_SECONDS))
        client.idle_done()
    finally:
        client.logout()
