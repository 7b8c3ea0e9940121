"""What is measured in a child process of its own: the console's pages through Django's test
Client, in-process (server time: the whole request through every middleware, the queries and
the template; no network), their SQL query counts, and the process's memory after paging.
Imported only after `django.setup()`.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.common import BenchError, percentile
from bench.console.config import (
    BENCH_AGENT,
    BLOCK,
    DEEP_PAGE,
    PAGED_VIEWS,
    QUEUE_VIEWS,
    SEARCHES,
    WARMUP,
)
from loket.tickets import queries
from loket.tickets.models import ACTIVE_STATUSES, Ticket

ROW = re.compile(rb'href="/console/t/[^"/]+/"')


@dataclass
class Case:
    """One URL timed `requests` times: milliseconds of each request, and its query count."""

    group: str  # queue | deep | ticket | search
    label: str
    url: str
    samples: list[float] = field(default_factory=list)
    queries: int = 0
    rows: int = 0
    note: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


@dataclass
class Run:
    cases: list[Case]
    pages_walked: int
    paging_seconds: float
    rss_mb: float
    peak_rss_mb: float
    rss_before_mb: float
    ticket_queries: dict[str, dict[int, int]]  # category -> messages -> queries of its page

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        for case, raw in zip(self.cases, data["cases"], strict=True):
            raw["p50"], raw["p95"] = case.p50, case.p95
        return data


def memory_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def logged_in_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username=BENCH_AGENT))
    return client


def get(client: Client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise BenchError(f"GET {url} answered {response.status_code}")
    return bytes(response.content)


def cursors(view: str, pages: int) -> list[str]:
    """The `after` cursors of pages 2..pages of a view (fewer if the view ends sooner): the
    queue position of the last row of each page before, read in queue order in one query."""
    name, _sep, value = view.partition(":")
    agent = User.objects.get(username=BENCH_AGENT)
    tickets = queries.queue_tickets(name, value, user_id=agent.pk).order_by(*queries.QUEUE_ORDER)
    size = queries.PAGE_SIZE
    keys = list(tickets.values_list(*queries.QUEUE_ORDER)[: (pages - 1) * size + 1])
    ends = keys[size - 1 : len(keys) - 1 : size]  # a page's last row, when a row follows it
    return [queries.Cursor(*key).encode() for key in ends]


def queue_url(view: str, after: str = "") -> str:
    query = {"view": view} | ({"after": after} if after else {})
    return "/console/?" + urlencode(query)


def long_threads(count: int) -> list[str]:
    """References of open tickets with 50 messages (the first of each block of the data)."""
    ids = list(range(1, Ticket.objects.count() + 1, BLOCK))
    tickets = Ticket.objects.filter(pk__in=ids, status__in=ACTIVE_STATUSES).order_by("pk")
    references = [str(t.reference) for t in tickets.only("reference")[:count]]
    if not references:
        raise BenchError("no open ticket with 50 messages")
    return references


def plan_cases(deep_cursors: dict[str, list[str]]) -> tuple[list[Case], dict[str, list[str]]]:
    """The cases, and for the ticket page the several tickets it cycles through."""
    cases = [Case("queue", f"queue first page: {view}", queue_url(view)) for view in QUEUE_VIEWS]
    for view in QUEUE_VIEWS:
        found = deep_cursors[view]
        if found:
            deep = Case("deep", f"queue page {len(found) + 1}: {view}", queue_url(view, found[-1]))
            deep.note = f"page {len(found) + 1}" + (
                "" if len(found) + 1 == DEEP_PAGE else " (last)"
            )
            cases.append(deep)
    references = long_threads(10)
    cases.append(Case("ticket", "ticket page, 50 messages", f"/console/t/{references[0]}/"))
    rotation = {cases[-1].label: [f"/console/t/{r}/" for r in references]}
    for text in SEARCHES:
        cases.append(Case("search", f"search {text}", "/console/search/?" + urlencode({"q": text})))
    return cases, rotation


def time_case(client: Client, case: Case, urls: list[str], requests: int) -> None:
    for url in urls[:WARMUP]:
        get(client, url)
    for n in range(requests):
        url = urls[n % len(urls)]
        began = time.perf_counter()
        body = get(client, url)
        case.samples.append((time.perf_counter() - began) * 1000)
    case.rows = len(ROW.findall(body)) if case.group != "ticket" else 0


def count_queries(client: Client, url: str) -> int:
    """The page's queries, the fewer of two requests: the policy's default language is cached
    for 10 s (policy/queries.py), so now and then a request adds one query to read it again."""
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            get(client, url)
        counts.append(len(captured.captured_queries))
    return min(counts)


def page_through(client: Client, walked: dict[str, list[str]]) -> tuple[int, float]:
    """Every walked page of every view, through the client: pages, seconds."""
    began, pages = time.perf_counter(), 0
    for view, found in walked.items():
        for after in ["", *found]:
            get(client, queue_url(view, after))
            pages += 1
    return pages, time.perf_counter() - began


def ticket_query_counts(client: Client) -> dict[str, dict[int, int]]:
    """Queries of the ticket page, per category, for open e-mail tickets of 1, 2, 9 and 50
    messages: within a category the number must not depend on the length (categories and
    channels differ: a refund's page asks for its proposal, a WhatsApp one for its window)."""
    tickets = (
        Ticket.objects.filter(status__in=ACTIVE_STATUSES, pk__lte=20 * BLOCK, channel="email")
        .annotate(length=Count("messages"))
        .order_by("-pk")
        .values_list("category_id", "length", "reference")
    )
    chosen = {  # the lowest pk of each
        (category, length): ref for category, length, ref in tickets if length in (1, 2, 9, 50)
    }
    counts: dict[str, dict[int, int]] = {}
    for (category, length), reference in sorted(chosen.items()):
        url = f"/console/t/{reference}/"
        get(client, url)  # warm: the first view of a page fills caches (the policy's document)
        counts.setdefault(category, {})[length] = count_queries(client, url)
    return counts


def reset_peak_memory() -> None:
    """Start VmHWM afresh from the current RSS (Linux: clear_refs 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def measure(requests: int, log: Callable[[str], None]) -> Run:
    rss_before = memory_mb("VmRSS")
    client = logged_in_client()
    walked = {view: cursors(view, DEEP_PAGE) for view in PAGED_VIEWS}
    cases, rotation = plan_cases(walked)
    reset_peak_memory()
    for case in cases:
        time_case(client, case, rotation.get(case.label, [case.url]), requests)
        case.queries = count_queries(client, case.url)  # once warm, outside the timing
        log(
            f"  {case.label:<34} p50 {case.p50:7.2f} ms  p95 {case.p95:7.2f} ms  "
            f"{case.queries} queries  {case.rows} rows"
        )
    pages, seconds = page_through(client, walked)
    run = Run(
        cases=cases,
        pages_walked=pages,
        paging_seconds=seconds,
        rss_mb=memory_mb("VmRSS"),
        peak_rss_mb=memory_mb("VmHWM"),
        rss_before_mb=rss_before,
        ticket_queries=ticket_query_counts(client),
    )
    log(
        f"  paged {pages} pages of {len(walked)} views in {seconds:.1f} s; RSS {run.rss_mb:.1f} MB"
        f" (peak {run.peak_rss_mb:.1f} MB, {rss_before:.1f} MB before)"
    )
    return run
