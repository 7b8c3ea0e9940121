"""Ownership verification (POLICY.md S11, S13): "Billing disputes may need additional
verification" - by a one-time link mailed to the account e-mail on file in billing, never by
asking for a password or a code.

A link is 32 random bytes; only its SHA-256 is stored, so a database copy opens nothing, and a
lookup by that hash cannot be timed to guess a token. It works once, until it expires
(LOKET_VERIFICATION_HOURS), and only for the ticket it was made for; a newer link supersedes
older ones; one ticket sends at most LOKET_VERIFICATION_LINKS_PER_HOUR links.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from loket.directory.billing import MAX_LOOKUPS, BillingUnavailable, billing_directory
from loket.directory.records import AccountRecord
from loket.notify import content
from loket.notify.outbox import queue_email
from loket.policy.queries import document_of
from loket.tickets import queries
from loket.tickets.links import public_path
from loket.tickets.models import (
    EventKind,
    OwnershipVerification,
    Ticket,
    VerificationStatus,
)
from loket.tickets.timeline import Agent, record_event
from loket.triage.checklist import listed

# A second press of the button within this time shows the same "confirmed" page (the first
# press did the work); later, the used link is refused like any dead link.
DOUBLE_CLICK = timedelta(minutes=2)


class VerificationRefused(ValueError):
    """No link can be sent now; the message tells the agent the next step."""


class VerificationNeeded(PermissionError):
    """A protected action waits for the requester to confirm ownership."""


def needs_verification(ticket: Ticket, action: str) -> bool:
    """Whether the policy protects this action on this ticket until ownership is verified."""
    if ticket.policy_version is None:
        return False
    rules = document_of(ticket.policy_version).verification
    if ticket.category_id == "account_security" and action in rules.account_changes:
        return True
    return ticket.category_id in rules.categories and action in rules.protected_actions


def state(ticket: Ticket, now: datetime) -> str:
    """none | pending | verified | expired | failed: what the latest link came to."""
    latest = ticket.verifications.first()
    if latest is None:
        return "none"
    if latest.status == VerificationStatus.PENDING and latest.expires_at <= now:
        return VerificationStatus.EXPIRED
    return str(latest.status)


def require_verified(ticket: Ticket, action: str, now: datetime) -> None:
    if needs_verification(ticket, action) and state(ticket, now) != VerificationStatus.VERIFIED:
        raise VerificationNeeded(action)


def account_on_file(ticket: Ticket) -> AccountRecord:
    """The account the request is about: the one billing has for the requester's address, or
    for an account address the requester named, or the owner of an invoice they named that is
    on file. The link goes to that account's address on file, wherever the request came from."""
    decisions = queries.triage_decisions(ticket)
    evidence = queries.gathered_evidence(decisions)
    billing = queries.gathered_billing(decisions) or {}
    named = listed(evidence.get("account_email"))
    # The owners of invoices the requester named that billing has on file: the link then
    # reaches the real owner, who sees who asked (the mail names the requesting address).
    invoices = billing.get("invoices") if billing.get("available") else None
    owners = [
        str(record.get("account_email"))
        for number, record in (invoices if isinstance(invoices, dict) else {}).items()
        if isinstance(record, dict) and number in listed(evidence.get("invoice_ref"))
    ]  # fmt: skip
    candidates = list(dict.fromkeys([ticket.requester_email, *named, *owners]))[:MAX_LOOKUPS]
    account = None
    try:
        directory = billing_directory()
        for address in candidates:
            if account := directory.account_by_email(address):
                break
    except BillingUnavailable as down:
        raise VerificationRefused(
            _("The billing directory did not answer (%(error)s); try again in a minute.")
            % {"error": down}
        ) from None
    if account is None:
        raise VerificationRefused(
            _(
                "No Catalo.id account on file for %(address)s: ask the requester which e-mail "
                "the subscription uses, or import the account (loket directory import "
                "accounts). The link only ever goes to the address on file."
            )
            % {"address": ticket.requester_email}
        )
    return account


def start_verification(
    *, ticket: Ticket, actor: Agent | None, now: datetime, account: AccountRecord | None = None
) -> None:
    """Mail a fresh one-time link to the account's address on file; older links stop working.
    `account` when the caller looked it up already (before its own transaction)."""
    account = account or account_on_file(ticket)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        recent = ticket.verifications.filter(created_at__gt=now - timedelta(hours=1)).count()
        if recent >= settings.LOKET_VERIFICATION_LINKS_PER_HOUR:
            raise VerificationRefused(
                _("Too many verification links for this ticket in the last hour.")
            )
        ticket.verifications.filter(status=VerificationStatus.PENDING).update(
            status=VerificationStatus.EXPIRED
        )
        token = secrets.token_urlsafe(32)
        OwnershipVerification.objects.create(
            ticket=ticket, account_id=account.account_id, sent_to=account.email,
            token_hash=digest(token), created_at=now,
            expires_at=now + timedelta(hours=settings.LOKET_VERIFICATION_HOURS),
        )  # fmt: skip
        mail = content.verification_link(
            ticket, url=verification_url(ticket, token), asked_by=masked(ticket.requester_email)
        )
        queue_email(ticket=ticket, kind="verification_link", to_address=account.email,
                    content=mail, now=now)  # fmt: skip
        data = {"account_id": account.account_id, "to": masked(account.email)}
        record_event(ticket.pk, EventKind.VERIFICATION_SENT, actor=actor, data=data, now=now)


@dataclass(frozen=True)
class Confirmation:
    outcome: str  # verified | expired | used | other_ticket | unknown
    verification: OwnershipVerification | None


def confirm(reference: str, token: str, now: datetime) -> Confirmation:
    """The requester followed the link and confirmed. Anything but `verified` is refused, and
    a known link that was misused leaves the reason on its ticket's timeline."""
    with transaction.atomic():
        found = (
            OwnershipVerification.objects.select_for_update()
            .select_related("ticket")
            .filter(token_hash=digest(token))
            .first()
        )
        if found is None or not hmac.compare_digest(found.token_hash, digest(token)):
            return Confirmation("unknown", None)
        if (
            found.status == VerificationStatus.VERIFIED and found.ticket.reference == reference
            and found.used_at is not None and now - found.used_at <= DOUBLE_CLICK
        ):  # fmt: skip
            return Confirmation("verified", found)  # a double click: the same answer, no change
        if found.status != VerificationStatus.PENDING:
            # A dead link changes nothing (a copy of a used link cannot undo the verification).
            outcome = "expired" if found.status == VerificationStatus.EXPIRED else "used"
            return Confirmation(outcome, found)
        if found.ticket.reference != reference:
            return failed(found, "other_ticket", now, status=VerificationStatus.FAILED)
        if found.expires_at <= now:
            return failed(found, "expired", now, status=VerificationStatus.EXPIRED)
        found.status = VerificationStatus.VERIFIED
        found.used_at = now
        found.save(update_fields=["status", "used_at"])
        data = {"account_id": found.account_id}
        record_event(found.ticket_id, EventKind.VERIFICATION_DONE, actor_label=found.sent_to,
                     data=data, now=now)  # fmt: skip
    return Confirmation("verified", found)


def failed(
    found: OwnershipVerification, outcome: str, now: datetime, *, status: str
) -> Confirmation:
    found.status = status
    found.save(update_fields=["status"])
    record_event(found.ticket_id, EventKind.VERIFICATION_FAILED, data={"reason": outcome}, now=now)
    return Confirmation(outcome, found)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verification_url(ticket: Ticket, token: str) -> str:
    reference = str(ticket.reference)
    path = public_path("portal:verify", ticket.language, reference=reference, token=token)
    return settings.LOKET_BASE_URL + path


def masked(address: str) -> str:
    """s***@example.co.id: enough for an agent to recognise, not to copy."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
