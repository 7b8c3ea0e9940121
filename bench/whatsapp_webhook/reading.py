"""The "Reading" of the WhatsApp webhook section: what the figures say, in sentences chosen by
them."""

from __future__ import annotations

from bench.common import median
from bench.intake.cpu import other_cores
from bench.whatsapp_webhook.timing import Result, Round, medians

GOAL = 5.0  # issue 11: the webhook at least 5 times the contact form's intake rate


def render_reading(result: Result) -> list[str]:
    sentences = [*read_rates(result), *read_diagnosis(result), *read_acks(result)]
    sentences += read_machine(result)
    return ["### Reading", "", " ".join(sentences)]


def read_machine(result: Result) -> list[str]:
    phases = [p for r in result.rounds for p in (r.contact, r.webhook)]
    other = median([other_cores(p.cores) for p in phases])
    if other < 0.25:
        return []
    return [
        f"Other work on this shared machine used a median {other:.2f} cores during the "
        "phases, so the absolute rates are lower than on a quiet machine; both phases of a "
        "round ran under the same conditions, which is why the ratio is the figure to compare."
    ]


def web_ms(rate: float, cores: float) -> float:
    """Web-worker CPU per answered request, in ms."""
    return cores / max(rate, 1e-9) * 1000


def read_rates(result: Result) -> list[str]:
    middle = medians(result.rounds)
    rounds = result.rounds
    per_post = median([web_ms(r.webhook.rate, r.webhook.cores["web"]) for r in rounds])
    per_form = median([web_ms(r.contact.rate, r.contact.cores["web"]) for r in rounds])
    sleep = median([r.webhook.web_states.get("sqlite busy sleep", 0.0) for r in rounds])
    worker = median([r.webhook.cores["worker"] for r in rounds])
    busy = median([r.webhook.cores["machine"] for r in rounds])
    verdict = (
        f"meets the goal of {GOAL:.0f}x"
        if middle["ratio"] >= GOAL
        else f"misses the goal of {GOAL:.0f}x"
    )
    return [
        f"The webhook accepted {middle['ratio']:.1f} times as many POSTs per second as the "
        f"contact form took submissions, which {verdict}.",
        f"A webhook POST cost {per_post:.1f} ms of web-worker CPU against {per_form:.1f} ms "
        "for a submission (signature, JSON, one IMMEDIATE transaction inserting the inbound "
        "item and the task row).",
        f"But the webhook only stores: the background worker, working through the items as "
        f"they arrive, used {worker:.2f} cores opening a ticket for each (ticket, message, "
        "events, clocks and the acknowledgement rendered into its outbox row, in write "
        "transactions of its own) and taking SQLite's one write lock for far longer than a "
        f"webhook transaction does; the web workers spent {sleep:.0%} of phase B asleep in "
        f"SQLite's busy handler waiting for that lock, with the machine {busy:.0%} busy.",
    ]


def read_diagnosis(result: Result) -> list[str]:
    alone = result.measured.alone
    webhook, contact = alone.webhook, alone.contact
    sleep = webhook.web_states.get("sqlite busy sleep", 0.0)
    sentences = [
        f"With the background worker stopped (the two *worker stopped* rows, measured one "
        f"after the other), the contact form took {contact.rate:.1f} submissions/s and the "
        f"webhook {webhook.rate:.1f} POSTs/s, {alone.ratio:.1f} times as many, the web "
        f"workers asleep on the lock {sleep:.0%} of the time and using "
        f"{web_ms(webhook.rate, webhook.cores['web']):.1f} ms of CPU per POST."
    ]
    if alone.ratio >= GOAL:
        sentences.append(
            "So the webhook's own work would meet the goal: what holds it back is the worker's "
            "writes competing with it for the single SQLite writer (a server database, or "
            "cheaper processing per item, would lift it)."
        )
    else:
        sentences.append(
            "So even without the worker the webhook misses the goal: its own cost per POST "
            "(gunicorn and Django's request cycle with every middleware, a new SQLite "
            "connection per request, two inserts and a commit under the one write lock) is "
            f"not {GOAL:.0f} times below a submission's; on top of that comes the worker's "
            "competition for the single SQLite writer."
        )
    return sentences


def worker_rate(one: Round) -> float:
    """Acknowledgements handed to the Graph API per second, from the start of phase B until
    the last arrived."""
    return one.acks.arrived / max(one.webhook.seconds + one.acks.waited, 1e-9)


def read_acks(result: Result) -> list[str]:
    rounds = result.rounds
    middle = medians(rounds)
    during = median([float(r.acks.during) for r in rounds])
    expected = median([float(r.acks.expected) for r in rounds])
    rate = median([worker_rate(r) for r in rounds])
    waited = median([r.acks.waited for r in rounds])
    seconds = result.options.seconds
    if rate >= 0.9 * middle["webhook"]:
        return [
            f"The worker kept up, handing {rate:.0f} acknowledgements/s to the Graph API, so "
            f"the p95 of {middle['p95']:.2f} s is what a requester waits at this load."
        ]
    return [
        f"Acknowledgements lag far behind: the worker handed {rate:.0f}/s to the Graph API "
        f"against {middle['webhook']:.0f} messages/s accepted, and only {during:.0f} of about "
        f"{expected:.0f} arrived while phase B ran, because the task queue runs tasks in the "
        "order they were queued, so each acknowledgement's delivery task waits behind the "
        "processing of every item stored before it.",
        f"The last arrived {waited:.0f} s after the {seconds:g}-second burst, so p50 "
        f"({middle['p50']:.1f} s) and p95 ({middle['p95']:.1f} s) measure how long the worker "
        "takes to clear a burst of that length, not a steady state: under sustained load at "
        "this rate the acknowledgements would fall further and further behind.",
    ]
