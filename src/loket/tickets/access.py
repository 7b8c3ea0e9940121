"""Permission-checked fetches: the only way a view gets hold of a ticket."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from loket.portal.links import reference_from_token
from loket.tickets.models import Attachment, MessageKind, Ticket

AGENT_GROUPS = ("agents", "supervisors")


def is_agent(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    groups = getattr(user, "groups", None)
    return groups is not None and bool(groups.filter(name__in=AGENT_GROUPS).exists())


def access_ticket_by_token(token: str) -> Ticket:
    """The ticket a portal link was signed for; 404 for a forged, expired or unknown link."""
    reference = reference_from_token(token)
    if reference is None:
        raise Http404("This link is invalid or has expired.")
    try:
        return Ticket.objects.select_related("category").get(reference=reference)
    except Ticket.DoesNotExist:
        raise Http404("This link is invalid or has expired.") from None


def access_ticket_for_agent(user: AbstractBaseUser | AnonymousUser, reference: str) -> Ticket:
    if not is_agent(user):
        raise Http404
    try:
        return Ticket.objects.select_related("category", "assignee").get(reference=reference)
    except Ticket.DoesNotExist:
        raise Http404 from None


def access_attachment(ticket: Ticket, attachment_id: int, *, requester: bool) -> Attachment:
    """An attachment of this ticket; requesters never reach files of internal notes."""
    attachments = Attachment.objects.filter(message__ticket=ticket)
    if requester:
        attachments = attachments.exclude(message__kind=MessageKind.INTERNAL_NOTE)
    try:
        return attachments.get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None
