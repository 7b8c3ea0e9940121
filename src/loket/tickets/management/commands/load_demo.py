"""Demo users and tickets, so a newcomer sees a working desk on first start."""

import json
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import timezone

from loket.directory.models import Account, Invoice, Storefront
from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.tickets.models import Channel, Status, Ticket
from loket.tickets.operations import record_public_reply, set_status
from loket.tickets.roles import ensure_roles

DEMO_USERS = (
    ("agent", "agents", False),
    ("supervisor", "supervisors", False),
    ("operations", "operations", False),
    ("admin", None, True),
)

DEMO_TICKETS = (
    (
        "Siti Rahma",
        "siti@example.co.id",
        "id",
        "access",
        "Langganan sudah dibayar tapi toko belum aktif",
        "Saya sudah membayar paket Pro kemarin (INV-2026-0412) tetapi toko saya belum aktif.",
    ),
    (
        "田中 花子",
        "hanako@example.jp",
        "ja",
        "billing_dispute",
        "請求が二重になっています",
        "11月の請求が2回引き落とされました。請求書 INV-2026-0398 です。",
    ),
    (
        "Daniel Wong",
        "daniel@example.com",
        "en",
        "support",
        "How do I add a second branch?",
        "I run two shops and want both on one storefront.",
    ),
)


# Sellers' stores, so that a buyer writing about "tokobaju.catalo.id" or an order "TB-12345"
# is answered with the seller's contact (POLICY.md S2).
DEMO_STOREFRONTS = (
    ("tokobaju", "Toko Baju Ibu Ani", "ani@tokobaju.example", "+62 812-1111-2222", r"TB-\d{5}"),
    ("kopisenja", "Kopi Senja", "halo@kopisenja.example", "+62 813-3333-4444", r"KS-\d{4,6}"),
)


# Catalo.id's billing records for the demo requesters, so their evidence is verified (S8):
# Siti's invoice matches; Hanako's names another charge date than the one she gives.
DEMO_ACCOUNTS = (
    ("ACC-1001", "siti@example.co.id", "Siti Rahma", "Pro"),
    ("ACC-1002", "hanako@example.jp", "田中 花子", "Business"),
    ("ACC-1003", "daniel@example.com", "Daniel Wong", "Basic"),
)
DEMO_INVOICES = (
    ("INV-2026-0412", "ACC-1001", "299000", "Pro", "card (BCA Visa)"),
    ("INV-2026-0398", "ACC-1002", "899000", "Business", "card (JCB)"),
    ("INV-2026-0399", "ACC-1002", "899000", "Business", "card (JCB)"),
)


class Command(BaseCommand):
    help = "Create the demo users (printing their passwords) and a few demo tickets."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = self.ensure_users()
        for slug, seller, email, whatsapp, pattern in DEMO_STOREFRONTS:
            Storefront.objects.get_or_create(
                slug=slug,
                defaults={"seller_name": seller, "contact_email": email,
                          "contact_whatsapp": whatsapp, "order_reference_pattern": pattern},
            )  # fmt: skip
        self.ensure_billing()
        if not Ticket.objects.exists():
            self.create_tickets()
        self.stdout.write("Demo logins (console at /console/, admin at /admin/):")
        for username, password in logins.items():
            self.stdout.write(f"  {username:<11} {password}")

    def ensure_users(self) -> dict[str, str]:
        groups = ensure_roles()
        path = settings.VAR_DIR / "demo-logins.json"
        logins: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        for username, group_name, superuser in DEMO_USERS:
            password = logins.setdefault(username, secrets.token_urlsafe(9))
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@catalo.id"}
            )
            user.is_staff = superuser
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            if group_name:
                user.groups.add(groups[group_name])
        path.write_text(json.dumps(logins, indent=2))
        path.chmod(0o600)
        return logins

    def ensure_billing(self) -> None:
        today = timezone.localdate()
        for account_id, email, name, plan in DEMO_ACCOUNTS:
            Account.objects.get_or_create(
                account_id=account_id, defaults={"email": email, "name": name, "plan": plan}
            )
        for days_ago, (number, account_id, amount, plan, method) in enumerate(DEMO_INVOICES, 1):
            Invoice.objects.get_or_create(
                number=number,
                defaults={"account": Account.objects.get(account_id=account_id),
                          "amount": amount, "charged_on": today - timedelta(days=days_ago),
                          "plan": plan, "payment_method": method},
            )  # fmt: skip

    def create_tickets(self) -> None:
        """Through the inbound pipeline, as the contact form would: triaged, checked against
        billing, and asked for what is missing."""
        now = timezone.now()
        tickets = []
        for name, email, language, category, subject, body in DEMO_TICKETS:
            message = InboundMessage(
                channel=Channel.WEB, sender_address=email, sender_name=name, subject=subject,
                text=body, received_at=now, category_code=category, language=language,
            )  # fmt: skip
            outcome = receive(message, now=now)
            assert outcome.ticket is not None
            tickets.append(outcome.ticket)
        agent = User.objects.get(username="agent")
        record_public_reply(
            ticket=tickets[1],
            author=agent,
            now=now,
            status_after=Status.PENDING_CUSTOMER,
            body="お問い合わせありがとうございます。カード会社名と異議申し立ての日付を教えてください。",
        )
        set_status(ticket=tickets[2], status=Status.OPEN, actor=agent, now=now)
