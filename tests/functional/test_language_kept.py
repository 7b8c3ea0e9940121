"""The requester's language from the first page to the last mail (issue 15): the public page,
the contact form, the acknowledgement, the portal, a new link, the agent's reply - in ja, id and
en, with a browser and an agent in other languages - and not one string of another language."""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from loket.directory.models import Account
from loket.notify.models import OutboxMessage
from loket.tickets.models import Ticket
from tests.builders import build_ticket, open_portal
from tests.languages import MainText, foreign_strings

pytestmark = pytest.mark.django_db
EMAIL = "requester@example.co.id"


@dataclass(frozen=True)
class Requester:
    language: str
    name: str
    subject: str
    description: str
    agent_reply: str
    # Somebody else's language: the requester's browser and the agent's console.
    elsewhere: str


REQUESTERS = {
    "ja": Requester(
        "ja", "山田花子", "ストアが有効になりません",
        "プロプランの料金を支払いましたが、ストアがまだ有効になっていません。",
        "ご連絡ありがとうございます。お支払いの請求書番号を教えていただけますか。", "en",
    ),
    "id": Requester(
        "id", "Siti Rahma", "Toko belum aktif",
        "Saya sudah membayar paket Pro tetapi toko saya belum aktif juga.",
        "Terima kasih, Bu Siti. Mohon kirimkan nomor invoice pembayaran Anda.", "ja",
    ),
    "en": Requester(
        "en", "Siti Rahma", "Store not active",
        "I paid for the Pro plan but my store is still not active.",
        "Thank you, Siti. Could you send us the invoice number of your payment?", "id",
    ),
}  # fmt: skip


def assert_only(language: str, where: str, text: str) -> None:
    found = foreign_strings(text, language)
    assert not found, f"another language than {language} in {where}: {found}"


def page_text(client: Client, path: str, requester: Requester, *, status: int = 200) -> str:
    """The page's text after any redirect (a link opens the ticket's page in a browser that
    holds the ticket already)."""
    response = client.get(path, headers={"accept-language": requester.elsewhere}, follow=True)
    assert response.status_code == status, path
    assert f'<html lang="{requester.language}">' in response.content.decode(), path
    return MainText.of(response.content.decode()).translatable


def mail(kind: str) -> str:
    sent = OutboxMessage.objects.filter(kind=kind).latest("created_at")
    return f"{sent.subject}\n{sent.body}"


def portal_link_in(text: str, language: str) -> str:
    match = re.search(rf"{re.escape(settings.LOKET_BASE_URL)}(/\w+/portal/t/[^\s/]+/)", text)
    assert match is not None, text
    assert match.group(1).startswith(f"/{language}/"), "the link keeps the ticket's language"
    return match.group(1)


@pytest.mark.parametrize("language", ["ja", "id", "en"])
def test_the_requester_hears_only_their_language_from_the_page_to_the_reply(
    agent: User, language: str
) -> None:
    requester = REQUESTERS[language]
    browser = Client()
    prefix = f"/{language}"

    support = browser.get(f"{prefix}/support/").content.decode()
    assert_only(language, "the support page", MainText.of(support).translatable)
    assert f'href="{prefix}/support/contact/"' in support
    contact = page_text(browser, f"{prefix}/support/contact/", requester)
    assert_only(language, "the contact form", contact)

    form = {
        "name": requester.name,
        "email": EMAIL,
        "category": "access",
        "subject": requester.subject,
        "description": requester.description,
    }
    sent = browser.post(
        f"{prefix}/support/contact/", form, headers={"accept-language": requester.elsewhere}
    )
    assert sent.status_code == 302
    assert_only(language, "the thank-you page", page_text(browser, sent["Location"], requester))
    thanks = browser.get(sent["Location"]).content.decode()
    button = re.search(rf'action="({prefix}/portal/t/[^"]+)"', thanks)
    assert button is not None, "the thank-you page's button opens the ticket, in the language"
    assert browser.post(button[1]).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.language == language

    acknowledgement = mail("acknowledgement")
    assert_only(language, "the acknowledgement", acknowledgement)
    portal = portal_link_in(acknowledgement, language)
    # Another browser: the link's button; once used, the browser that sent the form (and
    # opened the ticket from the thank-you page) still gets the ticket's page from it, and a
    # third one learns why it no longer works.
    elsewhere = Client()
    assert_only(language, "the link's button", page_text(elsewhere, portal, requester))
    assert elsewhere.post(portal).status_code == 302
    assert_only(language, "the portal page", page_text(browser, portal, requester))
    dead = page_text(Client(), portal, requester, status=410)
    assert_only(language, "the used link's page", dead)
    signed_out = elsewhere.post(
        f"{prefix}/portal/ticket/{ticket.reference}/sign-out/", follow=True,
        headers={"accept-language": requester.elsewhere},
    )  # fmt: skip
    assert signed_out.status_code == 403
    signed_out_text = MainText.of(signed_out.content.decode()).translatable
    assert_only(language, "the signed-out page", signed_out_text)

    browser.post(f"{prefix}/portal/new-link/", {"reference": ticket.reference, "email": EMAIL})
    assert_only(language, "the new-link mail", mail("portal_link"))

    console = Client(headers={"accept-language": requester.elsewhere})
    console.force_login(agent)
    answer = {"body": requester.agent_reply, "status_after": "pending_customer"}
    answered = console.post(f"/console/t/{ticket.reference}/reply/", answer)
    assert answered.status_code == 302
    reply = mail("public_reply")
    assert_only(language, "the agent's reply", reply)
    portal = portal_link_in(reply, language)
    assert_only(language, "the portal after the reply", page_text(browser, portal, requester))


@pytest.mark.parametrize("language", ["ja", "id", "en"])
def test_escalation_answers_and_verification_links_keep_the_requesters_language(
    agent: User, language: str
) -> None:
    requester = REQUESTERS[language]
    Account.objects.create(account_id="ACC-1001", email=EMAIL, plan="Pro")
    ticket = build_ticket(
        language=language, category="billing_dispute", name=requester.name,
        email=EMAIL, subject=requester.subject, body=requester.description,
    )  # fmt: skip
    browser = Client()
    asked = browser.post(
        open_portal(browser, ticket) + "escalate/",
        {"summary": requester.description},
        headers={"accept-language": requester.elsewhere},
    )
    assert asked.status_code == 302
    assert_only(language, "the escalation answer", mail("escalation_answer"))
    after_asking = page_text(browser, asked["Location"], requester)
    assert_only(language, "the portal after asking", after_asking)

    console = Client(headers={"accept-language": requester.elsewhere})
    console.force_login(agent)
    assert console.post(f"/console/t/{ticket.reference}/verify/").status_code == 302
    verification = mail("verification_link")
    assert_only(language, "the verification mail", verification)
    link = re.search(
        rf"{re.escape(settings.LOKET_BASE_URL)}(/\w+/portal/verify/\S+/)", verification
    )
    assert link is not None
    assert link.group(1).startswith(f"/{language}/")
    assert_only(language, "the verification page", page_text(browser, link.group(1), requester))


def test_the_check_finds_a_sentence_of_another_catalog() -> None:
    assert foreign_strings(
        "Terima kasih. Reply to this e-mail or answer in your ticket page:", "id"
    )
    assert foreign_strings(
        "Thank you. Jangan pernah mengirimkan kata sandi atau kode OTP kepada kami: Catalo.id "
        "tidak akan pernah memintanya.",
        "en",
    )
    assert foreign_strings("お問い合わせ Thank you for writing", "ja")
    assert not foreign_strings("Terima kasih, Bu Siti. CAT-7K3M-9QXD", "id")
