"""POLICY.md S2 as a buyer meets it: an order problem on a seller's store is answered at once,
in the buyer's language, with the seller's contact; fraud by a store stays with Catalo.id;
merchants are never treated as buyers. And the storefront directory's CSV import."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from loket.directory.models import Storefront
from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.notify.models import OutboxMessage
from loket.tickets.models import Channel, EventKind, Status
from tests.builders import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokobaju() -> Storefront:
    return Storefront.objects.create(
        slug="tokobaju", seller_name="Toko Baju Ibu Ani", contact_email="ani@tokobaju.example",
        contact_whatsapp="+62 812-1111-2222", order_reference_pattern=r"TB-\d{5}",
    )  # fmt: skip


def mail(text: str, subject: str = "Pesanan saya") -> InboundMessage:
    return InboundMessage(
        channel=Channel.EMAIL, sender_address="rina@example.co.id", sender_name="Rina",
        subject=subject, text=text, received_at=NOW, external_id="<b1@example.co.id>",
    )  # fmt: skip


def test_a_buyer_is_told_in_their_language_to_contact_the_seller_with_the_sellers_contact(
    tokobaju: Storefront,
) -> None:
    outcome = receive(
        mail("Halo, saya beli baju di tokobaju.catalo.id, pesanan TB-88231 belum sampai."),
        now=timezone.now(),
    )
    ticket = outcome.ticket
    assert ticket is not None
    assert (ticket.category_id, ticket.status, ticket.storefront) == (
        "seller_order", Status.RESOLVED, tokobaju,
    )  # fmt: skip
    assert ticket.events.filter(kind=EventKind.REDIRECTED_TO_SELLER).exists()
    body = OutboxMessage.objects.get(ticket=ticket, kind="acknowledgement").body
    assert "Catalo.id hanya menagih merchant untuk langganan perangkat lunak" in body
    assert "ani@tokobaju.example" in body
    assert "+62 812-1111-2222" in body


def test_the_store_is_found_by_its_order_reference_when_no_address_is_given(
    tokobaju: Storefront,
) -> None:
    outcome = receive(mail("I ordered a dress, order TB-88231, and it never arrived."), now=NOW)
    assert outcome.ticket is not None
    assert outcome.ticket.storefront == tokobaju


def test_a_buyers_fraud_report_stays_open_as_a_complaint(tokobaju: Storefront) -> None:
    outcome = receive(
        mail("I ordered from tokobaju.catalo.id and it is a scam: they took my money."),
        now=NOW,
    )
    assert outcome.ticket is not None
    assert outcome.ticket.category_id == "complaint"
    assert not outcome.ticket.events.filter(kind=EventKind.REDIRECTED_TO_SELLER).exists()
    # Stays with Catalo.id; the acknowledgement asks for the proof a complaint needs (S8).
    acknowledgement = OutboxMessage.objects.get(ticket=outcome.ticket)
    assert "Error screenshot or steps" in acknowledgement.body
    assert outcome.ticket.status == Status.PENDING_CUSTOMER


def test_a_merchant_asking_about_its_own_stores_orders_is_not_redirected() -> None:
    outcome = receive(
        mail("Pembeli saya bilang pesanan TB-88231 belum sampai. Bagaimana cara cek di toko saya?"),
        now=NOW,
    )
    assert outcome.ticket is not None
    assert outcome.ticket.category_id != "seller_order"
    assert outcome.ticket.status == Status.NEW


def test_storefronts_import_from_csv_all_lines_or_none(tmp_path: Path) -> None:
    good = tmp_path / "stores.csv"
    good.write_text(
        "slug,seller_name,contact_email,contact_whatsapp,order_reference_pattern\n"
        "tokobaju,Toko Baju,ani@tokobaju.example,+62 812 1111 2222,TB-\\d{5}\n"
        "kopisenja,Kopi Senja,,+62 813 3333 4444,\n",
        encoding="utf-8",
    )
    call_command("directory", "import", "storefronts", str(good))
    assert Storefront.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "slug,seller_name,contact_email\n"
        "newstore,New Store,new@store.example\n"
        "Bad Slug!,,not-an-email\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("directory", "import", "storefronts", str(bad))
    assert "line 3" in str(refused.value)
    assert "contact_email" in str(refused.value)
    assert not Storefront.objects.filter(slug="newstore").exists(), "nothing half-applied"
