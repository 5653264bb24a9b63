from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def validate_adult(born: date) -> None:
    """VETPASS policy: you must be 16 or older to use VetPass."""
    today = timezone.localdate()
    if born > today:
        raise ValidationError("Date of birth must be in the past.", code="future")
    minimum = settings.POLICY_MINIMUM_AGE
    if age_on(born, today) < minimum:
        raise ValidationError(
            f"You must be {minimum} or older to use VetPass.", code="under_minimum_age"
        )
