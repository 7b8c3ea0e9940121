"""The worker's heartbeat, written once per housekeeping round."""

import os
import socket
from datetime import datetime, timedelta

from loket.ops.models import WorkerHeartbeat

# A worker silent this long is gone (restarted with a new pid): its row is removed.
FORGET_AFTER = timedelta(days=1)


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def record_heartbeat(now: datetime, *, worker: str | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker=worker or this_worker(), defaults={"beat_at": now}
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
