"""The public request form: it shapes input; dsar.intake decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django_countries.fields import CountryField

from .models import RequestType


class PublicRequestForm(forms.Form):
    type = forms.ChoiceField(label="What would you like us to do?", choices=RequestType.choices)
    name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(
        label="Email address", help_text="We send a link to this address to confirm it is yours."
    )
    postcode = forms.CharField(label="Postcode or ZIP code", max_length=20)
    country = CountryField(blank_label="Choose your country").formfield(label="Country")
    region = forms.CharField(
        label="State or region",
        max_length=60,
        required=False,
        help_text="US residents: your state.",
    )
    details = forms.CharField(
        label="Anything we should know (optional)", widget=forms.Textarea, required=False
    )
    declaration = forms.BooleanField(
        required=False,
        label="I declare, under penalty of perjury, that I am the person this request is about "
        "(or their authorised agent)",
        help_text="Needed to receive a copy of the data itself.",
    )
    agent_authorisation = forms.FileField(
        required=False,
        label="Authorised agent: the signed authority (optional)",
        help_text="Only if you are asking on someone else's behalf. PDF or image.",
    )


class SignedInRequestForm(forms.Form):
    type = forms.ChoiceField(
        label="What would you like us to do?",
        choices=RequestType.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label="Anything we should know (optional)", widget=forms.Textarea, required=False
    )


# --- the DPO's case actions (dsar/admin.py): shape the input; dsar.casework decides ------


class RectificationForm(forms.Form):
    field = forms.ChoiceField(label="Which detail of the person's profile")
    value = forms.CharField(
        label="The corrected value",
        required=False,
        max_length=200,
        help_text="A date as year-month-day (1985-05-17); a country as its two-letter code "
        "(GB, US). Only the field's name is kept on the case, not the values.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from vetpass.accounts.services import PROFILE_FIELDS

        from .casework import profile_field_label

        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [  # type: ignore[attr-defined]
            (name, profile_field_label(name).capitalize()) for name in PROFILE_FIELDS
        ]


class WithdrawalForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label="The purposes the person withdraws consent from",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .casework import withdrawable_purposes

        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = [  # type: ignore[attr-defined]
            (p.code, p.name) for p in withdrawable_purposes()
        ]
