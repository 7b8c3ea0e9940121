from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from loket.inbound.pipeline import escalation_through_portal, reply_through_portal
from loket.language import reverse_here, use_requester_language
from loket.limits import exceeded, over_limit
from loket.notify.content import level_name
from loket.portal.forms import EscalationForm, NewLinkForm, RatingForm
from loket.sla.queries import requester_deadlines
from loket.tickets import portal_access, queries
from loket.tickets.access import (
    PortalSignInNeeded,
    access_attachment,
    access_ticket_of_requester,
    language_of_reference,
    ticket_of_requester,
)
from loket.tickets.downloads import attachment_response
from loket.tickets.escalation import EscalationRefused
from loket.tickets.forms import ReplyForm, refuse_over_quota
from loket.tickets.links import digest
from loket.tickets.merging import surviving
from loket.tickets.models import ACTIVE_STATUSES, Status, Ticket
from loket.tickets.operations import TicketClosed, send_portal_link
from loket.tickets.quotas import OverQuota
from loket.tickets.surveys import answer_survey, survey_of
from loket.tickets.verification import confirm

# --- the link in a mail, exchanged for this browser's access (tickets/portal_access.py) ---------


@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: one button (a mail scanner that fetches the link uses nothing up) or, for a dead
    link, why and a new link in one click. POST: the link is used up, this browser holds the
    ticket, and the ticket's page opens at an address without the token."""
    browser = browser_of(request)
    now = timezone.now()
    found = portal_access.inspect_link(token, now)
    if found.ticket is None:
        return render(request, "portal/link.html", {"outcome": "unknown"}, status=404)
    use_requester_language(request, found.ticket.language)
    reference = str(found.ticket.reference)
    holds = holds_ticket(request, reference, now)
    if request.method == "POST" or (holds and found.outcome == "ask"):
        found = portal_access.open_link(token, browser=browser, now=now)
        if found.outcome == "opened" and found.link is not None:
            portal_access.remember(request.session, found.link)
            return redirect(reverse_here(request, "portal:ticket", reference=reference))
    if holds:  # an old link of a ticket this browser has open: no dead end
        return redirect(reverse_here(request, "portal:ticket", reference=reference))
    if found.outcome == "ask":
        # The session exists before the button is pressed, so a double click is recognised.
        request.session.setdefault(portal_access.SESSION_KEY, {})
        hours = settings.LOKET_PORTAL_SESSION_HOURS
        context = {"outcome": "ask", "ticket": found.ticket, "hours": hours}
        return render(request, "portal/link.html", context)
    context = {"outcome": found.outcome, "token": token}
    return render(request, "portal/link.html", context, status=410)


def browser_of(request: HttpRequest) -> str:
    """This browser, as the hash of the session cookie it sent ("" without one): the cookie as
    sent, since a double click's second request names a session the first one replaced."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    return digest(key) if key else ""


def holds_ticket(request: HttpRequest, reference: str, now: datetime) -> bool:
    try:
        access_ticket_of_requester(request.session, reference, now)
    except PortalSignInNeeded:
        return False
    return True


@require_POST
def resend_link(request: HttpRequest, token: str) -> HttpResponse:
    """The dead link's one button: a new link to the address or number on file (never one the
    visitor types), within the same hourly limit as "send me a new link"."""
    found = portal_access.inspect_link(token, timezone.now())
    if found.ticket is None:
        return render(request, "portal/link.html", {"outcome": "unknown"}, status=404)
    ticket = found.ticket
    use_requester_language(request, ticket.language)
    limit = {"limit": settings.LOKET_LIMIT_NEW_LINKS_PER_TICKET, "seconds": 3600}
    if (retry := over_limit("new-link", str(ticket.reference), **limit)) is not None:
        context = {"minutes": max(1, -(-retry // 60))}
        response = render(request, "portal/link_sent.html", context, status=429)
        response["Retry-After"] = str(retry)
        return response
    send_portal_link(ticket=ticket, now=timezone.now())
    context = {"sent": True, "minutes": settings.LOKET_PORTAL_NEW_LINK_MINUTES}
    return render(request, "portal/link_sent.html", context)


# --- the ticket's pages, for a browser that holds the ticket ------------------------------------


def requester_ticket(request: HttpRequest, reference: str) -> Ticket | None:
    """The ticket, when this browser opened a link to it that still holds; its language."""
    try:
        ticket = access_ticket_of_requester(request.session, reference, timezone.now())
    except PortalSignInNeeded:
        return None
    use_requester_language(request, ticket.language)
    return ticket


def sign_in_needed(request: HttpRequest, reference: str) -> HttpResponse:
    """Not (or no longer) this browser's ticket: the same page whether or not the reference
    exists. It asks for the address on file to send a new link, and shows what the visitor
    had typed (a reply written while the access ran out) so that they can copy it."""
    typed = request.POST.get("body", "") or request.POST.get("summary", "")
    form = NewLinkForm(initial={"reference": reference[:40]})
    context = {"form": form, "typed": typed}
    return render(request, "portal/sign_in_needed.html", context, status=403)


def ticket_page(
    request: HttpRequest, reference: str, *, escalation_form: EscalationForm | None = None
) -> HttpResponse:
    ticket = requester_ticket(request, reference)
    if ticket is None:
        return sign_in_needed(request, reference)
    if ticket.merged_into_id:
        # The case continues under the survivor; its link went by mail to the address on file.
        # None is minted here: whoever holds this link has not proved the survivor is theirs.
        merged = {"ticket": ticket, "target": surviving(ticket)}
        return render(request, "portal/merged.html", merged)
    replying = request.method == "POST" and escalation_form is None
    form = ReplyForm(request.POST if replying else None, request.FILES if replying else None)
    retry = None
    if replying and form.is_valid():
        limit = {"limit": settings.LOKET_LIMIT_PORTAL_REPLIES_PER_TICKET, "seconds": 3600}
        retry = over_limit("portal-replies", str(ticket.reference), **limit)
    if retry is not None:  # what was typed stays in the box
        form.add_error(None, TOO_MANY_REPLIES)
    elif replying and form.is_valid():
        try:
            reply_through_portal(
                ticket, text=form.cleaned_data["body"],
                attachments=tuple(form.cleaned_data["attachments"]),
                client_address=request.META.get("REMOTE_ADDR", ""), now=timezone.now(),
            )  # fmt: skip
        except TicketClosed:
            form.add_error(None, _("This request is closed. Please send us a new request."))
        except OverQuota as over:
            retry = refuse_over_quota(form, over)
        else:
            messages.success(request, _("Thank you, your reply was added to your request."))
            return redirect(reverse_here(request, "portal:ticket", reference=reference))
    context = {
        "ticket": ticket,
        "thread": queries.thread(ticket, include_internal=False),
        "form": form,
        "closed": ticket.status == Status.CLOSED,
        "deadlines": requester_deadlines(ticket),
        "escalation_form": escalation_form or EscalationForm(),
        "review_name": level_name(ticket, ticket.escalation_level)
        if ticket.escalation_level
        else "",
        "may_ask_escalation": ticket.status in ACTIVE_STATUSES and not ticket.escalation_level,
    }
    failed = form.errors or (escalation_form is not None and escalation_form.errors)
    status = 429 if retry is not None else (400 if failed else 200)
    response = render(request, "portal/ticket.html", context, status=status)
    if retry is not None:
        response["Retry-After"] = str(retry)
    return response


TOO_MANY_REPLIES = gettext_lazy(
    "Too many replies to this request in the last hour. Your text is still here: please send "
    "it again later."
)


@require_POST
def ask_for_escalation(request: HttpRequest, reference: str) -> HttpResponse:
    """S11: the requester asks for escalation with a summary; told the outcome at once (and
    by e-mail)."""
    ticket = requester_ticket(request, reference)
    if ticket is None:
        return sign_in_needed(request, reference)
    form = EscalationForm(request.POST)
    if not form.is_valid():
        return ticket_page(request, reference, escalation_form=form)
    try:
        answer = escalation_through_portal(ticket, summary=form.cleaned_data["summary"],
                                           now=timezone.now())  # fmt: skip
    except EscalationRefused as refused:
        form.add_error(None, str(refused))
        return ticket_page(request, reference, escalation_form=form)
    messages.success(request, str(ESCALATION_ANSWERS[answer.outcome]))
    return redirect(reverse_here(request, "portal:ticket", reference=reference))


ESCALATION_ANSWERS = {
    "escalated": gettext_lazy(
        "Your request is now under supervisor review. We have sent you an e-mail."
    ),
    "already": gettext_lazy("Your request is already under review; we added your summary."),
    "recorded": gettext_lazy(
        "We recorded your request. Its deadline has not passed yet: we sent you an e-mail "
        "with the time it ends."
    ),
}


def attachment(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponseBase:
    ticket = requester_ticket(request, reference)
    if ticket is None:
        return sign_in_needed(request, reference)
    file = access_attachment(ticket, attachment_id, requester=True)
    back = reverse_here(request, "portal:ticket", reference=reference)
    return attachment_response(request, file, back_url=back)


@require_POST
def sign_out_everywhere(request: HttpRequest, reference: str) -> HttpResponse:
    """Every link to the ticket stops working and every browser that opened one loses it,
    this one included; the page then offers a new link to the address on file."""
    ticket = requester_ticket(request, reference)
    if ticket is None:
        return sign_in_needed(request, reference)
    portal_access.sign_out_everywhere(ticket, now=timezone.now())
    portal_access.forget(request.session, reference)
    messages.success(request, _("You are signed out of this request on every device and browser."))
    return redirect(reverse_here(request, "portal:ticket", reference=reference))


def new_link(request: HttpRequest) -> HttpResponse:
    """Answers the same whether or not the pair matches, so nobody can probe for tickets."""
    form = NewLinkForm(request.POST or None, initial={"reference": request.GET.get("reference")})
    if request.method == "POST" and form.is_valid():
        ticket = ticket_of_requester(form.cleaned_data["reference"], form.cleaned_data["email"])
        # A few links an hour per ticket: more is a flood of someone's mailbox (issue 14). The
        # answer stays the same either way, so it tells a prober nothing.
        if ticket is not None and over_limit(
            "new-link", str(ticket.reference),
            limit=settings.LOKET_LIMIT_NEW_LINKS_PER_TICKET, seconds=3600,
        ) is None:  # fmt: skip
            send_portal_link(ticket=ticket, now=timezone.now())
        return render(request, "portal/new_link_sent.html")
    return render(
        request, "portal/new_link.html", {"form": form}, status=400 if form.errors else 200
    )


# --- ownership verification (S11, S13): the link in the mail to the account on file ----------


def verify(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """GET shows a page with one button (mail scanners that follow links change nothing);
    POST confirms. Wrong links count against the client's address."""
    address = request.META.get("REMOTE_ADDR", "")
    # A fixed one-hour window per address, counting only unknown tokens (guesses): a known
    # link that expired or was used cannot be brute-forced and locks nobody out.
    guesses = {"limit": settings.LOKET_VERIFICATION_FAILURES_PER_HOUR, "seconds": 3600}
    if requester_language := language_of_reference(reference):
        use_requester_language(request, requester_language)
    if (retry := exceeded("verification-guesses", address, **guesses)) is not None:
        response = render(request, "portal/verify.html", {"outcome": "throttled"}, status=429)
        response["Retry-After"] = str(retry)
        return response
    if request.method != "POST":
        return render(request, "portal/verify.html", {"outcome": "ask"})
    confirmation = confirm(reference, token, timezone.now())
    if confirmation.outcome == "unknown":
        over_limit("verification-guesses", address, **guesses)
    status = 200 if confirmation.outcome == "verified" else 400
    context = {"outcome": confirmation.outcome}
    return render(request, "portal/verify.html", context, status=status)


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the question with the answer from the mail's link chosen (a link scanner
    records nothing); POST records it once. Unknown links count against the client address."""
    address = request.META.get("REMOTE_ADDR", "")
    guesses = {"limit": settings.LOKET_VERIFICATION_FAILURES_PER_HOUR, "seconds": 3600}
    survey = survey_of(token)
    if survey is not None:
        use_requester_language(request, survey.ticket.language)
    if (retry := exceeded("survey-guesses", address, **guesses)) is not None:
        response = render(request, "portal/rate.html", {"outcome": "throttled"}, status=429)
        response["Retry-After"] = str(retry)
        return response
    form = RatingForm(request.POST or None, initial={"rating": request.GET.get("rating", "")})
    if request.method == "POST" and form.is_valid():
        answer = answer_survey(
            token=token, rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"], now=timezone.now(),
        )  # fmt: skip
        if answer.outcome == "unknown":
            over_limit("survey-guesses", address, **guesses)
        status = 200 if answer.outcome == "rated" else (404 if answer.outcome == "unknown" else 410)
        context = {"outcome": answer.outcome, "answer": answer}
        return render(request, "portal/rate.html", context, status=status)
    if survey is None:
        over_limit("survey-guesses", address, **guesses)
        return render(request, "portal/rate.html", {"outcome": "unknown"}, status=404)
    if survey.answered_at is not None or survey.expires_at <= timezone.now():
        outcome = "answered_already" if survey.answered_at else "expired"
        return render(request, "portal/rate.html", {"outcome": outcome}, status=410)
    context = {"outcome": "ask", "form": form, "ticket": survey.ticket}
    return render(request, "portal/rate.html", context, status=400 if form.errors else 200)
