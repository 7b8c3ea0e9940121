"""The peer's side: django-helpdesk, already installed in a folder of its own (as
../shared/peers/django-helpdesk/install.sh lays it out: venv/, site/, reset_db.sh). This
benchmark never installs it and never writes to it, except through the peer's own programs:
its ingestion (into its database and its queue's mail directory) and, with --peer-reset,
its reset_db.sh.

A run is timed as the peer's own bench_peer.py times it: `manage.py shell -c SNIPPET`, which
calls `process_email(quiet=True)` in-process on the files in the queue's local mail directory.
The snippet adds, untimed, what makes the work the same as Loket's: first the openers are
ingested (one ticket per requester), then the messages are put into the mail directory with
the reply tags pointing at those tickets (`[support-<id>]`).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from bench.common import BenchError
from bench.mail_ingest.config import CHILD_TIMEOUT, PEER_NAME, RESET_TIMEOUT
from bench.mail_ingest.results import PeerRun

MARKER = "BENCHJSON"
OUTPUT_SHOWN = 3_000  # characters of the peer's output quoted when it fails

# Runs in the peer's Python (3.11, its own Django): keep it to what that Python has.
SNIPPET = r"""
import importlib.metadata, json, os, re, time
from pathlib import Path
from helpdesk.email import process_email
from helpdesk.models import FollowUp, Queue, Ticket

corpus = Path(os.environ["LOKET_BENCH_CORPUS"])
manifest = json.loads((corpus / "manifest.json").read_text())
queue = Queue.objects.get(slug="support")
queue.email_box_last_check = None; queue.email_box_interval = 0; queue.save()
inbox = Path(queue.email_box_local_dir)

def clear():
    left = [path for path in inbox.iterdir() if path.is_file()]
    for path in left:
        path.unlink()
    return len(left)

def drop(folder, names, tags):
    for name in names:
        raw = re.sub(rb"@@REPLY-(\d+)@@", lambda m: tags[int(m[1])], (folder / name).read_bytes())
        (inbox / name).write_bytes(raw)
    return len(names)

def peak_mb():
    line = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM")]
    return int(line[0].split()[1]) / 1024

clear()
first = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
drop(corpus / "openers", manifest["openers"], {})
process_email(quiet=True)
opened = dict(Ticket.objects.filter(id__gt=first).values_list("submitter_email", "id"))
missing = [sender for sender in manifest["senders"] if sender not in opened]
if missing or clear():
    raise SystemExit(f"the openers did not open one ticket each; no ticket for {missing}")
tags = {k: f"support-{opened[s]}".encode() for k, s in enumerate(manifest["senders"])}
files = drop(corpus / "messages", manifest["messages"], tags)
tickets, followups = Ticket.objects.count(), FollowUp.objects.count()
started = time.perf_counter()
process_email(quiet=True)
seconds = time.perf_counter() - started
left = clear()
versions = {name: importlib.metadata.version(name) for name in ("django-helpdesk", "Django")}
versions["Python"] = ".".join(map(str, __import__("sys").version_info[:3]))
print("BENCHJSON" + json.dumps({
    "messages": files, "processed": files - left, "seconds": seconds,
    "new_tickets": Ticket.objects.count() - tickets,
    "new_followups": FollowUp.objects.count() - followups,
    "peak_mb": peak_mb(), "versions": versions,
}))
"""


def check_peer(peer: Path) -> None:
    """An installed peer, or a clear error: this benchmark does not install it."""
    needed = [peer / "venv" / "bin" / "python", peer / "site" / "manage.py"]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        raise BenchError(
            f"no installed {PEER_NAME} in {peer} (missing {', '.join(missing)}); install it "
            "with ../shared/peers/django-helpdesk/install.sh and pass its folder to --peer"
        )


def peer_environment(corpus: Path | None = None) -> dict[str, str]:
    """Ours minus what would point the peer's Django at Loket."""
    env = dict(os.environ)
    for name in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(name, None)
    env.pop("DATABASE_URL", None)
    if corpus is not None:
        env["LOKET_BENCH_CORPUS"] = str(corpus)
    return env


def reset_peer(peer: Path) -> None:
    """The peer's own reset_db.sh: a fresh database with its 10,000 seeded tickets."""
    script = peer / "reset_db.sh"
    if not script.exists():
        raise BenchError(f"--peer-reset: {PEER_NAME} in {peer} has no reset_db.sh")
    print(f"resetting the {PEER_NAME} database ({script})", flush=True)
    completed = subprocess.run(
        [str(script)], cwd=peer, env=peer_environment(), capture_output=True, text=True,
        timeout=RESET_TIMEOUT, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise BenchError(f"{script} exited with {completed.returncode}:\n{output_of(completed)}")


def run_peer(peer: Path, corpus: Path) -> PeerRun:
    """One run of the peer on the corpus, in its own Python; what the snippet measured."""
    command = [str(peer / "venv" / "bin" / "python"), "manage.py", "shell", "-c", SNIPPET]
    completed = subprocess.run(
        command, cwd=peer / "site", env=peer_environment(corpus), capture_output=True, text=True,
        timeout=CHILD_TIMEOUT, check=False,
    )  # fmt: skip
    found = [line for line in completed.stdout.splitlines() if line.startswith(MARKER)]
    if completed.returncode != 0 or not found:
        raise BenchError(
            f"{PEER_NAME} exited with {completed.returncode} without its figures; it printed:\n"
            + output_of(completed)
        )
    return PeerRun.from_json(json.loads(found[0].removeprefix(MARKER)))


def output_of(completed: subprocess.CompletedProcess[str]) -> str:
    return (completed.stdout[-OUTPUT_SHOWN:] + completed.stderr[-OUTPUT_SHOWN:]).strip()
