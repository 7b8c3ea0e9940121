"""The console ticket page names what codes stand for, in the agent's language (issue 15):
WhatsApp delivery statuses, the requester's language, triage's category."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from loket.notify.models import WhatsAppDelivery
from loket.tickets.models import EventKind
from loket.tickets.timeline import record_event
from tests.builders import NOW, build_ticket
from tests.languages import MainText

pytestmark = pytest.mark.django_db


def console_page(agent: User, reference: str, language: str) -> str:
    client = Client(headers={"accept-language": language})
    client.force_login(agent)
    response = client.get(f"/console/t/{reference}/")
    assert response.status_code == 200
    return MainText.of(response.content.decode()).text


@pytest.mark.parametrize("language", ["ja", "id", "en"])
def test_the_ticket_page_shows_labels_not_codes(agent: User, language: str) -> None:
    ticket = build_ticket(language="ja")
    for status in ("delivered", "read"):
        data = {"status": status, "wamid": f"wamid.{status}", "kind": "public_reply"}
        record_event(ticket.pk, EventKind.WHATSAPP_STATUS, data=data, now=NOW)
    text = console_page(agent, str(ticket.reference), language)
    with translation.override(language):
        for status in (WhatsAppDelivery.DELIVERED, WhatsAppDelivery.READ):
            assert f"({status.label})" in text
        japanese = str(translation.get_language_info("ja")["name_translated"])
        assert japanese in text
    assert "(delivered)" not in text
    assert "(read)" not in text
