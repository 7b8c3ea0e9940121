"""The deadlines a ticket received at a given instant would get: for `loket sla preview` and the
public page's "write to us now" line. Pure: no Django; the policy document and its calendar are
passed in."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from loket.calendar import BusinessCalendar
from loket.policy.document import PolicyDocument
from loket.sla.targets import business_seconds


@dataclass(frozen=True)
class Deadlines:
    category: str
    received: datetime
    first_response_due: datetime
    resolution_target: datetime | None
    resolution_due: datetime | None

    def as_json(self, time_zone: str) -> dict[str, str | None]:
        zone = ZoneInfo(time_zone)

        def show(moment: datetime | None) -> str | None:
            return moment.astimezone(zone).isoformat() if moment else None

        return {
            "category": self.category,
            "received": show(self.received),
            "first_response_due": show(self.first_response_due),
            "resolution_target": show(self.resolution_target),
            "resolution_due": show(self.resolution_due),
        }


def preview(
    document: PolicyDocument, calendar: BusinessCalendar, category_code: str, received: datetime
) -> Deadlines:
    category = document.category(category_code)
    if category is None:
        codes = ", ".join(c.code for c in document.categories)
        raise ValueError(f"unknown category {category_code!r}; use one of: {codes}")

    def due(days: float | None) -> datetime | None:
        return None if days is None else after(document, calendar, received, days)

    deadline = category.resolution_deadline_days or category.resolution_target_days
    return Deadlines(
        category=category.code,
        received=received,
        first_response_due=after(document, calendar, received, category.first_response_days),
        resolution_target=due(category.resolution_target_days),
        resolution_due=due(deadline),
    )


def first_answer_by(
    document: PolicyDocument, calendar: BusinessCalendar, now: datetime
) -> datetime:
    """When someone writing now gets the policy's general first answer (the public page)."""
    return after(document, calendar, now, document.sla.first_response_days)


def after(
    document: PolicyDocument, calendar: BusinessCalendar, start: datetime, days: float
) -> datetime:
    return calendar.add(start, timedelta(seconds=business_seconds(days, document)))
