"""Benchmark: erasing 1,000 subjects with the map's engine (dsar.erasure.engine.erase_rows,
one statement per table and action for all of them), against the same erasure done object
by object with save()/delete() (what django-gdpr-assist-style tools do), and against
hand-written SQL for the same rows (the floor).

Not a test. Runs standalone against DATABASE_URL (PostgreSQL):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp .venv/bin/python bench/erasure.py

It never touches your data: it creates a throwaway database (bench_erasure_<name>), fills
it once, runs each way inside a transaction that is rolled back (so every way erases the
same rows), and destroys it. The object-by-object way is timed on a sample of subjects
(100 by default) and extrapolated; the output says so.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetpass.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

SUBJECTS = int(os.environ.get("BENCH_SUBJECTS", "1000"))
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "100"))
ANIMALS, ENTRIES = 3, 4  # per subject; one animal also has a practice's entry (kept)
NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


class Rollback(Exception):
    pass


def populate() -> None:
    from allauth.account.models import EmailAddress

    from records.models import (
        AccessLog,
        Animal,
        Breed,
        ClientRegistration,
        Entry,
        Favorite,
        Practice,
        RecordRequest,
        Species,
    )
    from records.reference_data import load_species
    from vetpass.accounts.models import Session, User

    load_species(Species, Breed)
    dog = Species.objects.get(slug="dog")
    practice = Practice.objects.create(name="Bench Vets", participates=True, country="GB")
    users = User.objects.bulk_create(
        [
            User(
                email=f"s{n}@bench.example",
                full_name=f"Subject {n}",
                phone="+44 7700 900000",
                postcode="BE1 1NC",
                address_line1=f"{n} Bench Street",
                password="!",
            )
            for n in range(SUBJECTS)
        ],
        batch_size=2000,
    )
    animals = Animal.objects.bulk_create(
        [
            Animal(owner=u, name=f"A{u.pk}-{i}", species=dog, microchip=f"98514100{u.pk:07d}")
            for u in users
            for i in range(ANIMALS)
        ],
        batch_size=5000,
    )
    Entry.objects.bulk_create(
        [
            Entry(
                animal=a,
                kind="clinical_note",
                occurred_on=date(2026, 1, 1),
                notes="owner note",
                author_id=a.owner_id,
            )
            for a in animals
            for _ in range(ENTRIES)
        ]
        + [
            Entry(
                animal=a,
                kind="clinical_note",
                occurred_on=date(2026, 2, 1),
                notes="practice note",
                practice=practice,
                source="practice",
            )
            for a in animals[::ANIMALS]
        ],
        batch_size=5000,
    )
    registrations = ClientRegistration.objects.bulk_create(
        [ClientRegistration(practice=practice, owner=u) for u in users]
    )
    favorites = Favorite.objects.bulk_create(
        [Favorite(owner=r.owner, practice=practice, registration=r) for r in registrations]
    )
    RecordRequest.objects.bulk_create(
        [RecordRequest(favorite=f, practice=practice, owner_id=f.owner_id) for f in favorites]
    )
    Session.objects.bulk_create(
        [
            Session(
                session_key=f"bench{u.pk:032d}",
                session_data="x",
                expire_date=NOW + timedelta(days=14),
                user=u,
            )
            for u in users
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    AccessLog.objects.bulk_create(
        [
            AccessLog(viewer=u, practice=practice, owner=u, view="bench", grant_kind="favorite")
            for u in users
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"data: {SUBJECTS:,} subjects, {len(animals):,} animals, "
        f"{Entry.objects.count():,} entries, plus favorites, registrations, record requests, "
        "sessions, addresses and access-log rows"
    )


def _persons(limit: int | None = None):
    from dsar.personal_data_map import Person
    from vetpass.accounts.models import User

    users = User.objects.filter(email__endswith="@bench.example").order_by("pk")
    return [Person.of(user=u) for u in (users[:limit] if limit else users)]


def timed(run) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """Run inside a transaction that is rolled back: every way erases the same rows."""
    result: object = None
    try:
        with transaction.atomic():
            start = time.perf_counter()
            result = run()
            elapsed = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    return elapsed, result


def engine_way():  # type: ignore[no-untyped-def]
    from dsar.erasure.engine import erase_rows

    persons = _persons()
    return erase_rows(persons).as_dict()["tables"]


def object_by_object(limit: int):  # type: ignore[no-untyped-def]
    from allauth.account.models import EmailAddress

    from records.models import Animal, ClientRegistration, Entry, Favorite, RecordRequest
    from vetpass.accounts.models import Session

    def run() -> int:
        n = 0
        for person in _persons(limit):
            user = person.user
            for entry in Entry.objects.filter(animal__owner=user, practice__isnull=True):
                entry.delete()
                n += 1
            for animal in Animal.objects.filter(owner=user):
                if animal.entries.filter(practice__isnull=False).exists():
                    animal.photo = ""
                    animal.save()
                else:
                    animal.delete()
                n += 1
            for model in (RecordRequest, Favorite, ClientRegistration):
                for row in model.objects.filter(owner=user):
                    row.delete()
                    n += 1
            for session in Session.objects.filter(user=user):
                session.delete()
            for address in EmailAddress.objects.filter(user=user):
                address.delete()
            user.email = f"erased-{user.pk}@erased.invalid"
            for name in ("full_name", "phone", "postcode", "address_line1", "town"):
                setattr(user, name, "")
            user.is_active = False
            user.set_unusable_password()
            user.save()
        return n

    return run


def hand_sql():  # type: ignore[no-untyped-def]
    """The same erasure for the same rows, written by hand: every table the map reaches,
    one statement each, the keyed hash computed as the engine does (HMAC in Python, one
    UPDATE from unnest), no ORM and no manifest counts."""
    from dsar.erasure import keys

    persons = _persons()
    ids = [p.user.pk for p in persons]
    emails = [p.email.lower() for p in persons]
    mine = "a.owner_id = ANY(%(ids)s)"
    statements = [
        # stored files of what is deleted, to delete after commit
        f"SELECT e.document FROM records_entry e JOIN records_animal a ON e.animal_id = a.id "
        f"WHERE {mine} AND e.practice_id IS NULL AND e.document <> ''",
        "SELECT photo FROM records_animal WHERE owner_id = ANY(%(ids)s) AND photo <> ''",
        "DELETE FROM records_animalaccess x USING records_animal a WHERE x.animal_id = a.id "
        f"AND {mine}",
        "DELETE FROM records_animalaccess WHERE user_id = ANY(%(ids)s)",
        "DELETE FROM records_coownerinvitation x USING records_animal a "
        f"WHERE x.animal_id = a.id AND {mine}",
        "DELETE FROM records_coownerinvitation WHERE invited_by_id = ANY(%(ids)s) "
        "OR accepted_by_id = ANY(%(ids)s) OR lower(email) = ANY(%(emails)s)",
        f"DELETE FROM records_entry e USING records_animal a WHERE e.animal_id = a.id AND {mine} "
        "AND e.practice_id IS NULL",
        "UPDATE records_entry SET author_id = NULL WHERE author_id = ANY(%(ids)s)",
        "DELETE FROM records_practicemembership WHERE user_id = ANY(%(ids)s)",
        "DELETE FROM records_joinrequest WHERE user_id = ANY(%(ids)s)",
        "UPDATE records_joinrequest SET decided_by_id = NULL WHERE decided_by_id = ANY(%(ids)s)",
        "DELETE FROM records_recordrequest WHERE owner_id = ANY(%(ids)s)",
        "UPDATE records_recordrequest SET answered_by_id = NULL "
        "WHERE answered_by_id = ANY(%(ids)s)",
        "DELETE FROM records_emergencyshare_animals x USING records_emergencyshare s "
        "WHERE x.emergencyshare_id = s.id AND s.owner_id = ANY(%(ids)s)",
        "DELETE FROM records_emergencyshare WHERE owner_id = ANY(%(ids)s)",
        "UPDATE records_emergencyshare SET redeemed_by_id = NULL "
        "WHERE redeemed_by_id = ANY(%(ids)s)",
        "DELETE FROM records_favorite_animals x USING records_animal a "
        f"WHERE x.animal_id = a.id AND {mine} AND NOT EXISTS "
        "(SELECT 1 FROM records_entry e WHERE e.animal_id = a.id)",
        "DELETE FROM records_emergencyshare_animals x USING records_animal a "
        f"WHERE x.animal_id = a.id AND {mine} AND NOT EXISTS "
        "(SELECT 1 FROM records_entry e WHERE e.animal_id = a.id)",
        "UPDATE records_animal SET group_id = NULL WHERE group_id IN (SELECT a.id FROM "
        f"records_animal a WHERE {mine} AND NOT EXISTS "
        "(SELECT 1 FROM records_entry e WHERE e.animal_id = a.id))",
        f"DELETE FROM records_animal a WHERE {mine} AND NOT EXISTS "
        "(SELECT 1 FROM records_entry e WHERE e.animal_id = a.id)",
        "UPDATE records_animal SET photo = '' WHERE owner_id = ANY(%(ids)s)",
        "DELETE FROM records_favorite_animals x USING records_favorite f "
        "WHERE x.favorite_id = f.id AND f.owner_id = ANY(%(ids)s)",
        "DELETE FROM records_favorite WHERE owner_id = ANY(%(ids)s)",
        "DELETE FROM records_clientregistration WHERE owner_id = ANY(%(ids)s)",
        "DELETE FROM accounts_session WHERE user_id = ANY(%(ids)s)",
        "DELETE FROM account_emailconfirmation c USING account_emailaddress a "
        "WHERE c.email_address_id = a.id AND (a.user_id = ANY(%(ids)s) "
        "OR lower(a.email) = ANY(%(emails)s))",
        "DELETE FROM account_emailaddress WHERE user_id = ANY(%(ids)s) "
        "OR lower(email) = ANY(%(emails)s)",
        "DELETE FROM mfa_authenticator WHERE user_id = ANY(%(ids)s)",
        "DELETE FROM consent_emailsubject WHERE lower(email) = ANY(%(emails)s)",
        "DELETE FROM outbox_outboxemail o WHERE EXISTS (SELECT 1 FROM "
        "jsonb_array_elements_text(o.to || o.cc || o.bcc || o.reply_to) e "
        "WHERE lower(e) = ANY(%(emails)s))",
        "UPDATE dsar_datasubjectrequest SET name = '', postcode = '', details = '', "
        "verification_token_hash = '' WHERE subject_id = ANY(%(ids)s) "
        "OR lower(email) = ANY(%(emails)s)",
        "UPDATE accounts_user SET full_name = '', phone = '', postcode = '', "
        "address_line1 = '', address_line2 = '', town = '', country = '', region = '', "
        "date_of_birth = NULL, password = '!erased', is_active = false, last_login = NULL, "
        "last_activity_at = NULL, last_activity_kind = '', "
        "date_joined = date_trunc('year', date_joined) WHERE id = ANY(%(ids)s)",
    ]

    def run() -> int:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, {"ids": ids, "emails": emails})
            cursor.execute("SELECT id, email FROM accounts_user WHERE id = ANY(%s)", [ids])
            pairs = [
                (pk, keys.erased_value(e, email=True, row=f"accounts.User:{pk}"))
                for pk, e in cursor.fetchall()
            ]
            cursor.execute(
                "UPDATE accounts_user SET email = v.value FROM unnest(%s::bigint[], %s::text[]) "
                "AS v(id, value) WHERE accounts_user.id = v.id",
                [[p for p, _ in pairs], [v for _, v in pairs]],
            )
        return len(statements) + 2

    return run


def main() -> None:
    if connection.vendor != "postgresql":
        print("skipped: bench/erasure.py measures PostgreSQL; set DATABASE_URL to run it.")
        return
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = f"bench_erasure_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor} (throwaway: {connection.settings_dict['NAME']})")
        populate()
        engine_times = [timed(engine_way)[0] for _ in range(3)]
        engine_time = sorted(engine_times)[1]
        floor_time = sorted(timed(hand_sql())[0] for _ in range(3))[1]
        sample_time, _ = timed(object_by_object(SAMPLE))
        per_subject = sample_time / SAMPLE
        extrapolated = per_subject * SUBJECTS
        print(f"engine (batch, one statement per table and action): {engine_time:,.3f} s")
        print(f"hand-written SQL (the floor): {floor_time:,.3f} s (median of 3)")
        print(
            f"object by object: {SAMPLE:,} subjects in {sample_time:,.2f} s "
            f"({per_subject * 1000:,.1f} ms each), "
            f"extrapolated to {SUBJECTS:,}: {extrapolated:,.1f} s"
        )
        print(
            f"ratio (object by object / engine): {extrapolated / engine_time:,.1f}x  (aim >= 100x)"
        )
        print(f"ratio (engine / hand-written SQL): {engine_time / floor_time:,.2f}x  (aim <= 2x)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
