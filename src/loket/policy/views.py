from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from loket.policy.page import support_page_context
from loket.policy.queries import active_policy
from loket.sla.operations import business_seconds, version_calendar


def support_page(request: HttpRequest) -> HttpResponse:
    """The public Support & Complaints page, rendered from the active policy version."""
    policy = active_policy()
    document = policy.document
    context = support_page_context(document, language=get_language() or "en")
    first_response = timedelta(seconds=business_seconds(document.sla.first_response_days, document))
    context |= {
        "version": policy.version,
        "answer_by": version_calendar(policy.version).add(timezone.now(), first_response),
        "zone_label": document.hours.zone_label,
    }
    return render(request, "policy/support_page.html", context)
