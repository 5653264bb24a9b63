from typing import Any

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from .services import ActivityKind, activity_record


@receiver(user_logged_in)
def record_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # allauth sends this for web sign-in and for the headless (app) login alike.
    activity_record(user=user, kind=ActivityKind.SIGN_IN)
