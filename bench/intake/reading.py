"""The "Reading" of the intake section: what the figures say, in sentences chosen by them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bench.common import median
from bench.intake.timing import Phase, Result, Run


def render_reading(result: Result) -> list[str]:
    intakes = [run.intake for run in result.runs]
    healths = [run.health for run in result.runs]
    sentences = [*read_intake(result, intakes), *read_outbox(result.runs), *read_ceiling(healths)]
    return ["### Reading", "", " ".join(sentences)]


def phase_median(phases: Sequence[Phase], pick: Callable[[Phase], float]) -> float:
    return median([pick(phase) for phase in phases])


def read_outbox(runs: Sequence[Run]) -> list[str]:
    delivery = median([run.delivery_rate for run in runs])
    intake = median([run.intake.rate for run in runs])
    if delivery >= 0.9 * intake:
        return [f"The background worker kept up, sending {delivery:.0f} acknowledgements/s."]
    backlog = median([float(run.backlog) for run in runs])
    drain = median([run.drain_seconds for run in runs])
    return [
        f"The background worker, competing for the same lock, sent only {delivery:.0f} "
        f"acknowledgements/s while intake ran, so about {backlog:.0f} were still unsent after "
        f"each {runs[0].intake.seconds:.0f}-second phase and took {drain:.0f} s to clear: "
        "under sustained load at this rate, acknowledgements fall further and further behind."
    ]


def read_intake(result: Result, intakes: Sequence[Phase]) -> list[str]:
    per_submission = phase_median(intakes, lambda p: p.cores["web"] / max(p.rate, 1e-9))
    web = phase_median(intakes, lambda p: p.cores["web"])
    sleep = phase_median(intakes, lambda p: p.web_states.get("sqlite busy sleep", 0.0))
    busy = phase_median(intakes, lambda p: p.cores["machine"])
    sentences = [
        f"A submission costs about {per_submission * 1000:.1f} ms of web-worker CPU: CSRF and "
        "form validation, the category lookup, one IMMEDIATE transaction that inserts the "
        "ticket, sets its reference and inserts message, event and outbox row, the "
        "acknowledgement e-mail rendered into that row, and the task-queue row after commit.",
        f"SQLite admits one writer at a time and each submission holds the write lock for its "
        "whole transaction, while the background worker takes it several times per "
        f"acknowledgement; during intake the {result.options.workers} web workers kept "
        f"{web:.2f} cores busy and spent {sleep:.0%} of their time asleep in SQLite's busy "
        f"handler waiting for that lock, with the machine {busy:.0%} busy.",
    ]
    if sleep >= 0.15 and busy < 0.9:
        sentences.append(
            "So the single SQLite writer, not the CPU, sets the intake rate; more web workers "
            "would add waiting rather than submissions."
        )
    return sentences


def read_ceiling(healths: Sequence[Phase]) -> list[str]:
    client = phase_median(healths, lambda p: p.cores["client"])
    busy = phase_median(healths, lambda p: p.cores["machine"])
    if busy >= 0.85:
        return [
            f"The ceiling is bounded by this machine rather than by Loket: it was {busy:.0%} "
            f"busy, the load generator alone using {client:.2f} cores (threads, as more client "
            "processes would only take CPU from the server), so the ceiling measured here is a "
            "lower bound and the ratio an upper one."
        ]
    return [
        f"During the ceiling phase the machine was only {busy:.0%} busy and the client used "
        f"{client:.2f} cores, so the client threads may be what bounds `/health/`."
    ]
