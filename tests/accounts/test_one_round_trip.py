"""On Redis, a signed-in request reads its session and its account (with the account's
companion keys) in one cache round trip (vetpass.cache.get_chained, issue 10), and every
way a session or an account ends still stops the very next request."""

from __future__ import annotations

import os

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import caches
from django.core.signals import request_started
from django.db import close_old_connections
from django.test import Client, override_settings
from redis.connection import AbstractConnection

from tests.conftest import app_session_token
from vetpass.accounts.sessions import ACCOUNT_KEY_PREFIX, KEY_PREFIX, SessionStore
from vetpass.accounts.usercache import KEY, user_cached, user_prefetched
from vetpass.cache import RedisCache, get_chained

pytestmark = pytest.mark.django_db

REDIS = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
REDIS_CACHE = {
    "default": {
        "BACKEND": "vetpass.cache.RedisCache",
        "LOCATION": REDIS,
        "KEY_PREFIX": "vp-one-trip-test",
    }
}


@pytest.fixture
def redis_cache():
    if not REDIS.startswith("redis://"):
        pytest.skip("needs Redis (CELERY_BROKER_URL=redis://…)")
    with override_settings(CACHES=REDIS_CACHE):
        cache = caches["default"]
        assert isinstance(cache, RedisCache)
        cache.clear()
        yield cache
        cache.clear()


@pytest.fixture
def round_trips(monkeypatch):
    """The commands sent to Redis, one entry per round trip."""
    sent: list[str] = []
    real = AbstractConnection.send_packed_command

    def send(self, command, check_health=True):
        first = command[0] if isinstance(command, list) else command
        sent.append(bytes(first).split(b"\r\n")[2].decode())
        return real(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", send)
    return sent


@pytest.fixture
def verified_alice(alice):
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    return alice


def web_client(user, password) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert response.status_code == 302
    return client


def app_token(user, password) -> str:
    return app_session_token(user, password)


def test_a_warm_web_request_reads_session_and_account_in_one_round_trip(
    redis_cache, verified_alice, password, round_trips
):
    client = web_client(verified_alice, password)
    assert client.get("/privacy/").status_code == 200
    round_trips.clear()

    response = client.get("/privacy/")

    assert response.status_code == 200
    assert response.wsgi_request.user == verified_alice
    assert round_trips == ["EVALSHA"], round_trips


def test_a_warm_app_request_makes_one_round_trip_for_session_account_and_throttle(
    redis_cache, verified_alice, password, round_trips
):
    token = app_token(verified_alice, password)
    assert Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token).status_code == 200
    round_trips.clear()

    response = Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 200
    # The session, the account, its policy mark and the throttle's count: one script.
    assert round_trips == ["EVALSHA"], round_trips


def test_the_throttle_counted_with_the_session_still_holds_its_limit(
    redis_cache, verified_alice, password, monkeypatch
):
    from rest_framework.throttling import UserRateThrottle

    token = app_token(verified_alice, password)
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "3/min")
    statuses = [
        Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token).status_code for _ in range(4)
    ]
    # The window may turn between two requests: then the fourth is the first of the next.
    assert statuses[:3] == [200, 200, 200] and statuses[3] in (429, 200), statuses
    keys = redis_cache._cache.get_client().keys(f"*throttle_user_{verified_alice.pk}:*")
    assert keys
    assert 0 < redis_cache._cache.get_client().ttl(keys[0]) <= 60


def test_signing_out_stops_the_next_request_on_both_doors(redis_cache, verified_alice, password):
    client = web_client(verified_alice, password)
    key = client.cookies["sessionid"].value
    assert client.get("/animals/").status_code == 200
    client.post("/accounts/logout/")
    again = Client()
    again.cookies["sessionid"] = key
    assert again.get("/animals/").status_code == 302
    assert redis_cache.get(ACCOUNT_KEY_PREFIX + key) is None

    token = app_token(verified_alice, password)
    assert Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token).status_code == 200
    Client().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token).status_code == 401


def test_deactivation_and_a_password_change_stop_the_next_request(
    redis_cache, verified_alice, bob, password
):
    token = app_token(verified_alice, password)
    assert Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token).status_code == 200
    verified_alice.set_password("a-completely-new-Passw0rd")
    verified_alice.save()
    assert Client().get("/api/v1/animals/", HTTP_X_SESSION_TOKEN=token).status_code == 401

    EmailAddress.objects.create(user=bob, email=bob.email, verified=True, primary=True)
    client = web_client(bob, password)
    assert client.get("/animals/").status_code == 200
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert client.get("/animals/").status_code == 302


def test_what_comes_with_a_session_is_used_only_for_the_account_it_names(
    redis_cache, verified_alice, bob, password
):
    client = web_client(verified_alice, password)
    key = client.cookies["sessionid"].value
    user_cached(bob.pk)  # bob's copy in the cache
    # A stale pointer naming bob beside alice's session.
    redis_cache.set(ACCOUNT_KEY_PREFIX + key, bob.pk)

    response = client.get("/privacy/")

    assert response.wsgi_request.user == verified_alice


def test_what_was_read_with_a_session_does_not_outlive_its_request(redis_cache, alice, bob):
    user_cached(alice.pk)
    stale = redis_cache.get(KEY.format(alice.pk))
    stale.full_name = "Not Alice Any More"
    user_prefetched(str(alice.pk), {KEY.format(alice.pk): stale})
    # As Django's test client does: no closing of the test's database connection.
    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
    assert user_cached(alice.pk).full_name == alice.full_name
    # And it is taken once, and only by the account it was read for.
    user_prefetched(str(alice.pk), {KEY.format(alice.pk): stale})
    assert user_cached(bob.pk) == bob
    assert user_cached(alice.pk).full_name == alice.full_name


@pytest.mark.parametrize("use_redis", [True, False])
def test_a_chained_read_answers_the_same_on_redis_and_elsewhere(request, use_redis):
    if use_redis:
        cache = request.getfixturevalue("redis_cache")
    else:
        cache = caches["default"]
        cache.clear()
    cache.set_many({KEY_PREFIX + "abc": {"x": 1}, ACCOUNT_KEY_PREFIX + "abc": 7, "u:7": "seven"})
    cache.set_many({KEY_PREFIX + "anon": {"y": 2}, ACCOUNT_KEY_PREFIX + "anon": 0})

    assert get_chained(cache, KEY_PREFIX + "abc", ACCOUNT_KEY_PREFIX + "abc", ["u:{}", "v:{}"]) == (
        {"x": 1},
        "7",
        {"u:7": "seven", "v:7": None},
        {},
    )
    assert get_chained(cache, KEY_PREFIX + "abc", "no-pointer", ["u:{}"]) == (
        {"x": 1},
        None,
        {},
        {},
    )
    assert get_chained(cache, "nothing", "no-pointer", []) == (None, None, {}, {})
    # 0 points nowhere: no followers, nothing counted.
    assert get_chained(
        cache, KEY_PREFIX + "anon", ACCOUNT_KEY_PREFIX + "anon", ["u:{}"], [("c:{}:1", 60)]
    ) == ({"y": 2}, None, {}, {})


def test_counters_go_up_in_the_same_round_trip_on_redis_only(request, redis_cache, round_trips):
    redis_cache.set_many({KEY_PREFIX + "abc": {"x": 1}, ACCOUNT_KEY_PREFIX + "abc": 7})
    round_trips.clear()
    answers = [
        get_chained(
            redis_cache, KEY_PREFIX + "abc", ACCOUNT_KEY_PREFIX + "abc", [], [("c:{}:1", 60)]
        )
        for _ in range(2)
    ]
    assert [a[3] for a in answers] == [{"c:7:1": 1}, {"c:7:1": 2}]
    assert round_trips == ["EVALSHA", "EVALSHA"]
    assert 0 < redis_cache._cache.get_client().ttl(redis_cache.make_key("c:7:1")) <= 60


def test_a_session_saved_with_an_account_keeps_its_account_id_beside_it(redis_cache, alice):
    store = SessionStore()
    store["_auth_user_id"] = str(alice.pk)
    store.create()
    assert redis_cache.get(ACCOUNT_KEY_PREFIX + store.session_key) == alice.pk
    store.delete()
    assert redis_cache.get(ACCOUNT_KEY_PREFIX + store.session_key) is None
    assert redis_cache.get(KEY_PREFIX + store.session_key) is None
