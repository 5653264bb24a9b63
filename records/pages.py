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
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from vetpass.pagefmt import day_month_year, day_month_year_of, link_for, url_of
from vetpass.prepared import prepared_cursor

from . import selectors
from .models import CoOwnerInvitation, Entry, EntryKind, EntrySource, Permission
from .models.entries import entry_summary
from .selectors import OWNED_OR_SHARED_SQL
from .vaccinations import (
    NEXT_DUE_SQL,
    as_date,
    urgency,
)
from .visibility import Visibility

KIND_LABELS = dict(EntryKind.choices)
SOURCE_LABELS = dict(EntrySource.choices)
DURATION_LABELS = dict(Entry._meta.get_field("duration_years").choices or [])
# The title is shown on its own line except where it is already the summary.
TITLE_IN_SUMMARY = {EntryKind.DOCUMENT, EntryKind.CLINICAL_NOTE, EntryKind.EXAMINATION}
DUE_WORDS = {"overdue": "overdue: was due", "soon": "due soon:"}
CARD_DUE_WORDS = {"overdue": "overdue since", "soon": "due soon,"}


# --- the animal pages' timelines ------------------------------------------------------------
# Both animal pages (the owner's and the vet workspace's) read their entries as rows
# (selectors.entry_rows, one statement, no instance per entry) and write each row's HTML
# here in Python, placed in the template as one safe string: a template's lookups,
# filters and escaping per field and row were most of the page's time. Every text that
# comes from a person is escaped here (html.escape, as the template's autoescape).


def timeline_page(vis: Visibility, *, kind: str | None, number: object, per_page: int) -> Page:
    """One page of the entries this look may see, newest first, as selectors.EntryRow
    with `superseded` — the page and the total in one query (COUNT(*) OVER ()), where the
    Paginator asked for a COUNT and then the page. A page number that is not a number is
    the first page; one past the end (or below 1) the last, as Paginator.get_page."""
    try:
        wanted = int(str(number))
    except ValueError:
        wanted = 1
    rows: list[selectors.EntryRow] = []
    if wanted >= 1:
        rows = selectors.entry_rows(
            vis, kind=kind, limit=per_page, offset=(wanted - 1) * per_page, superseded=True
        )
    total = rows[0].total if rows else selectors.entry_count(vis, kind=kind)
    paginator: Paginator[selectors.EntryRow] = Paginator([], per_page)
    paginator.count = total  # the cached_property, answered by the query above
    if not rows:
        # Empty list, or a page past the end: Paginator.get_page shows the last page.
        wanted = paginator.num_pages
        if total:
            rows = selectors.entry_rows(
                vis, kind=kind, limit=per_page, offset=(wanted - 1) * per_page, superseded=True
            )
    return Page(rows, wanted, paginator)


def _certificate_line(entry: selectors.EntryRow) -> str:
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


def _author_name(vis: Visibility, entry: selectors.EntryRow) -> str:
    """Who wrote the entry, as this look may be told (visibility.author_shown)."""
    if entry.author_id is None or not (vis.is_owner_side or entry.practice_id):
        return ""
    return entry.author_full_name or entry.author_email or ""


def _lines(text: str) -> str:
    """`text|linebreaksbr` (escaped; each line break a <br>)."""
    return escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _escaped(link: Callable[[object], str]) -> Callable[[object], str]:
    """A link_for function whose links are escaped for an attribute, as {{ url }} was."""
    head, tail = (escape(part) for part in link("{pk}").split("{pk}"))
    return lambda pk: f"{head}{pk}{tail}"


def timeline_html(vis: Visibility, entries: Iterable[selectors.EntryRow], today: dt.date) -> str:
    """The owner's animal page's timeline: one <li class="entry"> per row, as one safe
    string."""
    edit_link = _escaped(link_for("records:entry_edit"))
    delete_link = _escaped(link_for("records:entry_delete"))
    document_link = _escaped(link_for("records:entry_document"))
    short_date = day_month_year_of()
    long_date = day_month_year_of(long=True)
    items = []
    for entry in entries:
        kind = entry.kind
        summary = entry_summary(entry)
        kind_label = KIND_LABELS.get(kind, kind)
        occurred_long = long_date(entry.occurred_on)
        html = [
            f'<li class="entry entry-{escape(kind)}">\n'
            f"<p><strong>{escape(kind_label)}</strong>: {escape(summary)}\n"
        ]
        if kind == EntryKind.VACCINATION and entry.superseded:
            html.append('<span class="muted">(a later dose was given)</span>')
        elif kind == EntryKind.VACCINATION and entry.next_due_on:
            urgent = urgency(entry.next_due_on, today)
            due = f"{DUE_WORDS.get(urgent, 'next due')} {short_date(entry.next_due_on)}"
            html.append(f'<span data-vaccine-due class="tag {urgent}">{escape(due)}</span>')
        html.append("</p>\n")
        if entry.title and kind not in TITLE_IN_SUMMARY:
            html.append(f"<p>{escape(entry.title)}</p>\n")
        if entry.manufacturer or entry.batch_number:
            batch = f" · batch {entry.batch_number}" if entry.batch_number else ""
            html.append(f'<p class="muted">{escape(entry.manufacturer)}{escape(batch)}</p>\n')
        certificate = _certificate_line(entry)
        if certificate:
            html.append(f'<p class="muted">{escape(certificate)}</p>\n')
        if kind == EntryKind.ALLERGY and entry.severity:
            html.append(f"<p>Severity: {escape(entry.severity)}</p>\n")
        if kind == EntryKind.MEDICATION and entry.ends_on:
            html.append(f"<p>Until {short_date(entry.ends_on)}</p>\n")
        if entry.notes and summary != entry.notes:
            html.append(f"<p>{_lines(entry.notes)}</p>\n")
        if entry.document:
            label = entry.document_type or "the document"
            html.append(f'<p><a href="{document_link(entry.id)}">Open {escape(label)}</a></p>\n')
        html.append(
            f'<p class="entry-meta"><time datetime="{entry.occurred_on.isoformat()}">'
            f"{occurred_long}</time>\n· {escape(SOURCE_LABELS.get(entry.source, entry.source))}"
        )
        if entry.practice_name:
            html.append(f" ({escape(entry.practice_name)})")
        author = _author_name(vis, entry)
        if author:
            html.append(f" · by {escape(author)}")
        html.append("\n")
        if vis.can_edit and entry.source == EntrySource.OWNER:
            what = escape(f"{kind_label.lower()} of {occurred_long}")
            html.append(
                f' · <a href="{edit_link(entry.id)}">Edit<span class="visually-hidden"> '
                f"{what}</span></a>\n"
                f' · <a href="{delete_link(entry.id)}">Delete<span class="visually-hidden"> '
                f"{what}</span></a>"
            )
        html.append("</p>\n</li>\n")
        items.append("".join(html))
    return mark_safe("".join(items))  # noqa: S308 - every text above is escaped


def workspace_timeline_html(entries: Iterable[selectors.EntryRow]) -> str:
    """The vet's animal page's timeline: a line per entry (its kind, date, summary, the
    notes of all but clinical notes, and who recorded it), as one safe string."""
    short_date = day_month_year_of()
    items = []
    for entry in entries:
        kind_label = KIND_LABELS.get(entry.kind, entry.kind)
        html = [
            f"<li><strong>{escape(kind_label)}</strong> — {short_date(entry.occurred_on)}: "
            f"{escape(entry_summary(entry))}\n"
        ]
        if entry.notes and entry.kind != EntryKind.CLINICAL_NOTE:
            html.append(f"<br>{escape(entry.notes)}")
        html.append(
            f'\n<span class="muted">({escape(SOURCE_LABELS.get(entry.source, entry.source))}'
        )
        if entry.practice_name:
            html.append(f", {escape(entry.practice_name)}")
        html.append(")</span></li>\n")
        items.append("".join(html))
    return mark_safe("".join(items))  # noqa: S308 - every text above is escaped


def weight_table_html(points: Iterable[tuple[dt.date, float]]) -> str:
    """The weight table's rows (<tr>s): `when|date:"j M Y"` and `kg|floatformat:2`."""
    short_date = day_month_year_of()
    return mark_safe(  # noqa: S308 - dates and numbers only
        "".join(
            f"<tr><td>{short_date(when)}</td><td>{_two_places(kg)}</td></tr>" for when, kg in points
        )
    )


def _two_places(kg: float) -> Decimal:
    # floatformat's rounding: the float's repr, half up.
    return Decimal(repr(kg)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# The owner's animal page's links to the animal's other pages, by the names its template
# reads (each route reversed once per process: vetpass.pagefmt.link_for).
ANIMAL_LINKS = {
    "detail": "records:animal_detail",
    "entry_add": "records:entry_add",
    "edit": "records:animal_edit",
    "co_owners": "records:co_owners",
    "messages": "records:animal_messages",
    "delete": "records:animal_delete",
    "certificate": "records:certificate",
    "fhir": "records:animal_fhir",
    "photo": "records:animal_photo",
    "leave": "records:access_leave",
}


def animal_links(pk: int) -> dict[str, str]:
    links = {key: link_for(name)(pk) for key, name in ANIMAL_LINKS.items()}
    links.update(home=url_of("records:home"), search=url_of("practices:search"))
    return links


def kind_filter_html(detail_url: str, kind: str) -> str:
    """The timeline's filter by kind: "All" and one link per kind, the chosen one marked."""
    here = ' aria-current="page"'
    every = f'<li><a href="{escape(detail_url)}"{"" if kind else here}>All</a></li>\n'
    return mark_safe(  # noqa: S308 - escaped here
        every
        + "".join(
            f'<li><a href="?kind={value}"{here if kind == value else ""}>{escape(label)}</a></li>'
            for value, label in EntryKind.choices
        )
    )


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
    with prepared_cursor() as cursor:
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
