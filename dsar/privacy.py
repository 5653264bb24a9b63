"""The DSAR cases' own fields in the personal-data map. A case is the proof that a right
was answered (GDPR Art. 5(2), CCPA regulations §7101): it is kept 24 months after it
closes, also when the person's account is erased; their contact details on it are then
anonymised."""

from vetpass.privacy import (
    KEYED_HASH,
    NOT_PERSONAL,
    Basis,
    Category,
    Erasure,
    ErasureDeclaration,
    FieldClass,
    PersonalDataDeclaration,
    Plan,
    Role,
    SubjectDeclaration,
    by_email,
    by_user,
    constant,
    keep,
    keep_rows,
    personal,
)

CASE_RETENTION = "24 months after the case closes (CCPA regulations §7101)"
PROOF = "proof that the request was answered (Art. 5(2) accountability, CCPA §7101)"


def _case_record(category: Category) -> FieldClass:
    return personal(
        category,
        basis=Basis.LEGAL_OBLIGATION,
        retention=CASE_RETENTION,
        erasure=Erasure.KEEP,
        method=PROOF,
    )


def _case_contact(category: Category) -> FieldClass:
    return personal(
        category,
        basis=Basis.LEGAL_OBLIGATION,
        retention=CASE_RETENTION,
        erasure=Erasure.ANONYMISE,
        method="replaced by a keyed hash once the case is answered and the account erased",
    )


PERSONAL_DATA: PersonalDataDeclaration = {
    "dsar.DataSubjectRequest": {
        "id": NOT_PERSONAL,
        "reference": _case_record(Category.CONSENT),
        "type": _case_record(Category.CONSENT),
        "status": _case_record(Category.CONSENT),
        "jurisdiction": _case_record(Category.CONTACT),
        "channel": _case_record(Category.CONSENT),
        "subject": _case_record(Category.IDENTITY),
        "email": _case_contact(Category.CONTACT),
        "name": _case_contact(Category.IDENTITY),
        "postcode": _case_contact(Category.CONTACT),
        "details": _case_contact(Category.CONSENT),
        "entered_by": NOT_PERSONAL,
        "received_at": _case_record(Category.CONSENT),
        "acknowledge_by": _case_record(Category.CONSENT),
        "respond_by": _case_record(Category.CONSENT),
        "extended_respond_by": _case_record(Category.CONSENT),
        "clock_stopped_on": _case_record(Category.CONSENT),
        "clock_restarted_on": _case_record(Category.CONSENT),
        "verification_token_hash": personal(
            Category.TECHNICAL,
            basis=Basis.LEGAL_OBLIGATION,
            retention="until the link is used or expires (7 days)",
        ),
        "verification_expires_at": NOT_PERSONAL,
        "declaration_signed_at": _case_record(Category.CONSENT),
        "agent_authorisation": _case_record(Category.IDENTITY),
        "verified_at": _case_record(Category.CONSENT),
        "verification_method": _case_record(Category.CONSENT),
        "verification_waived_reason": _case_record(Category.CONSENT),
        "extension_reason": _case_record(Category.CONSENT),
        "refusal_reason": _case_record(Category.CONSENT),
        "assignee": NOT_PERSONAL,
        "closed_at": _case_record(Category.CONSENT),
    },
    "dsar.CaseEvent": {
        "id": NOT_PERSONAL,
        "request": _case_record(Category.CONSENT),
        "kind": _case_record(Category.CONSENT),
        "from_status": _case_record(Category.CONSENT),
        "to_status": _case_record(Category.CONSENT),
        "actor": NOT_PERSONAL,
        "text": _case_record(Category.CONSENT),
        "at": _case_record(Category.CONSENT),
    },
    "dsar.DueReminder": {
        "id": NOT_PERSONAL,
        "request": NOT_PERSONAL,
        "days_before": NOT_PERSONAL,
        "due_on": NOT_PERSONAL,
        "sent_at": NOT_PERSONAL,
    },
    "dsar.LegalHold": {
        "id": NOT_PERSONAL,
        "subject": _case_record(Category.IDENTITY),
        "animal": _case_record(Category.ANIMAL),
        "scope": _case_record(Category.ANIMAL),
        "reason": _case_record(Category.CONSENT),
        "until": _case_record(Category.CONSENT),
        "placed_by": NOT_PERSONAL,
        "placed_at": _case_record(Category.CONSENT),
        "lifted_at": _case_record(Category.CONSENT),
        "lifted_by": NOT_PERSONAL,
    },
    "dsar.ErasedSubject": {
        "id": NOT_PERSONAL,
        # A keyed hash, kept so the person is never mailed again (GDPR Art. 17, 21(3)).
        "email_hash": personal(
            Category.CONTACT,
            basis=Basis.LEGAL_OBLIGATION,
            retention="for as long as VetPass sends email",
            erasure=Erasure.KEEP,
            method="suppression: the erased person is not mailed again",
        ),
        "reference": NOT_PERSONAL,
        "request": NOT_PERSONAL,
        "erased_at": NOT_PERSONAL,
    },
    # Counts per table and column, and ids of cases: never an erased value.
    "dsar.ErasureCertificate": {
        n: NOT_PERSONAL
        for n in ("id", "reference", "request", "payload", "signature", "public_key", "created_at")
    },
    "dsar.PendingFileDeletion": {n: NOT_PERSONAL for n in ("id", "request", "name")},
    "dsar.PracticeNotice": {
        n: NOT_PERSONAL for n in ("id", "request", "practice", "why", "sent_at", "acknowledged_at")
    },
}

# The retention sweep's own records (issue 9): which notice went to whom, when, and what
# came of it. Proof that nobody was removed without notice (Art. 5(2)).
_NOTICE = personal(
    Category.ACTIVITY,
    basis=Basis.LEGAL_OBLIGATION,
    retention="6 years after the notice is closed",
    erasure=Erasure.KEEP,
    method="proof that the owner was given three months' notice before removal (Art. 5(2))",
)

PERSONAL_DATA.update(
    {
        "dsar.InactivityNotice": {
            "id": NOT_PERSONAL,
            "owner": _NOTICE,
            "period_start": _NOTICE,
            "state": _NOTICE,
            "created_at": _NOTICE,
            "stated_removal_at": _NOTICE,
            "email": _NOTICE,
            "sent_at": _NOTICE,
            "removal_at": _NOTICE,
            "closed_at": _NOTICE,
            "held_reason": _NOTICE,
        },
        "dsar.InactivityReminder": {
            "id": NOT_PERSONAL,
            "notice": _NOTICE,
            "days_before": _NOTICE,
            "created_at": _NOTICE,
        },
        "dsar.RetentionRun": {
            n: NOT_PERSONAL for n in ("id", "started_at", "finished_at", "dry_run", "counts")
        },
        # A practice's subscription end: business dates and counts, never a client's name.
        "dsar.PracticeSubscriptionEnd": {
            n: NOT_PERSONAL
            for n in (
                "id",
                "practice",
                "ended_on",
                "anonymise_on",
                "state",
                "created_at",
                "notices_sent",
                "closed_at",
                "counts",
                "held_owners",
            )
        },
    }
)

SUBJECTS: SubjectDeclaration = {
    "dsar.InactivityNotice": (by_user("owner", Role.OWNER),),
    "dsar.InactivityReminder": (by_user("notice__owner", Role.OWNER),),
    "dsar.RetentionRun": (),
    "dsar.PracticeSubscriptionEnd": (),
    "dsar.DataSubjectRequest": (
        by_user("subject", Role.OWNER),
        by_email("email"),
        by_user("entered_by", Role.STAFF),
        by_user("assignee", Role.STAFF),
    ),
    "dsar.CaseEvent": (by_user("request__subject", Role.OWNER), by_user("actor", Role.STAFF)),
    "dsar.DueReminder": (by_user("request__subject", Role.OWNER),),
    "dsar.LegalHold": (
        by_user("subject", Role.OWNER),
        by_user("placed_by", Role.STAFF),
        by_user("lifted_by", Role.STAFF),
    ),
    "dsar.ErasedSubject": (by_user("request__subject", Role.OWNER),),
    "dsar.ErasureCertificate": (),
    "dsar.PendingFileDeletion": (),
    "dsar.PracticeNotice": (),
}

_CASE = keep(PROOF, anchor="closed_at", months=24)
_OF_CASE = keep(PROOF, anchor="request__closed_at", months=24)

# The case is the proof that the right was answered: kept, with the person's contact
# details on it replaced (a keyed-hash address, blanks) once they are erased.
_CASE_CONTACT_ERASED = Plan(
    row=_CASE,
    fields={
        "email": KEYED_HASH,
        "name": constant(""),
        "postcode": constant(""),
        "details": constant(""),
        "verification_token_hash": constant(""),
    },
)

ERASURE: ErasureDeclaration = {
    "dsar.DataSubjectRequest": {
        # Found by the account or by the address the request gave: treated alike.
        Role.OWNER: _CASE_CONTACT_ERASED,
        Role.EMAIL: _CASE_CONTACT_ERASED,
        Role.STAFF: Plan(row=_CASE),
    },
    "dsar.CaseEvent": {Role.OWNER: Plan(row=_OF_CASE), Role.STAFF: Plan(row=_OF_CASE)},
    "dsar.DueReminder": {Role.OWNER: Plan(row=_OF_CASE)},
    "dsar.InactivityNotice": {
        Role.OWNER: keep_rows(
            "proof that the owner was given three months' notice before removal (Art. 5(2))",
            anchor="closed_at",
            months=72,
        )
    },
    "dsar.InactivityReminder": {
        Role.OWNER: keep_rows(
            "proof that the owner was given three months' notice before removal (Art. 5(2))",
            anchor="notice__closed_at",
            months=72,
        )
    },
    "dsar.ErasedSubject": {
        Role.OWNER: keep_rows(
            "suppression: the erased person is not mailed again", anchor="erased_at", months=72
        )
    },
    "dsar.LegalHold": {
        Role.OWNER: keep_rows(PROOF, anchor="placed_at", months=72),
        Role.STAFF: keep_rows(PROOF, anchor="placed_at", months=72),
    },
}
