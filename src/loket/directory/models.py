import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def valid_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(f"not a regular expression: {error}") from error


class Storefront(models.Model):
    """A seller's store on Catalo.id, and how its buyers reach the seller (POLICY.md S2):
    buyers' payments, refunds and deliveries are the seller's, so Loket points buyers there."""

    slug = models.SlugField(max_length=60, unique=True, help_text="tokobaju in tokobaju.catalo.id")
    domain = models.CharField(max_length=253, blank=True, help_text="The store's own domain.")
    seller_name = models.CharField(max_length=200)
    contact_email = models.EmailField(blank=True)
    contact_whatsapp = models.CharField(max_length=30, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    order_reference_pattern = models.CharField(
        max_length=200,
        blank=True,
        validators=[valid_pattern],
        help_text=r"A regular expression its order references match: TB-\d{5}",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug} ({self.seller_name})"

    @property
    def contacts(self) -> list[tuple[str, str]]:
        """(kind, value) of every way to reach the seller, best first."""
        kinds = (("email", self.contact_email), ("whatsapp", self.contact_whatsapp),
                 ("phone", self.contact_phone))  # fmt: skip
        return [(kind, value) for kind, value in kinds if value]


# --- the billing directory (POLICY.md S8, S11, S12) ---------------------------------------------
# A local copy of what Catalo.id's billing knows, imported from CSV; `loket.directory.billing`
# can ask Catalo.id's billing API instead (LOKET_BILLING_URL).


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRIAL = "trial", _("Trial")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class Account(models.Model):
    """A merchant's Catalo.id subscription account; its e-mail is the billing address (S7)."""

    account_id = models.CharField(max_length=64, unique=True)
    email = models.EmailField(db_index=True)
    name = models.CharField(max_length=200, blank=True)
    plan = models.CharField(max_length=60)
    status = models.CharField(max_length=20, choices=AccountStatus, default=AccountStatus.ACTIVE)

    class Meta:
        ordering = ["account_id"]

    def __str__(self) -> str:
        return f"{self.account_id} <{self.email}>"


class InvoiceStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    DISPUTED = "disputed", _("Disputed")


class Invoice(models.Model):
    """One charge for the subscription: what, when, how much and how it was paid."""

    number = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="invoices")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="IDR")
    charged_on = models.DateField()
    plan = models.CharField(max_length=60, blank=True)
    payment_method = models.CharField(max_length=60, help_text="card (BCA Visa), GoPay, ...")
    status = models.CharField(max_length=20, choices=InvoiceStatus, default=InvoiceStatus.PAID)

    class Meta:
        ordering = ["-charged_on", "number"]

    def __str__(self) -> str:
        return f"{self.number} ({self.amount} {self.currency}, {self.charged_on})"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Refund pending")
    COMPLETED = "completed", _("Refund completed")
    FAILED = "failed", _("Refund failed")


class Refund(models.Model):
    """A refund billing made of an invoice (whether Loket proposed it or not)."""

    reference = models.CharField(max_length=64, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    refunded_on = models.DateField()
    status = models.CharField(max_length=20, choices=RefundStatus, default=RefundStatus.PENDING)

    class Meta:
        ordering = ["-refunded_on", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} of {self.invoice.number}"
