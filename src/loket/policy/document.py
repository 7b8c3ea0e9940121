"""The policy file (TOML) read into plain data. Pure: no Django, so it is checked in milliseconds.

Issue 3 grows this into the whole policy; the foundation needs the organisation and categories.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("ja", "id", "en")
PRIORITIES = ("low", "normal", "high", "urgent")


class PolicyError(ValueError):
    """A policy file that cannot be used, with a message an operator can act on."""


@dataclass(frozen=True)
class CategoryDefinition:
    code: str
    priority: str
    names: dict[str, str]


@dataclass(frozen=True)
class PolicyDocument:
    organisation_name: str
    support_email: str
    categories: tuple[CategoryDefinition, ...]


def load_policy(path: Path) -> PolicyDocument:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: not valid TOML: {error}") from error
    return parse_policy(data)


def parse_policy(data: dict[str, object]) -> PolicyDocument:
    organisation = data.get("organisation")
    if not isinstance(organisation, dict):
        raise PolicyError("the [organisation] table is missing")
    raw_categories = data.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        raise PolicyError("at least one [[categories]] entry is required")
    categories = tuple(parse_category(index, raw) for index, raw in enumerate(raw_categories))
    codes = [category.code for category in categories]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise PolicyError(f"category codes must be unique; repeated: {', '.join(duplicates)}")
    return PolicyDocument(
        organisation_name=str(organisation.get("name", "")),
        support_email=str(organisation.get("support_email", "")),
        categories=categories,
    )


def parse_category(index: int, raw: object) -> CategoryDefinition:
    where = f"categories[{index}]"
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be a table")
    code = raw.get("code")
    if not isinstance(code, str) or not code.isidentifier():
        raise PolicyError(f"{where}: code must be a word such as 'billing_dispute'")
    priority = raw.get("priority", "normal")
    if priority not in PRIORITIES:
        raise PolicyError(f"{where} ({code}): priority must be one of {', '.join(PRIORITIES)}")
    names = raw.get("name")
    if not isinstance(names, dict):
        raise PolicyError(f"{where} ({code}): name must give ja, id and en")
    missing = [language for language in LANGUAGES if not str(names.get(language, "")).strip()]
    if missing:
        raise PolicyError(f"{where} ({code}): name is missing in {', '.join(missing)}")
    return CategoryDefinition(
        code=code,
        priority=str(priority),
        names={language: str(names[language]) for language in LANGUAGES},
    )
