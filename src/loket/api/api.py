"""The HTTP API for integrations: parse, one domain call, answer."""

import re
from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import AfterValidator

from loket.api.docs import LocalSwagger
from loket.api.models import ApiToken, hash_token
from loket.api.operations import KeyReused, SenderBlocked, TicketRequest, open_ticket_for_client
from loket.policy.queries import active_category_codes
from loket.tickets import queries
from loket.tickets.access import NoSuchTicket, access_ticket_for_integration
from loket.tickets.links import portal_url
from loket.tickets.models import Channel, PortalLinkKind, Ticket
from loket.tickets.operations import (
    TicketClosed,
    UnknownCategory,
    record_internal_note,
    record_requester_reply,
)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = ApiToken.objects.filter(token_hash=hash_token(token), active=True).first()
        if api_token is not None:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        return api_token


api = NinjaAPI(
    title="Loket API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    docs_url="/docs",
    docs=LocalSwagger(),
)


def checked_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError as error:
        raise ValueError("not a valid e-mail address") from error
    return value


def plain_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(checked_email)]
Text = Annotated[str, AfterValidator(plain_text)]


class TicketIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    email: Email
    category: str
    subject: Annotated[Text, Field(min_length=1, max_length=200)]
    description: Annotated[Text, Field(min_length=1, max_length=20_000)]
    language: Literal["ja", "id", "en"] | None = None


class MessageIn(Schema):
    body: Annotated[Text, Field(min_length=1, max_length=20_000)]
    kind: Literal["requester_reply", "internal_note"] = "requester_reply"


class MessageOut(Schema):
    kind: str
    author: str
    body: str
    created_at: datetime


class EvidenceOut(Schema):
    code: str
    found: bool
    # missing | found | verified (billing agrees) | mismatch (see problems) | unchecked
    state: str
    values: list[str]
    problems: list[str]  # no_account, no_invoice, other_account, date_differs, plan_differs


class TicketOut(Schema):
    reference: str
    status: str
    category: str
    subject: str
    language: str
    channel: str
    created_at: datetime
    updated_at: datetime
    # The requester's own link: only in the answer to the request that opened the ticket (as
    # the contact form shows it), never to a later read - it would let a token act as them.
    portal_url: str | None
    messages: list[MessageOut]
    redactions: int
    # S11: 0 with the agents, 1 in supervisor review, 2 in operations review.
    escalation_level: int
    triage: dict[str, object] | None
    evidence: list[EvidenceOut]


class ErrorOut(Schema):
    detail: str


class AcceptedOut(Schema):
    """A message added by a token that may not read tickets: what it changed, nothing more."""

    reference: str
    status: str


def ticket_out(ticket: Ticket, *, with_link: bool = False) -> TicketOut:
    return TicketOut(
        reference=str(ticket.reference),
        status=ticket.status,
        category=ticket.category_id,
        subject=ticket.subject,
        language=ticket.language,
        channel=ticket.channel,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        portal_url=portal_url(ticket, now=timezone.now(), kind=PortalLinkKind.API)
        if with_link
        else None,
        messages=[
            MessageOut(
                kind=message.kind,
                author=message.author_name,
                body=message.body,
                created_at=message.created_at,
            )
            for message in queries.thread(ticket, include_internal=False)
        ],
        redactions=ticket.redactions,
        escalation_level=ticket.escalation_level,
        triage=queries.latest_triage(ticket),
        evidence=[
            EvidenceOut(
                code=item.code,
                found=item.found,
                state=item.state,
                values=list(item.values),
                problems=[problem.code for problem in item.problems],
            )
            for item in queries.evidence_checklist(ticket)
        ],
    )


def find_ticket(reference: str, token: ApiToken) -> Ticket:
    """A ticket of a category the token may see; any other is "no ticket" (404), so a token
    limited to some categories cannot learn that others exist."""
    try:
        ticket = access_ticket_for_integration(reference)
    except NoSuchTicket as error:
        raise HttpError(404, str(error)) from None
    if not token.may_see(ticket.category_id):
        raise HttpError(404, f"no ticket {ticket.reference}")
    return ticket


def token_of(request: HttpRequest, scope: str) -> ApiToken:
    """The request's token, if it holds `scope` (else 403 naming the scope it lacks)."""
    token = getattr(request, "auth", None)
    assert isinstance(token, ApiToken)
    if not token.allows(scope):
        raise HttpError(403, f"this token lacks the {scope!r} scope")
    return token


IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,255}")


@api.post("/tickets", response={200: TicketOut, 201: TicketOut, 403: ErrorOut, 422: ErrorOut})
def create_ticket(
    request: HttpRequest,
    payload: TicketIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Status[TicketOut]:
    token = token_of(request, "create")
    if not token.may_see(payload.category):
        raise HttpError(403, f"this token may not create tickets of category {payload.category!r}")
    if idempotency_key is not None and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        # Checked before anything is stored: a 300-character key was a 500 on PostgreSQL.
        raise HttpError(422, "Idempotency-Key must be 1-255 visible ASCII characters")
    ticket_request = TicketRequest(
        subject=payload.subject,
        body=payload.description,
        category_code=payload.category,
        requester_name=payload.name,
        requester_email=payload.email,
        language=payload.language or settings.LANGUAGE_CODE,
    )
    try:
        opened = open_ticket_for_client(
            token=token, idempotency_key=idempotency_key, request=ticket_request,
            now=timezone.now(),
        )  # fmt: skip
    except UnknownCategory:
        codes = ", ".join(active_category_codes())
        raise HttpError(
            422, f"unknown category {payload.category!r}; use one of: {codes}"
        ) from None
    except KeyReused as error:
        raise HttpError(422, str(error)) from None
    except SenderBlocked:
        raise HttpError(403, "this requester's address is blocked") from None
    return Status(201 if opened.created else 200, ticket_out(opened.ticket, with_link=True))


@api.get("/tickets/{reference}", response={200: TicketOut, 403: ErrorOut, 404: ErrorOut})
def get_ticket(request: HttpRequest, reference: str) -> TicketOut:
    return ticket_out(find_ticket(reference, token_of(request, "read")))


@api.post(
    "/tickets/{reference}/messages",
    response={201: TicketOut | AcceptedOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def add_message(
    request: HttpRequest, reference: str, payload: MessageIn
) -> Status[TicketOut | AcceptedOut]:
    token = token_of(request, "note" if payload.kind == "internal_note" else "reply")
    ticket = find_ticket(reference, token)
    now = timezone.now()
    if payload.kind == "internal_note":
        record_internal_note(
            ticket=ticket, author=None, body=payload.body, now=now, author_label=token.label
        )
    else:
        try:
            record_requester_reply(
                ticket=ticket, body=payload.body, channel=Channel.API, now=now, via=token.label,
            )  # fmt: skip
        except TicketClosed:
            raise HttpError(409, f"{ticket.reference} is closed; open a new ticket") from None
    ticket.refresh_from_db()
    if not token.allows("read"):
        return Status(201, AcceptedOut(reference=str(ticket.reference), status=ticket.status))
    return Status(201, ticket_out(ticket))
