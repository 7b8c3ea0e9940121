"""Reads of the policy: the active version, the parsed document and calendar of a version."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


@dataclass(frozen=True)
class Pinned:
    policy: ActivePolicy
    categories: dict[str, Category]  # the active ones, in the policy's order


_pinned: ContextVar[Pinned | None] = ContextVar("pinned_policy", default=None)


@contextmanager
def pinned_policy() -> Iterator[ActivePolicy]:
    """Within the block, the active version and categories are the ones read on entry: a
    message is handled under one version, read once and before its write transaction (where
    every read would lengthen the time the transaction holds SQLite's single write lock)."""
    if (pinned := _pinned.get()) is not None:
        yield pinned.policy
        return
    policy = fetch_active_policy()
    token = _pinned.set(Pinned(policy, categories_of(policy.version)))
    try:
        yield policy
    finally:
        _pinned.reset(token)


def active_policy() -> ActivePolicy:
    pinned = _pinned.get()
    return pinned.policy if pinned is not None else fetch_active_policy()


def fetch_active_policy() -> ActivePolicy:
    version = PolicyVersion.objects.order_by("-number").only("pk", "number", "sha256").first()
    if version is None:
        raise NoActivePolicy("no policy has been applied yet: run `loket policy apply FILE`")
    return ActivePolicy(version, document_of(version))


def active_categories() -> list[Category]:
    """The categories of the active version, in its order."""
    pinned = _pinned.get()
    categories = pinned.categories if pinned is not None else categories_of(active_policy().version)
    return list(categories.values())


def active_category_codes() -> list[str]:
    return [category.code for category in active_categories()]


def active_category(code: str) -> Category | None:
    pinned = _pinned.get()
    categories = pinned.categories if pinned is not None else categories_of(active_policy().version)
    return categories.get(code)


def categories_of(version: PolicyVersion) -> dict[str, Category]:
    """The version's categories as the rows `policy apply` made of them (the active ones):
    built from the parsed document rather than read, so opening a ticket reads no category."""
    return _categories(version.pk, version.sha256)


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


@lru_cache(maxsize=8)
def _categories(version_id: int, sha256: str) -> dict[str, Category]:
    return {
        definition.code: Category(
            code=definition.code,
            name_ja=definition.names["ja"],
            name_id=definition.names["id"],
            name_en=definition.names["en"],
            priority=definition.priority,
            position=position,
            active=True,
        )
        for position, definition in enumerate(_parsed(version_id, sha256).categories)
    }


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
