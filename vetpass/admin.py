"""Admin helpers shared by the apps (vetpass is to the left of every app: rule 9)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.dispatch import Signal
from django.http import HttpRequest

# Sent when the admin shows people's data to VetPass staff, with `viewer` (the staff
# user), `subjects` (one (owner id, animal id or None) per object shown) and `view`.
# The access log lives in `records`, to the right of the apps whose admins send this, so
# `records` connects the receiver that writes the rows (DESIGN.md rules 2 and 9).
admin_read = Signal()


# Why a staff request may not use the admin yet (admin_mfa_missing): the admin holds
# everyone's data, so whoever opens it has an authenticator app and proved it when this
# session signed in (or re-authenticated with it since).
MFA_NOT_SET_UP = "not-set-up"
MFA_NOT_USED = "not-used-this-session"
_MFA_CACHE = "_vetpass_admin_mfa_missing"


def admin_mfa_missing(request: HttpRequest) -> str | None:
    """The one rule of MFA for the admin: None when the signed-in user has an
    authenticator app (TOTP; recovery codes alone are no authenticator) and this session
    was signed in with MFA (allauth records each authentication method in the session);
    otherwise MFA_NOT_SET_UP or MFA_NOT_USED. Asked once per request (cached on it), by
    the admin's middleware (which sends the person to allauth's MFA pages) and by
    `is_dpo_request`."""
    if hasattr(request, _MFA_CACHE):
        return getattr(request, _MFA_CACHE)  # type: ignore[no-any-return]
    from allauth.account.authentication import get_authentication_records
    from allauth.mfa.models import Authenticator

    user: Any = request.user
    missing: str | None = None
    totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP)
    if not user.is_authenticated or not totp.exists():
        missing = MFA_NOT_SET_UP
    elif not any(r.get("method") == "mfa" for r in get_authentication_records(request, user)):
        missing = MFA_NOT_USED
    setattr(request, _MFA_CACHE, missing)
    return missing


def is_dpo_request(request: HttpRequest) -> bool:
    """Whether the admin request is the DPO's (or a superuser's), signed in with MFA: the
    one check the ledger's, the accounts' and the casework admins ask."""
    user: Any = request.user
    is_dpo = bool(user.is_active and user.is_staff and (user.is_dpo or user.is_superuser))
    return is_dpo and admin_mfa_missing(request) is None


class ReadOnlyAdminMixin:
    """For rows that record what happened (ledger events, grants, shares, reads, records):
    the DPO reads them while working a case; they change only through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _attr_path(obj: Any, path: str | None) -> Any:
    if path is None:
        return None
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


class AccessLoggedAdminMixin:
    """Every look at another person's data in the admin is access-logged (DESIGN.md rule
    2): one row per object shown, on its change/detail page (also when the admin loads it
    to change or delete it) and on each list page.

    `access_log_owner` is the attribute path from an object to the id of the person whose
    data it is, `access_log_animal` to the animal's id where there is one. The list's
    `list_select_related` must cover both paths, so logging adds no query per row."""

    access_log_owner: str = "owner_id"
    access_log_animal: str | None = None

    def access_log_subjects(self, objects: Iterable[Any]) -> list[tuple[Any, Any]]:
        return [
            (_attr_path(obj, self.access_log_owner), _attr_path(obj, self.access_log_animal))
            for obj in objects
        ]

    def access_log_detail_subjects(self, obj: Any) -> list[tuple[Any, Any]]:
        """Whose data the object's own page shows (more than its list row where the page
        has inlines of people: override)."""
        return self.access_log_subjects([obj])

    def _log_admin_reads(
        self,
        request: HttpRequest,
        subjects: list[tuple[Any, Any]],
        view: str,
        *,
        list_page: bool = False,
    ) -> None:
        if subjects:
            admin_read.send(
                sender=self.model,  # type: ignore[attr-defined]
                viewer=request.user,
                subjects=subjects,
                view=view,
                list_page=list_page,  # one compact row for the page (records' access log)
            )

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):  # type: ignore[no-untyped-def]
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None and self._page_is_shown(request, obj):
            name = self.model._meta.verbose_name  # type: ignore[attr-defined]
            self._log_admin_reads(request, self.access_log_detail_subjects(obj), f"admin: {name}")
        return obj

    def _page_is_shown(self, request: HttpRequest, obj: Any) -> bool:
        """The admin loads the object before it checks permission: a delete page the
        viewer may not use shows nothing, so it is no look at anyone's data."""
        path = request.path.rstrip("/")
        if path.endswith("/delete"):
            return bool(self.has_delete_permission(request, obj))  # type: ignore[attr-defined]
        if path.endswith("/password"):  # the user admin's password page: change only
            return bool(self.has_change_permission(request, obj))  # type: ignore[attr-defined]
        return bool(self.has_view_or_change_permission(request, obj))  # type: ignore[attr-defined]

    def get_changelist_instance(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        # Only a list page that is shown: an action's POST builds the list too, but shows
        # it to nobody (an action that shows or exports data logs what it shows itself).
        if request.method in ("GET", "HEAD"):
            name = self.model._meta.verbose_name_plural  # type: ignore[attr-defined]
            subjects = self.access_log_subjects(changelist.result_list)
            self._log_admin_reads(request, subjects, f"admin: {name} list", list_page=True)
        return changelist
