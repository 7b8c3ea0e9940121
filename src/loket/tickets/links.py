"""Ticket-scoped signed links: whoever holds one sees that ticket and nothing else."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

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


def portal_path(reference: str, language: str) -> str:
    """/ja/portal/t/<token>/"""
    return public_path("portal:ticket", language, token=make_token(reference))


def portal_url(reference: str, language: str) -> str:
    """The link we send a requester, under their ticket's language prefix, so the page opens
    in the language they wrote in whatever the language of whoever caused the mail."""
    return settings.LOKET_BASE_URL + portal_path(reference, language)


def public_path(name: str, language: str, **kwargs: str) -> str:
    """A public page's path under a language prefix (the public URLs are i18n patterns)."""
    with translation.override(language):
        return reverse(name, kwargs=kwargs)
