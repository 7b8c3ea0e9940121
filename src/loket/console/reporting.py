"""The reports page's presentation: bars for the charts (drawn as SVG by the template, no
script), labels for codes, and the rows of the CSV and XLSX exports - the same numbers."""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import xlsxwriter
from django.conf import settings
from django.utils.translation import gettext as _

from loket.policy.models import Category
from loket.tickets.models import Channel, Ticket
from loket.tickets.reports import Attainment, Distribution, Report

# (section, item, measure, value): one row of the exports.
type Row = tuple[str, str, str, float | int | str | None]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: float  # of the largest value, for the bar's width


def bars(rows: Iterable[tuple[str, int]]) -> list[Bar]:
    rows = list(rows)
    top = max((value for _, value in rows), default=0) or 1
    return [Bar(label, value, round(100 * value / top, 1)) for label, value in rows]


def labelled(kind: str, rows: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Codes as names: categories from the policy, channels and languages from their lists."""
    if kind == "category":
        names = {c.code: c.name_in() for c in Category.objects.all()}
    elif kind == "channel":
        names = {code: str(label) for code, label in Channel.choices}
    else:
        names = dict(settings.LANGUAGES)
    return [(names.get(code, code), value) for code, value in rows]


@dataclass(frozen=True)
class DayBar:
    x: int
    opened_height: float
    resolved_height: float
    day: str
    opened: int
    resolved: int


def day_bars(report: Report, height: int = 100) -> list[DayBar]:
    top = max((max(o, r) for _, o, r in report.daily), default=0) or 1
    return [
        DayBar(index * 12, round(height * opened / top, 1), round(height * resolved / top, 1),
               day.isoformat(), opened, resolved)
        for index, (day, opened, resolved) in enumerate(report.daily)
    ]  # fmt: skip


def export_rows(report: Report) -> list[Row]:
    """(section, item, measure, value): one tidy table for CSV and XLSX alike."""
    rows: list[Row] = [
        ("period", "", "first day", report.period.first.isoformat()),
        ("period", "", "last day", report.period.last.isoformat()),
        ("volume", "", "opened", report.opened),
        ("backlog", "", "open now", report.backlog_now),
        ("escalations", "", "count", report.escalations),
        ("complex cases", "", "count", report.complex_cases),
        ("satisfaction", "", "good", report.satisfaction[0]),
        ("satisfaction", "", "bad", report.satisfaction[1]),
    ]
    for name, attained in (("first response", report.first_response),
                           ("resolution", report.resolution)):  # fmt: skip
        rows += attainment_rows(name, attained)
    for name, spread in (("first response time", report.first_response_time),
                         ("resolution time", report.resolution_time)):  # fmt: skip
        rows += distribution_rows(name, spread)
    for section, values in (("category", report.by_category), ("channel", report.by_channel),
                            ("language", report.by_language)):  # fmt: skip
        rows += [(section, code, "opened", value) for code, value in values]
    for day, opened, resolved in report.daily:
        rows += [("day", day.isoformat(), "opened", opened),
                 ("day", day.isoformat(), "resolved", resolved)]  # fmt: skip
    for agent in report.agents:
        rows += [("agent", agent.name, "public replies", agent.replies),
                 ("agent", agent.name, "resolved", agent.resolved),
                 ("agent", agent.name, "rated good", agent.good),
                 ("agent", agent.name, "rated bad", agent.bad)]  # fmt: skip
    return rows


def attainment_rows(name: str, attained: Attainment) -> list[Row]:
    section = f"{name} SLA"
    return [
        (section, "", "met", attained.met),
        (section, "", "breached", attained.breached),
        (section, "", "open, not breached", attained.open_at_risk),
        (section, "", "met %", attained.rate),
    ]


def distribution_rows(name: str, spread: Distribution) -> list[Row]:
    return [
        (name, "", "count", spread.count),
        (name, "", "median business hours", spread.median_hours),
        (name, "", "p90 business hours", spread.p90_hours),
    ]


HEADER = ("section", "item", "measure", "value")
# A cell a spreadsheet would run as a formula (a requester's "name" can be "=HYPERLINK(...)").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows((cell(v) for v in row) for row in export_rows(report))
    return out.getvalue()


def as_xlsx(report: Report) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("Report")[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, HEADER, bold)
    for index, row in enumerate(export_rows(report), start=1):
        sheet.write_row(index, 0, ["" if v is None else v for v in row])
    sheet.set_column(0, 2, 24)
    book.close()
    return out.getvalue()


def timeline_as_csv(ticket: Ticket) -> str:
    """Every event of a ticket: when (UTC), what, who, and its data (before/after, reasons)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("time_utc", "event", "label", "actor", "data"))
    for event in ticket.events.order_by("created_at", "id"):
        data = json.dumps(event.data, ensure_ascii=False, sort_keys=True)
        writer.writerow((event.created_at.isoformat(), event.kind, event.get_kind_display(),
                         cell(event.actor_label), cell(data)))  # fmt: skip
    return out.getvalue()
