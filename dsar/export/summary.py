"""The answers of the export's readable summary (GDPR Art. 15(1)–(2); CCPA "right to
know"): the purposes and their lawful bases, the categories held, the recipients — the
exact practices that had access and when, from the access log, the favorites and the
emergency shares —, how long each is kept, where it came from, the rights, and where to
complain (Art. 15(1)(f): the supervisory authority of the person's jurisdiction).

Each answer is a few aggregate queries, whatever the size of the account.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Min

from consent.models import Purpose
from dsar.personal_data_map import Person, personal_data_map
from records.models import AccessRead, EmergencyShare, Entry, Favorite
from records.models.practices import AccessLogGrant
from vetpass.accounts.models import Jurisdiction

from .rows import WITHHELD, Table

# Where to complain (Art. 77 GDPR / UK GDPR; Cal. Civ. Code 1798.199.10 and 1798.155).
ICO = (
    "the Information Commissioner's Office (ICO), Wycliffe House, Water Lane, Wilmslow, "
    "Cheshire SK9 5AF — ico.org.uk/make-a-complaint, 0303 123 1113"
)
# VetPass's main establishment in the EEA decides the lead authority (Art. 56); anyone in
# the EEA may also complain to the authority where they live or work (Art. 77(1)).
EEA_LEAD = (
    "our lead supervisory authority, the Data Protection Commission (Ireland), "
    "21 Fitzwilliam Square South, Dublin 2 — dataprotection.ie; or the data-protection "
    "authority of the EEA country where you live or work (edpb.europa.eu lists them)"
)
CALIFORNIA = (
    "the California Privacy Protection Agency (cppa.ca.gov/webapplications/complaint) "
    "or the California Attorney General (oag.ca.gov/contact/consumer-complaint-against-"
    "business-or-company)"
)
OTHER = (
    "the data-protection authority of the country where you live; and we answer every "
    "person as the UK GDPR requires, so you may also complain to " + ICO
)
COMPLAINT_AUTHORITY: dict[str, str] = {
    Jurisdiction.UK: ICO,
    Jurisdiction.EEA: EEA_LEAD,
    Jurisdiction.US_CA: CALIFORNIA,
    Jurisdiction.US_OTHER: OTHER,
    Jurisdiction.OTHER: OTHER,
}

RIGHTS = [
    ("Access", "a copy of your data, like this one (Art. 15)."),
    ("Rectification", "have anything wrong corrected (Art. 16)."),
    ("Erasure", "have your data erased where we have no reason to keep it (Art. 17)."),
    ("Restriction", "have us stop using your data while a question is settled (Art. 18)."),
    (
        "Portability",
        "the data.json and CSV files of this export, for you or another service (Art. 20).",
    ),
    (
        "Objection",
        "object to direct marketing (we stop at once), research, or our legitimate "
        "interests (Art. 21).",
    ),
    (
        "Withdrawal of consent",
        "at any time, in the privacy centre, as easily as you gave it (Art. 7(3)).",
    ),
    (
        "California",
        "know, delete, correct, opt out of sale or sharing, and not be discriminated "
        "against for using these rights (CCPA).",
    ),
]


@dataclass
class TableFacts:
    table: Table
    rows: int = 0
    categories: list[str] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    retention: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """What a person calls the table ("Record entries"), as the models name it."""
        return str(self.table.model._meta.verbose_name_plural).capitalize()


@dataclass
class Recipient:
    name: str
    how: str
    first: datetime | None
    last: datetime | None
    count: int | None = None


def table_facts(table: Table, rows: int) -> TableFacts:
    declared = personal_data_map()[table.label]
    personal = [declared[f.name] for f in table.fields if declared[f.name].personal]
    return TableFacts(
        table=table,
        rows=rows,
        categories=sorted({str(c.category) for c in personal}),
        bases=sorted({str(c.basis) for c in personal}),
        retention=sorted({str(c.retention) for c in personal if c.retention}),
        withheld=sorted(WITHHELD.get(table.label, ())),
    )


def purposes() -> list[dict[str, str]]:
    return [
        {
            "name": p.name,
            "description": p.description,
            "basis": p.get_lawful_basis_display(),  # type: ignore[attr-defined]
        }
        for p in Purpose.objects.order_by("ordering", "name")
    ]


def bases_by_category(facts: list[TableFacts]) -> dict[str, list[str]]:
    result: dict[str, set[str]] = defaultdict(set)
    for fact in facts:
        if not fact.rows:
            continue
        declared = personal_data_map()[fact.table.label]
        for f in fact.table.fields:
            c = declared[f.name]
            if c.personal:
                result[str(c.category)].add(str(c.basis))
    return {k: sorted(v) for k, v in sorted(result.items())}


def recipients(person: Person) -> list[Recipient]:
    """The practices (and VetPass privacy staff) that read the person's records, with the
    first and last read; the practices they shared with by favorite or emergency share."""
    user = person.user
    if user is None:
        return []
    found: list[Recipient] = []
    reads = (
        AccessRead.objects.of_owner(user.pk)  # both forms: a detail page's row, a list's
        .values("practice__name", "grant_kind")
        .annotate(first=Min("created_at"), last=Max("created_at"), n=Count("id"))
        .order_by("first")
    )
    for read in reads:
        admin = read["grant_kind"] == AccessLogGrant.ADMIN
        found.append(
            Recipient(
                name="VetPass privacy staff" if admin else (read["practice__name"] or "a practice"),
                how="read your records"
                + (
                    " (working your request)"
                    if admin
                    else f" ({read['grant_kind'].replace('_', ' ')})"
                ),
                first=read["first"],
                last=read["last"],
                count=read["n"],
            )
        )
    for favorite in Favorite.objects.filter(owner=user).select_related("practice"):
        found.append(
            Recipient(
                name=favorite.practice.name,
                how="you shared your records with it (favorite)",
                first=favorite.created_at,
                last=favorite.ended_at,
            )
        )
    for share in EmergencyShare.objects.filter(owner=user).select_related("practice"):
        found.append(
            Recipient(
                name=share.practice.name if share.practice else "the practice given the code",
                how="emergency share",
                first=share.created_at,
                last=share.revoked_at or share.expires_at,
            )
        )
    return found


def sources(person: Person) -> list[dict[str, Any]]:
    """Where the data came from: the person, or the practice that wrote an entry."""
    found: list[dict[str, Any]] = [
        {"name": "You", "what": "your account, animals, records and choices"}
    ]
    user = person.user
    if user is None:
        return [{"name": "You", "what": "the request you sent us"}]
    by_practice = (
        Entry.objects.filter(animal__owner=user, practice__isnull=False)
        .values("practice__name")
        .annotate(n=Count("id"), first=Min("created_at"), last=Max("created_at"))
        .order_by("practice__name")
    )
    for row in by_practice:
        found.append(
            {
                "name": row["practice__name"],
                "what": f"{row['n']} record entr{'y' if row['n'] == 1 else 'ies'} it wrote",
                "first": row["first"],
                "last": row["last"],
            }
        )
    imported = Entry.objects.filter(animal__owner=user, source="import").count()
    if imported:
        found.append({"name": "Imported records", "what": f"{imported} entries imported"})
    return found


def complaint_authority(jurisdiction: str) -> str:
    return COMPLAINT_AUTHORITY.get(jurisdiction, OTHER)
