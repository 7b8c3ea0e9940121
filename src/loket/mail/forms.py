from django import forms
from django.utils.translation import gettext_lazy as _


class FileIntoTicketForm(forms.Form):
    reference = forms.CharField(
        label=_("Add to ticket (reference number)"), max_length=40, required=False
    )
