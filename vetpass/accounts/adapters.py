from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def get_phone(self, user: Any) -> tuple[str, bool] | None:
        """VetPass signs nobody in by phone: the profile's phone is contact data, not a
        login (allauth's headless phone endpoint asks, and answered 500 without this)."""
        return None

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        data = getattr(form, "cleaned_data", {})
        for name in ("full_name", "date_of_birth", "country", "region"):
            if data.get(name) not in (None, ""):
                setattr(user, name, data[name])
        if commit:
            user.save()
        return user
