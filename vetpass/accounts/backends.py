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

from django.contrib.auth.backends import BaseBackend

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
