import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class WhatsAppDelivery(models.TextChoices):
    """What WhatsApp last reported of a message we sent (`OutboxMessage.delivery_status`, the
    `whatsapp_status` events), in the order a message goes through them."""

    ACCEPTED = "accepted", _("Accepted by WhatsApp")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Not delivered")


class OutboxMessage(models.Model):
    """A message to send, written in the transaction of the change that caused it.

    The worker claims a row with a conditional UPDATE, sends outside any transaction and marks
    it sent; a worker that dies holding a claim loses it when the lease ends.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=20, default="email")
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # What the channel called the message once it took it (WhatsApp: the `wamid`), and the
    # furthest delivery status it reported (sent, delivered, read; failed).
    external_id = models.CharField(max_length=128, blank=True)
    delivery_status = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            # The acknowledgement cap counts a sender's recent mail on every new ticket.
            models.Index(Lower("to_address"), "kind", "created_at", name="outbox_recipient"),
            models.Index(
                fields=["external_id"],
                name="outbox_external_id",
                condition=~models.Q(external_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable across retries, so a receiver can drop a duplicate of a retried send; a
        random UUID, so nobody can forge a reply to it (e-mail threading trusts it)."""
        return f"<{self.id}@{settings.LOKET_MESSAGE_ID_DOMAIN}>"


class UndeliverableAddress(models.Model):
    """An address whose mail server refused our mail for good (a 5.x.x bounce)."""

    address = models.EmailField(max_length=254, unique=True)
    status = models.CharField(max_length=20, blank=True)
    bounced_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.address
