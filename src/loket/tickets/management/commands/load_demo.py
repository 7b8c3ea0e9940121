"""Demo users and tickets, so a newcomer sees a working desk on first start."""

import json
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.utils import timezone

from loket.directory.models import Storefront
from loket.tickets.models import Channel, Status, Ticket
from loket.tickets.operations import open_ticket, record_public_reply, set_status

DEMO_USERS = (
    ("agent", "agents", False),
    ("supervisor", "supervisors", False),
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
        if not Ticket.objects.exists():
            self.create_tickets()
        self.stdout.write("Demo logins (console at /console/, admin at /admin/):")
        for username, password in logins.items():
            self.stdout.write(f"  {username:<11} {password}")

    def ensure_users(self) -> dict[str, str]:
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
                user.groups.add(Group.objects.get_or_create(name=group_name)[0])
        path.write_text(json.dumps(logins, indent=2))
        path.chmod(0o600)
        return logins

    def create_tickets(self) -> None:
        now = timezone.now()
        tickets = [
            open_ticket(
                subject=subject,
                body=body,
                category_code=category,
                requester_name=name,
                requester_email=email,
                language=language,
                channel=Channel.WEB,
                now=now,
            )
            for name, email, language, category, subject, body in DEMO_TICKETS
        ]
        agent = User.objects.get(username="agent")
        record_public_reply(
            ticket=tickets[1],
            author=agent,
            now=now,
            status_after=Status.PENDING_CUSTOMER,
            body="お問い合わせありがとうございます。カード会社名と異議申し立ての日付を教えてください。",
        )
        set_status(ticket=tickets[2], status=Status.OPEN, actor=agent, now=now)
