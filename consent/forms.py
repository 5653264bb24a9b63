from __future__ import annotations

from django import forms

from .models import Action, Purpose


class ConsentChangeForm(forms.Form):
    """One purpose, one click: the privacy centre posts one of these per button."""

    purpose = forms.SlugField(max_length=40)
    scope = forms.CharField(max_length=100, required=False)
    action = forms.ChoiceField(
        choices=[
            (Action.GRANT, "Turn on"),
            (Action.WITHDRAW, "Turn off"),
            (Action.OBJECT, "Object"),
        ]
    )

    def clean_purpose(self) -> Purpose:
        code = self.cleaned_data["purpose"]
        try:
            return Purpose.objects.get(code=code)
        except Purpose.DoesNotExist:
            raise forms.ValidationError("Choose a purpose from the list.") from None

    def clean(self) -> dict:
        data = super().clean() or {}
        purpose = data.get("purpose")
        scope = data.get("scope", "")
        if isinstance(purpose, Purpose):
            if purpose.scoped and not scope:
                self.add_error("scope", f"{purpose.name} is given per practice: choose one.")
            if not purpose.scoped and scope:
                self.add_error("scope", f"{purpose.name} is not given per practice.")
        return data


class PolicyAcceptForm(forms.Form):
    accept = forms.BooleanField(
        label="I have read and accept the new versions above",
        error_messages={"required": "Tick the box to accept the new versions, or sign out."},
    )


class CookieChoiceForm(forms.Form):
    analytics = forms.ChoiceField(
        choices=[("yes", "Accept analytics cookies"), ("no", "Essential cookies only")],
        error_messages={"required": "Choose whether to accept analytics cookies."},
    )
    next = forms.CharField(required=False, max_length=500)
