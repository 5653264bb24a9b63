"""Declarations for the account and privacy pages and the whole /api/v1/."""

from __future__ import annotations

from tests.authz.vocabulary import (
    CLIENT_LIST_ONE,
    ENTRY_EDIT,
    ENTRY_READ,
    EVERYONE,
    EVERYONE_SIGNED_IN,
    LOGIN,
    NOT_FOUND,
    OWNER_SIDE,
    PERSONAS,
    PRACTICE_STAFF_NOW,
    REDEEM_RESTRICTED,
    REFUSED,
    REX_EDIT,
    REX_OWNER_ONLY,
    REX_READ,
    REX_STAFF,
    RIVERSIDE_NOW,
    RIVERSIDE_ONE,
    SIGNED_IN,
    A,
    Case,
    Route,
    entry_body,
    who,
)

API_ROUTES: dict[str, Route] = {
    # --- accounts and privacy, web ----------------------------------------------------
    "accounts:profile": Route(
        "/account/profile/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=SIGNED_IN),
                body={"full_name": "Same Name", "date_of_birth": "1985-05-17", "country": "GB"},
            ),
        },
    ),
    "consent:home": Route("/privacy/", {"GET": Case(EVERYONE_SIGNED_IN)}),
    "consent:consent_change": Route(
        "/privacy/consents/",
        {
            "GET": Case(who(default=REFUSED)),  # POST only
            "POST": Case(
                who(ok=SIGNED_IN), body={"purpose": "marketing_email", "action": "withdraw"}
            ),
        },
    ),
    "consent:history": Route("/privacy/history/", {"GET": Case(EVERYONE_SIGNED_IN)}),
    "consent:receipt": Route(
        "/privacy/receipts/{alice_event}.json", {"GET": Case(who(ok=["owner"]))}
    ),
    "consent:policy_accept": Route(
        "/privacy/policies/accept/",
        {"GET": Case(EVERYONE_SIGNED_IN), "POST": Case(who(ok=SIGNED_IN), body={})},
    ),
    "consent:policy": Route("/privacy/policies/privacy/", {"GET": Case(EVERYONE)}),
    "consent:policy_version": Route(
        "/privacy/policies/privacy/{policy_version}/", {"GET": Case(EVERYONE)}
    ),
    "consent:cookies": Route(
        "/privacy/cookies/",
        {"GET": Case(EVERYONE), "POST": Case(EVERYONE, body={"analytics": "no"})},
    ),
    "consent:unsubscribe": Route(
        "/privacy/unsubscribe/not-a-token/",
        # an unknown token: refused, whoever asks
        {
            "GET": Case({p: REFUSED for p in PERSONAS}),
            "POST": Case({p: REFUSED for p in PERSONAS}, body={}),
        },
    ),
    "consent:pixel": Route("/privacy/email/open/not-a-token.gif", {"GET": Case(EVERYONE)}),
    # --- API: owner side ----------------------------------------------------------
    "api:schema": Route("/api/v1/schema/", {"GET": Case(EVERYONE)}, kind=A),
    "api:docs": Route("/api/v1/docs/", {"GET": Case(EVERYONE)}, kind=A),
    "api:profile": Route(
        "/api/v1/profile/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "PUT": Case(
                who(ok=SIGNED_IN),
                body={"full_name": "Same Name", "date_of_birth": "1985-05-17", "country": "GB"},
                fmt="json",
            ),
            "PATCH": Case(who(ok=SIGNED_IN), body={"full_name": "Same Name"}, fmt="json"),
        },
        kind=A,
    ),
    "api:species-list": Route("/api/v1/species/", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A),
    "api:animal-list": Route(
        "/api/v1/animals/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=SIGNED_IN),
                body={"name": "Matrix Pup", "species": "dog", "sex": "female"},
                fmt="json",
            ),
        },
        kind=A,
    ),
    "api:animal-detail": Route(
        "/api/v1/animals/{rex}/",
        {
            "GET": Case(REX_READ, logs=1),
            "PUT": Case(
                REX_EDIT, body={"name": "Rex", "species": "dog", "sex": "male"}, fmt="json"
            ),
            "PATCH": Case(REX_EDIT, body={"colour": "Brown"}, fmt="json"),
            "DELETE": Case(REX_OWNER_ONLY),
        },
        pair="records:animal_detail",
        kind=A,
    ),
    "api:animal-move": Route(
        "/api/v1/animals/{rex}/move/",
        {
            "POST": Case(
                who(ok=["owner"], coowner_edit=NOT_FOUND),
                body={"group": "{herd}"},
                fmt="json",
            )
        },
        kind=A,
    ),
    "api:animal-photo": Route(
        "/api/v1/animals/{rex}/photo/",
        {"GET": Case(REX_READ, logs=1)},
        pair="records:animal_photo",
        kind=A,
    ),
    "api:animal-fhir": Route(
        "/api/v1/animals/{rex}/fhir/",
        {"GET": Case(REX_OWNER_ONLY)},
        pair="records:animal_fhir",
        kind=A,
    ),
    "api:animal-entries": Route(
        "/api/v1/animals/{rex}/entries/",
        {
            "GET": Case(REX_READ, logs=1),
            "POST": Case(REX_EDIT, body=entry_body(), fmt="json"),
        },
        kind=A,
        variants={
            "examination": (
                "/api/v1/animals/{rex}/entries/",
                {
                    # examinations are the practice's to record, as on the web form
                    "POST": Case(
                        who(
                            refused=["owner", "coowner_edit"],
                            owner=REFUSED,
                            coowner_edit=REFUSED,
                        ),
                        body=entry_body(kind="examination"),
                        fmt="json",
                    )
                },
            )
        },
    ),
    "api:animal-invitations": Route(
        "/api/v1/animals/{rex}/invitations/",
        {
            "GET": Case(REX_OWNER_ONLY),
            "POST": Case(
                REX_OWNER_ONLY,
                body={"email": "new.person@example.com", "permission": "view"},
                fmt="json",
            ),
        },
        kind=A,
        variants={
            "restricted owner's animal": (
                "/api/v1/animals/{rufus}/invitations/",
                {
                    "POST": Case(
                        who(restricted=REFUSED),
                        body={"email": "new.person@example.com", "permission": "view"},
                        fmt="json",
                    )
                },
            )
        },
    ),
    "api:co-owners": Route(
        "/api/v1/animals/{rex}/co-owners/",
        {
            "GET": Case(
                who(
                    ok=["owner"],
                    coowner_view=NOT_FOUND,
                    coowner_edit=NOT_FOUND,
                    # a 404 today, but after a logged read
                    **{p: NOT_FOUND for p in REX_STAFF},
                )
            )
        },
        pair="records:co_owners",
        kind=A,
    ),
    "api:co-owner-detail": Route(
        "/api/v1/animals/{rex}/co-owners/{vic_access}/",
        {
            "DELETE": Case(
                who(
                    ok=["owner", "coowner_view"],
                )
            )
        },
        kind=A,
    ),
    "api:entry-detail": Route(
        "/api/v1/entries/{owner_entry}/",
        {
            "GET": Case(ENTRY_READ, logs=1),
            "PUT": Case(
                ENTRY_EDIT,
                body={
                    "kind": "vaccination",
                    "occurred_on": "2026-01-10",
                    "vaccine_product": "Nobivac DHP",
                },
                fmt="json",
            ),
            "PATCH": Case(ENTRY_EDIT, body={"notes": "Changed."}, fmt="json"),
            "DELETE": Case(ENTRY_EDIT),
        },
        pair="records:entry_edit",
        pair_methods=("POST", "PATCH"),
        kind=A,
        variants={
            "practice entry": (
                "/api/v1/entries/{practice_entry}/",
                {
                    "GET": Case(who(ok=OWNER_SIDE + REX_STAFF), logs=1),
                    "PATCH": Case(
                        who(
                            owner=NOT_FOUND,
                            coowner_edit=NOT_FOUND,
                        ),
                        body={"notes": "Owner rewrote it."},
                        fmt="json",
                    ),
                    "DELETE": Case(who(owner=NOT_FOUND, coowner_edit=NOT_FOUND)),
                },
            )
        },
    ),
    "api:entry-document": Route(
        "/api/v1/entries/{document_entry}/document/",
        {"GET": Case(ENTRY_READ, logs=1)},
        pair="records:entry_document",
        kind=A,
    ),
    "api:invitations-received": Route(
        "/api/v1/invitations/received/", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A
    ),
    "api:invitations-sent": Route(
        "/api/v1/invitations/sent/", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A
    ),
    "api:reminder-list": Route(
        "/api/v1/reminders/",
        {"GET": Case(EVERYONE_SIGNED_IN)},
        kind=A,
        pair="records:reminder_list",
    ),
    "api:invitation-accept": Route(
        "/api/v1/invitations/accept/",
        {"POST": Case(who(default=NOT_FOUND), body={"token": "{invitation_token}"}, fmt="json")},
        kind=A,
    ),
    "api:invitation-decline": Route(
        "/api/v1/invitations/decline/",
        {"POST": Case(who(default=NOT_FOUND), body={"token": "{invitation_token}"}, fmt="json")},
        kind=A,
    ),
    "api:invitation-revoke": Route(
        "/api/v1/invitations/{invitation}/revoke/",
        {"POST": Case(REX_OWNER_ONLY, body={}, fmt="json")},
        kind=A,
    ),
    # --- API: vaccination certificates (issue 11) ---------------------------------------
    "api:certificate-links": Route(
        "/api/v1/animals/{rex}/certificate-links/",
        {
            "GET": Case(REX_OWNER_ONLY),
            "POST": Case(REX_OWNER_ONLY, body={"days": 30}, fmt="json"),
        },
        kind=A,
        variants={
            "restricted owner's animal": (
                "/api/v1/animals/{rufus}/certificate-links/",
                {"POST": Case(who(restricted=REFUSED), body={"days": 30}, fmt="json")},
            )
        },
    ),
    "api:certificate-pdf": Route(
        "/api/v1/animals/{rex}/certificate/",
        {"GET": Case(REX_OWNER_ONLY)},
        pair="records:certificate_pdf",
        kind=A,
    ),
    "api:certificate-link-revoke": Route(
        "/api/v1/certificate-links/{cert_link}/revoke/",
        {"POST": Case(who(ok=["owner"]), body={}, fmt="json")},
        kind=A,
    ),
    # --- API: practice side, owner ------------------------------------------------
    "api:practice_search": Route(
        "/api/v1/practices/?q=Bristol", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A
    ),
    "api:practice_detail": Route(
        "/api/v1/practices/{riverside}/",
        {"GET": Case(EVERYONE_SIGNED_IN)},
        pair="practices:detail",
        kind=A,
    ),
    "api:practice_favorite_list": Route(
        "/api/v1/favorites/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=SIGNED_IN, restricted=REFUSED),
                body={"practice_id": "{hilltop}", "kinds": ["vaccination"]},
                fmt="json",
            ),
        },
        kind=A,
    ),
    "api:practice_favorite_detail": Route(
        "/api/v1/favorites/{favorite}/",
        {
            "GET": Case(who(ok=["owner"])),
            "PATCH": Case(who(ok=["owner"]), body={"kinds": ["vaccination"]}, fmt="json"),
            "DELETE": Case(who(ok=["owner"])),
        },
        pair="practices:favorite_detail",
        kind=A,
    ),
    "api:practice_owner_requests": Route(
        "/api/v1/record-requests/", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A
    ),
    "api:practice_emergency_shares": Route(
        "/api/v1/emergency-shares/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=["owner"], refused=[p for p in SIGNED_IN if p != "owner"]),
                body={"animals": ["{rex}"], "hours": 24},
                fmt="json",
            ),
        },
        kind=A,
    ),
    "api:practice_emergency_share_revoke": Route(
        "/api/v1/emergency-shares/{share}/revoke/",
        {"POST": Case(who(ok=["owner"]), body={}, fmt="json")},
        kind=A,
    ),
    "api:practice_access_log": Route(
        "/api/v1/access-log/", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A
    ),
    # --- API: the vet workspace ---------------------------------------------------
    "api:practice_workspace": Route(
        "/api/v1/workspace/", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A
    ),
    "api:practice_workspace_clients": Route(
        "/api/v1/workspace/{practice}/clients/",
        {"GET": Case(who(ok=PRACTICE_STAFF_NOW), logs=CLIENT_LIST_ONE)},
        pair="practices:workspace",
        kind=A,
    ),
    # --- messages (issue 11) ----------------------------------------------------------------
    "api:conversation-list": Route(
        "/api/v1/conversations/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                REX_OWNER_ONLY,
                body={"animal": "{rex}", "practice": "{riverside}", "body": "Matrix message"},
                fmt="json",
            ),
        },
        kind=A,
    ),
    "api:conversation-detail": Route(
        "/api/v1/conversations/{conversation}/",
        {"GET": Case(REX_OWNER_ONLY)},
        pair="records:conversation_detail",
        kind=A,
    ),
    "api:conversation-messages": Route(
        "/api/v1/conversations/{conversation}/messages/",
        {"POST": Case(REX_OWNER_ONLY, body={"body": "Matrix reply"}, fmt="json")},
        kind=A,
    ),
    "api:message-attachment": Route(
        "/api/v1/messages/{message}/attachment/",
        {"GET": Case(REX_OWNER_ONLY)},
        pair="records:message_attachment",
        kind=A,
    ),
    "api:practice_workspace_inbox": Route(
        "/api/v1/workspace/{practice}/conversations/",
        {"GET": Case(who(ok=PRACTICE_STAFF_NOW), logs=RIVERSIDE_ONE)},
        pair="practices:workspace_inbox",
        kind=A,
    ),
    "api:practice_workspace_conversation": Route(
        "/api/v1/workspace/{practice}/conversations/{conversation}/",
        {"GET": Case(who(ok=RIVERSIDE_NOW), logs=1)},
        pair="practices:workspace_conversation",
        kind=A,
    ),
    "api:practice_workspace_conversation_messages": Route(
        "/api/v1/workspace/{practice}/conversations/{conversation}/messages/",
        {"POST": Case(who(ok=RIVERSIDE_NOW), body={"body": "Matrix reply"}, fmt="json", logs=1)},
        kind=A,
    ),
    "api:practice_workspace_message_attachment": Route(
        "/api/v1/workspace/{practice}/messages/{message}/attachment/",
        {"GET": Case(who(ok=RIVERSIDE_NOW), logs=1)},
        pair="practices:workspace_message_attachment",
        kind=A,
    ),
    "api:practice_workspace_animal": Route(
        "/api/v1/workspace/{practice}/animals/{rex}/",
        {"GET": Case(who(ok=REX_STAFF), logs=1)},
        pair="practices:workspace_animal",
        variants={
            "herd": (
                "/api/v1/workspace/{practice}/animals/{herd}/",
                {"GET": Case(who(ok=RIVERSIDE_NOW), logs=1)},
            )
        },
        kind=A,
    ),
    "api:practice_workspace_entry_create": Route(
        "/api/v1/workspace/{practice}/animals/{rex}/entries/",
        {"POST": Case(who(ok=REX_STAFF), body=entry_body(), fmt="json", logs=1)},
        pair="practices:workspace_entry_create",
        kind=A,
    ),
    "api:practice_workspace_requests": Route(
        "/api/v1/workspace/{practice}/requests/",
        {"GET": Case(who(ok=PRACTICE_STAFF_NOW), logs=RIVERSIDE_ONE)},
        pair="practices:request_queue",
        kind=A,
    ),
    "api:practice_workspace_request_answer": Route(
        "/api/v1/workspace/{riverside}/requests/{record_request}/answer/",
        {"POST": Case(who(ok=RIVERSIDE_NOW), body={"note": "Done."}, fmt="json", logs=1)},
        kind=A,
    ),
    "api:practice_workspace_request_import": Route(
        "/api/v1/workspace/{riverside}/requests/{record_request}/import/",
        {"POST": Case(who(ok=RIVERSIDE_NOW), body="csv", fmt="multipart", logs=1)},
        kind=A,
    ),
    "api:practice_workspace_redeem": Route(
        "/api/v1/workspace/{practice}/emergency-shares/redeem/",
        {"POST": Case(who(refused=PRACTICE_STAFF_NOW), body={"code": "WRONGCODE1"}, fmt="json")},
        kind=A,
        variants={
            "restricted owner's code": (
                "/api/v1/workspace/{practice}/emergency-shares/redeem/",
                {
                    "POST": Case(
                        who(share_expired=REFUSED, **REDEEM_RESTRICTED),
                        body={"code": "{rita_share_code}"},
                        fmt="json",
                    )
                },
            )
        },
    ),
    # --- API: privacy -------------------------------------------------------------
    "api:consent-purposes": Route(
        "/api/v1/privacy/purposes/", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A
    ),
    "api:consent-states": Route(
        "/api/v1/privacy/consents/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=SIGNED_IN),
                body={"purpose": "marketing_email", "action": "withdraw"},
                fmt="json",
            ),
        },
        kind=A,
    ),
    "api:consent-history": Route(
        "/api/v1/privacy/history/", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A
    ),
    "api:consent-receipt": Route(
        "/api/v1/privacy/receipts/{alice_event}/", {"GET": Case(who(ok=["owner"]))}, kind=A
    ),
    "api:consent-policies": Route(
        "/api/v1/privacy/policies/", {"GET": Case(EVERYONE_SIGNED_IN)}, kind=A
    ),
    "api:consent-policy-accept": Route(
        "/api/v1/privacy/policies/accept/",
        {"POST": Case(who(ok=SIGNED_IN), body={"versions": "{policy_versions}"}, fmt="json")},
        kind=A,
    ),
    "api:consent-unsubscribe": Route(
        "/api/v1/privacy/unsubscribe/",
        {"POST": Case({p: REFUSED for p in PERSONAS}, body={"token": "x"}, fmt="json")},
        kind=A,
    ),
    # --- data-subject requests ----------------------------------------------------------
    # Making one needs a fresh re-authentication: the web sends the person to it, the API
    # refuses (403 reauthentication_required); either way nothing is made.
    "dsar:my_requests": Route(
        "/privacy/requests/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case({p: LOGIN for p in PERSONAS}, body={"type": "portability"}),
        },
        pair="api:privacy-requests",
        pair_methods=("GET", "GET"),
    ),
    "dsar:public_request": Route("/privacy/requests/new/", {"GET": Case(EVERYONE)}),
    "dsar:verify": Route(
        "/privacy/requests/verify/DSR-AAAA-AAAA/not-a-token/",
        {"GET": Case(EVERYONE), "POST": Case({p: NOT_FOUND for p in PERSONAS}, body={})},
    ),
    # The privacy dashboard shows each person their own data only; keeping the records is
    # a use of the service, open to everyone signed in.
    "dsar:dashboard": Route(
        "/privacy/dashboard/", {"GET": Case(EVERYONE_SIGNED_IN)}, pair="api:privacy-dashboard"
    ),
    "dsar:dashboard_keep": Route(
        "/privacy/dashboard/keep/",
        {"POST": Case(EVERYONE_SIGNED_IN, body={})},
        pair="api:privacy-keep",
        pair_methods=("POST", "POST"),
    ),
    "api:privacy-dashboard": Route(
        "/api/v1/privacy/dashboard/",
        {"GET": Case(EVERYONE_SIGNED_IN)},
        kind=A,
        pair="dsar:dashboard",
    ),
    "api:privacy-keep": Route(
        "/api/v1/privacy/dashboard/keep/",
        {"POST": Case(EVERYONE_SIGNED_IN, body={}, fmt="json")},
        kind=A,
        pair="dsar:dashboard_keep",
        pair_methods=("POST", "POST"),
    ),
    # The inactivity notice's "keep my records" link works without signing in; a link that
    # was not signed by us names no account.
    "dsar:keep_records": Route(
        "/privacy/keep/not-a-token/",
        {
            "GET": Case({p: NOT_FOUND for p in PERSONAS}),
            "POST": Case({p: NOT_FOUND for p in PERSONAS}, body={}),
        },
    ),
    # A practice acknowledges an erasure notice through the signed link in its email: no
    # sign-in; a link that is not signed by us is not found, for everyone.
    "dsar:erasure_notice": Route(
        "/privacy/erasure-notices/not-a-token/",
        {
            "GET": Case({p: NOT_FOUND for p in PERSONAS}),
            "POST": Case({p: NOT_FOUND for p in PERSONAS}, body={}),
        },
    ),
    # The copy of one's data: a link or a reference nobody in the world has an export for
    # (tests/dsar/test_export.py downloads real ones and is refused other people's).
    "dsar:export_link": Route(
        "/privacy/requests/export/not-a-token/", {"GET": Case({p: NOT_FOUND for p in PERSONAS})}
    ),
    "dsar:export_download": Route(
        "/privacy/requests/DSR-AAAA-AAAA/export/",
        {"GET": Case(who())},
        pair="api:privacy-request-export",
    ),
    "api:privacy-request-export": Route(
        "/api/v1/privacy/requests/DSR-AAAA-AAAA/export/",
        {"GET": Case(who())},
        kind=A,
        pair="dsar:export_download",
    ),
    "api:privacy-requests": Route(
        "/api/v1/privacy/requests/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(who(refused=SIGNED_IN), body={"type": "portability"}, fmt="json"),
        },
        kind=A,
        pair="dsar:my_requests",
    ),
    # --- API: appointments (issue 11) ------------------------------------------------
    "api:practice_slots": Route(
        "/api/v1/practices/{riverside}/slots/?date={appointment_day}",
        {"GET": Case(EVERYONE_SIGNED_IN)},
        kind=A,
    ),
    "api:appointment_list": Route(
        "/api/v1/appointments/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=["owner"]),
                body={
                    "practice": "{riverside}",
                    "animal": "{rex}",
                    "slot": "{free_slot}",
                    "mode": "clinic",
                },
                fmt="json",
            ),
        },
        kind=A,
    ),
    "api:appointment_detail": Route(
        "/api/v1/appointments/{appointment}/", {"GET": Case(REX_OWNER_ONLY)}, kind=A
    ),
    "api:appointment_cancel": Route(
        "/api/v1/appointments/{appointment}/cancel/",
        {"POST": Case(REX_OWNER_ONLY, body={}, fmt="json")},
        kind=A,
    ),
    "api:appointment_reschedule": Route(
        "/api/v1/appointments/{appointment}/reschedule/",
        {"POST": Case(REX_OWNER_ONLY, body={"slot": "{reschedule_slot}"}, fmt="json")},
        kind=A,
    ),
    "api:practice_workspace_appointments": Route(
        "/api/v1/workspace/{practice}/appointments/?date={appointment_day}",
        {"GET": Case(who(ok=PRACTICE_STAFF_NOW), logs=RIVERSIDE_ONE)},
        pair="practices:workspace_appointments",
        kind=A,
    ),
    "api:practice_workspace_hours": Route(
        "/api/v1/workspace/{riverside}/hours/",
        {
            "GET": Case(who(ok=["practice_admin"])),
            "POST": Case(
                who(ok=["practice_admin"]),
                body={
                    "membership": "{carol_membership}",
                    "service": "{consultation}",
                    "weekday": 2,
                    "starts_at": "18:00",
                    "ends_at": "19:00",
                    "slot_minutes": 30,
                },
                fmt="json",
            ),
        },
        kind=A,
    ),
    "api:practice_workspace_hours_exception": Route(
        "/api/v1/workspace/{riverside}/hours/exceptions/",
        {
            "POST": Case(
                who(ok=["practice_admin"]),
                body={"membership": "{carol_membership}", "date": "2030-01-07", "closed": True},
                fmt="json",
            )
        },
        kind=A,
    ),
    "api:practice_workspace_hours_remove": Route(
        "/api/v1/workspace/{riverside}/hours/weekly/{weekly_hours}/",
        {"DELETE": Case(who(ok=["practice_admin"]))},
        kind=A,
    ),
}
