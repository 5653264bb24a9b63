"""The account: one person, keyed by email, whatever roles they hold.

A vet who owns a dog uses one account. Practice roles (vet surgeon, nurse, technician,
administrative staff, practice administrator) come from memberships in `records`; the DPO
role is a flag here because it opens the Django admin. State that several apps must obey
(the last-activity time, a restriction) lives here, where every app can read it
(DESIGN.md rule 9).
"""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_countries.fields import CountryField

from vetpass.append_only import AppendOnlyModel


class Jurisdiction(models.TextChoices):
    UK = "uk", "United Kingdom (UK GDPR)"
    EEA = "eea", "European Economic Area (GDPR)"
    US_CA = "us-ca", "United States – California (CCPA)"
    US_OTHER = "us-other", "United States – other state"
    OTHER = "other", "Other"


EEA_COUNTRIES = frozenset(
    # fmt: off
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
    # fmt: on
)


def jurisdiction_for(country: str, region: str = "") -> str:
    """Derive the data-protection regime from where the person lives."""
    country = (country or "").upper()
    if country == "GB":
        return Jurisdiction.UK
    if country in EEA_COUNTRIES:
        return Jurisdiction.EEA
    if country == "US":
        return (
            Jurisdiction.US_CA
            if region.strip().upper() in {"CA", "CALIFORNIA"}
            else Jurisdiction.US_OTHER
        )
    return Jurisdiction.OTHER


class UserQuerySet(models.QuerySet["User"]):
    """Bulk writes to accounts drop the cached copies of the accounts they touch
    (vetpass.accounts.usercache): a restriction or an erasure applies at the next request."""

    def _pks_written(self) -> list[object]:
        # filter(pk=x) — every service's form — names its row; anything else is read.
        where = self.query.where
        if not self.query.is_sliced and where.connector == "AND" and len(where.children) == 1:
            lookup: Any = where.children[0]
            target = getattr(getattr(lookup, "lhs", None), "target", None)
            if getattr(lookup, "lookup_name", None) == "exact" and target is self.model._meta.pk:
                return [lookup.rhs]
        return list(self.values_list("pk", flat=True))

    def update(self, **kwargs: object) -> int:
        from .usercache import users_uncache

        pks = self._pks_written()
        changed = super().update(**kwargs)
        users_uncache(pks)
        return changed

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        from .usercache import users_uncache

        objs = list(objs)
        changed = super().bulk_update(objs, fields, batch_size=batch_size)
        users_uncache(obj.pk for obj in objs)
        return changed


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_dpo", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField("full name", max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    country = CountryField(blank=True)
    region = models.CharField(
        "state, county or region", max_length=100, blank=True, help_text="For the US, the state."
    )
    jurisdiction = models.CharField(
        max_length=10, choices=Jurisdiction.choices, default=Jurisdiction.OTHER
    )
    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField("postcode or ZIP", max_length=20, blank=True)
    phone = models.CharField(max_length=30, blank=True)

    is_active = models.BooleanField(default=True)
    # is_staff opens the Django admin: DPO and privacy staff only, never practice staff.
    is_staff = models.BooleanField(default=False)
    is_dpo = models.BooleanField("data protection officer", default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Read by the retention jobs; written only by accounts.services.activity_record.
    last_activity_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_activity_kind = models.CharField(max_length=30, blank=True)
    # Art. 18 restriction: set and cleared only by accounts.services.restriction_apply /
    # restriction_lift, which write a RestrictionEvent beside it; every app obeys it.
    restricted_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()  # type: ignore[misc]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # noqa: RUF012

    class Meta:
        ordering = ["email"]
        indexes = [
            # The retention sweep's one scan: accounts whose inactivity period (from the last
            # use, or from sign-up when never used) started before a date.
            models.Index(
                Coalesce("last_activity_at", "date_joined"), name="user_inactivity_anchor"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = self.email.lower()
        self.jurisdiction = jurisdiction_for(str(self.country or ""), self.region)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None


class RestrictionAction(models.TextChoices):
    APPLY = "apply", "Restriction applied"
    LIFT = "lift", "Restriction lifted"


@pgtrigger.register(
    pgtrigger.Protect(
        name="restriction_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
    ),
)
class RestrictionEvent(AppendOnlyModel):
    """One Art. 18 restriction applied to or lifted from an account, with the reason and
    who did it: the proof that a restriction was honoured (Art. 5(2) accountability).
    Written only by accounts.services.restriction_apply / restriction_lift, in the same
    transaction as the change to `User.restricted_at`. Append-only: the ORM refuses
    update and delete, and so does the database on PostgreSQL.

    References carry no database constraint and never cascade (like the access log), so
    erasing an account never has to touch its restriction history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="restriction_events",
    )
    action = models.CharField(max_length=10, choices=RestrictionAction.choices)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)

    what = "The restriction history"
    rows = "events"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {timezone.localtime(self.at):%d %B %Y %H:%M}"


class Session(AbstractBaseSession):
    """Django's database session with the signed-in account beside it, so that erasure
    and "sign out everywhere" find a person's sessions (web, and the apps' X-Session-Token
    of allauth's headless API) with one indexed DELETE instead of decoding every row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
