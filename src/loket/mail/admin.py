from django import forms
from django.contrib import admin

from loket.inbound.models import InboundRecord
from loket.mail.models import Mailbox


class MailboxForm(forms.ModelForm[Mailbox]):
    class Meta:
        model = Mailbox
        fields = [
            "address",
            "host",
            "port",
            "use_ssl",
            "use_starttls",
            "username",
            "password",
            "folder",
            "active",
        ]
        widgets = {"password": forms.PasswordInput(render_value=True)}


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    form = MailboxForm
    list_display = ["address", "host", "username", "folder", "active", "last_polled_at"]
    readonly_fields = ["last_polled_at", "last_error"]


@admin.register(InboundRecord)
class InboundRecordAdmin(admin.ModelAdmin[InboundRecord]):
    list_display = ["received_at", "channel", "source", "sender", "subject", "status"]
    list_filter = ["status", "channel", "source"]
    search_fields = ["sender", "subject", "key"]
    exclude = ["raw"]
    readonly_fields = [field.name for field in InboundRecord._meta.fields if field.name != "raw"]
