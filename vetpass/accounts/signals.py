from typing import Any

from allauth.account.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import User
from .services import ActivityKind, activity_record
from .usercache import users_uncache


@receiver(user_logged_in)
def record_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # allauth sends this for web sign-in and for the headless (app) login alike.
    activity_record(user=user, kind=ActivityKind.SIGN_IN)


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def uncache_user(sender: Any, instance: User, **kwargs: Any) -> None:
    users_uncache([instance.pk])


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def uncache_user_permissions(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    # From the account's side the instance is the account; from a group's or a
    # permission's, pk_set names the accounts (and a clear() names none: read them first).
    if not reverse:
        if action.startswith("post_"):
            users_uncache([instance.pk])
    elif action == "pre_clear":
        users_uncache(instance.user_set.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        users_uncache(pk_set or [])
