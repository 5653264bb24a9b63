"""What the owner's two busiest pages show, prepared as plain rows (issue 10).

The dashboard's animal cards and the animal page's timeline were rendered from model
instances, the template asking each row for `get_kind_display`, `summary`, three dates
through the `date` filter and up to three `{% url %}` reversals: per page, hundreds of
template lookups, filter calls and reverses, two thirds of the page's time. Here each row
is built once in Python as a dict (the template engine finds a dict key on its first try)
holding the very text the page shows, links built from one reverse per route.

Who may see what is not decided here: the rows come from records.selectors (the one
"who may see this" answer) and records.vaccinations (the one "when is it due" answer).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Window
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vetpass.pagefmt import day_month_year, link_for

from . import selectors
from .models import CoOwnerInvitation, Entry, EntryKind, EntrySource, Permission
from .selectors import OWNED_OR_SHARED_SQL
from .vaccinations import NEXT_DUE_SQL, as_date, entry_urgency, urgency, with_superseded
from .visibility import Visibility

KIND_LABELS = dict(EntryKind.choices)
SOURCE_LABELS = dict(EntrySource.choices)
DURATION_LABELS = dict(Entry._meta.get_field("duration_years").choices or [])
# The title is shown on its own line except where it is already the summary.
TITLE_IN_SUMMARY = {EntryKind.DOCUMENT, EntryKind.CLINICAL_NOTE, EntryKind.EXAMINATION}
DUE_WORDS = {"overdue": "overdue: was due", "soon": "due soon:"}
CARD_DUE_WORDS = {"overdue": "overdue since", "soon": "due soon,"}


# --- the animal page's timeline -------------------------------------------------------------


def timeline_page(vis: Visibility, *, kind: str | None, number: object, per_page: int) -> Page:
    """One page of the entries this look may see, newest first, each annotated with
    `superseded` — the page and the total in one query (COUNT(*) OVER ()), where the
    Paginator asked for a COUNT and then the page. A page number that is not a number is
    the first page; one past the end (or below 1) the last, as Paginator.get_page."""
    entries = with_superseded(selectors.entries_for(vis, kind=kind))
    try:
        wanted = int(str(number))
    except ValueError:
        wanted = 1
    rows: list[Entry] = []
    if wanted >= 1:
        start = (wanted - 1) * per_page
        rows = list(entries.annotate(total=Window(Count("*")))[start : start + per_page])
    total = rows[0].total if rows else entries.count()  # type: ignore[attr-defined]
    paginator = Paginator(entries, per_page)
    paginator.count = total  # the cached_property, answered by the query above
    if not rows:
        # Empty list, or a page past the end: Paginator.get_page shows the last page.
        wanted = paginator.num_pages
        if total:
            start = (wanted - 1) * per_page
            rows = list(entries[start : start + per_page])
    return Page(rows, wanted, paginator)


def _certificate_line(entry: Entry) -> str:
    """The rabies certificate's extra facts in one line ("" when it has none)."""
    parts = []
    if entry.duration_years:
        parts.append(DURATION_LABELS.get(entry.duration_years, str(entry.duration_years)))
    text = "".join(parts)
    if entry.tag_number:
        text += f" · tag {entry.tag_number}"
    if entry.vet_name:
        text += f" · given by {entry.vet_name}"
    if entry.vet_licence:
        text += f" (licence {entry.vet_licence})"
    return text


def timeline_rows(
    vis: Visibility, entries: Iterable[Entry], today: dt.date
) -> list[dict[str, Any]]:
    """The rows of the timeline, as the page shows them."""
    edit_link = link_for("records:entry_edit")
    delete_link = link_for("records:entry_delete")
    document_link = link_for("records:entry_document")
    rows = []
    for entry in entries:
        kind = entry.kind
        summary = entry.summary
        due = ""
        entry_urgent = ""
        if kind == EntryKind.VACCINATION and not entry.superseded and entry.next_due_on:  # type: ignore[attr-defined]
            entry_urgent = entry_urgency(entry, today)
            due = f"{DUE_WORDS.get(entry_urgent, 'next due')} {day_month_year(entry.next_due_on)}"
        occurred_long = day_month_year(entry.occurred_on, long=True)
        editable = vis.can_edit and entry.source == EntrySource.OWNER
        kind_label = KIND_LABELS.get(kind, kind)
        rows.append(
            {
                "kind": kind,
                "kind_label": kind_label,
                "summary": summary,
                "superseded": kind == EntryKind.VACCINATION and entry.superseded,  # type: ignore[attr-defined]
                "due": due,
                "urgency": entry_urgent,
                "title": entry.title if entry.title and kind not in TITLE_IN_SUMMARY else "",
                "maker": (
                    format_html(
                        '<p class="muted">{}{}</p>',
                        entry.manufacturer,
                        f" · batch {entry.batch_number}" if entry.batch_number else "",
                    )
                    if entry.manufacturer or entry.batch_number
                    else ""
                ),
                "certificate": _certificate_line(entry),
                "severity": entry.severity if kind == EntryKind.ALLERGY else "",
                "until": (
                    day_month_year(entry.ends_on)
                    if kind == EntryKind.MEDICATION and entry.ends_on
                    else ""
                ),
                "notes": (
                    linebreaksbr(entry.notes, autoescape=True)
                    if entry.notes and summary != entry.notes
                    else ""
                ),
                "document_url": document_link(entry.pk) if entry.document else "",
                "document_label": entry.document_type or "the document",
                "occurred_iso": entry.occurred_on.isoformat(),
                "occurred_long": occurred_long,
                "source_label": SOURCE_LABELS.get(entry.source, entry.source),
                "practice_name": entry.practice.name if entry.practice_id else "",  # type: ignore[union-attr]
                "author_label": vis.author_label(entry) or "",
                "edit_url": edit_link(entry.pk) if editable else "",
                "delete_url": delete_link(entry.pk) if editable else "",
                "what": f"{kind_label.lower()} of {occurred_long}",
            }
        )
    return rows


def weight_rows(points: Iterable[tuple[dt.date, float]]) -> list[tuple[str, str]]:
    """The weight table's rows: `when|date:"j M Y"` and `kg|floatformat:2`."""
    return [(day_month_year(when), str(_two_places(kg))) for when, kg in points]


def _two_places(kg: float) -> Decimal:
    # floatformat's rounding: the float's repr, half up.
    return Decimal(repr(kg)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the dashboard ---------------------------------------------------------------------------

# What the dashboard shows, in one statement (issue 10: three queries before, each a round
# trip and an ORM build that cost more than running it). Part 0: the user's animals and
# herds (records.selectors' owned-or-shared rule, as SQL), each with its next vaccination
# due (records.vaccinations' rule). Part 1: the invitations waiting for their answer,
# addressed to their email, still pending and not expired (CoOwnerInvitation.is_open),
# newest first (its Meta.ordering). Plain SQL that PostgreSQL and SQLite both run.
DASHBOARD_SQL = """
SELECT 0 AS part, a.id AS id, a.name AS name, a.photo, a.is_group, a.head_count,
       a.deceased, a.owner_id, a.breed_id, s.name AS species, b.name AS breed, u.full_name,
       u.email, due.next_due_on, due.vaccine_product,
       NULL AS token, NULL AS permission, NULL AS since
FROM records_animal a
JOIN records_species s ON s.id = a.species_id
LEFT JOIN records_breed b ON b.id = a.breed_id
JOIN accounts_user u ON u.id = a.owner_id
LEFT JOIN ({next_due}) due ON due.animal_id = a.id
WHERE {owned_or_shared}
UNION ALL
SELECT 1, NULL, an.name, NULL, NULL, NULL,
       NULL, NULL, NULL, s.name, NULL, u.full_name,
       u.email, NULL, NULL,
       i.token, i.permission, i.created_at
FROM records_coownerinvitation i
JOIN records_animal an ON an.id = i.animal_id
JOIN records_species s ON s.id = an.species_id
JOIN accounts_user u ON u.id = i.invited_by_id
WHERE i.email = %(email)s AND i.status = %(pending)s AND i.expires_at > %(now)s
ORDER BY part, since DESC, name, id
"""
_DUE_OF = "animal_id IN (SELECT a.id FROM records_animal a WHERE {owned_or_shared})"
DASHBOARD_SQL = DASHBOARD_SQL.format(
    next_due=NEXT_DUE_SQL.format(animals=_DUE_OF.format(owned_or_shared=OWNED_OR_SHARED_SQL)),
    owned_or_shared=OWNED_OR_SHARED_SQL,
)

PERMISSION_WORDS = {value: str(label).lower() for value, label in Permission.choices}

# Each card's and invitation's markup, written out here instead of a template loop over
# fifty cards (issue 10): every text from the database goes through escape_text, which is
# what Django's escape (and the templates' autoescaping) applies — html.escape — without
# its lazy-string wrapper per call. tests/records/test_dashboard_markup.py holds the
# markup to what templates rendered.
escape_text = html.escape


class Dashboard(NamedTuple):
    """The <li> items of each list on the dashboard ("" for an empty list)."""

    animals: SafeString
    herds: SafeString
    invitations: SafeString


def dashboard(user: Any) -> Dashboard:
    """The owner's animals and their herds or groups as cards (what each shows and the
    next vaccination due), and the invitations waiting for their answer: one query."""
    params = {
        "user": user.pk,
        "email": user.email.lower(),
        "pending": CoOwnerInvitation.Status.PENDING.value,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    with connection.cursor() as cursor:
        cursor.execute(DASHBOARD_SQL, params)
        rows = cursor.fetchall()
    today = timezone.localdate()
    detail_link = link_for("records:animal_detail")
    photo_link = link_for("records:animal_photo")
    answer_link = link_for("records:invitation_answer")
    animals: list[str] = []
    herds: list[str] = []
    invitations: list[str] = []
    for (
        part,
        pk,
        name,
        photo,
        is_group,
        head_count,
        deceased,
        owner_id,
        breed_id,
        species,
        breed,
        person_name,
        person_email,
        raw_due,
        product,
        token,
        permission,
        _since,
    ) in rows:
        if part == 1:  # an invitation; the person is who sent it (User.display_name)
            invitations.append(
                f"<li>{escape_text(person_name or person_email)} invited you to "
                f"{escape_text(PERMISSION_WORDS.get(permission, permission))} the records of "
                f"<strong>{escape_text(name)}</strong> ({escape_text(species)}). "
                f'<a href="{escape_text(answer_link(token))}">Answer the invitation</a></li>'
            )
            continue
        facts = species
        if breed_id:
            facts += f" · {breed}"
        if is_group:
            facts += f" · {head_count} head"
        if deceased:
            facts += " · died"
        if photo:
            picture = (
                f'<img class="animal-photo" src="{escape_text(photo_link(pk))}" alt="" '
                'loading="lazy">'
            )
        else:
            picture = f'<div class="species-badge" aria-hidden="true">{escape_text(species)}</div>'
        shared = ""
        if owner_id != user.pk:  # the person is the owner (User.display_name)
            owner = escape_text(person_name or person_email)
            shared = f'<p class="muted">Shared with you by {owner}</p>'
        if raw_due is not None:
            due = as_date(raw_due)
            urgent = urgency(due, today)
            when = f"{CARD_DUE_WORDS.get(urgent, 'due')} {day_month_year(due)}"
            next_due = (
                f'<p>Next vaccination: <span data-vaccine-due class="tag {urgent}">'
                f"{escape_text(when)}</span> "
                f'<span class="muted">({escape_text(product)})</span></p>'
            )
        else:
            next_due = '<p class="muted">No vaccination due on record.</p>'
        (herds if is_group else animals).append(
            f'<li class="card"><a class="card-link" href="{escape_text(detail_link(pk))}">'
            f"{picture}<h3>{escape_text(name)}</h3></a>"
            f'<p class="muted">{escape_text(facts)}</p>{shared}{next_due}</li>'
        )
    return Dashboard(
        SafeString("".join(animals)), SafeString("".join(herds)), SafeString("".join(invitations))
    )
