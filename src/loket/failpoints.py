"""Named points where a test may have the process killed (SIGKILL), to prove that a crash at
any step loses nothing and does nothing twice. Inert unless LOKET_FAILPOINT names the point;
the variable is read once per process."""

import os
import signal

ARMED = os.environ.get("LOKET_FAILPOINT", "")


def reached(name: str) -> None:
    if name == ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
