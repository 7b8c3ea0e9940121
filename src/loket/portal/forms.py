from django import forms
from django.utils.translation import gettext_lazy as _


class NewLinkForm(forms.Form):
    reference = forms.CharField(label=_("Reference number"), max_length=40)
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
