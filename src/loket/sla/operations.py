"""The SLA clocks of a ticket, driven by the ticket operations (always inside their
transaction, with their `now`)."""

from collections.abc import Iterable
from datetime import datetime

from loket.calendar import BusinessCalendar
from loket.policy.models import PolicyVersion
from loket.policy.queries import calendar_of, document_of
from loket.sla import clock as clock_state
from loket.sla.models import Clock, ClockKind, ClockStatus
from loket.sla.targets import budgets, complex_extension, progress_budget
from loket.tickets.models import QueueGroup, Status, Ticket


def start_clocks(ticket: Ticket, now: datetime) -> list[Clock]:
    """Freeze the targets of the ticket's policy version and start its clocks."""
    version = ticket.policy_version
    assert version is not None, "a ticket gets its policy version when it is opened"
    clocks = planned_clocks(version, ticket.category_id, now)
    store_clocks(ticket, clocks)
    reposition(ticket, clocks)
    return clocks


def planned_clocks(version: PolicyVersion, category_code: str, now: datetime) -> list[Clock]:
    """The clocks a ticket of this category opened now gets, not yet stored nor tied to a
    ticket: computed before the ticket is inserted, so that its queue position is part of
    the INSERT rather than an UPDATE after it."""
    document = document_of(version)
    category = document.category(category_code)
    if category is None:
        return []
    calendar = calendar_of(version)
    clocks = []
    for kind, (warning, breach) in budgets(document, category).items():
        clock = Clock(kind=kind, policy_version=version, cycle=0)
        store(clock, clock_state.ClockState(warning, breach, 0, now), calendar)
        clocks.append(clock)
    return clocks


def store_clocks(ticket: Ticket, clocks: list[Clock]) -> None:
    for clock in clocks:
        clock.ticket = ticket
    Clock.objects.bulk_create(clocks)


def store(
    clock: Clock,
    state: clock_state.ClockState,
    calendar: BusinessCalendar,
    status: str | None = None,
) -> None:
    due = clock_state.due_instants(state, calendar)
    clock.warning_seconds = state.warning_seconds
    clock.breach_seconds = state.breach_seconds
    clock.accrued_seconds = state.accrued
    clock.running_since = state.running_since
    clock.warning_at = due.warning_at
    clock.breach_at = due.breach_at
    clock.status = status or (ClockStatus.RUNNING if state.running else ClockStatus.PAUSED)
    clock.next_check_at = next_check(clock)


def next_check(clock: Clock) -> datetime | None:
    if clock.status != ClockStatus.RUNNING:
        return None
    if not clock.warned and clock.warning_at is not None:
        return clock.warning_at
    if not clock.breached:
        return clock.breach_at
    return None


def clock_of(ticket: Ticket, kind: str) -> Clock | None:
    return Clock.objects.select_related("policy_version").filter(ticket=ticket, kind=kind).first()


def halt(ticket: Ticket, kind: str, now: datetime, status: str) -> None:
    """Pause or stop a clock: the business time spent so far is kept."""
    clock = clock_of(ticket, kind)
    if clock is None or clock.status == status:
        return
    calendar = calendar_of(clock.policy_version)
    store(clock, clock_state.pause(clock.state(), now, calendar), calendar, status=status)
    clock.save()


def resume(ticket: Ticket, kind: str, now: datetime) -> None:
    clock = clock_of(ticket, kind)
    if clock is None or clock.status == ClockStatus.RUNNING:
        return
    calendar = calendar_of(clock.policy_version)
    store(clock, clock_state.start(clock.state(), now), calendar)
    clock.save()


def first_public_reply(ticket: Ticket, now: datetime) -> None:
    """A human's public reply answers the requester: the first-response clock stops; on a
    complex case it also starts a new progress-update cycle."""
    halt(ticket, ClockKind.FIRST_RESPONSE, now, ClockStatus.STOPPED)
    progress = clock_of(ticket, ClockKind.PROGRESS_UPDATE)
    if progress is not None and progress.status == ClockStatus.RUNNING:
        calendar = calendar_of(progress.policy_version)
        progress.cycle += 1
        progress.warned = progress.breached = False
        store(progress, clock_state.restart(progress.state(), now), calendar)
        progress.save()
    reposition(ticket)


def answered_by_phone(ticket: Ticket, now: datetime) -> None:
    """The agent answered the caller's question on the call: a human's answer, so the
    first-response clock stops. A complex case's progress updates go on by e-mail (S10)."""
    halt(ticket, ClockKind.FIRST_RESPONSE, now, ClockStatus.STOPPED)
    reposition(ticket)


def status_changed(ticket: Ticket, previous: str, new: str, now: datetime) -> None:
    """pending_customer pauses resolution; resolved and closed stop it (and the progress
    updates); coming back to new/open resumes what was paused or stopped."""
    if new == Status.PENDING_CUSTOMER:
        halt(ticket, ClockKind.RESOLUTION, now, ClockStatus.PAUSED)
    elif new in (Status.RESOLVED, Status.CLOSED):
        halt(ticket, ClockKind.RESOLUTION, now, ClockStatus.STOPPED)
        halt(ticket, ClockKind.PROGRESS_UPDATE, now, ClockStatus.STOPPED)
    elif previous in (Status.PENDING_CUSTOMER, Status.RESOLVED, Status.CLOSED):
        resume(ticket, ClockKind.RESOLUTION, now)
        if previous != Status.PENDING_CUSTOMER:
            resume(ticket, ClockKind.PROGRESS_UPDATE, now)
    reposition(ticket)


def extend_for_complex_case(ticket: Ticket, now: datetime) -> None:
    """S10: the resolution deadline moves out by the policy's extension, and a progress-update
    clock starts; each public update to the requester restarts it."""
    version = ticket.policy_version
    assert version is not None
    document = document_of(version)
    calendar = calendar_of(version)
    resolution = clock_of(ticket, ClockKind.RESOLUTION)
    if resolution is not None:
        resolution.breached = False
        extended = clock_state.extend(resolution.state(), complex_extension(document))
        store(resolution, extended, calendar, status=resolution.status)
        resolution.save()
    if clock_of(ticket, ClockKind.PROGRESS_UPDATE) is None:
        warning, every = progress_budget(document)
        progress = Clock(ticket=ticket, kind=ClockKind.PROGRESS_UPDATE, policy_version=version)
        store(progress, clock_state.ClockState(warning, every, 0, now), calendar)
        progress.save()
    reposition(ticket)


def recategorised(ticket: Ticket, now: datetime) -> None:
    """New targets from the ticket's (new) category and policy version; business time already
    spent counts against them."""
    version = ticket.policy_version
    assert version is not None
    document = document_of(version)
    category = document.category(ticket.category_id)
    calendar = calendar_of(version)
    wanted = budgets(document, category) if category else {}
    for clock in Clock.objects.filter(ticket=ticket).exclude(kind=ClockKind.PROGRESS_UPDATE):
        if clock.kind not in wanted:
            clock.delete()
            continue
        warning, breach = wanted.pop(clock.kind)
        state = clock.state()
        state = clock_state.ClockState(warning, breach, state.accrued, state.running_since)
        clock.policy_version = version
        clock.warned = clock.breached = False
        clock.cycle += 1
        store(clock, state, calendar, status=clock.status)
        clock.save()
    for kind, (warning, breach) in wanted.items():
        spent = int(calendar.between(ticket.created_at, now).total_seconds())
        clock = Clock(ticket=ticket, kind=kind, policy_version=version)
        store(clock, clock_state.ClockState(warning, breach, spent, now), calendar)
        clock.save()
    reposition(ticket)


# --- the ticket's place in the console's queues -------------------------------------------------


def queue_position(
    clocks: Iterable[tuple[str, bool, datetime | None]], opened_at: datetime
) -> tuple[int, datetime]:
    """(group, instant) from the ticket's clocks (status, breached, breach_at): breached and
    not stopped -> since the oldest breach; else a running clock -> its nearest deadline; else
    idle, since the ticket was opened."""
    clocks = list(clocks)
    breached = [at for status, late, at in clocks if late and status != ClockStatus.STOPPED and at]
    if breached:
        return QueueGroup.BREACHED, min(breached)
    running = [at for status, late, at in clocks if status == ClockStatus.RUNNING and at]
    if running:
        return QueueGroup.RUNNING, min(running)
    return QueueGroup.IDLE, opened_at


def reposition(ticket: Ticket, clocks: Iterable[Clock] | None = None) -> None:
    """Store the ticket's queue position; call after its clocks changed, in that transaction."""
    if clocks is None:
        clocks = Clock.objects.filter(ticket_id=ticket.pk).only("status", "breached", "breach_at")
    group, at = queue_position(
        ((c.status, c.breached, c.breach_at) for c in clocks), ticket.created_at
    )
    ticket.queue_group, ticket.queue_at = group, at
    Ticket.objects.filter(pk=ticket.pk).update(queue_group=group, queue_at=at)


def reposition_many(ticket_ids: Iterable[int]) -> None:
    """The sweep's version: one read of the clocks, one UPDATE per changed ticket."""
    ids = set(ticket_ids)
    if not ids:
        return
    clocks: dict[int, list[tuple[str, bool, datetime | None]]] = {pk: [] for pk in ids}
    rows = Clock.objects.filter(ticket_id__in=ids).values_list(
        "ticket_id", "status", "breached", "breach_at"
    )
    for ticket_id, status, breached, breach_at in rows:
        clocks[ticket_id].append((status, breached, breach_at))
    tickets = Ticket.objects.filter(pk__in=ids).only("id", "created_at", "queue_group", "queue_at")
    for ticket in tickets:
        group, at = queue_position(clocks[ticket.pk], ticket.created_at)
        if (group, at) != (ticket.queue_group, ticket.queue_at):
            Ticket.objects.filter(pk=ticket.pk).update(queue_group=group, queue_at=at)
