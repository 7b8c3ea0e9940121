"""Macros (issue 12, part 3): supervisors keep canned replies in ja/id/en; agents start a reply
from one, filled in for the ticket's requester in their language; no macro can ask for a
secret."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from loket.notify.models import OutboxMessage
from loket.tickets.models import Macro, Status
from tests.builders import build_ticket

pytestmark = pytest.mark.django_db

TEXTS = {
    "name": "Ask for the invoice",
    "body_ja": "{name} 様\n{reference} について、次の情報をお送りください。\n{missing_evidence}",
    "body_id": "Halo {name},\nUntuk {reference}, mohon kirimkan:\n{missing_evidence}",
    "body_en": "Hello {name},\nFor {reference}, please send:\n{missing_evidence}",
    "set_status": "pending_customer",
    "active": "on",
}


def login(user: User) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def supervisor() -> User:
    user = User.objects.create_user("supervisor", "sup@catalo.id", "x")
    user.groups.add(Group.objects.get(name="supervisors"))
    return user


def test_a_supervisor_saves_a_macro_and_an_agent_uses_it(supervisor: User, agent: User) -> None:
    assert login(supervisor).post("/console/macros/new/", TEXTS).status_code == 302
    macro = Macro.objects.get()
    ticket = build_ticket(category="billing_dispute", language="id", name="Budi")

    agents = login(agent)
    page = agents.get(f"/console/t/{ticket.reference}/", {"macro": macro.pk}).content.decode()
    assert f"Untuk {ticket.reference}, mohon kirimkan:" in page
    assert "Halo Budi," in page
    assert "- Nomor invoice" in page  # the evidence still missing, in Indonesian

    body = f"Halo Budi,\nUntuk {ticket.reference}, mohon kirimkan nomor invoice."
    sent = agents.post(
        f"/console/t/{ticket.reference}/reply/",
        {"body": body, "status_after": "pending_customer", "macro": macro.pk},
    )
    assert sent.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CUSTOMER
    assert OutboxMessage.objects.filter(ticket=ticket, kind="public_reply").exists()


def test_a_macro_that_asks_for_a_code_cannot_be_saved(supervisor: User) -> None:
    texts = TEXTS | {"body_en": "Please send us the OTP code you received by SMS."}
    answer = login(supervisor).post("/console/macros/new/", texts)
    assert answer.status_code == 400
    assert "never asks for them" in answer.content.decode()
    assert not Macro.objects.exists()


def test_an_unknown_placeholder_is_refused(supervisor: User) -> None:
    answer = login(supervisor).post("/console/macros/new/", TEXTS | {"body_en": "Hi {nmae}"})
    assert answer.status_code == 400
    assert "{nmae}" in answer.content.decode()


def test_agents_use_macros_but_do_not_manage_them(agent: User) -> None:
    Macro.objects.create(name="Thanks", body_en="Thank you, {name}.", updated_at=timezone.now())
    client = login(agent)
    assert client.get("/console/macros/").status_code == 403
    assert client.post("/console/macros/new/", TEXTS).status_code == 403
    ticket = build_ticket(language="ja", name="Yamada")
    page = client.get(f"/console/t/{ticket.reference}/", {"macro": Macro.objects.get().pk})
    assert "Thank you, Yamada." in page.content.decode()  # no Japanese text: English is used
