import zlib
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.tickets.phones import normalise


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not yet processed")
    CREATED = "created", _("Opened a ticket")
    APPENDED = "appended", _("Added to a ticket")
    HELD = "held", _("Held for an agent")
    IGNORED = "ignored", _("Ignored (automatic mail)")
    QUARANTINED = "quarantined", _("Quarantined")
    DISCARDED = "discarded", _("Discarded by an agent")
    RECORDED = "recorded", _("Recorded on a ticket (delivery status)")
    BLOCKED = "blocked", _("Blocked sender")


# The first byte of `raw` says how the rest is kept.
COMPRESSED, STORED = b"z", b"="
LARGE_MESSAGE = 64 * 1024
SAMPLE_BYTES = 16 * 1024

# What an agent still has to look at.
WAITING_FOR_AGENT = (InboundStatus.HELD, InboundStatus.QUARANTINED)


class InboundRecord(models.Model):
    """One message exactly as it arrived, stored (compressed) before anything reads it, with
    the key that makes it arrive once and what became of it.

    The unique (source, key) pair is what de-duplicates: a second copy of the same mail in the
    same mailbox finds this row. The row's status changes in the transaction that opens or
    appends the ticket, so a crash leaves either nothing done or everything done.
    """

    channel = models.CharField(max_length=20)
    source = models.CharField(max_length=254, help_text="The mailbox (address) it came in on.")
    key = models.CharField(max_length=300, help_text="Message-ID, or a hash of the content.")
    raw = models.BinaryField(help_text="The message as received (see pack()).")
    raw_size = models.PositiveIntegerField()
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    reason = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["source", "key"], name="inbound_once_per_source"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "received_at"], name="inbound_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.key} ({self.status})"

    @staticmethod
    def pack(raw: bytes) -> bytes:
        """zlib when it pays: text shrinks many times, but a base64 image or archive only by
        a quarter at some 30 ns a byte. Large messages end in their attachments, so a trial
        on the last 16 KiB decides whether the whole is worth compressing."""
        if len(raw) > LARGE_MESSAGE:
            sample = raw[-SAMPLE_BYTES:]
            if len(zlib.compress(sample, 1)) > 0.7 * len(sample):
                return STORED + raw
        return COMPRESSED + zlib.compress(raw, 1)

    def raw_bytes(self) -> bytes:
        packed = bytes(self.raw)
        if packed[:1] == STORED:
            return packed[1:]
        return zlib.decompress(packed[1:])


class BlockedSender(models.Model):
    """An address or phone number (E.164) whose messages are kept but never open a ticket,
    never reach a ticket and are never answered (spam, abuse). Blocked from the admin."""

    address = models.CharField(max_length=254, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    blocked_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.address

    def save(self, *args: object, **kwargs: object) -> None:
        """An address as written, lower-case; a number in E.164 whatever its form (0812...),
        since that is how the pipeline knows the sender."""
        address = self.address.strip().lower()
        number = None if "@" in address else normalise(address, settings.LOKET_PHONE_REGION)
        self.address = number or address
        super().save(*args, **kwargs)  # type: ignore[arg-type]
