"""The SLA clocks driven by ticket operations, on the Indonesian business calendar.
Instants are written in WIB (UTC+7); Monday 2026-11-23 is an ordinary business day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import timezone

from loket.notify.models import OutboxMessage
from loket.policy.operations import apply_policy
from loket.sla.models import Clock, ClockKind, ClockStatus, SlaPoint
from loket.sla.sweep import sweep
from loket.tickets.models import EventKind, Status, Ticket
from loket.tickets.operations import (
    mark_complex,
    recategorise,
    record_internal_note,
    record_public_reply,
    record_requester_reply,
    set_status,
)
from tests.builders import build_ticket
from tests.fixtures import SHIPPED_POLICY

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def wib(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def clock(ticket: Ticket, kind: str) -> Clock:
    return Clock.objects.get(ticket=ticket, kind=kind)


def test_a_new_access_ticket_gets_first_response_and_resolution_deadlines() -> None:
    ticket = build_ticket(category="access", now=wib("2026-11-23 09:00"))
    first = clock(ticket, ClockKind.FIRST_RESPONSE)
    resolution = clock(ticket, ClockKind.RESOLUTION)
    assert first.breach_at == wib("2026-11-23 18:00")
    assert first.warning_at == wib("2026-11-23 15:45"), "75 % of 9 business hours"
    assert resolution.warning_at == wib("2026-11-23 18:00"), "target: 1 business day"
    assert resolution.breach_at == wib("2026-11-24 18:00"), "deadline: 2 business days"
    assert first.policy_version == ticket.policy_version


def test_a_general_question_has_no_resolution_clock() -> None:
    ticket = build_ticket(category="support", now=wib("2026-11-20 17:00"))
    assert clock(ticket, ClockKind.FIRST_RESPONSE).breach_at == wib("2026-11-23 17:00")
    assert not Clock.objects.filter(ticket=ticket, kind=ClockKind.RESOLUTION).exists()


def test_the_acknowledgement_states_the_concrete_deadlines_in_wib() -> None:
    ticket = build_ticket(category="access", language="en", now=wib("2026-11-21 10:00"))
    body = OutboxMessage.objects.get(ticket=ticket, kind="acknowledgement").body
    assert "outside support hours; our clock starts Nov. 23, 2026, 9 a.m. WIB." in body
    assert "First answer by: Nov. 23, 2026, 6 p.m. WIB" in body
    assert "Resolution by: Nov. 24, 2026, 6 p.m. WIB" in body


def test_only_a_human_public_reply_stops_the_first_response_clock(agent: User) -> None:
    ticket = build_ticket(now=wib("2026-11-23 09:00"))
    record_internal_note(ticket=ticket, author=agent, body="looking", now=wib("2026-11-23 10:00"))
    assert clock(ticket, ClockKind.FIRST_RESPONSE).status == ClockStatus.RUNNING
    record_public_reply(ticket=ticket, author=agent, body="On it", now=wib("2026-11-23 11:00"))
    first = clock(ticket, ClockKind.FIRST_RESPONSE)
    assert first.status == ClockStatus.STOPPED
    assert first.accrued_seconds == 2 * 3600
    assert first.next_check_at is None


def test_waiting_on_the_requester_pauses_resolution_and_their_reply_resumes_it(
    agent: User,
) -> None:
    ticket = build_ticket(category="access", now=wib("2026-11-23 09:00"))
    record_public_reply(
        ticket=ticket, author=agent, body="Which invoice?", status_after=Status.PENDING_CUSTOMER,
        now=wib("2026-11-23 12:00"),
    )  # fmt: skip
    paused = clock(ticket, ClockKind.RESOLUTION)
    assert (paused.status, paused.accrued_seconds, paused.breach_at) == ("paused", 3 * 3600, None)

    # The requester answers two business days later: those days do not count.
    record_requester_reply(
        ticket=ticket, body="INV-1", channel="portal", now=wib("2026-11-25 12:00")
    )
    resumed = clock(ticket, ClockKind.RESOLUTION)
    assert resumed.status == ClockStatus.RUNNING
    # 18 business hours budget - 3 spent = 15 left from Wed 12:00: Wed 6 h + Thu 9 h.
    assert resumed.breach_at == wib("2026-11-26 18:00")


def test_resolving_stops_resolution_and_reopening_resumes_it(agent: User) -> None:
    ticket = build_ticket(category="refund", now=wib("2026-11-23 09:00"))
    set_status(ticket=ticket, status=Status.RESOLVED, actor=agent, now=wib("2026-11-23 18:00"))
    assert clock(ticket, ClockKind.RESOLUTION).status == ClockStatus.STOPPED
    record_requester_reply(
        ticket=ticket, body="Not fixed", channel="portal", now=wib("2026-11-27 09:00")
    )
    reopened = clock(ticket, ClockKind.RESOLUTION)
    assert reopened.status == ClockStatus.RUNNING
    # 5 business days = 45 h, 9 h spent: 36 h from Fri 27 Nov 09:00 -> Wed 2 Dec 18:00.
    assert reopened.breach_at == wib("2026-12-02 18:00")


def test_a_complex_case_extends_resolution_and_needs_progress_updates(agent: User) -> None:
    ticket = build_ticket(category="billing_dispute", now=wib("2026-11-23 09:00"))
    mark_complex(ticket=ticket, reason="fraud_check", actor=agent, now=wib("2026-11-23 10:00"))
    resolution = clock(ticket, ClockKind.RESOLUTION)
    assert resolution.breach_seconds == (5 + 5) * 9 * 3600
    assert resolution.breach_at == wib("2026-12-04 18:00")
    progress = clock(ticket, ClockKind.PROGRESS_UPDATE)
    assert progress.breach_at == wib("2026-11-25 10:00"), "every 2 business days"

    record_public_reply(
        ticket=ticket, author=agent, body="Still checking", now=wib("2026-11-24 16:00")
    )
    progress = clock(ticket, ClockKind.PROGRESS_UPDATE)
    assert (progress.cycle, progress.breach_at) == (1, wib("2026-11-26 16:00"))
    with pytest.raises(ValueError, match="unknown reason"):
        mark_complex(ticket=ticket, reason="gut_feeling", actor=agent, now=wib("2026-11-24 16:00"))


def test_recategorising_takes_the_new_targets_and_keeps_the_time_spent(agent: User) -> None:
    ticket = build_ticket(category="support", now=wib("2026-11-23 09:00"))
    recategorise(ticket=ticket, category_code="access", actor=agent, now=wib("2026-11-23 13:00"))
    resolution = clock(ticket, ClockKind.RESOLUTION)
    assert resolution.accrued_seconds == 4 * 3600
    assert resolution.breach_at == wib("2026-11-24 18:00")
    assert ticket.events.filter(kind=EventKind.RECATEGORISED).exists()


def test_a_policy_change_leaves_existing_tickets_their_targets() -> None:
    before = build_ticket(category="access", now=wib("2026-11-23 09:00"))
    apply_policy(
        source=SHIPPED_POLICY.read_text().replace(
            "resolution_deadline_days = 2", "resolution_deadline_days = 4", 1
        ),
        filename="longer.toml", applied_by="ops", now=wib("2026-11-23 09:30"),
    )  # fmt: skip
    after = build_ticket(category="access", now=wib("2026-11-23 10:00"))
    assert clock(before, ClockKind.RESOLUTION).breach_at == wib("2026-11-24 18:00")
    # 4 business days = 36 h from Mon 10:00: Mon 8 + Tue 9 + Wed 9 + Thu 9 + Fri 1.
    assert clock(after, ClockKind.RESOLUTION).breach_at == wib("2026-11-27 10:00")


@pytest.fixture
def supervisor() -> User:
    user = User.objects.create_user("sup", "sup@catalo.id", "pw")
    user.groups.add(Group.objects.get_or_create(name="supervisors")[0])
    return user


def test_the_sweep_records_each_warning_and_breach_once_and_mails_supervisors(
    supervisor: User,
) -> None:
    ticket = build_ticket(category="support", now=wib("2026-11-23 09:00"))
    assert sweep(wib("2026-11-23 15:00")).warnings == []
    report = sweep(wib("2026-11-23 16:00"))
    assert report.warnings == [(ticket.reference, "first_response")]
    assert report.breaches == []
    report = sweep(wib("2026-11-24 09:00"))
    assert report.breaches == [(ticket.reference, "first_response")]
    again = sweep(wib("2026-11-30 09:00"))
    assert (again.warnings, again.breaches) == ([], [])
    assert SlaPoint.objects.count() == 2
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.SLA_WARNING) == kinds.count(EventKind.SLA_BREACH) == 1
    [digest] = OutboxMessage.objects.filter(kind="sla_breach_digest")
    assert digest.to_address == "sup@catalo.id"
    # In the desk's language (the policy's default, Indonesian), in WIB, with the ticket's link.
    due = "2026-11-23 18:00 WIB"
    link = f"{settings.LOKET_BASE_URL}/console/t/{ticket.reference}/"
    assert f"{ticket.reference}  Respons pertama  {due}  {link}" in digest.body


def test_a_dry_run_reports_without_recording() -> None:
    build_ticket(category="support", now=wib("2026-11-23 09:00"))
    assert len(sweep(wib("2026-11-24 09:00"), dry_run=True).breaches) == 1
    assert not SlaPoint.objects.exists()
    assert len(sweep(wib("2026-11-24 09:00")).breaches) == 1


def test_a_paused_clock_never_breaches_while_paused(agent: User) -> None:
    ticket = build_ticket(category="access", now=wib("2026-11-23 09:00"))
    record_public_reply(
        ticket=ticket, author=agent, body="?", status_after=Status.PENDING_CUSTOMER,
        now=wib("2026-11-23 09:30"),
    )  # fmt: skip
    report = sweep(wib("2026-12-31 09:00"))
    assert (ticket.reference, "resolution") not in report.breaches


def test_the_sweep_uses_the_real_clock_when_no_instant_is_given() -> None:
    with time_machine.travel(wib("2026-11-23 09:00"), tick=False):
        ticket = build_ticket(category="access", now=timezone.now())
    with time_machine.travel(wib("2026-11-24 17:59:59"), tick=False):
        assert (ticket.reference, "resolution") not in sweep(timezone.now()).breaches
    with time_machine.travel(wib("2026-11-24 18:00:00"), tick=False):
        assert (ticket.reference, "resolution") in sweep(timezone.now()).breaches


def test_a_clock_with_a_stale_next_check_is_re_aimed_not_swept_forever() -> None:
    ticket = build_ticket(category="support", now=wib("2026-11-23 09:00"))
    Clock.objects.filter(ticket=ticket).update(next_check_at=wib("2026-11-23 10:00"))
    report = sweep(wib("2026-11-23 11:00"), batch=1)
    assert (report.warnings, report.breaches) == ([], [])
    assert clock(ticket, ClockKind.FIRST_RESPONSE).next_check_at == wib("2026-11-23 15:45")
