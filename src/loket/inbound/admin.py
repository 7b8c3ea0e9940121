from django.contrib import admin
from django.utils import timezone

from loket.inbound.models import BlockedSender


@admin.register(BlockedSender)
class BlockedSenderAdmin(admin.ModelAdmin[BlockedSender]):
    """Addresses and numbers (E.164, e.g. +6281234567890) whose messages never reach a ticket."""

    list_display = ["address", "reason", "blocked_at"]
    search_fields = ["address", "reason"]
    fields = ["address", "reason"]

    def save_model(self, request: object, obj: BlockedSender, form: object, change: bool) -> None:
        if not change:
            obj.blocked_at = timezone.now()
        super().save_model(request, obj, form, change)  # type: ignore[arg-type]
