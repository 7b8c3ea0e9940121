"""The console's queues at scale (issue 12): a stored, indexed queue position kept by the clock
operations and the sweep; keyset pages; views; capped counts; a constant number of queries."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from loket.sla.models import Clock
from loket.sla.sweep import sweep
from loket.tickets import queries
from loket.tickets.models import QueueGroup, Status, Ticket
from loket.tickets.operations import assign, record_public_reply, set_status
from tests.builders import NOW, build_ticket

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r'class="reference-link" href="/console/t/([^/]+)/"')


@pytest.fixture
def agent_client(agent: User) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(agent)
    return client


def references(page: str) -> list[str]:
    return REFERENCE.findall(page)


def next_link(page: str) -> str | None:
    found = re.search(r'href="(\?view=[^"]*&amp;after=[^"]+)" rel="next"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def many_tickets(count: int) -> list[Ticket]:
    """Tickets opened a minute apart across categories, some with an agent's answer."""
    categories = ["access", "billing_dispute", "refund", "complaint", "account_security"]
    return [
        build_ticket(
            subject=f"Case {n}",
            category=categories[n % len(categories)],
            now=NOW + timedelta(minutes=n),
        )
        for n in range(count)
    ]


def expected_order() -> list[str]:
    """The queue order computed from the clocks themselves, as the old unindexed queue did."""

    def key(ticket: Ticket) -> tuple[int, object, int, int]:
        clocks = list(Clock.objects.filter(ticket=ticket))
        breached = [
            c.breach_at for c in clocks if c.breached and c.status != "stopped" and c.breach_at
        ]
        running = [c.breach_at for c in clocks if c.status == "running" and c.breach_at]
        if breached:
            return (0, min(breached), ticket.priority_rank, ticket.pk)
        if running:
            return (1, min(running), ticket.priority_rank, ticket.pk)
        return (2, ticket.created_at, ticket.priority_rank, ticket.pk)

    active = Ticket.objects.filter(status__in=("new", "open", "pending_customer"))
    return [str(t.reference) for t in sorted(active, key=key)]


def test_walking_the_pages_shows_every_open_ticket_once_in_deadline_order(
    agent_client: Client, agent: User
) -> None:
    tickets = many_tickets(120)
    for ticket in tickets[:10]:  # answered: only the resolution clock runs now
        record_public_reply(
            ticket=ticket, author=agent, body="Looking at it.", now=NOW + timedelta(hours=1)
        )
    for ticket in tickets[10:15]:
        set_status(ticket=ticket, status=Status.RESOLVED, actor=agent, now=NOW + timedelta(hours=1))
    sweep(NOW + timedelta(days=2))  # some deadlines are breached by then

    seen: list[str] = []
    url: str | None = "?view=all"
    pages = 0
    while url:
        page = agent_client.get("/console/" + url).content.decode()
        seen += references(page)
        url = next_link(page)
        pages += 1
    assert pages == 3  # 115 open tickets, 50 to a page
    assert seen == expected_order()
    assert Ticket.objects.filter(queue_group=QueueGroup.BREACHED).exists()


def test_previous_goes_back_to_the_page_before(agent_client: Client) -> None:
    many_tickets(110)
    first = agent_client.get("/console/").content.decode()
    second = agent_client.get("/console/" + (next_link(first) or "")).content.decode()
    third = agent_client.get("/console/" + (next_link(second) or "")).content.decode()
    back = re.search(r'href="(\?view=[^"]*&amp;before=[^"]+)" rel="prev"', third)
    assert back is not None
    again = agent_client.get("/console/" + back.group(1).replace("&amp;", "&")).content.decode()
    assert references(again) == references(second)


def test_a_breach_found_by_the_sweep_moves_the_ticket_to_the_top(agent_client: Client) -> None:
    early, late = many_tickets(2)
    late_clock = Clock.objects.filter(ticket=late, kind="first_response").get()
    Clock.objects.filter(pk=late_clock.pk).update(breach_at=NOW, next_check_at=NOW)
    sweep(NOW + timedelta(minutes=1))
    late.refresh_from_db()
    assert late.queue_group == QueueGroup.BREACHED
    assert references(agent_client.get("/console/").content.decode())[:2] == [
        late.reference, early.reference,
    ]  # fmt: skip


def test_the_views_filter_the_queue(agent_client: Client, agent: User) -> None:
    access = build_ticket(category="access", language="id")
    refund = build_ticket(category="refund", language="ja")
    waiting = build_ticket(category="complaint")
    set_status(ticket=waiting, status=Status.PENDING_CUSTOMER, actor=agent, now=NOW)
    assign(ticket=refund, assignee=agent, actor=agent, now=NOW)

    def shown(view: str) -> set[str]:
        return set(references(agent_client.get("/console/", {"view": view}).content.decode()))

    assert shown("mine") == {refund.reference}
    assert shown("unassigned") == {access.reference, waiting.reference}
    assert shown("waiting") == {waiting.reference}
    assert shown("category:access") == {access.reference}
    assert shown("language:ja") == {refund.reference}
    assert shown("channel:web") == {access.reference, refund.reference, waiting.reference}
    assert shown("breached") == set()
    assert shown("level:1") == set()
    assert shown("no-such-view") == {access.reference, refund.reference, waiting.reference}


def test_a_hand_made_cursor_is_the_first_page(agent_client: Client) -> None:
    ticket = build_ticket()
    for cursor in ("x", "1.2.3", "9.99999999999999999999.1.1", "-1.-1.-1.-1"):
        page = agent_client.get("/console/", {"after": cursor})
        assert page.status_code == 200
    assert ticket.reference in references(
        agent_client.get("/console/", {"after": "x"}).content.decode()
    )


def test_counts_stop_at_the_cap(agent_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    many_tickets(5)
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    page = agent_client.get("/console/").content.decode()
    assert re.search(r'data-testid="view-all"[^>]*>[^<]*<span class="count">\(3\+\)', page)
    assert re.search(r'data-testid="view-mine"[^>]*>[^<]*<span class="count">\(0\)', page)


def test_a_page_costs_the_same_queries_whatever_the_rows(agent_client: Client) -> None:
    many_tickets(3)
    with CaptureQueriesContext(connection) as few:
        agent_client.get("/console/")
    many_tickets(57)
    with CaptureQueriesContext(connection) as full:
        agent_client.get("/console/")
    assert len(full) == len(few)


def test_raising_the_priority_moves_a_ticket_ahead_of_its_equals(
    agent_client: Client, agent: User
) -> None:
    first, second = build_ticket(), build_ticket()  # same category, same deadline
    assert references(agent_client.get("/console/").content.decode()) == [
        first.reference, second.reference,
    ]  # fmt: skip
    answer = agent_client.post(
        f"/console/t/{second.reference}/priority/", {"priority": "0", "reason": "Store is down"}
    )
    assert answer.status_code == 302
    assert references(agent_client.get("/console/").content.decode()) == [
        second.reference, first.reference,
    ]  # fmt: skip
    event = second.events.get(kind="priority_changed")
    assert event.data == {"from": 2, "to": 0, "reason": "Store is down"}
    refused = agent_client.post(f"/console/t/{first.reference}/priority/", {"priority": "0"})
    assert refused.status_code == 302
    first.refresh_from_db()
    assert first.priority_rank == 2  # no reason, no change


def test_the_timeline_exports_as_csv(agent_client: Client, agent: User) -> None:
    ticket = build_ticket()
    assign(ticket=ticket, assignee=agent, actor=agent, now=NOW)
    exported = agent_client.get(f"/console/t/{ticket.reference}/timeline.csv")
    assert exported["Content-Type"].startswith("text/csv")
    lines = exported.content.decode().splitlines()
    assert lines[0] == "time_utc,event,label,actor,data"
    assert any(",assigned,Assigned," in line for line in lines)
    assert any(line.startswith("2026-11-23T02:00:00+00:00,created,") for line in lines)


def test_a_name_that_is_a_formula_is_exported_as_text(agent_client: Client) -> None:
    ticket = build_ticket(name='=HYPERLINK("http://evil.example","click")')
    exported = agent_client.get(f"/console/t/{ticket.reference}/timeline.csv").content.decode()
    assert ",\"'=HYPERLINK(" in exported  # quoted by the CSV writer, led by an apostrophe
    assert ',"=HYPERLINK(' not in exported
