"""A requester's access to their ticket's pages (issue 14): a portal link is exchanged once for
an entry in that browser's session, scoped to the ticket, and every later page reads it.

- Opening a link is a POST. The GET shows one button, because mail scanners and chat previews
  fetch links before the requester does, and a fetch must not use the link up. A browser that
  already holds the ticket needs no button: its GET opens the link at once.
- The session entry names the `PortalLink` it came from; it lasts LOKET_PORTAL_SESSION_HOURS
  from the opening and ends with the row: revoking a ticket's links ("sign out everywhere")
  ends every session that came from them. A new link the requester asked for revokes the
  older links nobody opened yet.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction

from loket.tickets.links import digest, is_legacy, issue_link, legacy_reference
from loket.tickets.models import EventKind, PortalLink, PortalLinkKind, Ticket
from loket.tickets.timeline import record_event

# Where a session keeps its tickets: {reference: id of the PortalLink it was opened with}.
SESSION_KEY = "loket:portal"
# A second press of the button (a double click) within this time, from the same browser, opens
# the ticket again instead of showing "used already".
DOUBLE_CLICK = timedelta(minutes=2)


@dataclass(frozen=True)
class Opening:
    """What became of a link: `ask` (valid, waiting for the button), `opened`, or why it is
    dead (`used`, `expired`, `revoked`, `unknown`). `ticket` is None only when unknown."""

    outcome: str
    ticket: Ticket | None
    link: PortalLink | None = None


def inspect_link(token: str, now: datetime) -> Opening:
    """What the link is, changing nothing (the page a GET shows)."""
    if is_legacy(token):
        return legacy_opening(token)
    link = PortalLink.objects.select_related("ticket").filter(token_hash=digest(token)).first()
    if link is None:
        return Opening("unknown", None)
    return Opening(state_of(link, now), link.ticket, link)


def open_link(token: str, *, browser: str, now: datetime) -> Opening:
    """Use the link up for `browser` (a hash of its session key): `opened` once; a double click
    from the same browser is `opened` again; anything else says why the link is dead."""
    if is_legacy(token):
        return legacy_opening(token)
    with transaction.atomic():
        link = (
            PortalLink.objects.select_for_update()
            .select_related("ticket")
            .filter(token_hash=digest(token))
            .first()
        )
        if link is None:
            return Opening("unknown", None)
        state = state_of(link, now)
        if state == "used" and double_click(link, browser, now):
            return Opening("opened", link.ticket, link)
        if state != "ask":
            return Opening(state, link.ticket, link)
        link.used_at, link.used_by = now, browser
        link.save(update_fields=["used_at", "used_by"])
        record_event(link.ticket_id, EventKind.PORTAL_LINK_USED,
                     actor_label=link.ticket.requester_name, data={"link": link.kind},
                     now=now)  # fmt: skip
    return Opening("opened", link.ticket, link)


def state_of(link: PortalLink, now: datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= now:
        return "expired"
    return "ask"


def double_click(link: PortalLink, browser: str, now: datetime) -> bool:
    return (
        bool(browser)
        and secrets.compare_digest(link.used_by, browser)
        and link.used_at is not None
        and now - link.used_at <= DOUBLE_CLICK
    )


def legacy_opening(token: str) -> Opening:
    """A signed link of before issue 14: dead, but its ticket may have a new one."""
    reference = legacy_reference(token)
    ticket = Ticket.objects.filter(reference=reference).first() if reference else None
    return Opening("expired" if ticket else "unknown", ticket)


def open_for_contact_form(ticket: Ticket, *, now: datetime) -> str:
    """The link the contact form's thank-you page carries: the page shows the reference while
    it is unused, and its button opens the ticket's page like any link (single use,
    LOKET_PORTAL_NEW_LINK_MINUTES). Written in the ticket's transaction; the browser gets no
    session (and so no write) until the requester presses the button."""
    token, _link = issue_link(ticket, kind=PortalLinkKind.CONTACT_FORM, now=now)
    return token


def revoke_unused_links(ticket: Ticket, now: datetime) -> int:
    """The links of `ticket` nobody opened yet stop working (a newer one is on its way)."""
    waiting = PortalLink.objects.filter(ticket=ticket, used_at=None, revoked_at=None)
    return waiting.update(revoked_at=now)


def sign_out_everywhere(ticket: Ticket, *, now: datetime) -> int:
    """Every link of the ticket stops working, and every session opened with one ends."""
    with transaction.atomic():
        revoked = PortalLink.objects.filter(ticket=ticket, revoked_at=None).update(revoked_at=now)
        record_event(ticket.pk, EventKind.PORTAL_SIGNED_OUT, actor_label=ticket.requester_name,
                     data={"revoked": revoked}, now=now)  # fmt: skip
    return revoked


# --- the session's side --------------------------------------------------------------------------


def remember(session: SessionBase, link: PortalLink) -> None:
    """This browser may now see `link`'s ticket. Like a sign-in, a session it came with gets a
    new key, so a session id planted in the browser beforehand gains nothing (a browser that
    came without one gets a new session anyway); the cookie lasts at least as long as the
    entry."""
    held = held_tickets(session)
    held[str(link.ticket.reference)] = link.pk
    session[SESSION_KEY] = held
    if session.session_key:
        renew_key(session)
    seconds = int(session_lifetime().total_seconds())
    session.set_expiry(max(seconds, settings.SESSION_COOKIE_AGE))


def renew_key(session: SessionBase) -> None:
    """What `cycle_key` does - the data under a new key, the old key gone - with one write
    instead of three: the old row is deleted now (inside the caller's transaction when it has
    one: the contact form's is the new ticket's), and the row under the new key is written once,
    by the session middleware as the response leaves (a session without a key is created)."""
    session.delete(session.session_key)
    session._session_key = None  # the documented state of a session not saved yet
    session.modified = True


def forget(session: SessionBase, reference: str) -> None:
    held = held_tickets(session)
    if held.pop(reference, None) is not None:
        session[SESSION_KEY] = held


def held_tickets(session: SessionBase) -> dict[str, int]:
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return {}
    return {str(k): v for k, v in held.items() if isinstance(v, int)}


def session_lifetime() -> timedelta:
    return timedelta(hours=settings.LOKET_PORTAL_SESSION_HOURS)
