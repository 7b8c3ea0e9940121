"""Labels for codes kept in event data, so a page never shows a raw code (issue 15)."""

import functools

from django import template
from django.db import models
from django.utils import translation

from loket.notify.models import WhatsAppDelivery
from loket.policy.models import Category
from loket.tickets.models import Channel, EventKind, MessageKind

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


@functools.cache
def labels_of(choices: type[models.Choices], language: str) -> dict[object, str]:
    """Every label of an enumeration in one language, made once per process: Django's
    get_FOO_display rebuilds (and translates) the whole table on every call, which was a third
    of a long ticket page's time (bench/console)."""
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def label_in(choices: type[models.Choices], code: object) -> str:
    return labels_of(choices, translation.get_language() or "en").get(code, str(code))


@register.filter
def event_label(code: str) -> str:
    return label_in(EventKind, code)


@register.filter
def message_kind_label(code: str) -> str:
    return label_in(MessageKind, code)


@register.filter
def channel_label(code: str) -> str:
    return label_in(Channel, code)
