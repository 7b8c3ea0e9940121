from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from loket.policy.page import support_page_context
from loket.policy.queries import active_policy, calendar_of
from loket.sla.preview import first_answer_by


def support_page(request: HttpRequest) -> HttpResponse:
    """The public Support & Complaints page, rendered from the active policy version."""
    policy = active_policy()
    document = policy.document
    now = timezone.now()
    today = now.astimezone(ZoneInfo(document.hours.time_zone)).date()
    context = support_page_context(document, language=get_language() or "en", today=today)
    context |= {
        "version": policy.version,
        "answer_by": first_answer_by(document, calendar_of(policy.version), now),
        "zone_label": document.hours.zone_label,
    }
    return render(request, "policy/support_page.html", context)
