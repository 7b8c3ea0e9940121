from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.language import use_requester_language
from loket.portal.forms import NewLinkForm
from loket.sla.queries import requester_deadlines
from loket.tickets import queries
from loket.tickets.access import access_attachment, access_ticket_by_token, ticket_of_requester
from loket.tickets.downloads import attachment_response
from loket.tickets.forms import ReplyForm
from loket.tickets.models import Channel, Status
from loket.tickets.operations import TicketClosed, record_requester_reply, send_portal_link


def ticket_page(request: HttpRequest, token: str) -> HttpResponse:
    ticket = access_ticket_by_token(token)
    use_requester_language(request, ticket.language)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_requester_reply(
                ticket=ticket,
                body=form.cleaned_data["body"],
                channel=Channel.PORTAL,
                attachments=form.cleaned_data["attachments"],
                now=timezone.now(),
            )
        except TicketClosed:
            form.add_error(None, _("This request is closed. Please send us a new request."))
        else:
            messages.success(request, _("Thank you, your reply was added to your request."))
            return redirect("portal:ticket", token=token)
    context = {
        "ticket": ticket,
        "thread": queries.thread(ticket, include_internal=False),
        "form": form,
        "token": token,
        "closed": ticket.status == Status.CLOSED,
        "deadlines": requester_deadlines(ticket),
    }
    return render(request, "portal/ticket.html", context, status=400 if form.errors else 200)


def attachment(request: HttpRequest, token: str, attachment_id: int) -> FileResponse:
    ticket = access_ticket_by_token(token)
    return attachment_response(access_attachment(ticket, attachment_id, requester=True))


def new_link(request: HttpRequest) -> HttpResponse:
    """Answers the same whether or not the pair matches, so nobody can probe for tickets."""
    form = NewLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticket = ticket_of_requester(form.cleaned_data["reference"], form.cleaned_data["email"])
        if ticket is not None:
            send_portal_link(ticket=ticket, now=timezone.now())
        return render(request, "portal/new_link_sent.html")
    return render(
        request, "portal/new_link.html", {"form": form}, status=400 if form.errors else 200
    )
