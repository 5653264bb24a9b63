"""Due reminders (issue 11): "Vaccinations and treatments with a next-due date produce
reminders (email, and a list in the API for push), de-duplicated across practices (a
reminder stops when any practice or the owner records the dose), respecting consent and
restriction, sent at most once per due item and lead time (a unique constraint), by a beat
task defined in code like the retention sweep."

- What is due now is ONE selector, `due_items`: the latest dose of each due item (animal,
  kind, product name ignoring case and surrounding spaces) that carries a next-due date, of
  an animal that is alive. A later entry of the same kind and product — whoever recorded
  it, any practice or the owner, with or without a new due date — supersedes the earlier
  one, so the item is never reminded twice over and stops when the dose is recorded. The
  owner's web list, the API and the sweep all read it.
- Reminders by email are sent only to owners whose latest "care_reminders" event in the
  consent ledger is a grant (asked at the moment of sending), who are not restricted
  (Art. 18) and whose account is active. They are opt-in: a due date is often written by a
  practice rather than asked for by the owner, and a prompt to go and buy a vaccination is
  promotion of a service (PECR reg. 22), so the ledger holds the owner's yes and its
  withdrawal stops them at once.
- The sweep is set-based and batched: each chunk is one transaction that claims its due
  entries with SELECT ... FOR UPDATE SKIP LOCKED, writes the reminder rows with INSERT ...
  ON CONFLICT DO NOTHING RETURNING (the unique constraint on (animal, due item, due date,
  lead time) is the claim), and the emails for exactly the rows it inserted into the
  outbox, one email per owner per chunk. Two sweeps at once, or one run twice, send each
  reminder once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Lower, Trim
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from consent.models import Purpose
from consent.selectors import consent_given, consenting_users
from vetpass.accounts.models import User
from vetpass.outbox.services import outbox_enqueue

from . import selectors
from .models import Animal, CareReminder, Entry, EntryKind
from .vaccinations import urgency

logger = logging.getLogger(__name__)

# The kinds that carry a next-due date, and the field that names what is given.
DUE_NAME_FIELDS: dict[str, str] = {
    EntryKind.VACCINATION: "vaccine_product",
    EntryKind.MEDICATION: "medication_name",
}


def _what() -> Case:
    """What the entry gives, as written (the product or medication name)."""
    return Case(
        *(When(kind=kind, then=F(name)) for kind, name in DUE_NAME_FIELDS.items()),
        default=Value(""),
        output_field=CharField(),
    )


def _with_due_name(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    return entries.annotate(due_name=Lower(Trim(_what())))


def _later_dose() -> Exists:
    """A later entry of the same kind and product for the same animal (a dose with no
    product name is never matched). Two on the same day: the one recorded last is later."""
    return Exists(
        _with_due_name(Entry.objects.filter(animal=OuterRef("animal"), kind=OuterRef("kind")))  # type: ignore[misc]
        .exclude(due_name="")
        .filter(due_name=OuterRef("due_name"))
        .filter(
            Q(occurred_on__gt=OuterRef("occurred_on"))
            | Q(occurred_on=OuterRef("occurred_on"), pk__gt=OuterRef("pk"))
        )
    )


def _due_key() -> Case:
    return Case(
        When(due_name="", then=Concat(Value("entry:"), Cast("pk", CharField()))),
        default=Concat(F("kind"), Value(":"), F("due_name")),
        output_field=CharField(),
    )


def due_items(*, animals: QuerySet[Animal]) -> QuerySet[Entry]:
    """What is due for these animals: one entry per due item, the latest dose, annotated
    with `due_key` (the item's identity across practices), `what` and `due_name`. The one
    answer to "what is due" for the owner's list, the API and the reminder sweep."""
    entries = _with_due_name(
        Entry.objects.filter(
            animal__in=animals,
            animal__deceased=False,
            kind__in=list(DUE_NAME_FIELDS),
            next_due_on__isnull=False,
        )
    )
    return entries.filter(~_later_dose()).annotate(due_key=_due_key(), what=_what())


# --- the owner's list (web and API) ---------------------------------------------------


@dataclass
class DueItem:
    entry_id: int
    animal: Animal
    kind: str
    what: str
    due_on: date
    state: str  # overdue / soon / ok, as the dashboard colours due dates
    reminded: list[CareReminder] = field(default_factory=list)

    @property
    def last_reminded_at(self) -> datetime | None:
        return max((r.sent_at for r in self.reminded), default=None)


def owner_due_items(*, user: User, today: date | None = None) -> list[DueItem]:
    """The due items of every animal the person owns or co-owns, soonest first, each with
    the reminders already sent for it. Three queries, however many animals."""
    today = today or timezone.localdate()
    animals = selectors.animals_owned_or_shared(user)
    entries = list(
        due_items(animals=animals).select_related("animal").order_by("next_due_on", "pk")
    )
    sent: dict[tuple[int, str, date], list[CareReminder]] = defaultdict(list)
    for reminder in CareReminder.objects.filter(animal__in=[e.animal_id for e in entries]).order_by(
        "lead_days"
    ):
        sent[(reminder.animal_id, reminder.due_key, reminder.due_on)].append(reminder)
    return [
        DueItem(
            entry_id=e.pk,
            animal=e.animal,
            kind=e.kind,
            what=e.what or e.get_kind_display(),  # type: ignore[attr-defined]
            due_on=e.next_due_on,  # type: ignore[arg-type]
            state=urgency(e.next_due_on, today),
            reminded=sent.get((e.animal_id, e.due_key, e.next_due_on), []),  # type: ignore[attr-defined, arg-type]
        )
        for e in entries
    ]


def care_reminders_on(user: User) -> bool:
    """Whether this person gets due reminders by email now (consent, not restricted)."""
    return user.is_active and not user.is_restricted and consent_given(user, Purpose.CARE_REMINDERS)


# --- the sweep ------------------------------------------------------------------------


@dataclass
class ReminderRun:
    reminders: int = 0
    emails: int = 0
    chunks: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"reminders": self.reminders, "emails": self.emails, "chunks": self.chunks}


def lead_days() -> list[int]:
    return sorted({int(d) for d in settings.CARE_REMINDER_LEAD_DAYS})


def reminder_candidates(*, today: date) -> QuerySet[Entry]:
    """Due entries of consenting owners with a reminder to send today: due between today
    and the longest lead time, annotated with the lead time (the nearest still ahead, so
    a missed run catches up once) and without a reminder row for it yet."""
    leads = lead_days()
    lead = Case(
        *(When(next_due_on__lte=today + timedelta(days=d), then=Value(d)) for d in leads),
        output_field=IntegerField(),
    )
    animals = Animal.objects.filter(owner__in=consenting_users(Purpose.CARE_REMINDERS))
    sent = CareReminder.objects.filter(
        animal=OuterRef("animal"),
        due_key=OuterRef("due_key"),
        due_on=OuterRef("next_due_on"),
        lead_days=OuterRef("lead_days"),
    )
    return (
        due_items(animals=animals)
        .filter(next_due_on__gte=today, next_due_on__lte=today + timedelta(days=leads[-1]))
        .annotate(lead_days=lead)
        .filter(~Exists(sent))
    )


def _insert(rows: list[dict[str, Any]]) -> set[tuple[int, str, date, int]]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the rows this chunk really wrote."""
    table = connection.ops.quote_name(CareReminder._meta.db_table)
    columns = ("owner_id", "animal_id", "due_key", "what", "due_on", "lead_days", "sent_at")
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    params = [row[c] for row in rows for c in columns]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "  # noqa: S608 - model metadata and placeholders only
        "ON CONFLICT (animal_id, due_key, due_on, lead_days) DO NOTHING "
        "RETURNING animal_id, due_key, due_on, lead_days"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (a, k, d if isinstance(d, date) else date.fromisoformat(d), int(lead))
            for a, k, d, lead in cursor.fetchall()
        }


def _emails(rows: list[dict[str, Any]], today: date) -> list[EmailMessage]:
    by_owner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_owner[row["owner_id"]].append(row)
    link = settings.SITE_URL.rstrip("/") + reverse("records:reminder_list")
    privacy = settings.SITE_URL.rstrip("/") + reverse("consent:home")
    messages = []
    for items in by_owner.values():
        items.sort(key=lambda r: (r["due_on"], r["animal_name"]))
        for item in items:
            item["days"] = (item["due_on"] - today).days
        first = items[0]
        subject = (
            f"{first['animal_name']}: {first['what']} is due "
            + ("today" if first["days"] == 0 else f"on {first['due_on']:%-d %B %Y}")
            + (f" (and {len(items) - 1} more)" if len(items) > 1 else "")
        )
        body = render_to_string(
            "records/reminders/email.txt",
            {"items": items, "link": link, "privacy_link": privacy, "name": first["owner_name"]},
        )
        messages.append(EmailMessage(subject, body, None, [first["email"]]))
    return messages


def _chunk(*, today: date, size: int, now: datetime, run: ReminderRun) -> int:
    """One transaction: claim up to `size` due entries, write their reminder rows and the
    emails for the rows really written. Returns how many entries it claimed."""
    with transaction.atomic():
        claimed = list(
            reminder_candidates(today=today)  # type: ignore[misc]
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values(
                "animal_id",
                "due_key",
                "what",
                "next_due_on",
                "lead_days",
                "kind",
                "animal__name",
                "animal__owner_id",
                "animal__owner__email",
                "animal__owner__full_name",
            )[:size]
        )
        if not claimed:
            return 0
        rows = [
            {
                "owner_id": c["animal__owner_id"],
                "animal_id": c["animal_id"],
                "due_key": c["due_key"],
                "what": (c["what"] or EntryKind(c["kind"]).label)[:120],
                "due_on": c["next_due_on"],
                "lead_days": c["lead_days"],
                "sent_at": now,
                "animal_name": c["animal__name"],
                "email": c["animal__owner__email"],
                "owner_name": c["animal__owner__full_name"],
            }
            for c in claimed
        ]
        written = _insert(rows)
        mine = [
            r
            for r in rows
            if (r["animal_id"], r["due_key"], r["due_on"], r["lead_days"]) in written
        ]
        if mine:
            outbox_enqueue(messages=_emails(mine, today))
        run.reminders += len(mine)
        run.emails += len({r["owner_id"] for r in mine})
        run.chunks += 1
        return len(claimed)


def care_reminders_send(*, today: date | None = None, size: int | None = None) -> ReminderRun:
    """Send the due reminders for today; safe to run twice or in parallel. Returns counts."""
    now = timezone.now()
    today = today or timezone.localdate()
    size = size or int(settings.CARE_REMINDER_BATCH)
    run = ReminderRun()
    while _chunk(today=today, size=size, now=now, run=run) == size:
        pass
    logger.info("care reminders: %s", run.as_dict())
    return run
