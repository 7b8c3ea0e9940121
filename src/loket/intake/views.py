from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language

from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.intake.forms import ContactForm
from loket.tickets.access import access_ticket_by_token
from loket.tickets.links import make_token, portal_path
from loket.tickets.models import Channel


def contact(request: HttpRequest) -> HttpResponse:
    language = get_language()
    form = ContactForm(request.POST or None, request.FILES or None, language=language)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        message = InboundMessage(
            channel=Channel.WEB,
            sender_address=data["email"],
            sender_name=data["name"],
            subject=data["subject"],
            text=data["description"],
            received_at=now,
            attachments=tuple(data["attachments"]),
            category_code=data["category"],
            language=language,
            time_zone=data["time_zone"],
        )
        ticket = receive(message, now=now).ticket
        assert ticket is not None, "the contact form always opens a ticket"
        return redirect("intake:thanks", token=make_token(str(ticket.reference)))
    status = 400 if form.errors else 200
    return render(request, "intake/contact.html", {"form": form}, status=status)


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    ticket = access_ticket_by_token(token)
    context = {"ticket": ticket, "portal_path": portal_path(str(ticket.reference))}
    return render(request, "intake/thanks.html", context)
