"""Ticket-scoped signed links: whoever holds one sees that ticket and nothing else."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "loket.portal.ticket"


def make_token(reference: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign(reference)


def reference_from_token(token: str) -> str | None:
    """The reference the token was made for, or None when it is forged or expired."""
    max_age = timedelta(days=settings.LOKET_PORTAL_LINK_MAX_AGE_DAYS)
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None


def portal_path(reference: str) -> str:
    return reverse("portal:ticket", kwargs={"token": make_token(reference)})


def portal_url(reference: str) -> str:
    return settings.LOKET_BASE_URL + portal_path(reference)
