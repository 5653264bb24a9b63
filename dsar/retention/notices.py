"""The inactivity notice and its reminders: what they say, and the "keep my records" link.

The emails are written into the outbox in the sweep's transaction, one bulk INSERT per
chunk, so they leave after the notice rows commit and never twice. A notice's outbox row
names the notice and the worker writes the text from it when the email leaves
(`notice_email`): what the email states is what the notice row holds, and a sweep of a
quarter of a million notices writes a few small columns per email, not a kilobyte of text
each. The link is signed and
names the account and the period it was sent for; following it counts as using a service,
which starts a new period and so cancels the removal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Func, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from records.models import Animal
from vetpass.accounts.models import User
from vetpass.accounts.services import activity_record
from vetpass.outbox.services import (
    Rendered,
    outbox_enqueue,
    outbox_enqueue_rendered,
    outbox_renderer,
)

from ..models import InactivityNotice
from . import policy

KEEP_SALT = "dsar.retention.keep.v1"


class BadKeepLink(Exception):
    pass


def keep_token(notice: InactivityNotice) -> str:
    return signing.Signer(salt=KEEP_SALT).sign_object({"u": notice.owner_id})


def keep_url(notice: InactivityNotice) -> str:
    path = reverse("dsar:keep_records", args=[keep_token(notice)])
    return settings.SITE_URL.rstrip("/") + path


def keep_token_owner(token: str) -> User:
    """The account a "keep my records" link was sent to, or BadKeepLink."""
    try:
        user_id = int(signing.Signer(salt=KEEP_SALT).unsign_object(token)["u"])
    except (signing.BadSignature, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise BadKeepLink(str(exc)) from exc
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise BadKeepLink("no such account")
    return user


def keep_records(*, owner: User) -> None:
    """The owner asked to keep their records: that is a use of the service (VETPASS
    policy), so their inactivity period starts again and any pending removal is off."""
    activity_record(user=owner, kind="keep my records")


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%d %B %Y}"


# The template stays the one source of the text. A chunk of thousands of notices has only a
# few distinct (removal date, number of animals) pairs, so each pair is rendered once with
# these slots in place of the name and the link, which are then filled per owner with a
# plain string replacement (the templates have autoescape off, so that is exactly what the
# template would print). Neither value can contain NUL: PostgreSQL refuses it in text.
_NAME, _KEEP = "\x00name\x00", "\x00keep\x00"


class _Notice(NamedTuple):
    pk: int
    owner_id: int
    removal: datetime
    name: str
    email: str
    animals: int


def _messages(notices: Sequence[_Notice], template: str, **extra: object) -> list[EmailMessage]:
    rendered: dict[tuple[str, int], tuple[str, str]] = {}
    dates: dict[datetime, str] = {}
    signer = signing.Signer(salt=KEEP_SALT)
    keep_base = settings.SITE_URL.rstrip("/") + reverse("dsar:keep_records", args=["TOKEN"])
    keep_prefix, _, keep_suffix = keep_base.partition("TOKEN")
    messages = []
    for notice in notices:
        if notice.removal not in dates:
            dates[notice.removal] = _when(notice.removal)
        key = (dates[notice.removal], notice.animals)
        if key not in rendered:
            context = {"name": _NAME, "removal_on": key[0], "animals": key[1], "keep_url": _KEEP}
            subject, _, body = render_to_string(template, {**context, **extra}).partition("\n")
            rendered[key] = (subject.strip(), body.lstrip("\n"))
        subject, body = rendered[key]
        link = keep_prefix + signer.sign_object({"u": notice.owner_id}) + keep_suffix
        name = notice.name or "there"
        messages.append(
            EmailMessage(
                subject.replace(_NAME, name).replace(_KEEP, link),
                body.replace(_NAME, name).replace(_KEEP, link),
                None,
                [notice.email],
            )
        )
    return messages


def _load(notice_ids: Sequence[int]) -> list[_Notice]:
    """What the emails say about each notice, in one query (no model instances: at 5,000
    a chunk their construction would cost more than the query)."""
    animals = Animal.objects.filter(owner=OuterRef("owner_id")).order_by().values("owner")
    chosen: Q = Q(pk__in=notice_ids)
    if connection.vendor == "postgresql":  # one array, not 5,000 placeholders
        chosen = Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (list(notice_ids),)))
    rows = (
        InactivityNotice.objects.filter(chosen)
        .annotate(
            removal=Coalesce("removal_at", "stated_removal_at"),
            animals=Coalesce(
                Subquery(animals.annotate(n=Func("pk", function="COUNT")).values("n")),
                0,
            ),
        )
        .order_by("pk")
        .values_list("pk", "owner_id", "removal", "owner__full_name", "owner__email", "animals")
    )
    return [_Notice(*row) for row in rows]


NOTICE_RENDERER = "dsar.inactivity_notice"


@outbox_renderer(NOTICE_RENDERER)
def notice_email(notice_id: int) -> Rendered | None:
    """The notice's email as it leaves (the outbox worker asks): the removal time the notice
    states, what will be removed and the owner's own "keep my records" link; None when the
    notice is gone (its owner was erased before the email left)."""
    animals = Animal.objects.filter(owner=OuterRef("owner_id")).order_by().values("owner")
    row = (
        InactivityNotice.objects.filter(pk=notice_id)
        .annotate(
            animals=Coalesce(
                Subquery(animals.annotate(n=Func("pk", function="COUNT")).values("n")), 0
            )
        )
        .values_list("owner_id", "stated_removal_at", "owner__full_name", "animals")
        .first()
    )
    if row is None:
        return None
    owner_id, stated, name, count = row
    link = keep_url(InactivityNotice(owner_id=owner_id))
    text = render_to_string(
        "dsar/email/inactivity_notice.txt",
        {"name": name or "there", "removal_on": _when(stated), "animals": count, "keep_url": link},
    )
    subject, _, body = text.partition("\n")
    return Rendered(subject.strip(), body.lstrip("\n"))


def send_notices(notice_ids: Sequence[int]) -> None:
    """Queue the notice emails (written when they leave, `notice_email`; handed to the
    workers once the transaction commits) and link each notice to its outbox row, whose
    real sending time later fixes the removal date."""
    rows = list(
        InactivityNotice.objects.filter(pk__in=notice_ids)
        .order_by("pk")
        .values_list("pk", "owner__email")
    )
    email_ids = outbox_enqueue_rendered(renderer=NOTICE_RENDERER, rows=rows)
    for (notice_id, _), email_id in zip(rows, email_ids, strict=True):
        InactivityNotice.objects.filter(pk=notice_id).update(email=email_id)


# --- The notice step's one statement per chunk (PostgreSQL) -------------------------------
#
# The sweep's chunk of thousands of notices is written in ONE statement: the notice rows
# (INSERT ... ON CONFLICT DO NOTHING against the one-per-period constraint), each with an
# outbox id reserved from the outbox's sequence (named once per statement, not looked up
# per row), and their outbox rows under those ids: the owner's address and the notice the
# worker writes the text from (`notice_email`). No Python work per notice, no second
# statement linking notice and email (the foreign key is checked at commit).


def _timestamptz_text(moment: datetime | str) -> str:
    return moment if isinstance(moment, str) else moment.isoformat()


def insert_notices_with_emails(
    rows: Sequence[tuple[int, datetime | str, datetime | str]],
    now: datetime,
    *,
    skip_told: bool = False,
) -> int:
    """PostgreSQL: the notices of these (owner, period start, stated removal) rows, and
    their emails, in one statement in the caller's transaction; the emails leave once it
    commits. The times are datetimes or PostgreSQL's own text of a timestamptz (as the
    sweep's candidates' query gives them). Returns how many notices this call created.

    The rows are owners the candidates' query found not yet told: a plain INSERT, and an
    IntegrityError (the one-per-period constraint) if another sweep told one of them
    since. With `skip_told` those are skipped instead (ON CONFLICT DO NOTHING), which
    costs every row a speculative insertion (about 40% more than the plain INSERT at a
    million owners): the sweep asks for it only for a chunk that hit such a conflict."""
    import psycopg

    from vetpass.outbox.models import OutboxEmail
    from vetpass.outbox.services import outbox_enqueued, outbox_insert_sql

    columns, selects, outbox_params = outbox_insert_sql(
        {
            "id": "n.email_id",
            "to": "jsonb_build_array(u.email)",
            "renderer": "%(renderer)s",
            "renderer_ref": "n.id",
        }
    )
    notice_table = InactivityNotice._meta.db_table
    outbox_table = OutboxEmail._meta.db_table
    sql = f"""
        WITH n AS (
            INSERT INTO {notice_table} (owner_id, period_start, state, created_at,
                stated_removal_at, held_reason, email_id)
            SELECT v.owner_id, v.start, %(queued)s, %(now)s, v.stated, '',
                   nextval((SELECT pg_get_serial_sequence('{outbox_table}', 'id')::regclass))
            FROM unnest(%(owners)b::bigint[], %(starts)b::text[]::timestamptz[],
                        %(stated)b::text[]::timestamptz[]) AS v(owner_id, start, stated)
            ORDER BY v.owner_id
            {"ON CONFLICT (owner_id, period_start) DO NOTHING" if skip_told else ""}
            RETURNING id, owner_id, email_id
        ), e AS (
            INSERT INTO {outbox_table} ({columns})
            SELECT {selects} FROM n JOIN {User._meta.db_table} u ON u.id = n.owner_id
            RETURNING id
        )
        SELECT array_agg(id) FROM e
    """  # noqa: S608 - model metadata and placeholders only
    params = {
        "queued": InactivityNotice.State.QUEUED.value,
        "now": now,
        "owners": [r[0] for r in rows],
        "starts": [_timestamptz_text(r[1]) for r in rows],
        "stated": [_timestamptz_text(r[2]) for r in rows],
        "renderer": NOTICE_RENDERER,
        **outbox_params,
    }
    # Django's error classes (IntegrityError for the constraint), as its own cursors raise.
    with connection.cursor(), psycopg.Cursor(connection.connection) as cursor:
        with connection.wrap_database_errors:
            cursor.execute(sql, params)
        (email_ids,) = cursor.fetchone() or (None,)
    outbox_enqueued(email_ids=email_ids or [])
    return len(email_ids or [])


def send_reminders(notice_ids: Sequence[int], days_before: int) -> None:
    outbox_enqueue(
        messages=_messages(
            _load(notice_ids), "dsar/email/inactivity_reminder.txt", days=days_before
        )
    )


@transaction.atomic
def notice_resend(*, notice: InactivityNotice, actor: User) -> InactivityNotice:
    """The DPO sends an undeliverable notice again (after correcting the address, say). The
    new email states a new date, three months from now at the earliest: the removal never
    comes sooner after a notice the owner could actually read."""
    notice = InactivityNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != InactivityNotice.State.UNDELIVERABLE:
        raise ValidationError("Only a notice that could not be delivered is sent again.")
    now = timezone.now()
    notice.stated_removal_at = max(
        notice.stated_removal_at,
        policy.add_months(now, settings.POLICY_REMOVAL_MIN_NOTICE_MONTHS),
    )
    notice.state = InactivityNotice.State.QUEUED
    notice.held_reason = f"sent again by {actor.email} on {now:%Y-%m-%d}"
    notice.save(update_fields=["stated_removal_at", "state", "held_reason"])
    send_notices([notice.pk])
    return notice
