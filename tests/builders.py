"""Small typed builders: each test says only what matters to it."""

import re
from datetime import UTC, datetime

from django.conf import settings
from django.test import Client
from django.utils import timezone

from loket.tickets.links import portal_url
from loket.tickets.models import Channel, Ticket
from loket.tickets.operations import open_ticket
from loket.tickets.sniffing import IncomingFile

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB


def build_ticket(
    *,
    subject: str = "Store not active after payment",
    body: str = "I paid for the Pro plan yesterday but my store is still inactive.",
    category: str = "access",
    name: str = "Siti Rahma",
    email: str = "siti@example.co.id",
    language: str = "en",
    channel: str = Channel.WEB,
    attachments: tuple[IncomingFile, ...] = (),
    now: datetime = NOW,
) -> Ticket:
    return open_ticket(
        subject=subject,
        body=body,
        category_code=category,
        requester_name=name,
        requester_email=email,
        language=language,
        channel=channel,
        attachments=attachments,
        now=now,
    )


def confirm_link(client: Client, body: str) -> None:
    """Follow the mailed link as the account's owner: the page, then its one button."""
    match = re.search(r"http://[^\s/]+(/(?:ja|id|en)/portal/verify/\S+/)", body)
    assert match is not None, body
    anonymous = Client()
    assert anonymous.get(match.group(1)).status_code == 200
    assert anonymous.post(match.group(1)).status_code == 200


def fresh_link(ticket: Ticket, *, language: str = "") -> str:
    """The path of a new link to the ticket, as a mail Loket sends now would carry it."""
    url = portal_url(ticket, now=timezone.now(), language=language)
    return url.removeprefix(settings.LOKET_BASE_URL)


def open_portal(client: Client, ticket: Ticket, *, language: str = "") -> str:
    """Open the ticket's page as its requester: a new link, then its button. Returns the
    path of the ticket's page, which the client's session now opens."""
    response = client.post(fresh_link(ticket, language=language))
    assert response.status_code == 302, response
    location = response["Location"]
    assert "/portal/ticket/" in location, location
    return location


def open_link_in(client: Client, body: str) -> str:
    """Follow the portal link in a mail's body and press its button; the ticket page's path."""
    match = re.search(r"http://[^\s/]+(/(?:ja|id|en)/portal/t/[^\s/]+/)", body)
    assert match is not None, body
    response = client.post(match.group(1))
    assert response.status_code == 302, response
    return response["Location"]
