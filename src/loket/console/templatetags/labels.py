"""Labels for codes kept in event data, so a page never shows a raw code (issue 15)."""

from django import template

from loket.notify.models import WhatsAppDelivery
from loket.policy.models import Category

register = template.Library()


@register.filter
def delivery_status(code: str) -> str:
    """'delivered' -> 'Delivered', in the active language; an unknown code as it came."""
    try:
        return str(WhatsAppDelivery(code).label)
    except ValueError:
        return code


@register.filter
def category_name(code: str) -> str:
    """A category code (triage's guess, the requester's choice) by its policy name."""
    category = Category.objects.filter(pk=code).first()
    return category.name_in() if category else code
