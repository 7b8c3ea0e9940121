from django.db import models


class Mailbox(models.Model):
    """An IMAP mailbox Loket polls, and the support address it represents (our answers to
    its mail carry that address as Reply-To)."""

    address = models.EmailField(unique=True, help_text="The support address mail is sent to.")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True, help_text="Implicit TLS (port 993).")
    use_starttls = models.BooleanField(default=False, help_text="STARTTLS on a plain port.")
    username = models.CharField(max_length=255)
    password = models.CharField(max_length=255)
    folder = models.CharField(max_length=255, default="INBOX")
    active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.address} ({self.username}@{self.host})"
