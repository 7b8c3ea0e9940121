"""The closed days of a business calendar: public holidays from the `holidays` package plus the
closures an admin adds (POLICY.md S3).

Holidays are not computed up front. `CountryHolidays` is the calendar's holiday source: the
calendar asks it for one year at a time (about 5 ms a year for ID), the first time its horizon
reaches that year, so a process pays only for the years its clocks actually touch. The
calendar covers exactly the years the package knows for the country (1946-2100 for ID,
clipped to SUPPORTED_YEARS) and refuses instants outside them instead of pretending those
years have no holidays. Collective leave (``government``, "cuti bersama") is decreed year by
year, so the package knows it only for past and current years.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import holidays

from loket.calendar.business import SUPPORTED_YEARS, BusinessCalendar, CalendarError, Window

__all__ = ["CountryHolidays", "build_calendar"]


@dataclass(frozen=True)
class CountryHolidays:
    """A country's holidays of the given categories (e.g. ``public``, ``government``) for one
    year at a time. Frozen, so calendars built from the same settings compare equal."""

    country: str
    categories: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.categories:
            raise CalendarError(f"holidays of {self.country}: give at least one category")
        try:
            # An empty table still checks the country and the category names.
            holidays.country_holidays(self.country, years=[], categories=self.categories)
        except NotImplementedError as error:
            raise CalendarError(
                f"'{self.country}' is not a country the holidays package knows (e.g. ID)"
            ) from error
        except ValueError as error:
            raise CalendarError(f"holidays of {self.country}: {error}") from error

    @property
    def years(self) -> range:
        """The years the package has data for: outside them it returns no holidays at all."""
        table = holidays.country_holidays(self.country, years=[], categories=self.categories)
        return range(type(table).start_year, type(table).end_year + 1)

    def __call__(self, year: int) -> frozenset[date]:
        table = holidays.country_holidays(self.country, years=year, categories=self.categories)
        return frozenset(day for day in table if day.year == year)


def build_calendar(
    *,
    time_zone: str,
    weekly: Mapping[int, Sequence[Window]],
    holiday_country: str | None,
    holiday_categories: Sequence[str] = ("public",),
    closures: Iterable[date] = (),
    years: range | None = None,
) -> BusinessCalendar:
    """The business calendar of a policy's hours.

    ``holiday_country`` None (or empty) means no holidays, only ``closures``. ``years``
    narrows the years the calendar answers for; by default they are every year the holidays
    package knows for the country (all of SUPPORTED_YEARS without a country). Raises
    `CalendarError` for an unknown zone, country or category, malformed windows, or a week
    without business hours.
    """
    source = (
        CountryHolidays(holiday_country, tuple(holiday_categories)) if holiday_country else None
    )
    known = _overlap(source.years, SUPPORTED_YEARS) if source is not None else SUPPORTED_YEARS
    if years is None:
        years = known
    elif _overlap(years, known) != years:
        raise CalendarError(
            f"years {years.start}-{years.stop - 1} go beyond {known.start}-{known.stop - 1}, "
            "the years whose holidays are known"
        )
    return BusinessCalendar(
        time_zone=time_zone,
        weekly=weekly,
        closed_days=frozenset(closures),
        holidays=source,
        years=years,
    )


def _overlap(first: range, second: range) -> range:
    return range(max(first.start, second.start), min(first.stop, second.stop))
