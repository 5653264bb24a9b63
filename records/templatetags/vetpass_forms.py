"""Template helpers for the GOV.UK-style form pattern (error summary + message beside the
field). Used by our own forms and by the allauth element overrides, so every form on the
site reads the same way."""

from __future__ import annotations

import copy
from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()

_CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)

# The only value an <input type="date"> can show (HTML's "valid date string"). Any other
# format (en-GB's dd/mm/yyyy) leaves the box blank and the form then fails "required".
ISO_DATE = "%Y-%m-%d"


def _iso_date_widget(widget: forms.Widget) -> forms.Widget | None:
    """A copy of a type=date widget that renders its value as YYYY-MM-DD, or None when the
    widget already does (or is not a date input)."""
    if not isinstance(widget, forms.DateInput):
        return None
    if widget.input_type != "date" and widget.attrs.get("type") != "date":
        return None
    if widget.format == ISO_DATE:
        return None
    iso = copy.copy(widget)
    iso.format = ISO_DATE
    return iso


@register.simple_tag
def field_widget(field: forms.BoundField) -> SafeString:
    """Render the widget with the accessibility attributes that tie it to its hint and error."""
    attrs: dict[str, Any] = {}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    widget = field.field.widget
    autocomplete = _AUTOCOMPLETE.get(field.name)
    if autocomplete and "autocomplete" not in widget.attrs:
        attrs["autocomplete"] = autocomplete
    if isinstance(widget, forms.NumberInput) and "inputmode" not in widget.attrs:
        attrs["inputmode"] = "decimal"
    # Every type=date widget, whichever form declared it (accounts.forms.DateInput already
    # renders ISO; a plain forms.DateInput(attrs={"type": "date"}) would not).
    return field.as_widget(widget=_iso_date_widget(widget), attrs=attrs)


@register.filter
def errors_for(field: forms.BoundField) -> list[str]:
    """The field's messages, with Django's bare "This field is required." naming the field,
    so the summary at the top says which answer is missing."""
    required = str(field.field.error_messages.get("required", ""))
    label = str(field.label or field.name).rstrip(":").strip()
    return [f"{label} is required." if str(e) == required else str(e) for e in field.errors]


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_choice_group(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, _CHOICE_WIDGETS)


@register.filter
def error_anchor(field: forms.BoundField) -> str:
    """The id the summary links to: the input itself (or the first radio of a group)."""
    return field.id_for_label or field.auto_id or field.name


# Phone keyboards and password managers fill these correctly when told what they are.
_AUTOCOMPLETE = {
    "email": "email",
    "login": "email",
    "full_name": "name",
    "address_line1": "address-line1",
    "address_line2": "address-line2",
    "town": "address-level2",
    "region": "address-level1",
    "postcode": "postal-code",
    "country": "country",
    "phone": "tel",
    "date_of_birth": "bday",
    "password": "current-password",
    "password1": "new-password",
    "password2": "new-password",
}
