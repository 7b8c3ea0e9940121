"""The public Support & Complaints page's context, built from a policy document for one language.

No database access: everything comes from the `PolicyDocument`. The prose is the policy's own
text in the page's language; headings, units, weekday names and "not configured" states are
Loket's translations; the figures (hours, days, addresses, numbers) come from the data, so a
changed figure changes every language at once.
"""

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy

from loket.policy.connected import whatsapp_connected
from loket.policy.document import LANGUAGES, CategoryDefinition, Hours, PolicyDocument, Texts

type Windows = tuple[tuple[dt.time, dt.time], ...]

DASH = "\u2013"  # the en dash of ranges: 09:00-18:00

# Short weekday names as the page writes them in a range of days ("Mon", "月", "Senin").
WEEKDAY_NAMES: tuple[Promise, ...] = (
    pgettext_lazy("weekday in a range of days", "Mon"),
    pgettext_lazy("weekday in a range of days", "Tue"),
    pgettext_lazy("weekday in a range of days", "Wed"),
    pgettext_lazy("weekday in a range of days", "Thu"),
    pgettext_lazy("weekday in a range of days", "Fri"),
    pgettext_lazy("weekday in a range of days", "Sat"),
    pgettext_lazy("weekday in a range of days", "Sun"),
)
# Countries whose public holidays Loket knows how to name; others are shown by their code.
COUNTRY_NAMES: Mapping[str, Promise] = {"ID": pgettext_lazy("country", "Indonesia")}


@dataclass(frozen=True)
class HoursLine:
    days: str
    text: str
    is_open: bool


@dataclass(frozen=True)
class ClosureLine:
    date: dt.date
    date_text: str
    reason: str


@dataclass(frozen=True)
class Channel:
    code: str
    name: str
    text: str
    configured: bool
    detail: str  # the address or number; "" when not configured
    href: str  # mailto:, https://wa.me/, tel:; "" when there is no contact detail
    not_configured: str
    subject_format: str = ""  # e-mail only: the subject line we suggest
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetRow:
    label: str
    target: str


@dataclass(frozen=True)
class EvidenceLine:
    code: str
    label: str
    help: str


@dataclass(frozen=True)
class LevelLine:
    level: int
    label: str
    name: str


def support_page_context(
    document: PolicyDocument, *, language: str, today: dt.date
) -> dict[str, Any]:
    """Everything the template needs, in `language` (ja, id or en; others fall back);
    `today` is the date in the policy's time zone (closures before it are not shown)."""
    language = page_language(language, document.organisation.default_language)
    with translation.override(language):
        return build_context(document, language, today)


def build_context(document: PolicyDocument, language: str, today: dt.date) -> dict[str, Any]:
    texts = {key: pick(value, language) for key, value in document.page_texts.items()}
    lists = {key: tuple(value.get(language, ())) for key, value in document.page_lists.items()}
    return {
        "page_language": language,
        "organisation": document.organisation,
        "texts": texts,
        "lists": lists,
        "hours_lines": hours_lines(document.hours),
        "holiday_note": holiday_note(document.hours),
        "closures": closure_lines(document.hours, language, today),
        "first_response": first_response_text(document),
        "first_response_hours": business_hours_text(
            document.sla.first_response_days * document.sla.business_day_hours
        ),
        "channels": channels(document, texts),
        "evidence": evidence_lines(document, language),
        "targets": target_rows(document.categories, language),
        "complex_points": complex_points(document),
        "escalation_levels": escalation_levels(document, language),
        "refund_window": refund_window_text(document.refunds.window_days),
        "refund_reasons": tuple(pick(reason.name, language) for reason in document.refunds.reasons),
    }


# --- languages and numbers ------------------------------------------------------------------


def page_language(language: str, default: str) -> str:
    """ja, id or en from a language code such as "ja" or "en-us"."""
    base = language.lower().split("-")[0]
    return base if base in LANGUAGES else default


def pick(texts: Texts, language: str) -> str:
    return texts.get(language) or texts.get("en") or ""


def number(value: float) -> str:
    """1.0 -> "1", 0.5 -> "0.5" (or "0,5" where the language writes it so)."""
    if float(value).is_integer():
        return str(int(value))
    return formats.number_format(value, use_l10n=True)


def plural_count(value: float) -> int:
    """The count ngettext chooses the form by: fractions take the plural ("0.5 days")."""
    return int(value) if float(value).is_integer() else 2


def business_days(days: float) -> str:
    return ngettext("%(days)s business day", "%(days)s business days", plural_count(days)) % {
        "days": number(days)
    }


def within_business_days(days: float) -> str:
    return ngettext(
        "within %(days)s business day", "within %(days)s business days", plural_count(days)
    ) % {"days": number(days)}


def business_days_range(low: float, high: float) -> str:
    return ngettext(
        "%(low)s–%(high)s business day",  # noqa: RUF001
        "%(low)s–%(high)s business days",  # noqa: RUF001
        plural_count(high),
    ) % {"low": number(low), "high": number(high)}


def business_hours_text(hours: float) -> str:
    return ngettext(
        "(%(hours)s business hour)", "(%(hours)s business hours)", plural_count(hours)
    ) % {"hours": number(hours)}


# --- support hours --------------------------------------------------------------------------


def day_range(first: int, last: int) -> str:
    if first == last:
        return str(WEEKDAY_NAMES[first])
    template = pgettext("range of weekdays", "%(first)s–%(last)s")  # noqa: RUF001
    return template % {"first": WEEKDAY_NAMES[first], "last": WEEKDAY_NAMES[last]}


def window_text(windows: Windows) -> str:
    separator = pgettext("separator between time windows", ", ")
    return separator.join(f"{start:%H:%M}{DASH}{end:%H:%M}" for start, end in windows)


def day_groups(weekly: Mapping[int, Windows]) -> list[tuple[int, int, Windows]]:
    """Consecutive weekdays (Monday first) with the same windows: (first, last, windows)."""
    groups = []
    days = range(len(WEEKDAY_NAMES))
    for windows, members in itertools.groupby(days, key=lambda day: weekly.get(day, ())):
        group = list(members)
        groups.append((group[0], group[-1], windows))
    return groups


def hours_lines(hours: Hours) -> tuple[HoursLine, ...]:
    """The open days first ("Mon-Fri 09:00-18:00 WIB", with en dashes), then the closed ones."""
    lines = []
    for first, last, windows in day_groups(hours.weekly):
        days = day_range(first, last)
        if windows:
            text = pgettext("support hours", "%(days)s %(windows)s %(zone)s") % {
                "days": days,
                "windows": window_text(windows),
                "zone": hours.zone_label,
            }
        else:
            text = pgettext("support hours", "%(days)s closed") % {"days": days}
        lines.append(HoursLine(days=days, text=text, is_open=bool(windows)))
    return tuple(sorted(lines, key=lambda line: not line.is_open))


def holiday_note(hours: Hours) -> str:
    country = str(COUNTRY_NAMES.get(hours.holiday_country, hours.holiday_country))
    if "government" in hours.holiday_categories:
        message = gettext(
            "Closed on public holidays and collective leave days (cuti bersama) in %(country)s."
        )
    else:
        message = gettext("Closed on public holidays in %(country)s.")
    return message % {"country": country}


def closure_lines(hours: Hours, language: str, today: dt.date) -> tuple[ClosureLine, ...]:
    return tuple(
        ClosureLine(
            date=closure.date,
            date_text=formats.date_format(closure.date, "DATE_FORMAT", use_l10n=True),
            reason=pick(closure.reason, language),
        )
        for closure in hours.closures
        if closure.date >= today
    )


# --- response targets -----------------------------------------------------------------------


def first_response_text(document: PolicyDocument) -> str:
    """ "Within 1 business day", as a sentence start."""
    text = within_business_days(document.sla.first_response_days)
    return text[:1].upper() + text[1:]


def first_response_rows(categories: Sequence[CategoryDefinition], language: str) -> list[TargetRow]:
    """One row when every category has the same first-response target, else one per value."""
    by_days: dict[float, list[CategoryDefinition]] = {}
    for category in categories:
        by_days.setdefault(category.first_response_days, []).append(category)
    if len(by_days) == 1:
        days = next(iter(by_days))
        return [TargetRow(gettext("First response (all requests)"), within_business_days(days))]
    return [
        TargetRow(
            gettext("First response: %(categories)s")
            % {"categories": joined(pick(c.names, language) for c in members)},
            within_business_days(days),
        )
        for days, members in sorted(by_days.items())
    ]


def resolution_target(category: CategoryDefinition) -> str | None:
    target, deadline = category.resolution_target_days, category.resolution_deadline_days
    if target is not None and deadline is not None and target != deadline:
        return business_days_range(target, deadline)
    days = deadline if deadline is not None else target
    return None if days is None else within_business_days(days)


def target_rows(categories: Sequence[CategoryDefinition], language: str) -> tuple[TargetRow, ...]:
    """First response for all, then each category with a resolution target, shortest first."""
    rows = first_response_rows(categories, language)
    with_targets = sorted(
        (c for c in categories if resolution_target(c) is not None), key=resolution_days
    )
    for category in with_targets:
        label = gettext("Resolution: %(category)s") % {"category": pick(category.names, language)}
        rows.append(TargetRow(label, resolution_target(category) or ""))
    return tuple(rows)


def resolution_days(category: CategoryDefinition) -> tuple[float, float]:
    target, deadline = category.resolution_target_days, category.resolution_deadline_days
    return (deadline or target or 0.0, target or deadline or 0.0)


def complex_points(document: PolicyDocument) -> tuple[str, ...]:
    sla = document.sla
    return (
        gettext("The resolution deadline can be extended by up to %(days)s.")
        % {"days": business_days(sla.complex_extension_days)},
        gettext("Until it is resolved, we send you a progress update at least every %(days)s.")
        % {"days": business_days(sla.progress_update_days)},
    )


# --- channels -------------------------------------------------------------------------------


def phone_digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def channels(document: PolicyDocument, texts: Mapping[str, str]) -> tuple[Channel, ...]:
    """E-mail, WhatsApp, phone and the contact form, in that order, configured or not."""
    return (
        email_channel(document, texts),
        whatsapp_channel(document, texts),
        phone_channel(document, texts),
        contact_form_channel(document, texts),
    )


def email_channel(document: PolicyDocument, texts: Mapping[str, str]) -> Channel:
    address = document.channels.email_address
    return Channel(
        code="email",
        name=gettext("E-mail"),
        text=texts.get("email_text", ""),
        configured=address is not None,
        detail=address or "",
        href=f"mailto:{address}" if address else "",
        not_configured=gettext("E-mail support is not configured."),
        subject_format=document.channels.email_subject_format or "",
    )


def whatsapp_channel(document: PolicyDocument, texts: Mapping[str, str]) -> Channel:
    """Shown as open only when the policy names the number and the installation is connected
    to the Cloud API: a number nobody reads must not be promised."""
    number = document.channels.whatsapp_number if whatsapp_connected() else None
    notes = (
        (
            gettext(
                "Quick questions, answered in support hours; a message outside them is "
                "acknowledged at once and answered when support opens."
            ),
        )
        if number and document.channels.whatsapp_hours_only
        else ()
    )
    return Channel(
        code="whatsapp",
        name=gettext("WhatsApp"),
        text=texts.get("whatsapp_text", ""),
        configured=number is not None,
        detail=number or "",
        href=f"https://wa.me/{phone_digits(number)}" if number else "",
        not_configured=gettext("WhatsApp support is not configured."),
        notes=notes,
    )


def phone_channel(document: PolicyDocument, texts: Mapping[str, str]) -> Channel:
    """S6: the phone is for urgent escalation, whatever the policy's own text says; calls are
    logged by the agents as tickets."""
    number = document.channels.phone_number
    notes = (gettext("For urgent escalation only."),) if number else ()
    return Channel(
        code="phone",
        name=gettext("Phone"),
        text=texts.get("phone_text", ""),
        configured=number is not None,
        detail=number or "",
        href=f"tel:+{phone_digits(number)}" if number else "",
        not_configured=gettext("Phone support is not configured."),
        notes=notes,
    )


def contact_form_channel(document: PolicyDocument, texts: Mapping[str, str]) -> Channel:
    return Channel(
        code="contact_form",
        name=gettext("Contact form"),
        text=texts.get("contact_form_text", ""),
        configured=document.channels.contact_form_enabled,
        detail="",
        href="",  # the template links {% url 'intake:contact' %}
        not_configured=gettext("The contact form is not available."),
    )


# --- evidence, escalation, refunds ----------------------------------------------------------


def evidence_lines(document: PolicyDocument, language: str) -> tuple[EvidenceLine, ...]:
    return tuple(
        EvidenceLine(
            code=item.code, label=pick(item.label, language), help=pick(item.help, language)
        )
        for item in document.evidence
    )


def escalation_levels(document: PolicyDocument, language: str) -> tuple[LevelLine, ...]:
    return tuple(
        LevelLine(
            level=level.level,
            label=gettext("Level %(level)s") % {"level": level.level},
            name=pick(level.name, language),
        )
        for level in sorted(document.escalation, key=lambda level: level.level)
    )


def refund_window_text(window_days: int) -> str:
    return ngettext(
        "A subscription refund can be requested within %(days)s day of the charge.",
        "A subscription refund can be requested within %(days)s days of the charge.",
        window_days,
    ) % {"days": window_days}


def joined(items: Iterable[str]) -> str:
    return pgettext("separator between category names", ", ").join(items)
