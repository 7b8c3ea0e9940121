"""Reads of the policy: the active version, the parsed document and calendar of a version."""

import time
from dataclasses import dataclass
from functools import lru_cache

from loket.calendar import BusinessCalendar, build_calendar
from loket.policy.document import PolicyDocument, parse_policy_source
from loket.policy.models import Category, PolicyVersion


class NoActivePolicy(LookupError):
    """No policy was ever applied: run `loket policy apply FILE`."""


@dataclass(frozen=True)
class ActivePolicy:
    version: PolicyVersion
    document: PolicyDocument


def active_policy() -> ActivePolicy:
    version = PolicyVersion.objects.order_by("-number").only("pk", "number", "sha256").first()
    if version is None:
        raise NoActivePolicy("no policy has been applied yet: run `loket policy apply FILE`")
    return ActivePolicy(version, document_of(version))


def active_category_codes() -> list[str]:
    return list(Category.objects.filter(active=True).values_list("code", flat=True))


def document_of(version: PolicyVersion) -> PolicyDocument:
    """The parsed document of a policy version (the one way to read a version's rules)."""
    return _parsed(version.pk, version.sha256)


def calendar_of(version: PolicyVersion) -> BusinessCalendar:
    """The business calendar of a policy version: its hours, holidays and closures."""
    return _calendar(version.pk, version.sha256)


# A version's source never changes (its hash is part of the key), so its parse and its
# calendar are kept per process.
@lru_cache(maxsize=8)
def _parsed(version_id: int, sha256: str) -> PolicyDocument:
    source = PolicyVersion.objects.values_list("source", flat=True).get(pk=version_id)
    return parse_policy_source(source, filename=f"policy v{version_id}")


@lru_cache(maxsize=16)
def _calendar(version_id: int, sha256: str) -> BusinessCalendar:
    hours = _parsed(version_id, sha256).hours
    return build_calendar(
        time_zone=hours.time_zone,
        weekly=hours.weekly,
        holiday_country=hours.holiday_country,
        holiday_categories=hours.holiday_categories,
        closures=[closure.date for closure in hours.closures],
    )


# The default language is read on requests whose browser names no usable language: keep it a
# few seconds per process rather than query the active version on each of them. Applying a
# policy forgets it at once in the applying process; other processes follow within the TTL.
DEFAULT_LANGUAGE_TTL = 10.0
_default_language: tuple[float, str] | None = None


def default_language() -> str:
    global _default_language
    now = time.monotonic()
    if _default_language is None or _default_language[0] < now:
        language = active_policy().document.organisation.default_language
        _default_language = (now + DEFAULT_LANGUAGE_TTL, language)
    return _default_language[1]


def forget_cached_policy() -> None:
    global _default_language
    _default_language = None
