"""What the DPO may do in the Django admin, declared here so a fresh install has it.

The `is_dpo` flag is the one switch that makes someone the data protection officer (the
consent ledger's admin already reads it). This backend gives an active staff account with
that flag view permission (never add, change or delete) on the records the DPO reads while
working a case, as the README promises: people, animals and their records, practices and
their staff, favorites, shares, record requests and the access log. A group would have
been a second switch that could disagree with the flag; changes still go through the
services, done by superusers (VetPass staff) or by the DPO's own case-work actions."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthAuthenticationBackend
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

DPO_VIEW_PERMISSIONS = frozenset(
    {
        "accounts.view_user",
        "records.view_species",
        "records.view_breed",
        "records.view_animal",
        "records.view_entry",
        "records.view_practice",
        "records.view_practicemembership",
        "records.view_joinrequest",
        "records.view_favorite",
        "records.view_emergencyshare",
        "records.view_recordrequest",
        "records.view_accesslog",
        "records.view_listaccesslog",
        "consent.view_consentevent",
        "consent.view_purpose",
        "consent.view_policydocument",
    }
)


def _is_dpo(user: Any) -> bool:
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and getattr(user, "is_dpo", False)
    )


class DPOPermissionBackend(BaseBackend):
    """Authenticates nobody; only answers permission questions for the DPO."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set(DPO_VIEW_PERMISSIONS) if _is_dpo(user_obj) else set()

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))


class _CachedUser:
    """get_user from the shared cache (vetpass.accounts.usercache), then the same checks."""

    def get_user(self, user_id: Any) -> Any:
        from .usercache import user_cached

        user = user_cached(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_CachedUser, DjangoModelBackend):
    """Django's ModelBackend, with the signed-in account cached between requests."""


class AuthenticationBackend(_CachedUser, AllauthAuthenticationBackend):
    """allauth's backend (email sign-in, its rate limits), with the account cached."""
