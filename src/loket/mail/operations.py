"""What an agent decides about mail Loket would not file on its own: a held reply (a stranger,
a forged-looking sender) or a quarantined message."""

from datetime import datetime

from loket.inbound.models import InboundRecord, InboundStatus
from loket.inbound.pipeline import Outcome, decide_for_agent, discard
from loket.mail.ingest import Ingested, inbound_message, limits, own_addresses, process
from loket.mail.parse import parse_mail
from loket.tickets.models import Ticket


def file_held_mail(
    record: InboundRecord, *, ticket: Ticket | None, actor_label: str, now: datetime
) -> Outcome:
    """Add the message to `ticket` on the agent's word, or open a new ticket (None)."""
    parsed = parse_mail(record.raw_bytes(), own_addresses(), limits())
    message = inbound_message(parsed, record.source, now)
    return decide_for_agent(message, record=record, ticket=ticket, actor_label=actor_label, now=now)


def discard_mail(record: InboundRecord, *, actor_label: str, now: datetime) -> None:
    discard(record, actor_label=actor_label, now=now)


def replay_quarantined(record: InboundRecord, *, now: datetime) -> Ingested:
    """Run a quarantined message through again (after a fix, or a raised limit)."""
    InboundRecord.objects.filter(pk=record.pk, status=InboundStatus.QUARANTINED).update(
        status=InboundStatus.RECEIVED, reason=""
    )
    record.status = InboundStatus.RECEIVED
    return process(record, now=now)
