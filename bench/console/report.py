"""The figures: a summary on the terminal and the section of docs/benchmarks.md."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import markdown_table, median, percentile, spread
from bench.console.config import (
    CACHE,
    COMMAND,
    DEEP_PAGE,
    DEEP_PAGE_GOAL_MS,
    NAMES,
    PAGED_VIEWS,
    PEER_NAME,
    PEER_REQUESTS,
    QUEUE_GOAL_MS,
    RSS_GOAL_MB,
    SEARCH_GOAL_MS,
    SECTION,
    TICKET_GOAL_MS,
)
from bench.console.parent import Measured, Options
from bench.console.peer import PeerResult

GOALS = {"queue": QUEUE_GOAL_MS, "deep": DEEP_PAGE_GOAL_MS, "ticket": TICKET_GOAL_MS}
GOALS["search"] = SEARCH_GOAL_MS
GROUP_NAMES = {
    "queue": "queue first page",
    "deep": f"page {DEEP_PAGE} of a view",
    "ticket": "ticket page with 50 messages",
    "search": "search (Japanese substring, Indonesian word)",
}


@dataclass(frozen=True)
class Report:
    results: list[Measured]
    peers: list[PeerResult]
    machine: dict[str, str]
    started: datetime
    options: Options


SAVED = CACHE / "last-run.json"
# What the figures mean and what was found behind them (EXPLAIN ANALYZE, profiles): written by
# hand after a run, rendered again with `--render var/bench/console/last-run.json`.
READING: tuple[str, ...] = (
    "Measured 2026-12-02 on a machine shared with other work (load average about 2 on 2 CPUs "
    "throughout). The search goal, constant query counts and the memory goal are met on both "
    "engines. The queue's page times (p50 27-38 ms, p95 34-53 ms) and the ticket page (p95 53 "
    "ms on SQLite, 76 ms on PostgreSQL) miss their goals, and they are no longer the database's "
    "doing: on PostgreSQL the 17 queries of a queue page take 2-8 ms together (one request "
    "timed with its queries, 1,000,000 tickets), a deep page costs what the first page costs "
    "(keyset cursor), and the rest is Python - the request cycle with every middleware, the "
    "session and permission look-ups, and the template rendering 50 rows with their badges, "
    "dates and the bulk-action form. The ticket page with 50 messages is the same story: in a "
    "cProfile of it, template rendering was about 65% of the view, and Django's "
    "`get_FOO_display` alone about 15% (it rebuilds a hashable dict of the field's lazily "
    "translated choices on every call - 38 for an event's kind - and the page calls it about "
    "150 times: each message's kind and channel, each event's kind); the evidence checklist, "
    "refund proposal and forms take most of the rest. Precomputed labels, or caching each "
    "message's rendered block, would be the next step; neither is in the queries or search "
    "modules, so neither was changed here.",
    "Found slow and changed while building this benchmark (EXPLAIN ANALYZE / EXPLAIN QUERY "
    "PLAN on these data): (1) SQLite never used the queue's partial indexes: Django binds "
    "`status IN (%s, %s, %s)` as parameters, and SQLite uses a partial index only when the "
    "query repeats its condition in literal values, so every queue page and count read the "
    "open tickets through `ticket_status_created` and sorted them (`USE TEMP B-TREE FOR ORDER "
    "BY`); besides, the inner join to the seven categories made it start from the categories. "
    "`tickets/queries.py` now writes the open-ticket condition out in literals and prefetches "
    "the category instead of joining it (one more query, 17 a page): the SQL of the first page "
    "of `all` went from about 205 ms to a few at 100,000 tickets. (2) On PostgreSQL the "
    "search's planner walks the newest entries backwards on the primary key (right for a "
    "common word: `返金` is in 288,189 of the 6,000,000 entries) but re-parsed each entry with "
    "`to_tsvector`, the indexed expression: 124 ms for 5,242 entries read. Migration 0012 "
    "stores the tsvector in a generated column with its own GIN index: the same plan takes "
    "1.6 ms warm, 13.9 ms reading from disk (`search.py` matches on the column). (3) The view "
    "waiting on the requester read 100,214 entries of `ticket_queue` before its first row "
    "(those tickets have no running clock, so they sort last): 380 ms at a million tickets; "
    "migration 0013 adds a partial index on that status: 0.07 ms.",
    "Not measured here: a rare search word (the planner is expected to switch to the GIN "
    "index when the column's statistics say few entries match); concurrent requests (one "
    "client, in-process); the views' HTML over the network. The peak RSS of 136-138 MB "
    "includes the test client and the benchmark's own bookkeeping: under the 150 MB goal, "
    "with about 12 MB to spare. django-helpdesk's list is about 36 times slower at the same "
    "100,000 tickets: its DataTables call counts and sorts the 59,903 open tickets on every "
    "request and pages with OFFSET; its harness seeds SQLite through the ORM only, so it was "
    "compared at the SQLite count, not at a million.",
)


def save_report(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "results": [asdict(m) for m in report.results],
        "peers": [asdict(p) for p in report.peers],
        "machine": report.machine,
        "started": report.started.isoformat(),
        "options": asdict(report.options) | {"peer": str(report.options.peer or "")},
    }
    path.write_text(json.dumps(data))
    print(f"saved the results in {path}", flush=True)


def load_report(path: Path) -> Report:
    data = json.loads(path.read_text())
    options = data["options"]
    options["peer"] = Path(options["peer"]) if options["peer"] else None
    options["databases"] = tuple(options["databases"])
    return Report(
        results=[Measured(**m) for m in data["results"]],
        peers=[PeerResult(**p) for p in data["peers"]],
        machine=data["machine"],
        started=datetime.fromisoformat(data["started"]),
        options=Options(**options),
    )


@dataclass(frozen=True)
class CaseFigures:
    """One case over the runs: medians of the runs' p50 and p95, the p95s' range."""

    group: str
    label: str
    p50: float
    p95: float
    p95s: list[float]
    queries: list[int]
    rows: int
    note: str

    @property
    def met(self) -> bool:
        return self.p95 <= GOALS[self.group]


def cases(measured: Measured) -> list[CaseFigures]:
    runs: list[list[dict[str, Any]]] = [run["cases"] for run in measured.runs]  # type: ignore[misc]
    figures = []
    for k, first in enumerate(runs[0]):
        same = [run[k] for run in runs]
        figures.append(
            CaseFigures(
                group=first["group"],
                label=first["label"],
                p50=median([c["p50"] for c in same]),
                p95=median([c["p95"] for c in same]),
                p95s=[c["p95"] for c in same],
                queries=sorted({c["queries"] for c in same}),
                rows=first["rows"],
                note=first["note"],
            )
        )
    return figures


def peak_rss(measured: Measured) -> float:
    """The largest peak RSS over the runs (each run a fresh process)."""
    return max(float(run["peak_rss_mb"]) for run in measured.runs)  # type: ignore[arg-type]


def ticket_queries(measured: Measured) -> dict[str, dict[str, int]]:
    """Category -> number of messages -> queries of the ticket page (from the first run)."""
    found: dict[str, dict[str, int]] = measured.runs[0]["ticket_queries"]  # type: ignore[assignment]
    return found


def ticket_queries_text(measured: Measured) -> str:
    return "; ".join(
        f"{category} " + "/".join(map(str, counts.values())) + f" ({'/'.join(counts)} messages)"
        for category, counts in ticket_queries(measured).items()
    )


def queue_queries(measured: Measured) -> list[int]:
    return sorted({q for c in cases(measured) if c.group in ("queue", "deep") for q in c.queries})


def goals(measured: Measured) -> dict[str, bool]:
    figures = cases(measured)
    result = {
        GROUP_NAMES[group]: all(c.met for c in figures if c.group == group)
        for group in GOALS
        if any(c.group == group for c in figures)
    }
    result["queries per queue page constant"] = len(queue_queries(measured)) == 1
    result["queries per ticket page constant"] = all(
        len(set(counts.values())) == 1 for counts in ticket_queries(measured).values()
    )
    result[f"web worker RSS under {RSS_GOAL_MB:.0f} MB"] = peak_rss(measured) < RSS_GOAL_MB
    return result


def goals_missed(report: Report) -> list[str]:
    return [
        f"{NAMES[m.database]}: {name}"
        for m in report.results
        for name, met in goals(m).items()
        if not met
    ]


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def peer_figures(peer: PeerResult) -> tuple[float, float, float, float]:
    """(list p50, list p95, page 200 rows p50, p95): the list is the shell plus its rows."""
    pairs = [a + b for a, b in zip(peer.shell, peer.rows, strict=True)]
    return median(pairs), percentile(pairs, 95), median(peer.deep), percentile(peer.deep, 95)


def loket_all(measured: Measured, group: str) -> CaseFigures:
    return next(c for c in cases(measured) if c.group == group and c.label.endswith(": all"))


def peer_ratio(report: Report, peer: PeerResult) -> str:
    match = next((m for m in report.results if m.tickets == peer.tickets), None)
    if match is None:
        return ""
    list_p50, _p95, deep_p50, _deep95 = peer_figures(peer)
    first, deep = loket_all(match, "queue"), loket_all(match, "deep")
    return (
        f"{PEER_NAME}'s ticket list at {peer.tickets:,} tickets (SQLite): "
        f"{list_p50:.1f} ms (shell + first 50 rows, p50) against Loket's queue {first.p50:.1f} "
        f"ms on {NAMES[match.database]}: {list_p50 / first.p50:.1f}x; its page {DEEP_PAGE} "
        f"(rows only, OFFSET) {deep_p50:.1f} ms against Loket's {deep.p50:.1f} ms: "
        f"{deep_p50 / deep.p50:.1f}x"
    )


def print_summary(report: Report) -> None:
    for measured in report.results:
        print(f"\n{NAMES[measured.database]}, {measured.tickets:,} tickets:")
        for c in cases(measured):
            print(
                f"  {c.label:<34} p50 {c.p50:7.2f} ms  p95 {c.p95:7.2f} ms  "
                f"queries {'/'.join(map(str, c.queries))}  goal {GOALS[c.group]:.0f} ms "
                f"{verdict(c.met)}"
            )
        print(f"  peak RSS {peak_rss(measured):.1f} MB; ticket page queries by category and "
              f"thread length: {ticket_queries_text(measured)}")  # fmt: skip
        for name, met in goals(measured).items():
            print(f"  goal {name}: {verdict(met)}")
    for peer in report.peers:
        print(peer_ratio(report, peer))


# --- The section of docs/benchmarks.md ----------------------------------------------------------


def render_section(report: Report) -> str:
    lines = [
        SECTION,
        "",
        "<!-- Written by bench/console/; rerunning it replaces this section. -->",
        "",
        headline(report),
        "",
        "### Machine and date",
        "",
        f"- Date: {report.started:%Y-%m-%d %H:%M} UTC",
        *(f"- {key}: {value}" for key, value in report.machine.items()),
        *(f"- {NAMES[m.database]}: {m.fill.get('engine', '')}" for m in report.results),
        "",
        "### How it was measured",
        "",
        *method(report),
        "",
        "### Results",
        "",
    ]
    for measured in report.results:
        lines += [*results_table(measured), ""]
    if report.peers:
        lines += [*peer_table(report), ""]
    if READING:
        lines += ["### Reading", "", *(f"{paragraph}\n" for paragraph in READING)]
    return "\n".join(lines).rstrip("\n") + "\n"


def headline(report: Report) -> str:
    parts = []
    for m in report.results:
        figures = cases(m)
        worst = {
            group: max(c.p95 for c in figures if c.group == group)
            for group in GOALS
            if any(c.group == group for c in figures)
        }
        missed = [name for name, met in goals(m).items() if not met]
        parts.append(
            f"{NAMES[m.database]} at {m.tickets:,} tickets: worst p95 queue first page "
            f"{worst['queue']:.1f} ms, page {DEEP_PAGE} {worst.get('deep', float('nan')):.1f} ms, "
            f"ticket page {worst['ticket']:.1f} ms, search {worst['search']:.1f} ms; peak RSS "
            f"{peak_rss(m):.0f} MB; goals of issue 12: "
            + ("all met" if not missed else "missed: " + ", ".join(missed))
        )
    ratios = [peer_ratio(report, peer) for peer in report.peers]
    return "**" + ". ".join(parts + [r for r in ratios if r]) + ".**"


def method(report: Report) -> list[str]:
    fills = []
    for m in report.results:
        seconds: dict[str, float] = m.fill["seconds"]  # type: ignore[assignment]
        counts: dict[str, int] = m.fill["counts"]  # type: ignore[assignment]
        fills.append(
            f"- {NAMES[m.database]} data: {m.tickets:,} tickets ({m.fill['open']:,} open), "
            + ", ".join(f"{n:,} {t.removeprefix('tickets_')}" for t, n in counts.items())
            + f"; filled {m.fill['filled_at']} in {sum(seconds.values()) / 60:.1f} min ("
            + ", ".join(f"{name} {value:.0f} s" for name, value in seconds.items())
            + ")"
            + ("; this run reused that fill" if m.reused else "; filled in this run")
            + migrated(m.fill)
            + "."
        )
    runs = report.options.runs
    return [
        f"- Rerun: `{COMMAND}` (options `--database sqlite|postgres|both`, `--tickets`, `--runs`, "
        "`--requests`, `--peer DIR` or `PEER_DIR` for django-helpdesk, `--drop` to drop the "
        "PostgreSQL database afterwards, `--no-docs`; `--quick` is a 2,000-ticket SQLite smoke "
        "run that leaves this file alone). A fill is kept (SQLite under `var/bench/console/`, "
        "PostgreSQL in the database `loket_console_bench` on 127.0.0.1:5432) and reused while "
        "the size, every migration and the generator (`bench/console/data.py`, `texts.py`, "
        "`fill.py`) are unchanged.",
        "- Data (`bench/console/data.py`): each ticket's facts from a hash of its id: 62% "
        "closed, 15% resolved, 10% open, 6% new, 7% waiting on the requester; ja 40%, id 45%, "
        "en 15%; the shipped policy's seven categories (refund 15%); e-mail, form, WhatsApp, "
        "phone, API; three quarters of the open tickets assigned among 20 agents, 2% in review. "
        "Open tickets have running clocks with deadlines from four days ago to ten days ahead "
        "(breached ones flagged), and their queue position is set by the product's own "
        "`queue_position` from those clocks. Every hundred tickets, one has 50 messages and the "
        "others one to nine (five a ticket exactly); the requester opens, agents' replies "
        "alternate with the requester's, internal notes now and then; one timeline event per "
        "message. Texts come from pools composed once from ja/id/en phrases "
        "(`bench/console/texts.py`: 返金依頼, pengembalian dana ...), and every subject and "
        "message has its search entry made by the product's `index_terms`.",
        *fills,
        f"- Each of {runs} runs is a fresh process (`--child measure`) logged in as an agent "
        "with Django's test `Client`, in-process: the time of `client.get()` is server time "
        "(every middleware, the queries, the template), no network. Per case: "
        f"{report.options.requests} timed requests after 3 warm-up ones; p50 and p95 "
        "(nearest rank) per run, and the median of the runs reported. The query count of each "
        "page is taken once with `CaptureQueriesContext`, outside the timing.",
        f"- Cases: the queue's first page for the views all, mine, breached and "
        f"category:refund; page {DEEP_PAGE} of the same views (the `after` cursor of page "
        f"{DEEP_PAGE - 1}'s last row, found by walking the pages; a view with fewer pages gives "
        "its last); the console page of open tickets with 50 messages (ten of them in turn); "
        "the console search for `返金` and for `pengembalian`.",
        f"- Memory: after the cases, the same process pages through up to {DEEP_PAGE} pages of "
        f"each of {len(PAGED_VIEWS)} views ({', '.join(PAGED_VIEWS)}); its peak RSS "
        "(`VmHWM`, restarted from the current RSS just before the first timed request, so "
        "that it covers every request of the run; the test client and the bench's own "
        "bookkeeping included) is the figure, the largest over the runs.",
        f"- {PEER_NAME}: its own install (`../shared/peers/django-helpdesk/install.sh`), its "
        "`reset_db.sh` with `SEED_N` set to the same count when its database holds another, "
        "then a `manage.py shell -c` snippet in its venv timing, with its test `Client` as "
        "admin, the ticket list's HTML shell (`/tickets/`) and the DataTables JSON call for "
        f"its rows (50 a page, the first and page {DEEP_PAGE} at OFFSET 9,950), "
        f"{PEER_REQUESTS} requests each after 2 warm-up ones, in the same sitting, after "
        "Loket's SQLite runs. Its harness seeds through the ORM into SQLite only, so it is "
        "compared at the SQLite count.",
    ]


def migrated(fill: dict[str, object]) -> str:
    names: list[str] = fill.get("migrated_after_fill", [])  # type: ignore[assignment]
    if not names:
        return ""
    seconds = float(fill.get("seconds_migrating", 0.0))  # type: ignore[arg-type]
    return f", migrated since to {', '.join(names)} ({seconds:.0f} s)"


def results_table(measured: Measured) -> list[str]:
    headers = ["case", "p50 ms", "p95 ms", "p95 over runs", "goal ms", "", "queries", "rows"]
    rows = [
        [
            c.label + (" (the view's last page)" if "last" in c.note else ""),
            f"{c.p50:.2f}",
            f"{c.p95:.2f}",
            spread(c.p95s),
            f"{GOALS[c.group]:.0f}",
            verdict(c.met),
            "/".join(map(str, c.queries)),
            str(c.rows) if c.group != "ticket" else "",
        ]
        for c in cases(measured)
    ]
    run = measured.runs[-1]
    title = (
        f"**{NAMES[measured.database]}, {measured.tickets:,} tickets** ({len(measured.runs)} runs)"
    )
    return [
        title,
        "",
        *markdown_table(headers, rows, "lrrrrlrr"),
        "",
        f"- Queries per queue page: {', '.join(map(str, queue_queries(measured)))} (first page "
        "and deep page of every view); per ticket page, by category and number of messages on "
        f"the ticket: {ticket_queries_text(measured)}.",
        f"- Memory: peak RSS {peak_rss(measured):.1f} MB after paging through "
        f"{run['pages_walked']} pages ({float(run['paging_seconds']):.0f} s); "  # type: ignore[arg-type]
        f"{float(run['rss_before_mb']):.1f} MB before the first request.",  # type: ignore[arg-type]
        *(f"- Goal {name}: {verdict(met)}." for name, met in goals(measured).items()),
    ]


def peer_table(report: Report) -> list[str]:
    lines = [f"**{PEER_NAME}, same sitting**", ""]
    headers = ["tickets", "listed (open)", "shell p50", "rows p50", "list p50", "list p95",
               f"page {DEEP_PAGE} rows p50", "p95", "re-seeded in"]  # fmt: skip
    rows = []
    for peer in report.peers:
        list_p50, list_p95, deep_p50, deep_p95 = peer_figures(peer)
        rows.append([
            f"{peer.tickets:,}", f"{peer.matching:,}", f"{median(peer.shell):.1f}",
            f"{median(peer.rows):.1f}", f"{list_p50:.1f}", f"{list_p95:.1f}",
            f"{deep_p50:.1f}", f"{deep_p95:.1f}",
            f"{peer.reseed_seconds:.0f} s" if peer.reseed_seconds else "(already seeded)",
        ])  # fmt: skip
    lines += markdown_table(headers, rows)
    lines += ["", *(f"- {peer_ratio(report, peer)}." for peer in report.peers)]
    versions = report.peers[0].versions
    lines.append("- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    return lines
