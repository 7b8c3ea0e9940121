from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time each worker finished a housekeeping round: /ready/ and /metrics read the
    newest. A row in the database, not a file, so web machines see workers on other machines."""

    worker = models.CharField(max_length=200, unique=True, help_text="host:pid")
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
