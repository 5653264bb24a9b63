from vetpass.privacy import (
    GENERALISE_DATE,
    KEYED_HASH,
    NOT_PERSONAL,
    SET_NULL,
    Basis,
    Category,
    Erasure,
    ErasureDeclaration,
    PersonalDataDeclaration,
    Plan,
    Role,
    SubjectDeclaration,
    by_user,
    constant,
    delete_rows,
    keep,
    keep_rows,
    personal,
)

# Who restricted or lifted processing of whose data, when and why: proof that an Art. 18
# restriction was honoured (Art. 5(2) accountability), append-only at the database.
_RESTRICTION_HISTORY = personal(
    Category.CONSENT,
    basis=Basis.LEGAL_OBLIGATION,
    retention="6 years after the restriction is lifted",
    erasure=Erasure.KEEP,
    method="proof that the Art. 18 restriction was honoured (Art. 5(2) accountability)",
)

# A session is the web sign-in, and for the apps the X-Session-Token of allauth's
# headless API.
_SESSION = personal(
    Category.TECHNICAL,
    basis=Basis.LEGITIMATE_INTERESTS,
    retention="until sign-out or SESSION_COOKIE_AGE (2 weeks)",
)

PERSONAL_DATA: PersonalDataDeclaration = {
    "accounts.Session": {
        "session_key": _SESSION,
        "session_data": _SESSION,
        "expire_date": NOT_PERSONAL,
        "user": _SESSION,
    },
    "accounts.User": {
        "id": NOT_PERSONAL,
        "password": personal(Category.TECHNICAL),
        "last_login": personal(Category.ACTIVITY),
        "is_superuser": NOT_PERSONAL,
        "email": personal(Category.CONTACT),
        "full_name": personal(Category.IDENTITY),
        "date_of_birth": personal(Category.IDENTITY),
        "country": personal(Category.CONTACT),
        "region": personal(Category.CONTACT),
        "jurisdiction": personal(Category.CONTACT, basis=Basis.LEGAL_OBLIGATION),
        "address_line1": personal(Category.CONTACT),
        "address_line2": personal(Category.CONTACT),
        "town": personal(Category.CONTACT),
        "postcode": personal(Category.CONTACT),
        "phone": personal(Category.CONTACT),
        "is_active": NOT_PERSONAL,
        "is_staff": NOT_PERSONAL,
        "is_dpo": NOT_PERSONAL,
        "date_joined": personal(Category.ACTIVITY),
        "last_activity_at": personal(Category.ACTIVITY, basis=Basis.LEGITIMATE_INTERESTS),
        "last_activity_kind": personal(Category.ACTIVITY, basis=Basis.LEGITIMATE_INTERESTS),
        "restricted_at": personal(
            Category.CONSENT,
            basis=Basis.LEGAL_OBLIGATION,
            erasure=Erasure.KEEP,
            method="proof that the Art. 18 restriction was honoured (Art. 5(2) accountability)",
        ),
        "groups": NOT_PERSONAL,
        "user_permissions": NOT_PERSONAL,
    },
    "accounts.RestrictionEvent": {
        "id": NOT_PERSONAL,
        "user": _RESTRICTION_HISTORY,
        "action": _RESTRICTION_HISTORY,
        "reason": _RESTRICTION_HISTORY,
        "actor": _RESTRICTION_HISTORY,
        "at": _RESTRICTION_HISTORY,
    },
}

SUBJECTS: SubjectDeclaration = {
    "accounts.Session": (by_user("user", Role.OWNER),),
    "accounts.User": (by_user("pk", Role.ACCOUNT),),
    "accounts.RestrictionEvent": (by_user("user", Role.OWNER), by_user("actor", Role.STAFF)),
}

_RESTRICTION_PROOF = "proof that the Art. 18 restriction was honoured (Art. 5(2) accountability)"

# The account row stays as a tombstone: the consent ledger, the restriction history and the
# access log reference it by id and may not be updated. Its personal columns are blanked,
# the address becomes a unique keyed hash, and it can never sign in again.
ERASURE: ErasureDeclaration = {
    "accounts.Session": {Role.OWNER: delete_rows()},
    "accounts.User": {
        Role.ACCOUNT: Plan(
            fields={
                "email": KEYED_HASH,
                "password": constant("!erased"),  # "!" prefix: an unusable password
                "last_login": SET_NULL,
                "full_name": constant(""),
                "date_of_birth": SET_NULL,
                "country": constant(""),
                "region": constant(""),
                "jurisdiction": keep(
                    "decides the deadlines of the person's open and kept cases",
                    anchor="date_joined",
                    months=24,
                ),
                "address_line1": constant(""),
                "address_line2": constant(""),
                "town": constant(""),
                "postcode": constant(""),
                "phone": constant(""),
                "is_active": constant(False),
                "date_joined": GENERALISE_DATE,
                "last_activity_at": SET_NULL,
                "last_activity_kind": constant(""),
                "restricted_at": keep(_RESTRICTION_PROOF, anchor="restricted_at", months=72),
            }
        )
    },
    "accounts.RestrictionEvent": {
        Role.OWNER: keep_rows(_RESTRICTION_PROOF, anchor="at", months=72),
        Role.STAFF: keep_rows(_RESTRICTION_PROOF, anchor="at", months=72),
    },
}
