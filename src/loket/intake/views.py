from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language

from loket.intake.forms import ContactForm
from loket.portal.links import make_token, portal_path, reference_from_token
from loket.tickets.models import Channel, Ticket
from loket.tickets.operations import open_ticket


def contact(request: HttpRequest) -> HttpResponse:
    language = get_language()
    form = ContactForm(request.POST or None, request.FILES or None, language=language)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ticket = open_ticket(
            subject=data["subject"],
            body=data["description"],
            category_code=data["category"],
            requester_name=data["name"],
            requester_email=data["email"],
            language=language,
            channel=Channel.WEB,
            attachments=data["attachments"],
            time_zone=data["time_zone"],
            now=timezone.now(),
        )
        return redirect("intake:thanks", token=make_token(str(ticket.reference)))
    status = 400 if form.errors else 200
    return render(request, "intake/contact.html", {"form": form}, status=status)


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    reference = reference_from_token(token)
    ticket = Ticket.objects.filter(reference=reference).first() if reference else None
    if ticket is None:
        raise Http404
    context = {"ticket": ticket, "portal_path": portal_path(str(ticket.reference))}
    return render(request, "intake/thanks.html", context)
