from django.contrib import admin, messages
from django.http import HttpRequest

from loket.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "prefix", "active", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "active", "prefix", "created_at", "last_used_at"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: object, change: bool) -> None:
        if not change:
            token = obj.issue()
            messages.warning(
                request,
                f"The token for {obj.name} is {token} - copy it now, it is not shown again.",
            )
        super().save_model(request, obj, form, change)
