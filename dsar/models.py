"""Data-subject requests as cases (issue 8 §2–4).

A request moves through an explicit status machine (dsar.cases.TRANSITIONS); every change
of status, note, assignment and email is an append-only case event, written by the same
service function that makes the change (STYLE.md: audit rows by the function that acts).
Requests and their events are kept 24 months after they close (CCPA regulations §7101).
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from vetpass.accounts.models import Jurisdiction


class RequestType(models.TextChoices):
    CONFIRMATION = "confirmation", "Confirmation that we process your data"
    ACCESS = "access", "Access (a copy of your data)"
    PORTABILITY = "portability", "Portability (a file for you or another controller)"
    RECTIFICATION = "rectification", "Rectification"
    ERASURE = "erasure", "Erasure"
    RESTRICTION = "restriction", "Restriction of processing"
    OBJECTION_MARKETING = "objection_marketing", "Objection to direct marketing"
    OBJECTION_RESEARCH = "objection_research", "Objection to research or statistics"
    OBJECTION_LEGITIMATE = "objection_legitimate", "Objection to legitimate-interests processing"
    WITHDRAWAL = "withdrawal", "Withdrawal of consent"
    CCPA_KNOW_CATEGORIES = "ccpa_know_categories", "California: know (categories)"
    CCPA_KNOW_SPECIFIC = "ccpa_know_specific", "California: know (specific pieces)"
    CCPA_DELETE = "ccpa_delete", "California: delete"
    CCPA_OPT_OUT = "ccpa_opt_out", "California: opt out of sale or sharing"
    CCPA_DISCLOSURE = "ccpa_disclosure", "California: Civil Code 1798.83 disclosure"


# Requests that count against the CCPA's two access requests per person in 12 months.
CCPA_ACCESS_TYPES = frozenset(
    {RequestType.ACCESS, RequestType.CCPA_KNOW_CATEGORIES, RequestType.CCPA_KNOW_SPECIFIC}
)


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    AWAITING_VERIFICATION = "awaiting_verification", "Awaiting verification"
    VERIFIED = "verified", "Verified"
    IN_PROGRESS = "in_progress", "In progress"
    EXTENDED = "extended", "Extended"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"
    CLOSED_UNVERIFIED = "closed_unverified", "Closed (unverified)"


OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.AWAITING_VERIFICATION,
        Status.VERIFIED,
        Status.IN_PROGRESS,
        Status.EXTENDED,
    }
)


class Channel(models.TextChoices):
    WEB = "web", "Privacy centre (signed in)"
    API = "api", "App (signed in)"
    PUBLIC_FORM = "public_form", "Public form"
    AGENT = "agent", "Authorised agent"
    STAFF = "staff", "Entered by VetPass staff"


def new_reference() -> str:
    """A reference the subject can quote: short, unguessable, no look-alike letters."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"DSR-{body[:4]}-{body[4:]}"


class DataSubjectRequest(models.Model):
    reference = models.CharField(max_length=16, unique=True, default=new_reference)
    type = models.CharField(max_length=24, choices=RequestType.choices)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)
    jurisdiction = models.CharField(max_length=10, choices=Jurisdiction.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices)

    # Who it is about: the account when there is one; the details given otherwise.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_subject_requests",
    )
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    details = models.TextField(blank=True, help_text="What the person asked, in their words.")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The VetPass staff member who entered a request made by letter or phone.",
    )

    received_at = models.DateTimeField(default=timezone.now)
    acknowledge_by = models.DateField(null=True, blank=True)
    respond_by = models.DateField()
    extended_respond_by = models.DateField()
    # The clock stopped while identity documents were awaited (UK), and restarted.
    clock_stopped_on = models.DateField(null=True, blank=True)
    clock_restarted_on = models.DateField(null=True, blank=True)

    # The single-use link that proves the email address of a public request: only its
    # sha256 is stored, and it expires (dsar.verification).
    verification_token_hash = models.CharField(max_length=64, blank=True)
    verification_expires_at = models.DateTimeField(null=True, blank=True)
    declaration_signed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person declared, under penalty of perjury, that they are who "
        "they say (CCPA §7062, specific pieces of information).",
    )
    agent_authorisation = models.FileField(
        upload_to="dsar/agents/%Y/%m/",
        blank=True,
        help_text="An authorised agent's signed authority.",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_method = models.CharField(max_length=40, blank=True)
    # Why the DPO let a request through without the usual verification.
    verification_waived_reason = models.TextField(blank=True)
    extension_reason = models.TextField(blank=True)
    refusal_reason = models.TextField(blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["respond_by", "pk"]
        indexes = [
            models.Index(fields=["status", "respond_by"], name="dsar_queue"),
            models.Index(fields=["subject", "type", "received_at"], name="dsar_by_subject"),
            models.Index(fields=["email", "type", "received_at"], name="dsar_by_email"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_type_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def due_on(self):  # type: ignore[no-untyped-def]
        """The date the answer is due now: the extended date once extended."""
        return self.extended_respond_by if self.status == Status.EXTENDED else self.respond_by


class CaseEventKind(models.TextChoices):
    STATUS = "status", "Status changed"
    NOTE = "note", "Internal note"
    ASSIGNED = "assigned", "Assigned"
    EMAIL = "email", "Email sent"
    CLOCK = "clock", "Clock stopped or restarted"
    EXPORT = "export", "Export built or downloaded"
    ACTION = "action", "Action taken"


class CaseEvent(models.Model):
    """One entry of a case's timeline. Never updated; removed only with its request when
    the 24-month retention ends."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=CaseEventKind.choices)
    from_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise TypeError("Case events are append-only: they are never updated.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class DueReminder(models.Model):
    """A reminder to the DPO that a case is due in 7, 3 or 1 days: at most one per case and
    day count, by a unique constraint, so overlapping runs cannot send it twice."""

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="reminders"
    )
    days_before = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "days_before", "due_on"], name="dsar_one_reminder_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} due in {self.days_before} days"


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self, today: date | None = None) -> LegalHoldQuerySet:
        """Holds in force on `today`: not lifted, and without an end or ending today or
        later. The one definition every job and service asks (LegalHold.is_active is
        the same rule for one row)."""
        today = today or timezone.localdate()
        return self.filter(lifted_at__isnull=True).filter(
            models.Q(until__isnull=True) | models.Q(until__gte=today)
        )


class LegalHold(models.Model):
    """Data under a legal hold (a claim, an investigation, a court order) survives erasure
    and retention until the hold ends: erasure refuses while one is active."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    # Empty: the hold covers the whole subject and erasure refuses. Set: only this animal
    # and its records are held; erasure erases the rest and leaves them (PROTECT makes the
    # database refuse their deletion too).
    animal = models.ForeignKey(
        "records.Animal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
        help_text="Leave empty to hold everything of the subject.",
    )
    # What the hold covered, in words: kept when lifting releases the animal.
    scope = models.CharField(max_length=200, blank=True, editable=False)
    reason = models.TextField(help_text="The claim, investigation or order, and its reference.")
    until = models.DateField(null=True, blank=True, help_text="Empty: until lifted.")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at"]

    def __str__(self) -> str:
        return f"Hold on {self.subject_id} since {self.placed_at:%Y-%m-%d}"

    def is_active(self, today: object = None) -> bool:
        today = today or timezone.localdate()
        return self.lifted_at is None and (self.until is None or self.until >= today)  # type: ignore[operator]


# --- Retention (issue 9) -------------------------------------------------------------------


class InactivityNotice(models.Model):
    """The notice that an account unused for 18 months will be removed (VETPASS policy).

    One per owner and inactivity period: `period_start` is the last use of a service (or
    the sign-up) that the period counts from, and the unique constraint makes a second
    notice for the same period impossible even when two sweeps overlap. Any later use
    starts a new period (a different `period_start`), which cancels this notice."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"  # the email is in the outbox
        SENT = "sent", "Sent"  # the outbox delivered it; removal is scheduled
        UNDELIVERABLE = "undeliverable", "Could not be delivered (for the DPO)"
        CANCELLED = "cancelled", "Cancelled by use of a service"
        HELD = "held", "Removal stopped (legal hold, open request or restriction)"
        REMOVED = "removed", "Account removed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inactivity_notices"
    )
    period_start = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    # The removal time the email states; removal is never before it.
    stated_removal_at = models.DateTimeField()
    email = models.ForeignKey(
        "outbox.OutboxEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the outbox really delivered it, copied before the outbox forgets sent mail.
    sent_at = models.DateTimeField(null=True, blank=True)
    # max(stated time, three months after sent_at): set once the notice was sent.
    removal_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    held_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "period_start"], name="one_notice_per_inactivity_period"
            )
        ]
        indexes = [models.Index(fields=["state", "removal_at"])]

    def __str__(self) -> str:
        return f"Inactivity notice for account {self.owner_id} ({self.state})"


class InactivityReminder(models.Model):
    """A reminder 30 or 7 days before the removal date: once per notice and kind."""

    notice = models.ForeignKey(InactivityNotice, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "days_before"], name="one_reminder_per_notice_and_kind"
            )
        ]


class RetentionRun(models.Model):
    """One run of the retention sweep: when, how long, and its counts (for the admin)."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Retention sweep at {self.started_at:%Y-%m-%d %H:%M}"


# --- Erasure (issue 8 §6; dsar.erasure) ----------------------------------------------------


class ErasedSubject(models.Model):
    """A keyed hash (HMAC under settings.ERASURE_SIGNING_KEY) of an erased person's address,
    never the address: so that the person is not mailed again, and so that erasing them
    again changes nothing."""

    email_hash = models.CharField(max_length=64, unique=True)
    reference = models.CharField(max_length=16, help_text="The erasure's case.")
    # The case goes after its 24 months; the register stays (SET_NULL).
    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    erased_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"erased {self.erased_at:%Y-%m-%d}"


class ErasureCertificate(models.Model):
    """What the erasure did (the manifest: counts per table and column, never a value),
    signed with Ed25519; `python manage.py dsar_verify_certificate REFERENCE` checks it."""

    # The case's reference, kept here: the certificate outlives the case's 24 months.
    reference = models.CharField(max_length=16, unique=True)
    request = models.OneToOneField(
        DataSubjectRequest,
        on_delete=models.SET_NULL,
        null=True,
        related_name="erasure_certificate",
    )
    payload = models.TextField(help_text="Canonical JSON: the case, the time, the manifest.")
    signature = models.CharField(max_length=128)
    public_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"certificate for {self.reference}"


class PendingFileDeletion(models.Model):
    """A stored file of erased data, written in the erasure's transaction and removed after
    commit; a crash in between leaves the row, and the next run or sweep finishes it."""

    # Empty for a removal by the retention sweep, which is not a request.
    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, null=True, related_name="+"
    )
    name = models.CharField(max_length=500)

    def __str__(self) -> str:
        return self.name


class PracticeNotice(models.Model):
    """The practices that had the person's data are told of the erasure (GDPR Art. 17(2),
    Art. 19); each acknowledges through a signed link, tracked here on the case."""

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="practice_notices"
    )
    practice = models.ForeignKey("records.Practice", on_delete=models.CASCADE, related_name="+")
    why = models.CharField(max_length=200, help_text="How the practice had the data.")
    sent_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "practice"], name="dsar_one_notice_per_practice"
            )
        ]

    def __str__(self) -> str:
        return f"notice to {self.practice_id} on {self.request_id}"


# The export's model lives with the rest of the export (dsar/export/); importing it here is
# what makes Django register it with the dsar app.
from .export.models import DataExport, ExportStatus  # noqa: E402, F401


class PracticeSubscriptionEnd(models.Model):
    """The end of a practice's subscription, and what the Kontak policy does about it: its
    administrators are told once, and the client data held for it is anonymised on
    `anonymise_on` (the end + the grace period, never later than the end + 3 months)
    unless a renewal comes first (dsar.retention.practices).

    One row per practice and end date: the unique constraint makes a second notice for the
    same end impossible even when two sweeps overlap. A renewal cancels the row; a later
    end is a new row with its own notice."""

    class State(models.TextChoices):
        PENDING = "pending", "Administrators told; anonymisation scheduled"
        CANCELLED = "cancelled", "Cancelled by a renewal"
        HELD = "held", "Anonymised, except owners under a legal hold"
        ANONYMISED = "anonymised", "Client data anonymised"

    practice = models.ForeignKey(
        "records.Practice", on_delete=models.CASCADE, related_name="subscription_ends"
    )
    ended_on = models.DateField(help_text="The subscription's last day.")
    anonymise_on = models.DateField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    # How many administrators (or the practice's own address, when it has none) were told.
    notices_sent = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Counts per table of the last anonymisation run, and owners held back by a legal hold.
    counts = models.JSONField(default=dict, blank=True)
    held_owners = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-ended_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "ended_on"], name="one_record_per_subscription_end"
            )
        ]
        indexes = [models.Index(fields=["state", "anonymise_on"])]

    def __str__(self) -> str:
        return f"Subscription of practice {self.practice_id} ended {self.ended_on} ({self.state})"
