from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from loket.policy.document import WhatsAppTemplate
from loket.policy.models import Category
from loket.policy.queries import document_of
from loket.tickets.calls import Call, ImpossibleNumber, caller_number
from loket.tickets.forms import BODY_MAX_LENGTH, AttachmentsField
from loket.tickets.macros import check_macro_text
from loket.tickets.models import CallDirection, Macro, Priority, RefundOutcome, Status, Ticket
from loket.triage.asking import asks_for_secret


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
    # The macro the text came from: its category action is applied when the reply is sent.
    macro = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The newest public message the page showed: a reply written before a newer one arrived
    # asks the agent to look first (issue 12: collision detection).
    seen_message = forms.IntegerField(required=False, widget=forms.HiddenInput)
    send_anyway = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label=_("Send it anyway")
    )

    def clean_body(self) -> str:
        body = str(self.cleaned_data["body"])
        if asks_for_secret(body):
            raise forms.ValidationError(
                _(
                    "This reply asks for a password or a one-time code. Catalo.id never asks "
                    "for them (support policy): please rewrite it without that request."
                ),
                code="asks_for_secret",
            )
        return body


class InternalNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (never shown to the requester)"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)


def complex_reasons(ticket: Ticket) -> tuple[str, ...]:
    version = ticket.policy_version
    return document_of(version).sla.complex_reasons if version else ()


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    reason = forms.CharField(label=_("Why"), max_length=500)


class ComplexForm(forms.Form):
    reason = forms.ChoiceField(label=_("Mark as complex because of"))

    def __init__(self, *args: Any, reasons: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(reason, COMPLEX_REASON_LABELS.get(reason, reason)) for reason in reasons]


COMPLEX_REASON_LABELS = {
    "fraud_check": _("Fraud check"),
    "third_party_payment": _("Third-party payment verification"),
}


class CategoryForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.code, c.name_in()) for c in Category.objects.filter(active=True)]


class RefundDecisionForm(forms.Form):
    """S12: approve (with the policy's reason and the original payment method) or decline."""

    outcome = forms.ChoiceField(label=_("Decision"), choices=RefundOutcome.choices)
    reason_code = forms.ChoiceField(label=_("Reason the policy accepts"), required=False)
    invoice_number = forms.CharField(label=_("Invoice"), max_length=64, required=False)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    payment_method = forms.CharField(
        label=_("Original payment method"), max_length=60, required=False
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason_code"]
        assert isinstance(field, forms.ChoiceField)
        version = ticket.policy_version
        reasons = document_of(version).refunds.reasons if version else ()
        language = get_language() or "en"
        field.choices = [("", "—"), *((r.code, r.name.get(language, r.code)) for r in reasons)]


class ReasonForm(forms.Form):
    """Every review step says why (S11): it goes on the timeline. `from_level` is the level
    the reviewer saw: a ticket that moved meanwhile is refused, not moved twice."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    from_level = forms.IntegerField(min_value=0, max_value=2, widget=forms.HiddenInput)


class AccountChangeForm(forms.Form):
    """S13: what was changed on the account for an account_security ticket (once verified)."""

    change = forms.ChoiceField(label=_("Account change"))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["change"]
        assert isinstance(field, forms.ChoiceField)
        version = ticket.policy_version
        changes = document_of(version).verification.account_changes if version else ()
        field.choices = [(code, ACCOUNT_CHANGE_LABELS.get(code, code)) for code in changes]


ACCOUNT_CHANGE_LABELS = {
    "change_account_email": _("Change the account e-mail"),
    "reset_two_factor": _("Reset two-factor sign-in"),
    "transfer_ownership": _("Transfer the account to another owner"),
}


class WhatsAppTemplateForm(forms.Form):
    """One of the approved templates, as "name|language" (the policy file's list)."""

    template = forms.ChoiceField(label=_("Template"))

    def __init__(self, *args: Any, templates: Sequence[WhatsAppTemplate] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(f"{t.name}|{t.language}", t.label) for t in templates]

    def chosen(self) -> tuple[str, str]:
        name, _sep, language = str(self.cleaned_data["template"]).partition("|")
        return name, language


# --- phone calls (POLICY.md S6: logged by agents as tickets or messages) -------------------------


class CallForm(forms.Form):
    """A call about an existing ticket; `NewCallForm` adds who called and what about."""

    number = forms.CharField(
        label=_("Caller's number (leave empty if withheld)"), max_length=32, required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=CallDirection.choices, initial=CallDirection.INBOUND
    )
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=0, max_value=600)
    summary = forms.CharField(
        label=_("Summary of the call"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    answered = forms.BooleanField(
        label=_("I answered the question on the call (this is the first response)"),
        required=False,
    )

    def clean_number(self) -> str:
        try:
            return caller_number(str(self.cleaned_data["number"]))
        except ImpossibleNumber as impossible:
            raise forms.ValidationError(str(impossible), code="impossible_number") from None

    def call(self) -> Call:
        data = self.cleaned_data
        return Call(
            number=data["number"], direction=data["direction"],
            duration=timedelta(minutes=data["minutes"]), summary=data["summary"],
            answered=data["answered"],
        )  # fmt: skip


class NewCallForm(CallForm):
    requester_name = forms.CharField(label=_("Caller's name"), max_length=200)
    requester_email = forms.EmailField(
        label=_("Caller's e-mail address (for the acknowledgement)"),
        max_length=254,
        required=False,
    )
    category = forms.ChoiceField(label=_("Category"))
    language = forms.ChoiceField(label=_("Language of the call"), choices=settings.LANGUAGES)

    field_order = ("requester_name", "number", "requester_email", "category", "language")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"language": get_language() or settings.LANGUAGE_CODE})
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.code, c.name_in()) for c in Category.objects.filter(active=True)]


SECRET_REQUEST = _(
    "This text asks for a password or a one-time code. Catalo.id never asks for them "
    "(support policy): please rewrite it without that request."
)


class MacroForm(forms.ModelForm[Macro]):
    """A supervisor's canned reply: at least one language, no request for a secret (S13), no
    placeholder Loket does not know (a typo would reach the requester)."""

    class Meta:
        model = Macro
        fields = ["name", "body_ja", "body_id", "body_en", "set_status", "set_category", "active"]
        labels = {
            "name": _("Name"),
            "body_ja": _("Text in Japanese"),
            "body_id": _("Text in Indonesian"),
            "body_en": _("Text in English"),
            "set_status": _("Then set the status to"),
            "set_category": _("Then change the category to"),
            "active": _("Offered to agents"),
        }
        widgets = {
            "body_ja": forms.Textarea(attrs={"rows": 5}),
            "body_id": forms.Textarea(attrs={"rows": 5}),
            "body_en": forms.Textarea(attrs={"rows": 5}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        bodies = {name: str(cleaned.get(name) or "") for name in ("body_ja", "body_id", "body_en")}
        if not any(text.strip() for text in bodies.values()):
            raise forms.ValidationError(_("Write the text in at least one language."))
        for name, text in bodies.items():
            if asks_for_secret(text):
                self.add_error(name, forms.ValidationError(SECRET_REQUEST, code="asks_for_secret"))
            unknown = check_macro_text(text)
            if unknown:
                message = _(
                    "Unknown placeholder %(names)s: use {name}, {reference}, {deadlines} "
                    "or {missing_evidence}."
                )
                self.add_error(name, message % {"names": ", ".join(unknown)})
        return cleaned
