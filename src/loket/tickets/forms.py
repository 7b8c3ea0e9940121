"""Form pieces every interface shares: the attachments field, the body limits, the reply."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from loket.tickets.quotas import OverQuota, client_quota_text, ticket_quota_text
from loket.tickets.sniffing import IncomingFile, safe_filename, sniff_content_type

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
        if not content:
            raise forms.ValidationError(
                _("The file %(name)s is empty. Please attach it again, or another copy of it.")
                % {"name": name},
                code="empty",
            )
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


class ReplyForm(forms.Form):
    """A requester's reply (portal)."""

    body = forms.CharField(
        label=_("Your reply"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = AttachmentsField(label=_("Attachments"))


def refuse_over_quota(form: forms.Form, over: OverQuota) -> int | None:
    """Tell the requester which files went past an upload quota (loket.tickets.quotas); the
    form keeps what they typed. The seconds to wait when it is their hourly allowance (for a
    429 with Retry-After), else None (the request's own quota: a 400)."""
    admitted = over.admitted
    names = ", ".join(item.file.filename for item in admitted.left_out)
    if admitted.over("client") and admitted.retry_after is not None:
        minutes = max(1, -(-admitted.retry_after // 60))
        message = _(
            "%(names)s: you have sent more files than we take from one address in an hour "
            "(%(quota)s). Your text is kept below: send it without the files, or send them "
            "again in %(minutes)d minutes."
        ) % {"names": names, "quota": client_quota_text(), "minutes": minutes}
        form.add_error("attachments", message)
        return admitted.retry_after
    message = _(
        "%(names)s: these files would take your request past what we keep for one request "
        "(%(quota)s). Your text is kept below: please send it without them."
    ) % {"names": names, "quota": ticket_quota_text()}
    form.add_error("attachments", message)
    return None
