from django import forms
from django.utils.translation import gettext_lazy as _

from loket.intake.forms import BODY_MAX_LENGTH, AttachmentsField
from loket.tickets.models import Status


class PublicReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the requester"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = AttachmentsField(label=_("Attachments"))
    status_after = forms.ChoiceField(
        label=_("Then set the status to"),
        choices=[("", _("(leave as it is)")), *Status.choices],
        required=False,
    )


class InternalNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (never shown to the requester)"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
