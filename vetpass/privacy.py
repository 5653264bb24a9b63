"""Vocabulary of the personal-data map (DESIGN.md rule 3).

Each app declares, in its own `privacy.py`, how every field of every model it owns is
classified. `dsar.personal_data_map` assembles the declarations; export and erasure are
generated from the map, and a test fails when a model field is not classified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # Used by erasure only: an admin log entry whose object is one of the person's rows
    # (a generic relation, found by the engine, not by a subject path).
    ABOUT = "about"


class Match(StrEnum):
    """What the end of a subject path is compared with."""

    USER = "user"  # a relation ending at the person's account (compared by id)
    USER_IDS = "user ids"  # an array of account ids: the row is the person's if theirs is in it
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


def by_user_in(path: str, role: Role) -> Subject:
    """An array column of account ids (records.ListAccessLog.owners): each person named in
    it is a subject of the row."""
    return Subject(path, role, Match.USER_IDS)


def by_email(path: str) -> Subject:
    return Subject(path, Role.EMAIL, Match.EMAIL)


# model label -> the paths by which its rows belong to a person; a model with no personal
# data declares an empty tuple, so that completeness can be checked.
SubjectDeclaration = dict[str, tuple[Subject, ...]]


# --- What erasure does: the executable treatment (issue 8 §1, §6) ---------------------------


class Action(StrEnum):
    """The closed set of things erasure can do to a row or a column. The engine
    (dsar.erasure) turns each into one set-based statement per table; the column check
    (tests/dsar/test_erasure_map.py) refuses a declaration the schema cannot run."""

    DELETE_ROW = "delete row"
    SET_NULL = "set null"
    SET_CONSTANT = "set constant"
    KEYED_HASH = "keyed hash"  # an HMAC of the column's value (an address: erased-<hmac>@...)
    GENERALISE_DATE = "generalise date"  # truncated to the first day of its year
    DELETE_FILE = "delete file"  # the stored file goes (after commit), the column is blanked
    KEEP = "keep"  # kept for a legal reason until anchor + duration


@dataclass(frozen=True)
class Treatment:
    """One action, with what it needs: the constant for SET_CONSTANT; for KEEP the legal
    reason, the retention anchor (a date/datetime column or lookup path on the model) and
    the duration in months, or the name of the setting that gives it per practice
    jurisdiction (`months_setting`), so that a later retention job can purge it."""

    action: Action
    value: object = None
    reason: str = ""
    anchor: str = ""
    months: int | None = None
    months_setting: str = ""
    per: str = ""  # with months_setting: the lookup of the practice's country on the row

    def __post_init__(self) -> None:
        if self.action == Action.KEEP:
            if not self.reason or not self.anchor:
                raise ValueError("a kept row names its legal reason and retention anchor")
            if self.months is None and not self.months_setting:
                raise ValueError("a kept row says for how long")
            if self.months_setting and not self.per:
                raise ValueError("a per-jurisdiction duration names the country column")


DELETE_ROW = Treatment(Action.DELETE_ROW)
SET_NULL = Treatment(Action.SET_NULL)
KEYED_HASH = Treatment(Action.KEYED_HASH)
GENERALISE_DATE = Treatment(Action.GENERALISE_DATE)
DELETE_FILE = Treatment(Action.DELETE_FILE)


def constant(value: object) -> Treatment:
    return Treatment(Action.SET_CONSTANT, value=value)


def keep(
    reason: str,
    *,
    anchor: str,
    months: int | None = None,
    months_setting: str = "",
    per: str = "",
) -> Treatment:
    return Treatment(
        Action.KEEP,
        reason=reason,
        anchor=anchor,
        months=months,
        months_setting=months_setting,
        per=per,
    )


@dataclass(frozen=True)
class Plan:
    """What erasure does to the rows one role finds (per model, per Role).

    `row` is DELETE_ROW or KEEP for the whole row. `keep_when` (a lookup) carves out rows
    that are kept instead (with `kept`): the practice's own clinical record. `fields` are
    column treatments applied to the rows that stay (kept rows, or every row when `row` is
    None). The column check verifies each against the schema."""

    row: Treatment | None = None
    fields: dict[str, Treatment] = field(default_factory=dict)
    keep_when: dict[str, object] = field(default_factory=dict)
    kept: Treatment | None = None

    def __post_init__(self) -> None:
        if self.row is not None and self.row.action not in (Action.DELETE_ROW, Action.KEEP):
            raise ValueError("a row is deleted or kept; columns have the other actions")
        if bool(self.keep_when) != (self.kept is not None):
            raise ValueError("rows kept on a condition say why (kept=keep(...))")
        for name, treatment in self.fields.items():
            if treatment.action == Action.DELETE_ROW:
                raise ValueError(f"{name}: a column is not a row")


def delete_rows(*, files: tuple[str, ...] = ()) -> Plan:
    return Plan(row=DELETE_ROW, fields={name: DELETE_FILE for name in files})


def keep_rows(reason: str, *, anchor: str, months: int) -> Plan:
    return Plan(row=keep(reason, anchor=anchor, months=months))


# model label -> role -> plan. Models with no personal data declare nothing; a role a model
# declares in SUBJECTS must have a plan here (the completeness test checks it).
ErasureDeclaration = dict[str, dict[Role, Plan]]
