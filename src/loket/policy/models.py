from typing import ClassVar

from django.db import models
from django.utils.translation import get_language


class PolicyVersion(models.Model):
    """One applied policy file, kept forever: tickets point at the version that set their
    targets. The active version is the one with the highest number."""

    number = models.PositiveIntegerField(unique=True)
    source = models.TextField(help_text="The TOML file as applied.")
    data = models.JSONField(help_text="The file's data, for diffs and display.")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    applied_at = models.DateTimeField()
    applied_by = models.CharField(max_length=150)
    diff = models.TextField(blank=True, help_text="What changed against the previous version.")

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"policy v{self.number}"


class Category(models.Model):
    """A kind of case from the active policy (POLICY.md S1); tickets refer to it by its stable
    code. Categories a later policy drops are deactivated, never deleted."""

    code = models.SlugField(primary_key=True, max_length=40)
    name_ja = models.CharField(max_length=200)
    name_id = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    priority = models.CharField(max_length=10, default="normal")
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.code

    def name_in(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return str(getattr(self, f"name_{language}", "") or self.name_en)
