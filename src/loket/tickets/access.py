"""Permission-checked fetches: the only way a view gets hold of a ticket."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.http import Http404

from loket.tickets.models import Attachment, EventKind, MessageKind, PortalLink, Ticket
from loket.tickets.portal_access import held_tickets, session_lifetime
from loket.tickets.references import InvalidReference, parse_reference
from loket.tickets.timeline import record_event

# The review permission each escalation level needs (POLICY.md S11).
REVIEW_PERMISSION = {1: "tickets.review_level_1", 2: "tickets.review_level_2"}

AGENT_GROUPS = ("agents", "supervisors", "operations", "admins")


class NoSuchTicket(LookupError):
    """No ticket answers to this reference; the message says why, for an API client."""


def is_agent(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    groups = getattr(user, "groups", None)
    return groups is not None and bool(groups.filter(name__in=AGENT_GROUPS).exists())


class PortalSignInNeeded(PermissionError):
    """This browser holds no live entry for the ticket: it never opened a link to it, or its
    entry ran out (LOKET_PORTAL_SESSION_HOURS) or was revoked (sign out everywhere)."""


def access_ticket_of_requester(session: SessionBase, reference: str, now: datetime) -> Ticket:
    """The ticket this browser opened with a portal link (tickets/portal_access.py)."""
    link_id = held_tickets(session).get(reference)
    if link_id is None:
        raise PortalSignInNeeded(reference)
    live = PortalLink.objects.filter(
        pk=link_id, ticket__reference=reference, revoked_at=None,
        used_at__gt=now - session_lifetime(),
    )  # fmt: skip
    link = live.select_related("ticket__category").first()
    if link is None:
        raise PortalSignInNeeded(reference)
    return link.ticket


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


def access_ticket_for_integration(reference_text: str) -> Ticket:
    """The ticket an authenticated API client names by its reference (normalised as typed)."""
    try:
        reference = parse_reference(reference_text, settings.LOKET_REFERENCE_PREFIX)
    except InvalidReference as error:
        raise NoSuchTicket(f"no ticket {reference_text}: {error}") from None
    ticket = Ticket.objects.select_related("category").filter(reference=reference).first()
    if ticket is None:
        raise NoSuchTicket(f"no ticket {reference}")
    return ticket


def ticket_of_requester(reference_text: str, email: str) -> Ticket | None:
    """The ticket with this reference if `email` is its requester's address, else None: for
    "send me a new link", which mails only the address on file."""
    try:
        reference = parse_reference(reference_text, settings.LOKET_REFERENCE_PREFIX)
    except InvalidReference:
        return None
    return Ticket.objects.filter(reference=reference, requester_email__iexact=email).first()


def may_review(user: AbstractBaseUser | AnonymousUser, level: int) -> bool:
    has_perm = getattr(user, "has_perm", None)
    return is_agent(user) and has_perm is not None and bool(has_perm(REVIEW_PERMISSION[level]))


def require_review(
    user: AbstractBaseUser | AnonymousUser,
    ticket: Ticket,
    level: int,
    action: str,
    now: datetime,
) -> None:
    """Refuse a protected action to whoever lacks the level's review permission: 403, and the
    attempt stays on the ticket's timeline (committed even though the action is not)."""
    if may_review(user, level):
        return
    data = {"action": action, "needs": REVIEW_PERMISSION[level]}
    record_event(ticket.pk, EventKind.ACCESS_REFUSED, actor=user, data=data, now=now)
    raise PermissionDenied(action)


def language_of_reference(reference: str) -> str | None:
    """Only the language a ticket is written in (for a page that must not reveal more, such
    as the verification link's page before its token is checked)."""
    found = Ticket.objects.filter(reference=reference).values_list("language", flat=True)
    return found.first()
