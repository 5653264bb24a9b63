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

A request signed in with a session token is counted in the round trip that reads its
session (vetpass.api_auth asks the session store: account_counters below), so the throttle
then makes no round trip of its own: such a request is counted when it is authenticated,
whatever its permission checks answer next. Elsewhere (no token, a window that turned in
between, another cache than Redis) the throttle counts by itself as above.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from rest_framework import throttling

from vetpass.accounts.sessions import counted_with_session


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
    counted = counted_with_session(key)
    if counted is not None:  # counted with the session, in its round trip
        return counted
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

    def account_counter(self) -> tuple[str, int] | None:
        """(key template, seconds) this throttle would count a signed-in account's request
        under now ("{}": the account id), for the session read to count it; None when it
        does not count per account."""
        return None

    def wait(self) -> float | None:
        # The rest of the window the client hit its limit in.
        return max(0.0, (self.window + 1) * self.duration - self.now)


class AnonRateThrottle(_FixedWindow, throttling.AnonRateThrottle):
    """60/min by default (API_THROTTLE_ANON), per client address."""


class UserRateThrottle(_FixedWindow, throttling.UserRateThrottle):
    """600/min by default (API_THROTTLE_USER), per account."""

    def account_counter(self) -> tuple[str, int] | None:
        if self.rate is None:
            return None
        # As allow_request names it for a signed-in account: get_cache_key's ident is its pk.
        ident = self.cache_format % {"scope": self.scope, "ident": "{}"}
        return f"{ident}:{int(self.timer() // self.duration)}", int(self.duration)


def account_counters(view: Any) -> list[tuple[str, int]]:
    """What the view's throttles count per signed-in account for this request."""
    if view is None:
        return []
    counters = []
    for throttle in view.get_throttles():
        counter = getattr(throttle, "account_counter", None)
        found = counter() if counter is not None else None
        if found is not None and found not in counters:  # one count a key, as hit() takes it
            counters.append(found)
    return counters
