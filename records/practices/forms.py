"""Forms of the practice side. They only shape input; the rules are in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.forms.models import fields_for_model

from vetpass.accounts.forms import DateInput
from vetpass.accounts.models import User

from ..models import Animal, Entry, EntryKind, Practice, Service, Species, StaffRole
from ..models.entries import KIND_FIELDS
from ..services import ENTRY_COMMON_FIELDS
from .postcodes import coordinates_for


class PracticeSearchForm(forms.Form):
    q = forms.CharField(label="Name or town", required=False, max_length=100)
    postcode = forms.CharField(label="Near postcode", required=False, max_length=10)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    radius_km = forms.FloatField(
        label="Within (km)", required=False, min_value=1, max_value=500, initial=25
    )
    species = forms.ModelChoiceField(
        queryset=Species.objects.all(), to_field_name="slug", required=False, empty_label="Any"
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(), to_field_name="slug", required=False, empty_label="Any"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lng = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lng is None):
            self.add_error("longitude", "Give both latitude and longitude, or neither.")
        postcode = (data.get("postcode") or "").strip()
        if postcode and lat is None:
            coords = coordinates_for(postcode)
            if coords is None:
                self.add_error(
                    "postcode", "We do not know this postcode: try the district, like BS1."
                )
            else:
                data["latitude"], data["longitude"] = coords
        return data

    def search_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "q": d.get("q") or "",
            "latitude": d.get("latitude"),
            "longitude": d.get("longitude"),
            "radius_km": d.get("radius_km"),
            "species": d["species"].slug if d.get("species") else "",
            "service": d["service"].slug if d.get("service") else "",
        }


class FavoriteForm(forms.Form):
    share_profile = forms.BooleanField(
        label="Share my name and contact details", required=False, initial=True
    )
    which = forms.ChoiceField(
        label="Which animals",
        choices=[("all", "All my animals, including ones I add later"), ("chosen", "Only these:")],
        widget=forms.RadioSelect,
        initial="all",
    )
    animals = forms.ModelMultipleChoiceField(
        queryset=Animal.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    # No answer is preselected: sharing every kind of record is a choice the owner makes,
    # never what happens when they tick nothing (favorite_create refuses "only these" empty).
    which_kinds = forms.ChoiceField(
        label="Which records",
        choices=[("all", "All kinds of record"), ("chosen", "Only the kinds I tick below")],
        widget=forms.RadioSelect,
    )
    kinds = forms.MultipleChoiceField(
        label="Only these kinds",
        choices=EntryKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ends_on = forms.DateField(
        label="Stop sharing on",
        required=False,
        widget=DateInput(),
    )
    already_client = forms.BooleanField(
        label="I am already a client of this practice: ask it for the records it holds",
        required=False,
    )

    def __init__(self, *args: Any, owner: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["animals"].queryset = Animal.objects.filter(owner=owner)  # type: ignore[attr-defined]
        if self.is_bound and not self.data.get("which_kinds"):
            ticked = (
                self.data.getlist("kinds")
                if hasattr(self.data, "getlist")
                else self.data.get("kinds")
            )
            if ticked:  # kinds ticked without the radio: plainly "only these", never "all"
                data: Any = self.data.copy()  # type: ignore[attr-defined]
                data["which_kinds"] = "chosen"
                self.data = data
        if editing:
            del self.fields["already_client"]

    @classmethod
    def initial_for(cls, favorite: Any) -> dict[str, Any]:
        return {
            "share_profile": favorite.share_profile,
            "which": "all" if favorite.all_animals else "chosen",
            "animals": list(favorite.animals.all()),
            "which_kinds": "chosen" if favorite.kinds else "all",
            "kinds": favorite.kinds,
            "ends_on": favorite.ends_on,
        }

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kwargs = {
            "share_profile": d["share_profile"],
            "all_animals": d["which"] == "all",
            "animals": list(d["animals"]) if d["which"] == "chosen" else [],
            "all_kinds": d["which_kinds"] == "all",
            "kinds": d["kinds"] if d["which_kinds"] == "chosen" else [],
            "ends_on": d["ends_on"],
        }
        if "already_client" in self.fields:
            kwargs["already_client"] = d["already_client"]
        return kwargs


class EmergencyShareForm(forms.Form):
    animals = forms.ModelMultipleChoiceField(
        queryset=Animal.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    # The 1–720 rule is the service's (emergency_share_create); the form only parses.
    hours = forms.IntegerField(label="Valid for (hours)", initial=72)
    practice = forms.ModelChoiceField(
        label="Only for this practice",
        queryset=Practice.objects.filter(participates=True),
        required=False,
    )

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["animals"].queryset = Animal.objects.filter(owner=owner)  # type: ignore[attr-defined]
        # The limit the service enforces, said before the owner types (a hint, not a rule).
        most, usual = settings.EMERGENCY_SHARE_MAX_HOURS, settings.POLICY_EMERGENCY_SHARE_HOURS
        hours = self.fields["hours"]
        hours.initial = usual
        hours.help_text = (
            f"From 1 to {most} hours ({most // 24} days); {usual} unless you change it."
        )
        hours.widget.attrs.update(min="1", max=str(most), inputmode="numeric")


class RedeemForm(forms.Form):
    code = forms.CharField(label="Emergency share code", max_length=20)


_ENTRY_FIELD_NAMES = tuple(ENTRY_COMMON_FIELDS) + tuple(
    f for fs in KIND_FIELDS.values() for f in fs if f not in ("document", "document_type")
)


class ClinicalEntryForm(forms.Form):
    """The fields of every kind (but documents); the service decides which are required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = fields_for_model(Entry, fields=list(dict.fromkeys(_ENTRY_FIELD_NAMES)))
        for name, field in fields.items():
            if field is None:
                continue
            field.required = name in ("kind", "occurred_on")
            self.fields[name] = field
        kind_field: Any = self.fields["kind"]
        kind_field.choices = [c for c in EntryKind.choices if c[0] != EntryKind.DOCUMENT]
        self.fields["occurred_on"].widget = DateInput()

    def service_kwargs(self) -> dict[str, Any]:
        kind = self.cleaned_data["kind"]
        keep = {"kind", "occurred_on", "title", "notes", *KIND_FIELDS.get(kind, ())}
        return {k: v for k, v in self.cleaned_data.items() if k in keep and v not in (None, "")}


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or JSON file")


class AnswerRequestForm(forms.Form):
    note = forms.CharField(label="Note to the owner", widget=forms.Textarea, required=False)


class StaffCreateForm(forms.Form):
    full_name = forms.CharField(max_length=200)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=StaffRole.choices)
    job_title = forms.CharField(max_length=100, required=False)
    is_practice_admin = forms.BooleanField(label="Practice administrator", required=False)


class StaffUpdateForm(forms.Form):
    full_name = forms.CharField(max_length=200)
    role = forms.ChoiceField(choices=StaffRole.choices)
    job_title = forms.CharField(max_length=100, required=False)
    is_practice_admin = forms.BooleanField(label="Practice administrator", required=False)


class JoinRequestForm(forms.Form):
    practice = forms.ModelChoiceField(queryset=Practice.objects.filter(participates=True))
    role = forms.ChoiceField(choices=StaffRole.choices)
    message = forms.CharField(widget=forms.Textarea, required=False)


class PracticeProfileForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = [
            "name",
            "address_line1",
            "address_line2",
            "town",
            "postcode",
            "latitude",
            "longitude",
            "phone",
            "email",
            "species_treated",
            "services",
            "participates",
        ]
        # The subscription dates are VetPass's to set (the service refuses them from the
        # practice): the page shows them, the form does not post them.
        widgets = {
            "species_treated": forms.CheckboxSelectMultiple,
            "services": forms.CheckboxSelectMultiple,
        }


def add_service_errors(form: forms.BaseForm, exc: Any) -> None:
    """Put a service's ValidationError on the form: per field where the form has the field,
    at the top otherwise."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
