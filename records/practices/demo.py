"""Demo practices for `make run`: a handful of clinics and animal service providers with
coordinates (from the shipped postcode-district centroids), species and services, so that
"Find a practice" has something to find. Called by the seed_demo command."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction

from ..models import Practice, Service, Species
from .postcodes import coordinates_for

DEMO_PRACTICES: list[dict[str, Any]] = [
    {
        "name": "Clifton Animal Hospital",
        "town": "Bristol",
        "postcode": "BS8 2AB",
        "services": ["general-practice", "emergency", "surgery", "diagnostic-imaging"],
        "species": ["dog", "cat", "rabbit"],
    },
    {
        "name": "Harbourside Emergency Vets",
        "town": "Bristol",
        "postcode": "BS1 5DB",
        "services": ["emergency", "surgery"],
        "species": ["dog", "cat"],
    },
    {
        "name": "Mendip Farm and Equine",
        "town": "Bath",
        "postcode": "BA2 3AA",
        "services": ["farm-animal", "equine", "vaccination"],
        "species": ["horse", "cattle", "sheep"],
    },
    {
        "name": "Bath Referrals",
        "town": "Bath",
        "postcode": "BA1 1AA",
        "services": ["cardiology", "dermatology", "orthopaedics", "neurology"],
        "species": ["dog", "cat"],
    },
    {
        "name": "Happy Tails Grooming",
        "town": "Bristol",
        "postcode": "BS6 5AA",
        "services": ["grooming", "walking"],
        "species": ["dog"],
        "participates": False,
    },
    {
        "name": "Oakfield Kennels and Cattery",
        "town": "Bristol",
        "postcode": "BS16 1AA",
        "services": ["kennels", "boarding", "behaviour"],
        "species": ["dog", "cat"],
    },
    {
        "name": "Cardiff Bay Vets",
        "town": "Cardiff",
        "postcode": "CF10 4AA",
        "services": ["general-practice", "vaccination", "dentistry", "exotics"],
        "species": ["dog", "cat", "rabbit", "guinea-pig"],
    },
    {
        "name": "Headingley Pet Clinic",
        "town": "Leeds",
        "postcode": "LS6 3AA",
        "services": ["general-practice", "vaccination"],
        "species": ["dog", "cat"],
    },
]


def _describe(practice: Practice, spec: dict[str, Any]) -> None:
    practice.services.set(Service.objects.filter(slug__in=spec.get("services", [])))
    practice.species_treated.set(Species.objects.filter(slug__in=spec.get("species", [])))


@transaction.atomic
def seed_practice_demo(practice: Practice | None, stdout: IO[str] | Any) -> list[Practice]:
    """Describe the demo practice (coordinates, services, species) and add the others.
    Safe to run twice: practices are matched by name."""
    created: list[Practice] = []
    if practice is not None:
        if practice.latitude is None and practice.postcode:
            coords = coordinates_for(practice.postcode)
            if coords:
                practice.latitude, practice.longitude = coords
                practice.save(update_fields=["latitude", "longitude"])
        if not practice.services.exists():
            _describe(
                practice,
                {
                    "services": ["general-practice", "vaccination", "surgery", "dentistry"],
                    "species": ["dog", "cat", "rabbit"],
                },
            )
    for spec in DEMO_PRACTICES:
        lat, lng = coordinates_for(spec["postcode"]) or (None, None)
        obj, made = Practice.objects.get_or_create(
            name=spec["name"],
            defaults={
                "town": spec["town"],
                "postcode": spec["postcode"],
                "latitude": lat,
                "longitude": lng,
                "participates": spec.get("participates", True),
            },
        )
        if made:
            _describe(obj, spec)
            created.append(obj)
    stdout.write(f"Demo practices: {len(created)} added ({len(DEMO_PRACTICES)} in the demo set).\n")
    return created
