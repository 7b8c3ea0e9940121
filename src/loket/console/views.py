"""Agent and supervisor pages: each view parses its form, makes one domain call, renders."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from loket.console.forms import (
    CategoryForm,
    ComplexForm,
    InternalNoteForm,
    PublicReplyForm,
    RefundDecisionForm,
    StatusForm,
    complex_reasons,
)
from loket.sla.queries import badge_label, clock_views, queue_badge, ticket_badge
from loket.tickets import queries
from loket.tickets.access import access_attachment, access_ticket_for_agent, is_agent
from loket.tickets.downloads import attachment_response
from loket.tickets.models import RefundOutcome, Ticket
from loket.tickets.operations import (
    RefundRefused,
    assign,
    decide_refund,
    mark_complex,
    recategorise,
    record_internal_note,
    record_public_reply,
    set_status,
)
from loket.tickets.quoting import fold_quoted
from loket.triage.refunds import RefundProposal


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not is_agent(request.user):
        raise Http404
    tickets = list(queries.open_queue())
    rows = [(ticket, queue_badge(ticket)) for ticket in tickets]
    labels = {status: badge_label(status) for _, status in rows}
    return render(request, "console/queue.html", {"rows": rows, "badge_labels": labels})


def ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: forms.Form | None = None,
    note_form: forms.Form | None = None,
    refund_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    clocks = clock_views(ticket, timezone.now())
    refund = queries.refund_proposal(ticket, get_language() or "en")
    badge = ticket_badge([clock.status for clock in clocks])
    context = {
        "ticket": ticket,
        "clocks": clocks,
        "badge": badge,
        "badge_label": badge_label(badge),
        "complex_form": ComplexForm(reasons=complex_reasons(ticket)),
        "category_form": CategoryForm(initial={"category": ticket.category_id}),
        "thread": [
            (message, fold_quoted(message.body))
            for message in queries.thread(ticket, include_internal=True)
        ],
        "events": ticket.events.select_related("actor").order_by("created_at", "id"),
        "reply_form": reply_form or PublicReplyForm(),
        "note_form": note_form or InternalNoteForm(),
        "status_form": StatusForm(initial={"status": ticket.status}),
        "triage": queries.latest_triage(ticket),
        "checklist": queries.evidence_checklist(ticket),
        "refund": refund,
        "refund_form": refund_form or RefundDecisionForm(ticket=ticket, initial=proposed(refund)),
        "refund_decisions": ticket.refund_decisions.select_related("decided_by"),
    }
    return render(request, "console/ticket.html", context, status=status)


def proposed(refund: RefundProposal | None) -> dict[str, object]:
    """The decision form starts from the proposal: reason, invoice, amount, payment method."""
    if refund is None:
        return {}
    eligible = refund.eligible
    outcome = None if eligible is None else (
        RefundOutcome.APPROVED if eligible else RefundOutcome.DECLINED
    )  # fmt: skip
    return {
        "outcome": outcome, "reason_code": refund.reason_code or "",
        "invoice_number": refund.invoice_number, "amount": refund.amount or None,
        "currency": refund.currency, "payment_method": refund.payment_method,
    }  # fmt: skip


@login_required
def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return ticket_page(request, access_ticket_for_agent(request.user, reference))


@login_required
@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = PublicReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return ticket_page(request, ticket, reply_form=form, status=400)
    record_public_reply(
        ticket=ticket,
        author=request.user,
        body=form.cleaned_data["body"],
        attachments=form.cleaned_data["attachments"],
        status_after=form.cleaned_data["status_after"] or None,
        now=timezone.now(),
    )
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def note(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = InternalNoteForm(request.POST)
    if not form.is_valid():
        return ticket_page(request, ticket, note_form=form, status=400)
    record_internal_note(
        ticket=ticket, author=request.user, body=form.cleaned_data["body"], now=timezone.now()
    )
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def change_status(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = StatusForm(request.POST)
    if form.is_valid():
        set_status(
            ticket=ticket,
            status=form.cleaned_data["status"],
            actor=request.user,
            now=timezone.now(),
        )
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def assign_to_me(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    assign(ticket=ticket, assignee=request.user, actor=request.user, now=timezone.now())  # type: ignore[arg-type]
    return redirect("console:ticket", reference=reference)


@login_required
def attachment(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    return attachment_response(access_attachment(ticket, attachment_id, requester=False))


@login_required
@require_POST
def mark_as_complex(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = ComplexForm(request.POST, reasons=complex_reasons(ticket))
    if form.is_valid():
        mark_complex(
            ticket=ticket, reason=form.cleaned_data["reason"], actor=request.user,
            now=timezone.now(),
        )  # fmt: skip
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def change_category(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = CategoryForm(request.POST)
    if form.is_valid():
        recategorise(
            ticket=ticket, category_code=form.cleaned_data["category"], actor=request.user,
            now=timezone.now(),
        )  # fmt: skip
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def refund_decision(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = RefundDecisionForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            decide_refund(
                ticket=ticket, actor=request.user, now=timezone.now(), **form.cleaned_data
            )
        except RefundRefused as refused:
            form.add_error(None, str(refused))
    if not form.is_valid():
        return ticket_page(request, ticket, refund_form=form, status=400)
    return redirect("console:ticket", reference=reference)
