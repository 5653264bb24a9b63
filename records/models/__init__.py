from .animals import (
    Animal,
    AnimalAccess,
    Breed,
    CoOwnerInvitation,
    Permission,
    Sex,
    Species,
)
from .certificates import CertificateLink
from .entries import Entry, EntryKind, EntrySource, WeightUnit
from .practices import (
    AccessLog,
    AccessLogGrant,
    ClientRegistration,
    EmergencyShare,
    Favorite,
    JoinRequest,
    Practice,
    PracticeMembership,
    RecordRequest,
    Service,
    StaffRole,
)
from .reminders import CareReminder

__all__ = [
    "AccessLog",
    "AccessLogGrant",
    "CertificateLink",
    "CareReminder",
    "ClientRegistration",
    "EmergencyShare",
    "Favorite",
    "JoinRequest",
    "RecordRequest",
    "Service",
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
