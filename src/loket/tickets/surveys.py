"""Satisfaction (CSAT, issue 15): after a resolution the requester is asked once, in their
language and on their channel, whether the answer helped; the link is single-use and expires;
a bad answer reopens the ticket when the policy says so."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from loket.notify import content
from loket.notify.outbox import queue_for_requester
from loket.policy.queries import document_of
from loket.sla import operations as sla
from loket.tickets.links import public_path
from loket.tickets.models import (
    EventKind,
    Rating,
    SatisfactionSurvey,
    Status,
    Ticket,
)
from loket.tickets.timeline import record_event, touch
from loket.triage.redaction import redact

COMMENT_MAX = 2000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(ticket: Ticket, token: str) -> str:
    return settings.LOKET_BASE_URL + public_path("portal:rate", ticket.language, token=token)


def offer_survey(ticket: Ticket, now: datetime) -> SatisfactionSurvey | None:
    """Call in the transaction that resolved the ticket. No question when the policy asks
    none, for a duplicate merged away, or while an earlier question is still open."""
    if ticket.policy_version is None or ticket.merged_into_id:
        return None
    policy = document_of(ticket.policy_version).satisfaction
    if not policy.enabled:
        return None
    still_open = SatisfactionSurvey.objects.filter(
        ticket=ticket, answered_at__isnull=True, expires_at__gt=now
    )
    if still_open.exists():
        return None
    token = secrets.token_urlsafe(24)
    survey = SatisfactionSurvey.objects.create(
        ticket=ticket, token_hash=token_hash(token), agent_id=ticket.assignee_id, sent_at=now,
        expires_at=now + timedelta(days=policy.expires_days),
    )  # fmt: skip
    mail = content.satisfaction_question(ticket, url=survey_url(ticket, token))
    queue_for_requester(ticket, SURVEY_KIND, mail, now)
    record_event(ticket.pk, EventKind.SURVEY_SENT, data={"survey": survey.pk}, now=now)
    return survey


SURVEY_KIND = "satisfaction_survey"


@dataclass(frozen=True)
class Answer:
    outcome: str  # rated | answered_already | expired | unknown
    survey: SatisfactionSurvey | None = None
    reopened: bool = False


def survey_of(token: str) -> SatisfactionSurvey | None:
    return (
        SatisfactionSurvey.objects.select_related("ticket")
        .filter(token_hash=token_hash(token))
        .first()
    )


def answer_survey(*, token: str, rating: str, comment: str, now: datetime) -> Answer:
    """Record the requester's rating once; the comment is redacted like any message."""
    if rating not in Rating.values:
        raise ValueError(rating)
    with transaction.atomic():
        found = survey_of(token)
        if found is None:
            return Answer("unknown")
        survey = SatisfactionSurvey.objects.select_for_update().get(pk=found.pk)
        if survey.answered_at is not None:
            return Answer("answered_already", survey)
        if survey.expires_at <= now:
            return Answer("expired", survey)
        ticket = Ticket.objects.select_for_update().get(pk=survey.ticket_id)
        survey.rating = rating
        survey.comment = redact(comment.strip()[:COMMENT_MAX], ticket.language).text
        survey.answered_at = now
        survey.save(update_fields=["rating", "comment", "answered_at"])
        data = {"rating": rating, "survey": survey.pk, "comment": bool(survey.comment)}
        record_event(ticket.pk, EventKind.SURVEY_ANSWERED, actor_label=ticket.requester_name,
                     data=data, now=now)  # fmt: skip
        reopened = rating == Rating.BAD and reopen(ticket, now)
    return Answer("rated", survey, reopened)


def reopen(ticket: Ticket, now: datetime) -> bool:
    """A bad answer to a resolved ticket reopens it when the policy says so (its clocks resume)."""
    assert ticket.policy_version is not None
    if not document_of(ticket.policy_version).satisfaction.reopen_on_bad:
        return False
    if ticket.status != Status.RESOLVED:
        return False
    ticket.status = Status.OPEN
    sla.status_changed(ticket, Status.RESOLVED, Status.OPEN, now)
    touch(ticket, now)
    data = {"from": Status.RESOLVED, "to": Status.OPEN, "reason": "bad satisfaction rating"}
    record_event(ticket.pk, EventKind.STATUS_CHANGED, actor_label=ticket.requester_name,
                 data=data, now=now)  # fmt: skip
    return True
