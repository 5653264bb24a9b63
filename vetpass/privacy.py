"""Vocabulary of the personal-data map (DESIGN.md rule 3).

Each app declares, in its own `privacy.py`, how every field of every model it owns is
classified. `dsar.personal_data_map` assembles the declarations; export and erasure are
generated from the map, and a test fails when a model field is not classified.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    NONE = "none"
    IDENTITY = "identity"
    CONTACT = "contact"
    ANIMAL = "animal"
    HEALTH = "animal health"
    CONSENT = "consent"
    ACTIVITY = "activity"
    TECHNICAL = "technical"
    PROFESSIONAL = "professional"


class Basis(StrEnum):
    NONE = "none"
    CONTRACT = "contract"
    CONSENT = "consent"
    LEGITIMATE_INTERESTS = "legitimate interests"
    LEGAL_OBLIGATION = "legal obligation"


class Erasure(StrEnum):
    NONE = "none"  # not personal data: nothing to do
    DELETE = "delete"  # the row or the value goes
    ANONYMISE = "anonymise"  # replaced by a named method
    KEEP = "keep"  # kept for a named legal reason


@dataclass(frozen=True)
class FieldClass:
    personal: bool
    category: Category = Category.NONE
    basis: Basis = Basis.NONE
    retention: str = ""
    erasure: Erasure = Erasure.NONE
    method: str = ""  # the anonymisation method, or the legal reason for keeping

    def __post_init__(self) -> None:
        if self.erasure == Erasure.ANONYMISE and not self.method:
            raise ValueError("an anonymised field must name its method")
        if self.erasure == Erasure.KEEP and not self.method:
            raise ValueError("a kept field must name the legal reason")
        if self.personal and self.erasure == Erasure.NONE:
            raise ValueError("personal data must say what erasure does to it")


NOT_PERSONAL = FieldClass(personal=False)

ACCOUNT_LIFETIME = "while the account is in use; removal after 21 months without use"


def personal(
    category: Category,
    *,
    basis: Basis = Basis.CONTRACT,
    retention: str = ACCOUNT_LIFETIME,
    erasure: Erasure = Erasure.DELETE,
    method: str = "",
) -> FieldClass:
    return FieldClass(
        personal=True,
        category=category,
        basis=basis,
        retention=retention,
        erasure=erasure,
        method=method,
    )


# model label ("app_label.ModelName") -> field name -> classification
PersonalDataDeclaration = dict[str, dict[str, FieldClass]]


# --- Whose rows: the subject paths (issue 8 §1) --------------------------------------------


class Role(StrEnum):
    """How a row belongs to a person; erasure treats each role differently."""

    ACCOUNT = "account"  # the person's own account row
    OWNER = "owner"  # the person's own data: their animals, records, consents, sharing
    VIEWER = "viewer"  # the person looked at someone else's records
    AUTHOR = "author"  # the person wrote, decided or answered something on another's record
    STAFF = "staff"  # the person as a member of a practice, or as VetPass staff
    EMAIL = "email"  # the row names the person by email address only
    LEDGER_KEY = "ledger key"  # the consent ledger's key for the person


class Match(StrEnum):
    """What the end of a subject path is compared with."""

    USER = "user"  # a relation ending at the person's account (compared by id)
    EMAIL = "email"  # an address column (compared case-insensitively)
    LEDGER_KEY = "ledger key"  # the ledger's subject key (consent.services.subject_key_for)


@dataclass(frozen=True)
class Subject:
    """A path from a model to the person (a Django lookup, `animal__owner`), and the role
    that the person plays in the rows it finds."""

    path: str
    role: Role
    match: Match = Match.USER


def by_user(path: str, role: Role) -> Subject:
    return Subject(path, role, Match.USER)


def by_email(path: str) -> Subject:
    return Subject(path, Role.EMAIL, Match.EMAIL)


# model label -> the paths by which its rows belong to a person; a model with no personal
# data declares an empty tuple, so that completeness can be checked.
SubjectDeclaration = dict[str, tuple[Subject, ...]]
