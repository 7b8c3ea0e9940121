"""`python -m bench.scaleout.launch --bind HOST:PORT --web W --workers N`: `loket serve`
without its preparation and with N background workers, under the same supervisor.

The benchmark starts this in a session of its own, so that gunicorn, its workers and every
background worker share one process group (a process can only join a group of its own
session) and bench/intake's CPU accounting and stopping find them all.
"""

import argparse
import sys
from collections.abc import Sequence

from loket.cli import loket_process, supervise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaleout.launch")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--web", type=int, required=True, help="gunicorn worker processes")
    parser.add_argument("--workers", type=int, required=True, help="background workers")
    arguments = parser.parse_args(argv)
    web = (
        "web server",
        loket_process("web", "--bind", arguments.bind, "--workers", str(arguments.web)),
    )
    workers = [(f"worker {n}", loket_process("worker")) for n in range(1, arguments.workers + 1)]
    return supervise([web, *workers])


if __name__ == "__main__":
    sys.exit(main())
