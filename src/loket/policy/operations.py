"""Applying a policy file: validated first, then one transaction for the version and categories."""

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from loket.policy.diff import json_ready, policy_diff
from loket.policy.document import PolicyDocument, parse_policy_source
from loket.policy.models import Category, PolicyVersion
from loket.policy.queries import forget_cached_policy


@dataclass(frozen=True)
class AppliedPolicy:
    version: PolicyVersion
    document: PolicyDocument
    diff: list[str]
    changed: bool


def apply_policy(*, source: str, filename: str, applied_by: str, now: datetime) -> AppliedPolicy:
    """Validate, then make the file the active version. Raises PolicyError (nothing written)
    for an invalid file; applying the active file again changes nothing."""
    document = parse_policy_source(source, filename)
    data = json_ready(tomllib.loads(source))
    digest = hashlib.sha256(source.encode()).hexdigest()
    with transaction.atomic():
        active = PolicyVersion.objects.select_for_update().order_by("-number").first()
        if active is not None and active.sha256 == digest:
            return AppliedPolicy(active, document, [], changed=False)
        diff = policy_diff(active.data if active else None, data)
        version = PolicyVersion.objects.create(
            number=(active.number + 1) if active else 1,
            source=source,
            data=data,
            sha256=digest,
            filename=filename[-255:],
            applied_at=now,
            applied_by=applied_by,
            diff="\n".join(diff),
        )
        apply_categories(document)
        forget_cached_policy()
        # again after commit: a request in between may have cached the old value
        transaction.on_commit(forget_cached_policy)
    return AppliedPolicy(version, document, diff, changed=True)


def apply_categories(document: PolicyDocument) -> list[str]:
    """Make the categories match the policy; dropped ones are deactivated, never deleted,
    because old tickets still refer to them."""
    codes = []
    for position, definition in enumerate(document.categories):
        Category.objects.update_or_create(
            code=definition.code,
            defaults={
                "name_ja": definition.names["ja"],
                "name_id": definition.names["id"],
                "name_en": definition.names["en"],
                "priority": definition.priority,
                "position": position,
                "active": True,
            },
        )
        codes.append(definition.code)
    Category.objects.exclude(code__in=codes).update(active=False)
    return codes
