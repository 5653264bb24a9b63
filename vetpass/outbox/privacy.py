from vetpass.privacy import (
    NOT_PERSONAL,
    Category,
    ErasureDeclaration,
    PersonalDataDeclaration,
    Role,
    SubjectDeclaration,
    by_email,
    delete_rows,
    personal,
)

OUTBOX = "until sent, then OUTBOX_KEEP_SENT_DAYS (30 days) for delivery questions"

PERSONAL_DATA: PersonalDataDeclaration = {
    "outbox.OutboxEmail": {
        "id": NOT_PERSONAL,
        "created_at": NOT_PERSONAL,
        "status": NOT_PERSONAL,
        "from_email": NOT_PERSONAL,
        "to": personal(Category.CONTACT, retention=OUTBOX),
        "cc": personal(Category.CONTACT, retention=OUTBOX),
        "bcc": personal(Category.CONTACT, retention=OUTBOX),
        "reply_to": personal(Category.CONTACT, retention=OUTBOX),
        "subject": personal(Category.CONTACT, retention=OUTBOX),
        "body": personal(Category.CONTACT, retention=OUTBOX),
        "body_subtype": NOT_PERSONAL,
        "html_body": personal(Category.CONTACT, retention=OUTBOX),
        "headers": personal(Category.TECHNICAL, retention=OUTBOX),
        "attachments": personal(Category.CONTACT, retention=OUTBOX),
        "attempts": NOT_PERSONAL,
        "next_attempt_at": NOT_PERSONAL,
        "claimed_until": NOT_PERSONAL,
        "sent_at": NOT_PERSONAL,
        "last_error": NOT_PERSONAL,
        "renderer": NOT_PERSONAL,
        # The id of the row the text is written from (a notice), not the text itself.
        "renderer_ref": NOT_PERSONAL,
    },
}

# `to`, `cc`, `bcc` and `reply_to` are JSON lists of addresses.
SUBJECTS: SubjectDeclaration = {
    "outbox.OutboxEmail": (by_email("to"), by_email("cc"), by_email("bcc"), by_email("reply_to")),
}

ERASURE: ErasureDeclaration = {"outbox.OutboxEmail": {Role.EMAIL: delete_rows()}}
