"""Phone calls logged from the console (POLICY.md S6): a call opens a ticket on the phone
channel or is recorded on an existing one; a call the agent answered stops the first-response
clock; the caller is acknowledged by e-mail or WhatsApp when an address or number is known."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from loket.notify.models import OutboxMessage
from loket.policy.operations import apply_policy
from loket.sla.models import Clock, ClockKind, ClockStatus
from loket.tickets.models import Channel, Event, EventKind, MessageKind, Status, Ticket
from tests.builders import NOW, build_ticket
from tests.fixtures import SHIPPED_POLICY

pytestmark = pytest.mark.django_db

E164 = "+6281234567890"
IMPOSSIBLE = "0812"


@pytest.fixture
def agent_client(client: Client, agent: User) -> Client:
    client.force_login(agent)
    return client


def new_call(**changes: str) -> dict[str, str]:
    fields = {
        "requester_name": "Budi Santoso",
        "number": "0812-3456-7890",
        "requester_email": "budi@example.co.id",
        "category": "access",
        "language": "id",
        "direction": "inbound",
        "minutes": "4",
        "summary": "Toko saya belum aktif setelah membayar paket Pro kemarin.",
    }
    return fields | changes


def first_response(ticket: Ticket) -> str:
    return Clock.objects.get(ticket=ticket, kind=ClockKind.FIRST_RESPONSE).status


def log_new(client: Client, fields: dict[str, str]) -> Ticket:
    response = client.post("/console/call/", fields)
    assert response.status_code == 302, response.content.decode()
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/console/t/{ticket.reference}/"
    return ticket


# --- a call that opens a ticket ---------------------------------------------------------------


def test_the_console_navigation_leads_to_the_call_page(agent_client: Client) -> None:
    queue = agent_client.get("/console/").content.decode()
    assert 'href="/console/call/"' in queue
    page = agent_client.get("/console/call/")
    assert page.status_code == 200
    assert 'name="summary"' in page.content.decode()


def test_only_agents_log_calls(client: Client) -> None:
    client.force_login(User.objects.create_user("buyer", password="x"))
    assert client.get("/console/call/").status_code == 404
    assert client.post("/console/call/", new_call()).status_code == 404
    assert not Ticket.objects.exists()


def test_a_call_opens_a_phone_ticket_with_the_number_in_e164_form(
    agent_client: Client, agent: User
) -> None:
    ticket = log_new(agent_client, new_call())

    assert ticket.channel == Channel.PHONE
    assert ticket.requester_phone == E164
    assert ticket.requester_email == "budi@example.co.id"
    assert ticket.language == "id"
    assert ticket.category_id == "access"
    assert ticket.subject == "Toko saya belum aktif setelah membayar paket Pro kemarin."
    request = ticket.messages.get()
    assert (request.kind, request.channel) == (MessageKind.REQUESTER, Channel.PHONE)
    assert request.body == new_call()["summary"]
    call = ticket.events.get(kind=EventKind.CALL_LOGGED)
    assert call.actor == agent
    assert call.data == {
        "direction": "inbound", "duration_seconds": 240, "number": E164, "answered": False,
        "new_ticket": True, "message": request.pk,
    }  # fmt: skip
    assert ticket.events.get(kind=EventKind.CREATED).actor == agent


def test_a_call_not_answered_yet_leaves_the_first_response_clock_running(
    agent_client: Client,
) -> None:
    ticket = log_new(agent_client, new_call())
    assert ticket.status == Status.NEW
    assert first_response(ticket) == ClockStatus.RUNNING


def test_a_call_answered_there_and_then_stops_the_first_response_clock(
    agent_client: Client,
) -> None:
    ticket = log_new(agent_client, new_call(answered="on"))

    assert ticket.status == Status.OPEN
    assert first_response(ticket) == ClockStatus.STOPPED
    assert ticket.events.get(kind=EventKind.CALL_LOGGED).data["answered"] is True
    acknowledgement = OutboxMessage.objects.get(ticket=ticket)
    with translation.override("id"):
        promise = translation.gettext("First answer by")
    assert promise not in acknowledgement.body, "the first answer was given on the call"


def test_the_caller_is_acknowledged_by_e_mail_when_they_gave_an_address(
    agent_client: Client,
) -> None:
    ticket = log_new(agent_client, new_call())
    row = OutboxMessage.objects.get(ticket=ticket)
    assert (row.kind, row.channel, row.to_address) == (
        "acknowledgement", Channel.EMAIL, "budi@example.co.id",
    )  # fmt: skip
    assert f"[{ticket.reference}]" in row.subject


def test_a_caller_with_only_a_number_is_acknowledged_on_whatsapp_when_it_is_configured(
    agent_client: Client, settings: Any
) -> None:
    settings.LOKET_WHATSAPP_PHONE_NUMBER_ID = "1234567890"
    settings.LOKET_WHATSAPP_ACCESS_TOKEN = "token"
    settings.LOKET_WHATSAPP_APP_SECRET = "secret"
    settings.LOKET_WHATSAPP_VERIFY_TOKEN = "verify"
    ticket = log_new(agent_client, new_call(requester_email=""))
    row = OutboxMessage.objects.get(ticket=ticket)
    assert (row.channel, row.to_address) == (Channel.WHATSAPP, E164)


def test_a_caller_nobody_can_write_to_is_recorded_as_such(agent_client: Client) -> None:
    ticket = log_new(agent_client, new_call(requester_email=""))  # WhatsApp not configured
    assert not OutboxMessage.objects.exists()
    assert ticket.events.get(kind=EventKind.NO_WAY_TO_ANSWER).data == {"kind": "acknowledgement"}


def test_a_withheld_number_is_no_error(agent_client: Client) -> None:
    ticket = log_new(agent_client, new_call(number=""))
    assert ticket.requester_phone == ""
    assert OutboxMessage.objects.get(ticket=ticket).channel == Channel.EMAIL


def test_a_password_read_out_on_the_call_is_never_stored(agent_client: Client) -> None:
    summary = "Tidak bisa masuk. Kata sandi saya Rahasia#2026 tidak diterima."
    ticket = log_new(agent_client, new_call(summary=summary))
    assert "Rahasia#2026" not in ticket.messages.get().body
    assert ticket.redactions == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "is not a phone number"),
        ("id", "bukan nomor telepon"),
        ("ja", "電話番号ではありません"),
    ],
)
def test_an_impossible_number_is_refused_in_the_agents_language_and_nothing_is_stored(
    agent_client: Client, language: str, message: str
) -> None:
    response = agent_client.post(
        "/console/call/", new_call(number=IMPOSSIBLE), headers={"accept-language": language}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ticket.objects.exists()
    assert not Event.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_call_without_a_summary_is_refused(agent_client: Client) -> None:
    response = agent_client.post(
        "/console/call/", new_call(summary=""), headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Ticket.objects.exists()


# --- a call about an existing ticket ----------------------------------------------------------


def call_on(ticket: Ticket, **changes: str) -> dict[str, str]:
    fields = {
        "number": "+62 812 3456 7890",
        "direction": "outbound",
        "minutes": "3",
        "summary": "Called back: the payment is confirmed, the store is being activated.",
    }
    return fields | changes


def test_a_call_is_recorded_on_the_ticket_it_was_about(agent_client: Client, agent: User) -> None:
    ticket = build_ticket()
    response = agent_client.post(f"/console/t/{ticket.reference}/call/", call_on(ticket))
    assert response.status_code == 302

    note = ticket.messages.get(channel=Channel.PHONE)
    assert note.kind == MessageKind.INTERNAL_NOTE, "the requester never read the summary"
    assert note.author == agent
    event = ticket.events.get(kind=EventKind.CALL_LOGGED)
    assert event.data == {
        "direction": "outbound", "duration_seconds": 180, "number": E164, "answered": False,
        "new_ticket": False, "message": note.pk,
    }  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.requester_phone == E164, "the ticket had no number: it keeps the caller's"
    assert first_response(ticket) == ClockStatus.RUNNING
    assert OutboxMessage.objects.filter(ticket=ticket).count() == 1, "the acknowledgement only"
    page = agent_client.get(f"/console/t/{ticket.reference}/").content.decode()
    assert "Called back: the payment is confirmed" in page
    assert 'data-testid="call-details"' in page


def test_a_call_that_answered_the_question_stops_the_first_response_clock(
    agent_client: Client,
) -> None:
    ticket = build_ticket()
    agent_client.post(f"/console/t/{ticket.reference}/call/", call_on(ticket, answered="on"))
    ticket.refresh_from_db()
    assert first_response(ticket) == ClockStatus.STOPPED
    assert ticket.status == Status.OPEN


def test_a_call_keeps_the_number_a_ticket_already_has(agent_client: Client) -> None:
    ticket = build_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(requester_phone="+6281111111111")
    agent_client.post(f"/console/t/{ticket.reference}/call/", call_on(ticket))
    ticket.refresh_from_db()
    assert ticket.requester_phone == "+6281111111111"
    assert ticket.events.get(kind=EventKind.CALL_LOGGED).data["number"] == E164


def test_an_impossible_number_on_a_ticket_is_refused_and_nothing_is_added(
    agent_client: Client,
) -> None:
    ticket = build_ticket()
    response = agent_client.post(
        f"/console/t/{ticket.reference}/call/",
        call_on(ticket, number=IMPOSSIBLE),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert "is not a phone number" in response.content.decode()
    assert ticket.messages.count() == 1
    assert not ticket.events.filter(kind=EventKind.CALL_LOGGED).exists()


# --- the public page ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "id", "en"])
def test_the_public_page_shows_the_phone_number_for_urgent_escalation(
    client: Client, language: str
) -> None:
    source = SHIPPED_POLICY.read_text(encoding="utf-8")
    assert "\n[channels.phone]\n" in source
    configured = source.replace(
        "\n[channels.phone]\n", '\n[channels.phone]\nnumber = "+62 21 5150 1234"\n'
    )
    apply_policy(source=configured, filename="test", applied_by="test", now=NOW)

    html = client.get(f"/{language}/support/").content.decode()
    assert 'href="tel:+622151501234"' in html
    assert "+62 21 5150 1234" in html
    with translation.override(language):
        assert translation.gettext("For urgent escalation only.") in html
        assert translation.gettext("Phone support is not configured.") not in html
