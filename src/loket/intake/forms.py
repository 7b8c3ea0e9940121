import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.policy.queries import active_categories
from loket.tickets.forms import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, AttachmentsField


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
            (category.code, category.name_in(language)) for category in active_categories()
        ]
