"""Bulk actions on the queue (issue 12, part 6): one transaction and one event per ticket, and a
summary that names what was refused and why."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from loket.tickets.models import Event, EventKind, Status, Ticket
from tests.builders import NOW, build_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(agent: User) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(agent)
    return client


def test_assign_a_page_of_tickets_to_myself(agent_client: Client, agent: User) -> None:
    tickets = [build_ticket(subject=f"Case {n}") for n in range(3)]
    untouched = build_ticket(subject="Not ticked")
    answer = agent_client.post(
        "/console/bulk/",
        {"ticket": [t.reference for t in tickets], "action": "assign_me", "back": "?view=all"},
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == "/console/?view=all"
    assert "Done on 3 ticket(s)." in answer.content.decode()
    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {
        t.pk for t in tickets
    }
    assert Event.objects.filter(kind=EventKind.ASSIGNED).count() == 3
    untouched.refresh_from_db()
    assert untouched.assignee is None


def test_status_category_and_note_in_bulk(agent_client: Client) -> None:
    first, second = build_ticket(), build_ticket()
    references = [first.reference, second.reference]
    agent_client.post("/console/bulk/", {"ticket": references, "action": "status:pending_customer"})
    agent_client.post("/console/bulk/", {"ticket": references, "action": "category:refund"})
    agent_client.post(
        "/console/bulk/", {"ticket": references, "action": "note", "note": "Duplicate of a call"}
    )
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.status == Status.PENDING_CUSTOMER
        assert ticket.category_id == "refund"
        assert ticket.messages.filter(body="Duplicate of a call").exists()


def test_a_ticket_in_review_is_not_closed_by_an_agent(agent_client: Client) -> None:
    plain, reviewed = build_ticket(), build_ticket()
    Ticket.objects.filter(pk=reviewed.pk).update(escalation_level=1, escalated_at=NOW)
    answer = agent_client.post(
        "/console/bulk/",
        {"ticket": [plain.reference, reviewed.reference], "action": "status:resolved"},
        follow=True,
    )
    page = answer.content.decode()
    assert "Done on 1 ticket(s)." in page
    assert f"{reviewed.reference}: not changed (in review" in page
    reviewed.refresh_from_db()
    assert reviewed.status != Status.RESOLVED


def test_only_agents_act_in_bulk(client: Client) -> None:
    ticket = build_ticket()
    client.force_login(User.objects.create_user("buyer", password="x"))
    answer = client.post("/console/bulk/", {"ticket": [ticket.reference], "action": "assign_me"})
    assert answer.status_code == 404


def test_a_made_up_action_changes_nothing(agent_client: Client) -> None:
    ticket = build_ticket()
    answer = agent_client.post(
        "/console/bulk/", {"ticket": [ticket.reference], "action": "delete"}, follow=True
    )
    assert "not changed" in answer.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == ticket.status
