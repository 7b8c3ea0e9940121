"""The SLA budgets a policy gives a category, in business seconds. Pure: no Django.

The clock kinds are plain strings here; `loket.sla.models.ClockKind` has the same values.
"""

from loket.policy.document import CategoryDefinition, PolicyDocument
from loket.sla import clock as clock_state

HOUR = 3600
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
PROGRESS_UPDATE = "progress_update"

type Budget = tuple[int, int]  # (warning, breach) in business seconds


def business_seconds(days: float, document: PolicyDocument) -> int:
    """Policy days are business days of `business_day_hours` hours (POLICY.md S9)."""
    return round(days * document.sla.business_day_hours * HOUR)


def budgets(document: PolicyDocument, category: CategoryDefinition) -> dict[str, Budget]:
    """Warning and breach points, in business seconds, of each clock the category has."""
    share = document.sla.warning_at
    first = business_seconds(category.first_response_days, document)
    result = {FIRST_RESPONSE: (clock_state.warning_point(None, first, share), first)}
    deadline = category.resolution_deadline_days or category.resolution_target_days
    if deadline is not None:
        breach = business_seconds(deadline, document)
        target = category.resolution_target_days
        target_seconds = business_seconds(target, document) if target is not None else None
        result[RESOLUTION] = (clock_state.warning_point(target_seconds, breach, share), breach)
    return result


def progress_budget(document: PolicyDocument) -> Budget:
    """A complex case's progress-update clock (S10): an update at least every N days."""
    every = business_seconds(document.sla.progress_update_days, document)
    return clock_state.warning_point(None, every, document.sla.warning_at), every


def complex_extension(document: PolicyDocument) -> int:
    """How far a complex case's resolution deadline moves out (S10), in business seconds."""
    return business_seconds(document.sla.complex_extension_days, document)
