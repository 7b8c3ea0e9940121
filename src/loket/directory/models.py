import re

from django.core.exceptions import ValidationError
from django.db import models


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
