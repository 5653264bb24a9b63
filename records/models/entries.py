"""Record entries on an animal: one table, one row per entry, the kind deciding which
fields are required. One table keeps the timeline a single indexed query and lets a
practice's sharing scope be expressed as a set of kinds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from records.validators import validate_document, validate_not_future, validate_positive

from .animals import Animal


class EntryKind(models.TextChoices):
    VACCINATION = "vaccination", "Vaccination"
    CLINICAL_NOTE = "clinical_note", "Clinical note"
    WEIGHT = "weight", "Weight"
    MEDICATION = "medication", "Medication"
    ALLERGY = "allergy", "Allergy"
    LAB_RESULT = "lab_result", "Lab result"
    DOCUMENT = "document", "Document"
    EXAMINATION = "examination", "Clinical examination"


class EntrySource(models.TextChoices):
    OWNER = "owner", "Owner"
    PRACTICE = "practice", "Practice"
    IMPORT = "import", "Import"


class WeightUnit(models.TextChoices):
    KG = "kg", "kg"
    G = "g", "g"
    LB = "lb", "lb"


TO_KG = {"kg": 1.0, "g": 0.001, "lb": 0.45359237}

# Which fields each kind needs (beyond the date). The form and serializer show only these.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    EntryKind.VACCINATION: ("vaccine_product",),
    EntryKind.CLINICAL_NOTE: ("notes",),
    EntryKind.WEIGHT: ("weight_value", "weight_unit"),
    EntryKind.MEDICATION: ("medication_name",),
    EntryKind.ALLERGY: ("allergen",),
    EntryKind.LAB_RESULT: ("test_name", "result"),
    EntryKind.DOCUMENT: ("document",),
    EntryKind.EXAMINATION: ("notes",),
}
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    EntryKind.VACCINATION: (
        "vaccine_product",
        "manufacturer",
        "batch_number",
        "next_due_on",
        "duration_years",
        "tag_number",
        "vet_name",
        "vet_licence",
    ),
    EntryKind.CLINICAL_NOTE: (),
    EntryKind.WEIGHT: ("weight_value", "weight_unit"),
    EntryKind.MEDICATION: ("medication_name", "dose", "ends_on", "next_due_on"),
    EntryKind.ALLERGY: ("allergen", "severity"),
    EntryKind.LAB_RESULT: ("test_name", "result"),
    EntryKind.DOCUMENT: ("document", "document_type"),
    EntryKind.EXAMINATION: (),
}


class Entry(models.Model):
    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    occurred_on = models.DateField(
        "date", default=timezone.localdate, validators=[validate_not_future]
    )
    title = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    # vaccination
    vaccine_product = models.CharField("vaccine (product)", max_length=120, blank=True)
    manufacturer = models.CharField(max_length=120, blank=True)
    batch_number = models.CharField("batch number", max_length=60, blank=True)
    next_due_on = models.DateField("next due", null=True, blank=True)
    # The rest of a rabies certificate (NASPHV Form 51): the vaccine's licensed duration,
    # the tag issued with the dose, and the vaccinating veterinarian with their licence.
    duration_years = models.PositiveSmallIntegerField(
        "duration (years)", null=True, blank=True, choices=[(1, "1 year"), (3, "3 years")]
    )
    tag_number = models.CharField("tag number", max_length=40, blank=True)
    vet_name = models.CharField("vaccinating veterinarian", max_length=120, blank=True)
    vet_licence = models.CharField("veterinarian's licence number", max_length=40, blank=True)
    # weight
    weight_value = models.DecimalField(
        "weight",
        max_digits=9,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[validate_positive],
    )
    weight_unit = models.CharField(max_length=3, choices=WeightUnit.choices, blank=True)
    # medication
    medication_name = models.CharField("medication", max_length=120, blank=True)
    dose = models.CharField(max_length=120, blank=True)
    ends_on = models.DateField("until", null=True, blank=True)
    # allergy
    allergen = models.CharField(max_length=120, blank=True)
    severity = models.CharField(max_length=60, blank=True)
    # lab result
    test_name = models.CharField("test", max_length=120, blank=True)
    result = models.CharField(max_length=250, blank=True)
    # document
    document = models.FileField(
        upload_to="documents/%Y/%m/", blank=True, validators=[validate_document]
    )
    document_type = models.CharField(max_length=60, blank=True)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_entries",
    )
    source = models.CharField(max_length=10, choices=EntrySource.choices, default=EntrySource.OWNER)
    practice = models.ForeignKey(
        "records.Practice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
        help_text="The practice whose staff wrote it, for entries from a practice.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        verbose_name_plural = "entries"
        indexes = [models.Index(fields=["animal", "kind", "-occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in REQUIRED_FIELDS.get(self.kind, ()):
            value = getattr(self, name)
            if value in (None, "") or (name == "document" and not value):
                label = getattr(self._meta.get_field(name), "verbose_name", name)
                errors[name] = f"Enter the {label}."
        if self.kind == EntryKind.WEIGHT and self.weight_value is not None and not self.weight_unit:
            errors["weight_unit"] = "Choose a unit."
        if self.next_due_on and self.occurred_on and self.next_due_on < self.occurred_on:
            errors["next_due_on"] = "The next due date must be after the date given."
        if self.ends_on and self.occurred_on and self.ends_on < self.occurred_on:
            errors["ends_on"] = "The end date must be after the start date."
        if errors:
            raise ValidationError(errors)

    @property
    def weight_kg(self) -> float | None:
        if self.weight_value is None:
            return None
        return weight_in_kg(self.weight_value, self.weight_unit)

    @property
    def summary(self) -> str:
        return entry_summary(self)


def weight_in_kg(value: Decimal | float, unit: str) -> float:
    """A weighing in kilograms (a weight with no unit is in kilograms)."""
    return float(value) * TO_KG.get(unit or "kg", 1.0)


def entry_summary(entry: Any) -> str:
    """What an entry's line says, kind by kind: for an Entry or for any row holding its
    field names (the animal pages read rows, not instances: records.selectors.entry_rows),
    a document being its FieldFile or its stored name."""
    match entry.kind:
        case EntryKind.VACCINATION:
            return entry.vaccine_product
        case EntryKind.WEIGHT:
            # The plain decimal without trailing zeros ("10 kg", never "1E+1 kg";
            # normalize() alone writes 10 so). No number for none or 0, as the
            # entries list's SQL (records/api_lean.py ENTRY_SUMMARY) writes it.
            value = (
                format(Decimal(str(entry.weight_value)).normalize(), "f")
                if entry.weight_value
                else ""
            )
            return f"{value} {entry.weight_unit}"
        case EntryKind.MEDICATION:
            return " ".join(x for x in (entry.medication_name, entry.dose) if x)
        case EntryKind.ALLERGY:
            return entry.allergen
        case EntryKind.LAB_RESULT:
            return f"{entry.test_name}: {entry.result}"
        case EntryKind.DOCUMENT:
            document = getattr(entry.document, "name", entry.document) or ""
            return entry.title or document.rsplit("/", 1)[-1]
        case _:
            return entry.title or entry.notes[:80]
