from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from loket.policy.page import support_page_context
from loket.policy.queries import active_policy


def support_page(request: HttpRequest) -> HttpResponse:
    """The public Support & Complaints page, rendered from the active policy version."""
    policy = active_policy()
    context = support_page_context(policy.document, language=get_language() or "en")
    return render(request, "policy/support_page.html", {**context, "version": policy.version})
