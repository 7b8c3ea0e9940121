"""Agent and supervisor pages: each view parses its form, makes one domain call, renders."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.console.forms import (
    COMPLEX_REASON_LABELS,
    AccountChangeForm,
    CallForm,
    CategoryForm,
    ComplexForm,
    InternalNoteForm,
    MacroForm,
    NewCallForm,
    PriorityForm,
    PublicReplyForm,
    ReasonForm,
    RefundDecisionForm,
    StatusForm,
    WhatsAppTemplateForm,
    complex_reasons,
)
from loket.console.reporting import as_csv, as_xlsx, bars, day_bars, labelled, timeline_as_csv
from loket.notify.content import level_name, progress_update_draft
from loket.notify.whatsapp import WindowClosed
from loket.policy.models import Category
from loket.policy.queries import active_policy
from loket.sla.queries import badge_label, clock_views, queue_badge, ticket_badge
from loket.tickets import queries
from loket.tickets.access import (
    REVIEW_PERMISSION,
    NoSuchTicket,
    access_attachment,
    access_ticket_for_agent,
    access_ticket_for_integration,
    is_agent,
    may_review,
    require_review,
)
from loket.tickets.bulk import apply_bulk
from loket.tickets.calls import log_call_as_new_ticket, log_call_on_ticket
from loket.tickets.downloads import attachment_response
from loket.tickets.escalation import EscalationRefused, de_escalate, escalate, resolve_in_review
from loket.tickets.macros import render_macro, save_macro
from loket.tickets.merging import MergeRefused, merge_tickets, split_message, surviving
from loket.tickets.models import Channel, Macro, RefundOutcome, Status, Ticket
from loket.tickets.operations import (
    RefundRefused,
    UnknownTemplate,
    assign,
    change_priority,
    decide_refund,
    mark_complex,
    recategorise,
    recheck_billing,
    record_account_change,
    record_internal_note,
    record_public_reply,
    send_whatsapp_template,
    set_status,
)
from loket.tickets.presence import (
    colleagues_present,
    latest_public_message,
    newer_public_messages,
    report_presence,
)
from loket.tickets.quoting import fold_quoted
from loket.tickets.reports import Period, build_report
from loket.tickets.search import search
from loket.tickets.verification import (
    VerificationNeeded,
    VerificationRefused,
    start_verification,
)
from loket.tickets.verification import state as verification_state
from loket.triage.refunds import RefundProposal

VIEW_LABELS = {
    "all": gettext_lazy("All open"),
    "mine": gettext_lazy("Mine"),
    "unassigned": gettext_lazy("Unassigned"),
    "breached": gettext_lazy("Breached"),
    "waiting": gettext_lazy("Waiting on the requester"),
}


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """One view of the open tickets (?view=mine, ?view=category:billing_dispute ...), 50 to a
    page from a cursor (?after= / ?before=), with capped counts of the fixed views."""
    if not is_agent(request.user):
        raise Http404
    view, _sep, value = request.GET.get("view", "all").partition(":")
    if view not in queries.FIXED_VIEWS + queries.FILTERED_VIEWS:
        view, value = "all", ""
    tickets = queries.queue_tickets(view, value, user_id=request.user.pk)
    page = queries.queue_page(
        tickets,
        after=queries.Cursor.decode(request.GET.get("after", "")),
        before=queries.Cursor.decode(request.GET.get("before", "")),
    )
    rows = [(ticket, queue_badge(ticket)) for ticket in page.tickets]
    counts = {
        name: queries.capped_count(queries.queue_tickets(name, user_id=request.user.pk))
        for name in queries.FIXED_VIEWS
    }
    context = {
        "rows": rows,
        "badge_labels": {status: badge_label(status) for _, status in rows},
        "page": page,
        "view": f"{view}:{value}" if value else view,
        "tabs": [(name, label, counts[name]) for name, label in VIEW_LABELS.items()],
        "count_cap": queries.COUNT_CAP,
        "filters": queue_filters(),
        "actions": bulk_actions(),
        "here": request.get_full_path().removeprefix(request.path),
    }
    return render(request, "console/queue.html", context)


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """A reference opens its ticket; anything else lists what matches."""
    if not is_agent(request.user):
        raise Http404
    query = request.GET.get("q", "")
    found = search(query)
    if found.how == "reference" and len(found.tickets) == 1:
        return redirect("console:ticket", reference=found.tickets[0].reference)
    context = {"query": query, "found": found, "rows": found.tickets}
    return render(request, "console/search.html", context)


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """The queue's bulk action: each ticket in its own transaction, then one summary."""
    if not is_agent(request.user):
        raise Http404
    action, _sep, value = request.POST.get("action", "").partition(":")
    if action == "note":
        value = request.POST.get("note", "")
    result = apply_bulk(
        references=request.POST.getlist("ticket"), action=action, value=value,
        user=request.user, now=timezone.now(),
    )  # fmt: skip
    if result.done:
        messages.success(request, BULK_DONE % {"count": len(result.done)})
    for reference, why in result.refused:
        messages.error(request, BULK_REFUSED % {"reference": reference, "why": why})
    if not result.done and not result.refused:
        messages.info(request, _("Choose tickets and an action."))
    # Back to the same view and page: only a query string on the queue's own path.
    back = request.POST.get("back", "")
    return redirect(reverse("console:queue") + (back if back.startswith("?") else ""))


BULK_DONE = gettext_lazy("Done on %(count)s ticket(s).")
BULK_REFUSED = gettext_lazy("%(reference)s: not changed (%(why)s).")


def bulk_actions() -> list[tuple[str, list[tuple[str, str]]]]:
    """The queue's action menu, grouped like the filter menu."""
    categories = Category.objects.filter(active=True).order_by("code")
    return [
        (_("Assignee"), [("assign_me", _("Assign to me")), ("unassign", _("Unassign"))]),
        (_("Status"), [(f"status:{code}", str(label)) for code, label in Status.choices]),
        (_("Category"), [(f"category:{c.code}", c.name_in()) for c in categories]),
        (_("Note"), [("note", _("Add the note below"))]),
    ]


MAX_REPORT_DAYS = 366


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Supervisors' reports over whole days in WIB (?from=2026-11-01&to=2026-11-30), as a
    page with charts and tables, or ?format=csv / xlsx with the same numbers."""
    if not may_review(request.user, 1):
        raise PermissionDenied
    period, problem = report_period(request)
    report = build_report(period)
    name = f"loket-report-{period.first}-{period.last}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(as_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(as_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    context = {
        "report": report, "problem": problem,
        "categories": bars(labelled("category", report.by_category)),
        "channels": bars(labelled("channel", report.by_channel)),
        "languages": bars(labelled("language", report.by_language)),
        "days": day_bars(report), "chart_width": max(len(report.daily) * 12, 12),
        "query": request.GET.urlencode(),
    }  # fmt: skip
    return render(request, "console/reports.html", context, status=400 if problem else 200)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_period(request: HttpRequest) -> tuple[Period, str]:
    """The chosen days, or the last 30 days in WIB; a bad choice says why and shows those."""
    zone = ZoneInfo(active_policy().document.hours.time_zone)
    today = timezone.now().astimezone(zone).date()
    default = Period(today - timedelta(days=29), today, zone)
    try:
        first = date.fromisoformat(request.GET.get("from") or default.first.isoformat())
        last = date.fromisoformat(request.GET.get("to") or default.last.isoformat())
    except ValueError:
        return default, _("Dates are written 2026-11-30.")
    if last < first or (last - first).days >= MAX_REPORT_DAYS:
        return default, _("Choose a period of one day to one year, the first day first.")
    return Period(first, last, zone), ""


def macro_chosen(request: HttpRequest) -> Macro | None:
    """?macro=ID on a ticket's page: the reply box starts from that macro."""
    wanted = request.GET.get("macro", "")
    return Macro.objects.filter(pk=wanted, active=True).first() if wanted.isdigit() else None


@login_required
def macros(request: HttpRequest) -> HttpResponse:
    """Supervisors manage the macros; agents use them from a ticket's page."""
    if not may_review(request.user, 1):
        raise PermissionDenied
    return render(request, "console/macros.html", {"macros": Macro.objects.all()})


@login_required
def macro_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not may_review(request.user, 1):
        raise PermissionDenied
    macro = Macro.objects.filter(pk=pk).first() if pk is not None else Macro()
    if macro is None:
        raise Http404
    form = MacroForm(request.POST or None, instance=macro)
    if request.method == "POST" and form.is_valid():
        save_macro(form.instance, actor=request.user, now=timezone.now())
        return redirect("console:macros")
    status = 400 if request.method == "POST" else 200
    return render(request, "console/macro.html", {"form": form, "macro": macro}, status=status)


def queue_filters() -> list[tuple[str, list[tuple[str, str]]]]:
    """The options of the "show only" menu, grouped: (group label, [(view, label)])."""
    categories = Category.objects.filter(active=True).order_by("code")
    return [
        (_("Category"), [(f"category:{c.code}", c.name_in()) for c in categories]),
        (_("Language"), [(f"language:{code}", name) for code, name in settings.LANGUAGES]),
        (_("Channel"), [(f"channel:{code}", str(label)) for code, label in Channel.choices]),
        (
            _("Escalation"),
            [("level:1", _("Supervisor review")), ("level:2", _("Operations review"))],
        ),
    ]


def ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: forms.Form | None = None,
    note_form: forms.Form | None = None,
    refund_form: forms.Form | None = None,
    reason_form: forms.Form | None = None,
    account_form: forms.Form | None = None,
    call_form: forms.Form | None = None,
    verification_error: str = "",
    status: int = 200,
) -> HttpResponse:
    clocks = clock_views(ticket, timezone.now())
    refund = queries.refund_proposal(ticket, get_language() or "en")
    update_due = any(
        clock.kind == "progress_update" and clock.status in ("warning", "breached")
        for clock in clocks
    )
    initial: dict[str, object] = {"seen_message": latest_public_message(ticket)}
    if update_due:
        initial["body"] = progress_update_draft(ticket)
    chosen = macro_chosen(request)
    if chosen is not None:
        initial |= {
            "body": render_macro(chosen, ticket, now=timezone.now()),
            "status_after": chosen.set_status, "macro": chosen.pk,
        }  # fmt: skip
    badge = ticket_badge([clock.status for clock in clocks])
    panel = queries.whatsapp_panel(ticket, timezone.now())
    context = {
        "latest_message": initial["seen_message"],
        "next_ticket": next_in_queue(ticket),
        "ratings": ticket.surveys.filter(answered_at__isnull=False).order_by("answered_at"),
        "macros": Macro.objects.filter(active=True).only("id", "name"),
        "chosen_macro": chosen,
        "whatsapp": panel,
        "template_form": WhatsAppTemplateForm(templates=panel.templates if panel else ()),
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
        "reply_form": reply_form or PublicReplyForm(initial=initial),
        "note_form": note_form or InternalNoteForm(auto_id=NOTE_IDS),
        "call_form": call_form or CallForm(),
        "status_form": StatusForm(initial={"status": ticket.status}),
        "priority_form": PriorityForm(initial={"priority": ticket.priority_rank}),
        "triage": queries.latest_triage(ticket),
        "checklist": queries.evidence_checklist(ticket),
        "refund": refund,
        "refund_form": refund_form or RefundDecisionForm(ticket=ticket, initial=proposed(refund)),
        "refund_decisions": ticket.refund_decisions.select_related("decided_by"),
        "reason_form": reason_form or ReasonForm(),
        "update_due": update_due,
        "complex_reason_label": COMPLEX_REASON_LABELS.get(
            ticket.complex_reason, ticket.complex_reason
        ),
        "verification": verification_state(ticket, timezone.now()),
        "verification_error": verification_error,
        "account_form": account_form or AccountChangeForm(ticket=ticket),
        "account_changes": ticket.category_id == "account_security",
        "may_review": {level: may_review(request.user, level) for level in REVIEW_PERMISSION},
        "may_act_here": may_review(request.user, max(ticket.escalation_level, 1)),
        "level_name": level_name(ticket, ticket.escalation_level)
        if ticket.escalation_level
        else "",
    }
    return render(request, "console/ticket.html", context, status=status)


# The note's fields get ids of their own: the reply and the note both have a "body".
NOTE_IDS = "note_%s"


def next_in_queue(ticket: Ticket) -> Ticket | None:
    """The open ticket after this one in the queue (the "j" key), if this one is in it."""
    if not ticket.is_active or ticket.queue_at is None:
        return None
    after = queries.Cursor.of(ticket)
    page = queries.queue_page(queries.queue_tickets("all"), after=after, size=1)
    return page.tickets[0] if page.tickets else None


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
    ticket = access_ticket_for_agent(request.user, reference)
    if ticket.merged_into_id:
        target = surviving(ticket)
        messages.info(request, MERGED % {"old": reference, "new": target.reference})
        return redirect("console:ticket", reference=target.reference)
    return ticket_page(request, ticket)


MERGED = gettext_lazy("%(old)s was merged into %(new)s.")


@login_required
@require_POST
def priority(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a priority and say why."))
        return redirect("console:ticket", reference=reference)
    change_priority(
        ticket=ticket, rank=form.cleaned_data["priority"], reason=form.cleaned_data["reason"],
        actor=request.user, now=timezone.now(),
    )  # fmt: skip
    return redirect("console:ticket", reference=reference)


@login_required
def timeline_csv(request: HttpRequest, reference: str) -> HttpResponse:
    """The ticket's whole timeline (every change, its actor, time and before/after) as CSV."""
    ticket = access_ticket_for_agent(request.user, reference)
    response = HttpResponse(timeline_as_csv(ticket), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ticket.reference}-timeline.csv"'
    return response


@login_required
@require_POST
def merge(request: HttpRequest, reference: str) -> HttpResponse:
    source = access_ticket_for_agent(request.user, reference)
    into = request.POST.get("into", "").strip()
    try:
        target = access_ticket_for_integration(into)
        merge_tickets(source=source, target=target, actor=request.user, now=timezone.now())
    except NoSuchTicket:
        messages.error(request, _("There is no ticket %(reference)s.") % {"reference": into[:40]})
        return redirect("console:ticket", reference=reference)
    except MergeRefused as refused:
        messages.error(request, str(refused))
        return redirect("console:ticket", reference=reference)
    messages.success(request, MERGED % {"old": reference, "new": target.reference})
    return redirect("console:ticket", reference=target.reference)


@login_required
@require_POST
def split(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    message = ticket.messages.filter(pk=message_id).first()
    if message is None:
        raise Http404
    try:
        new = split_message(message=message, actor=request.user, now=timezone.now())
    except MergeRefused as refused:
        messages.error(request, str(refused))
        return redirect("console:ticket", reference=reference)
    messages.success(request, _("Split off into %(reference)s.") % {"reference": new.reference})
    return redirect("console:ticket", reference=new.reference)


@login_required
@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = PublicReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return ticket_page(request, ticket, reply_form=form, status=400)
    seen = form.cleaned_data.get("seen_message")
    if seen is not None and not form.cleaned_data.get("send_anyway"):
        newer = newer_public_messages(ticket, seen)
        if newer:
            form.add_error(
                None, NEWER_MESSAGE % {"count": len(newer), "name": newer[-1].author_name}
            )
            form.fields["send_anyway"].widget = forms.CheckboxInput()
            return ticket_page(request, ticket, reply_form=form, status=409)
    macro_id = form.cleaned_data.get("macro")
    macro = Macro.objects.filter(pk=macro_id, active=True).first() if macro_id else None
    try:
        # The macro's category and the reply stand or fall together (a refused reply, e.g.
        # outside WhatsApp's window, leaves the category as it was).
        with transaction.atomic():
            if macro is not None and macro.set_category_id:
                recategorise(
                    ticket=ticket, category_code=macro.set_category_id, actor=request.user,
                    now=timezone.now(),
                )  # fmt: skip
            record_public_reply(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                status_after=form.cleaned_data["status_after"] or None,
                now=timezone.now(),
            )
    except WindowClosed:
        form.add_error(None, WINDOW_CLOSED)
        return ticket_page(request, ticket, reply_form=form, status=409)
    return redirect("console:ticket", reference=reference)


NEWER_MESSAGE = gettext_lazy(
    "Not sent yet: %(count)s newer message(s) arrived on this ticket since you opened it, the "
    "last from %(name)s. Read them above; then send your reply as it is (tick the box) or "
    "change it."
)


@login_required
@require_POST
def presence(request: HttpRequest, reference: str) -> HttpResponse:
    """The ticket page reports every few seconds (console.js) and learns who else is there."""
    ticket = access_ticket_for_agent(request.user, reference)
    now = timezone.now()
    report_presence(ticket, request.user, typing=request.POST.get("typing") == "1", now=now)
    others = colleagues_present(ticket, request.user, now)
    return JsonResponse({
        "others": [{"name": other.name, "typing": other.typing} for other in others],
        "latest_message": latest_public_message(ticket),
    })  # fmt: skip


WINDOW_CLOSED = gettext_lazy(
    "Not sent: the requester last wrote on WhatsApp more than 24 hours ago, and WhatsApp then "
    "accepts only an approved template. Send a template below; when they answer, the window "
    "opens again and you can send your reply."
)


@login_required
@require_POST
def whatsapp_template(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    panel = queries.whatsapp_panel(ticket, timezone.now())
    form = WhatsAppTemplateForm(request.POST, templates=panel.templates if panel else ())
    if form.is_valid():
        name, language = form.chosen()
        try:
            send_whatsapp_template(
                ticket=ticket, name=name, language=language, actor=request.user,
                now=timezone.now(),
            )  # fmt: skip
        except UnknownTemplate:
            raise Http404 from None
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def note(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = InternalNoteForm(request.POST, auto_id=NOTE_IDS)
    if not form.is_valid():
        return ticket_page(request, ticket, note_form=form, status=400)
    record_internal_note(
        ticket=ticket, author=request.user, body=form.cleaned_data["body"], now=timezone.now()
    )
    return redirect("console:ticket", reference=reference)


# --- phone calls (POLICY.md S6) ------------------------------------------------------------------


@login_required
def new_call(request: HttpRequest) -> HttpResponse:
    """Log a call that opens a ticket: the caller, the call, and what it was about."""
    if not is_agent(request.user):
        raise Http404
    if request.method != "POST":
        return render(request, "console/call.html", {"form": NewCallForm()})
    form = NewCallForm(request.POST)
    if not form.is_valid():
        return render(request, "console/call.html", {"form": form}, status=400)
    data = form.cleaned_data
    ticket = log_call_as_new_ticket(
        call=form.call(), requester_name=data["requester_name"],
        requester_email=data["requester_email"], category_code=data["category"],
        language=data["language"], agent=request.user, now=timezone.now(),
    )  # fmt: skip
    return redirect("console:ticket", reference=ticket.reference)


@login_required
@require_POST
def call_on_ticket(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = CallForm(request.POST)
    if not form.is_valid():
        return ticket_page(request, ticket, call_form=form, status=400)
    log_call_on_ticket(ticket=ticket, call=form.call(), agent=request.user, now=timezone.now())
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def change_status(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = StatusForm(request.POST)
    if form.is_valid():
        status, now = form.cleaned_data["status"], timezone.now()
        if ticket.escalation_level and status in (Status.RESOLVED, Status.CLOSED):
            require_review(request.user, ticket, ticket.escalation_level, "resolve", now)
        try:
            set_status(ticket=ticket, status=status, actor=request.user, now=now)
        except VerificationNeeded:
            return ticket_page(request, ticket, verification_error=str(NOT_VERIFIED), status=400)
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def assign_to_me(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    assign(ticket=ticket, assignee=request.user, actor=request.user, now=timezone.now())  # type: ignore[arg-type]
    return redirect("console:ticket", reference=reference)


@login_required
def attachment(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponseBase:
    ticket = access_ticket_for_agent(request.user, reference)
    file = access_attachment(ticket, attachment_id, requester=False)
    back = reverse("console:ticket", kwargs={"reference": reference})
    return attachment_response(request, file, back_url=back)


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
        except VerificationNeeded:
            form.add_error(None, str(NOT_VERIFIED))
    if not form.is_valid():
        return ticket_page(request, ticket, refund_form=form, status=400)
    return redirect("console:ticket", reference=reference)


# --- review (POLICY.md S11) ----------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest, level: int) -> HttpResponse:
    if level not in REVIEW_PERMISSION:
        raise Http404
    if not may_review(request.user, level):
        raise PermissionDenied
    now = timezone.now()
    tickets = list(queries.review_queue(level)[:200])
    rows = [
        (ticket, queue_badge(ticket), queries.escalation_summary(ticket),
         waited(ticket.escalated_at, now), missed_update(ticket))
        for ticket in tickets
    ]  # fmt: skip
    labels = {badge: badge_label(badge) for _, badge, _, _, _ in rows}
    name = level_name(tickets[0], level) if tickets else level_name_of(level)
    context = {"rows": rows, "badge_labels": labels, "level": level, "level_name": name}
    return render(request, "console/review.html", context)


def missed_update(ticket: Ticket) -> bool:
    """S10: a complex case whose promised progress update is overdue (prefetched clocks)."""
    return any(
        clock.kind == "progress_update" and clock.breached and clock.status != "stopped"
        for clock in ticket.clocks.all()
    )


def waited(since: datetime | None, now: datetime) -> str:
    """h:mm in review (wall-clock time: how long the ticket has been waiting)."""
    if since is None:
        return "—"
    minutes = int((now - since).total_seconds()) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def level_name_of(level: int) -> str:
    language = get_language() or "en"
    for entry in active_policy().document.escalation:
        if entry.level == level:
            return entry.name.get(language) or entry.code
    return str(level)


def review_step(
    request: HttpRequest, reference: str, step: Callable[..., Ticket], level_needed: int | None
) -> HttpResponse:
    """One reviewer's step with its reason: refused (403, with an event) without the level's
    permission; a step that does not apply says why on the ticket page."""
    ticket = access_ticket_for_agent(request.user, reference)
    now = timezone.now()
    level = level_needed if level_needed is not None else max(ticket.escalation_level, 1)
    require_review(request.user, ticket, level, step.__name__, now)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            step(ticket=ticket, reason=form.cleaned_data["reason"], actor=request.user, now=now,
                 from_level=form.cleaned_data["from_level"])  # fmt: skip
        except EscalationRefused as refused:
            form.add_error(None, str(refused))
        except VerificationNeeded:
            form.add_error(None, str(NOT_VERIFIED))
    if not form.is_valid():
        return ticket_page(request, ticket, reason_form=form, status=400)
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def escalate_ticket(request: HttpRequest, reference: str) -> HttpResponse:
    """Supervisors raise a ticket to level 1, or from level 1 to operations (level 2)."""
    return review_step(request, reference, escalate, level_needed=1)


@login_required
@require_POST
def de_escalate_ticket(request: HttpRequest, reference: str) -> HttpResponse:
    return review_step(request, reference, de_escalate, level_needed=None)


@login_required
@require_POST
def resolve_in_review_ticket(request: HttpRequest, reference: str) -> HttpResponse:
    return review_step(request, reference, resolve_in_review, level_needed=None)


# --- ownership verification (S11, S13) -----------------------------------------------------------

NOT_VERIFIED = gettext_lazy(
    "The requester has not confirmed ownership of the account yet: send the verification link "
    "and wait for them to confirm it."
)


@login_required
@require_POST
def send_verification(request: HttpRequest, reference: str) -> HttpResponse:
    """A one-time link to the account e-mail on file - never to the address that wrote."""
    ticket = access_ticket_for_agent(request.user, reference)
    try:
        start_verification(ticket=ticket, actor=request.user, now=timezone.now())
    except VerificationRefused as refused:
        return ticket_page(request, ticket, verification_error=str(refused), status=400)
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def account_change(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, reference)
    form = AccountChangeForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            record_account_change(ticket=ticket, actor=request.user, now=timezone.now(),
                                  **form.cleaned_data)  # fmt: skip
        except VerificationNeeded:
            form.add_error(None, str(NOT_VERIFIED))
    if not form.is_valid():
        return ticket_page(request, ticket, account_form=form, status=400)
    return redirect("console:ticket", reference=reference)


@login_required
@require_POST
def recheck_billing_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask billing again about the evidence (after an outage, or an import)."""
    ticket = access_ticket_for_agent(request.user, reference)
    recheck_billing(ticket=ticket, actor=request.user, now=timezone.now())
    return redirect("console:ticket", reference=reference)
