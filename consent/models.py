"""The consent ledger (DESIGN.md rule 4).

Consents are events — grant, withdraw, object, accept a policy version — never updated or
deleted. On PostgreSQL a trigger makes the database itself refuse UPDATE and DELETE. Each
subject's events are hash-chained: every event stores the hash of the one before, so an
edit made behind the ORM's back breaks the chain and `verify_consent_ledger` names it.
"""

from __future__ import annotations

import hashlib
import json

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from vetpass.append_only import AppendOnlyModel


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", "Consent"
    CONTRACT = "contract", "Contract"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"


class Purpose(models.Model):
    """A purpose of processing. Codes are stable: code asks the ledger by code."""

    MARKETING_EMAIL = "marketing_email"
    MARKETING_SMS = "marketing_sms"
    TRACKING_PIXELS = "tracking_pixels"
    PRACTICE_SHARING = "practice_sharing"
    REIMBURSEMENT_SHARING = "reimbursement_sharing"
    ANALYTICS = "analytics"
    RESEARCH = "research"
    COOKIES_ANALYTICS = "cookies_analytics"
    CARE_REMINDERS = "care_reminders"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(help_text="Plain-language description shown to people.")
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    category = models.CharField(
        max_length=60, blank=True, help_text="Kantara purpose category, e.g. 'Marketing'."
    )
    scoped = models.BooleanField(
        default=False, help_text="Consent is given per scope (e.g. per practice)."
    )
    pii_categories = models.CharField(max_length=250, blank=True)
    third_party_disclosure = models.BooleanField(default=False)
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordering", "name"]

    def __str__(self) -> str:
        return self.name


class PolicyDocument(models.Model):
    class Kind(models.TextChoices):
        TERMS = "terms", "Terms of service"
        PRIVACY = "privacy", "Privacy policy"
        COOKIES = "cookies", "Cookie policy"

    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)
    title = models.CharField(max_length=120)

    def __str__(self) -> str:
        return self.title


class PolicyVersion(models.Model):
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=20)
    effective_from = models.DateTimeField()
    requires_acceptance = models.BooleanField(default=True)
    summary = models.TextField(blank=True, help_text="What changed, in plain words.")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document.title} v{self.version}"


class Action(models.TextChoices):
    GRANT = "grant", "Granted"
    WITHDRAW = "withdraw", "Withdrew"
    OBJECT = "object", "Objected"
    ACCEPT_POLICY = "accept_policy", "Accepted policy"


class ActorRole(models.TextChoices):
    SUBJECT = "subject", "The person themselves"
    AGENT = "agent", "An authorised agent"
    DPO = "dpo", "The data protection officer"
    SYSTEM = "system", "VetPass (automatic)"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API (mobile app)"
    EMAIL_LINK = "email_link", "Email link"
    ADMIN = "admin", "Recorded by the DPO (paper or phone)"
    SYSTEM = "system", "System"


@pgtrigger.register(
    pgtrigger.Protect(
        name="consent_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
    ),
)
class ConsentEvent(AppendOnlyModel):
    what = "The consent ledger"
    rows = "events"

    # The subject is a key, not a foreign key, so that erasing an account never has to touch
    # the ledger: "user:<id>" for an account, "email:<address>" for a person without one.
    subject_key = models.CharField(max_length=320, db_index=False)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # Empty only for accepting a policy version, which is about a document, not a purpose.
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    scope = models.CharField(max_length=100, blank=True, default="")
    action = models.CharField(max_length=20, choices=Action.choices)
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(
        max_length=10, choices=ActorRole.choices, default=ActorRole.SUBJECT
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    wording = models.TextField(blank=True, help_text="The words the person was shown.")
    created_at = models.DateTimeField(default=timezone.now)
    sequence = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["subject_key", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key", "sequence"], name="consent_event_chain_position"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(action="accept_policy", policy_version__isnull=False)
                    | (~models.Q(action="accept_policy") & models.Q(purpose__isnull=False))
                ),
                name="consent_event_names_purpose_or_policy",
            ),
        ]
        indexes = [
            # A whole mailing list at once: the latest event per subject for one
            # purpose/scope is an index-ordered scan (DISTINCT ON on PostgreSQL).
            models.Index(
                fields=["purpose", "scope", "subject_key", "-sequence"],
                name="consent_state_by_purpose",
            ),
            models.Index(
                fields=["subject_key", "purpose", "scope", "-sequence"], name="consent_current"
            ),
            models.Index(fields=["purpose", "scope", "created_at"], name="consent_by_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_key} {self.action} {self.purpose_id}/{self.scope} #{self.sequence}"

    def compute_hash(self) -> str:
        return event_hash(self)


def event_hash(event: ConsentEvent) -> str:
    """sha256 over the event's content and the previous hash, in a canonical form."""
    payload = {
        "subject_key": event.subject_key,
        "purpose": event.purpose.code if event.purpose is not None else None,
        "scope": event.scope,
        "action": event.action,
        "policy_version": event.policy_version_id,
        "actor": event.actor_id,
        "actor_role": event.actor_role,
        "channel": event.channel,
        "wording": event.wording,
        "created_at": event.created_at.isoformat(),
        "sequence": event.sequence,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class EmailSubject(models.Model):
    """The address behind a ledger subject key for a person without an account. The
    ledger keeps only the keyed hash (consent.services.subject_key_for); this row is the
    erasable place the address lives, so erasing the person deletes it and leaves the
    ledger whole and verifiable."""

    subject_key = models.CharField(max_length=80, unique=True)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.email
