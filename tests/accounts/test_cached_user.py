"""The signed-in account comes from the shared cache (vetpass.accounts.usercache), and
every write to the account drops the copy: deactivation, restriction, erasure and a
change of permissions apply at the very next request (issue 10)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import app_session_token
from vetpass.accounts.models import User
from vetpass.accounts.services import activity_record, restriction_apply, restriction_lift
from vetpass.accounts.usercache import KEY, user_cached

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token(alice, password) -> str:
    return app_session_token(alice, password)


def api_get(token: str):
    return Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token)


def account_reads(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return sum('FROM "accounts_user"' in q["sql"] for q in ctx.captured_queries)


def is_cached(user: User) -> bool:
    return cache.get(KEY.format(user.pk)) is not None


def test_a_warm_request_reads_the_account_from_the_cache(token, alice):
    assert api_get(token).status_code == 200
    assert is_cached(alice)

    assert account_reads(lambda: api_get(token)) == 0


def test_deactivating_the_account_refuses_its_next_request(token, alice):
    assert api_get(token).status_code == 200
    assert is_cached(alice)

    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert not is_cached(alice)
    assert api_get(token).status_code in (401, 403)


def test_a_bulk_update_drops_the_copy_too(token, alice, bob):
    api_get(token)
    user_cached(bob.pk)
    assert is_cached(alice) and is_cached(bob)

    User.objects.filter(email__in=[alice.email, bob.email]).update(is_active=False)

    assert not is_cached(alice) and not is_cached(bob)
    assert api_get(token).status_code in (401, 403)


def test_a_restriction_is_seen_by_the_next_request_and_so_is_its_lift(
    token, alice, dpo, django_capture_on_commit_callbacks
):
    api_get(token)
    assert user_cached(alice.pk).restricted_at is None

    with django_capture_on_commit_callbacks(execute=True):
        restriction_apply(user=alice, reason="Accuracy contested", actor=dpo)
    assert not is_cached(alice)
    assert user_cached(alice.pk).restricted_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        restriction_lift(user=alice, reason="Resolved", actor=dpo)
    assert user_cached(alice.pk).restricted_at is None


def test_recording_activity_drops_the_copy_without_reading_the_account(alice):
    user_cached(alice.pk)

    assert account_reads(lambda: activity_record(user=alice.pk, kind="sign-in")) == 0

    assert not is_cached(alice)
    assert user_cached(alice.pk).last_activity_kind == "sign-in"


def test_a_change_of_groups_or_permissions_drops_the_copy(alice):
    group = Group.objects.create(name="helpers")
    user_cached(alice.pk)
    alice.groups.add(group)
    assert not is_cached(alice)

    user_cached(alice.pk)
    group.user_set.clear()
    assert not is_cached(alice)

    user_cached(alice.pk)
    alice.user_permissions.add(Permission.objects.get(codename="view_user"))
    assert not is_cached(alice)


def test_erasure_refuses_the_next_request(token, alice, dpo, django_capture_on_commit_callbacks):
    assert api_get(token).status_code == 200
    assert is_cached(alice)

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "dsar_erase",
            "--email",
            alice.email,
            "--reason",
            "Asked by letter",
            "--json",
            stdout=StringIO(),
        )

    assert not is_cached(alice)
    assert api_get(token).status_code in (401, 403)


def test_a_malformed_or_unknown_id_is_nobody(alice):
    assert user_cached("not a number") is None
    assert user_cached(alice.pk + 1000) is None
