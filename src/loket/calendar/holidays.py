"""The closed days of a business calendar: public holidays from the `holidays` package plus the
closures an admin adds (POLICY.md S3).

Holidays are not computed up front. `CountryHolidays` is the calendar's holiday source: the
calendar asks it for one year at a time (about 5 ms a year for ID), the first time its horizon
reaches that year, so a process pays only for the years its clocks actually touch. The
calendar covers exactly the years the package knows for the country (1946-2100 for ID,
clipped to SUPPORTED_YEARS) and refuses instants outside them instead of pretending those
years have no holidays. Collective leave (``government``, "cuti bersama") is decreed year by
year, so the package knows it only for past and current years.

The package is imported when the first calendar is built, not with this module, and only the
module of the calendar's country is loaded (`load_country_module`): command-line start-up
(issue 13).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType

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
            holiday_package(self.country).country_holidays(
                self.country, years=[], categories=self.categories
            )
        except NotImplementedError as error:
            raise CalendarError(
                f"'{self.country}' is not a country the holidays package knows (e.g. ID)"
            ) from error
        except ValueError as error:
            raise CalendarError(f"holidays of {self.country}: {error}") from error

    @property
    def years(self) -> range:
        """The years the package has data for: outside them it returns no holidays at all."""
        table = holiday_package(self.country).country_holidays(
            self.country, years=[], categories=self.categories
        )
        return range(type(table).start_year, type(table).end_year + 1)

    def __call__(self, year: int) -> frozenset[date]:
        table = holiday_package(self.country).country_holidays(
            self.country, years=year, categories=self.categories
        )
        return frozenset(day for day in table if day.year == year)


def holiday_package(country: str) -> ModuleType:
    """The `holidays` package, with the module of `country` loaded.

    Imported here rather than at the top: a process that never builds a calendar (most
    `loket` commands) does not pay for it. And the package finds a country's class through
    `holidays.countries`, whose __init__ imports all 250 countries, an eighth of a second on
    a two-core machine (issue 13). So the country's own module is loaded first, from its file
    under its usual name: the package's lazy loader then finds it in `sys.modules` and leaves
    the other countries alone. A country the registry does not name is left to the package,
    which refuses it as before.
    """
    import holidays
    import holidays.registry

    for module, (_class_name, *codes) in holidays.registry.COUNTRIES.items():
        if country in codes:
            # The lock the package's lazy loader holds while it imports a country.
            with holidays.registry.IMPORT_LOCK:
                load_country_module(Path(holidays.__file__).parent / "countries", module)
            break
    return holidays


def load_country_module(folder: Path, module: str) -> None:
    """Load holidays/countries/<module>.py as `holidays.countries.<module>`, unless it or the
    whole `holidays.countries` package is loaded already."""
    name = f"holidays.countries.{module}"
    if name in sys.modules or "holidays.countries" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, folder / f"{module}.py")
    if spec is None or spec.loader is None:
        return  # the package's own loader will find it, or say why not
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        del sys.modules[name]
        raise


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
