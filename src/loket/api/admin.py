from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from loket.api.models import DEFAULT_SCOPES, SCOPES, ApiToken


class ApiTokenForm(forms.ModelForm[ApiToken]):
    """Scopes as boxes to tick; stored as a comma-separated list."""

    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in SCOPES], widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_SCOPES.split(","),
        help_text="read: GET tickets; create: POST tickets; reply: requester replies; "
        "note: internal notes.",
    )  # fmt: skip

    class Meta:
        model = ApiToken
        fields = ["name", "scopes", "categories", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["scopes"] = self.instance.scopes.split(",")

    def clean_scopes(self) -> str:
        return ",".join(scope for scope in SCOPES if scope in self.cleaned_data["scopes"])


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    form = ApiTokenForm
    list_display = ["name", "prefix", "scopes", "categories", "active", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "scopes", "categories", "active", "prefix", "created_at", "last_used_at"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: object, change: bool) -> None:
        if not change:
            token = obj.issue()
            messages.warning(
                request,
                f"The token for {obj.name} is {token} - copy it now, it is not shown again.",
            )
        super().save_model(request, obj, form, change)
