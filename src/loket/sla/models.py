from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.sla import clock as clock_state


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    PROGRESS_UPDATE = "progress_update", _("Progress update")


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class Clock(models.Model):
    """One SLA clock of a ticket, with its budget frozen from the policy version that set it.

    `warning_at`/`breach_at` are the instants the running clock reaches its points, derived
    from the business calendar when it (re)starts; `next_check_at` is the earlier one not yet
    emitted, so the sweep finds every due clock with one range scan of one index.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ClockStatus.choices)
    warning_seconds = models.PositiveIntegerField()
    breach_seconds = models.PositiveIntegerField()
    accrued_seconds = models.PositiveIntegerField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    warning_at = models.DateTimeField(null=True, blank=True)
    breach_at = models.DateTimeField(null=True, blank=True)
    # A cycle is one run towards the points: a progress-update clock starts a new cycle with
    # every public update, and each cycle may warn and breach once.
    cycle = models.PositiveIntegerField(default=0)
    warned = models.BooleanField(default=False)
    breached = models.BooleanField(default=False)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="one_clock_per_kind"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["next_check_at"],
                name="clock_due",
                condition=models.Q(next_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of ticket {self.ticket_id}"

    def state(self) -> clock_state.ClockState:
        """The clock as plain data, for the pure clock arithmetic."""
        return clock_state.ClockState(
            warning_seconds=self.warning_seconds,
            breach_seconds=self.breach_seconds,
            accrued=self.accrued_seconds,
            running_since=self.running_since,
        )


class SlaPointKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")


class SlaPoint(models.Model):
    """A warning or breach that happened. The unique key makes each one exist once, however
    many sweepers run at the same time."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(max_length=10, choices=SlaPointKind.choices)
    cycle = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["clock", "kind", "cycle"], name="one_point_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of clock {self.clock_id}"
