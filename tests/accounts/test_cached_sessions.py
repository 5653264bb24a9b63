"""Sessions live in the shared cache in front of accounts.Session (issue 10): a warm
request reads no session row, and every way a session ends drops the cached copy too —
signing out, a password change (other sessions), erasure, expiry."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import app_session_token
from vetpass.accounts.models import Session
from vetpass.accounts.sessions import KEY_PREFIX

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified_alice(alice):
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    return alice


def cached(key: str) -> bool:
    return caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + key) is not None


def app_token(alice, password) -> str:
    return app_session_token(alice, password)


def api_get(token: str, path: str = "/api/v1/animals/"):
    return Client().get(path, HTTP_X_SESSION_TOKEN=token)


def queries_of(call):
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    return response, [q["sql"] for q in ctx.captured_queries]


def test_a_warm_app_request_reads_no_session_row_and_no_account_row(verified_alice, password):
    token = app_token(verified_alice, password)
    caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + token)
    cold, cold_sql = queries_of(lambda: api_get(token))
    warm, warm_sql = queries_of(lambda: api_get(token))

    assert cold.status_code == warm.status_code == 200
    # The first look reads the row once (no existence check before it) and fills the cache.
    assert sum("accounts_session" in q for q in cold_sql) == 1, "\n".join(cold_sql)
    assert not [q for q in warm_sql if "accounts_session" in q]
    # The policy gate and DRF both authenticate the token: the account is read at most once
    # cold, and warm it comes from the cache with the session (vetpass.accounts.usercache).
    assert sum('FROM "accounts_user"' in q for q in cold_sql) <= 1, "\n".join(cold_sql)
    assert not [q for q in warm_sql if 'FROM "accounts_user"' in q], "\n".join(warm_sql)
    assert cached(token)


def test_a_warm_web_request_reads_no_session_row(verified_alice, password):
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"login": verified_alice.email, "password": password}
        ).status_code
        == 302
    )
    client.get("/")
    response, sql = queries_of(lambda: client.get("/"))

    assert response.status_code == 200
    assert not [q for q in sql if "accounts_session" in q]


def test_signing_out_of_the_app_drops_the_cached_session(verified_alice, password):
    token = app_token(verified_alice, password)
    assert api_get(token).status_code == 200
    assert cached(token)

    out = Client().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)

    assert out.status_code == 401  # allauth's answer: signed out
    assert not cached(token)
    assert not Session.objects.filter(session_key=token).exists()
    assert api_get(token).status_code == 401


def test_signing_out_on_the_web_drops_the_cached_session(verified_alice, password):
    client = Client()
    client.post("/accounts/login/", {"login": verified_alice.email, "password": password})
    key = client.cookies["sessionid"].value
    assert client.get("/").status_code == 200
    assert cached(key)

    client.post("/accounts/logout/")

    assert not cached(key)
    again = Client()
    again.cookies["sessionid"] = key
    assert again.get("/animals/").status_code == 302  # to the sign-in page


def test_a_password_change_ends_the_other_cached_sessions(verified_alice, password):
    token = app_token(verified_alice, password)
    assert api_get(token).status_code == 200
    assert cached(token)

    verified_alice.set_password("a-completely-new-Passw0rd")
    verified_alice.save()

    assert api_get(token).status_code == 401
    assert not cached(token)  # the refused copy was flushed with its row
    assert not Session.objects.filter(session_key=token).exists()


def test_erasure_ends_the_cached_sessions(
    verified_alice, password, dpo, django_capture_on_commit_callbacks
):
    token = app_token(verified_alice, password)
    assert api_get(token).status_code == 200
    assert cached(token)

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "dsar_erase",
            "--email",
            verified_alice.email,
            "--reason",
            "Asked by letter",
            "--operator",
            dpo.email,
            "--json",
            stdout=out,
        )
    assert not cached(token)  # dropped when the erasure committed, before any new look
    assert json.loads(out.getvalue())

    assert not Session.objects.filter(user_id=verified_alice.pk).exists()
    assert api_get(token).status_code == 401
    assert not cached(token)


def test_an_expired_session_is_gone_from_the_cache_too(verified_alice, password):
    token = app_token(verified_alice, password)
    assert api_get(token).status_code == 200
    later = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later, tick=False):
        assert api_get(token).status_code == 401
        call_command("clearsessions")
        assert not Session.objects.filter(session_key=token).exists()
        assert not cached(token)
