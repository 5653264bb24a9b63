"""The ledger can never be erased, so it holds no direct identifier: a person without an
account is keyed by an HMAC of their address (settings.CONSENT_SUBJECT_KEY); the address
lives in EmailSubject, which erasure can delete. Existing `email:<address>` keys are
re-keyed and re-chained by a migration, and the ledger still verifies."""

import hashlib
import hmac
import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consent.models import ConsentEvent, EmailSubject, event_hash
from consent.selectors import consent_given
from consent.services import consent_grant, consent_withdraw, subject_key_for

pytestmark = pytest.mark.django_db
ADDRESS = "paper.only@example.com"


def test_a_person_without_an_account_is_keyed_by_a_keyed_hash(settings, reference_data):
    settings.CONSENT_SUBJECT_KEY = "k1"
    key = subject_key_for(" Paper.Only@Example.com ")
    expected = hmac.new(b"k1", ADDRESS.encode(), hashlib.sha256).hexdigest()
    assert key == f"email:{expected}"
    settings.CONSENT_SUBJECT_KEY = "k2"
    assert subject_key_for(ADDRESS) != key  # the key matters: no plain hash to guess


def test_no_ledger_row_holds_the_address_and_the_address_is_erasable(reference_data):
    consent_grant(subject=ADDRESS, purpose="marketing_email", channel="admin")
    consent_withdraw(subject=ADDRESS.upper(), purpose="marketing_email", channel="email_link")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ConsentEvent._meta.db_table}")  # noqa: S608
        dump = repr(cursor.fetchall())
    assert "paper.only" not in dump.lower()
    assert EmailSubject.objects.get().email == ADDRESS
    assert consent_given(ADDRESS, "marketing_email") is False  # one person, one chain
    EmailSubject.objects.all().delete()  # what erasure does
    out = StringIO()
    call_command("verify_consent_ledger", stdout=out)  # the ledger still verifies


def test_the_migration_rekeys_old_address_keys_and_rechains_them(reference_data):
    # An event as it was written before: `email:<address>` in the ledger itself.
    from django.utils import timezone

    from consent.models import Purpose

    old_key = f"email:{ADDRESS}"
    purpose = Purpose.objects.get(code="marketing_email")
    prev = ""
    for sequence, action in enumerate(["grant", "withdraw"], start=1):
        event = ConsentEvent(
            subject_key=old_key,
            purpose=purpose,
            action=action,
            channel="admin",
            actor_role="dpo",
            created_at=timezone.now(),
            sequence=sequence,
            prev_hash=prev,
        )
        event.hash = event_hash(event)
        event.save()
        prev = event.hash
    migration = importlib.import_module("consent.migrations.0005_rekey_email_subjects")
    state = MigrationExecutor(connection).loader.project_state(
        ("consent", "0005_rekey_email_subjects")
    )
    migration.rekey(state.apps, None)  # as migrate runs it: with the historical models
    assert not ConsentEvent.objects.filter(subject_key=old_key).exists()
    new_key = subject_key_for(ADDRESS)
    assert ConsentEvent.objects.filter(subject_key=new_key).count() == 2
    assert EmailSubject.objects.get(subject_key=new_key).email == ADDRESS
    out = StringIO()
    call_command("verify_consent_ledger", stdout=out)
    assert consent_given(ADDRESS, "marketing_email") is False
