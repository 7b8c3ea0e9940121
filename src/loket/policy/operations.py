from django.db import transaction

from loket.policy.document import PolicyDocument
from loket.policy.models import Category


@transaction.atomic
def apply_categories(document: PolicyDocument) -> list[str]:
    """Make the categories match the policy; categories the policy dropped are deactivated,
    never deleted, because old tickets still refer to them."""
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
