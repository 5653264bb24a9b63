"""The inactivity notice and its reminders: what they say, and the "keep my records" link.

The emails are written into the outbox in the sweep's transaction, one bulk INSERT per
chunk, so they leave after the notice rows commit and never twice. The link is signed and
names the account and the period it was sent for; following it counts as using a service,
which starts a new period and so cancels the removal.
"""

from __future__ import annotations

import re
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
from vetpass.outbox.services import outbox_enqueue

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


def send_notices(notice_ids: Sequence[int]) -> None:
    """Queue the notice emails (one bulk insert, handed to the workers once the chunk
    commits) and link each notice to its outbox row, whose real sending time later fixes
    the removal date."""
    ordered = _load(notice_ids)
    rows = outbox_enqueue(messages=_messages(ordered, "dsar/email/inactivity_notice.txt"))
    if connection.vendor != "postgresql":  # the embedded SQLite default
        for notice, email_id in zip(ordered, rows, strict=True):
            InactivityNotice.objects.filter(pk=notice.pk).update(email=email_id)
        return
    with connection.cursor() as cursor:
        # One statement (bulk_update's CASE grows with the chunk squared).
        cursor.execute(
            f"UPDATE {InactivityNotice._meta.db_table} AS n SET email_id = v.email_id "  # noqa: S608 - model metadata and placeholders only
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, email_id) WHERE n.id = v.id",
            [[n.pk for n in ordered], rows],
        )


# --- The notice step's one statement per chunk (PostgreSQL) -------------------------------
#
# The sweep's chunk of thousands of notices is written in ONE statement: the notice rows
# (INSERT ... ON CONFLICT DO NOTHING against the one-per-period constraint), each with an
# outbox id reserved from the outbox's sequence (named once per statement, not looked up
# per row), and the emails under those ids, built in SQL from the template rendered once
# per sweep. No Python work per notice, no second statement linking notice and email (the
# foreign key is checked at commit).
#
# The text: the template is rendered three times (no animal, one, several), with slots for
# what differs per owner, filled in by SQL (the pieces between the slots concatenated with
# the owner's values). The "keep my records" token is the very string
# `keep_token` signs (django.core.signing.Signer.sign_object): base64url of the JSON
# payload, ":", base64url of HMAC-SHA256 under Django's salted key. PostgreSQL computes the
# HMAC from its definition with the built-in sha256() (no extension needed), given the
# key's inner and outer pads; keep_token_owner verifies it like any other token.
_S_NAME, _S_KEEP, _S_DATE, _S_ANIMALS = "\x01name\x01", "\x01keep\x01", "\x01date\x01", "\x01n\x01"
# Rendered where the count of animals goes (plural), then replaced by the real count.
_MANY = 987654321


def _hmac_pads(salt: str) -> tuple[bytes, bytes]:
    """The inner and outer HMAC-SHA256 pads of Signer(salt=salt)'s key (salted_hmac)."""
    import hashlib

    key = hashlib.sha256(f"{salt}signer".encode() + settings.SECRET_KEY.encode()).digest()
    key = key.ljust(64, b"\x00")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def _b64url_sql(value: str) -> str:
    return f"rtrim(translate(replace(encode({value}, 'base64'), E'\\n', ''), '+/', '-_'), '=')"


def _keep_payload_sql(owner_id: str) -> str:
    return _b64url_sql(f"""convert_to('{{"u":' || ({owner_id}) || '}}', 'UTF8')""")


def _keep_token_sql(payload: str) -> str:
    """The token, given the SQL of its payload (computed once: written twice here, an
    expression would be computed twice)."""
    inner = f"sha256(%(keep_ipad)s::bytea || convert_to({payload}, 'UTF8'))"
    signature = _b64url_sql(f"sha256(%(keep_opad)s::bytea || {inner})")
    return f"{payload} || ':' || {signature}"


def _notice_templates() -> tuple[list[str], list[str]]:
    subjects, bodies = [], []
    for animals in (0, 1, _MANY):
        context = {"name": _S_NAME, "removal_on": _S_DATE, "animals": animals, "keep_url": _S_KEEP}
        subject, _, body = render_to_string("dsar/email/inactivity_notice.txt", context).partition(
            "\n"
        )
        subjects.append(subject.strip().replace(str(_MANY), _S_ANIMALS))
        bodies.append(body.lstrip("\n").replace(str(_MANY), _S_ANIMALS))
    return subjects, bodies


_SLOT_SQL = {
    _S_NAME: "m.name",
    _S_KEEP: "m.keep_url",
    _S_DATE: "m.removal_on",
    _S_ANIMALS: "m.animals::text",
}
_SLOT = re.compile("|".join(re.escape(slot) for slot in _SLOT_SQL))


def _fill_sql(texts: Sequence[str], key: str) -> tuple[str, dict[str, str]]:
    """One text per kind of notice (m.kind: 1, 2, 3) with its slots filled: the template's
    pieces concatenated with what goes between them, so that each message is written once
    (replacing each slot in turn scanned and copied the whole text once a slot)."""
    params: dict[str, str] = {}
    cases = []
    for kind, text in enumerate(texts, start=1):
        parts = []
        for n, piece in enumerate(_SLOT.split(text)):
            name = f"{key}_{kind}_{n}"
            params[name] = piece
            parts.append(f"%({name})s::text")
        slots = [_SLOT_SQL[slot] for slot in _SLOT.findall(text)]
        between = zip(slots, parts[1:], strict=True)
        joined = parts[0] + "".join(f" || {value} || {part}" for value, part in between)
        cases.append(f"WHEN {kind} THEN {joined}")
    return f"CASE m.kind {' '.join(cases)} END", params


def _timestamptz_text(moment: datetime | str) -> str:
    return moment if isinstance(moment, str) else moment.isoformat()


def insert_notices_with_emails(
    rows: Sequence[tuple[int, datetime | str, datetime | str]], now: datetime
) -> list[tuple[int, int]]:
    """PostgreSQL: the notices of these (owner, period start, stated removal) rows that no
    other sweep recorded, and their emails, in one statement in the caller's transaction;
    the emails leave once it commits. The times are datetimes or PostgreSQL's own text of a
    timestamptz (as the sweep's candidates' query gives them). Returns (notice id, email
    id) of those created."""
    import psycopg

    from vetpass.outbox.models import OutboxEmail
    from vetpass.outbox.services import (
        outbox_enqueued,
        outbox_insert_sql,
        outbox_message_id_sql,
    )

    subjects, bodies = _notice_templates()
    subject_sql, subject_params = _fill_sql(subjects, "subject")
    body_sql, body_params = _fill_sql(bodies, "body")
    keep_base = settings.SITE_URL.rstrip("/") + reverse("dsar:keep_records", args=["TOKEN"])
    keep_prefix, _, keep_suffix = keep_base.partition("TOKEN")
    ipad, opad = _hmac_pads(KEEP_SALT)
    headers, header_params = outbox_message_id_sql("m.email_id")
    columns, selects, outbox_params = outbox_insert_sql(
        {
            "id": "m.email_id",
            "to": "jsonb_build_array(m.address)",
            "subject": subject_sql,
            "body": body_sql,
            "headers": headers,
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
            ON CONFLICT (owner_id, period_start) DO NOTHING
            RETURNING id, owner_id, email_id, stated_removal_at,
                      {_keep_payload_sql("owner_id")} AS keep_payload
        ), m AS (
            SELECT n.id, n.email_id, u.email AS address,
                   coalesce(nullif(u.full_name, ''), 'there') AS name,
                   to_char(n.stated_removal_at AT TIME ZONE %(tz)s, 'DD FMMonth YYYY')
                       AS removal_on,
                   a.animals, least(a.animals, 2)::int + 1 AS kind,
                   %(keep_prefix)s || {_keep_token_sql("n.keep_payload")} || %(keep_suffix)s
                       AS keep_url
            FROM n JOIN {User._meta.db_table} u ON u.id = n.owner_id
            CROSS JOIN LATERAL (
                SELECT count(*) AS animals FROM {Animal._meta.db_table} x
                WHERE x.owner_id = n.owner_id
            ) a
        ), e AS (
            INSERT INTO {outbox_table} ({columns}) SELECT {selects} FROM m RETURNING id
        )
        SELECT m.id, m.email_id FROM m
    """  # noqa: S608 - model metadata and placeholders only
    params = {
        "queued": InactivityNotice.State.QUEUED.value,
        "now": now,
        "owners": [r[0] for r in rows],
        "starts": [_timestamptz_text(r[1]) for r in rows],
        "stated": [_timestamptz_text(r[2]) for r in rows],
        "tz": timezone.get_current_timezone_name(),
        "keep_prefix": keep_prefix,
        "keep_suffix": keep_suffix,
        "keep_ipad": ipad,
        "keep_opad": opad,
        **subject_params,
        **body_params,
        **header_params,
        **outbox_params,
    }
    with connection.cursor(), psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        created = [(notice_id, email_id) for notice_id, email_id in cursor.fetchall()]
    outbox_enqueued(email_ids=[email_id for _, email_id in created])
    return created


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
