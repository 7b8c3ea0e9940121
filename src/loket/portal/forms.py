from django import forms
from django.utils.translation import gettext_lazy as _


class NewLinkForm(forms.Form):
    reference = forms.CharField(label=_("Reference number"), max_length=40)
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)


class EscalationForm(forms.Form):
    """S11: "reply to the same ticket and ask for escalation, with a summary"."""

    summary = forms.CharField(
        label=_("Summary for the supervisor"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is still not resolved, in a few sentences."),
    )
