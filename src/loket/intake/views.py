from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.intake.forms import ContactForm
from loket.language import reverse_here
from loket.limits import over_limit
from loket.policy.queries import pinned_policy
from loket.tickets.forms import refuse_over_quota
from loket.tickets.links import public_path
from loket.tickets.models import Channel, PortalLinkKind, Ticket
from loket.tickets.portal_access import inspect_link, open_for_contact_form
from loket.tickets.quotas import OverQuota


def contact(request: HttpRequest) -> HttpResponse:
    # One read of the active policy serves the form's categories and the new ticket.
    with pinned_policy():
        return contact_form(request)


def contact_form(request: HttpRequest) -> HttpResponse:
    language = get_language()
    form = ContactForm(request.POST or None, request.FILES or None, language=language)
    if request.method == "POST" and form.is_valid():
        if (retry := throttled(request, form.cleaned_data["email"])) is not None:
            # Nothing is created or mailed; the page keeps what they typed and says when.
            form.add_error(None, _("Too many requests from you in a short time. Your text is "
                                   "kept below: please send it again in %(minutes)d minutes.")
                           % {"minutes": max(1, -(-retry // 60))})  # fmt: skip
            response = render(request, "intake/contact.html", {"form": form}, status=429)
            response["Retry-After"] = str(retry)
            return response
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
            client_address=request.META.get("REMOTE_ADDR", ""),
        )
        links: list[str] = []

        def thank_you_link(ticket: Ticket) -> None:
            """The thank-you page's link, in the ticket's own transaction."""
            links.append(open_for_contact_form(ticket, now=now))

        try:
            outcome = receive(message, now=now, on_created=thank_you_link)
        except OverQuota as over:  # nothing was stored; the form keeps the text
            return over_quota_page(request, form, over)
        ticket = outcome.ticket
        if ticket is None:  # a blocked sender (the admin's list): kept, never answered
            form.add_error(None, BLOCKED)
            return render(request, "intake/contact.html", {"form": form}, status=403)
        # A reply to a known ticket by the form (no link) is thanked without details.
        token = links[0] if links else "-"
        return redirect(reverse_here(request, "intake:thanks", token=token))
    status = 400 if form.errors else 200
    return render(request, "intake/contact.html", {"form": form}, status=status)


BLOCKED = gettext_lazy(
    "We cannot accept requests from this address. If you think this is a mistake, write to us "
    "by e-mail."
)


def over_quota_page(request: HttpRequest, form: ContactForm, over: OverQuota) -> HttpResponse:
    retry = refuse_over_quota(form, over)
    status = 400 if retry is None else 429
    response = render(request, "intake/contact.html", {"form": form}, status=status)
    if retry is not None:
        response["Retry-After"] = str(retry)
    return response


def throttled(request: HttpRequest, recipient: str) -> int | None:
    """Seconds to wait when this client, or this recipient address, has sent too much: the
    form must not be a way to flood someone's mailbox with acknowledgements."""
    client = over_limit("contact-client", request.META.get("REMOTE_ADDR", ""),
                        limit=settings.LOKET_LIMIT_CONTACT_PER_CLIENT, seconds=3600)  # fmt: skip
    if client is not None:
        return client
    return over_limit("contact-recipient", recipient,
                      limit=settings.LOKET_LIMIT_CONTACT_PER_RECIPIENT, seconds=3600)  # fmt: skip


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The reference and a button to the ticket's page while the form's link is unused; once
    it is used or expired (or for anyone who guesses at the address), only thanks. Nothing is
    written: the button opens the link like a mailed one."""
    found = inspect_link(token, timezone.now())
    if found.outcome != "ask" or found.link is None:
        return render(request, "intake/thanks.html", {"ticket": None})
    if found.link.kind != PortalLinkKind.CONTACT_FORM:
        return render(request, "intake/thanks.html", {"ticket": None})
    # The page's own language: the visitor may have switched since the ticket was opened.
    context = {
        "ticket": found.ticket,
        "open_path": public_path("portal:open", get_language(), token=token),
    }
    return render(request, "intake/thanks.html", context)
