"""Finding the storefront a buyer writes about."""

import re

from loket.directory.models import Storefront


def storefront_named(slug: str | None, text: str) -> Storefront | None:
    """By the slug triage found (a URL or the store's domain), else by an order reference in
    the text that matches a store's own pattern."""
    stores = Storefront.objects.filter(active=True)
    if slug:
        found = stores.filter(slug=slug).first() or stores.filter(domain__icontains=slug).first()
        if found is not None:
            return found
    for store in stores.exclude(order_reference_pattern=""):
        if re.search(rf"(?<![A-Za-z0-9]){store.order_reference_pattern}", text):
            return store
    return None
