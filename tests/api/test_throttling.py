"""The API's rate limits count in fixed windows, one cache round trip a request
(vetpass.api_throttling; issue 10): Redis INCR and EXPIRE in one pipeline."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.test import override_settings
from rest_framework.throttling import UserRateThrottle

from vetpass.api_throttling import hit

pytestmark = pytest.mark.django_db

REDIS = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS,
        "KEY_PREFIX": "vp-throttle-test",
    }
}


@pytest.fixture
def redis_cache():
    with override_settings(CACHES=REDIS_CACHE):
        cache = caches["default"]
        cache.clear()
        yield cache
        cache.clear()


def test_redis_counts_in_one_pipeline_and_the_key_expires_with_its_window(redis_cache, monkeypatch):
    client = redis_cache._cache.get_client(write=True)
    sent = []
    real = type(client.pipeline()).execute

    def execute(pipe, *args, **kwargs):
        sent.append([c[0][0] for c in pipe.command_stack])
        return real(pipe, *args, **kwargs)

    monkeypatch.setattr(type(client.pipeline()), "execute", execute)
    counts = [hit("throttle_user_1:42", 60, redis_cache) for _ in range(3)]

    assert counts == [1, 2, 3]
    assert sent == [["INCRBY", "EXPIRE"]] * 3  # one round trip each
    ttl = client.ttl(redis_cache.make_and_validate_key("throttle_user_1:42"))
    assert 0 < ttl <= 60


def test_other_caches_count_the_same():
    from django.core.cache import cache

    cache.clear()
    assert [hit("k:1", 60) for _ in range(3)] == [1, 2, 3]
    assert hit("k:2", 60) == 1


@pytest.mark.parametrize("use_redis", [False, True])
def test_the_limit_holds_in_its_window_and_resets_in_the_next(
    alice_api, monkeypatch, request, use_redis
):
    if use_redis:
        request.getfixturevalue("redis_cache")
        # Through the throttle class too, Redis counts in a pipeline (no add, no incr).
        from django.core.cache.backends.redis import RedisCache

        def refuse(*args, **kwargs):
            raise AssertionError("two round trips")

        monkeypatch.setattr(RedisCache, "add", refuse)
        monkeypatch.setattr(RedisCache, "incr", refuse)
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/min")
    start = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        codes = [alice_api.get("/api/v1/animals/").status_code for _ in range(3)]
        refused = alice_api.get("/api/v1/animals/")
        traveller.move_to(start + timedelta(minutes=1))
        again = alice_api.get("/api/v1/animals/").status_code

    assert codes == [200, 200, 429]
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 55  # the rest of the minute started at :00
    assert again == 200
