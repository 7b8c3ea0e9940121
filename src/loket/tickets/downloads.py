from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from loket.tickets.models import Attachment, ScanStatus


def attachment_response(
    request: HttpRequest, attachment: Attachment, *, back_url: str
) -> HttpResponseBase:
    """The file, always as a download and never rendered inline, so an uploaded file cannot run
    in our origin; a page saying why instead while it waits for the virus scanner (409) or
    after the scanner refused it (410) - such a file is never served, to anyone."""
    if not attachment.downloadable:
        return withheld_page(request, attachment, back_url=back_url)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def withheld_page(request: HttpRequest, attachment: Attachment, *, back_url: str) -> HttpResponse:
    waiting = attachment.scan_status == ScanStatus.PENDING
    context = {"attachment": attachment, "waiting": waiting, "back_url": back_url}
    return render(request, "file_withheld.html", context, status=409 if waiting else 410)
