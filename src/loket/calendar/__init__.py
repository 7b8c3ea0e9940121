"""Loket's business calendar: opening hours, holidays and SLA deadlines in business time.

Pure Python, no Django. See `loket.calendar.business` for the exact semantics.
"""

from loket.calendar.business import (
    LONG_CLOSURE,
    SUPPORTED_YEARS,
    BusinessCalendar,
    CalendarError,
    HolidaySource,
    Window,
    business_days,
)
from loket.calendar.holidays import CountryHolidays, build_calendar

__all__ = [
    "LONG_CLOSURE",
    "SUPPORTED_YEARS",
    "BusinessCalendar",
    "CalendarError",
    "CountryHolidays",
    "HolidaySource",
    "Window",
    "build_calendar",
    "business_days",
]
