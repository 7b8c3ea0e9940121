"""The generated desk: tickets, their clocks, messages, timeline events and search entries as
rows, made on the fly from the ticket's number (the same number always gives the same ticket),
for the driver to load. Imported after `django.setup()` (it uses the real queue position).

Each ticket's facts come from one 64-bit hash of its id: most are closed; languages ja / id / en;
the shipped policy's categories; active tickets opened in the last three weeks with running
clocks whose deadlines lie from four days ago to ten days ahead (about one in six breached), so
the queue positions, set by `loket.sla.operations.queue_position` from those clocks, vary.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.console.config import BLOCK, LONG_THREAD, MESSAGES_PER_BLOCK
from bench.console.texts import Pools, Text
from loket.sla.operations import queue_position
from loket.tickets.references import make_reference

MASK = (1 << 64) - 1
DAY = 86_400

# Weighted choices: (value, weight out of 100).
STATUSES = (("closed", 62), ("resolved", 15), ("open", 10), ("new", 6), ("pending_customer", 7))
LANGUAGE_WEIGHTS = (("ja", 40), ("id", 45), ("en", 15))
CATEGORY_WEIGHTS = (
    ("support", 30), ("refund", 15), ("billing_dispute", 10), ("access", 15),
    ("account_security", 7), ("complaint", 8), ("seller_order", 15),
)  # fmt: skip
CHANNELS = (("email", 45), ("web", 28), ("whatsapp", 17), ("phone", 5), ("api", 5))
PHONE_CHANNELS = ("whatsapp", "phone")
ACTIVE = ("new", "open", "pending_customer")

TICKET_COLUMNS = (
    "id, reference, subject, category_id, policy_version_id, status, channel, requester_name, "
    "requester_email, requester_phone, language, assignee_id, escalation_level, escalated_at, "
    "queue_group, queue_at, priority_rank, created_at, updated_at"
)
MESSAGE_COLUMNS = "id, ticket_id, kind, channel, author_id, author_name, body, created_at"
EVENT_COLUMNS = "id, ticket_id, kind, actor_id, actor_label, created_at"
SEARCH_COLUMNS = "id, ticket_id, message_id, terms"
CLOCK_COLUMNS = (
    "id, ticket_id, kind, policy_version_id, status, warning_seconds, breach_seconds, "
    "accrued_seconds, running_since, warning_at, breach_at, cycle, warned, breached, "
    "next_check_at"
)


def mix(value: int) -> int:
    """SplitMix64's finaliser: a well-spread 64-bit hash of a ticket number."""
    x = (value * 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def table_of(weights: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    """A hundred slots, each value in as many as its weight."""
    slots = tuple(value for value, weight in weights for _ in range(weight))
    assert len(slots) == 100, weights
    return slots


STATUS_SLOTS = table_of(STATUSES)
LANGUAGE_SLOTS = table_of(LANGUAGE_WEIGHTS)
CATEGORY_SLOTS = table_of(CATEGORY_WEIGHTS)
CHANNEL_SLOTS = table_of(CHANNELS)


def thread_lengths(seed: int = 5) -> tuple[int, ...]:
    """Messages of the tickets of a block: the first 50, the other 99 from one to nine, adding
    up to MESSAGES_PER_BLOCK."""
    rng = random.Random(seed)
    others = [rng.randint(1, 9) for _ in range(BLOCK - 1)]
    target = MESSAGES_PER_BLOCK - LONG_THREAD
    while (total := sum(others)) != target:
        k = rng.randrange(len(others))
        others[k] = max(1, min(9, others[k] + (1 if total < target else -1)))
    return (LONG_THREAD, *others)


THREAD_LENGTHS = thread_lengths()


@dataclass(frozen=True)
class Plan:
    """What the rows refer to, fixed when the database was prepared."""

    tickets: int
    anchor: int  # the data's "now", epoch seconds
    version_id: int
    ranks: dict[str, int]  # category -> priority rank
    budgets: dict[str, dict[str, tuple[int, int]]]  # category -> clock kind -> (warning, breach)
    agents: tuple[tuple[int, str], ...]  # (user id, name)
    prefix: str
    reference_key: bytes
    pools: Pools


@dataclass(frozen=True)
class Clock:
    kind: str
    status: str
    warning_seconds: int
    breach_seconds: int
    accrued: int
    running_since: int | None
    warning_at: int | None
    breach_at: int | None
    warned: bool
    breached: bool
    next_check_at: int | None


@dataclass(frozen=True)
class Facts:
    id: int
    hash: int
    status: str
    language: str
    category: str
    channel: str
    created: int
    assignee: tuple[int, str] | None
    level: int
    messages: int
    clocks: tuple[Clock, ...]

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def facts(plan: Plan, i: int) -> Facts:
    h = mix(i)
    status = STATUS_SLOTS[h % 100]
    active = status in ACTIVE
    if active:  # opened in the last three weeks
        created = plan.anchor - 600 - (h >> 40) % (21 * DAY)
    else:  # over the two years before that
        created = plan.anchor - 21 * DAY - (h >> 40) % (730 * DAY)
    assigned = not active or (h >> 20) % 100 < 75
    level = (2 if (h >> 24) % 200 == 0 else 1 if (h >> 24) % 200 < 4 else 0) if active else 0
    category = CATEGORY_SLOTS[(h >> 14) % 100]
    return Facts(
        id=i,
        hash=h,
        status=status,
        language=LANGUAGE_SLOTS[(h >> 7) % 100],
        category=category,
        channel=CHANNEL_SLOTS[(h >> 28) % 100],
        created=created,
        assignee=plan.agents[(h >> 34) % len(plan.agents)] if assigned else None,
        level=level,
        messages=THREAD_LENGTHS[(i - 1) % BLOCK],
        clocks=clocks_of(plan, status, category, created, h),
    )


def clocks_of(plan: Plan, status: str, category: str, created: int, h: int) -> tuple[Clock, ...]:
    """First response and resolution: stopped on closed tickets (some breached on the way),
    running on new ones, first response answered on open ones, resolution paused while the
    requester is asked."""
    clocks = []
    offset = (h >> 45) % (14 * DAY) - 4 * DAY  # the running deadline, from the anchor
    for kind, (warning, breach) in plan.budgets[category].items():
        first = kind == "first_response"
        running = status == "new" or (status == "open" and not first)
        if running:
            breach_at = plan.anchor + offset + (0 if first else 2 * DAY)
            warning_at = breach_at - (breach - warning)
            warned, breached = warning_at <= plan.anchor, breach_at <= plan.anchor
            next_check = None if breached else breach_at if warned else warning_at
            clocks.append(
                Clock(kind, "running", warning, breach, 0, created, warning_at, breach_at,
                      warned, breached, next_check)
            )  # fmt: skip
        else:
            late = (h >> 50) % 100 < 8
            state = "paused" if status == "pending_customer" and not first else "stopped"
            clocks.append(
                Clock(kind, state, warning, breach, warning // 2, None, None, None, late, late,
                      None)
            )  # fmt: skip
    return tuple(clocks)


def instant(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def position(f: Facts) -> tuple[int, int]:
    """(queue group, epoch) by the product's own rule, from the clocks as stored."""
    clocks = (
        (c.status, c.breached, instant(c.breach_at) if c.breach_at else None) for c in f.clocks
    )
    group, at = queue_position(clocks, instant(f.created))
    return int(group), int(at.timestamp())


Stamp = Callable[[int], str]


@dataclass(frozen=True)
class Target:
    """How one driver takes values: instants, booleans, NULL, and which form of pooled text."""

    stamp: Stamp
    true: object
    false: object
    copy: bool

    def text(self, text: Text) -> str:
        return text.copy if self.copy else text.raw

    def time(self, epoch: int | None) -> str | None:
        return None if epoch is None else self.stamp(epoch)


def ticket_rows(
    plan: Plan, target: Target, first: int, last: int, defaults: tuple[object, ...]
) -> Iterator[tuple[object, ...]]:
    for i in range(first, last + 1):
        f = facts(plan, i)
        group, at = position(f)
        subjects = plan.pools.subjects[f.language, f.category]
        phone = f.channel in PHONE_CHANNELS
        updated = f.created + f.messages * 3_600
        yield (
            i, make_reference(plan.prefix, i, plan.reference_key),
            target.text(subjects[(f.hash >> 3) % len(subjects)]), f.category, plan.version_id,
            f.status, f.channel, f"Requester {i % 200_000}",
            "" if phone else f"requester{i % 200_000}@example.com",
            f"+62812{i % 200_000:07d}" if phone else "", f.language,
            f.assignee[0] if f.assignee else None, f.level,
            target.time(f.created + DAY if f.level else None), group, target.time(at),
            plan.ranks[f.category], target.time(f.created), target.time(updated), *defaults,
        )  # fmt: skip


def clock_rows(
    plan: Plan, target: Target, first: int, last: int, defaults: tuple[object, ...]
) -> Iterator[tuple[object, ...]]:
    for i in range(first, last + 1):
        f = facts(plan, i)
        for k, c in enumerate(f.clocks):
            yield (
                2 * i - 1 + k, i, c.kind, plan.version_id, c.status, c.warning_seconds,
                c.breach_seconds, c.accrued, target.time(c.running_since),
                target.time(c.warning_at), target.time(c.breach_at), 0,
                target.true if c.warned else target.false,
                target.true if c.breached else target.false, target.time(c.next_check_at),
                *defaults,
            )  # fmt: skip


@dataclass(frozen=True)
class Said:
    """One message of a thread: its number, kind, author and text."""

    id: int
    kind: str
    author: tuple[int, str] | None
    text: Text
    at: int


def thread_of(plan: Plan, f: Facts, first_id: int) -> Iterator[Said]:
    """The requester opens; then agent replies and requester answers alternate, with an
    internal note now and then."""
    pools = plan.pools
    requests = pools.requests[f.language, f.category]
    replies = pools.replies[f.language]
    agent = f.assignee or plan.agents[0]
    for k in range(f.messages):
        pick = (f.hash >> (k % 40)) + k * 7
        at = f.created + k * 3_600
        if k == 0 or k % 2 == 0:
            yield Said(first_id + k, "requester", None, requests[pick % len(requests)], at)
        elif k % 7 == 5:
            yield Said(first_id + k, "internal_note", agent, pools.notes[pick % 3], at)
        else:
            yield Said(first_id + k, "public_reply", agent, replies[pick % len(replies)], at)


def first_message_id(first_ticket: int) -> int:
    """The id of the first message of ticket `first_ticket`, the first of a block."""
    assert (first_ticket - 1) % BLOCK == 0
    return (first_ticket - 1) // BLOCK * MESSAGES_PER_BLOCK + 1


def message_rows(
    plan: Plan, target: Target, first: int, last: int, defaults: tuple[object, ...]
) -> Iterator[tuple[object, ...]]:
    next_id = first_message_id(first)
    for i in range(first, last + 1):
        f = facts(plan, i)
        for said in thread_of(plan, f, next_id):
            author = said.author or (None, f"Requester {i % 200_000}")
            yield (
                said.id, i, said.kind, f.channel, author[0], author[1], target.text(said.text),
                target.time(said.at), *defaults,
            )  # fmt: skip
        next_id += f.messages


EVENT_OF = {"requester": "requester_reply", "public_reply": "public_reply"}


def event_rows(
    plan: Plan, target: Target, first: int, last: int, defaults: tuple[object, ...]
) -> Iterator[tuple[object, ...]]:
    """`created`, then one event per message after the first (as the timeline writes them)."""
    next_id = first_message_id(first)
    for i in range(first, last + 1):
        f = facts(plan, i)
        for said in thread_of(plan, f, next_id):
            kind = "created" if said.id == next_id else EVENT_OF.get(said.kind, said.kind)
            actor = said.author or (None, "")
            yield (said.id, i, kind, actor[0], actor[1], target.time(said.at), *defaults)
        next_id += f.messages


def search_rows(
    plan: Plan, target: Target, first: int, last: int, defaults: tuple[object, ...]
) -> Iterator[tuple[object, ...]]:
    """The subject's entry, then one per message, ids in that order (as they are written)."""
    next_id = first_message_id(first)
    for i in range(first, last + 1):
        f = facts(plan, i)
        subjects = plan.pools.subjects[f.language, f.category]
        entry = next_id + i - 1  # one subject entry per ticket before this one
        yield entry, i, None, subjects[(f.hash >> 3) % len(subjects)].terms, *defaults
        for said in thread_of(plan, f, next_id):
            entry += 1
            yield entry, i, said.id, said.text.terms, *defaults
        next_id += f.messages


Generator = Callable[[Plan, Target, int, int, tuple[object, ...]], Iterator[tuple[object, ...]]]
# table -> (its columns, its generator, rows per ticket)
TABLES: dict[str, tuple[str, Generator, int]] = {
    "tickets_ticket": (TICKET_COLUMNS, ticket_rows, 1),
    "sla_clock": (CLOCK_COLUMNS, clock_rows, 2),
    "tickets_message": (MESSAGE_COLUMNS, message_rows, 5),
    "tickets_event": (EVENT_COLUMNS, event_rows, 5),
    "tickets_searchentry": (SEARCH_COLUMNS, search_rows, 6),
}
