import hashlib
import secrets
from typing import ClassVar

from django.db import models


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What a token may do (issue 14: least privilege). New tokens may read and create; replies on
# behalf of requesters and internal notes are granted explicitly.
SCOPES = ("read", "create", "reply", "note")
DEFAULT_SCOPES = "read,create"


class ApiToken(models.Model):
    """A bearer token for one integration. Only its hash is kept; the token is shown once."""

    name = models.CharField(max_length=100, unique=True)
    scopes = models.CharField(
        max_length=100, default=DEFAULT_SCOPES,
        help_text="Comma-separated: read, create, reply (for requesters), note (internal).",
    )  # fmt: skip
    categories = models.CharField(
        max_length=500, blank=True,
        help_text="Category codes it may create and read, comma-separated; empty: all.",
    )  # fmt: skip
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def allows(self, scope: str) -> bool:
        return scope in {s.strip() for s in self.scopes.split(",")}

    def category_codes(self) -> frozenset[str]:
        return frozenset(code.strip() for code in self.categories.split(",") if code.strip())

    def may_see(self, category_code: str) -> bool:
        codes = self.category_codes()
        return not codes or category_code in codes

    @property
    def label(self) -> str:
        """How the token appears on a ticket's timeline and as a note's author."""
        return f"API: {self.name}"

    def issue(self) -> str:
        """Give this row a new secret and return it; the caller shows it once."""
        token = "loket_" + secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.prefix = token[:12]
        return token


class IdempotencyKey(models.Model):
    """Remembers what an Idempotency-Key created, so a retried POST gets the same ticket."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE)
    created_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_per_token"),
        ]

    def __str__(self) -> str:
        return self.key
