"""Client data of a practice whose subscription ended is anonymised (issue 9; Kontak policy:
"client data processed on a practice's behalf is anonymised within three months of the end
of its subscription").

The timeline, per practice P and end date (`Practice.subscription_ends_on`, its last day):

1. the day after the end, a `PracticeSubscriptionEnd` row is written and P's administrators
   are told (one outbox email each, or P's own address when it has none), in the same
   transaction; the unique constraint on (practice, end date) means once, even when two
   sweeps overlap;
2. a renewal (the end date moved or cleared) before the anonymisation cancels it; a later
   end is a new row with its own notice;
3. on `anonymise_on` = end + settings.PRACTICE_ANONYMISE_GRACE_DAYS (60), never later than
   end + settings.POLICY_PRACTICE_ANONYMISE_MONTHS (3), the client data held for P is
   anonymised. An end found late (the date set in the past) is anonymised at once when
   that date has passed: the policy's limit is from the end, not from the notice.

What "anonymised" means, table by table, for every owner O of P not under a legal hold.
The test is: after it, no row in VetPass says "O was a client of P" or "P's staff member S
wrote this on O's animal", and nothing the owner holds as their own record is lost.

- consent ledger: O's sharing with P is ended through the ledger (a withdraw event,
  actor "VetPass (automatic)", wording naming the subscription end), so the ledger, which
  is the owner's proof of what they shared and when, records the end of sharing. The
  ledger itself is append-only and is kept, as it is by erasure.
- records.ClientRegistration of P: deleted (the practice's list of its clients).
- records.Favorite of P (and their animals): deleted after the ledger event; the
  registration they PROTECT goes after them. The owner's history of sharing is the
  ledger's, not this row's.
- records.RecordRequest to P: deleted (a request to a practice that no longer exists here).
- records.EmergencyShare named for or redeemed by P: a live one is revoked; each keeps the
  owner's record that they shared in an emergency, with `practice` and `redeemed_by` set
  to null.
- records.Entry written or imported by P's staff (`practice` = P) on O's animals: the
  clinical content stays in the owner's record, detached: `practice` and `author` set to
  null (`source` stays "practice" or "import", so the owner still sees it came from a vet,
  not whom). A DPO can defend this: a vaccination or an allergy on the owner's own animal
  is the owner's record too (the owner saw it, relies on it for the animal's care and
  travel papers), while what VetPass held *for P* was the link to P and its staff. After
  this, erasing O deletes those entries like the rest of O's record, since no practice
  keeps them here any more. P keeps its own clinical record in its own systems.
- P's entries on the animals of an already erased owner (a tombstone account, kept only
  as P's clinical record): deleted, files included, and the animal too when no other
  practice's record hangs off it. There is no owner's record left to keep them for.
- records.PracticeMembership of P: ended (`left_at`), rows kept: staff data, not client
  data, and the access log's viewers must stay explainable; staff accounts stay.
- records.AccessLog: untouched (append-only; accountability for 6 years).

An owner under an active legal hold (`dsar.LegalHold`, whole subject or one animal) keeps
everything above at P; the row is then HELD with the count, and later sweeps finish the
owner once the hold is lifted.

Each chunk of owners is one transaction that locks P's row and checks that the
subscription has not been renewed meanwhile; every statement filters on P and the chunk, so
a sweep killed at any point and run again reaches the same end state.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from consent.models import ActorRole
from consent.models import Channel as ConsentChannel
from consent.services import consent_withdraw
from records.models import (
    Animal,
    ClientRegistration,
    EmergencyShare,
    Entry,
    Favorite,
    Practice,
    PracticeMembership,
    RecordRequest,
)
from records.practices.access import SHARING_PURPOSE, sharing_scope
from vetpass.outbox.services import outbox_enqueue

from ..deadlines import add_months
from ..erasure.keys import ERASED_DOMAIN
from ..models import LegalHold, PracticeSubscriptionEnd

logger = logging.getLogger(__name__)

CHUNK = 500
State = PracticeSubscriptionEnd.State


@dataclass
class PracticeCounts:
    ended: int = 0  # subscription ends found (administrators told)
    notices: int = 0  # emails queued
    cancelled: int = 0  # renewed before the anonymisation
    reopened: int = 0  # a renewal taken back: the same end date again
    anonymised: int = 0  # practices whose client data was anonymised
    held: int = 0  # owners kept back by a legal hold
    due: int = 0  # ends whose anonymisation ran (or, held back, ran again) today
    in_grace: int = 0  # ends left pending after the sweep: anonymised on a later day
    tables: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, rows: int) -> None:
        if rows:
            self.tables[label] = self.tables.get(label, 0) + rows

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def anonymise_on(ended_on: date) -> date:
    """The grace period after the end, and never later than three months after it."""
    grace = ended_on + timedelta(days=settings.PRACTICE_ANONYMISE_GRACE_DAYS)
    return min(grace, add_months(ended_on, settings.POLICY_PRACTICE_ANONYMISE_MONTHS))


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- 1. Renewals --------------------------------------------------------------------------


def _cancel_renewed(*, now: datetime, counts: PracticeCounts) -> None:
    """A pending anonymisation whose practice's end date has moved (renewed) or been cleared."""
    renewed = PracticeSubscriptionEnd.objects.filter(state=State.PENDING).filter(
        Q(practice__subscription_ends_on__isnull=True)
        | ~Q(practice__subscription_ends_on=F("ended_on"))
    )
    counts.cancelled += renewed.update(state=State.CANCELLED, closed_at=now)


def _reopen_unrenewed(*, counts: PracticeCounts) -> None:
    """A renewal taken back (the end date set back to the very date a cancelled row is
    for): the row is pending again, with its original date, so the three months still
    count from the end. The administrators were told of this end already: no new email."""
    back = PracticeSubscriptionEnd.objects.filter(
        state=State.CANCELLED, practice__subscription_ends_on=F("ended_on")
    )
    counts.reopened += back.update(state=State.PENDING, closed_at=None)


# --- 2. Ends and notices ------------------------------------------------------------------


def _administrators(practice: Practice) -> list[str]:
    emails = list(
        PracticeMembership.objects.filter(
            practice=practice, left_at__isnull=True, is_practice_admin=True, user__is_active=True
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return emails or ([practice.email] if practice.email else [])


def _notice(end: PracticeSubscriptionEnd) -> list[EmailMessage]:
    practice = end.practice
    context = {
        "practice": practice.name,
        "ended_on": f"{end.ended_on:%d %B %Y}",
        "anonymise_on": f"{end.anonymise_on:%d %B %Y}",
        "clients": ClientRegistration.objects.filter(
            practice=practice, ended_at__isnull=True
        ).count(),
    }
    text = render_to_string("dsar/email/practice_subscription_ended.txt", context)
    subject, _, body = text.partition("\n")
    return [
        EmailMessage(subject.strip(), body.lstrip("\n"), None, [address])
        for address in _administrators(practice)
    ]


def _record_ends(*, today: date, counts: PracticeCounts) -> None:
    """A row, and the administrators' notice, for every subscription that has ended."""
    recorded = PracticeSubscriptionEnd.objects.filter(
        practice=OuterRef("pk"), ended_on=OuterRef("subscription_ends_on")
    )
    ended = (
        Practice.objects.filter(subscription_ends_on__lt=today)
        .exclude(Exists(recorded))
        .values_list("pk", "subscription_ends_on")
    )
    for practice_id, ended_on in list(ended):
        if ended_on is None:  # the filter excludes it; for the type checker
            continue
        with transaction.atomic():
            end, created = PracticeSubscriptionEnd.objects.get_or_create(
                practice_id=practice_id,
                ended_on=ended_on,
                defaults={"anonymise_on": anonymise_on(ended_on)},
            )
            if not created:  # another sweep won: it sent the notice
                continue
            messages = _notice(end)
            outbox_enqueue(messages=messages)
            end.notices_sent = len(messages)
            end.save(update_fields=["notices_sent"])
        counts.ended += 1
        counts.notices += len(messages)


# --- 3. Anonymisation ---------------------------------------------------------------------


def client_owner_ids(practice_id: int) -> set[int]:
    """Every owner whose data is held for the practice: registered, sharing, asking,
    sharing in an emergency, or with an entry its staff wrote."""
    owners: set[int] = set()
    for queryset, column in (
        (ClientRegistration.objects.filter(practice_id=practice_id), "owner_id"),
        (Favorite.objects.filter(practice_id=practice_id), "owner_id"),
        (RecordRequest.objects.filter(practice_id=practice_id), "owner_id"),
        (EmergencyShare.objects.filter(practice_id=practice_id), "owner_id"),
        (Entry.objects.filter(practice_id=practice_id), "animal__owner_id"),
    ):
        owners.update(queryset.values_list(column, flat=True).distinct())
    return owners


def held_owner_ids(owner_ids: Sequence[int] | set[int], *, today: date) -> set[int]:
    """Owners under an active legal hold (on them, or on one of their animals)."""
    holds = LegalHold.objects.active(today).filter(subject_id__in=owner_ids)
    return set(holds.values_list("subject_id", flat=True))


def _still_ended(end: PracticeSubscriptionEnd) -> bool:
    """Lock the practice and check it was not renewed since: a renewal cancels, also half-way."""
    ends_on = (
        Practice.objects.select_for_update()
        .filter(pk=end.practice_id)
        .values_list("subscription_ends_on", flat=True)
        .first()
    )
    return ends_on == end.ended_on


def _end_sharing(practice: Practice, owner_ids: Sequence[int], end: PracticeSubscriptionEnd) -> int:
    """The ledger records the end of each owner's sharing (and, through
    favorite_end_on_withdrawal, ends the favorite and the registration). One event per
    owner: each subject's events are hash-chained, so the ledger is written row by row."""
    wording = (
        f"Sharing with {practice.name} ended: its VetPass subscription ended on "
        f"{end.ended_on:%d %B %Y} and the client data held for it was anonymised "
        f"(Kontak policy)."
    )
    favorites = Favorite.objects.filter(
        practice=practice, owner_id__in=owner_ids, ended_at__isnull=True
    ).select_related("owner")
    ended = 0
    for favorite in favorites:
        consent_withdraw(
            subject=favorite.owner,
            purpose=SHARING_PURPOSE,
            scope=sharing_scope(practice),
            channel=ConsentChannel.SYSTEM,
            actor_role=ActorRole.SYSTEM,
            wording=wording,
        )
        ended += 1
    return ended


def _anonymise_owners(
    practice: Practice,
    owner_ids: Sequence[int],
    end: PracticeSubscriptionEnd,
    *,
    now: datetime,
    counts: PracticeCounts,
) -> None:
    counts.add("consent.ConsentEvent (sharing ended)", _end_sharing(practice, owner_ids, end))
    mine = {"practice": practice, "owner_id__in": owner_ids}
    counts.add("records.RecordRequest", RecordRequest.objects.filter(**mine).delete()[0])
    favorites = Favorite.objects.filter(**mine)
    counts.add("records.Favorite", favorites.count())
    favorites.delete()
    counts.add("records.ClientRegistration", ClientRegistration.objects.filter(**mine).delete()[0])
    shares = EmergencyShare.objects.filter(**mine)
    shares.filter(revoked_at__isnull=True, expires_at__gt=now).update(revoked_at=now)
    counts.add("records.EmergencyShare", shares.update(practice=None, redeemed_by=None))

    entries = Entry.objects.filter(practice=practice, animal__owner_id__in=owner_ids)
    erased = Q(animal__owner__email__endswith=f"@{ERASED_DOMAIN}")
    orphaned = entries.filter(erased)
    files = list(orphaned.exclude(document="").values_list("document", flat=True))
    animal_ids = list(orphaned.values_list("animal_id", flat=True).distinct())
    counts.add("records.Entry (deleted, owner erased)", orphaned.count())
    orphaned.delete()
    counts.add("records.Entry", entries.exclude(erased).update(practice=None, author=None))
    bare = Animal.objects.filter(pk__in=animal_ids).exclude(
        Exists(Entry.objects.filter(animal=OuterRef("pk"), practice__isnull=False))
    )
    bare_photos = list(bare.exclude(photo="").values_list("photo", flat=True))
    counts.add("records.Animal (deleted, owner erased)", bare.count())
    bare.delete()
    if files or bare_photos:
        transaction.on_commit(lambda: _delete_files([*files, *bare_photos]), robust=True)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def practice_anonymise(
    *, end: PracticeSubscriptionEnd, now: datetime, counts: PracticeCounts | None = None
) -> PracticeSubscriptionEnd:
    """Anonymise the client data held for the practice of `end`, one transaction per chunk
    of owners, holding back owners under a legal hold. Safe to run again."""
    counts = counts if counts is not None else PracticeCounts()
    practice = end.practice
    today = timezone.localdate(now)
    owners = sorted(client_owner_ids(practice.pk))
    held = held_owner_ids(owners, today=today)
    free = [pk for pk in owners if pk not in held]
    mine = PracticeCounts()
    for chunk in _chunks(free, CHUNK):
        with transaction.atomic():
            if not _still_ended(end):
                return _cancel(end, now=now, counts=counts)
            _anonymise_owners(practice, chunk, end, now=now, counts=mine)
    with transaction.atomic():
        if not _still_ended(end):
            return _cancel(end, now=now, counts=counts)
        # Under the practice's lock: a sweep running beside this one may have finished it.
        end.refresh_from_db(fields=["state", "closed_at", "counts"])
        staff = PracticeMembership.objects.filter(practice=practice, left_at__isnull=True)
        mine.add("records.PracticeMembership (ended)", staff.update(left_at=now))
        first = end.state == State.PENDING
        end.state = State.HELD if held else State.ANONYMISED
        end.closed_at = end.closed_at or now
        end.held_owners = len(held)
        for label, rows in mine.tables.items():
            end.counts[label] = end.counts.get(label, 0) + rows
        end.save(update_fields=["state", "closed_at", "held_owners", "counts"])
    counts.anonymised += 1 if first else 0
    counts.due += 1
    counts.held += len(held)
    for label, rows in mine.tables.items():
        counts.add(label, rows)
    logger.info(
        "practice %s: client data anonymised (%s owners held): %s",
        practice.pk,
        len(held),
        mine.tables,
    )
    return end


def _cancel(
    end: PracticeSubscriptionEnd, *, now: datetime, counts: PracticeCounts
) -> PracticeSubscriptionEnd:
    PracticeSubscriptionEnd.objects.filter(pk=end.pk).update(state=State.CANCELLED, closed_at=now)
    counts.cancelled += 1
    end.refresh_from_db()
    return end


def _anonymise_due(*, now: datetime, counts: PracticeCounts) -> None:
    today = timezone.localdate(now)
    due = PracticeSubscriptionEnd.objects.filter(
        state__in=(State.PENDING, State.HELD), anonymise_on__lte=today
    ).select_related("practice")
    for end in list(due):
        practice_anonymise(end=end, now=now, counts=counts)


# --- The job ------------------------------------------------------------------------------


def _in_grace(*, today: date) -> int:
    return PracticeSubscriptionEnd.objects.filter(
        state=State.PENDING, anonymise_on__gt=today
    ).count()


def _preview(*, today: date, counts: PracticeCounts) -> None:
    """What the sweep would do today, by the same rules, changing nothing: the ends it would
    cancel, take back, record (and the emails to the administrators), anonymise, and those
    left in their grace period. Owners held back are counted when it runs (per owner)."""
    rows = PracticeSubscriptionEnd.objects.filter(
        state__in=(State.PENDING, State.HELD, State.CANCELLED)
    ).values_list("state", "ended_on", "anonymise_on", "practice__subscription_ends_on")
    pending: list[tuple[date, bool]] = []  # (anonymise_on, first time) after steps 1 and 2
    for state, ended_on, on, ends_on in rows:
        renewed = ends_on != ended_on
        if state == State.PENDING and renewed:
            counts.cancelled += 1
        elif state == State.CANCELLED and not renewed:
            counts.reopened += 1
            pending.append((on, True))
        elif state == State.PENDING:
            pending.append((on, True))
        elif state == State.HELD and renewed and on <= today:
            counts.cancelled += 1  # found renewed when its anonymisation runs again
        elif state == State.HELD:
            pending.append((on, False))
    recorded = PracticeSubscriptionEnd.objects.filter(
        practice=OuterRef("pk"), ended_on=OuterRef("subscription_ends_on")
    )
    for practice in Practice.objects.filter(subscription_ends_on__lt=today).exclude(
        Exists(recorded)
    ):
        counts.ended += 1
        counts.notices += len(_administrators(practice))
        pending.append((anonymise_on(practice.subscription_ends_on), True))  # type: ignore[arg-type]
    for on, first in pending:
        if on > today:
            counts.in_grace += 1
            continue
        counts.due += 1
        counts.anonymised += 1 if first else 0


def practice_subscription_sweep(
    *, now: datetime | None = None, dry_run: bool = False
) -> PracticeCounts:
    """What beat runs daily: cancel renewed ends, record new ends and tell the
    administrators, anonymise what is due. Counts are logged and returned. With `dry_run`,
    the same counts of what it would do, changing nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = PracticeCounts()
    if dry_run:
        _preview(today=today, counts=counts)
        logger.info("practice subscription sweep (dry run): %s", counts.as_dict())
        return counts
    _cancel_renewed(now=now, counts=counts)
    _reopen_unrenewed(counts=counts)
    _record_ends(today=today, counts=counts)
    _anonymise_due(now=now, counts=counts)
    counts.in_grace = _in_grace(today=today)
    logger.info("practice subscription sweep: %s", counts.as_dict())
    return counts
