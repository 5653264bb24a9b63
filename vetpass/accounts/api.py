"""The profile over the API: the same service the web profile page calls."""

from __future__ import annotations

from typing import Any

from django_countries.serializer_fields import CountryField
from rest_framework import serializers
from rest_framework.generics import RetrieveUpdateAPIView

from .models import User
from .services import PROFILE_FIELDS, profile_update


class ProfileSerializer(serializers.ModelSerializer[User]):
    country = CountryField(required=False, allow_blank=True)

    class Meta:
        model = User
        fields = ["email", "jurisdiction", *PROFILE_FIELDS]
        read_only_fields = ["email", "jurisdiction"]

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        return profile_update(user=instance, **validated_data)


class ProfileView(RetrieveUpdateAPIView[User]):
    """The signed-in person's profile. The email address is changed through allauth
    (it needs confirming), so it is read-only here."""

    serializer_class = ProfileSerializer

    def get_object(self) -> User:
        return self.request.user  # type: ignore[return-value]
