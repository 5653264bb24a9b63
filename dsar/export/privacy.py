"""The export's own fields in the personal-data map. An export is part of answering the
request: the row (not the file, which is deleted when its link expires) is kept with the
case, as proof the copy was provided."""

from vetpass.privacy import (
    DELETE_FILE,
    NOT_PERSONAL,
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
    keep,
    personal,
)

_CASE = personal(
    Category.ACTIVITY,
    basis=Basis.LEGAL_OBLIGATION,
    retention="24 months after the case closes (CCPA regulations §7101)",
    erasure=Erasure.KEEP,
    method="proof that the request was answered (Art. 5(2) accountability, CCPA §7101)",
)
# The zip itself: everything held about the person, until its link expires (7 days).
_FILE = personal(
    Category.IDENTITY,
    basis=Basis.LEGAL_OBLIGATION,
    retention="7 days after it is ready, then deleted",
    erasure=Erasure.DELETE,
)

PERSONAL_DATA: PersonalDataDeclaration = {
    "dsar.DataExport": {
        "id": NOT_PERSONAL,
        "request": _CASE,
        "status": _CASE,
        "requested_by": _CASE,
        "tables_total": NOT_PERSONAL,
        "tables_done": NOT_PERSONAL,
        "rows_written": NOT_PERSONAL,
        "current_table": NOT_PERSONAL,
        "file_name": _FILE,
        "file_size": NOT_PERSONAL,
        "token_hash": personal(Category.TECHNICAL, basis=Basis.LEGAL_OBLIGATION),
        "error": NOT_PERSONAL,
        "created_at": _CASE,
        "started_at": _CASE,
        "ready_at": _CASE,
        "expires_at": _CASE,
        "downloaded_at": _CASE,
        "deleted_at": _CASE,
    },
}

SUBJECTS: SubjectDeclaration = {
    "dsar.DataExport": (
        by_user("request__subject", Role.OWNER),
        by_user("requested_by", Role.STAFF),
    ),
}

# The export's record is kept with its case; the zip (everything held about the person)
# and the link to it go at once on erasure (dsar.erasure deletes the stored file after
# commit).
_EXPORT_KEPT = keep(
    "proof that the request was answered (Art. 5(2) accountability, CCPA §7101)",
    anchor="request__closed_at",
    months=24,
)
ERASURE: ErasureDeclaration = {
    "dsar.DataExport": {
        Role.OWNER: Plan(
            row=_EXPORT_KEPT, fields={"file_name": DELETE_FILE, "token_hash": constant("")}
        ),
        Role.STAFF: Plan(row=_EXPORT_KEPT),
    }
}
