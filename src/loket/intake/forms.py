import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from loket.intake.sniffing import safe_filename, sniff_content_type
from loket.policy.models import Category
from loket.tickets.operations import IncomingFile

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to LOKET_ATTACHMENT_MAX_COUNT files; each is read and judged by its bytes."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = (
            "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"
        )

    def clean(self, data: Any, initial: Any = None) -> list[IncomingFile]:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        maximum = settings.LOKET_ATTACHMENT_MAX_COUNT
        if len(files) > maximum:
            raise forms.ValidationError(
                _("You can attach at most %(count)d files.") % {"count": maximum},
                code="too_many",
            )
        return [self.clean_one(upload) for upload in files]

    def clean_one(self, upload: UploadedFile[Any]) -> IncomingFile:
        name = upload.name or "attachment"
        limit = settings.LOKET_ATTACHMENT_MAX_BYTES
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _("%(name)s is too large: files may be at most %(limit)s.")
                % {"name": name, "limit": filesizeformat(limit)},
                code="too_large",
            )
        content = upload.read()
        content_type = sniff_content_type(content)
        if content_type is None:
            raise forms.ValidationError(
                _(
                    "%(name)s is not an image, a PDF or a plain text file. "
                    "Please attach screenshots, PDF documents or text only."
                )
                % {"name": name},
                code="bad_type",
            )
        return IncomingFile(safe_filename(name, content_type), content_type, content)


def known_time_zone(name: str) -> str:
    """The zone if it is a real IANA name, else "" (the field is a hint, never an error)."""
    if not name or len(name) > 64:
        return ""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    return name


class ContactForm(forms.Form):
    # Filled by the page's script from the browser (Intl API); empty without JavaScript.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("If you can, use the e-mail address of your Catalo.id account or invoice."),
    )
    category = forms.ChoiceField(label=_("What is it about?"))
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH)
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Never include passwords or one-time codes."),
    )
    attachments = AttachmentsField(
        label=_("Attachments"),
        help_text=_("Up to 5 screenshots, PDF documents or text files."),
    )

    def clean_time_zone(self) -> str:
        return known_time_zone(self.cleaned_data.get("time_zone", ""))

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = [("", "---------")] + [
            (category.code, category.name_in(language))
            for category in Category.objects.filter(active=True)
        ]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = AttachmentsField(label=_("Attachments"))
