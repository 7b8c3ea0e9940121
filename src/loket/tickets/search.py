"""The console's search: a reference (as typed, normalised), a requester's e-mail address or
phone number, or words - full text over subjects and messages (redacted, as stored), with
Japanese substrings found through bigrams (tickets/searchtext.py). Agents only: the view checks.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet

from loket.tickets.models import Ticket
from loket.tickets.phones import normalise
from loket.tickets.references import InvalidReference, parse_reference
from loket.tickets.searchtext import fts5_query, query_groups, tsquery

LIMIT = 50
PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{8,20}$")


@dataclass(frozen=True)
class Found:
    how: str  # reference | email | phone | text | nothing
    tickets: list[Ticket]


def search(query: str, *, limit: int = LIMIT) -> Found:
    text = query.strip()[:200]
    if not text:
        return Found("nothing", [])
    try:
        reference = parse_reference(text, settings.LOKET_REFERENCE_PREFIX)
    except InvalidReference:
        reference = None
    if reference is not None:
        return Found("reference", list(listed(Ticket.objects.filter(reference=reference))))
    if "@" in text and " " not in text:
        by_email = Ticket.objects.filter(requester_email__iexact=text)
        return Found("email", list(listed(by_email).order_by("-updated_at", "-id")[:limit]))
    number = normalise(text, settings.LOKET_PHONE_REGION) if PHONE_LIKE.match(text) else None
    if number is not None:
        by_phone = Ticket.objects.filter(requester_phone=number)
        return Found("phone", list(listed(by_phone).order_by("-updated_at", "-id")[:limit]))
    ids = matching_ticket_ids(text, limit)
    tickets = {ticket.pk: ticket for ticket in listed(Ticket.objects.filter(pk__in=ids))}
    return Found("text", [tickets[pk] for pk in ids if pk in tickets])


def listed(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("category", "assignee")


def matching_ticket_ids(text: str, limit: int) -> list[int]:
    """The tickets whose subject or messages hold every word and CJK substring, those with the
    newest matching message first."""
    if not query_groups(text):
        return []
    if connection.vendor == "postgresql":
        sql = (
            "SELECT ticket_id FROM tickets_searchentry "
            "WHERE terms_vector @@ to_tsquery('simple'::regconfig, %s) "
            "ORDER BY id DESC LIMIT %s"
        )
        parameters: list[str | int] = [tsquery(text), limit * 4]
    else:
        sql = (
            "SELECT e.ticket_id FROM tickets_search_fts f "
            "JOIN tickets_searchentry e ON e.id = f.rowid "
            "WHERE tickets_search_fts MATCH %s ORDER BY f.rowid DESC LIMIT %s"
        )
        parameters = [fts5_query(text), limit * 4]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            rows = cursor.fetchall()
    except DatabaseError:  # a query the engine cannot read is no match, never a 500
        return []
    return list(dict.fromkeys(row[0] for row in rows))[:limit]
