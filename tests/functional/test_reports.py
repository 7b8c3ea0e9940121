"""Supervisors' reports (issue 15, part 6): numbers checked against a small history computed by
hand, the page with its charts and tables, the CSV and XLSX exports, and who may see them."""

import csv
import io
import zipfile
from datetime import date, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from loket.sla.sweep import sweep
from loket.tickets import surveys
from loket.tickets.models import SatisfactionSurvey, Status
from loket.tickets.operations import assign, mark_complex, record_public_reply, set_status
from loket.tickets.reports import Period, build_report
from loket.tickets.surveys import answer_survey
from tests.builders import NOW, build_ticket

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
HOUR = timedelta(hours=1)
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)


@pytest.fixture
def supervisor() -> User:
    user = User.objects.create_user("sari", "sari@catalo.id", "x")
    user.groups.add(Group.objects.get(name="supervisors"))
    return user


@pytest.fixture
def history(agent: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """Monday 23 November 2026 (WIB, business hours 09:00-18:00):
    A access/en opened 09:00, assigned, answered 11:00, resolved 12:00, rated good;
    B refund/id opened 10:00, never answered, first response breached by Tuesday noon,
      resolution (5 business days) still running;
    C complaint/ja opened 11:00, answered 15:00, marked complex (complaints have no
      resolution clock in the Catalo.id policy);
    D opened on Wednesday: outside the period."""
    # The survey's token, known to the test (portal links draw theirs from `secrets` too).
    tokens = iter(["token-a"])
    known = SimpleNamespace(token_urlsafe=lambda n=None: next(tokens))
    monkeypatch.setattr(surveys, "secrets", known)
    a = build_ticket(category="access", language="en", now=NOW)
    b = build_ticket(category="refund", language="id", now=NOW + HOUR)
    c = build_ticket(category="complaint", language="ja", now=NOW + 2 * HOUR)
    build_ticket(category="access", now=NOW + timedelta(days=2))
    assign(ticket=a, assignee=agent, actor=agent, now=NOW)
    record_public_reply(ticket=a, author=agent, body="Fixed.", now=NOW + 2 * HOUR)
    set_status(ticket=a, status=Status.RESOLVED, actor=agent, now=NOW + 3 * HOUR)
    record_public_reply(ticket=c, author=agent, body="Looking.", now=NOW + 6 * HOUR)
    mark_complex(ticket=c, reason="fraud_check", actor=agent, now=NOW + 6 * HOUR)
    answer_survey(token="token-a", rating="good", comment="", now=NOW + 4 * HOUR)
    sweep(NOW + timedelta(days=1, hours=3))  # Tuesday 12:00 WIB
    del b


def test_the_numbers_match_the_hand_computed_history(history: None) -> None:
    report = build_report(Period(MONDAY, TUESDAY, WIB))
    assert report.opened == 3
    assert dict(report.by_category) == {"access": 1, "refund": 1, "complaint": 1}
    assert dict(report.by_language) == {"en": 1, "id": 1, "ja": 1}
    assert (report.first_response.met, report.first_response.breached) == (2, 1)
    assert report.first_response.open_at_risk == 0
    assert report.first_response.rate == 66.7
    assert (report.first_response_time.count, report.first_response_time.median_hours) == (2, 3.0)
    assert report.first_response_time.p90_hours == 4.0  # nearest rank of two values: the second
    resolution = report.resolution
    assert (resolution.met, resolution.breached, resolution.open_at_risk) == (1, 0, 1)
    assert resolution.rate == 100.0
    assert (report.resolution_time.count, report.resolution_time.median_hours) == (1, 3.0)
    assert report.daily == [(MONDAY, 3, 1), (TUESDAY, 0, 0)]
    assert report.complex_cases == 1
    assert report.escalations == 0
    assert report.satisfaction == (1, 0)
    [row] = report.agents
    assert (row.name, row.replies, row.resolved, row.good, row.bad) == ("agent", 2, 1, 1, 0)
    assert SatisfactionSurvey.objects.get().agent == User.objects.get(username="agent")


def test_the_page_and_its_exports(history: None, supervisor: User) -> None:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(supervisor)
    query = {"from": "2026-11-23", "to": "2026-11-24"}
    page = client.get("/console/reports/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert 'data-testid="attainment"' in html
    assert "66.7" in html

    exported = client.get("/console/reports/", query | {"format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["section", "item", "measure", "value"]
    assert ["first response SLA", "", "met %", "66.7"] in rows
    assert ["day", "2026-11-23", "opened", "3"] in rows

    workbook = client.get("/console/reports/", query | {"format": "xlsx"})
    with zipfile.ZipFile(io.BytesIO(workbook.content)) as book:
        assert "xl/worksheets/sheet1.xml" in book.namelist()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "first response SLA" in strings


def test_a_bad_period_says_why(supervisor: User) -> None:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(supervisor)
    assert client.get("/console/reports/", {"from": "30/11/2026"}).status_code == 400
    backwards = client.get("/console/reports/", {"from": "2026-11-30", "to": "2026-11-01"})
    assert backwards.status_code == 400
    assert "one day to one year" in backwards.content.decode()


def test_agents_do_not_see_reports(agent: User) -> None:
    client = Client()
    client.force_login(agent)
    assert client.get("/console/reports/").status_code == 403
