import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from loket.api.models import ApiToken
from loket.inbound.models import BlockedSender
from loket.notify.models import OutboxMessage
from loket.tickets.models import MessageKind, Status, Ticket
from loket.tickets.operations import set_status
from loket.worker import run as run_worker
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


def issued(name: str, scopes: str, categories: str = "") -> str:
    api_token = ApiToken(name=name, scopes=scopes, categories=categories)
    secret = api_token.issue()
    api_token.save()
    return secret


@pytest.fixture
def token() -> str:
    return issued("storefront", "read,create,reply,note")


@pytest.fixture
def api(client: Client, token: str) -> Client:
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def ticket_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Budi Santoso",
        "email": "budi@example.co.id",
        "category": "billing_dispute",
        "subject": "Tagihan ganda bulan November",
        "description": "Kartu saya ditagih dua kali untuk INV-2026-0398.",
        "language": "id",
        **overrides,
    }


def test_requests_without_a_valid_token_are_refused(client: Client) -> None:
    assert (
        client.post("/api/v1/tickets", ticket_body(), content_type="application/json").status_code
        == 401
    )
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer loket_wrong"
    assert client.get("/api/v1/tickets/CAT-0000-0000").status_code == 401


def test_a_revoked_token_is_refused(api: Client) -> None:
    ApiToken.objects.update(active=False)
    assert api.get("/api/v1/tickets/CAT-0000-0000").status_code == 401


def test_creating_a_ticket_returns_its_reference_and_acknowledges_it(api: Client) -> None:
    response = api.post("/api/v1/tickets", ticket_body(), content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    ticket = Ticket.objects.get(reference=data["reference"])
    assert (ticket.channel, ticket.language) == ("api", "id")
    assert data["messages"][0]["body"] == "Kartu saya ditagih dua kali untuk INV-2026-0398."
    assert "/id/portal/t/" in data["portal_url"]
    # The dispute names its invoice but not the date, plan or card issuer: the
    # acknowledgement asks for exactly those, in Indonesian, and the ticket waits (S8).
    acknowledgement = OutboxMessage.objects.get(ticket=ticket, kind="acknowledgement")
    assert "Detail transaksi" in acknowledgement.body
    assert "Detail sengketa" in acknowledgement.body
    assert "Nomor invoice" not in acknowledgement.body
    assert ticket.status == Status.PENDING_CUSTOMER
    missing = {item["code"] for item in data["evidence"] if item["state"] == "missing"}
    assert missing == {"transaction_details", "dispute_details"}


def test_the_same_idempotency_key_and_body_give_the_same_ticket(api: Client) -> None:
    headers = {"Idempotency-Key": "order-77"}
    first = api.post(
        "/api/v1/tickets", ticket_body(), content_type="application/json", headers=headers
    )
    again = api.post(
        "/api/v1/tickets", ticket_body(), content_type="application/json", headers=headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    assert Ticket.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(api: Client) -> None:
    headers = {"Idempotency-Key": "order-77"}
    api.post("/api/v1/tickets", ticket_body(), content_type="application/json", headers=headers)
    other = api.post(
        "/api/v1/tickets",
        ticket_body(subject="Other"),
        content_type="application/json",
        headers=headers,
    )
    assert other.status_code == 422
    assert "different body" in other.json()["detail"]
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"email": "not-an-address"}, "e-mail"),
        ({"category": "lottery"}, "unknown category"),
        ({"subject": "x" * 10_000}, "200"),
        ({"description": ""}, "at least 1"),
        ({"language": "fr"}, "ja"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_creates_nothing(
    api: Client, overrides: dict[str, str], expected: str
) -> None:
    response = api.post(
        "/api/v1/tickets", ticket_body(**overrides), content_type="application/json"
    )
    assert response.status_code == 422
    assert expected in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_ticket_is_read_by_its_reference_in_any_spelling(api: Client) -> None:
    reference = api.post("/api/v1/tickets", ticket_body(), content_type="application/json").json()[
        "reference"
    ]
    response = api.get(f"/api/v1/tickets/{reference.lower().replace('-', '')}")
    assert response.status_code == 200
    assert response.json()["reference"] == reference
    assert api.get("/api/v1/tickets/CAT-0000-0000").status_code == 404


def test_messages_are_added_as_requester_replies_or_internal_notes(api: Client) -> None:
    reference = api.post("/api/v1/tickets", ticket_body(), content_type="application/json").json()[
        "reference"
    ]
    reply = api.post(
        f"/api/v1/tickets/{reference}/messages",
        {"body": "Bank: BCA"},
        content_type="application/json",
    )
    note = api.post(
        f"/api/v1/tickets/{reference}/messages",
        {"body": "Checked", "kind": "internal_note"},
        content_type="application/json",
    )
    assert (reply.status_code, note.status_code) == (201, 201)
    ticket = Ticket.objects.get(reference=reference)
    assert list(ticket.messages.values_list("kind", flat=True)) == [
        MessageKind.REQUESTER,
        MessageKind.REQUESTER,
        MessageKind.INTERNAL_NOTE,
    ]
    assert [m["body"] for m in note.json()["messages"]] == [
        "Kartu saya ditagih dua kali untuk INV-2026-0398.",
        "Bank: BCA",
    ], "internal notes never leave through the API"


def test_a_reply_to_a_closed_ticket_is_a_conflict(api: Client) -> None:
    reference = api.post("/api/v1/tickets", ticket_body(), content_type="application/json").json()[
        "reference"
    ]
    ticket = Ticket.objects.get(reference=reference)
    set_status(ticket=ticket, status=Status.CLOSED, actor=None, now=ticket.created_at)
    response = api.post(
        f"/api/v1/tickets/{reference}/messages", {"body": "?"}, content_type="application/json"
    )
    assert response.status_code == 409


def test_the_openapi_schema_describes_the_three_endpoints(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/v1/tickets",
        "/api/v1/tickets/{reference}",
        "/api/v1/tickets/{reference}/messages",
    }
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_the_docs_page_loads_swagger_ui_from_loket_under_its_csp(client: Client) -> None:
    # Ninja is not an installed app (settings.py): loket.api.docs renders its page, which
    # would otherwise load Swagger UI from a CDN that the Content-Security-Policy refuses.
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts, "the page loads no script"
    for path in [*scripts, *re.findall(r'href="([^"]+)"', page)]:
        assert re.fullmatch(r"/static/ninja/[\w-]+\.[0-9a-f]{12}\.\w+", path), path
        assert client.get(path).status_code == 200, path
    assert '"url": "/api/v1/openapi.json"' in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_an_admin_creates_a_token_in_the_admin_and_sees_it_once(client: Client) -> None:
    admin = User.objects.create_superuser("admin", "admin@catalo.id", "admin-password")
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"name": "storefront-sync", "scopes": ["read", "create"], "active": "on"},
        follow=True,
    )
    messages = " ".join(str(m) for m in response.context["messages"])
    secret = re.search(r"loket_\S+", messages)
    assert secret is not None
    stored = ApiToken.objects.get(name="storefront-sync")
    assert secret.group() not in stored.token_hash, "only the hash is stored"
    client.logout()
    answer = client.get(
        "/api/v1/tickets/CAT-0000-0000", headers={"authorization": f"Bearer {secret.group()}"}
    )
    assert answer.status_code == 404, "the token authenticates (404: no such ticket)"


def test_the_ticket_carries_its_triage_evidence_checklist_and_redactions(api: Client) -> None:
    response = api.post(
        "/api/v1/tickets",
        ticket_body(
            description="Kartu saya ditagih dua kali untuk INV-2026-0398 tgl 20 Okt 2026, "
            "kode OTP 739204 masuk juga."
        ),
        content_type="application/json",
    )
    data = response.json()
    assert data["redactions"] == 1
    assert data["triage"]["category"] == "billing_dispute"
    evidence = {item["code"]: item for item in data["evidence"]}
    assert evidence["invoice_reference"]["values"] == ["INV-2026-0398"]
    assert evidence["transaction_details"]["values"] == ["2026-10-20"]
    assert evidence["account_email"]["values"] == ["budi@example.co.id"]
    assert evidence["dispute_details"]["found"] is False


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_line_breaks_and_bidi_overrides_never_reach_a_subject_or_a_mail_header(
    api: Client, smtp_settings: SmtpServer
) -> None:
    body = ticket_body(
        subject="Tagihan ganda\r\nBcc: victim@example.com", name="Budi \u202eexe.FDP",
    )  # fmt: skip
    response = api.post("/api/v1/tickets", body, content_type="application/json")
    assert response.status_code == 201
    ticket = Ticket.objects.get(reference=response.json()["reference"])
    assert ticket.subject == "Tagihan ganda Bcc: victim@example.com"
    assert ticket.requester_name == "Budi exe.FDP"
    run_worker(batch=True)
    [acknowledgement] = smtp_settings.messages
    assert acknowledgement["Bcc"] is None
    assert "\u202e" not in str(acknowledgement["Subject"])


@pytest.mark.parametrize("key", ["k" * 256, "with space", "ümlaut"])
def test_a_malformed_idempotency_key_is_a_clear_422_and_creates_nothing(
    api: Client, key: str
) -> None:
    response = api.post("/api/v1/tickets", ticket_body(), content_type="application/json",
                        headers={"Idempotency-Key": key})  # fmt: skip
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Ticket.objects.exists()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_does_only_what_its_scopes_allow(client: Client) -> None:
    creator = issued("form-relay", "create")
    created = client.post(
        "/api/v1/tickets", ticket_body(), content_type="application/json", headers=bearer(creator)
    )
    assert created.status_code == 201
    reference = created.json()["reference"]
    read = client.get(f"/api/v1/tickets/{reference}", headers=bearer(creator))
    assert read.status_code == 403
    assert "'read' scope" in read.json()["detail"]
    note = client.post(
        f"/api/v1/tickets/{reference}/messages", {"body": "x", "kind": "internal_note"},
        content_type="application/json", headers=bearer(creator),
    )  # fmt: skip
    assert note.status_code == 403
    assert Ticket.objects.get(reference=reference).messages.count() == 1


def test_a_token_limited_to_categories_sees_no_other(client: Client, api: Client) -> None:
    billing = issued("billing-system", "read,create", categories="billing_dispute,refund")
    access = ticket_body(category="access")
    other = api.post("/api/v1/tickets", access, content_type="application/json").json()
    seen = client.get(f"/api/v1/tickets/{other['reference']}", headers=bearer(billing))
    assert seen.status_code == 404
    refused = client.post(
        "/api/v1/tickets", access, content_type="application/json", headers=bearer(billing)
    )
    assert refused.status_code == 403
    allowed = client.post(
        "/api/v1/tickets", ticket_body(), content_type="application/json", headers=bearer(billing)
    )
    assert allowed.status_code == 201


def test_every_write_names_the_token_that_made_it(api: Client) -> None:
    created = api.post("/api/v1/tickets", ticket_body(), content_type="application/json")
    reference = created.json()["reference"]
    note = {"body": "Checked billing", "kind": "internal_note"}
    api.post(f"/api/v1/tickets/{reference}/messages", note, content_type="application/json")
    ticket = Ticket.objects.get(reference=reference)
    assert ticket.events.get(kind="created").data["via"] == "API: storefront"
    assert ticket.messages.get(kind="internal_note").author_name == "API: storefront"


def test_a_token_that_may_not_read_learns_nothing_from_a_reply(client: Client, api: Client) -> None:
    created = api.post("/api/v1/tickets", ticket_body(), content_type="application/json").json()
    assert created["portal_url"]  # the creator, like the contact form, gets the link
    assert api.get(f"/api/v1/tickets/{created['reference']}").json()["portal_url"] is None
    relay = issued("reply-relay", "reply")
    answer = client.post(
        f"/api/v1/tickets/{created['reference']}/messages", {"body": "Any news?"},
        content_type="application/json", headers=bearer(relay),
    )  # fmt: skip
    assert answer.status_code == 201
    assert answer.json() == {"reference": created["reference"], "status": "open"}


def test_a_blocked_address_is_refused_with_a_reason(api: Client) -> None:
    BlockedSender.objects.create(address="budi@example.co.id", blocked_at=timezone.now())
    answer = api.post("/api/v1/tickets", ticket_body(), content_type="application/json")
    assert answer.status_code == 403
    assert "blocked" in answer.json()["detail"]
    assert not Ticket.objects.exists()
