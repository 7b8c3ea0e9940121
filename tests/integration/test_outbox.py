from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail

from loket.notify.delivery import claim, claim_due, deliver, deliver_due
from loket.notify.models import OutboxMessage, OutboxStatus
from loket.notify.outbox import recover_outbox
from loket.tickets.models import EventKind
from tests.builders import NOW, build_ticket
from tests.smtp import SmtpServer, free_port

pytestmark = pytest.mark.django_db


def test_delivering_the_acknowledgement_sends_it_once_and_records_it() -> None:
    ticket = build_ticket()
    row = OutboxMessage.objects.get(ticket=ticket)

    assert deliver(row.id, NOW) == "sent"
    assert deliver(row.id, NOW) == "skipped"

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject.startswith(f"[{ticket.reference}]")
    assert sent.to == ["siti@example.co.id"]
    assert sent.extra_headers["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert ticket.events.filter(kind=EventKind.MAIL_SENT).count() == 1


def test_a_real_smtp_server_receives_the_acknowledgement(smtp_settings: SmtpServer) -> None:
    ticket = build_ticket(language="ja", name="田中 花子")
    row = OutboxMessage.objects.get(ticket=ticket)
    assert smtp_settings.messages == [], "opening a ticket talks to no mail server"

    assert deliver(row.id, NOW) == "sent"

    [received] = smtp_settings.wait_for(1)
    assert f"[{ticket.reference}]" in received["Subject"]
    assert received["Auto-Submitted"] == "auto-replied"
    assert received["References"] == f"<{ticket.reference}@tickets.loket>"
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    assert "田中 花子" in body.get_content()


def test_a_failed_send_is_retried_later_and_given_up_after_the_last_attempt(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    settings.LOKET_OUTBOX_MAX_ATTEMPTS = 2
    ticket = build_ticket()
    row = OutboxMessage.objects.get(ticket=ticket)

    assert deliver(row.id, NOW) == "retry"
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(seconds=30)
    assert "refused" in row.last_error.lower()
    assert deliver(row.id, NOW) == "skipped", "not due before its retry time"

    assert deliver(row.id, row.next_attempt_at) == "failed"
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert ticket.events.filter(kind=EventKind.MAIL_FAILED).count() == 1


def test_only_one_worker_can_claim_a_message() -> None:
    row = OutboxMessage.objects.get(ticket=build_ticket())
    assert claim(row.id, NOW) is not None
    assert claim(row.id, NOW) is None


def test_a_claim_held_by_a_dead_worker_is_released_when_its_lease_ends(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOKET_OUTBOX_LEASE_SECONDS = 60
    row = OutboxMessage.objects.get(ticket=build_ticket())
    assert claim(row.id, NOW) is not None

    assert recover_outbox(NOW + timedelta(seconds=30)) == 0
    assert recover_outbox(NOW + timedelta(seconds=61)) == 1

    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert deliver(row.id, NOW + timedelta(seconds=61)) == "sent"
    assert len(mail.outbox) == 1


def test_mail_goes_out_as_text_and_html_in_the_requesters_language(
    smtp_settings: SmtpServer,
) -> None:
    ticket = build_ticket(language="ja", name="田中 <花子>")
    row = OutboxMessage.objects.get(ticket=ticket)
    assert deliver(row.id, NOW) == "sent"
    [received] = smtp_settings.wait_for(1)
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert str(ticket.reference) in text.get_content()
    markup = html.get_content()
    assert '<html lang="ja">' in markup
    assert str(ticket.reference) in markup
    assert "田中 &lt;花子&gt;" in markup, "the requester's words are escaped in the HTML"
    portal = f'href="{settings.LOKET_BASE_URL}/ja/portal/'
    assert portal in markup, "the portal link is clickable, under the requester's language"


def test_a_permanent_refusal_fails_at_once_and_the_ticket_says_so(
    smtp_settings: SmtpServer,
) -> None:
    smtp_settings.mailbox.refuse = "550 5.1.1 <siti@example.co.id>: user unknown"
    ticket = build_ticket()
    row = OutboxMessage.objects.get(ticket=ticket)
    assert deliver(row.id, NOW) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    failure = ticket.events.get(kind=EventKind.MAIL_FAILED)
    assert failure.data["permanent"] is True
    assert "user unknown" in failure.data["error"]


def test_a_temporary_refusal_is_retried_later(smtp_settings: SmtpServer) -> None:
    smtp_settings.mailbox.refuse = "451 4.7.1 try again later"
    row = OutboxMessage.objects.get(ticket=build_ticket())
    assert deliver(row.id, NOW) == "retry"
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.next_attempt_at > NOW


def test_due_mail_goes_out_in_batches_over_one_connection_and_is_recorded_once(  # type: ignore[no-untyped-def]
    smtp_settings: SmtpServer, settings
) -> None:
    settings.LOKET_OUTBOX_BATCH = 4
    tickets = [build_ticket(email=f"pelanggan{n}@example.co.id") for n in range(6)]

    first = deliver_due(NOW)
    second = deliver_due(NOW)

    assert (first, second) == (["sent"] * 4, ["sent"] * 2)
    assert deliver_due(NOW) == [], "nothing is sent twice"
    received = smtp_settings.wait_for(6)
    assert sorted(m["To"] for m in received) == sorted(t.requester_email for t in tickets)
    assert len(smtp_settings.mailbox.connections) == 2, "one SMTP connection per batch"
    for ticket in tickets:
        row = OutboxMessage.objects.get(ticket=ticket)
        assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.SENT, 1, NOW)
        assert ticket.events.filter(kind=EventKind.MAIL_SENT).count() == 1


def test_one_refused_address_does_not_stop_the_rest_of_its_batch(
    smtp_settings: SmtpServer,
) -> None:
    smtp_settings.mailbox.refuse_address["rusak@example.co.id"] = "550 5.1.1 user unknown"
    build_ticket(email="a@example.co.id")
    refused = build_ticket(email="rusak@example.co.id")
    build_ticket(email="b@example.co.id")

    assert sorted(deliver_due(NOW)) == ["failed", "sent", "sent"]

    assert sorted(m["To"] for m in smtp_settings.wait_for(2)) == [
        "a@example.co.id",
        "b@example.co.id",
    ]
    failure = refused.events.get(kind=EventKind.MAIL_FAILED)
    assert failure.data["permanent"] is True
    assert OutboxMessage.objects.get(ticket=refused).status == OutboxStatus.FAILED


def test_a_batch_takes_only_what_is_due_and_a_claimed_row_is_nobody_elses() -> None:
    now_row = OutboxMessage.objects.get(ticket=build_ticket())
    later_row = OutboxMessage.objects.get(ticket=build_ticket(email="nanti@example.co.id"))
    OutboxMessage.objects.filter(id=later_row.id).update(next_attempt_at=NOW + timedelta(minutes=5))

    [claimed] = claim_due(NOW, limit=10)
    assert claimed.id == now_row.id
    assert claim_due(NOW, limit=10) == [], "a second worker finds nothing to take"
    assert [row.id for row in claim_due(NOW + timedelta(minutes=5), limit=10)] == [later_row.id]


def test_a_batch_out_of_time_sends_no_more_and_hands_the_rest_back(settings) -> None:  # type: ignore[no-untyped-def]
    # A batch may spend half its lease sending: past that, another worker could take the rows
    # back and send them too. With no time at all, nothing is sent and nothing is lost.
    settings.LOKET_OUTBOX_LEASE_SECONDS = 0
    tickets = [build_ticket(email=f"pelanggan{n}@example.co.id") for n in range(3)]

    assert deliver_due(NOW) == ["released"] * 3

    assert mail.outbox == []
    rows = OutboxMessage.objects.filter(ticket__in=tickets)
    assert {(row.status, row.attempts, row.lease_until) for row in rows} == {
        (OutboxStatus.PENDING, 0, None)
    }
    assert not any(t.events.filter(kind=EventKind.MAIL_FAILED).exists() for t in tickets)
    settings.LOKET_OUTBOX_LEASE_SECONDS = 60
    assert deliver_due(NOW) == ["sent"] * 3
