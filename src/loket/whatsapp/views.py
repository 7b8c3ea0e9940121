"""The WhatsApp webhook (Meta's documented contract): GET answers the verification challenge,
POST checks the signature over the raw body before anything parses it, stores and answers
200 at once; the worker does the rest (loket/whatsapp/intake.py)."""

import hmac
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from loket.policy.connected import whatsapp_connected
from loket.whatsapp import signature
from loket.whatsapp.intake import store_unreadable, store_webhook
from loket.whatsapp.payload import NotAWebhook

logger = logging.getLogger(__name__)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    if not whatsapp_connected():
        raise Http404("WhatsApp is not configured")
    if request.method == "GET":
        return verify(request)
    return receive(request)


def verify(request: HttpRequest) -> HttpResponse:
    """Meta calls once when the webhook is set up: echo the challenge if the token matches."""
    token = request.GET.get("hub.verify_token", "")
    expected = settings.LOKET_WHATSAPP_VERIFY_TOKEN
    if request.GET.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        token.encode(), expected.encode()
    ):
        return HttpResponse("verification failed", status=403, content_type="text/plain")
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")


def receive(request: HttpRequest) -> HttpResponse:
    body = request.body
    header = request.headers.get("X-Hub-Signature-256")
    if not signature.valid(settings.LOKET_WHATSAPP_APP_SECRET, body, header):
        logger.warning("WhatsApp webhook refused: %s signature", "bad" if header else "no")
        return HttpResponse("invalid signature", status=401, content_type="text/plain")
    now = timezone.now()
    try:
        store_webhook(body, now=now)
    except NotAWebhook as error:
        store_unreadable(body, f"webhook body not understood: {error}", now=now)
    return HttpResponse("ok", content_type="text/plain")
