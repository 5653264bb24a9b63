"""The session engine (SESSION_ENGINE): Django's cached database sessions, stored in
accounts.Session with the signed-in account's id in a column of its own.

The database row is the truth (erasure deletes a person's rows in one statement by that
column); the shared cache in front of it (SESSION_CACHE_ALIAS, Redis in production) saves
the session query on every warm request, for web sessions and the apps' X-Session-Token
alike (allauth looks the token up through this engine). A cached copy never outlives what
guards it: signing out deletes it (flush), a password change or an erasure changes the
account's session hash, so Django's check on every request refuses the copy and flushes it,
and the copy expires with the session."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseSessionStore

KEY_PREFIX = "vetpass.sessions:"


class SessionStore(CachedDatabaseSessionStore):
    cache_key_prefix = KEY_PREFIX

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            session.user_id = None
        return session


def sessions_uncache_on_commit(user_ids: list[int]) -> None:
    """Drop the cached copies of these accounts' sessions once the transaction that deletes
    their rows in bulk commits (erasure deletes them with one DELETE, which no session
    store sees). One read of the keys now; nothing is dropped if the transaction rolls back."""
    from django.conf import settings
    from django.core.cache import caches
    from django.db import transaction

    from .models import Session

    keys = [
        KEY_PREFIX + key
        for key in Session.objects.filter(user_id__in=user_ids).values_list(
            "session_key", flat=True
        )
    ]
    if keys:
        cache = caches[settings.SESSION_CACHE_ALIAS]
        transaction.on_commit(lambda: cache.delete_many(keys), robust=True)
