"""Removal of accounts at the end of the inactivity period (VETPASS policy), through the
erasure engine: the same map, the same set-based statements, the same keyed-hash register,
files deleted after commit, and a signed certificate with the manifest, one per chunk of
owners removed together (`RET-` references, verified like any erasure certificate)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from vetpass.accounts.models import User

from ..erasure import engine, keys
from ..erasure.certificate import canonical
from ..erasure.services import erasure_files_sweep
from ..models import (
    ErasedSubject,
    ErasureCertificate,
    InactivityNotice,
    PendingFileDeletion,
    new_reference,
)
from ..personal_data_map import Person
from . import policy

State = InactivityNotice.State
INACTIVE = "removal after 21 months without use (VETPASS retention policy)"
UNCONFIRMED = "removal of a sign-up never confirmed, after 30 days (VETPASS retention policy)"


def _claim(notice_ids: Sequence[int], now: datetime) -> list[tuple[int, int]]:
    """Lock the notices still due (no use since, not removed by another sweep); a notice
    another sweep holds is skipped, not waited for."""
    return list(
        InactivityNotice.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=notice_ids, state__in=(State.SENT, State.HELD), removal_at__lte=now)
        .filter(period_start=Coalesce(F("owner__last_activity_at"), F("owner__date_joined")))
        .values_list("pk", "owner_id")
    )


def erase_owners(owners: Sequence[User], *, now: datetime, reason: str) -> str:
    """Erase these accounts together through the engine; the caller holds the transaction.
    Returns the reference of the signed certificate."""
    persons = [Person.of(user=owner) for owner in owners]
    hashes = sorted(keys.email_hash(owner.email) for owner in owners)
    manifest = engine.erase_rows(persons)
    reference = "RET-" + new_reference().removeprefix("DSR-")
    PendingFileDeletion.objects.bulk_create(
        [PendingFileDeletion(request=None, name=name) for name in manifest.files]
    )
    ErasedSubject.objects.bulk_create(
        [ErasedSubject(email_hash=h, reference=reference, erased_at=now) for h in hashes],
        update_conflicts=True,
        unique_fields=["email_hash"],
        update_fields=["reference", "erased_at", "request"],
    )
    payload = canonical(
        {
            "reference": reference,
            "reason": reason,
            "erased_at": now.isoformat(),
            "subject_hashes": hashes,
            "manifest": manifest.as_dict(),
        }
    )
    ErasureCertificate.objects.create(
        reference=reference,
        payload=payload,
        signature=keys.signing_key().sign(payload.encode()).hex(),
        public_key=keys.public_key_hex(),
        created_at=now,
    )
    transaction.on_commit(erasure_files_sweep, robust=True)
    return reference


def remove_inactive(notices_and_owners: Sequence[tuple[int, int]], *, now: datetime) -> int:
    """Remove the owners of these notices in one transaction; returns how many."""
    with transaction.atomic():
        claimed = _claim([notice for notice, _ in notices_and_owners], now)
        if not claimed:
            return 0
        owners = list(User.objects.filter(pk__in=[owner for _, owner in claimed]))
        erase_owners(owners, now=now, reason=INACTIVE)
        InactivityNotice.objects.filter(pk__in=[notice for notice, _ in claimed]).update(
            state=State.REMOVED, closed_at=now
        )
    return len(claimed)


def remove_unconfirmed(user_ids: Sequence[int], *, now: datetime) -> int:
    """Remove sign-ups whose address was never confirmed, 30 days on (VETPASS policy):
    they never used the service, so no notice goes to an address nobody confirmed."""
    with transaction.atomic():
        owners = list(
            unconfirmed_signups(now=now)
            .filter(pk__in=user_ids)
            .select_for_update(skip_locked=True, of=("self",))
        )
        if owners:
            erase_owners(owners, now=now, reason=UNCONFIRMED)
    return len(owners)


def unconfirmed_signups(*, now: datetime) -> QuerySet[User]:
    from allauth.account.models import EmailAddress

    return (
        User.objects.filter(
            is_active=True,
            is_staff=False,
            is_superuser=False,
            last_login__isnull=True,
            last_activity_at__isnull=True,
            date_joined__lte=policy.unconfirmed_signup_cutoff(now),
        )
        .filter(Exists(EmailAddress.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)))
    )
