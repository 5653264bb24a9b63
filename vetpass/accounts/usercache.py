"""The signed-in account, kept in the shared cache between requests (issue 10).

Every authenticated request (web session or the apps' X-Session-Token) asks the session's
authentication backend for the account; ours (vetpass.accounts.backends) answer from the
cache and read the database only when it is cold. The copy is dropped on every write to
the account, so a deactivation, a restriction or an erasure takes effect at the next
request:

- saving or deleting a User (post_save / post_delete, also for a queryset's delete);
- a queryset's update() or bulk_update() of User (UserQuerySet: the services' and the
  erasure engine's bulk writes go through it);
- a change of the account's groups or permissions (m2m_changed).

The copy is dropped at once and again when the writing transaction commits, so a request
that read the old row while the write was in flight does not keep it; any copy expires
after TIMEOUT all the same. Raw SQL on accounts_user must call users_uncache itself.

Other apps read a key of their own about the account on every request too (the policy
gate's "has accepted the versions in force"). They register its name here and it comes in
the same round trip as the account (one MGET instead of two GETs); the value read is kept
on that request's copy of the account only (request_cached), never stored with it.

On Redis the session store reads the account's keys in the very round trip that reads the
session (vetpass.accounts.sessions, account_keys): it hands them over with user_prefetched
and the next user_cached of that account in the same request takes them instead of asking
the cache again. They are as fresh as a read at that moment; they are taken once, only for
that account, and forgotten when a request starts or ends, so they never outlive the request
that read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache
from django.db import transaction

if TYPE_CHECKING:
    from .models import User

KEY = "vetpass.user:{}"
TIMEOUT = 5 * 60
# The attribute of a request's copy of the account that holds the companion keys' values.
_READ_WITH = "_vetpass_read_with_account"
# Key templates: "{}" stands for the account id.
_companions: list[str] = []
# (account id as text, {key: value}) read with the session, for this request's user_cached.
_prefetched: ContextVar[tuple[str, dict[str, Any]] | None] = ContextVar(
    "vetpass_account_prefetched", default=None
)


def companion_key_register(template: str) -> None:
    """Read the key template.format(account id) with the account, in the same round trip."""
    if template not in _companions:
        _companions.append(template)


def account_keys() -> list[str]:
    """The templates of the keys user_cached reads for an account ("{}": its id), for a
    reader that can fetch them with something else; none when the session cache is not
    the cache these keys live in."""
    if settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:
        return []
    return [KEY, *_companions]


def user_prefetched(user_id: str, values: dict[str, Any]) -> None:
    """The values of account_keys() for this account, just read: the next user_cached in
    this request takes them (once) instead of reading."""
    _prefetched.set((str(user_id), values))


def user_prefetch_forget(**kwargs: Any) -> None:
    """Drop what was read and not taken (connected to request_started and request_finished)."""
    if _prefetched.get() is not None:
        _prefetched.set(None)


def _take_prefetched(pk: Any) -> dict[str, Any] | None:
    found = _prefetched.get()
    if found is None:
        return None
    _prefetched.set(None)
    return found[1] if found[0] == str(pk) else None


def request_cached(user: Any, key: str) -> tuple[bool, Any]:
    """(True, value) when `key` was read with this copy of the account (a missing key reads
    as None, as cache.get answers); (False, None) when it was not: ask the cache."""
    read = getattr(user, _READ_WITH, None)
    if read is None or key not in read:
        return False, None
    return True, read[key]


def request_cache_forget(user: Any, key: str) -> None:
    """The key changed during this request: read it from the cache from now on."""
    read = getattr(user, _READ_WITH, None)
    if read is not None:
        read.pop(key, None)


def user_cached(user_id: Any) -> User | None:
    """The account with this id, from the cache when warm; None if there is none."""
    from .models import User

    try:
        pk = User._meta.pk.to_python(user_id)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - a malformed id in a session is "nobody"
        return None
    key = KEY.format(pk)
    companions = [template.format(pk) for template in _companions]
    found = _take_prefetched(pk)
    if found is None:
        found = cache.get_many([key, *companions]) if companions else {key: cache.get(key)}
    user = found.get(key)
    if not isinstance(user, User):
        user = User._default_manager.filter(pk=pk).first()
        if user is None:
            return None
        cache.set(key, user, TIMEOUT)
    # Set after caching: the values belong to this request's copy, never to the cached one.
    setattr(user, _READ_WITH, {k: found.get(k) for k in companions})
    return user


def users_uncache(user_ids: Iterable[Any]) -> None:
    """Drop the cached copies of these accounts now and when the transaction commits."""
    keys = [KEY.format(pk) for pk in user_ids if pk is not None]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys), robust=True)
