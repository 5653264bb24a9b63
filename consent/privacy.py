from vetpass.privacy import (
    NOT_PERSONAL,
    Basis,
    Category,
    Erasure,
    ErasureDeclaration,
    Match,
    PersonalDataDeclaration,
    Role,
    Subject,
    SubjectDeclaration,
    by_email,
    by_user,
    delete_rows,
    keep_rows,
    personal,
)

_PROOF = "proof of consent must outlive the account (GDPR Art. 7(1), Art. 5(2))"
_KEPT = personal(
    Category.CONSENT,
    basis=Basis.LEGAL_OBLIGATION,
    retention="6 years after the last event (limitation period for claims)",
    erasure=Erasure.KEEP,
    method=_PROOF,
)

PERSONAL_DATA: PersonalDataDeclaration = {
    "consent.Purpose": {
        name: NOT_PERSONAL
        for name in (
            "id",
            "code",
            "name",
            "description",
            "lawful_basis",
            "category",
            "scoped",
            "pii_categories",
            "third_party_disclosure",
            "ordering",
        )
    },
    "consent.PolicyDocument": {"id": NOT_PERSONAL, "kind": NOT_PERSONAL, "title": NOT_PERSONAL},
    "consent.PolicyVersion": {
        name: NOT_PERSONAL
        for name in (
            "id",
            "document",
            "version",
            "effective_from",
            "requires_acceptance",
            "summary",
            "body",
            "created_at",
        )
    },
    "consent.ConsentEvent": {
        "id": NOT_PERSONAL,
        "subject_key": _KEPT,
        "subject_user": _KEPT,
        "purpose": _KEPT,
        "scope": _KEPT,
        "action": _KEPT,
        "policy_version": _KEPT,
        "actor": _KEPT,
        "actor_role": _KEPT,
        "channel": _KEPT,
        "wording": _KEPT,
        "created_at": _KEPT,
        "sequence": NOT_PERSONAL,
        "prev_hash": NOT_PERSONAL,
        "hash": NOT_PERSONAL,
    },
    "consent.EmailSubject": {
        "id": NOT_PERSONAL,
        # The row ties the ledger's key to the address: erasure deletes it whole, so the
        # kept ledger can no longer be read back to the person.
        "subject_key": personal(
            Category.CONSENT,
            basis=Basis.CONSENT,
            retention="while the ledger holds events for the address; deleted on erasure",
        ),
        "email": personal(
            Category.CONTACT,
            basis=Basis.CONSENT,
            retention="while the ledger holds events for the address; deleted on erasure",
        ),
        "created_at": NOT_PERSONAL,
    },
}

SUBJECTS: SubjectDeclaration = {
    "consent.Purpose": (),
    "consent.PolicyDocument": (),
    "consent.PolicyVersion": (),
    "consent.ConsentEvent": (
        by_user("subject_user", Role.OWNER),
        Subject("subject_key", Role.LEDGER_KEY, Match.LEDGER_KEY),
        by_user("actor", Role.AUTHOR),
    ),
    "consent.EmailSubject": (by_email("email"),),
}

_LEDGER = keep_rows(_PROOF, anchor="created_at", months=72)

# The ledger is kept (it holds no direct identifier: an account id or a keyed hash); the
# address behind a keyed hash is deleted, so the ledger can no longer be read back to it.
ERASURE: ErasureDeclaration = {
    "consent.ConsentEvent": {Role.OWNER: _LEDGER, Role.LEDGER_KEY: _LEDGER, Role.AUTHOR: _LEDGER},
    "consent.EmailSubject": {Role.EMAIL: delete_rows()},
}
