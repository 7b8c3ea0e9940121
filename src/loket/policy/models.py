from django.db import models
from django.utils.translation import get_language


class Category(models.Model):
    """A kind of case from the policy (POLICY.md S1); tickets refer to it by its stable code."""

    code = models.SlugField(primary_key=True, max_length=40)
    name_ja = models.CharField(max_length=200)
    name_id = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    priority = models.CharField(max_length=10, default="normal")
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.code

    def name_in(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return str(getattr(self, f"name_{language}", "") or self.name_en)
