"""Declarations for the owner and vet web pages (records and practices URLconfs)."""

from __future__ import annotations

from tests.authz.vocabulary import (
    CLIENT_LIST_ONE,
    ENTRY_EDIT,
    ENTRY_READ,
    EVERYONE,
    EVERYONE_LOGGED,
    EVERYONE_SIGNED_IN,
    NOT_FOUND,
    OK,
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
    Case,
    Route,
    entry_body,
    who,
)

WEB_ROUTES: dict[str, Route] = {
    # --- owner web: records -------------------------------------------------------------
    "records:home": Route("/", {"GET": Case(EVERYONE)}),
    "records:animal_list": Route("/animals/", {"GET": Case(EVERYONE_SIGNED_IN)}),
    "records:animal_add": Route(
        "/animals/add/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=SIGNED_IN),
                body={"name": "Matrix Pup", "species": "{dog}", "sex": "female"},
            ),
        },
    ),
    "records:animal_detail": Route(
        "/animals/{rex}/",
        {"GET": Case(REX_READ, logs=1)},
        pair="api:animal-detail",
        variants={
            "herd": (
                "/animals/{herd}/",
                {"GET": Case(who(ok=["owner"], **{p: OK for p in RIVERSIDE_NOW}), logs=1)},
            )
        },
    ),
    "records:animal_edit": Route(
        "/animals/{rex}/edit/",
        {
            "GET": Case(REX_EDIT),
            "POST": Case(REX_EDIT, body={"name": "Rex", "species": "{dog}", "sex": "male"}),
        },
    ),
    "records:animal_photo": Route(
        "/animals/{rex}/photo/", {"GET": Case(REX_READ, logs=1)}, pair="api:animal-photo"
    ),
    "records:animal_fhir": Route(
        "/animals/{rex}/fhir/", {"GET": Case(REX_OWNER_ONLY)}, pair="api:animal-fhir"
    ),
    "records:animal_delete": Route(
        "/animals/{rex}/delete/",
        {"GET": Case(REX_OWNER_ONLY), "POST": Case(REX_OWNER_ONLY, body={})},
    ),
    "records:entry_add": Route(
        "/animals/{rex}/entries/add/?kind=clinical_note",
        {"GET": Case(REX_EDIT), "POST": Case(REX_EDIT, body=entry_body())},
    ),
    "records:co_owners": Route(
        "/animals/{rex}/co-owners/",
        {
            "GET": Case(REX_OWNER_ONLY),
            "POST": Case(
                REX_OWNER_ONLY,
                body={"email": "new.person@example.com", "permission": "view"},
            ),
        },
        pair="api:co-owners",
        variants={
            "restricted owner's animal": (
                "/animals/{rufus}/co-owners/",
                {
                    "GET": Case(who(ok=["restricted"])),
                    "POST": Case(
                        who(ok=["restricted"], restricted=REFUSED),
                        body={"email": "new.person@example.com", "permission": "view"},
                    ),
                },
            )
        },
    ),
    "records:access_remove": Route(
        "/animals/{rex}/co-owners/{vic_access}/remove/",
        {
            "GET": Case(who(default=REFUSED)),  # POST only
            "POST": Case(
                who(
                    ok=["owner", "coowner_view"],
                ),
                body={},
            ),
        },
    ),
    "records:invitation_revoke": Route(
        "/animals/{rex}/invitations/{invitation}/revoke/",
        {"POST": Case(REX_OWNER_ONLY, body={})},
    ),
    "records:access_leave": Route(
        "/animals/{rex}/leave/",
        {
            "GET": Case(who(default=REFUSED)),  # POST only
            "POST": Case(
                who(
                    ok=["coowner_view", "coowner_edit"],
                ),
                body={},
            ),
        },
    ),
    "records:entry_edit": Route(
        "/entries/{owner_entry}/edit/",
        {
            "GET": Case(ENTRY_EDIT),
            "POST": Case(
                ENTRY_EDIT,
                body={
                    "kind": "vaccination",
                    "occurred_on": "2026-01-10",
                    "vaccine_product": "Nobivac DHP",
                },
            ),
        },
        pair="api:entry-detail",
        pair_methods=("POST", "PATCH"),
        variants={
            "practice entry": (
                "/entries/{practice_entry}/edit/",
                # what a practice wrote is its record: owners read it, never edit it
                {
                    "GET": Case(who()),
                    "POST": Case(who(), body=entry_body(notes="Owner rewrote it.")),
                },
            )
        },
    ),
    "records:entry_delete": Route(
        "/entries/{owner_entry}/delete/",
        {"GET": Case(ENTRY_EDIT), "POST": Case(ENTRY_EDIT, body={})},
    ),
    "records:entry_document": Route(
        "/entries/{document_entry}/document/",
        {"GET": Case(ENTRY_READ, logs=1)},
        pair="api:entry-document",
    ),
    "records:invitation_answer": Route(
        "/invitations/{invitation_token}/",
        {
            "GET": Case(who(default=NOT_FOUND)),
            "POST": Case(who(default=NOT_FOUND), body={"accept": "1"}),
        },
    ),
    # --- owner web: vaccination certificates (issue 11) ----------------------------------
    "records:certificate": Route(
        "/animals/{rex}/certificate/",
        {"GET": Case(REX_OWNER_ONLY), "POST": Case(REX_OWNER_ONLY, body={"days": "30"})},
    ),
    "records:certificate_pdf": Route(
        "/animals/{rex}/certificate.pdf", {"GET": Case(REX_OWNER_ONLY)}, pair="api:certificate-pdf"
    ),
    "records:certificate_link_revoke": Route(
        "/certificate-links/{cert_link}/revoke/",
        {"GET": Case(who(default=REFUSED)), "POST": Case(who(ok=["owner"]), body={})},
    ),
    # The public page behind the link and its QR code: anyone, signed in or not; every
    # look is a row in alice's access log.
    "records:certificate_verify": Route(
        "/vaccinations/{cert_token}/", {"GET": Case(EVERYONE, logs=EVERYONE_LOGGED)}
    ),
    # --- owner web: due reminders (issue 11) ---------------------------------------------
    "records:reminder_list": Route(
        "/reminders/", {"GET": Case(EVERYONE_SIGNED_IN)}, pair="api:reminder-list"
    ),
    # --- owner web: practices -------------------------------------------------------------
    "practices:search": Route("/practices/?q=Riverside", {"GET": Case(EVERYONE_SIGNED_IN)}),
    "practices:detail": Route(
        "/practices/{riverside}/", {"GET": Case(EVERYONE_SIGNED_IN)}, pair="api:practice_detail"
    ),
    "practices:favorite_create": Route(
        "/practices/{hilltop}/favorite/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=SIGNED_IN, restricted=REFUSED),
                body={"which": "all", "share_profile": "on", "kinds": ["vaccination"]},
            ),
        },
    ),
    "practices:favorites": Route("/favorites/", {"GET": Case(EVERYONE_SIGNED_IN)}),
    "practices:favorite_detail": Route(
        "/favorites/{favorite}/",
        {"GET": Case(who(ok=["owner"]))},
        pair="api:practice_favorite_detail",
    ),
    "practices:favorite_update": Route(
        "/favorites/{favorite}/change/",
        {
            "GET": Case(who(ok=["owner"])),
            "POST": Case(who(ok=["owner"]), body={"which": "all", "kinds": ["vaccination"]}),
        },
    ),
    "practices:favorite_delete": Route(
        "/favorites/{favorite}/remove/",
        {"GET": Case(who(ok=["owner"])), "POST": Case(who(ok=["owner"]), body={})},
    ),
    "practices:emergency_shares": Route(
        "/emergency-shares/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=["owner"], refused=[p for p in SIGNED_IN if p != "owner"]),
                body={"animals": ["{rex}"], "hours": "24"},
            ),
        },
    ),
    "practices:emergency_share_revoke": Route(
        "/emergency-shares/{share}/revoke/", {"POST": Case(who(ok=["owner"]), body={})}
    ),
    "practices:access_log": Route("/access-log/", {"GET": Case(EVERYONE_SIGNED_IN)}),
    # --- messages (issue 11), owner web -----------------------------------------------------
    "records:conversation_list": Route("/messages/", {"GET": Case(EVERYONE_SIGNED_IN)}),
    "records:conversation_detail": Route(
        "/messages/{conversation}/",
        {
            "GET": Case(REX_OWNER_ONLY),
            "POST": Case(REX_OWNER_ONLY, body={"body": "Matrix reply"}),
        },
        pair="api:conversation-detail",
    ),
    "records:message_attachment": Route(
        "/messages/attachments/{message}/",
        {"GET": Case(REX_OWNER_ONLY)},
        pair="api:message-attachment",
    ),
    "records:animal_messages": Route(
        "/animals/{rex}/messages/",
        {
            "GET": Case(REX_OWNER_ONLY),
            "POST": Case(
                REX_OWNER_ONLY, body={"practice": "{riverside}", "body": "Matrix message"}
            ),
        },
    ),
    # --- messages (issue 11), the staff inbox ------------------------------------------------
    "practices:workspace_inbox": Route(
        "/workspace/{practice}/messages/",
        {"GET": Case(who(ok=PRACTICE_STAFF_NOW), logs=RIVERSIDE_ONE)},
        pair="api:practice_workspace_inbox",
    ),
    "practices:workspace_conversation": Route(
        "/workspace/{practice}/messages/{conversation}/",
        {
            "GET": Case(who(ok=RIVERSIDE_NOW), logs=1),
            "POST": Case(who(ok=RIVERSIDE_NOW), body={"body": "Matrix reply"}, logs=1),
        },
        pair="api:practice_workspace_conversation",
    ),
    "practices:workspace_message_attachment": Route(
        "/workspace/{practice}/messages/attachments/{message}/",
        {"GET": Case(who(ok=RIVERSIDE_NOW), logs=1)},
        pair="api:practice_workspace_message_attachment",
    ),
    # --- the vet workspace, web -----------------------------------------------------------
    "practices:workspace_home": Route("/workspace/", {"GET": Case(EVERYONE_SIGNED_IN)}),
    "practices:join_request": Route(
        "/workspace/join/",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                # erin is on Harbour's staff already
                who(ok=SIGNED_IN, refused=["share_holder", "share_expired"]),
                body={"practice": "{harbour}", "role": "vet_surgeon", "message": "Hello"},
            ),
        },
    ),
    "practices:emergency_link": Route(
        "/workspace/emergency/{share_code}/", {"GET": Case(EVERYONE_SIGNED_IN)}
    ),
    "practices:workspace": Route(
        "/workspace/{practice}/",
        {"GET": Case(who(ok=PRACTICE_STAFF_NOW), logs=CLIENT_LIST_ONE)},
        pair="api:practice_workspace_clients",
    ),
    "practices:workspace_animal": Route(
        "/workspace/{practice}/animals/{rex}/",
        {"GET": Case(who(ok=REX_STAFF), logs=1)},
        pair="api:practice_workspace_animal",
        variants={
            "herd": (
                "/workspace/{practice}/animals/{herd}/",
                # the herd is shared with Riverside, its member Biscuit is not
                {"GET": Case(who(ok=RIVERSIDE_NOW), logs=1)},
            )
        },
    ),
    "practices:workspace_entry_create": Route(
        "/workspace/{practice}/animals/{rex}/entries/new/",
        {
            "GET": Case(who(ok=REX_STAFF), logs=1),
            "POST": Case(who(ok=REX_STAFF), body=entry_body(), logs=1),
        },
        pair="api:practice_workspace_entry_create",
    ),
    "practices:request_queue": Route(
        "/workspace/{practice}/requests/",
        {"GET": Case(who(ok=PRACTICE_STAFF_NOW), logs=RIVERSIDE_ONE)},
        pair="api:practice_workspace_requests",
    ),
    "practices:request_detail": Route(
        "/workspace/{riverside}/requests/{record_request}/",
        {
            "GET": Case(who(ok=RIVERSIDE_NOW), logs=1),
            "POST": Case(who(ok=RIVERSIDE_NOW), body={"answer": "1", "note": "Done."}, logs=1),
        },
    ),
    "practices:redeem": Route(
        "/workspace/{practice}/redeem/",
        {
            "GET": Case(who(ok=PRACTICE_STAFF_NOW)),
            "POST": Case(who(refused=PRACTICE_STAFF_NOW), body={"code": "WRONGCODE1"}),
        },
        variants={
            "restricted owner's code": (
                "/workspace/{practice}/redeem/",
                {
                    "POST": Case(
                        who(share_expired=REFUSED, **REDEEM_RESTRICTED),
                        body={"code": "{rita_share_code}"},
                    )
                },
            )
        },
    ),
    "practices:leave": Route(
        "/workspace/{practice}/leave/",
        {
            "GET": Case(who(ok=PRACTICE_STAFF_NOW)),
            # pam is Riverside's only administrator: a practice keeps one
            "POST": Case(who(ok=PRACTICE_STAFF_NOW, practice_admin=REFUSED), body={}),
        },
    ),
    "practices:staff_list": Route(
        "/workspace/{riverside}/staff/", {"GET": Case(who(ok=["practice_admin"]))}
    ),
    "practices:staff_create": Route(
        "/workspace/{riverside}/staff/new/",
        {
            "GET": Case(who(ok=["practice_admin"])),
            "POST": Case(
                who(ok=["practice_admin"]),
                body={"email": "new.staff@example.com", "full_name": "New Staff", "role": "nurse"},
            ),
        },
    ),
    "practices:staff_update": Route(
        "/workspace/{riverside}/staff/{lena_membership}/",
        {
            "GET": Case(who(ok=["practice_admin"])),
            "POST": Case(
                who(ok=["practice_admin"]),
                body={"full_name": "Lena Left", "role": "nurse", "job_title": ""},
            ),
        },
    ),
    "practices:join_request_decide": Route(
        "/workspace/{riverside}/join-requests/{join_request}/",
        {"POST": Case(who(ok=["practice_admin"]), body={"decision": "decline"})},
    ),
    "practices:practice_profile": Route(
        "/workspace/{riverside}/profile/",
        {
            "GET": Case(who(ok=["practice_admin"])),
            "POST": Case(
                who(ok=["practice_admin"]),
                body={"name": "Riverside Vets", "town": "Bristol", "postcode": "BS1 4DJ"},
            ),
        },
        variants={
            "subscription dates": (
                "/workspace/{riverside}/profile/",
                {
                    # Only VetPass staff set the dates the Kontak anonymisation hangs on: the
                    # practice's form has no such fields, so the rest saves and the dates
                    # stay as they were (tests/practices/test_subscription_dates.py).
                    "POST": Case(
                        who(ok=["practice_admin"]),
                        body={
                            "name": "Riverside Vets",
                            "town": "Bristol",
                            "postcode": "BS1 4DJ",
                            "subscription_starts_on": "2020-01-01",
                            "subscription_ends_on": "2020-02-01",
                        },
                    )
                },
            )
        },
    ),
    # --- appointments (issue 11) ---------------------------------------------------------
    "practices:appointment_book": Route(
        "/practices/{riverside}/book/?date={appointment_day}",
        {
            "GET": Case(EVERYONE_SIGNED_IN),
            "POST": Case(
                who(ok=["owner"]),
                body={
                    "animal": "{rex}",
                    "slot": "{free_slot}",
                    "mode": "clinic",
                    "date": "{appointment_day}",
                },
            ),
        },
        variants={
            # an animal not shared with the practice (Biscuit): 404 for its owner too
            "unshared": (
                "/practices/{riverside}/book/?animal={biscuit}",
                {"GET": Case(who())},
            )
        },
    ),
    "practices:appointments": Route("/appointments/", {"GET": Case(EVERYONE_SIGNED_IN)}),
    "practices:appointment_cancel": Route(
        "/appointments/{appointment}/cancel/",
        {"GET": Case(REX_OWNER_ONLY), "POST": Case(REX_OWNER_ONLY, body={})},
    ),
    "practices:appointment_reschedule": Route(
        "/appointments/{appointment}/reschedule/?date={appointment_day}",
        {
            "GET": Case(REX_OWNER_ONLY),
            "POST": Case(
                REX_OWNER_ONLY,
                body={"slot": "{reschedule_slot}", "mode": "clinic", "date": "{appointment_day}"},
            ),
        },
    ),
    "practices:workspace_appointments": Route(
        "/workspace/{practice}/appointments/?date={appointment_day}",
        {"GET": Case(who(ok=PRACTICE_STAFF_NOW), logs=RIVERSIDE_ONE)},
        pair="api:practice_workspace_appointments",
    ),
    "practices:availability": Route(
        "/workspace/{riverside}/hours/",
        {
            "GET": Case(who(ok=["practice_admin"])),
            "POST": Case(
                who(ok=["practice_admin"]),
                body={
                    "weekly": "1",
                    "weekly-membership": "{carol_membership}",
                    "weekly-service": "{consultation}",
                    "weekly-weekday": "2",
                    "weekly-starts_at": "18:00",
                    "weekly-ends_at": "19:00",
                    "weekly-slot_minutes": "30",
                },
            ),
        },
    ),
    "practices:availability_remove": Route(
        "/workspace/{riverside}/hours/weekly/{weekly_hours}/remove/",
        {"POST": Case(who(ok=["practice_admin"]), body={})},
    ),
}
