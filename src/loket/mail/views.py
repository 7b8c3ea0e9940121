"""Held and quarantined mail in the console: look, then file it, open a ticket, discard it or
run it again. Each view makes one call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.inbound.access import access_inbound_record, access_waiting_mail
from loket.inbound.models import InboundStatus
from loket.inbound.pipeline import NotWaiting
from loket.mail.forms import FileIntoTicketForm
from loket.mail.ingest import limits, own_addresses
from loket.mail.operations import discard_mail, file_held_mail, replay_quarantined
from loket.mail.parse import Unreadable, parse_mail
from loket.tickets.access import NoSuchTicket, access_ticket_for_integration
from loket.tickets.timeline import display_name

PREVIEW_BYTES = 20_000


def outcome_label(outcome: str) -> str:
    """The agent's words for an outcome code (created, held, ...)."""
    if outcome in InboundStatus.values:
        return str(InboundStatus(outcome).label)
    return _("Already received")


@login_required
def waiting(request: HttpRequest) -> HttpResponse:
    records = access_waiting_mail(request.user)[:200]
    return render(request, "mail/waiting.html", {"records": records})


@login_required
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    record = access_inbound_record(request.user, pk)
    raw = record.raw_bytes()
    try:
        parsed = parse_mail(raw, own_addresses(), limits())
    except Unreadable:
        parsed = None
    context = {
        "record": record,
        "parsed": parsed,
        "raw_preview": raw[:PREVIEW_BYTES].decode("utf-8", errors="replace"),
        "form": FileIntoTicketForm(
            initial={"reference": record.ticket.reference if record.ticket else ""}
        ),
    }
    return render(request, "mail/record.html", context)


@login_required
@require_POST
def file_record(request: HttpRequest, pk: int) -> HttpResponse:
    record = access_inbound_record(request.user, pk)
    form = FileIntoTicketForm(request.POST)
    form.is_valid()
    reference = form.cleaned_data.get("reference", "").strip()
    try:
        ticket = access_ticket_for_integration(reference) if reference else None
        outcome = file_held_mail(
            record, ticket=ticket, actor_label=display_name(request.user), now=timezone.now()
        )
    except NoSuchTicket as error:
        messages.error(request, str(error))
        return redirect("mail:record", pk=pk)
    except (NotWaiting, Unreadable):
        messages.error(request, _("This message was already dealt with, or cannot be read."))
        return redirect("mail:record", pk=pk)
    assert outcome.ticket is not None
    return redirect("console:ticket", reference=outcome.ticket.reference)


@login_required
@require_POST
def discard_record(request: HttpRequest, pk: int) -> HttpResponse:
    record = access_inbound_record(request.user, pk)
    try:
        discard_mail(record, actor_label=display_name(request.user), now=timezone.now())
    except NotWaiting:
        messages.error(request, _("This message was already dealt with."))
    return redirect("mail:waiting")


@login_required
@require_POST
def replay_record(request: HttpRequest, pk: int) -> HttpResponse:
    record = access_inbound_record(request.user, pk)
    result = replay_quarantined(record, now=timezone.now())
    messages.info(
        request,
        _("Processed again: %(outcome)s. %(reason)s")
        % {
            "outcome": outcome_label(result.outcome),
            "reason": result.reason,
        },
    )
    if result.reference and result.outcome in ("created", "appended"):
        return redirect("console:ticket", reference=result.reference)
    return redirect("mail:record", pk=pk)
