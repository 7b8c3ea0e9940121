"""Collision detection in the console: who else has a ticket open or is typing a reply, and
whether a public message arrived since an agent's page was loaded."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from loket.tickets.models import Message, MessageKind, Presence, Ticket
from loket.tickets.timeline import Agent, display_name, stored_user

# The page reports every 15 s; two missed reports and a colleague is taken as gone.
GONE_AFTER = timedelta(seconds=45)
PUBLIC_KINDS = (MessageKind.REQUESTER, MessageKind.PUBLIC_REPLY)


@dataclass(frozen=True)
class Colleague:
    name: str
    typing: bool


def report_presence(ticket: Ticket, user: Agent, *, typing: bool, now: datetime) -> None:
    stored = stored_user(user)
    if stored is None:
        return
    Presence.objects.update_or_create(
        ticket=ticket, user=stored, defaults={"typing": typing, "seen_at": now}
    )


def colleagues_present(ticket: Ticket, user: Agent, now: datetime) -> list[Colleague]:
    recent = Presence.objects.filter(ticket=ticket, seen_at__gte=now - GONE_AFTER)
    me = stored_user(user)
    others = (recent.exclude(user=me) if me else recent).select_related("user")
    return [Colleague(display_name(p.user), p.typing) for p in others.order_by("seen_at")]


def latest_public_message(ticket: Ticket) -> int:
    """The id of the newest message the requester can see (0 when none)."""
    newest = Message.objects.filter(ticket=ticket, kind__in=PUBLIC_KINDS).order_by("-id")
    return newest.values_list("id", flat=True).first() or 0


def newer_public_messages(ticket: Ticket, seen: int) -> list[Message]:
    """Public messages after the one the agent's page showed last, oldest first."""
    newer = Message.objects.filter(ticket=ticket, kind__in=PUBLIC_KINDS, id__gt=seen)
    return list(newer.order_by("id"))
