from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone

from loket.policy.document import PolicyError, parse_policy_source
from loket.policy.models import Category, PolicyVersion
from loket.policy.operations import apply_policy


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    """Read-only: categories follow the active policy version."""

    list_display = ["code", "name_en", "name_id", "name_ja", "priority", "active"]
    list_filter = ["active"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ApplyPolicyForm(forms.ModelForm[PolicyVersion]):
    """A new version is a file run through the same validation as `loket policy apply`."""

    upload = forms.FileField(required=False, help_text="A policy TOML file, or paste it below.")
    source = forms.CharField(widget=forms.Textarea(attrs={"rows": 30, "cols": 100}), required=False)

    class Meta:
        model = PolicyVersion
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("upload")
        source = (
            upload.read().decode("utf-8", errors="replace") if upload else cleaned.get("source")
        )
        if not source:
            raise forms.ValidationError("Upload a policy file or paste its text.")
        try:
            parse_policy_source(source, filename=getattr(upload, "name", "pasted policy"))
        except PolicyError as error:
            raise forms.ValidationError(
                ["The policy was refused; the active version is unchanged.", *error.lines]
            ) from error
        cleaned["source"] = source
        cleaned["filename"] = getattr(upload, "name", "") or "pasted in the admin"
        return cleaned


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin[PolicyVersion]):
    list_display = ["number", "applied_at", "applied_by", "filename"]
    readonly_fields = ["number", "applied_at", "applied_by", "filename", "sha256", "diff", "source"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApplyPolicyForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["upload", "source"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # tickets keep pointing at the version that set their targets

    def save_model(self, request: HttpRequest, obj: PolicyVersion, form: Any, change: bool) -> None:
        applied = apply_policy(
            source=form.cleaned_data["source"],
            filename=form.cleaned_data["filename"],
            applied_by=request.user.get_username(),
            now=timezone.now(),
        )
        # The admin goes on with `obj` (log entry, redirect): make it the version just applied.
        for field in PolicyVersion._meta.concrete_fields:
            setattr(obj, field.attname, getattr(applied.version, field.attname))
        if applied.changed:
            messages.success(request, f"Applied as policy v{applied.version.number}.")
        else:
            messages.info(request, "That file is already the active policy; nothing changed.")
