"""Web forms for animals, entries and co-owner invitations.

The forms only parse what the person typed into Python values; the rules (microchip
format, dates not in the future, a positive weight, the file type and size, a group of
one's own) are checked once, in the services through the models' full_clean, and their
ValidationErrors are put back on the form by `apply_errors`. So the web UI, the API and
the admin can never disagree about a rule.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet

from vetpass.accounts.forms import DateInput

from .models import Animal, Breed, Entry, EntryKind, Permission, Species, WeightUnit
from .models.entries import KIND_FIELDS, REQUIRED_FIELDS


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: beside the field when the form has it,
    at the top otherwise."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        form.add_error(target, ValidationError(errors))


class ServiceModelForm(forms.ModelForm):
    """A ModelForm for parsing only: model validation is left to the service."""

    def _post_clean(self) -> None:
        return None


class PrivateFileInput(forms.ClearableFileInput):
    """Shows the current file by name only: stored files are served through views that
    check who may see them, never through a public media URL."""

    template_name = "records/widgets/private_file_input.html"
    allow_clear = True

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["allow_clear"] = self.allow_clear
        context["widget"]["file_name"] = (
            str(getattr(value, "name", "") or "").rsplit("/", 1)[-1] if value else ""
        )
        return context


class DocumentInput(PrivateFileInput):
    # A document entry is its file: replace it, but never leave the entry without one.
    allow_clear = False


class SpeciesBreedSelect(forms.Select):
    """Breeds carry their species' id so a small script can narrow the list; without the
    script every breed is listed under its species and the service refuses a mismatch."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-species"] = instance.species_id
        return option


class AnimalForm(ServiceModelForm):
    class Meta:
        model = Animal
        fields = [
            "name",
            "is_group",
            "head_count",
            "species",
            "breed",
            "sex",
            "neutered",
            "date_of_birth",
            "colour",
            "microchip",
            "photo",
            "group",
            "deceased",
            "deceased_on",
        ]
        labels = {
            "is_group": "This is a herd, flock or group of animals",
            "head_count": "How many animals are in the group",
            "microchip": "Microchip number",
            "date_of_birth": "Date of birth",
            "deceased": "This animal has died",
            "deceased_on": "Date of death",
            "group": "Herd or group",
        }
        help_texts = {
            "head_count": "Only for a herd or group.",
            "date_of_birth": "An estimate is fine.",
            "photo": "A JPEG, PNG, GIF or WebP image, up to 10 MB.",
        }
        widgets = {
            "date_of_birth": DateInput(),
            "deceased_on": DateInput(),
            "breed": SpeciesBreedSelect(),
            "photo": PrivateFileInput(attrs={"accept": "image/*"}),
            "microchip": forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        }

    def __init__(self, *args: Any, groups: QuerySet[Animal] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        species = cast(forms.ModelChoiceField, self.fields["species"])
        species.queryset = Species.objects.all()
        species.empty_label = "Choose a species"
        breed = cast(forms.ModelChoiceField, self.fields["breed"])
        breed.queryset = Breed.objects.select_related("species").order_by("species__name", "name")
        breed.label_from_instance = lambda b: f"{b.species.name}: {b.name}"  # type: ignore[method-assign,assignment]
        breed.empty_label = "Not known or not listed"
        if groups is None:
            del self.fields["group"]
        else:
            group = cast(forms.ModelChoiceField, self.fields["group"])
            group.queryset = groups
            group.empty_label = "Not in a group"
            group.help_text = "Move this animal into one of your herds or groups."
        self.fields["head_count"].widget.attrs.update(min="1", inputmode="numeric")


class KindChoiceForm(forms.Form):
    kind = forms.ChoiceField(
        label="What do you want to record?",
        choices=[(k, label) for k, label in EntryKind.choices if k != EntryKind.EXAMINATION],
        widget=forms.RadioSelect,
    )


ENTRY_LABELS = {
    "occurred_on": "Date",
    "title": "Title",
    "vaccine_product": "Vaccine (product name)",
    "batch_number": "Batch number",
    "next_due_on": "Next due",
    "duration_years": "Duration of immunity",
    "tag_number": "Rabies tag number",
    "vet_name": "Vaccinating vet",
    "vet_licence": "Vet's licence number",
    "weight_value": "Weight",
    "weight_unit": "Unit",
    "medication_name": "Medication",
    "ends_on": "Until",
    "test_name": "Test",
    "document": "File",
    "document_type": "Type of document",
}
ENTRY_HINTS = {
    "next_due_on": "When the next dose is due, if your vet told you.",
    "document": "A PDF or an image (PNG, JPEG, GIF or WebP), up to 10 MB.",
    "document_type": "For example: vaccination certificate, lab report, insurance.",
    "title": "A few words to find it again.",
}


DATE_HINTS: dict[str, str] = {
    EntryKind.VACCINATION: "The day the vaccine was given.",
    EntryKind.WEIGHT: "The day the animal was weighed.",
    EntryKind.MEDICATION: "The day the medication started.",
    EntryKind.ALLERGY: "The day the allergy was found.",
    EntryKind.LAB_RESULT: "The day the sample was taken.",
    EntryKind.DOCUMENT: "The date on the document.",
}


class EntryFormBase(ServiceModelForm):
    kind: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].help_text = DATE_HINTS.get(self.kind, "The day it happened.")
        # Marked as needed (no "(optional)" label); the service still checks them.
        for name in REQUIRED_FIELDS.get(self.kind, ()):
            if name in self.fields:
                field = self.fields[name]
                field.required = True
                field.error_messages["required"] = f"Enter the {str(field.label).lower()}."
        if "weight_unit" in self.fields:
            unit = cast(forms.TypedChoiceField, self.fields["weight_unit"])
            unit.choices = list(WeightUnit.choices)
            if not self.instance.pk:
                self.initial.setdefault("weight_unit", WeightUnit.KG)
            unit.error_messages["required"] = "Choose a unit."


def entry_form_class(kind: str) -> type[ServiceModelForm]:
    """A form with only the fields of one kind of entry (records.models.entries.KIND_FIELDS)."""
    kind_fields = list(KIND_FIELDS[kind])
    common = ["occurred_on", "title", "notes"]
    fields = ["occurred_on", *kind_fields, "title", "notes"] if kind_fields else common
    widgets: dict[str, forms.Widget] = {
        "occurred_on": DateInput(),
        "next_due_on": DateInput(),
        "ends_on": DateInput(),
        "notes": forms.Textarea(attrs={"rows": 4}),
        "weight_value": forms.NumberInput(attrs={"step": "any", "min": "0"}),
        "document": DocumentInput(attrs={"accept": ".pdf,image/*"}),
    }
    meta = type(
        "Meta",
        (),
        {
            "model": Entry,
            "fields": fields,
            "labels": ENTRY_LABELS,
            "help_texts": ENTRY_HINTS,
            "widgets": {k: v for k, v in widgets.items() if k in fields},
        },
    )
    return type(
        f"{kind.title().replace('_', '')}EntryForm",
        (EntryFormBase,),
        {"Meta": meta, "kind": kind},
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="They need a VetPass account with this address to accept.",
    )
    permission = forms.ChoiceField(
        label="What may they do?",
        choices=Permission.choices,
        initial=Permission.VIEW,
        widget=forms.RadioSelect,
    )


class InvitationAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
