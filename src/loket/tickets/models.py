import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# What the requester reads for a status where the agents' word would be odd to them.
REQUESTER_STATUS_LABELS = {Status.PENDING_CUSTOMER: _("Waiting for your reply")}
ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER)


class QueueGroup(models.IntegerChoices):
    BREACHED = 0, _("Breached")
    RUNNING = 1, _("Deadline running")
    IDLE = 2, _("No running deadline")


# The policy file's priorities, most urgent first.
PRIORITY_RANKS = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


class Priority(models.IntegerChoices):
    URGENT = 0, _("Urgent")
    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")


REOPENED_BY_REQUESTER = (Status.PENDING_CUSTOMER, Status.RESOLVED)


class Channel(models.TextChoices):
    WEB = "web", _("Contact form")
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PHONE = "phone", _("Phone")
    API = "api", _("API")
    PORTAL = "portal", _("Portal")
    CONSOLE = "console", _("Console")


class CallDirection(models.TextChoices):
    """A logged phone call: the requester called us, or an agent called them."""

    INBOUND = "inbound", _("Incoming (the requester called)")
    OUTBOUND = "outbound", _("Outgoing (we called the requester)")


class Ticket(models.Model):
    """One case. Its reference is what the requester quotes on every channel."""

    # Null only inside the transaction that creates the ticket: the reference is derived from
    # the primary key (see tickets.references), which exists only after the first insert.
    reference = models.CharField(max_length=24, unique=True, null=True)  # noqa: DJ001
    subject = models.CharField(max_length=200)
    category = models.ForeignKey("policy.Category", on_delete=models.PROTECT, related_name="+")
    # The policy version in force when the ticket was opened (or re-categorised): its targets
    # stay with the ticket even when a later version changes them.
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    requester_name = models.CharField(max_length=200)
    # How to reach the requester: an address (e-mail, form, API) and/or a phone number in E.164
    # form (WhatsApp, phone calls). At least one is set; answers go on the ticket's own channel.
    requester_email = models.EmailField(max_length=254, blank=True)
    requester_phone = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=8)
    # The requester's IANA time zone when their browser told us (contact form); deadlines are
    # then shown in it as well as in WIB.
    time_zone = models.CharField(max_length=64, blank=True)
    # The support address the ticket came in on (e-mail): our answers carry it as Reply-To.
    reply_address = models.CharField(max_length=254, blank=True)
    # The seller's store a buyer wrote about (POLICY.md S2): the seller handles the payment.
    storefront = models.ForeignKey(
        "directory.Storefront", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Secrets (passwords, one-time codes) removed from the requester's messages (POLICY.md S13).
    redactions = models.PositiveIntegerField(default=0)
    # Set when an agent marks the case complex (POLICY.md S10): fraud_check, third_party_payment.
    complex_reason = models.CharField(max_length=40, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    # S11: 0 with the agents, 1 in supervisor review, 2 in operations review; since when.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Where the ticket stands in the console's queues, kept by the SLA operations and the sweep
    # in the transactions that move its clocks (issue 12): breached first (since when), then
    # the nearest running deadline, then no running clock (since it was opened); the category's
    # priority among equals. Stored and indexed, so a queue page is one index range scan.
    queue_group = models.PositiveSmallIntegerField(default=QueueGroup.IDLE)
    queue_at = models.DateTimeField(null=True)
    priority_rank = models.PositiveSmallIntegerField(
        default=PRIORITY_RANKS["normal"], choices=Priority.choices
    )
    # A duplicate merged into another ticket: closed, empty, and its reference leads there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "created_at"], name="ticket_status_created"),
            models.Index(fields=["requester_email"], name="ticket_requester_email"),
            models.Index(fields=["requester_phone"], name="ticket_requester_phone"),
            models.Index(fields=["escalation_level", "escalated_at"], name="ticket_review_queue"),
            models.Index(
                fields=["queue_group", "queue_at", "priority_rank", "id"],
                name="ticket_queue",
                condition=models.Q(status__in=ACTIVE_STATUSES),
            ),
            models.Index(
                fields=["assignee", "queue_group", "queue_at", "priority_rank", "id"],
                name="ticket_queue_assignee",
                condition=models.Q(status__in=ACTIVE_STATUSES),
            ),
            # The view "waiting on the requester": its tickets have no running clock, so in
            # `ticket_queue` they come after every breached and running one (at a million
            # tickets, 100,000 index entries read for its first page). Not led by status: SQLite
            # would then take it for every view and sort.
            models.Index(
                fields=["queue_group", "queue_at", "priority_rank", "id"],
                name="ticket_queue_waiting",
                condition=models.Q(status=Status.PENDING_CUSTOMER),
            ),
        ]
        permissions = [
            (
                "review_level_1",
                "Supervisor review: escalate, move to level 2, de-escalate, resolve",
            ),
            ("review_level_2", "Operations review: act on tickets at level 2"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def status_for_requester(self) -> str:
        return str(REQUESTER_STATUS_LABELS.get(Status(self.status), self.get_status_display()))

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class MessageKind(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    PUBLIC_REPLY = "public_reply", _("Reply")
    INTERNAL_NOTE = "internal_note", _("Internal note")


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    author_name = models.CharField(max_length=200)
    body = models.TextField()
    # The sanitised HTML of an e-mail, beside its text (shown to agents only).
    html = models.TextField(blank=True)
    # The channel's own id of the message (an e-mail's Message-ID): threading and de-duplication.
    external_id = models.CharField(max_length=300, blank=True)
    # Why the sender's address could not be trusted (a forged-looking From header, say).
    sender_warnings = models.JSONField(default=list, blank=True)
    # How many secrets were removed from this message before it was stored.
    redactions = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["external_id"],
                name="message_external_id",
                condition=~models.Q(external_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.INTERNAL_NOTE


def storage_name(instance: "Attachment", filename: str) -> str:
    """A random name under the month: nothing the sender chose (a name like `CON.png`, a path,
    an extension that a web server might act on) reaches the storage. The name they gave is
    kept in `filename`, for display and download only."""
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class ScanStatus(models.TextChoices):
    # Uploaded while no virus scanner was configured: served as it is.
    UNSCANNED = "unscanned", _("Not scanned")
    # In quarantine until the scanner has read it; never served meanwhile.
    PENDING = "pending", _("Waiting for the virus scan")
    CLEAN = "clean", _("No virus found")
    INFECTED = "infected", _("Virus found")
    # The scanner read it and answered an error (too large for it, say): never served.
    FAILED = "failed", _("Could not be scanned")


DOWNLOADABLE_SCAN_STATUSES = frozenset({ScanStatus.UNSCANNED, ScanStatus.CLEAN})


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    # Files stored before issue 14 keep the name they were stored under.
    file = models.FileField(upload_to=storage_name)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(
        max_length=20, choices=ScanStatus.choices, default=ScanStatus.UNSCANNED
    )
    # The signature the scanner found, or the error it answered.
    scan_result = models.CharField(max_length=200, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["id"],
                name="attachment_scan_pending",
                condition=models.Q(scan_status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def downloadable(self) -> bool:
        return self.scan_status in DOWNLOADABLE_SCAN_STATUSES


class EventKind(models.TextChoices):
    CREATED = "created", _("Ticket created")
    REQUESTER_REPLY = "requester_reply", _("Requester replied")
    PUBLIC_REPLY = "public_reply", _("Public reply")
    INTERNAL_NOTE = "internal_note", _("Internal note")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    PORTAL_LINK_SENT = "portal_link_sent", _("Portal link sent")
    PORTAL_LINK_USED = "portal_link_used", _("Requester opened the portal")
    PORTAL_SIGNED_OUT = "portal_signed_out", _("Requester signed out of the portal everywhere")
    MAIL_SENT = "mail_sent", _("E-mail delivered")
    MAIL_FAILED = "mail_failed", _("E-mail could not be delivered")
    MARKED_COMPLEX = "marked_complex", _("Marked complex")
    RECATEGORISED = "recategorised", _("Category changed")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
    AUTOMATIC_MAIL = "automatic_mail", _("Automatic mail received")
    MAIL_BOUNCED = "mail_bounced", _("E-mail bounced")
    ACKNOWLEDGEMENT_WITHHELD = "ack_withheld", _("Acknowledgement withheld")
    TRIAGED = "triaged", _("Triage decision")
    REDIRECTED_TO_SELLER = "redirected_to_seller", _("Redirected to the seller")
    EVIDENCE_REQUESTED = "evidence_requested", _("Missing evidence asked for")
    REFUND_DECIDED = "refund_decided", _("Refund decided")
    ESCALATION_REQUESTED = "escalation_requested", _("Escalation requested")
    ESCALATED = "escalated", _("Escalated")
    DE_ESCALATED = "de_escalated", _("De-escalated")
    RESOLVED_IN_REVIEW = "resolved_in_review", _("Resolved in review")
    ACCESS_REFUSED = "access_refused", _("Action refused")
    VERIFICATION_SENT = "verification_sent", _("Verification link sent")
    VERIFICATION_DONE = "verification_done", _("Ownership verified")
    VERIFICATION_FAILED = "verification_failed", _("Verification failed")
    ACCOUNT_CHANGED = "account_changed", _("Account change recorded")
    WHATSAPP_SENT = "whatsapp_sent", _("WhatsApp message sent")
    WHATSAPP_TEMPLATE = "whatsapp_template", _("WhatsApp template queued")
    WHATSAPP_STATUS = "whatsapp_status", _("WhatsApp delivery status")
    WHATSAPP_FAILED = "whatsapp_failed", _("WhatsApp message could not be delivered")
    NO_WAY_TO_ANSWER = "no_way_to_answer", _("No address or number to answer")
    CALL_LOGGED = "call_logged", _("Phone call logged")
    MERGED = "merged", _("Another ticket merged into this one")
    MERGED_INTO = "merged_into", _("Merged into another ticket")
    SPLIT_OFF = "split_off", _("A message split off into a new ticket")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    SURVEY_SENT = "survey_sent", _("Satisfaction question sent")
    SURVEY_ANSWERED = "survey_answered", _("Satisfaction rated")
    FILE_INFECTED = "file_infected", _("Virus found in a file")
    FILE_UNSCANNABLE = "file_unscannable", _("A file could not be scanned")


class Event(models.Model):
    """The timeline: one row for every change, written in the same transaction as the change."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=200)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class RefundOutcome(models.TextChoices):
    APPROVED = "approved", _("Refund approved")
    DECLINED = "declined", _("Refund declined")


class RefundDecision(models.Model):
    """An agent's decision on a refund or billing dispute (POLICY.md S12): the reason the
    policy accepts, the invoice, and the original payment method the refund goes back to."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="refund_decisions")
    outcome = models.CharField(max_length=20, choices=RefundOutcome.choices)
    reason_code = models.CharField(max_length=60, blank=True)
    invoice_number = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    payment_method = models.CharField(max_length=60, blank=True)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome} on {self.ticket_id}"


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")


class OwnershipVerification(models.Model):
    """S11, S13: a one-time link mailed to the account e-mail on file in billing (not to the
    address the request came from). Only the token's SHA-256 is kept; a link works once,
    until `expires_at`, for this ticket only; a newer link supersedes it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="verifications")
    account_id = models.CharField(max_length=64)
    sent_to = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.status} verification of {self.ticket_id}"


class PortalLinkKind(models.TextChoices):
    MAIL = "mail", _("Link in a message to the requester")
    NEW_LINK = "new_link", _("New link the requester asked for")
    CONTACT_FORM = "contact_form", _("Browser that sent the contact form")
    API = "api", _("Link given to the API client that opened the ticket")


class PortalLink(models.Model):
    """A requester's way into one ticket's portal page (issue 14). Only the SHA-256 of the
    link's token is kept. A link is exchanged once (`used_at`, by the browser whose session
    key hashes to `used_by`) for a session entry that names this row, so revoking the row
    (`revoked_at`: a newer link, or "sign out everywhere") ends that session too."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="portal_links")
    kind = models.CharField(max_length=20, choices=PortalLinkKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} link to {self.ticket_id}"


class SearchEntry(models.Model):
    """A ticket's subject, or one of its messages, as the console's search indexes it: words
    and CJK bigrams (tickets/searchtext.py) of the redacted text. The full-text index over
    `terms` lives beside the table: an FTS5 table kept by triggers on SQLite, a GIN index on
    a stored tsvector column `terms_vector` on PostgreSQL (migrations 0008, 0012)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    terms = models.TextField()

    def __str__(self) -> str:
        return f"search entry of {self.ticket_id}"


class Macro(models.Model):
    """A canned reply in each language, with placeholders ({name}, {reference}, {deadlines},
    {missing_evidence}) and optional actions applied when the reply is sent. Supervisors
    manage them (console: Macros); a text that asks for a password or code is refused."""

    name = models.CharField(max_length=100, unique=True)
    body_ja = models.TextField(blank=True)
    body_id = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    set_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    set_category = models.ForeignKey(
        "policy.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def body_in(self, language: str) -> str:
        """The ticket's language, else English, else whichever variant exists."""
        variants = {"ja": self.body_ja, "id": self.body_id, "en": self.body_en}
        return (
            variants.get(language)
            or self.body_en
            or next((text for text in variants.values() if text), "")
        )


class Presence(models.Model):
    """Who has a ticket's page open in the console, and whether they are typing a reply: the
    page reports every few seconds; a report older than a minute means gone (issue 12)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    typing = models.BooleanField(default=False)
    seen_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["ticket", "user"], name="one_presence_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.ticket_id}"


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    BAD = "bad", _("Bad")


class SatisfactionSurvey(models.Model):
    """One question after a resolution (CSAT): the link's token is kept only as its hash, works
    once and until `expires_at`; the agent is whoever held the ticket when it was resolved."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="surveys")
    token_hash = models.CharField(max_length=64, unique=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    rating = models.CharField(max_length=4, choices=Rating.choices, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["answered_at"], name="survey_answered"),
        ]

    def __str__(self) -> str:
        return f"survey of {self.ticket_id}: {self.rating or 'unanswered'}"
