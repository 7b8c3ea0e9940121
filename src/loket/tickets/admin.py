from django.contrib import admin

from loket.tickets.models import Event, Message, Ticket


class MessageInline(admin.TabularInline[Message, Ticket]):
    model = Message
    extra = 0
    fields = readonly_fields = ("created_at", "kind", "author_name", "body")
    can_delete = False


class EventInline(admin.TabularInline[Event, Ticket]):
    model = Event
    extra = 0
    fields = readonly_fields = ("created_at", "kind", "actor_label", "data")
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    """Read-only: every change goes through the operations so it lands on the timeline."""

    list_display = ["reference", "subject", "category", "status", "requester_email", "created_at"]
    list_filter = ["status", "category", "channel"]
    search_fields = ["reference", "subject", "requester_email"]
    inlines = [MessageInline, EventInline]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False
