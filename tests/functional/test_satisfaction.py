"""Satisfaction (CSAT, issue 15 part 7): one question after a resolution, in the requester's
language, through a single-use link that expires; a bad answer reopens the ticket."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from loket.notify.delivery import deliver
from loket.notify.models import OutboxMessage
from loket.sla.models import Clock
from loket.tickets.models import EventKind, SatisfactionSurvey, Status
from loket.tickets.operations import redirect_to_seller, set_status
from tests.builders import NOW, build_ticket

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^\s/]+(/(?:ja|id|en)/portal/rate/[^/\s]+/)\?rating=(good|bad)")


def resolve(agent: User, language: str = "id") -> tuple[str, str]:
    """Resolve a new ticket; the path of the question's link and the mail's body."""
    ticket = build_ticket(language=language)
    set_status(ticket=ticket, status=Status.RESOLVED, actor=agent, now=NOW)
    question = OutboxMessage.objects.get(ticket=ticket, kind="satisfaction_survey")
    found = LINK.search(question.body)
    assert found is not None, question.body
    return found.group(1), question.body


def test_the_requester_rates_once_and_the_agent_sees_it(client: Client, agent: User) -> None:
    path, body = resolve(agent)
    assert "Apakah jawaban kami membantu" in body  # in the requester's language
    page = client.get(path, {"rating": "good"})
    assert page.status_code == 200
    assert 'value="good" checked' in page.content.decode() or "checked" in page.content.decode()
    assert not SatisfactionSurvey.objects.filter(answered_at__isnull=False).exists()  # GET alone

    rated = client.post(path, {"rating": "good", "comment": "Cepat sekali, terima kasih!"})
    assert rated.status_code == 200
    survey = SatisfactionSurvey.objects.get()
    assert (survey.rating, survey.comment) == ("good", "Cepat sekali, terima kasih!")
    assert survey.ticket.events.filter(kind=EventKind.SURVEY_ANSWERED).exists()

    again = client.post(path, {"rating": "bad"})
    assert again.status_code == 410
    survey.refresh_from_db()
    assert survey.rating == "good"

    console = Client(headers={"Accept-Language": "en"})
    console.force_login(agent)
    ticket_page = console.get(f"/console/t/{survey.ticket.reference}/").content.decode()
    assert "Cepat sekali, terima kasih!" in ticket_page


def test_a_bad_answer_reopens_the_ticket_and_its_clock(client: Client, agent: User) -> None:
    path, _ = resolve(agent, language="en")
    answer = client.post(path, {"rating": "bad", "comment": "Still cannot log in"})
    assert answer.status_code == 200
    assert "reopened your request" in answer.content.decode()
    ticket = SatisfactionSurvey.objects.get().ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert Clock.objects.get(ticket=ticket, kind="resolution").status == "running"


def test_a_secret_in_the_comment_is_not_kept(client: Client, agent: User) -> None:
    path, _ = resolve(agent, language="en")
    client.post(path, {"rating": "bad", "comment": "my password is Tr0ub4dor&3 and it fails"})
    assert "Tr0ub4dor" not in SatisfactionSurvey.objects.get().comment


def test_an_expired_link_records_nothing(client: Client, agent: User) -> None:
    path, _ = resolve(agent)
    with time_machine.travel(NOW + timedelta(days=15), tick=False):
        assert client.post(path, {"rating": "good"}).status_code == 410
    assert SatisfactionSurvey.objects.get().answered_at is None


def test_guessed_links_are_refused_and_then_throttled(
    client: Client, agent: User, settings: object
) -> None:
    resolve(agent)
    settings.LOKET_VERIFICATION_FAILURES_PER_HOUR = 3  # type: ignore[attr-defined]
    for attempt in range(3):
        assert client.post(f"/en/portal/rate/guess{attempt}/", {"rating": "bad"}).status_code == 404
    assert client.get("/en/portal/rate/guess9/").status_code == 429
    assert not SatisfactionSurvey.objects.filter(answered_at__isnull=False).exists()


def test_the_link_is_not_kept_in_the_outbox_once_sent(agent: User) -> None:
    resolve(agent)
    question = OutboxMessage.objects.get(kind="satisfaction_survey")
    deliver(question.id, NOW)
    question.refresh_from_db()
    assert not LINK.search(question.body)
    assert "/portal/rate/[link removed once sent]" in question.body


def test_no_question_to_a_buyer_sent_to_the_seller(agent: User) -> None:
    ticket = build_ticket(category="complaint")
    redirect_to_seller(ticket=ticket, now=NOW)
    assert not OutboxMessage.objects.filter(kind="satisfaction_survey").exists()


def test_one_open_question_at_a_time(agent: User) -> None:
    ticket = build_ticket()
    for status in (Status.RESOLVED, Status.OPEN, Status.RESOLVED):
        set_status(ticket=ticket, status=status, actor=agent, now=NOW)
    assert SatisfactionSurvey.objects.filter(ticket=ticket).count() == 1
