from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from consent.models import ConsentEvent
from records.models import AnimalAccess, Entry, Permission
from records.practices import services as practice_services
from records.services import invitation_create


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; one test's requests must not throttle the next."""
    cache.clear()
    yield
    cache.clear()


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def alice_api(alice):
    return api_client_for(alice)


@pytest.fixture
def bob_api(bob):
    return api_client_for(bob)


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture
def world(alice, bob, rex, riverside, carol):
    """One object of each kind a path can name, visible to alice (or to carol, on the
    practice workspace), so every request reaches the body instead of a 404."""
    favorite = practice_services.favorite_create(
        owner=alice, practice=riverside, already_client=True
    )
    share = practice_services.emergency_share_create(owner=alice, animals=[rex])
    entry = Entry.objects.create(animal=rex, author=alice, kind="clinical_note", title="Note")
    invitation = invitation_create(
        animal=rex, invited_by=alice, email="friend@example.com", permission="view"
    )
    access = AnimalAccess.objects.create(animal=rex, user=bob, permission=Permission.VIEW)
    from records.certificates import certificate_link_create

    certificate_link, _token = certificate_link_create(owner=alice, animal=rex, days=30)
    appointment = _appointment(alice, rex, riverside, carol)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from records.messages import conversation_start

    message = conversation_start(
        owner=alice,
        animal=rex,
        practice=riverside,
        body="Hello",
        attachment=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )
    return {
        "conversations": message.conversation_id,
        "messages": message.pk,
        "animals": rex.pk,
        "animal_pk": rex.pk,
        "practice_pk": riverside.pk,
        "entries": entry.pk,
        "favorites": favorite.pk,
        "emergency-shares": share.pk,
        "certificate-links": certificate_link.pk,
        "invitations": invitation.pk,
        "co-owners": access.pk,
        "requests": favorite.requests.get().pk,
        "practices": riverside.pk,
        "receipts": ConsentEvent.objects.filter(subject_user=alice).latest("pk").pk,
        "event_id": ConsentEvent.objects.filter(subject_user=alice).latest("pk").pk,
        "appointments": appointment.pk,
        # /workspace/{practice_pk}/hours/{kind}/{id}/: a weekly row of carol's hours
        "hours": "weekly",
        "weekly": _weekly_hours(riverside, carol).pk,
    }


def _appointment(alice, rex, riverside, carol):
    """Alice's appointment for Rex with carol, a week ahead (issue 11)."""
    from datetime import timedelta

    from django.utils import timezone

    from records.models import Appointment, Service

    service, _ = Service.objects.get_or_create(
        slug="consultation", defaults={"name": "Consultation", "category": "clinical"}
    )
    starts = timezone.now().replace(microsecond=0) + timedelta(days=7)
    return Appointment.objects.create(
        practice=riverside,
        membership=riverside.memberships.get(user=carol),
        service=service,
        owner=alice,
        animal=rex,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
    )


def path_parameters(path: str, world: dict[str, int]) -> dict[str, int]:
    """The value for each {name} of an OpenAPI path: the world's object of that name, or
    of the segment before it (/animals/{id}/ names an animal; /hours/{kind}/{id}/ the
    "weekly" row that {kind} resolved to)."""
    parts = path.split("/")
    values: dict[str, int] = {}
    for i, part in enumerate(parts):
        if part.startswith("{"):
            name = part.strip("{}")
            key = name if name in world else parts[i - 1]
            assert key in world, f"{path}: add the object {key!r} names to the world fixture"
            values[name] = world[key]
            parts[i] = str(world[key])
    return values


def path_to_url(path: str, world: dict[str, int]) -> str:
    values = path_parameters(path, world)
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value), 1)
    return path


def _weekly_hours(riverside, carol):
    from datetime import time

    from records.models import Service, WeeklyAvailability

    return WeeklyAvailability.objects.create(
        practice=riverside,
        membership=riverside.memberships.get(user=carol),
        service=Service.objects.get(slug="consultation"),
        weekday=0,
        starts_at=time(9),
        ends_at=time(12),
    )
