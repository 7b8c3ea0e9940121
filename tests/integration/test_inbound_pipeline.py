"""The inbound pipeline every channel goes through: who may continue a ticket, what robots
may not do, and the cap on acknowledgements."""

from dataclasses import replace

import pytest
from django.test import override_settings

from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.notify.models import OutboxMessage
from loket.tickets.models import Channel, EventKind, Status, Ticket
from tests.builders import NOW, build_ticket

pytestmark = pytest.mark.django_db


def mail(**overrides: object) -> InboundMessage:
    message = InboundMessage(
        channel=Channel.EMAIL,
        sender_address="budi@example.co.id",
        sender_name="Budi Santoso",
        subject="Tagihan ganda",
        text="Kartu saya ditagih dua kali untuk langganan bulan ini.",
        received_at=NOW,
        external_id="<first@example.co.id>",
        mailbox="support@catalo.id",
    )
    return replace(message, **overrides)  # type: ignore[arg-type]


def test_a_new_mail_is_triaged_in_its_language_and_acknowledged_in_the_mail_thread() -> None:
    outcome = receive(mail(), now=NOW)
    ticket = outcome.ticket
    assert outcome.outcome == "created"
    assert ticket is not None
    assert (ticket.language, ticket.category_id, ticket.reply_address) == (
        "id", "billing_dispute", "support@catalo.id",
    )  # fmt: skip
    triage = ticket.events.get(kind=EventKind.TRIAGED).data
    assert triage["category"] == "billing_dispute"
    # The words that decided it, in the plain form triage matches on (lower case, shorthand
    # written out).
    assert triage["reasons"] == ["tagihan ganda"], "the words that decided it"
    acknowledgement = OutboxMessage.objects.get(ticket=ticket, kind="acknowledgement")
    assert acknowledgement.headers["In-Reply-To"] == "<first@example.co.id>"
    assert "<first@example.co.id>" in acknowledgement.headers["References"]
    assert acknowledgement.headers["Reply-To"] == "support@catalo.id"
    assert acknowledgement.headers["Auto-Submitted"] == "auto-replied"


def test_a_reply_threads_by_our_message_id_and_reopens_a_ticket_waiting_for_the_requester() -> None:
    ticket = receive(mail(), now=NOW).ticket
    assert ticket is not None
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.PENDING_CUSTOMER)
    ours = OutboxMessage.objects.get(ticket=ticket).message_id
    outcome = receive(
        mail(subject="Re: tagihan", external_id="<second@example.co.id>", thread_ids=(ours,)),
        now=NOW,
    )
    assert (outcome.outcome, outcome.ticket) == ("appended", ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.messages.count() == 2


def test_the_sender_address_is_compared_without_regard_to_case() -> None:
    ticket = receive(mail(), now=NOW).ticket
    assert ticket is not None
    reply = mail(sender_address="BUDI@Example.co.id", subject=f"Re: [{ticket.reference}]")
    assert receive(reply, now=NOW).outcome == "appended"


def test_the_contact_form_and_the_api_never_continue_a_ticket_by_its_reference() -> None:
    existing = build_ticket(email="budi@example.co.id")
    for channel in (Channel.WEB, Channel.API):
        outcome = receive(
            mail(channel=channel, subject=f"[{existing.reference}] more", category_code="support"),
            now=NOW,
        )
        assert outcome.outcome == "created"
        assert outcome.ticket != existing


def test_automatic_mail_never_opens_a_ticket() -> None:
    outcome = receive(mail(automatic="Auto-Submitted: auto-replied"), now=NOW)
    assert (outcome.outcome, outcome.ticket) == ("ignored", None)
    assert not Ticket.objects.exists()
    assert not OutboxMessage.objects.exists()


@override_settings(LOKET_ACKNOWLEDGEMENTS_PER_SENDER_PER_HOUR=2)
def test_a_flood_from_one_address_opens_tickets_but_acknowledges_only_up_to_the_cap() -> None:
    outcomes = [
        receive(mail(channel=Channel.WEB, category_code="support", subject=f"#{n}"), now=NOW)
        for n in range(4)
    ]
    assert [outcome.outcome for outcome in outcomes] == ["created"] * 4
    assert OutboxMessage.objects.filter(kind="acknowledgement").count() == 2
    withheld = [outcome.ticket for outcome in outcomes[2:]]
    for ticket in withheld:
        assert ticket is not None
        assert ticket.events.filter(kind=EventKind.ACKNOWLEDGEMENT_WITHHELD).exists()
    assert "withheld" in outcomes[3].reason


def test_a_category_the_requester_chose_stands_and_a_confident_disagreement_is_flagged() -> None:
    outcome = receive(
        mail(
            channel=Channel.WEB, category_code="access", text="I was charged twice, INV-2026-0398."
        ),
        now=NOW,
    )
    ticket = outcome.ticket
    assert ticket is not None
    assert ticket.category_id == "access"
    triage = ticket.events.get(kind=EventKind.TRIAGED).data
    assert (triage["category"], triage["chosen_by_requester"], triage["disagrees"]) == (
        "billing_dispute", "access", True,
    )  # fmt: skip
    assert triage["evidence"] == {"invoice_ref": "INV-2026-0398"}
