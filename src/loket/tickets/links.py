"""Portal links (issue 14): whoever holds one may open that ticket's page, once.

A link carries 32 random bytes; only their SHA-256 is stored (`PortalLink`), so a copy of the
database opens nothing and a lookup by the hash cannot be timed to guess a token. A link in a
mail Loket sends on its own works for LOKET_PORTAL_MAIL_LINK_HOURS, one the requester asked for
for LOKET_PORTAL_NEW_LINK_MINUTES; opening it (tickets/portal_access.py) uses it up.

Links mailed before issue 14 were signed, reusable tokens (`reference:timestamp:signature`);
they open nothing now, but their signature still names the ticket, so their page can offer a
new link to the address on file.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from loket.tickets.models import PortalLink, PortalLinkKind, Ticket

LEGACY_SALT = "loket.portal.ticket"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(kind: str) -> timedelta:
    """How long after it was made a link of this kind can be opened."""
    if kind in (PortalLinkKind.NEW_LINK, PortalLinkKind.CONTACT_FORM):
        return timedelta(minutes=settings.LOKET_PORTAL_NEW_LINK_MINUTES)
    return timedelta(hours=settings.LOKET_PORTAL_MAIL_LINK_HOURS)


def issue_link(ticket: Ticket, *, kind: str, now: datetime) -> tuple[str, PortalLink]:
    """A new link to `ticket`: its token (to put in a URL, never stored) and its row."""
    token = secrets.token_urlsafe(32)
    link = PortalLink.objects.create(
        ticket=ticket, kind=kind, token_hash=digest(token), created_at=now,
        expires_at=now + lifetime(kind),
    )  # fmt: skip
    return token, link


def portal_url(
    ticket: Ticket, *, now: datetime, kind: str = PortalLinkKind.MAIL, language: str = ""
) -> str:
    """A new link for the requester, under their ticket's language prefix (or `language`), so
    the page opens in the language they wrote in whatever the language of whoever caused it."""
    token, _link = issue_link(ticket, kind=kind, now=now)
    path = public_path("portal:open", language or ticket.language, token=token)
    return settings.LOKET_BASE_URL + path


def public_path(name: str, language: str, **kwargs: str) -> str:
    """A public page's path under a language prefix (the public URLs are i18n patterns)."""
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def is_legacy(token: str) -> bool:
    """Signed tokens hold colons; new ones are URL-safe base64, which has none."""
    return ":" in token


def legacy_reference(token: str) -> str | None:
    """The reference a link mailed before issue 14 was signed for, or None when forged."""
    try:
        return signing.TimestampSigner(salt=LEGACY_SALT).unsign(token)
    except signing.BadSignature:
        return None
