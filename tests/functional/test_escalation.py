"""The escalation path (POLICY.md S11, issue 10) lived over business days: a request before
the deadline is recorded and answered with the deadline; after it, the ticket goes to
supervisor review once; supervisors and operations review with reasons; roles refuse the rest."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from loket.directory.models import Account
from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.notify.models import OutboxMessage
from loket.sla.sweep import sweep
from loket.tickets.models import Channel, Event, EventKind, Status, Ticket
from loket.tickets.operations import mark_complex
from tests.builders import build_ticket, confirm_link, open_portal

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
SITI = "siti@tokobaju.example"


def at(text: str) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=WIB), tick=False)


def staff(name: str, group: str) -> User:
    user = User.objects.create_user(name, f"{name}@catalo.id", "pw")
    user.groups.add(Group.objects.get(name=group))  # made by the roles migration
    return user


def mail(text: str, key: str, subject: str = "Tagihan ganda") -> InboundMessage:
    return InboundMessage(
        channel=Channel.EMAIL, sender_address=SITI, sender_name="Siti", subject=subject,
        text=text, received_at=timezone.now(), external_id=f"<{key}@tokobaju.example>",
    )  # fmt: skip


def open_dispute() -> Ticket:
    text = "Ditagih dua kali INV-2026-0412 pada 20 Nov 2026, paket Pro; dispute ke BCA."
    outcome = receive(mail(text, "m1"), now=timezone.now())
    assert outcome.ticket is not None
    assert outcome.ticket.category_id == "billing_dispute"
    return outcome.ticket


def reply(ticket: Ticket, text: str, key: str) -> str:
    outcome = receive(mail(text, key, f"Re: [{ticket.reference}] Tagihan ganda"),
                      now=timezone.now())  # fmt: skip
    assert outcome.outcome == "appended"
    return outcome.reason


def answers(ticket: Ticket) -> list[str]:
    return list(
        OutboxMessage.objects.filter(ticket=ticket, kind="escalation_answer")
        .order_by("created_at", "id").values_list("body", flat=True)
    )  # fmt: skip


def test_a_request_before_the_deadline_is_recorded_and_after_it_escalates_once() -> None:
    supervisor = staff("sari", "supervisors")
    with at("2026-11-23 09:00"):  # Monday
        ticket = open_dispute()
    with at("2026-11-23 11:00"):
        assert reply(ticket, "Tolong dinaikkan ke atasan, sudah lama.", "r1") == (
            "escalation request: recorded"
        )
    ticket.refresh_from_db()
    assert ticket.escalation_level == 0
    [recorded] = answers(ticket)
    assert "Tenggat yang kami janjikan belum lewat" in recorded
    assert "23 Nov. 2026, 18.00 WIB" in recorded, "the first-answer deadline, in WIB"
    assert not OutboxMessage.objects.filter(kind="review_notice").exists()

    with at("2026-11-24 10:00"):  # Tuesday: the first answer was due Monday 18:00
        assert reply(ticket, "I'd like this reviewed by a manager please.", "r2") == (
            "escalation request: escalated"
        )
        assert reply(ticket, "上の方に確認していただけますか。", "r3") == (
            "escalation request: already"
        )
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    assert Event.objects.filter(ticket=ticket, kind=EventKind.ESCALATED).count() == 1
    escalated = Event.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert escalated.data["reason"] == "I'd like this reviewed by a manager please."
    later = answers(ticket)[1:]  # the two were written in the same instant: any order
    [granted] = [body for body in later if "Tenggatnya sudah lewat" in body]
    assert "Tinjauan supervisor" in granted
    assert sum("sudah dalam peninjauan" in body for body in later) == 1
    notice = OutboxMessage.objects.get(kind="review_notice")
    assert notice.to_address == supervisor.email
    assert str(ticket.reference) in notice.subject


def test_a_decoy_that_mentions_escalation_is_no_request() -> None:
    with at("2026-11-24 10:00"):
        ticket = open_dispute()
        assert reply(ticket, "Tidak perlu dieskalasi, terima kasih.", "d1") == ""
    assert not Event.objects.filter(ticket=ticket, kind=EventKind.ESCALATION_REQUESTED).exists()


def test_supervisors_and_operations_review_with_reasons_and_agents_are_refused(
    client: Client, agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    supervisor = staff("sari", "supervisors")
    operations = staff("oki", "operations")
    Account.objects.create(account_id="ACC-1001", email=SITI, plan="Pro")
    with at("2026-11-23 09:00"):
        ticket = open_dispute()
    url = f"/console/t/{ticket.reference}/"
    with at("2026-11-23 10:00"):
        client.force_login(agent)
        refused = client.post(url + "escalate/", {"reason": "please", "from_level": 0},
                              headers={"accept-language": "ja"})  # fmt: skip
        assert refused.status_code == 403
        assert "許可されていません" in refused.content.decode()
        assert client.get("/console/review/1/").status_code == 403
        assert Event.objects.filter(ticket=ticket, kind=EventKind.ACCESS_REFUSED).count() == 1

        client.force_login(supervisor)
        no_reason = client.post(url + "escalate/", {"reason": "", "from_level": 0})
        assert no_reason.status_code == 400
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url + "escalate/", {"reason": "Bank says it was refunded; check",
                                            "from_level": 0})  # fmt: skip
        twice = client.post(url + "escalate/", {"reason": "double click", "from_level": 0})
        assert twice.status_code == 400, "a double click does not raise it twice"
        queue = client.get("/console/review/1/").content.decode()
        assert str(ticket.reference) in queue
        assert "Bank says it was refunded" in queue
        # Escalating a billing dispute started the ownership check (S11): operations wait.
        waits = client.post(url + "escalate/", {"reason": "Needs the payment provider",
                                                "from_level": 1},
                            headers={"accept-language": "en"})  # fmt: skip
        assert waits.status_code == 400
        assert "has not confirmed ownership" in waits.content.decode()
        confirm_link(Client(), OutboxMessage.objects.get(kind="verification_link").body)
        client.post(url + "escalate/", {"reason": "Needs the payment provider", "from_level": 1})
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    assert OutboxMessage.objects.filter(kind="review_notice", to_address=operations.email).exists()
    notices = OutboxMessage.objects.filter(ticket=ticket, kind="escalation_notice")
    told = sorted("operasional" in notice.body for notice in notices)
    assert told == [False, True], "told of supervisor review, then of operations review"

    with at("2026-11-23 11:00"):
        client.force_login(supervisor)
        assert (
            client.post(url + "de-escalate/", {"reason": "x", "from_level": 2}).status_code == 403
        ), "level 2 is operations' to settle"
        client.force_login(operations)
        assert str(ticket.reference) in client.get("/console/review/2/").content.decode()
        client.post(url + "de-escalate/", {"reason": "Provider confirmed; back to supervisor",
                                            "from_level": 2})  # fmt: skip
        client.force_login(supervisor)
        client.post(url + "resolve-review/", {"reason": "Refunded to the BCA card",
                                               "from_level": 1})  # fmt: skip
    ticket.refresh_from_db()
    assert (ticket.escalation_level, ticket.status) == (1, Status.RESOLVED)
    kinds = list(ticket.events.filter(kind__in=[
        EventKind.ESCALATED, EventKind.DE_ESCALATED, EventKind.RESOLVED_IN_REVIEW,
    ]).order_by("id").values_list("kind", "data__reason"))  # fmt: skip
    assert kinds == [
        (EventKind.ESCALATED, "Bank says it was refunded; check"),
        (EventKind.ESCALATED, "Needs the payment provider"),
        (EventKind.DE_ESCALATED, "Provider confirmed; back to supervisor"),
        (EventKind.RESOLVED_IN_REVIEW, "Refunded to the BCA card"),
    ]


def test_a_breached_resolution_goes_to_supervisor_review_once(settings: object) -> None:
    staff("sari", "supervisors")
    with at("2026-11-23 09:00"):
        ticket = open_dispute()
    with at("2026-12-02 09:00"):  # five business days later and more
        sweep(timezone.now())
        sweep(timezone.now())
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    assert Event.objects.filter(ticket=ticket, kind=EventKind.ESCALATED).count() == 1
    assert OutboxMessage.objects.filter(ticket=ticket, kind="escalation_notice").count() == 1


def test_the_portal_button_asks_with_a_summary_and_shows_the_review(client: Client) -> None:
    with at("2026-11-23 09:00"):
        ticket = open_dispute()
    with at("2026-11-24 10:00"):
        page = open_portal(client, ticket)
        empty = client.post(page + "escalate/", {"summary": ""})
        assert empty.status_code == 400
        assert 'class="errorlist"' in empty.content.decode()
        assert not Event.objects.filter(ticket=ticket, kind=EventKind.ESCALATION_REQUESTED)
        client.post(page + "escalate/", {"summary": "Masih ditagih dua kali, mohon dicek."})
        shown = client.get(page).content.decode()
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    assert "Tinjauan supervisor" in shown
    assert 'data-testid="escalation-form"' not in shown, "asked once; no second button"


def test_account_security_sorts_first_among_tickets_due_at_the_same_time(
    client: Client, agent: User
) -> None:
    with at("2026-11-28 10:00"):  # Saturday: every clock starts Monday 09:00
        support = build_ticket(category="support", now=timezone.now())
        security = build_ticket(category="account_security", now=timezone.now())
    client.force_login(agent)
    page = client.get("/console/", headers={"accept-language": "en"}).content.decode()
    assert page.index(str(security.reference)) < page.index(str(support.reference))
    assert 'data-testid="priority"' in page


def test_a_due_progress_update_is_drafted_in_the_requesters_language_and_a_miss_shows(
    client: Client,
) -> None:
    supervisor = staff("sari", "supervisors")
    with at("2026-11-23 09:00"):
        ticket = open_dispute()
        mark_complex(ticket=ticket, reason="fraud_check", actor=supervisor, now=timezone.now())
    client.force_login(supervisor)
    with at("2026-11-25 17:00"):  # two business days on: the update is overdue
        sweep(timezone.now())
        page = client.get(f"/console/t/{ticket.reference}/", headers={"accept-language": "en"})
        html = page.content.decode()
        assert 'data-testid="update-due"' in html
        assert "pemeriksaan penipuan" in html, "drafted in Indonesian, naming the reason"
        queue = client.get("/console/review/1/").content.decode()
    assert 'data-testid="missed-update"' in queue, "the breach escalated it; the miss shows"


def test_the_status_form_cannot_settle_a_ticket_in_review_around_the_review(
    client: Client, agent: User
) -> None:
    supervisor = staff("sari", "supervisors")
    with at("2026-11-23 09:00"):
        ticket = open_dispute()
        client.force_login(supervisor)
        client.post(f"/console/t/{ticket.reference}/escalate/", {"reason": "x", "from_level": 0})
        client.force_login(agent)
        refused = client.post(f"/console/t/{ticket.reference}/status/", {"status": "resolved"})
        assert refused.status_code == 403, "an agent may not resolve a ticket in review"
        client.force_login(supervisor)
        waits = client.post(f"/console/t/{ticket.reference}/status/", {"status": "resolved"},
                            headers={"accept-language": "en"})  # fmt: skip
        assert waits.status_code == 400
        assert "has not confirmed ownership" in waits.content.decode()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_level) == (Status.NEW, 1)


def test_the_complex_reason_is_named_in_the_agents_language(client: Client, agent: User) -> None:
    with at("2026-11-23 09:00"):
        ticket = open_dispute()
        mark_complex(ticket=ticket, reason="fraud_check", actor=agent, now=timezone.now())
    client.force_login(agent)
    page = client.get(f"/console/t/{ticket.reference}/", headers={"accept-language": "ja"})
    assert '<dd data-testid="complex-reason">不正確認</dd>' in page.content.decode()
