"""Permission-checked fetches of inbound records: agents only (raw mail is personal data)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from loket.inbound.models import WAITING_FOR_AGENT, InboundRecord
from loket.tickets.access import is_agent
from loket.tickets.models import Channel


def access_waiting_mail(user: AbstractBaseUser | AnonymousUser) -> QuerySet[InboundRecord]:
    """Held and quarantined e-mail, newest first (WhatsApp items are JSON, not mail: they are
    in the admin's inbound records)."""
    if not is_agent(user):
        raise Http404
    waiting = InboundRecord.objects.filter(status__in=WAITING_FOR_AGENT, channel=Channel.EMAIL)
    return waiting.select_related("ticket").order_by("-received_at", "-id").defer("raw")


def access_inbound_record(user: AbstractBaseUser | AnonymousUser, pk: int) -> InboundRecord:
    if not is_agent(user):
        raise Http404
    try:
        return InboundRecord.objects.select_related("ticket").get(pk=pk, channel=Channel.EMAIL)
    except InboundRecord.DoesNotExist:
        raise Http404 from None
