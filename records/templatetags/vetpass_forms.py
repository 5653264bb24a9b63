"""Template helpers for the GOV.UK-style form pattern (error summary + message beside the
field). Used by our own forms and by the allauth element overrides, so every form on the
site reads the same way."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()

_CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


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
    return field.as_widget(attrs=attrs)


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
