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
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import format_html

from vetpass.pagefmt import day_month_year, link_for

from . import selectors
from .models import Entry, EntryKind, EntrySource
from .vaccinations import entry_urgency, next_due_of, urgency, with_superseded
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


# --- the dashboard's cards ------------------------------------------------------------------


def dashboard_cards(user: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The owner's animals and their herds or groups as cards: what each card shows, the
    next vaccination due from records.vaccinations (one query for all of them)."""
    rows = list(
        selectors.animals_owned_or_shared(user)
        .order_by("name", "id")
        .values(
            "id",
            "name",
            "photo",
            "is_group",
            "head_count",
            "deceased",
            "owner_id",
            "breed_id",
            "species__name",
            "breed__name",
            "owner__full_name",
            "owner__email",
        )
    )
    due = next_due_of(animal["id"] for animal in rows)
    today = timezone.localdate()
    detail_link = link_for("records:animal_detail")
    photo_link = link_for("records:animal_photo")
    animals_cards: list[dict[str, Any]] = []
    herd_cards: list[dict[str, Any]] = []
    for animal in rows:
        pk = animal["id"]
        next_due_on, product = due.get(pk, (None, ""))
        urgent = urgency(next_due_on, today)
        facts = animal["species__name"]
        if animal["breed_id"]:
            facts += f" · {animal['breed__name']}"
        if animal["is_group"]:
            facts += f" · {animal['head_count']} head"
        if animal["deceased"]:
            facts += " · died"
        shared_by = ""
        if animal["owner_id"] != user.pk:  # User.display_name
            shared_by = animal["owner__full_name"] or animal["owner__email"]
        card = {
            "url": detail_link(pk),
            "photo_url": photo_link(pk) if animal["photo"] else "",
            "name": animal["name"],
            "species": animal["species__name"],
            "facts": facts,
            "shared_by": shared_by,
            "due": (
                f"{CARD_DUE_WORDS.get(urgent, 'due')} {day_month_year(next_due_on)}"
                if next_due_on
                else ""
            ),
            "urgency": urgent,
            "product": product,
        }
        (herd_cards if animal["is_group"] else animals_cards).append(card)
    return animals_cards, herd_cards
