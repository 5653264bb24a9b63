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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction

if TYPE_CHECKING:
    from .models import User

KEY = "vetpass.user:{}"
TIMEOUT = 5 * 60


def user_cached(user_id: Any) -> User | None:
    """The account with this id, from the cache when warm; None if there is none."""
    from .models import User

    try:
        pk = User._meta.pk.to_python(user_id)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - a malformed id in a session is "nobody"
        return None
    key = KEY.format(pk)
    user = cache.get(key)
    if isinstance(user, User):
        return user
    user = User._default_manager.filter(pk=pk).first()
    if user is not None:
        cache.set(key, user, TIMEOUT)
    return user


def users_uncache(user_ids: Iterable[Any]) -> None:
    """Drop the cached copies of these accounts now and when the transaction commits."""
    keys = [KEY.format(pk) for pk in user_ids if pk is not None]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys), robust=True)
