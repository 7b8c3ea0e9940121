from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from loket.notify.models import OutboxMessage
from loket.tickets.models import EventKind, MessageKind, Status
from loket.tickets.operations import set_status
from tests.builders import NOW, build_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client: Client, agent: User) -> Client:
    client.force_login(agent)
    return client


def test_the_console_asks_for_a_login(client: Client) -> None:
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


def test_a_user_who_is_not_an_agent_sees_no_tickets(client: Client) -> None:
    ticket = build_ticket()
    client.force_login(User.objects.create_user("buyer", password="x"))
    assert client.get("/console/").status_code == 404
    assert client.get(f"/console/t/{ticket.reference}/").status_code == 404


def test_the_queue_lists_open_tickets_oldest_first(agent_client: Client, agent: User) -> None:
    newer = build_ticket(subject="Newer", now=NOW + timedelta(hours=1))
    older = build_ticket(subject="Older", now=NOW)
    done = build_ticket(subject="Done", now=NOW)
    set_status(ticket=done, status=Status.RESOLVED, actor=agent, now=NOW)
    page = agent_client.get("/console/").content.decode()
    assert page.index(str(older.reference)) < page.index(str(newer.reference))
    assert str(done.reference) not in page


def test_an_agent_replies_and_the_requester_is_mailed(agent_client: Client) -> None:
    ticket = build_ticket()
    response = agent_client.post(
        f"/console/t/{ticket.reference}/reply/",
        {"body": "Your store is active now.", "status_after": "resolved"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert OutboxMessage.objects.filter(ticket=ticket, kind="public_reply").count() == 1
    page = agent_client.get(f"/console/t/{ticket.reference}/").content.decode()
    assert "Your store is active now." in page


def test_an_empty_reply_is_refused_with_a_message(agent_client: Client) -> None:
    ticket = build_ticket()
    response = agent_client.post(
        f"/console/t/{ticket.reference}/reply/", {"body": ""}, headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert ticket.messages.count() == 1


def test_notes_status_and_assignment_from_the_ticket_page(
    agent_client: Client, agent: User
) -> None:
    ticket = build_ticket()
    base = f"/console/t/{ticket.reference}"
    agent_client.post(f"{base}/note/", {"body": "Checking with billing."})
    agent_client.post(f"{base}/status/", {"status": "pending_customer"})
    agent_client.post(f"{base}/assign-to-me/")

    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CUSTOMER
    assert ticket.assignee == agent
    assert ticket.messages.filter(kind=MessageKind.INTERNAL_NOTE).count() == 1
    assert set(ticket.events.values_list("kind", flat=True)) == {
        EventKind.CREATED,
        EventKind.INTERNAL_NOTE,
        EventKind.STATUS_CHANGED,
        EventKind.ASSIGNED,
    }
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == ["acknowledgement"]


def test_changes_need_a_post(agent_client: Client) -> None:
    ticket = build_ticket()
    assert agent_client.get(f"/console/t/{ticket.reference}/assign-to-me/").status_code == 405


def test_a_reply_asking_for_a_one_time_code_is_refused_and_nothing_is_sent(
    agent_client: Client,
) -> None:
    ticket = build_ticket()
    before = OutboxMessage.objects.count()
    response = agent_client.post(
        f"/console/t/{ticket.reference}/reply/",
        {"body": "Please send us your OTP so we can check.", "status_after": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "never asks" in response.content.decode()
    assert ticket.messages.count() == 1
    assert OutboxMessage.objects.count() == before
    warning = agent_client.post(
        f"/console/t/{ticket.reference}/reply/",
        {"body": "Never share your OTP with anyone, including us.", "status_after": ""},
    )
    assert warning.status_code == 302
