from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .cookies import cookie_choice_from_ledger
from .models import PolicyVersion
from .policy_gate import policy_cache_clear


@receiver([post_save, post_delete], sender=PolicyVersion)
def _policy_versions_changed(**kwargs: object) -> None:
    policy_cache_clear()


@receiver(user_logged_in)
def _cookie_choice_at_sign_in(
    sender: object, request: object, user: object, **kwargs: object
) -> None:
    if request is not None:
        cookie_choice_from_ledger(request, user)  # type: ignore[arg-type]
