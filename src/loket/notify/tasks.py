from django.tasks import task
from django.utils import timezone

from loket.notify import operations


@task()
def deliver_outbox_message(outbox_id: str) -> str:
    return operations.deliver(outbox_id, timezone.now())
