"""The inbound pipeline: every channel's messages go through `receive`, which decides once -
noise, reply to which ticket, held for an agent, or a new ticket - and then opens or appends
through the ticket operations, in one transaction with the record of what arrived.

Billing is consulted before the transaction starts (it may be an HTTP API), never inside it.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import translation

from loket import failpoints
from loket.directory.billing import billing_facts
from loket.directory.queries import storefront_named
from loket.inbound.language import guess_language
from loket.inbound.message import InboundMessage, Undeliverable
from loket.inbound.models import WAITING_FOR_AGENT, BlockedSender, InboundRecord, InboundStatus
from loket.inbound.text import file_name, one_line
from loket.notify.models import OutboxMessage, UndeliverableAddress
from loket.policy.queries import (
    active_category_codes,
    active_policy,
    default_language,
    pinned_policy,
)
from loket.tickets.escalation import RequestAnswer, request_escalation
from loket.tickets.merging import surviving
from loket.tickets.models import Channel, EventKind, Message, Status, Ticket
from loket.tickets.operations import (
    TicketClosed,
    open_ticket,
    record_requester_reply,
    redirect_to_seller,
)
from loket.tickets.quotas import OverQuota, admit_files, left_out_note
from loket.tickets.references import find_references
from loket.tickets.sniffing import IncomingFile
from loket.tickets.timeline import Provenance, record_event
from loket.triage.checklist import VERIFIABLE, checklist, listed, missing
from loket.triage.classify import classify
from loket.triage.evidence import extract, steps_described
from loket.triage.redaction import redact

# Channels whose sender is who they say (a mailbox, a phone number): they may continue a
# ticket. The contact form and the API name an address nobody has proved, so they never do.
THREADING_CHANNELS = frozenset({Channel.EMAIL, Channel.WHATSAPP})
# Channels whose sender is a phone number (E.164) rather than an e-mail address.
PHONE_CHANNELS = frozenset({Channel.WHATSAPP, Channel.PHONE})
# Channels with a form before the requester: files over a quota refuse the whole submission and
# the form says so; the others (e-mail, WhatsApp) keep the message and note the files left out.
FORM_CHANNELS = frozenset({Channel.WEB, Channel.PORTAL})
ROOT_ID_DOMAIN = "@tickets.loket>"
ACKNOWLEDGEMENT = "acknowledgement"
# A thread's nearest messages decide; a hostile References header cannot cost more lookups.
MAX_THREAD_IDS = 20
SCRUBBED = b"[The raw message is not kept: it held a password or one-time code (POLICY S13).]\n"


@dataclass(frozen=True)
class Outcome:
    outcome: str  # created | appended | held | ignored | duplicate | blocked
    ticket: Ticket | None
    reason: str = ""


def receive(
    message: InboundMessage,
    *,
    now: datetime,
    record: InboundRecord | None = None,
    on_created: Callable[[Ticket], object] | None = None,
) -> Outcome:
    """Decide and act, in one transaction with the record's new status (so a crash leaves the
    record `received`, to be processed again, and never a ticket without its record).
    `on_created`: the channel's own bookkeeping for a new ticket, in that same transaction."""
    with pinned_policy():
        inspected = consult_billing(inspect(message))
        known = read_ahead(inspected, now)
        with transaction.atomic():
            if record is not None and not claimed(record):
                return Outcome("duplicate", record.ticket, "processed by another ingester")
            outcome = decide(inspected, now, known)
            if on_created is not None and outcome.outcome == "created" and outcome.ticket:
                on_created(outcome.ticket)
            failpoints.reached("outbox")
            if record is not None:
                finish(record, outcome, inspected, now)
    return outcome


@dataclass(frozen=True)
class Known:
    """What is read about the sender before the write transaction, to keep it short: whether
    they are blocked, how many acknowledgements they got in the last hour (two messages from
    one sender at the same instant may both be acknowledged: the cap is against floods)."""

    blocked: bool
    acknowledgements: int


def read_ahead(message: InboundMessage, now: datetime) -> Known:
    if message.automatic:
        return Known(blocked=False, acknowledgements=0)
    address = message.sender_address
    return Known(is_blocked(address), acknowledgements_sent(address, now))


def claimed(record: InboundRecord) -> bool:
    """Lock the record; only one ingester may act on a message still `received`."""
    current = InboundRecord.objects.select_for_update().filter(pk=record.pk)
    return current.values_list("status", flat=True).first() == InboundStatus.RECEIVED


def inspect(message: InboundMessage) -> InboundMessage:
    """Where the text is looked at before anything stores it, on every channel: one-line
    fields (subject, sender name, file names) without breaks, control characters or bidi
    controls (loket.inbound.text); the language when none is given, every password and
    one-time code removed (S13) from the subject, the text and the HTML, then triage of what
    is left. The text keeps its bidi controls: pages show it isolated (dir="auto")."""
    language = message.language or guess_language(message.text, default_language())
    subject, text, html = (
        redact(part, language) for part in (one_line(message.subject), message.text, message.html)
    )
    return replace(
        message, language=language, subject=subject.text, text=text.text, html=html.text,
        sender_name=one_line(message.sender_name),
        attachments=tuple(
            replace(file, filename=file_name(file.filename)) for file in message.attachments
        ),
        redactions=subject.count + max(text.count, html.count),
        triage=decide_what_it_is(f"{subject.text}\n{text.text}", language),
    )  # fmt: skip


def decide_what_it_is(text: str, language: str) -> dict[str, object]:
    """Triage of the redacted text: category with confidence and reasons, route, escalation
    request, evidence, storefront (recorded on the ticket's timeline)."""
    decision = classify(text, tuple(active_category_codes()))
    return {
        "category": decision.category, "confidence": decision.confidence,
        "reasons": list(decision.reasons), "route": decision.route, "buyer": decision.buyer,
        "escalation_request": decision.escalation_request, "storefront": decision.storefront,
        "evidence": extract(text, language),
    }  # fmt: skip


def consult_billing(message: InboundMessage) -> InboundMessage:
    """What the billing directory knows of the addresses and invoices the message names (S8),
    added to its triage for the checklist; only for Catalo.id's own customers' matters."""
    if message.triage is None or message.automatic:
        return message
    evidence = message.triage.get("evidence")
    evidence = evidence if isinstance(evidence, dict) else {}
    document = active_policy().document
    code = category_of(message)
    category = document.category(code)
    invoices = listed(evidence.get("invoice_ref"))
    checkable = bool(category and VERIFIABLE & set(category.evidence))
    if document.is_buyer_matter(code) or not (checkable or invoices):
        return message
    emails = [*listed(evidence.get("account_email")), message.sender_address]
    triage = {**message.triage, "billing": billing_facts(emails, invoices)}
    return replace(message, triage=triage)


def decide(message: InboundMessage, now: datetime, known: Known) -> Outcome:
    if message.automatic:
        return absorb_automatic(message, now)
    if known.blocked:
        return Outcome("blocked", None, f"{message.sender_address} is blocked")
    if message.channel == Channel.WHATSAPP:
        return decide_conversation(message, now, known)
    ticket = thread_target(message) if message.channel in THREADING_CHANNELS else None
    if ticket is None:
        return open_new(message, now, known)
    if not message.sender_verified:
        return Outcome("held", ticket, "the sender could not be verified: " + warnings(message))
    if not is_participant(message.sender_address, ticket):
        return Outcome("held", ticket, f"{message.sender_address} is not on {ticket.reference}")
    return append(message, ticket, now)


def decide_conversation(message: InboundMessage, now: datetime, known: Known) -> Outcome:
    """A chat has no subject line and no Message-IDs: a reference in the text threads to that
    ticket when this number is on it; else the number's open ticket; else a new one."""
    named = ticket_in_text(message.text[:20_000])
    named = surviving(named) if named is not None else None
    if named is not None and is_participant(message.sender_address, named):
        return append(message, named, now)
    ticket = open_ticket_of_number(message.sender_address)
    if ticket is not None:
        return append(message, ticket, now)
    return open_new(message, now, known)


def open_ticket_of_number(number: str) -> Ticket | None:
    """The number's most recently active ticket that is not closed."""
    tickets = Ticket.objects.filter(requester_phone=number).exclude(status=Status.CLOSED)
    return tickets.order_by("-updated_at", "-pk").first()


def is_blocked(address: str) -> bool:
    return BlockedSender.objects.filter(address=address.strip().lower()).exists()


def append(
    message: InboundMessage, ticket: Ticket, now: datetime, *, follow_up_if_closed: bool = True
) -> Outcome:
    """Add the message to the ticket; a closed ticket gets a new follow-up ticket instead
    (or, with `follow_up_if_closed=False`, the caller hears TicketClosed)."""
    mark_deliverable(message.sender_address)
    try:
        if ticket.status == Status.CLOSED:
            raise TicketClosed(ticket.reference)
        message = within_quota(message, ticket)
        record_requester_reply(
            ticket=ticket, body=message.text, channel=message.channel,
            attachments=message.attachments, provenance=provenance(message), now=now,
        )  # fmt: skip
    except TicketClosed:
        if not follow_up_if_closed:
            raise
        return open_new(message, now, follow_up_of=ticket)
    if message.triage is not None:
        data = dict(message.triage) | {"reply": True}
        record_event(ticket.pk, EventKind.TRIAGED, data=data, now=now)
        if message.triage.get("escalation_request"):
            answer = request_escalation(
                ticket=ticket, summary=message.text, channel=message.channel, now=now
            )
            return Outcome("appended", ticket, f"escalation request: {answer.outcome}")
    return Outcome("appended", ticket)


def open_new(
    message: InboundMessage,
    now: datetime,
    known: Known | None = None,
    *,
    follow_up_of: Ticket | None = None,
) -> Outcome:
    if message.channel in THREADING_CHANNELS:
        mark_deliverable(message.sender_address)
    message = within_quota(message, None)
    sent = (
        known.acknowledgements
        if known is not None
        else acknowledgements_sent(message.sender_address, now)
    )
    acknowledge = sent < ack_limit()
    category = category_of(message)
    triage = message.triage or {}
    buyer_matter = active_policy().document.is_buyer_matter(category)
    redirect = buyer_matter and triage.get("category") != "complaint"
    store = (
        storefront_named(str(triage.get("storefront") or ""), message.text) if redirect else None
    )
    by_phone = message.channel in PHONE_CHANNELS
    ticket = open_ticket(
        subject=subject_of(message), body=message.text, category_code=category,
        requester_name=message.sender_name[:200],
        requester_email="" if by_phone else message.sender_address,
        requester_phone=message.sender_address if by_phone else "",
        language=message.language or default_language(), channel=message.channel,
        attachments=message.attachments, time_zone=message.time_zone,
        provenance=provenance(message), reply_address=message.mailbox, storefront=store,
        acknowledge=acknowledge,
        ask_for=() if buyer_matter else missing_evidence(message, category),
        follow_up_of=follow_up_of.reference if follow_up_of else None, via=message.via,
        now=now,
    )  # fmt: skip
    record_triage(ticket, message, now)
    if redirect:
        ticket = redirect_to_seller(ticket=ticket, now=now)
    reason = "" if acknowledge else "acknowledgement withheld: too many from this sender"
    return Outcome("created", ticket, reason or ("redirected to the seller" if redirect else ""))


def within_quota(message: InboundMessage, ticket: Ticket | None) -> InboundMessage:
    """The message with the files that fit the upload quotas (loket.tickets.quotas); a form's
    submission over one raises OverQuota, an e-mail or chat message loses those files and
    gains a note, in the ticket's language, naming them."""
    if not message.attachments:
        return message
    form = message.channel in FORM_CHANNELS
    admitted = admit_files(
        message.attachments, ticket=ticket, all_or_nothing=form,
        client=message.client_address or message.sender_address,
    )  # fmt: skip
    if not admitted.left_out:
        return message
    if form:
        raise OverQuota(admitted)
    language = ticket.language if ticket is not None else message.language
    with translation.override(language or default_language()):
        note = left_out_note(admitted)
    return replace(message, attachments=admitted.kept, text=f"{message.text.rstrip()}\n\n{note}\n")


def missing_evidence(message: InboundMessage, category: str) -> list[str]:
    """The codes of the evidence items (S8) the category needs that nothing in the message
    answers: the acknowledgement asks for exactly these."""
    triage = message.triage or {}
    evidence = triage.get("evidence")
    billing = triage.get("billing")
    items = checklist(
        active_policy().document, category, message.language or default_language(),
        evidence if isinstance(evidence, dict) else {}, sender_address=message.sender_address,
        has_screenshot=any(f.content_type.startswith("image/") for f in message.attachments),
        has_steps=steps_described(message.text),
        billing=billing if isinstance(billing, dict) else None,
    )  # fmt: skip
    return [item.code for item in missing(items)]


# A requester's own choice of category stands; triage this sure of another is flagged.
DISAGREEMENT_CONFIDENCE = 0.8


def record_triage(ticket: Ticket, message: InboundMessage, now: datetime) -> None:
    if message.triage is None:
        return
    data = dict(message.triage)
    chosen = message.category_code
    data["chosen_by_requester"] = chosen
    data["disagrees"] = bool(
        chosen and data["category"] != chosen
        and float(str(data["confidence"])) >= DISAGREEMENT_CONFIDENCE
    )  # fmt: skip
    record_event(ticket.pk, EventKind.TRIAGED, data=data, now=now)


def absorb_automatic(message: InboundMessage, now: datetime) -> Outcome:
    """A robot's mail: recorded on the ticket it concerns, if any; never answered."""
    ticket = thread_target(message) if message.channel in THREADING_CHANNELS else None
    bounce = message.undeliverable
    if bounce is not None:
        ticket = ticket or ticket_of_message_id(bounce.original_message_id)
        mark_undeliverable(bounce, now)
    if ticket is not None:
        kind = EventKind.MAIL_BOUNCED if bounce else EventKind.AUTOMATIC_MAIL
        data: dict[str, object] = {"reason": message.automatic, "subject": message.subject[:200]}
        if bounce:
            data |= {"addresses": list(bounce.addresses), "status": bounce.status}
        record_event(ticket.pk, kind, actor_label=message.sender_address, data=data, now=now)
    return Outcome("ignored", ticket, str(message.automatic))


# --- which ticket a message continues ----------------------------------------------------------


def thread_target(message: InboundMessage) -> Ticket | None:
    """The ticket a message continues; a merged duplicate's thread continues its survivor."""
    found = (
        ticket_of_message_ids(message.thread_ids)
        or ticket_in_text(message.subject)
        or ticket_in_text(message.text[:20_000])
    )
    return surviving(found) if found is not None else None


def ticket_of_message_ids(ids: tuple[str, ...]) -> Ticket | None:
    """Our own mails' Message-IDs (unguessable), the thread root, or a requester's earlier
    Message-ID; the nearest in the thread wins."""
    for message_id in ids[:MAX_THREAD_IDS]:
        if ticket := ticket_of_message_id(message_id):
            return ticket
    return None


def ticket_of_message_id(message_id: str | None) -> Ticket | None:
    if not message_id:
        return None
    if message_id.endswith(ROOT_ID_DOMAIN):
        return Ticket.objects.filter(reference=message_id[1 : -len(ROOT_ID_DOMAIN)]).first()
    ours = our_mail(message_id)
    if ours is not None and ours.ticket_id is not None:
        return Ticket.objects.filter(pk=ours.ticket_id).first()
    earlier = Message.objects.filter(external_id=message_id).select_related("ticket").first()
    return earlier.ticket if earlier else None


def ticket_in_text(text: str) -> Ticket | None:
    references = find_references(text, settings.LOKET_REFERENCE_PREFIX)
    return Ticket.objects.filter(reference__in=references[:5]).first() if references else None


def is_participant(address: str, ticket: Ticket) -> bool:
    """The ticket's requester: its e-mail address, or its phone number."""
    known = (ticket.requester_email.casefold(), ticket.requester_phone)
    return bool(address) and address.casefold() in known


# --- helpers -------------------------------------------------------------------------------------


def acknowledgements_sent(address: str, now: datetime) -> int:
    """In the last hour, whatever the case of the address (the index `outbox_recipient`)."""
    recent = OutboxMessage.objects.alias(recipient=Lower("to_address"))
    return recent.filter(
        recipient=address.lower(), kind=ACKNOWLEDGEMENT, created_at__gte=now - timedelta(hours=1)
    ).count()


def ack_limit() -> int:
    return int(settings.LOKET_ACKNOWLEDGEMENTS_PER_SENDER_PER_HOUR)


def category_of(message: InboundMessage) -> str:
    """The requester's choice (form, API); else triage's; else the configured default."""
    if message.category_code:
        return message.category_code
    codes = active_category_codes()
    guessed = str((message.triage or {}).get("category", ""))
    if guessed in codes:
        return guessed
    wanted = settings.LOKET_MAIL_DEFAULT_CATEGORY
    return wanted if wanted in codes or not codes else codes[0]


def subject_of(message: InboundMessage) -> str:
    subject = message.subject.strip()
    if not subject:
        first_line = next((line for line in message.text.splitlines() if line.strip()), "")
        subject = first_line.strip() or "(no subject)"
    return subject[:200]


def provenance(message: InboundMessage) -> Provenance:
    return Provenance(
        message.external_id, message.html, message.sender_warnings, message.redactions
    )


def warnings(message: InboundMessage) -> str:
    return "; ".join(message.sender_warnings) or "unverified sender"


def mark_undeliverable(bounce: Undeliverable, now: datetime) -> None:
    """A permanent bounce of one of our own mails marks the address it went to; a bounce that
    names no mail of ours (anyone can forge one) marks nothing, so nobody can stop another
    person's mail by sending us a fake bounce."""
    if not bounce.permanent:
        return
    ours = our_mail(bounce.original_message_id)
    bounced = {address.lower() for address in bounce.addresses}
    if ours is None or ours.to_address.lower() not in bounced:
        return
    UndeliverableAddress.objects.update_or_create(
        address=ours.to_address.lower()[:254],
        defaults={"status": bounce.status[:20], "bounced_at": now},
    )


def our_mail(message_id: str | None) -> OutboxMessage | None:
    local = (message_id or "").strip("<>").split("@", 1)[0]
    try:
        found = OutboxMessage.objects.filter(id=uuid.UUID(local))
    except ValueError:
        return None
    return found.only("id", "ticket_id", "to_address").first()


def mark_deliverable(address: str) -> None:
    """Mail from an address proves it works again."""
    UndeliverableAddress.objects.filter(address=address.lower()).delete()


def finish(record: InboundRecord, outcome: Outcome, message: InboundMessage, now: datetime) -> None:
    """The record's outcome. A message that held a secret keeps no raw copy once it is filed:
    the ticket has the redacted text; a held one keeps it until an agent decides."""
    record.status = outcome.outcome
    record.reason = outcome.reason
    record.ticket = outcome.ticket
    record.processed_at = now
    record.subject = message.subject[:300]
    if message.redactions and outcome.outcome != "held":
        record.raw = InboundRecord.pack(SCRUBBED)
    record.save(
        update_fields=["status", "reason", "ticket", "processed_at", "sender", "subject", "raw"]
    )


# --- the portal: the requester is known by the signed link ----------------------------------------


def reply_through_portal(
    ticket: Ticket,
    *,
    text: str,
    attachments: tuple[IncomingFile, ...],
    client_address: str = "",
    now: datetime,
) -> Outcome:
    """A reply typed on the ticket's page: redacted and triaged like every channel (an
    escalation request in it is one), then added to the ticket. A closed ticket refuses it."""
    if ticket.status == Status.CLOSED:
        raise TicketClosed(ticket.reference)
    message = InboundMessage(
        channel=Channel.PORTAL, sender_address=ticket.requester_email,
        sender_name=ticket.requester_name, subject="", text=text, received_at=now,
        attachments=attachments, language=ticket.language, client_address=client_address,
    )  # fmt: skip
    inspected = consult_billing(inspect(message))
    with transaction.atomic():
        return append(inspected, ticket, now, follow_up_if_closed=False)


def escalation_through_portal(ticket: Ticket, *, summary: str, now: datetime) -> RequestAnswer:
    """The portal's "ask for escalation" button: the summary is redacted like any text."""
    redacted = redact(summary, ticket.language)
    return request_escalation(ticket=ticket, summary=redacted.text, channel=Channel.PORTAL, now=now)


# --- an agent's decision on a held or quarantined message ---------------------------------------


class NotWaiting(ValueError):
    """The message was decided already (by another agent, or it was never held)."""


def decide_for_agent(
    message: InboundMessage,
    *,
    record: InboundRecord,
    ticket: Ticket | None,
    actor_label: str,
    now: datetime,
) -> Outcome:
    """Append to `ticket` (the agent vouches for the sender), or open a new ticket when None."""
    message = consult_billing(inspect(message))
    with transaction.atomic():
        waiting = InboundRecord.objects.select_for_update().filter(
            pk=record.pk, status__in=WAITING_FOR_AGENT
        )
        if waiting.values_list("pk", flat=True).first() is None:
            raise NotWaiting(record.pk)
        outcome = append(message, ticket, now) if ticket is not None else open_new(message, now)
        outcome = replace(outcome, reason=f"{outcome.outcome} by {actor_label}")
        finish(record, outcome, message, now)
    return outcome


def discard(record: InboundRecord, *, actor_label: str, now: datetime) -> None:
    updated = InboundRecord.objects.filter(pk=record.pk, status__in=WAITING_FOR_AGENT).update(
        status=InboundStatus.DISCARDED, reason=f"discarded by {actor_label}", processed_at=now
    )
    if not updated:
        raise NotWaiting(record.pk)
