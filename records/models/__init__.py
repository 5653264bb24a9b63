from .animals import (
    Animal,
    AnimalAccess,
    Breed,
    CoOwnerInvitation,
    Permission,
    Sex,
    Species,
)
from .entries import Entry, EntryKind, EntrySource, WeightUnit
from .practices import Practice, PracticeMembership, StaffRole

__all__ = [
    "Animal",
    "AnimalAccess",
    "Breed",
    "CoOwnerInvitation",
    "Entry",
    "EntryKind",
    "EntrySource",
    "Permission",
    "Practice",
    "PracticeMembership",
    "Sex",
    "Species",
    "StaffRole",
    "WeightUnit",
]
