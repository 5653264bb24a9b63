from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField  # type: ignore[attr-defined]

from .models import User
from .services import PROFILE_FIELDS
from .validators import validate_adult


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class SignupExtraForm(forms.Form):
    """Extra questions on sign-up (allauth's ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(label="Full name", max_length=200)
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=DateInput(),
        help_text="You must be 16 or older to use VetPass.",
    )
    country = LazyTypedChoiceField(label="Country you live in", choices=countries)
    region = forms.CharField(
        label="State, county or region",
        max_length=100,
        required=False,
        help_text="If you live in the United States, your state (for example CA).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No country is preselected: a silent default (the first in the list) would derive
        # the wrong data-protection law for anyone who missed the question.
        country = self.fields["country"]
        country.choices = [("", "Choose a country"), *countries]  # type: ignore[attr-defined]

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data["date_of_birth"]
        validate_adult(born)
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("country") == "US" and not data.get("region"):
            self.add_error("region", "Tell us your state, so we apply the right privacy law.")
        return data

    def signup(self, request: Any, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.date_of_birth = self.cleaned_data["date_of_birth"]
        user.country = self.cleaned_data["country"]
        user.region = self.cleaned_data.get("region", "")
        user.save()


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Marked as needed (no "(optional)" label); profile_update still checks them.
        self.fields["full_name"].required = True
        self.fields["full_name"].error_messages["required"] = "Enter your full name."
        if self.instance.date_of_birth is not None:
            self.fields["date_of_birth"].required = True

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None:
            try:
                validate_adult(born)
            except ValidationError:
                raise
        return born
