from vetpass.privacy import (
    DELETE_FILE,
    DELETE_ROW,
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
    by_email,
    by_user,
    by_user_in,
    delete_rows,
    keep,
    keep_rows,
    personal,
)

_ANIMAL = personal(Category.ANIMAL)
_HEALTH = personal(Category.HEALTH)
_CLINICAL = personal(
    Category.HEALTH,
    erasure=Erasure.ANONYMISE,
    method="detach from the owner; the practice keeps its own clinical record",
)

# Sharing with a practice rests on the owner's consent (the ledger holds the grant).
_SHARING = personal(Category.CONSENT, basis=Basis.CONSENT)
# The registration is the practice's own record of its client, processed on its behalf;
# a later issue anonymises it within 3 months of the practice's subscription ending.
_PRACTICE_CLIENT = personal(
    Category.PROFESSIONAL,
    basis=Basis.LEGITIMATE_INTERESTS,
    retention="the practice's subscription, then anonymised within 3 months (Kontak policy)",
    erasure=Erasure.ANONYMISE,
    method="detach from the owner; the practice keeps its own clinical record",
)
# Who looked at whose records: accountability for access to health data (UK GDPR
# Art. 5(2), Art. 32), append-only at the database.
_ACCESS_LOG = personal(
    Category.ACTIVITY,
    basis=Basis.LEGAL_OBLIGATION,
    retention="6 years after the access",
    erasure=Erasure.KEEP,
    method="accountability record of access to health data (UK GDPR Art. 5(2))",
)

# The due reminders sent to an owner: health facts (what is due, when) sent by email
# under the owner's "care_reminders" consent.
_REMINDER = personal(Category.HEALTH, basis=Basis.CONSENT)
# Messages with a practice (issue 11): the owner's correspondence about their animal, which
# may carry health details; the service the owner asked for (contract).
_MESSAGES = personal(Category.HEALTH, basis=Basis.CONTRACT)

PERSONAL_DATA: PersonalDataDeclaration = {
    "records.Species": {n: NOT_PERSONAL for n in ("id", "name", "slug", "group", "care_summary")},
    "records.Breed": {n: NOT_PERSONAL for n in ("id", "species", "name", "care_summary")},
    "records.Animal": {
        "id": NOT_PERSONAL,
        "owner": personal(Category.IDENTITY),
        "name": _ANIMAL,
        "species": _ANIMAL,
        "breed": _ANIMAL,
        "sex": _ANIMAL,
        "neutered": _ANIMAL,
        "date_of_birth": _ANIMAL,
        "colour": _ANIMAL,
        "microchip": personal(Category.ANIMAL, basis=Basis.LEGAL_OBLIGATION),
        "photo": _ANIMAL,
        "deceased": _ANIMAL,
        "deceased_on": _ANIMAL,
        "is_group": _ANIMAL,
        "head_count": _ANIMAL,
        "group": _ANIMAL,
        "created_at": personal(Category.ACTIVITY),
        "updated_at": personal(Category.ACTIVITY),
    },
    "records.AnimalAccess": {
        "id": NOT_PERSONAL,
        "animal": personal(Category.ANIMAL),
        "user": personal(Category.IDENTITY),
        "permission": personal(Category.ANIMAL),
        "created_at": personal(Category.ACTIVITY),
    },
    "records.CoOwnerInvitation": {
        "id": NOT_PERSONAL,
        "animal": personal(Category.ANIMAL),
        "invited_by": personal(Category.IDENTITY),
        "email": personal(Category.CONTACT),
        "permission": personal(Category.ANIMAL),
        "token": personal(Category.TECHNICAL),
        "status": personal(Category.ACTIVITY),
        "created_at": personal(Category.ACTIVITY),
        "expires_at": personal(Category.ACTIVITY),
        "answered_at": personal(Category.ACTIVITY),
        "accepted_by": personal(Category.IDENTITY),
    },
    "records.Entry": {
        "id": NOT_PERSONAL,
        "animal": _HEALTH,
        "kind": _HEALTH,
        "occurred_on": _HEALTH,
        "title": _HEALTH,
        "notes": _HEALTH,
        "vaccine_product": _HEALTH,
        "manufacturer": _HEALTH,
        "batch_number": _HEALTH,
        "next_due_on": _HEALTH,
        "duration_years": _HEALTH,
        "tag_number": _HEALTH,
        # The vaccinating vet as written on the certificate: the vet's professional details,
        # part of the animal's record and erased with it.
        "vet_name": personal(Category.PROFESSIONAL, basis=Basis.LEGITIMATE_INTERESTS),
        "vet_licence": personal(Category.PROFESSIONAL, basis=Basis.LEGITIMATE_INTERESTS),
        "weight_value": _HEALTH,
        "weight_unit": _HEALTH,
        "medication_name": _HEALTH,
        "dose": _HEALTH,
        "ends_on": _HEALTH,
        "allergen": _HEALTH,
        "severity": _HEALTH,
        "test_name": _HEALTH,
        "result": _HEALTH,
        "document": _HEALTH,
        "document_type": _HEALTH,
        "author": personal(
            Category.PROFESSIONAL,
            basis=Basis.LEGITIMATE_INTERESTS,
            erasure=Erasure.ANONYMISE,
            method="set to null when the author's account is erased",
        ),
        "source": _HEALTH,
        "practice": _CLINICAL,
        "created_at": personal(Category.ACTIVITY),
        "updated_at": personal(Category.ACTIVITY),
    },
    "records.Practice": {
        n: NOT_PERSONAL
        for n in (
            "id",
            "name",
            "address_line1",
            "address_line2",
            "town",
            "postcode",
            "country",
            "latitude",
            "longitude",
            "phone",
            "email",
            "participates",
            "subscription_starts_on",
            "subscription_ends_on",
            "created_at",
            "species_treated",
            "services",
        )
    },
    "records.Service": {n: NOT_PERSONAL for n in ("id", "slug", "name", "category")},
    "records.PracticeMembership": {
        "id": NOT_PERSONAL,
        "practice": personal(Category.PROFESSIONAL),
        "user": personal(Category.PROFESSIONAL),
        "role": personal(Category.PROFESSIONAL),
        "is_practice_admin": personal(Category.PROFESSIONAL),
        "job_title": personal(Category.PROFESSIONAL),
        "joined_at": personal(Category.PROFESSIONAL),
        "left_at": personal(Category.PROFESSIONAL),
    },
    "records.JoinRequest": {
        "id": NOT_PERSONAL,
        "practice": personal(Category.PROFESSIONAL),
        "user": personal(Category.PROFESSIONAL),
        "role": personal(Category.PROFESSIONAL),
        "message": personal(Category.PROFESSIONAL),
        "status": personal(Category.PROFESSIONAL),
        "created_at": personal(Category.ACTIVITY),
        "decided_at": personal(Category.ACTIVITY),
        "decided_by": personal(
            Category.PROFESSIONAL,
            erasure=Erasure.ANONYMISE,
            method="set to null when the deciding administrator's account is erased",
        ),
    },
    "records.ClientRegistration": {
        "id": NOT_PERSONAL,
        "practice": _PRACTICE_CLIENT,
        "owner": _PRACTICE_CLIENT,
        "registered_at": _PRACTICE_CLIENT,
        "ended_at": _PRACTICE_CLIENT,
    },
    "records.Favorite": {
        "id": NOT_PERSONAL,
        "owner": _SHARING,
        "practice": _SHARING,
        "registration": _SHARING,
        "share_profile": _SHARING,
        "all_animals": _SHARING,
        "animals": _SHARING,
        "kinds": _SHARING,
        "ends_on": _SHARING,
        "already_client": _SHARING,
        "created_at": _SHARING,
        "ended_at": _SHARING,
        # The owner's shown name as the client list sorts it (derived, trigger-kept).
        "list_name": _SHARING,
    },
    # The consent ledger's latest practice-sharing event per owner and practice, projected.
    "records.SharingState": {
        "id": NOT_PERSONAL,
        "owner": _SHARING,
        "practice": _SHARING,
        "event_id": _SHARING,
        "sequence": _SHARING,
        "action": _SHARING,
        "granted": _SHARING,
        "updated_at": _SHARING,
    },
    "records.RecordRequest": {
        "id": NOT_PERSONAL,
        "favorite": _SHARING,
        "practice": _SHARING,
        "owner": _SHARING,
        "status": _SHARING,
        "note": _SHARING,
        "created_at": personal(Category.ACTIVITY),
        "answered_at": personal(Category.ACTIVITY),
        "answered_by": personal(
            Category.PROFESSIONAL,
            erasure=Erasure.ANONYMISE,
            method="set to null when the staff member's account is erased",
        ),
        "entries_added": personal(Category.ACTIVITY),
    },
    "records.EmergencyShare": {
        "id": NOT_PERSONAL,
        "owner": _SHARING,
        "animals": _SHARING,
        "code": personal(Category.TECHNICAL, basis=Basis.CONSENT),
        "practice": _SHARING,
        "created_at": personal(Category.ACTIVITY),
        "expires_at": _SHARING,
        "redeemed_at": personal(Category.ACTIVITY),
        "redeemed_by": personal(
            Category.PROFESSIONAL,
            erasure=Erasure.ANONYMISE,
            method="set to null when the staff member's account is erased",
        ),
        "revoked_at": personal(Category.ACTIVITY),
    },
    # A vaccination certificate link the owner gave out (issue 11); only its token's hash.
    "records.CertificateLink": {
        "id": NOT_PERSONAL,
        "owner": _SHARING,
        "animal": _SHARING,
        "token_hash": personal(Category.TECHNICAL, basis=Basis.CONSENT),
        "created_at": personal(Category.ACTIVITY),
        "expires_at": _SHARING,
        "revoked_at": personal(Category.ACTIVITY),
    },
    "records.BookingRules": {
        n: NOT_PERSONAL for n in ("id", "practice", "notice_hours", "vcpr_days")
    },
    # A staff member's published hours are their working pattern (professional data).
    "records.WeeklyAvailability": {
        "id": NOT_PERSONAL,
        "practice": NOT_PERSONAL,
        "membership": personal(Category.PROFESSIONAL),
        "service": personal(Category.PROFESSIONAL),
        "weekday": personal(Category.PROFESSIONAL),
        "starts_at": personal(Category.PROFESSIONAL),
        "ends_at": personal(Category.PROFESSIONAL),
        "slot_minutes": personal(Category.PROFESSIONAL),
        "online": personal(Category.PROFESSIONAL),
    },
    "records.AvailabilityException": {
        "id": NOT_PERSONAL,
        "practice": NOT_PERSONAL,
        "membership": personal(Category.PROFESSIONAL),
        "date": personal(Category.PROFESSIONAL),
        "closed": personal(Category.PROFESSIONAL),
        "service": personal(Category.PROFESSIONAL),
        "starts_at": personal(Category.PROFESSIONAL),
        "ends_at": personal(Category.PROFESSIONAL),
        "slot_minutes": personal(Category.PROFESSIONAL),
        "online": personal(Category.PROFESSIONAL),
    },
    # A booking is the owner's use of the service (contract); what happened at the visit
    # is the practice's clinical record (its entries), not the booking.
    "records.Appointment": {
        "id": NOT_PERSONAL,
        "practice": personal(Category.ACTIVITY),
        "membership": personal(
            Category.PROFESSIONAL,
            erasure=Erasure.ANONYMISE,
            method="set to null when the staff member's account is erased",
        ),
        "service": personal(Category.ACTIVITY),
        "owner": personal(Category.IDENTITY),
        "animal": _ANIMAL,
        "starts_at": personal(Category.ACTIVITY),
        "ends_at": personal(Category.ACTIVITY),
        "mode": personal(Category.ACTIVITY),
        "status": personal(Category.ACTIVITY),
        "reason": _HEALTH,
        "created_at": personal(Category.ACTIVITY),
        "cancelled_at": personal(Category.ACTIVITY),
        "sequence": NOT_PERSONAL,
    },
    "records.AppointmentReminder": {
        "id": NOT_PERSONAL,
        "appointment": personal(Category.ACTIVITY),
        "sent_at": personal(Category.ACTIVITY),
    },
    "records.AccessLog": {
        "id": NOT_PERSONAL,
        "viewer": _ACCESS_LOG,
        "practice": _ACCESS_LOG,
        "owner": _ACCESS_LOG,
        "animal": _ACCESS_LOG,
        "view": _ACCESS_LOG,
        "grant_kind": _ACCESS_LOG,
        "grant_id": _ACCESS_LOG,
        "created_at": _ACCESS_LOG,
    },
    # The list form of the access log (issue 10): one row per staff look at a list page,
    # naming every owner (and animal) shown; the same record as AccessLog's rows.
    "records.ListAccessLog": {
        "id": NOT_PERSONAL,
        "viewer": _ACCESS_LOG,
        "practice": _ACCESS_LOG,
        "view": _ACCESS_LOG,
        "owners": _ACCESS_LOG,
        "animals": _ACCESS_LOG,
        "grant_kinds": _ACCESS_LOG,
        "grant_ids": _ACCESS_LOG,
        "created_at": _ACCESS_LOG,
    },
    # A due reminder sent to the owner (issue 11): their care reminders rest on consent.
    "records.CareReminder": {
        "id": NOT_PERSONAL,
        "owner": _REMINDER,
        "animal": _REMINDER,
        "due_key": _REMINDER,
        "what": _REMINDER,
        "due_on": _REMINDER,
        "lead_days": _REMINDER,
        "sent_at": _REMINDER,
    },
    "records.Conversation": {
        "id": NOT_PERSONAL,
        "favorite": _MESSAGES,
        "practice": _MESSAGES,
        "owner": _MESSAGES,
        "animal": _MESSAGES,
        "created_at": personal(Category.ACTIVITY),
        "last_message_at": personal(Category.ACTIVITY),
    },
    "records.Message": {
        "id": NOT_PERSONAL,
        "conversation": _MESSAGES,
        "side": _MESSAGES,
        "author": personal(
            Category.PROFESSIONAL,
            basis=Basis.LEGITIMATE_INTERESTS,
            erasure=Erasure.ANONYMISE,
            method="set to null when the author's account is erased",
        ),
        "body": _MESSAGES,
        "attachment": _MESSAGES,
        "created_at": personal(Category.ACTIVITY),
    },
    "records.ConversationRead": {
        "id": NOT_PERSONAL,
        "conversation": personal(Category.ACTIVITY),
        "user": personal(Category.ACTIVITY),
        "last_read_message_id": personal(Category.ACTIVITY),
        "read_at": personal(Category.ACTIVITY),
    },
}

SUBJECTS: SubjectDeclaration = {
    "records.Species": (),
    "records.Breed": (),
    "records.Service": (),
    # A practice's name, address and contact details are its business details.
    "records.Practice": (),
    "records.Animal": (by_user("owner", Role.OWNER),),
    "records.AnimalAccess": (by_user("animal__owner", Role.OWNER), by_user("user", Role.OWNER)),
    "records.CoOwnerInvitation": (
        by_user("animal__owner", Role.OWNER),
        by_user("invited_by", Role.OWNER),
        by_user("accepted_by", Role.OWNER),
        by_email("email"),
    ),
    "records.Entry": (by_user("animal__owner", Role.OWNER), by_user("author", Role.AUTHOR)),
    "records.PracticeMembership": (by_user("user", Role.STAFF),),
    "records.JoinRequest": (by_user("user", Role.STAFF), by_user("decided_by", Role.AUTHOR)),
    "records.ClientRegistration": (by_user("owner", Role.OWNER),),
    "records.Favorite": (by_user("owner", Role.OWNER),),
    "records.SharingState": (by_user("owner", Role.OWNER),),
    "records.RecordRequest": (by_user("owner", Role.OWNER), by_user("answered_by", Role.AUTHOR)),
    "records.EmergencyShare": (by_user("owner", Role.OWNER), by_user("redeemed_by", Role.AUTHOR)),
    "records.BookingRules": (),
    "records.WeeklyAvailability": (by_user("membership__user", Role.STAFF),),
    "records.AvailabilityException": (by_user("membership__user", Role.STAFF),),
    "records.Appointment": (
        by_user("owner", Role.OWNER),
        by_user("membership__user", Role.STAFF),
    ),
    "records.AppointmentReminder": (by_user("appointment__owner", Role.OWNER),),
    "records.AccessLog": (by_user("owner", Role.OWNER), by_user("viewer", Role.VIEWER)),
    "records.ListAccessLog": (by_user_in("owners", Role.OWNER), by_user("viewer", Role.VIEWER)),
    "records.CertificateLink": (by_user("owner", Role.OWNER),),
    "records.CareReminder": (by_user("owner", Role.OWNER),),
    "records.Conversation": (by_user("owner", Role.OWNER),),
    "records.Message": (by_user("conversation__owner", Role.OWNER), by_user("author", Role.AUTHOR)),
    "records.ConversationRead": (
        by_user("conversation__owner", Role.OWNER),
        by_user("user", Role.STAFF),
    ),
}

# The practice's own clinical record (its entries on the person's animals, and the animals
# they hang off, microchip included) is the practice's, kept for its legal period after
# the entry date (settings.PRACTICE_CLINICAL_RETENTION_MONTHS, by the practice's country).
# Everything the owner wrote, and the animal's photo, goes; an animal no practice held goes
# whole, with its microchip.
_CLINICAL_RECORD = keep(
    "the practice's own clinical record, kept for its legal period",
    anchor="occurred_on",
    months_setting="PRACTICE_CLINICAL_RETENTION_MONTHS",
    per="practice__country",
)
_ACCOUNTABILITY = "accountability record of access to health data (UK GDPR Art. 5(2))"

# Favorites are deleted before the client registrations they PROTECT; the engine orders
# tables so that a referencing table is always emptied first.
ERASURE: ErasureDeclaration = {
    "records.Animal": {
        Role.OWNER: Plan(
            row=DELETE_ROW,
            keep_when={"entries__practice__isnull": False},
            kept=keep(
                "the animal a practice's clinical record hangs off",
                anchor="entries__occurred_on",
                months_setting="PRACTICE_CLINICAL_RETENTION_MONTHS",
                per="entries__practice__country",
            ),
            fields={"photo": DELETE_FILE},
        )
    },
    "records.AnimalAccess": {Role.OWNER: delete_rows()},
    "records.CoOwnerInvitation": {Role.OWNER: delete_rows(), Role.EMAIL: delete_rows()},
    "records.Entry": {
        Role.OWNER: Plan(
            row=DELETE_ROW, keep_when={"practice__isnull": False}, kept=_CLINICAL_RECORD
        ),
        Role.AUTHOR: Plan(fields={"author": SET_NULL}),
    },
    "records.PracticeMembership": {Role.STAFF: delete_rows()},
    "records.JoinRequest": {
        Role.STAFF: delete_rows(),
        Role.AUTHOR: Plan(fields={"decided_by": SET_NULL}),
    },
    "records.ClientRegistration": {Role.OWNER: delete_rows()},
    "records.Favorite": {Role.OWNER: delete_rows()},
    "records.SharingState": {Role.OWNER: delete_rows()},
    "records.RecordRequest": {
        Role.OWNER: delete_rows(),
        Role.AUTHOR: Plan(fields={"answered_by": SET_NULL}),
    },
    "records.EmergencyShare": {
        Role.OWNER: delete_rows(),
        Role.AUTHOR: Plan(fields={"redeemed_by": SET_NULL}),
    },
    "records.CertificateLink": {Role.OWNER: delete_rows()},
    "records.WeeklyAvailability": {Role.STAFF: delete_rows()},
    "records.AvailabilityException": {Role.STAFF: delete_rows()},
    # An erased owner's appointments go, past and future: the booking is their use of the
    # service, and what the practice must keep of a visit is its clinical record (its
    # entries, kept above). A staff member's erasure leaves the time booked, unnamed.
    "records.Appointment": {
        Role.OWNER: delete_rows(),
        Role.STAFF: Plan(fields={"membership": SET_NULL}),
    },
    "records.AppointmentReminder": {Role.OWNER: delete_rows()},
    "records.AccessLog": {
        Role.OWNER: keep_rows(_ACCOUNTABILITY, anchor="created_at", months=72),
        Role.VIEWER: keep_rows(_ACCOUNTABILITY, anchor="created_at", months=72),
    },
    "records.ListAccessLog": {
        Role.OWNER: keep_rows(_ACCOUNTABILITY, anchor="created_at", months=72),
        Role.VIEWER: keep_rows(_ACCOUNTABILITY, anchor="created_at", months=72),
    },
    "records.CareReminder": {Role.OWNER: delete_rows()},
    # The owner's conversations go whole, the attached files with them (after commit); a
    # staff member's erasure leaves their replies in the owner's copy, unsigned.
    "records.Conversation": {Role.OWNER: delete_rows()},
    "records.Message": {
        Role.OWNER: delete_rows(files=("attachment",)),
        Role.AUTHOR: Plan(fields={"author": SET_NULL}),
    },
    "records.ConversationRead": {Role.OWNER: delete_rows(), Role.STAFF: delete_rows()},
}

# The record as FHIR R4 (records/fhir.py, issue 11): which FHIR element carries each field
# the bundle exports. The builder reads fields only through this mapping, so a field the
# personal-data map above calls personal is never exported unless it is named here; fields
# left out on purpose: Animal.colour and photo (no element in patient-animal), the
# author, practice and source of an entry, timestamps, and every other field of the
# owner's account (address, date of birth...). Clinical notes and examinations are not
# exported (no resource chosen for them yet): only the kinds in records/fhir.py are.
FHIR_EXPORT: dict[str, dict[str, str]] = {
    "accounts.User": {
        "full_name": "RelatedPerson.name.text",
        "email": "RelatedPerson.telecom (system email)",
    },
    "records.Species": {"name": "Patient.extension(patient-animal).species.text"},
    "records.Breed": {"name": "Patient.extension(patient-animal).breed.text"},
    "records.Animal": {
        "owner": "RelatedPerson (the owner of the animal)",
        "name": "Patient.name.text",
        "species": "Patient.extension(patient-animal).species",
        "breed": "Patient.extension(patient-animal).breed",
        "sex": "Patient.gender",
        "neutered": "Patient.extension(patient-animal).genderStatus",
        "date_of_birth": "Patient.birthDate",
        "microchip": "Patient.identifier (ISO 11784 microchip)",
        "deceased": "Patient.deceasedBoolean",
        "deceased_on": "Patient.deceasedDateTime",
    },
    "records.Entry": {
        "animal": "subject / patient reference to the Patient",
        "kind": "the resource type (vaccination, weight, lab result, medication, allergy, "
        "document)",
        "occurred_on": "Immunization.occurrenceDateTime, Observation.effectiveDateTime, "
        "AllergyIntolerance.recordedDate, MedicationStatement.effectivePeriod.start, "
        "DocumentReference.content.attachment.creation",
        "title": "DocumentReference.description; note.text of the other resources",
        "notes": "note.text",
        "vaccine_product": "Immunization.vaccineCode.text",
        "manufacturer": "Immunization.manufacturer.display",
        "batch_number": "Immunization.lotNumber",
        "next_due_on": "ImmunizationRecommendation.recommendation.dateCriterion (LOINC 30980-7)",
        "weight_value": "Observation.valueQuantity.value (LOINC 29463-7, in kg)",
        "weight_unit": "Observation.valueQuantity (converted to UCUM kg)",
        "medication_name": "MedicationStatement.medicationCodeableConcept.text",
        "dose": "MedicationStatement.dosage.text",
        "ends_on": "MedicationStatement.effectivePeriod.end",
        "allergen": "AllergyIntolerance.code.text",
        "severity": "AllergyIntolerance.note.text (as 'Severity: ...')",
        "test_name": "Observation.code.text (laboratory)",
        "result": "Observation.valueString",
        "document": "DocumentReference.content.attachment.url (the signed-in download)",
        "document_type": "DocumentReference.type.text",
    },
}
