"""What Loket says by e-mail: builders that read the ticket, its clocks and its links and
return the rendered mail, in the ticket's language."""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.notify.outbox import EmailContent, requester_route
from loket.policy.queries import calendar_of, document_of
from loket.sla.models import Clock
from loket.sla.queries import requester_deadlines
from loket.tickets.links import portal_url
from loket.tickets.models import Channel, Message, MessageKind, PortalLinkKind, Ticket

# How many of the requester's own Message-IDs a References header carries at most.
REFERENCES_KEPT = 10


def thread_headers(ticket: Ticket, *, automatic: bool) -> dict[str, str]:
    """Every mail about a ticket points at one root id, and on an e-mail ticket at the
    requester's own messages too, so their mail client keeps one thread."""
    root = f"<{ticket.reference}@tickets.loket>"
    theirs = requester_message_ids(ticket)
    headers = {
        "In-Reply-To": theirs[-1] if theirs else root,
        "References": " ".join([root, *theirs]),
        "X-Loket-Reference": str(ticket.reference),
    }
    if ticket.reply_address:
        headers["Reply-To"] = ticket.reply_address
    if automatic:
        # RFC 3834: stops out-of-office robots answering the acknowledgement.
        headers["Auto-Submitted"] = "auto-replied"
    return headers


def requester_message_ids(ticket: Ticket) -> list[str]:
    if ticket.channel != Channel.EMAIL:
        return []
    ids = Message.objects.filter(ticket=ticket, kind=MessageKind.REQUESTER).exclude(external_id="")
    newest = ids.order_by("-created_at", "-id").values_list("external_id", flat=True)
    return list(reversed(newest[:REFERENCES_KEPT]))


def render(ticket: Ticket, template: str, context: dict[str, object]) -> str:
    route = requester_route(ticket)
    context = {
        "ticket": ticket,
        # A WhatsApp chat is answered in the chat, not "by e-mail".
        "by_chat": route is not None and route.channel == Channel.WHATSAPP,
        **context,
    }
    return render_to_string(f"notify/email/{template}.txt", context).strip() + "\n"


def link_to(ticket: Ticket, now: datetime) -> dict[str, object]:
    """A new single-use link to the ticket's page, for a mail Loket sends on its own; only
    the mails that show one make one (each is a row, tickets/links.py)."""
    return {
        "portal_url": portal_url(ticket, now=now),
        "link_hours": settings.LOKET_PORTAL_MAIL_LINK_HOURS,
    }


def when_for_requester(ticket: Ticket, moment: datetime) -> str:
    """ "23 November 2026 18:00 WIB", and in the requester's own zone when it differs."""
    assert ticket.policy_version is not None
    hours = document_of(ticket.policy_version).hours
    zone = ZoneInfo(hours.time_zone)
    shown = formats.date_format(moment.astimezone(zone), "DATETIME_FORMAT")
    text = f"{shown} {hours.zone_label}"
    requester_zone = ZoneInfo(ticket.time_zone) if ticket.time_zone else None
    if requester_zone is not None and requester_zone.utcoffset(moment) != zone.utcoffset(moment):
        theirs = formats.date_format(moment.astimezone(requester_zone), "DATETIME_FORMAT")
        text += f" ({theirs} {ticket.time_zone})"
    return text


def deadline_lines(ticket: Ticket, clocks: Sequence[Clock] | None = None) -> list[str]:
    """ "First answer by: 23 November 2026 18:00 WIB", in the active language."""
    version = ticket.policy_version
    if version is None:
        return []

    def local(moment: datetime) -> str:
        return when_for_requester(ticket, moment)

    lines = []
    calendar = calendar_of(version)
    if not calendar.is_open(ticket.created_at):
        # S6: outside support hours, say when the clock starts.
        starts = local(calendar.next_open(ticket.created_at))
        lines.append(
            _("We received it outside support hours; our clock starts %(start)s.")
            % {"start": starts}
        )
    for deadline in requester_deadlines(ticket, clocks):
        if deadline.due_at is None:
            continue
        lines.append(f"{deadline.label}: {local(deadline.due_at)}")
    return lines


def acknowledgement(
    ticket: Ticket,
    *,
    now: datetime,
    ask_for: Sequence[str] = (),
    clocks: Sequence[Clock] | None = None,
) -> EmailContent:
    """What we received and what happens next; to a buyer about a seller's order, that the
    seller handles it and how to reach them (S2). `ask_for`: the evidence items (S8) the
    request lacks, asked for in one go."""
    with translation.override(ticket.language):
        # Reference and category only: a stranger's words never reach a Subject we send to
        # whatever address the form was given (the form must not be a mail relay, issue 14).
        subject = _("[%(reference)s] We received your request (%(category)s)") % {
            "reference": ticket.reference,
            "category": ticket.category.name_in(ticket.language),
        }
        if is_buyer_matter(ticket):
            body = render(ticket, "acknowledgement_buyer", buyer_context(ticket))
        else:
            body = render(
                ticket,
                "acknowledgement",
                {
                    "category": ticket.category,
                    "deadlines": deadline_lines(ticket, clocks),
                    "wanted": wanted_items(ticket, ask_for),
                    **link_to(ticket, now),
                },
            )
    return EmailContent(subject, body, thread_headers(ticket, automatic=True))


def wanted_items(ticket: Ticket, codes: Sequence[str]) -> list[tuple[str, str]]:
    """(label, help) of each evidence item, in the ticket's language, as the policy words it."""
    if not codes or ticket.policy_version is None:
        return []
    document = document_of(ticket.policy_version)
    wanted = []
    for code in codes:
        item = document.evidence_item(code)
        if item is not None:
            language = ticket.language
            wanted.append((item.label.get(language, code), item.help.get(language, "")))
    return wanted


def is_buyer_matter(ticket: Ticket) -> bool:
    version = ticket.policy_version
    return bool(version and document_of(version).is_buyer_matter(ticket.category_id))


CONTACT_LABELS = {
    "email": gettext_lazy("E-mail"),
    "whatsapp": gettext_lazy("WhatsApp"),
    "phone": gettext_lazy("Phone"),
}


def buyer_context(ticket: Ticket) -> dict[str, object]:
    assert ticket.policy_version is not None
    texts = document_of(ticket.policy_version).page_texts["boundary"]
    store = ticket.storefront
    contacts = (
        [(str(CONTACT_LABELS[kind]), value) for kind, value in store.contacts] if store else []
    )
    return {
        "boundary": texts.get(ticket.language) or texts.get("en", ""),
        "storefront": store,
        "contacts": contacts,
    }


def public_reply(ticket: Ticket, message: Message, *, now: datetime) -> EmailContent:
    with translation.override(ticket.language):
        subject = _("[%(reference)s] Reply to your request: %(subject)s") % {
            "reference": ticket.reference,
            "subject": ticket.subject,
        }
        body = render(ticket, "public_reply", {"message": message, **link_to(ticket, now)})
    return EmailContent(subject, body, thread_headers(ticket, automatic=False))


def portal_link(ticket: Ticket, *, now: datetime) -> EmailContent:
    with translation.override(ticket.language):
        subject = _("[%(reference)s] Your link to follow your request") % {
            "reference": ticket.reference
        }
        context = {
            "portal_url": portal_url(ticket, now=now, kind=PortalLinkKind.NEW_LINK),
            "link_minutes": settings.LOKET_PORTAL_NEW_LINK_MINUTES,
        }
        body = render(ticket, "portal_link", context)
    return EmailContent(subject, body, thread_headers(ticket, automatic=True))


def breach_digest(lines: list[str]) -> EmailContent:
    """To supervisors: the tickets whose SLA deadline has just passed."""
    subject = _("SLA breached on %(count)d ticket(s)") % {"count": len(lines)}
    body = render_to_string(
        "notify/email/breach_digest.txt",
        {"lines": lines, "console_url": settings.LOKET_BASE_URL + "/console/"},
    )
    return EmailContent(subject, body.strip() + "\n", {"Auto-Submitted": "auto-generated"})


# --- escalation (POLICY.md S11) ------------------------------------------------------------------


def level_name(ticket: Ticket, level: int) -> str:
    """The policy's name of an escalation level, in the active language."""
    if ticket.policy_version is None:
        return str(level)
    levels = {entry.level: entry for entry in document_of(ticket.policy_version).escalation}
    entry = levels.get(level)
    if entry is None:
        return str(level)
    return entry.name.get(translation.get_language() or "en") or entry.name.get("en", entry.code)


def escalation_answer(
    ticket: Ticket, outcome: str, deadline: str | None, due_at: datetime | None, *, now: datetime
) -> EmailContent:
    """To the requester who asked for escalation: escalated, already in review, or recorded
    with the deadline that still runs."""
    with translation.override(ticket.language):
        subject = _("[%(reference)s] Your request for escalation") % {"reference": ticket.reference}
        labels = {deadline.kind: deadline.label for deadline in requester_deadlines(ticket)}
        body = render(ticket, "escalation_answer", {
            "outcome": outcome,
            "level_name": level_name(ticket, max(ticket.escalation_level, 1)),
            "deadline_label": labels.get(deadline or "", ""),
            "due": when_for_requester(ticket, due_at) if due_at else "",
            **link_to(ticket, now),
        })  # fmt: skip
    return EmailContent(subject, body, thread_headers(ticket, automatic=True))


def escalation_notice(ticket: Ticket, *, now: datetime) -> EmailContent:
    """To the requester: a reviewer raised the ticket to a review level."""
    with translation.override(ticket.language):
        subject = _("[%(reference)s] Your request is under review") % {
            "reference": ticket.reference
        }
        body = render(ticket, "escalation_notice", {
            "level_name": level_name(ticket, ticket.escalation_level), **link_to(ticket, now),
        })  # fmt: skip
    return EmailContent(subject, body, thread_headers(ticket, automatic=True))


def review_notice(ticket: Ticket, level: int, reason: str) -> EmailContent:
    """To the reviewers of a level (rendered in the active language): a ticket waits for them."""
    subject = _("[%(reference)s] Waiting for %(level)s") % {
        "reference": ticket.reference, "level": level_name(ticket, level),
    }  # fmt: skip
    body = render_to_string("notify/email/review_notice.txt", {
        "ticket": ticket, "level_name": level_name(ticket, level), "reason": reason,
        "console_url": f"{settings.LOKET_BASE_URL}/console/t/{ticket.reference}/",
    })  # fmt: skip
    return EmailContent(subject, body.strip() + "\n", {"Auto-Submitted": "auto-generated"})


def verification_link(ticket: Ticket, *, url: str, asked_by: str) -> EmailContent:
    """To the account's address on file: confirm that the request is theirs (S11, S13)."""
    with translation.override(ticket.language):
        subject = _("[%(reference)s] Please confirm it is you") % {"reference": ticket.reference}
        body = render(ticket, "verification_link", {
            "url": url, "hours": int(settings.LOKET_VERIFICATION_HOURS), "asked_by": asked_by,
        })  # fmt: skip
    return EmailContent(subject, body, thread_headers(ticket, automatic=True))


def progress_update_draft(ticket: Ticket) -> str:
    """S10: what an agent may send when a complex case's progress update is due, in the
    requester's language, for the agent to complete (the bracketed line) and send."""
    with translation.override(ticket.language):
        deadlines = {d.kind: d for d in requester_deadlines(ticket)}
        resolution = deadlines.get("resolution")
        due = resolution.due_at if resolution and not resolution.paused else None
        text = render_to_string("notify/email/progress_update_draft.txt", {
            "ticket": ticket, "deadline": when_for_requester(ticket, due) if due else "",
        })  # fmt: skip
    return text.strip() + "\n"


def merged_notice(ticket: Ticket, target: Ticket, *, now: datetime) -> EmailContent:
    """To the requester of a duplicate: it now lives on under the surviving reference."""
    with translation.override(ticket.language):
        subject = _("[%(old)s] Continued under %(new)s") % {
            "old": ticket.reference, "new": target.reference,
        }  # fmt: skip
        context = {
            "target": target,
            "target_url": portal_url(target, now=now, language=ticket.language),
        }
        body = render(ticket, "merged", context)
    return EmailContent(subject, body, thread_headers(target, automatic=True))


def satisfaction_question(ticket: Ticket, *, url: str) -> EmailContent:
    """One question after a resolution, in the requester's language: two links, each opening
    a page with that answer chosen and one button (a link scanner that follows them records
    nothing)."""
    with translation.override(ticket.language):
        subject = _("[%(reference)s] Did our answer help?") % {"reference": ticket.reference}
        context: dict[str, object] = {
            "good_url": f"{url}?rating=good",
            "bad_url": f"{url}?rating=bad",
        }
        body = render(ticket, "satisfaction", context)
    return EmailContent(subject, body, thread_headers(ticket, automatic=True))
