"""Every change to a ticket: one transaction each, with its timeline Event and outbox rows."""

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils.translation import gettext as _

from loket import failpoints
from loket.directory.billing import billing_facts
from loket.directory.models import Storefront
from loket.notify import content, whatsapp
from loket.notify.delivery import TEMPLATE_KIND
from loket.notify.models import OutboxMessage
from loket.notify.outbox import EmailContent, queue_email, queue_for_requester, requester_route
from loket.policy.models import Category
from loket.policy.queries import active_category as active_category_or_none
from loket.policy.queries import active_policy, document_of
from loket.sla import operations as sla
from loket.sla.models import Clock
from loket.tickets import queries
from loket.tickets.models import (
    PRIORITY_RANKS,
    REOPENED_BY_REQUESTER,
    Channel,
    EventKind,
    Message,
    MessageKind,
    Priority,
    RefundDecision,
    RefundOutcome,
    Status,
    Ticket,
    VerificationStatus,
)
from loket.tickets.portal_access import revoke_unused_links
from loket.tickets.quarantine import scan_soon
from loket.tickets.references import make_reference
from loket.tickets.sniffing import IncomingFile
from loket.tickets.surveys import offer_survey
from loket.tickets.timeline import (
    NO_PROVENANCE,
    Agent,
    NewMessage,
    Provenance,
    add_message,
    display_name,
    index_subject,
    record_event,
    record_message,
    stored_user,
    touch,
)
from loket.tickets.verification import require_verified
from loket.triage.checklist import listed

REFERENCE_ATTEMPTS = 8


class TicketClosed(Exception):
    """The requester wrote to a closed ticket: they must open a new one."""


class UnknownCategory(ValueError):
    pass


def open_ticket(
    *,
    subject: str,
    body: str,
    category_code: str,
    requester_name: str,
    requester_email: str,
    language: str,
    channel: str,
    requester_phone: str = "",
    attachments: Sequence[IncomingFile] = (),
    time_zone: str = "",
    provenance: Provenance = NO_PROVENANCE,
    reply_address: str = "",
    storefront: Storefront | None = None,
    acknowledge: bool = True,
    follow_up_of: str | None = None,
    ask_for: Sequence[str] = (),
    opened_by: Agent | None = None,
    answered_by_phone: bool = False,
    via: str = "",
    now: datetime,
) -> Ticket:
    """A new case; acknowledged unless the sender had too many acknowledgements already. The
    acknowledgement asks for the evidence items `ask_for` (codes of the policy file) that the
    message lacks, and the ticket then waits on the requester (S8). `opened_by`: the agent who
    took a call; `answered_by_phone`: they answered it on the call, so the first-response clock
    is stopped before the acknowledgement, which then promises no first answer."""
    category = active_category(category_code)  # UnknownCategory before anything is written
    # No savepoint when a caller's transaction is open (the pipeline's): nobody goes on after
    # a failure here, and a savepoint is two more statements under SQLite's write lock.
    with transaction.atomic(savepoint=False):
        ticket, opened_with = new_ticket_and_clocks(
            subject=subject, category=category, channel=channel,
            requester_name=requester_name, requester_email=requester_email,
            requester_phone=requester_phone, language=language, time_zone=time_zone,
            reply_address=reply_address, storefront=storefront,
            status=Status.OPEN if answered_by_phone else Status.NEW,
            redactions=provenance.redactions, now=now,
        )  # fmt: skip
        if answered_by_phone:
            sla.answered_by_phone(ticket, now)
        # Stopped since, on a call: the acknowledgement reads them back.
        clocks = None if answered_by_phone else opened_with
        failpoints.reached("ticket")
        first = NewMessage(
            MessageKind.REQUESTER, channel, body, None, requester_name, attachments, provenance
        )
        message = add_message(ticket, first, now=now)
        scan_soon(message)
        data = {"channel": channel, "category": category.code, "message": message.pk}
        if follow_up_of:
            data["follow_up_of"] = follow_up_of
        if via:
            data["via"] = via
        label = None if opened_by else requester_name
        record_event(
            ticket.pk, EventKind.CREATED, actor=opened_by, actor_label=label, data=data, now=now
        )
        acknowledge_opening(ticket, acknowledge, list(ask_for), now, clocks)
    return ticket


def new_ticket_and_clocks(
    *,
    subject: str,
    category: Category,
    channel: str,
    requester_name: str,
    requester_email: str,
    requester_phone: str,
    language: str,
    time_zone: str = "",
    reply_address: str = "",
    storefront: Storefront | None = None,
    status: str = Status.NEW,
    redactions: int = 0,
    now: datetime,
) -> tuple[Ticket, list[Clock]]:
    """The ticket row with its reference, its subject in the search index and its clocks
    running; the caller adds the first message and the events (inside its transaction).
    Reference, clocks and queue position are known before the INSERT: one statement writes
    the ticket (SQLite's write lock is held for every statement of the transaction)."""
    version = active_policy().version
    clocks = sla.planned_clocks(version, category.code, now)
    group, at = sla.queue_position(((c.status, c.breached, c.breach_at) for c in clocks), now)
    pk = next_ticket_id()
    ticket = Ticket.objects.create(
        id=pk, reference=free_reference(pk),
        subject=subject, category=category, policy_version=version,
        channel=channel, requester_name=requester_name, requester_email=requester_email,
        requester_phone=requester_phone, language=language, time_zone=time_zone,
        reply_address=reply_address, storefront=storefront, status=status,
        redactions=redactions, priority_rank=priority_rank(category),
        queue_group=group, queue_at=at, created_at=now, updated_at=now,
    )  # fmt: skip
    index_subject(ticket)
    sla.store_clocks(ticket, clocks)
    return ticket, clocks


def acknowledge_opening(
    ticket: Ticket,
    acknowledge: bool,
    ask_for: list[str],
    now: datetime,
    clocks: Sequence[Clock] | None = None,
) -> None:
    """`clocks`: the ticket's clocks as they are now, when the caller holds them (saves
    reading them back inside the transaction)."""
    if not acknowledge:
        data = {"reason": "too many acknowledgements to this address in the last hour"}
        record_event(ticket.pk, EventKind.ACKNOWLEDGEMENT_WITHHELD, data=data, now=now)
        return
    mail = content.acknowledgement(ticket, now=now, ask_for=ask_for, clocks=clocks)
    mail_requester(ticket, "acknowledgement", mail, now)
    if ask_for:
        wait_for_evidence(ticket, ask_for, now)


def wait_for_evidence(ticket: Ticket, items: list[str], now: datetime) -> None:
    """The acknowledgement asked for exactly these items: the ticket waits on the requester
    and its resolution clock pauses until they reply (S8; the clock semantics of POLICY.md).
    The first-response clock runs on: only an agent's reply answers the request."""
    previous = ticket.status
    ticket.status = Status.PENDING_CUSTOMER
    sla.status_changed(ticket, previous, ticket.status, now)
    touch(ticket, now)
    record_event(ticket.pk, EventKind.EVIDENCE_REQUESTED, data={"items": items}, now=now)


def next_ticket_id() -> int:
    """The id the next ticket gets, taken before its INSERT so that its reference is part of
    it: PostgreSQL's sequence (never handed out twice); on SQLite, one past AUTOINCREMENT's
    counter, read under the write lock this transaction holds (IMMEDIATE), so no other
    writer can take it meanwhile."""
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            row = cursor.fetchone()
            return int(row[0])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
    return int(row[0]) + 1 if row else 1


def free_reference(pk: int) -> str:
    """Derived from the primary key through a keyed permutation, so references never collide
    by construction; one taken already (after a change of key) is tweaked until it is free."""
    key = hashlib.sha256(settings.LOKET_REFERENCE_KEY.encode()).digest()
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = make_reference(settings.LOKET_REFERENCE_PREFIX, pk, key, attempt)
        if not Ticket.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError(f"no free reference for ticket {pk} after {REFERENCE_ATTEMPTS} tries")


def record_requester_reply(
    *,
    ticket: Ticket,
    body: str,
    channel: str,
    attachments: Sequence[IncomingFile] = (),
    provenance: Provenance = NO_PROVENANCE,
    via: str = "",
    now: datetime,
) -> Message:
    """The requester's reply; `via` names an integration that passed it on (the API token)."""
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.status == Status.CLOSED:
            raise TicketClosed(ticket.reference)
        data: dict[str, object] = {"channel": channel}
        if via:
            data["via"] = via
        ticket.redactions += provenance.redactions
        if ticket.status in REOPENED_BY_REQUESTER:
            data["reopened_from"] = ticket.status
            sla.status_changed(ticket, ticket.status, Status.OPEN, now)
            ticket.status = Status.OPEN
        reply = NewMessage(
            MessageKind.REQUESTER, channel, body, None, ticket.requester_name, attachments,
            provenance,
        )  # fmt: skip
        message = record_message(
            ticket, reply, event_kind=EventKind.REQUESTER_REPLY, data=data, now=now
        )
        scan_soon(message)
        return message


def record_public_reply(
    *,
    ticket: Ticket,
    author: Agent,
    body: str,
    attachments: Sequence[IncomingFile] = (),
    status_after: str | None = None,
    channel: str = Channel.CONSOLE,
    now: datetime,
) -> Message:
    """An agent's answer, sent on the requester's channel. On WhatsApp, more than 24 hours after
    the requester last wrote, it is refused before anything is stored (WindowClosed): only a
    template may be sent then (`send_whatsapp_template`)."""
    route = requester_route(ticket)
    if route and route.channel == Channel.WHATSAPP and not whatsapp.window_open(route.address, now):
        raise whatsapp.WindowClosed(route.address)
    with transaction.atomic():
        ticket = lock(ticket)
        previous = ticket.status
        ticket.status = status_after or (Status.OPEN if previous == Status.NEW else previous)
        sla.first_public_reply(ticket, now)
        data: dict[str, object] = {}
        if ticket.status != previous:
            sla.status_changed(ticket, previous, ticket.status, now)
            data["status"] = {"from": previous, "to": ticket.status}
        reply = NewMessage(MessageKind.PUBLIC_REPLY, channel, body, author, "", attachments)
        message = record_message(
            ticket, reply, event_kind=EventKind.PUBLIC_REPLY, data=data, now=now
        )
        scan_soon(message)
        mail = content.public_reply(ticket, message, now=now)
        mail_requester(ticket, "public_reply", mail, now)
        if ticket.status == Status.RESOLVED != previous:
            offer_survey(ticket, now)
    return message


class UnknownTemplate(ValueError):
    """Not one of the templates the policy file lists."""


def send_whatsapp_template(
    *, ticket: Ticket, name: str, language: str, actor: Agent | None, now: datetime
) -> OutboxMessage:
    """One of the policy's approved templates to the requester's number, at any time (S6: the
    way back to a requester whose 24-hour window has closed); its parameter is the reference."""
    assert ticket.policy_version is not None
    templates = document_of(ticket.policy_version).channels.whatsapp_templates
    template = next((t for t in templates if (t.name, t.language) == (name, language)), None)
    if template is None or not ticket.requester_phone:
        raise UnknownTemplate(f"{name} ({language})")
    parameters = [str(ticket.reference)] if template.with_reference else []
    with transaction.atomic():
        ticket = lock(ticket)
        touch(ticket, now)
        mail = EmailContent(
            subject="", body=f"[{template.label}]",
            headers={"template": name, "language": language, "parameters": json.dumps(parameters)},
        )  # fmt: skip
        row = queue_email(
            ticket=ticket, kind=TEMPLATE_KIND, to_address=ticket.requester_phone, content=mail,
            now=now, channel=Channel.WHATSAPP,
        )  # fmt: skip
        data = {"template": name, "language": language, "outbox": str(row.id)}
        record_event(ticket.pk, EventKind.WHATSAPP_TEMPLATE, actor=actor, data=data, now=now)
    return row


def record_internal_note(
    *, ticket: Ticket, author: Agent | None, body: str, now: datetime, author_label: str = ""
) -> Message:
    """An agent's note, or an integration's (`author_label`: "API: storefront")."""
    with transaction.atomic():
        ticket = lock(ticket)
        note = NewMessage(MessageKind.INTERNAL_NOTE, Channel.CONSOLE, body, author, author_label)
        return record_message(ticket, note, event_kind=EventKind.INTERNAL_NOTE, now=now)


def set_status(*, ticket: Ticket, status: str, actor: Agent | None, now: datetime) -> Ticket:
    if status not in Status.values:
        raise ValueError(f"unknown status {status!r}")
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.status == status:
            return ticket
        if ticket.escalation_level and status in (Status.RESOLVED, Status.CLOSED):
            # Settling a ticket in review is the review's step (S11), protected like it.
            require_verified(ticket, "resolve_in_review", now)
        previous = ticket.status
        ticket.status = status
        sla.status_changed(ticket, previous, status, now)
        touch(ticket, now)
        data = {"from": previous, "to": status}
        record_event(ticket.pk, EventKind.STATUS_CHANGED, actor=actor, data=data, now=now)
        if status == Status.RESOLVED:
            offer_survey(ticket, now)
    return ticket


def assign(
    *, ticket: Ticket, assignee: AbstractBaseUser | None, actor: Agent | None, now: datetime
) -> Ticket:
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.assignee_id == (assignee.pk if assignee else None):
            return ticket
        ticket.assignee = assignee  # type: ignore[assignment]
        touch(ticket, now)
        data = {"assignee": display_name(assignee) if assignee else None}
        record_event(ticket.pk, EventKind.ASSIGNED, actor=actor, data=data, now=now)
    return ticket


def change_priority(
    *, ticket: Ticket, rank: int, reason: str, actor: Agent | None, now: datetime
) -> Ticket:
    """An agent raises (or lowers) the category's priority, with a reason on the timeline; the
    ticket moves in the queue among tickets with the same deadline."""
    if rank not in Priority.values or not reason.strip():
        raise ValueError("a priority and a reason are needed")
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.priority_rank == rank:
            return ticket
        data = {"from": ticket.priority_rank, "to": rank, "reason": reason.strip()[:500]}
        ticket.priority_rank = rank
        touch(ticket, now)
        record_event(ticket.pk, EventKind.PRIORITY_CHANGED, actor=actor, data=data, now=now)
    return ticket


def mark_complex(*, ticket: Ticket, reason: str, actor: Agent | None, now: datetime) -> Ticket:
    """S10: fraud checks and third-party payment verification take longer; the requester is
    kept updated. Marking twice changes nothing."""
    assert ticket.policy_version is not None
    reasons = document_of(ticket.policy_version).sla.complex_reasons
    if reason not in reasons:
        raise ValueError(f"unknown reason {reason!r}; use one of {', '.join(reasons)}")
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.complex_reason:
            return ticket
        ticket.complex_reason = reason
        sla.extend_for_complex_case(ticket, now)
        touch(ticket, now)
        data = {"reason": reason}
        record_event(ticket.pk, EventKind.MARKED_COMPLEX, actor=actor, data=data, now=now)
    return ticket


def recategorise(
    *, ticket: Ticket, category_code: str, actor: Agent | None, now: datetime
) -> Ticket:
    """A new category takes its targets from the policy version in force now."""
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.category_id == category_code:
            return ticket
        previous = ticket.category_id
        ticket.category = active_category(category_code)
        ticket.priority_rank = priority_rank(ticket.category)
        ticket.policy_version = active_policy().version
        sla.recategorised(ticket, now)
        touch(ticket, now)
        data = {"from": previous, "to": category_code}
        record_event(ticket.pk, EventKind.RECATEGORISED, actor=actor, data=data, now=now)
    return ticket


def redirect_to_seller(*, ticket: Ticket, now: datetime) -> Ticket:
    """S2: a buyer's payment, refund or delivery is the seller's to handle. The
    acknowledgement already told the buyer so (with the seller's contact when the store is
    known); the ticket is resolved as redirected, and reopens if the buyer writes again."""
    with transaction.atomic():
        ticket = lock(ticket)
        previous = ticket.status
        ticket.status = Status.RESOLVED
        sla.status_changed(ticket, previous, ticket.status, now)
        touch(ticket, now)
        store = ticket.storefront
        data = {"storefront": store.slug if store else None, "from": previous}
        record_event(ticket.pk, EventKind.REDIRECTED_TO_SELLER, data=data, now=now)
    return ticket


class RefundRefused(ValueError):
    """The decision lacks what the policy needs; the message says what, for the agent."""


def decide_refund(
    *,
    ticket: Ticket,
    outcome: str,
    reason_code: str,
    invoice_number: str,
    amount: Decimal | None,
    currency: str,
    payment_method: str,
    note: str,
    actor: Agent | None,
    now: datetime,
) -> RefundDecision:
    """S12: the agent decides; an approval names a reason the policy accepts and the original
    payment method the money goes back to, a decline says why. Later decisions supersede
    earlier ones (all are kept on the timeline)."""
    assert ticket.policy_version is not None
    reasons = {reason.code for reason in document_of(ticket.policy_version).refunds.reasons}
    if outcome not in RefundOutcome.values:
        raise RefundRefused(f"unknown outcome {outcome!r}")
    if outcome == RefundOutcome.APPROVED and reason_code not in reasons:
        raise RefundRefused(_("An approval needs one of the reasons the policy accepts."))
    if outcome == RefundOutcome.APPROVED and not payment_method.strip():
        raise RefundRefused(_("An approval needs the original payment method."))
    if outcome == RefundOutcome.DECLINED and not note.strip():
        raise RefundRefused(_("A decline needs a note saying why."))
    require_verified(ticket, "refund_decision", now)
    with transaction.atomic():
        ticket = lock(ticket)
        decision = RefundDecision.objects.create(
            ticket=ticket, outcome=outcome, reason_code=reason_code,
            invoice_number=invoice_number.strip(), amount=amount, currency=currency.strip(),
            payment_method=payment_method.strip(), note=note.strip(),
            decided_by=stored_user(actor), decided_at=now,
        )  # fmt: skip
        touch(ticket, now)
        data = {"decision": decision.pk, "outcome": outcome, "reason": reason_code,
                "invoice": decision.invoice_number, "payment_method": decision.payment_method,
                "amount": str(amount) if amount is not None else None}  # fmt: skip
        record_event(ticket.pk, EventKind.REFUND_DECIDED, actor=actor, data=data, now=now)
    return decision


def record_account_change(
    *, ticket: Ticket, change: str, note: str, actor: Agent | None, now: datetime
) -> None:
    """S13: an account change made for an account_security ticket (a new e-mail, 2FA reset,
    ownership transfer - the policy's list), recorded once ownership is verified."""
    assert ticket.policy_version is not None
    if change not in document_of(ticket.policy_version).verification.account_changes:
        raise ValueError(f"unknown account change {change!r}")
    require_verified(ticket, change, now)
    with transaction.atomic():
        ticket = lock(ticket)
        touch(ticket, now)
        verified = ticket.verifications.filter(status=VerificationStatus.VERIFIED).first()
        data = {"change": change, "note": note.strip()[:2000],
                "account_id": verified.account_id if verified else None}  # fmt: skip
        record_event(ticket.pk, EventKind.ACCOUNT_CHANGED, actor=actor, data=data, now=now)


def recheck_billing(*, ticket: Ticket, actor: Agent | None, now: datetime) -> dict[str, object]:
    """Ask billing again about every address and invoice the requester gave (S8): after the
    billing API was down (items "not checked"), or once an account was imported. The answer
    joins the ticket's triage record, so the checklist shows it; nothing else changes."""
    decisions = queries.triage_decisions(ticket)
    evidence = queries.gathered_evidence(decisions)
    emails = [ticket.requester_email, *listed(evidence.get("account_email"))]
    facts = billing_facts(emails, listed(evidence.get("invoice_ref")))  # before the transaction
    with transaction.atomic():
        data = {"reply": True, "recheck": True, "evidence": {}, "billing": facts}
        record_event(ticket.pk, EventKind.TRIAGED, actor=actor, data=data, now=now)
    return facts


def send_portal_link(*, ticket: Ticket, now: datetime) -> None:
    """Mail a fresh portal link to the requester's address on file (never another address);
    the links nobody opened yet stop working (tickets/portal_access.py)."""
    with transaction.atomic():
        ticket = lock(ticket)
        revoked = revoke_unused_links(ticket, now)
        mail_requester(ticket, "portal_link", content.portal_link(ticket, now=now), now)
        record_event(ticket.pk, EventKind.PORTAL_LINK_SENT, data={"revoked": revoked}, now=now)


# --- helpers shared by the operations above -------------------------------------------------


def priority_rank(category: Category) -> int:
    return PRIORITY_RANKS.get(category.priority, PRIORITY_RANKS["normal"])


def active_category(code: str) -> Category:
    category = active_category_or_none(code)
    if category is None:
        raise UnknownCategory(code)
    return category


def mail_requester(ticket: Ticket, kind: str, mail: EmailContent, now: datetime) -> None:
    """To the address or number on the ticket, never another: written to the outbox in this
    transaction."""
    queue_for_requester(ticket, kind, mail, now)


def lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock so two concurrent changes never lose one another."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)
