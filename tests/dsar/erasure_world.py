"""An owner with everything erasure must reach, built through the services and a real admin
change, and the PostgreSQL dump that the erasure tests search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.admin.models import LogEntry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from consent.services import consent_grant
from dsar import services as cases
from dsar.export.services import export_build, export_start
from dsar.intake import dsar_intake_signed_in
from dsar.personal_data_map import Person, querysets_for
from records.certificates import certificate_link_create
from records.models import AccessLog, AccessLogGrant, Animal, Entry, EntrySource, Practice
from records.practices.services.favorites import favorite_create
from records.practices.services.shares import emergency_share_create
from tests.conftest import client_for, mfa_client_for
from tests.factories import AnimalFactory, EntryFactory
from vetpass.outbox.models import OutboxEmail

PHONE = "+44 7700 900461"
ADDRESS = "12 Quillfeather Lane"
POSTCODE = "QF9 8ZZ"
FREE_CHIP = "985141000123456"  # Rex: no practice held him
CLINIC_CHIP = "985141000777001"  # Bella: Riverside's clinical record
HELD_CHIP = "985141000555002"  # Max: under a scoped legal hold


@dataclass
class World:
    owner: object
    rex: Animal
    bella: Animal
    max: Animal
    files: list[str]
    held_files: list[str]

    def secrets(self) -> list[str]:
        return [
            "alice@example.com",
            "Alice Owner",
            PHONE,
            ADDRESS,
            POSTCODE,
            FREE_CHIP,
        ]


def _photo(animal: Animal, name: str) -> str:
    animal.photo.save(name, ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg"), save=True)
    return animal.photo.name


def _document(entry: Entry, name: str) -> str:
    entry.document.save(name, ContentFile(b"%PDF-1.4 a vaccination card"), save=True)
    return entry.document.name


def build_world(*, alice, riverside: Practice, hilltop: Practice, carol, dpo) -> World:
    alice.phone, alice.address_line1, alice.postcode, alice.town = PHONE, ADDRESS, POSTCODE, "Leeds"
    alice.save()
    Practice.objects.filter(pk__in=[riverside.pk, hilltop.pk]).update(participates=True)
    riverside.refresh_from_db()
    hilltop.refresh_from_db()
    rex = AnimalFactory(owner=alice, name="Rex", microchip=FREE_CHIP)
    bella = AnimalFactory(owner=alice, name="Bella", microchip=CLINIC_CHIP)
    max_ = AnimalFactory(owner=alice, name="Max", microchip=HELD_CHIP)
    files = [_photo(rex, "rex.jpg"), _photo(bella, "bella.jpg")]
    own = EntryFactory(animal=rex, author=alice, notes="Owner's note about Rex")
    files.append(_document(own, "rex-card.pdf"))
    EntryFactory(animal=bella, author=alice, notes="Owner's note about Bella")
    EntryFactory(
        animal=bella,
        author=carol,
        practice=riverside,
        source=EntrySource.PRACTICE,
        notes="Riverside: vaccinated",
        occurred_on=timezone.localdate() - timedelta(days=30),
    )
    held_entry = EntryFactory(animal=max_, author=alice, notes="Max's held record")
    held_files = [_photo(max_, "max.jpg"), _document(held_entry, "max-card.pdf")]
    consent_grant(subject=alice, purpose="marketing_email", channel="web")
    consent_grant(subject=alice.email, purpose="marketing_email", channel="web")
    favorite_create(owner=alice, practice=riverside, already_client=True)
    emergency_share_create(owner=alice, animals=[rex], practice=hilltop)
    certificate_link_create(owner=alice, animal=rex, days=30)
    AccessLog.objects.create(
        viewer=carol,
        practice=riverside,
        owner=alice,
        animal=bella,
        view="records:animal",
        grant_kind=AccessLogGrant.FAVORITE,
    )
    cases.legal_hold_place(subject=alice, reason="Claim 2026-77 about Max", actor=dpo, animal=max_)
    # A DPO (superuser) edits the person in the admin: Django logs str(alice) = her name.
    dpo.is_superuser = True
    dpo.save()
    admin = mfa_client_for(dpo)
    changed = admin.post(
        f"/admin/accounts/user/{alice.pk}/change/",
        {
            "is_active": "on",
            "is_staff": "on",
            "restriction_events-TOTAL_FORMS": "0",
            "restriction_events-INITIAL_FORMS": "0",
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:3000]
    assert LogEntry.objects.filter(object_repr="Alice Owner").exists()
    client_for(alice)  # a session
    # An earlier access request: a case with her details, and its acknowledgement mailed
    # to her (an outbox row).
    access = dsar_intake_signed_in(
        user=alice, type="access", details="All of it, Alice", channel="web"
    )
    assert OutboxEmail.objects.filter(to__icontains=alice.email).exists()
    # ... whose export was built: a zip of everything in storage, its link mailed to her.
    if access.status == "verified":
        cases.dsar_transition(request=access, to="in_progress", actor=dpo)
    export = export_start(case=access, actor=dpo)
    export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.file_name and default_storage.exists(export.file_name)
    files.append(export.file_name)
    return World(owner=alice, rex=rex, bella=bella, max=max_, files=files, held_files=held_files)


def another_owner(bob, riverside: Practice) -> None:
    bob.phone, bob.postcode = "+44 7700 900999", "BB1 1BB"
    bob.save()
    tom = AnimalFactory(owner=bob, name="Tom", microchip="985141000888003")
    EntryFactory(animal=tom, author=bob, notes="Bob's note")
    Practice.objects.filter(pk=riverside.pk).update(participates=True)
    favorite_create(owner=bob, practice=riverside)
    consent_grant(subject=bob, purpose="marketing_email", channel="web")


def rows_of(user) -> list[str]:
    """Every row the map finds for the person, as text, for a before/after comparison."""
    out = []
    for model, subject, rows in querysets_for(Person.of(user=user)):
        out += [f"{model._meta.label} {subject.path} {r}" for r in rows.order_by("pk").values()]
    return sorted(out)


def dump() -> str:
    """Every row of every table of the public schema, as PostgreSQL prints it (on SQLite,
    the embedded default: every row of every table, as Python prints it)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            tables = sorted(connection.introspection.table_names(cursor))
            lines = []
            for table in tables:
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
                lines += sorted(f"{table}: {row!r}" for row in cursor.fetchall())
            return "\n".join(lines)
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [row[0] for row in cursor.fetchall()]
        lines = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t ORDER BY 1')  # noqa: S608
            lines += [f"{table}: {row[0]}" for row in cursor.fetchall()]
    return "\n".join(lines)


def exists(name: str) -> bool:
    return default_storage.exists(name)
