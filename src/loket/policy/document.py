"""The policy file (TOML) read into plain, validated data. Pure: no Django.

The format is described for operators in docs/policy-file.md. Validation collects every
problem, each with the key path it concerns, so `loket policy check` can list them all with
their line numbers in one go.
"""

import datetime as dt
import difflib
import itertools
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loket.policy.locate import KeyPath, key_lines, line_of

SCHEMA = 1
LANGUAGES = ("ja", "id", "en")
PRIORITIES = ("low", "normal", "high", "urgent")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HOLIDAY_CATEGORIES = ("public", "government")
PAGE_TEXTS = (
    "title", "intro", "boundary", "note", "channels_intro", "email_text", "whatsapp_text",
    "phone_text", "contact_form_text", "submit_intro", "evidence_intro", "sla_intro",
    "complex_cases", "escalation_intro", "refunds_intro", "security_intro",
)  # fmt: skip
PAGE_LISTS = ("submit_steps", "escalation_steps", "refunds_points", "security_points")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,22}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

type Texts = Mapping[str, str]
type TextLists = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Problem:
    path: KeyPath
    message: str
    line: int | None = None

    def where(self) -> str:
        return ".".join(str(part) for part in self.path) or "(file)"


class PolicyError(ValueError):
    """A policy file that cannot be used; each problem names its line when one is known."""

    def __init__(self, problems: list[Problem], source: str = "", filename: str = "policy") -> None:
        self.problems = problems
        lines = key_lines(source) if source else {}
        self.lines = [
            f"{filename}:{problem.line or line_of(lines, problem.path) or 1}: "
            f"{problem.where()}: {problem.message}"
            for problem in problems
        ]
        super().__init__("\n".join(self.lines))


@dataclass(frozen=True)
class Organisation:
    name: str
    legal_name: str
    website: str
    default_language: str


@dataclass(frozen=True)
class Closure:
    date: dt.date
    reason: Texts


@dataclass(frozen=True)
class Hours:
    time_zone: str
    zone_label: str
    holiday_country: str
    holiday_categories: tuple[str, ...]
    # weekday (0 = Monday) -> [start, end) windows in local time, sorted
    weekly: Mapping[int, tuple[tuple[dt.time, dt.time], ...]]
    closures: tuple[Closure, ...]


@dataclass(frozen=True)
class Sla:
    business_day_hours: float
    first_response_days: float
    warning_at: float
    complex_extension_days: float
    progress_update_days: float
    complex_reasons: tuple[str, ...]
    # S11: a breached resolution or progress-update deadline either only notifies the
    # supervisors ("notify") or also puts the ticket in the level 1 review queue ("escalate").
    breach_action: str = "notify"


@dataclass(frozen=True)
class WhatsAppTemplate:
    """A message template approved by Meta: the only kind of WhatsApp message Loket may send
    more than 24 hours after the requester last wrote. Its one body parameter, when it has
    one, is the ticket's reference."""

    name: str
    language: str  # Meta's language code: id, en, ja, en_US ...
    label: str  # what the agent sees in the console
    with_reference: bool = True


@dataclass(frozen=True)
class Channels:
    email_address: str | None
    email_subject_format: str | None
    email_recommended_for: tuple[str, ...]
    whatsapp_number: str | None
    whatsapp_hours_only: bool
    phone_number: str | None
    contact_form_enabled: bool
    whatsapp_templates: tuple[WhatsAppTemplate, ...] = ()


@dataclass(frozen=True)
class EvidenceItem:
    code: str
    label: Texts
    help: Texts


@dataclass(frozen=True)
class CategoryDefinition:
    code: str
    priority: str
    names: Texts
    descriptions: Texts
    evidence: tuple[str, ...]
    first_response_days: float
    resolution_target_days: float | None
    resolution_deadline_days: float | None
    buyer_matter: bool


@dataclass(frozen=True)
class Satisfaction:
    """After a ticket is resolved, one question to the requester (good or bad, and a comment)
    through a single-use link that works `expires_days`; a bad answer reopens the ticket when
    `reopen_on_bad`. Never for a buyer redirected to the seller (S2)."""

    enabled: bool = False
    expires_days: int = 14
    reopen_on_bad: bool = False


@dataclass(frozen=True)
class Verification:
    """S11, S13: ownership of the account confirmed by a one-time link to its address on file.
    Escalating a ticket of `categories` starts it, and the console refuses `protected_actions`
    on those tickets and `account_changes` on account_security tickets until it is done."""

    categories: tuple[str, ...] = ()
    protected_actions: tuple[str, ...] = ()
    account_changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EscalationLevel:
    level: int
    code: str
    name: Texts


@dataclass(frozen=True)
class RefundReason:
    code: str
    name: Texts


@dataclass(frozen=True)
class Refunds:
    window_days: int
    original_payment_method: bool
    reasons: tuple[RefundReason, ...]


@dataclass(frozen=True)
class PolicyDocument:
    organisation: Organisation
    hours: Hours
    sla: Sla
    channels: Channels
    evidence: tuple[EvidenceItem, ...]
    categories: tuple[CategoryDefinition, ...]
    escalation: tuple[EscalationLevel, ...]
    refunds: Refunds
    page_texts: Mapping[str, Texts]
    page_lists: Mapping[str, TextLists]
    verification: Verification = field(default_factory=Verification)
    satisfaction: Satisfaction = field(default_factory=Satisfaction)

    def is_buyer_matter(self, code: str) -> bool:
        """S2: a buyer's order on a seller's store, which the seller handles."""
        category = self.category(code)
        return bool(category and category.buyer_matter)

    def category(self, code: str) -> CategoryDefinition | None:
        return next((category for category in self.categories if category.code == code), None)

    def evidence_item(self, code: str) -> EvidenceItem | None:
        return next((item for item in self.evidence if item.code == code), None)


def load_policy(path: Path) -> PolicyDocument:
    return parse_policy_source(path.read_text(encoding="utf-8"), filename=str(path))


def parse_policy_source(source: str, filename: str = "policy") -> PolicyDocument:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        # tomllib says "(at line N, column M)": lift the line to the front like the others.
        found = re.search(r"line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        problem = Problem((), f"not valid TOML: {error}", line=line)
        raise PolicyError([problem], filename=filename) from error
    reader = Reader()
    document = read_document(reader, reader.track(data, ()))
    reader.check_unknown_keys()
    if reader.problems or document is None:
        raise PolicyError(reader.problems, source, filename)
    return document


def parse_policy(data: dict[str, Any]) -> PolicyDocument:
    reader = Reader()
    document = read_document(reader, reader.track(data, ()))
    reader.check_unknown_keys()
    if reader.problems or document is None:
        raise PolicyError(reader.problems)
    return document


# --- reading with problems collected --------------------------------------------------------


class TrackedTable(dict[str, Any]):
    """A table of the file that remembers which keys the reader asked for, so a key nobody
    asked for - `first_responze_days` - is refused instead of silently ignored. A table the
    reader walks through as a whole counts as fully read."""

    def __init__(self, data: dict[str, Any], path: KeyPath) -> None:
        super().__init__(data)
        self.path = path
        self.asked: set[str] = set()
        self.walked = False

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)

    def items(self) -> Any:
        self.walked = True
        return super().items()

    def keys(self) -> Any:
        self.walked = True
        return super().keys()

    def values(self) -> Any:
        self.walked = True
        return super().values()

    def __iter__(self) -> Any:
        self.walked = True
        return super().__iter__()

    def unknown(self) -> list[str]:
        return [] if self.walked else [key for key in dict.keys(self) if key not in self.asked]


@dataclass
class Reader:
    problems: list[Problem] = field(default_factory=list)
    tables: list[TrackedTable] = field(default_factory=list)

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(path, message))

    def track(self, data: dict[str, Any], path: KeyPath) -> TrackedTable:
        tracked = TrackedTable(data, path)
        self.tables.append(tracked)
        return tracked

    def table(self, data: Any, path: KeyPath, *, required: bool = True) -> dict[str, Any]:
        if isinstance(data, dict):
            return self.track(data, path)
        if data is not None or required:
            self.problem(path, "must be a table")
        return {}

    def check_unknown_keys(self) -> None:
        """Every key no reader asked for is a problem, with the nearest known key suggested:
        a misspelt key must not quietly drop a target (issue 14)."""
        for table in self.tables:
            for key in table.unknown():
                close = difflib.get_close_matches(key, sorted(table.asked), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem((*table.path, key), f"unknown key {key!r}{hint}")

    def array(self, data: Any, path: KeyPath) -> list[Any]:
        if data is None:
            return []
        if isinstance(data, list):
            return data
        self.problem(path, "must be a list")
        return []

    def string(
        self, data: dict[str, Any], key: str, path: KeyPath, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.problem((*path, key), "is required (a text)" if value is None else "must be a text")
        return ""

    def optional_string(self, data: dict[str, Any], key: str, path: KeyPath) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.problem((*path, key), "must be a non-empty text, or left out")
        return None

    def boolean(self, data: dict[str, Any], key: str, path: KeyPath, default: bool) -> bool:
        value = data.get(key, default)
        if isinstance(value, bool):
            return value
        self.problem((*path, key), "must be true or false")
        return default

    def number(
        self, data: dict[str, Any], key: str, path: KeyPath, *, default: float | None = None
    ) -> float | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.problem((*path, key), "must be a number greater than zero")
            return None
        return float(value)

    def texts(self, data: dict[str, Any], key: str, path: KeyPath) -> Texts:
        value = data.get(key)
        where = (*path, key)
        if not isinstance(value, dict):
            self.problem(
                where, "must give the text in ja, id and en: { ja = ..., id = ..., en = ... }"
            )
            return dict.fromkeys(LANGUAGES, "")
        missing = [language for language in LANGUAGES if not _is_text(value.get(language))]
        if missing:
            self.problem(where, f"the text is missing in {', '.join(missing)}")
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            self.problem(where, f"unknown language(s) {', '.join(unknown)}; use ja, id and en")
        return {language: str(value.get(language, "")).strip() for language in LANGUAGES}

    def text_lists(self, data: dict[str, Any], key: str, path: KeyPath) -> TextLists:
        value = data.get(key)
        where = (*path, key)
        if not isinstance(value, dict):
            self.problem(
                where, "must give a list in ja, id and en: { ja = [...], id = [...], en = [...] }"
            )
            return dict.fromkeys(LANGUAGES, ())
        result: dict[str, tuple[str, ...]] = {}
        for language in LANGUAGES:
            items = value.get(language)
            if not isinstance(items, list) or not items or not all(_is_text(i) for i in items):
                self.problem(where, f"{language} must be a non-empty list of texts")
                items = []
            result[language] = tuple(str(item).strip() for item in items)
        lengths = {language: len(items) for language, items in result.items()}
        if len(set(lengths.values())) > 1:
            counts = ", ".join(f"{language} {count}" for language, count in lengths.items())
            self.problem(where, f"every language needs the same number of items ({counts})")
        return result

    def codes(self, data: dict[str, Any], key: str, path: KeyPath) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem((*path, key), "must be a list of codes")
            return ()
        return tuple(value)

    def code(self, data: dict[str, Any], key: str, path: KeyPath) -> str:
        value = data.get(key)
        if isinstance(value, str) and CODE.match(value):
            return value
        self.problem(
            (*path, key),
            "must be a code: lower-case letters, digits and _ (e.g. 'billing_dispute')",
        )
        return ""


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def unique(reader: Reader, items: list[tuple[KeyPath, str]], what: str) -> None:
    seen: set[str] = set()
    for path, code in items:
        if code and code in seen:
            reader.problem(path, f"{what} '{code}' appears more than once")
        seen.add(code)


# --- the sections ---------------------------------------------------------------------------


def read_document(reader: Reader, data: dict[str, Any]) -> PolicyDocument | None:
    schema = data.get("schema")
    if schema != SCHEMA:
        reader.problem(
            ("schema",), f"must be {SCHEMA} (the format this Loket reads), not {schema!r}"
        )
    evidence = read_evidence(reader, data)
    categories = read_categories(reader, data, {item.code for item in evidence})
    category_codes = {category.code for category in categories}
    return PolicyDocument(
        organisation=read_organisation(reader, data),
        hours=read_hours(reader, data),
        sla=read_sla(reader, data),
        channels=read_channels(reader, data, category_codes),
        evidence=evidence,
        categories=categories,
        escalation=read_escalation(reader, data),
        refunds=read_refunds(reader, data),
        verification=read_verification(reader, data),
        satisfaction=read_satisfaction(reader, data),
        page_texts={key: reader.texts(page(reader, data), key, ("page",)) for key in PAGE_TEXTS},
        page_lists={
            key: reader.text_lists(page(reader, data), key, ("page",)) for key in PAGE_LISTS
        },
    )


def page(reader: Reader, data: dict[str, Any]) -> dict[str, Any]:
    value = data.get("page")
    if not isinstance(value, dict):
        return {}
    # Read piece by piece by several readers: one tracked table for all of them.
    return next((t for t in reader.tables if t.path == ("page",)), None) or reader.track(
        value, ("page",)
    )


def read_organisation(reader: Reader, data: dict[str, Any]) -> Organisation:
    path: KeyPath = ("organisation",)
    table = reader.table(data.get("organisation"), path)
    language = table.get("default_language", "id")
    if language not in LANGUAGES:
        reader.problem((*path, "default_language"), "must be ja, id or en")
        language = "id"
    return Organisation(
        name=reader.string(table, "name", path),
        legal_name=str(table.get("legal_name", "")),
        website=str(table.get("website", "")),
        default_language=str(language),
    )


def read_hours(reader: Reader, data: dict[str, Any]) -> Hours:
    path: KeyPath = ("hours",)
    table = reader.table(data.get("hours"), path)
    time_zone = reader.string(table, "time_zone", path)
    try:
        if time_zone:
            zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        reader.problem(
            (*path, "time_zone"), f"'{time_zone}' is not a known time zone (e.g. Asia/Jakarta)"
        )
    categories = reader.codes(table, "holiday_categories", path) or ("public",)
    for category in categories:
        if category not in HOLIDAY_CATEGORIES:
            reader.problem(
                (*path, "holiday_categories"), f"'{category}' is not one of public, government"
            )
    country = reader.string(table, "holiday_country", path)
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        reader.problem((*path, "holiday_country"), "must be a two-letter country code such as ID")
    weekly = {day: read_windows(reader, table, name, path) for day, name in enumerate(WEEKDAYS)}
    if not any(weekly.values()):
        reader.problem(
            path,
            "no business hours at all: give at least one weekday a window such as "
            'monday = [["09:00", "18:00"]]',
        )
    unknown = sorted(
        set(table)
        - {
            *WEEKDAYS,
            "time_zone",
            "zone_label",
            "holiday_country",
            "holiday_categories",
            "closures",
        }
    )
    for key in unknown:
        reader.problem(
            (*path, key),
            "is not a setting of [hours] (weekdays are written in full: monday, tuesday, ...)",
        )
    return Hours(
        time_zone=time_zone,
        zone_label=str(table.get("zone_label", time_zone)),
        holiday_country=country,
        holiday_categories=categories,
        weekly=weekly,
        closures=read_closures(reader, table),
    )


def read_windows(
    reader: Reader, table: dict[str, Any], day: str, path: KeyPath
) -> tuple[tuple[dt.time, dt.time], ...]:
    raw = table.get(day, [])
    where = (*path, day)
    if not isinstance(raw, list):
        reader.problem(where, 'must be a list of windows such as [["09:00", "18:00"]]')
        return ()
    windows: list[tuple[dt.time, dt.time]] = []
    for window in raw:
        if not (
            isinstance(window, list)
            and len(window) == 2
            and all(isinstance(t, str) and CLOCK.match(t) for t in window)
        ):
            reader.problem(
                where, f'{window!r} is not a window such as ["09:00", "18:00"] (24-hour HH:MM)'
            )
            continue
        start, end = (dt.time.fromisoformat(t) for t in window)
        if start >= end:
            reader.problem(where, f"window {window[0]}-{window[1]} ends before it starts")
            continue
        windows.append((start, end))
    windows.sort()
    for (_, first_end), (second_start, _) in itertools.pairwise(windows):
        if second_start < first_end:
            reader.problem(where, "windows overlap")
    return tuple(windows)


def read_closures(reader: Reader, table: dict[str, Any]) -> tuple[Closure, ...]:
    closures = []
    for index, raw in enumerate(reader.array(table.get("closures"), ("hours", "closures"))):
        path: KeyPath = ("hours", "closures", index)
        entry = reader.table(raw, path)
        date = entry.get("date")
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            reader.problem((*path, "date"), "must be a date such as 2026-12-31 (no quotes)")
            continue
        closures.append(Closure(date=date, reason=reader.texts(entry, "reason", path)))
    return tuple(sorted(closures, key=lambda closure: closure.date))


def read_sla(reader: Reader, data: dict[str, Any]) -> Sla:
    path: KeyPath = ("sla",)
    table = reader.table(data.get("sla"), path)
    warning_at = table.get("warning_at", 0.75)
    if (
        isinstance(warning_at, bool)
        or not isinstance(warning_at, int | float)
        or not 0 < warning_at < 1
    ):
        reader.problem((*path, "warning_at"), "must be a share between 0 and 1, such as 0.75")
        warning_at = 0.75
    return Sla(
        business_day_hours=reader.number(table, "business_day_hours", path, default=9) or 9,
        first_response_days=reader.number(table, "first_response_days", path, default=1) or 1,
        warning_at=float(warning_at),
        complex_extension_days=reader.number(table, "complex_extension_days", path, default=5) or 5,
        progress_update_days=reader.number(table, "progress_update_days", path, default=2) or 2,
        complex_reasons=reader.codes(table, "complex_reasons", path),
        breach_action=breach_action(reader, table, path),
    )


BREACH_ACTIONS = ("notify", "escalate")


def breach_action(reader: Reader, table: dict[str, Any], path: KeyPath) -> str:
    value = table.get("breach_action", "notify")
    if value not in BREACH_ACTIONS:
        reader.problem((*path, "breach_action"), 'must be "notify" or "escalate"')
        return "notify"
    return str(value)


def read_channels(reader: Reader, data: dict[str, Any], category_codes: set[str]) -> Channels:
    path: KeyPath = ("channels",)
    channels = reader.table(data.get("channels"), path)
    email = reader.table(channels.get("email"), (*path, "email"), required=False)
    whatsapp = reader.table(channels.get("whatsapp"), (*path, "whatsapp"), required=False)
    phone = reader.table(channels.get("phone"), (*path, "phone"), required=False)
    form = reader.table(channels.get("contact_form"), (*path, "contact_form"), required=False)
    address = reader.optional_string(email, "address", (*path, "email"))
    if address and not EMAIL.match(address):
        reader.problem((*path, "email", "address"), f"'{address}' is not an e-mail address")
    recommended = reader.codes(email, "recommended_for", (*path, "email"))
    for code in recommended:
        if code not in category_codes:
            reader.problem((*path, "email", "recommended_for"), f"'{code}' is not a category code")
    numbers = {}
    for name, table in (("whatsapp", whatsapp), ("phone", phone)):
        number = reader.optional_string(table, "number", (*path, name))
        if number and not PHONE.match(number):
            reader.problem(
                (*path, name, "number"),
                f"'{number}' is not a phone number such as +62 812 3456 7890",
            )
        numbers[name] = number
    return Channels(
        email_address=address,
        email_subject_format=reader.optional_string(email, "subject_format", (*path, "email")),
        email_recommended_for=recommended,
        whatsapp_number=numbers["whatsapp"],
        whatsapp_hours_only=reader.boolean(whatsapp, "hours_only", (*path, "whatsapp"), True),
        phone_number=numbers["phone"],
        contact_form_enabled=reader.boolean(form, "enabled", (*path, "contact_form"), True),
        whatsapp_templates=read_templates(reader, whatsapp, (*path, "whatsapp", "templates")),
    )


TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
TEMPLATE_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


def read_templates(
    reader: Reader, whatsapp: dict[str, Any], path: KeyPath
) -> tuple[WhatsAppTemplate, ...]:
    """`[[channels.whatsapp.templates]]`: name and language exactly as approved in WhatsApp
    Manager, and the label agents see."""
    templates = []
    for index, raw in enumerate(reader.array(whatsapp.get("templates"), path)):
        where: KeyPath = (*path, index)
        entry = reader.table(raw, where)
        name = reader.string(entry, "name", where)
        language = reader.string(entry, "language", where)
        if name and not TEMPLATE_NAME.match(name):
            reader.problem((*where, "name"), "must be lower-case letters, digits and _")
        if language and not TEMPLATE_LANGUAGE.match(language):
            reader.problem((*where, "language"), "must be a language code such as id or en_US")
        templates.append(
            WhatsAppTemplate(
                name=name, language=language, label=reader.string(entry, "label", where, name),
                with_reference=reader.boolean(entry, "with_reference", where, True),
            )
        )  # fmt: skip
    return tuple(templates)


def read_evidence(reader: Reader, data: dict[str, Any]) -> tuple[EvidenceItem, ...]:
    items = []
    for index, raw in enumerate(reader.array(data.get("evidence"), ("evidence",))):
        path: KeyPath = ("evidence", index)
        entry = reader.table(raw, path)
        items.append(
            EvidenceItem(
                code=reader.code(entry, "code", path),
                label=reader.texts(entry, "label", path),
                help=reader.texts(entry, "help", path),
            )
        )
    unique(
        reader,
        [(("evidence", i, "code"), item.code) for i, item in enumerate(items)],
        "evidence code",
    )
    return tuple(items)


def read_categories(
    reader: Reader, data: dict[str, Any], evidence_codes: set[str]
) -> tuple[CategoryDefinition, ...]:
    raw_categories = reader.array(data.get("categories"), ("categories",))
    if not raw_categories:
        reader.problem(("categories",), "at least one [[categories]] entry is required")
    default_first_response = (
        data.get("sla", {}).get("first_response_days", 1)
        if isinstance(data.get("sla"), dict)
        else 1
    )
    categories = [
        read_category(reader, index, raw, evidence_codes, default_first_response)
        for index, raw in enumerate(raw_categories)
    ]
    unique(
        reader,
        [(("categories", i, "code"), c.code) for i, c in enumerate(categories)],
        "category code",
    )
    return tuple(categories)


def read_category(
    reader: Reader, index: int, raw: Any, evidence_codes: set[str], default_first_response: Any
) -> CategoryDefinition:
    path: KeyPath = ("categories", index)
    entry = reader.table(raw, path)
    code = reader.code(entry, "code", path)
    priority = entry.get("priority", "normal")
    if priority not in PRIORITIES:
        reader.problem((*path, "priority"), f"must be one of {', '.join(PRIORITIES)}")
    evidence = reader.codes(entry, "evidence", path)
    for item in evidence:
        if item not in evidence_codes:
            reader.problem((*path, "evidence"), f"'{item}' is not the code of an [[evidence]] item")
    target = reader.number(entry, "resolution_target_days", path)
    deadline = reader.number(entry, "resolution_deadline_days", path)
    if target is not None and deadline is not None and deadline < target:
        reader.problem(
            (*path, "resolution_deadline_days"), "must not be shorter than resolution_target_days"
        )
    first_response = entry.get("first_response_days", default_first_response)
    return CategoryDefinition(
        code=code,
        priority=str(priority),
        names=reader.texts(entry, "name", path),
        descriptions=reader.texts(entry, "description", path),
        evidence=evidence,
        first_response_days=reader.number(
            {"first_response_days": first_response}, "first_response_days", path
        )
        or 1,
        resolution_target_days=target,
        resolution_deadline_days=deadline,
        buyer_matter=reader.boolean(entry, "buyer_matter", path, False),
    )


def read_escalation(reader: Reader, data: dict[str, Any]) -> tuple[EscalationLevel, ...]:
    levels = []
    for index, raw in enumerate(reader.array(data.get("escalation"), ("escalation",))):
        path: KeyPath = ("escalation", index)
        entry = reader.table(raw, path)
        level = entry.get("level")
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            reader.problem((*path, "level"), "must be a whole number from 1 up")
            level = 0
        levels.append(
            EscalationLevel(
                level=level,
                code=reader.code(entry, "code", path),
                name=reader.texts(entry, "name", path),
            )
        )
    numbers = [level.level for level in levels]
    if numbers != list(range(1, len(numbers) + 1)):
        reader.problem(("escalation",), "levels must be numbered 1, 2, 3 ... in order")
    return tuple(levels)


PROTECTABLE_ACTIONS = ("move_to_operations", "resolve_in_review", "refund_decision")


def read_verification(reader: Reader, data: dict[str, Any]) -> Verification:
    path: KeyPath = ("verification",)
    table = reader.table(data.get("verification", {}), path, required=False)
    actions = reader.codes(table, "protected_actions", path) if table else ()
    for action in actions:
        if action not in PROTECTABLE_ACTIONS:
            reader.problem((*path, "protected_actions"),
                           f"{action} is none of {', '.join(PROTECTABLE_ACTIONS)}")  # fmt: skip
    if not table:
        return Verification()
    return Verification(
        categories=reader.codes(table, "categories", path),
        protected_actions=actions,
        account_changes=reader.codes(table, "account_changes", path),
    )


def read_satisfaction(reader: Reader, data: dict[str, Any]) -> Satisfaction:
    path: KeyPath = ("satisfaction",)
    table = reader.table(data.get("satisfaction"), path, required=False)
    if not table:
        return Satisfaction()
    days = table.get("expires_days", 14)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        reader.problem((*path, "expires_days"), "must be a whole number of days from 1 to 90")
        days = 14
    return Satisfaction(
        enabled=reader.boolean(table, "enabled", path, True),
        expires_days=days,
        reopen_on_bad=reader.boolean(table, "reopen_on_bad", path, False),
    )


def read_refunds(reader: Reader, data: dict[str, Any]) -> Refunds:
    path: KeyPath = ("refunds",)
    table = reader.table(data.get("refunds"), path)
    window = table.get("window_days")
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        reader.problem((*path, "window_days"), "must be a whole number of days, such as 14")
        window = 0
    reasons = []
    for index, raw in enumerate(reader.array(table.get("reasons"), (*path, "reasons"))):
        where = (*path, "reasons", index)
        entry = reader.table(raw, where)
        reasons.append(
            RefundReason(
                code=reader.code(entry, "code", where), name=reader.texts(entry, "name", where)
            )
        )
    unique(
        reader,
        [((*path, "reasons", i, "code"), r.code) for i, r in enumerate(reasons)],
        "refund reason",
    )
    return Refunds(
        window_days=window,
        original_payment_method=reader.boolean(table, "original_payment_method", path, True),
        reasons=tuple(reasons),
    )
