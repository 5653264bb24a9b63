"""The API's rate limits (DEFAULT_THROTTLE_RATES), counted in one cache round trip.

DRF's own throttles keep a list of request times per client and read it, then write it
back: two round trips to the shared cache on every request, and two concurrent requests
can both read the old list (a lost update). Ours count in fixed windows: the key names the
window (`<scope>:<ident>:<window number>`) and the count goes up by one with Redis'
INCR and EXPIRE in one pipeline, atomic whoever asks. Other cache backends (the file cache
of the embedded setup, tests' local memory) use add + incr. The limits and the settings
are the same; a client may send up to the limit in each window of the rate's period (a
burst across a window boundary can reach twice the limit, the usual price of fixed
windows). A module of its own, not vetpass.api, for the same reason as vetpass.api_auth.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from rest_framework import throttling


def _redis_pipeline(cache: Any, key: str) -> Any:
    """(pipeline, key) on Django's own Redis backend; None for any other backend."""
    try:
        from django.core.cache.backends.redis import RedisCache
    except ImportError:  # pragma: no cover - Django < 4 has none
        return None
    if not isinstance(cache, RedisCache):
        return None
    full = cache.make_and_validate_key(key)
    client = cache._cache.get_client(full, write=True)  # type: ignore[attr-defined]
    return client.pipeline(transaction=False), full


def hit(key: str, period: int, cache: Any = None) -> int:
    """Count one request under `key` (a key per window) and answer the count so far; the
    key expires with its window (one period after its first request at the latest)."""
    # The backend itself: django.core.cache.cache is a proxy no isinstance() sees through.
    cache = cache or caches[DEFAULT_CACHE_ALIAS]
    redis = _redis_pipeline(cache, key)
    if redis is not None:
        pipe, full = redis
        pipe.incr(full)
        pipe.expire(full, period)  # the key names its window: a later expiry is harmless
        count, _ = pipe.execute()
        return int(count)
    if cache.add(key, 1, timeout=period):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        return 1


class _FixedWindow(throttling.SimpleRateThrottle):
    num_requests: int
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        self.now = self.timer()
        self.window = int(self.now // self.duration)
        count = hit(f"{ident}:{self.window}", int(self.duration))
        return count <= self.num_requests

    def wait(self) -> float | None:
        # The rest of the window the client hit its limit in.
        return max(0.0, (self.window + 1) * self.duration - self.now)


class AnonRateThrottle(_FixedWindow, throttling.AnonRateThrottle):
    """60/min by default (API_THROTTLE_ANON), per client address."""


class UserRateThrottle(_FixedWindow, throttling.UserRateThrottle):
    """600/min by default (API_THROTTLE_USER), per account."""
