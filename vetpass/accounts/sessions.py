"""The session engine (SESSION_ENGINE): Django's cached database sessions, stored in
accounts.Session with the signed-in account's id in a column of its own.

The database row is the truth (erasure deletes a person's rows in one statement by that
column); the shared cache in front of it (SESSION_CACHE_ALIAS, Redis in production) saves
the session query on every warm request, for web sessions and the apps' X-Session-Token
alike (allauth looks the token up through this engine). A cached copy never outlives what
guards it: signing out deletes it (flush), a password change or an erasure changes the
account's session hash, so Django's check on every request refuses the copy and flushes it,
and the copy expires with the session.

Beside the copy, the cache keeps the session's account id (ACCOUNT_KEY_PREFIX, same
lifetime), so that one round trip reads the session, and the account's cached copy and
companions named after that id (vetpass.cache.get_chained): a signed-in request pays one
cache round trip before its view instead of two (issue 10). What comes with the session is
used only when the session itself names that account (vetpass.accounts.usercache)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseSessionStore
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from vetpass.cache import get_chained

KEY_PREFIX = "vetpass.sessions:"
ACCOUNT_KEY_PREFIX = "vetpass.sessions.account:"

logger = logging.getLogger("django.contrib.sessions")

# Counters a caller asks to be incremented for the session's account in the round trip
# that reads the session ((key template, seconds); "{}" is the account id), and what they
# counted ({key: count}), kept for this request only.
_count_with_session: ContextVar[Sequence[tuple[str, int]]] = ContextVar(
    "vetpass_count_with_session", default=()
)
_counted: ContextVar[dict[str, int] | None] = ContextVar("vetpass_counted", default=None)


@contextmanager
def counting_with_session(counters: Sequence[tuple[str, int]]) -> Iterator[None]:
    """A session read inside this block also increments these counters for the account the
    session names (on Redis, in the same round trip); counted_with_session answers them.
    Only a session that names the account it was read with counts (else nothing is kept)."""
    token = _count_with_session.set(counters)
    try:
        yield
    finally:
        _count_with_session.reset(token)


def counted_with_session(key: str) -> int | None:
    """The count of `key` if this request's session read incremented it (taken once)."""
    counted = _counted.get()
    if not counted or key not in counted:
        return None
    return counted.pop(key)


def session_counts_forget(**kwargs: Any) -> None:
    """Drop counts not taken (connected to request_started and request_finished)."""
    if _counted.get() is not None:
        _counted.set(None)


def _account_id(data: dict[str, Any]) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class SessionStore(CachedDatabaseSessionStore):
    cache_key_prefix = KEY_PREFIX

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _account_id(data)
        return session

    def load(self):
        # Django's cached_db load, with the account's keys read in the same round trip.
        from .usercache import account_keys, user_prefetched

        templates = account_keys()
        counters = _count_with_session.get() if templates else ()
        try:
            data, account, followers, counts = get_chained(
                self._cache,
                self.cache_key,
                ACCOUNT_KEY_PREFIX + self.session_key,
                templates,
                counters,
            )
        except Exception:  # noqa: BLE001 - as Django's: an unreadable copy, read the row
            data = None
        if data is None:
            row = self._get_session_from_db()
            if row:
                data = self.decode(row.session_data)
                self._cache_copy(data, self.get_expiry_age(expiry=row.expire_date))
            else:
                data = {}
        elif account is not None and templates and str(data.get(SESSION_KEY)) == account:
            user_prefetched(account, followers)
            if counts:
                _counted.set(counts)
        return data

    def _cache_copy(self, data: dict[str, Any], timeout: int) -> None:
        # The account id always says whose the copy is (0: nobody's), in one round trip.
        pointer = ACCOUNT_KEY_PREFIX + str(self.session_key)
        account = _account_id(data) or 0
        self._cache.set_many({self.cache_key: data, pointer: account}, timeout)  # type: ignore[attr-defined]

    def save(self, must_create=False):
        DatabaseSessionStore.save(self, must_create)
        try:
            self._cache_copy(self._session, self.get_expiry_age())
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)

    def delete(self, session_key=None):
        DatabaseSessionStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache.delete_many([KEY_PREFIX + session_key, ACCOUNT_KEY_PREFIX + session_key])


def sessions_uncache_on_commit(user_ids: list[int]) -> None:
    """Drop the cached copies of these accounts' sessions once the transaction that deletes
    their rows in bulk commits (erasure deletes them with one DELETE, which no session
    store sees). One read of the keys now; nothing is dropped if the transaction rolls back."""
    from django.conf import settings
    from django.core.cache import caches
    from django.db import transaction

    from .models import Session

    keys = [
        prefix + key
        for key in Session.objects.filter(user_id__in=user_ids).values_list(
            "session_key", flat=True
        )
        for prefix in (KEY_PREFIX, ACCOUNT_KEY_PREFIX)
    ]
    if keys:
        cache = caches[settings.SESSION_CACHE_ALIAS]
        transaction.on_commit(lambda: cache.delete_many(keys), robust=True)
