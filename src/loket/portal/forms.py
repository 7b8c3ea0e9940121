from django import forms
from django.utils.translation import gettext_lazy as _

from loket.tickets.models import Rating


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


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Did our answer help?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
