"""One world for the whole matrix, built once per module: every persona of issue 7 with
data carrying distinctive markers, so a response body can be searched for a person it
must not show.

- alice (owner): the dog Rex (shared with Riverside and, by emergency share, with
  Harbour), the herd Meadow Herd (shared with Riverside) and its member Biscuit (shared
  with nobody); an owner entry and a Riverside-written entry on Rex, a document entry,
  a photo, a pending invitation; co-owners vic (view) and eddie (edit) of Rex.
- bob (another owner): the cat Tom, shared with nobody.
- carol (vet at Riverside), pam (Riverside's practice administrator), lena (left
  Riverside), dave (vet at Hilltop, with a pending request to join Riverside), erin (vet
  at Harbour, holding alice's emergency share of Rex; "share_expired" is erin after it
  expired).
- rita (restricted owner): the dog Rufus, and an emergency-share code she created before
  her restriction, not yet redeemed.
- dpo: is_staff and is_dpo, with an authenticator app, and signed in with it (the
  admin's MFA gate, vetpass.admin.admin_mfa_missing).
- Admin-only personas (ADMIN_ONLY_PERSONAS), DPOs the MFA gate refuses: "dpo_no_mfa"
  has no authenticator app; "dpo_mfa_unused" has one but this session was not signed in
  with it. Both are sent to allauth's MFA pages from every admin page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

PERSONAS = [
    "anonymous",
    "owner",
    "coowner_view",
    "coowner_edit",
    "other_owner",
    "fav_staff",
    "other_staff",
    "leaver",
    "practice_admin",
    "share_holder",
    "share_expired",
    "restricted",
    "dpo",
]
ADMIN_ONLY_PERSONAS = ["dpo_no_mfa", "dpo_mfa_unused"]
# The personas whose session proves MFA (tests/conftest.py sign_in_with_mfa).
MFA_SESSIONS = {"dpo"}

# Distinctive strings per person whose data they are.
MARKERS = {
    "alice": ["Alice Owner", "alice@example.com", "985141000123456"],
    "biscuit": ["Biscuit Hidden", "985141000999888"],
    "vic": ["vic.viewer@example.com"],
    "eddie": ["eddie.editor@example.com"],
    "bob": ["Bob Other", "bob@example.com", "Tomcat Other", "941000024681357"],
    "rita": ["Rita Restricted", "rita@example.com", "Rufus Restricted", "985141000555444"],
}


@dataclass
class World:
    users: dict[str, Any]
    ids: dict[str, Any]
    own_practice: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return SimpleUploadedFile("rex.png", buf.getvalue(), content_type="image/png")


def build_world() -> World:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from consent.models import PolicyDocument, PolicyVersion, Purpose
    from consent.reference_data import load_purposes_and_policies
    from records import services as rsvc
    from records.models import AccessLog, AnimalAccess, Breed, EntryKind, JoinRequest, Species
    from records.practices import access
    from records.practices import services as svc
    from records.reference_data import load_species
    from tests.factories import AnimalFactory, MembershipFactory, PracticeFactory, UserFactory

    if not Species.objects.exists():
        load_species(Species, Breed)
    if not Purpose.objects.exists():
        load_purposes_and_policies(Purpose, PolicyDocument, PolicyVersion)

    def user(email: str, name: str, **kw: Any):
        return UserFactory(email=email, full_name=name, **kw)

    alice = user("alice@example.com", "Alice Owner")
    bob = user("bob@example.com", "Bob Other")
    vic = user("vic.viewer@example.com", "Vic Viewer")
    eddie = user("eddie.editor@example.com", "Eddie Editor")
    carol = user("carol.vet@example.com", "Carol Vet")
    pam = user("pam.admin@example.com", "Pam Admin")
    lena = user("lena.left@example.com", "Lena Left")
    dave = user("dave.vet@example.com", "Dave Vet")
    erin = user("erin.vet@example.com", "Erin Emergency")
    rita = user("rita@example.com", "Rita Restricted")
    dpo = user("dpo@example.com", "Dee P. O.", is_dpo=True, is_staff=True)
    TOTP.activate(dpo, generate_totp_secret())
    dpo_no_mfa = user("dpo.nomfa@example.com", "Nora No-MFA", is_dpo=True, is_staff=True)
    dpo_mfa_unused = user("dpo.unused@example.com", "Uma Unused", is_dpo=True, is_staff=True)
    TOTP.activate(dpo_mfa_unused, generate_totp_secret())

    riverside = PracticeFactory(name="Riverside Vets", town="Bristol", postcode="BS1 4DJ")
    hilltop = PracticeFactory(name="Hilltop Vets", town="Leeds", postcode="LS1 4AP")
    harbour = PracticeFactory(name="Harbour Emergency Clinic", town="Bristol", postcode="BS8 1TH")
    MembershipFactory(practice=riverside, user=carol)
    pam_membership = MembershipFactory(practice=riverside, user=pam, is_practice_admin=True)
    lena_membership = MembershipFactory(
        practice=riverside, user=lena, left_at=timezone.now() - timedelta(days=1)
    )
    MembershipFactory(practice=hilltop, user=dave)
    MembershipFactory(practice=harbour, user=erin)
    join = JoinRequest.objects.create(practice=riverside, user=dave, role="vet_surgeon")

    rex = AnimalFactory(owner=alice, name="Rex", microchip="985141000123456")
    rex.photo = _png()
    rex.save()
    herd = AnimalFactory(owner=alice, name="Meadow Herd", is_group=True, head_count=5)
    biscuit = AnimalFactory(
        owner=alice, name="Biscuit Hidden", microchip="985141000999888", group=herd
    )
    tom = AnimalFactory(owner=bob, name="Tomcat Other", microchip="941000024681357")
    rufus = AnimalFactory(owner=rita, name="Rufus Restricted", microchip="985141000555444")

    AnimalAccess.objects.create(animal=rex, user=vic, permission="view")
    AnimalAccess.objects.create(animal=rex, user=eddie, permission="edit")
    vic_access = AnimalAccess.objects.get(animal=rex, user=vic)
    invitation = rsvc.invitation_create(
        animal=rex, invited_by=alice, email="ivy.invited@example.com", permission="view"
    )

    owner_entry = rsvc.entry_create(
        animal=rex,
        author=alice,
        kind=EntryKind.VACCINATION,
        occurred_on=timezone.localdate() - timedelta(days=30),
        vaccine_product="Nobivac DHP",
    )
    document_entry = rsvc.entry_create(
        animal=rex,
        author=alice,
        kind=EntryKind.DOCUMENT,
        occurred_on=timezone.localdate() - timedelta(days=20),
        title="Insurance letter",
        document=SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )
    bob_entry = rsvc.entry_create(
        animal=tom,
        author=bob,
        kind=EntryKind.CLINICAL_NOTE,
        occurred_on=timezone.localdate() - timedelta(days=5),
        notes="Tom is fine.",
    )
    rita_entry = rsvc.entry_create(
        animal=rufus,
        author=rita,
        kind=EntryKind.CLINICAL_NOTE,
        occurred_on=timezone.localdate() - timedelta(days=5),
        notes="Rufus is fine.",
    )

    favorite = svc.favorite_create(
        owner=alice, practice=riverside, all_animals=False, animals=[rex, herd], already_client=True
    )
    record_request = favorite.requests.get()
    vis = access.practice_visibility(carol, rex, riverside)
    assert vis is not None
    practice_entry = svc.clinical_entry_create(
        vis=vis,
        author=carol,
        kind=EntryKind.CLINICAL_NOTE,
        occurred_on=timezone.localdate() - timedelta(days=2),
        notes="Seen at Riverside.",
    )
    share = svc.emergency_share_create(owner=alice, animals=[rex])
    share = svc.emergency_share_redeem(code=share.code, user=erin, practice=harbour)
    # alice wrote to Riverside about Rex, with an attachment (issue 11: messages)
    from records import messages as record_messages

    message = record_messages.conversation_start(
        owner=alice,
        animal=rex,
        practice=riverside,
        body="Matrix message",
        attachment=SimpleUploadedFile("xray.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )
    rita_share = svc.emergency_share_create(owner=rita, animals=[rufus])
    rita.restricted_at = timezone.now()
    rita.save(update_fields=["restricted_at"])
    # alice's certificate link (issue 11), for her herd: the public page shows a microchip,
    # and Rex's is one of alice's markers.
    from records.certificates import certificate_link_create

    cert_link, cert_token = certificate_link_create(owner=alice, animal=herd, days=30)
    # carol read Rex once: alice's access log has a row naming her
    AccessLog.objects.create(
        viewer=carol,
        practice=riverside,
        owner=alice,
        animal=rex,
        view="animal record",
        grant_kind="favorite",
        grant_id=favorite.pk,
    )

    users = {
        "anonymous": None,
        "owner": alice,
        "coowner_view": vic,
        "coowner_edit": eddie,
        "other_owner": bob,
        "fav_staff": carol,
        "other_staff": dave,
        "leaver": lena,
        "practice_admin": pam,
        "share_holder": erin,
        "share_expired": erin,
        "restricted": rita,
        "dpo": dpo,
        "dpo_no_mfa": dpo_no_mfa,
        "dpo_mfa_unused": dpo_mfa_unused,
    }
    staff_practice = {
        "fav_staff": riverside.pk,
        "other_staff": hilltop.pk,
        "leaver": riverside.pk,
        "practice_admin": riverside.pk,
        "share_holder": harbour.pk,
        "share_expired": harbour.pk,
    }
    ids = {
        "riverside": riverside.pk,
        "hilltop": hilltop.pk,
        "harbour": harbour.pk,
        "rex": rex.pk,
        "herd": herd.pk,
        "biscuit": biscuit.pk,
        "tom": tom.pk,
        "rufus": rufus.pk,
        "vic_access": vic_access.pk,
        "invitation": invitation.pk,
        "invitation_token": invitation.token,
        "owner_entry": owner_entry.pk,
        "document_entry": document_entry.pk,
        "practice_entry": practice_entry.pk,
        "bob_entry": bob_entry.pk,
        "rita_entry": rita_entry.pk,
        "favorite": favorite.pk,
        "record_request": record_request.pk,
        "share": share.pk,
        "share_code": share.code,
        "rita_share_code": rita_share.code,
        "join_request": join.pk,
        "pam_membership": pam_membership.pk,
        "lena_membership": lena_membership.pk,
        "expired_at": share.expires_at + timedelta(hours=1),
        "cert_link": cert_link.pk,
        "cert_token": cert_token,
        "conversation": message.conversation_id,
        "message": message.pk,
    }
    from django.contrib.contenttypes.models import ContentType

    from consent.models import ConsentEvent, PolicyVersion

    alice_event = ConsentEvent.objects.filter(subject_key=f"user:{alice.pk}").first()
    if alice_event is None:
        from consent.services import consent_grant

        alice_event = consent_grant(subject=alice, purpose="marketing_email")
    ids["alice_event"] = alice_event.pk
    ids["dog"] = rex.species_id
    ids["policy_versions"] = list(PolicyVersion.objects.values_list("pk", flat=True))
    ids["policy_version"] = (
        PolicyVersion.objects.filter(document__kind="privacy").values_list("version", flat=True)
    ).first()
    # one object of each admin model, for /admin/<app>/<model>/<id>/... URLs
    ids["admin_objects"] = {
        ct.model: ct.model_class()
        ._default_manager.order_by("pk")
        .values_list("pk", flat=True)
        .first()
        or 1
        for ct in ContentType.objects.all()
        if ct.model_class() is not None
    }
    ids["admin_objects"].update(
        {"user": alice.pk, "animal": rex.pk, "entry": owner_entry.pk, "favorite": favorite.pk}
    )
    # alice's data-subject request and a legal hold on her, for the DPO's casework pages
    from dsar import services as dsar_services
    from dsar.models import Channel as DsarChannel

    case = dsar_services.dsar_create(
        type="access", email=alice.email, jurisdiction="uk", channel=DsarChannel.WEB, subject=alice
    )
    hold = dsar_services.legal_hold_place(subject=alice, reason="Matrix claim", actor=users["dpo"])
    ids["admin_objects"].update({"datasubjectrequest": case.pk, "legalhold": hold.pk})
    # alice's inactivity notice and a sweep's run, for the retention pages
    from dsar.models import InactivityNotice, RetentionRun

    notice = InactivityNotice.objects.create(
        owner=alice,
        period_start=alice.date_joined,
        stated_removal_at=alice.date_joined + timedelta(days=640),
    )
    run = RetentionRun.objects.create(counts={"noticed": 1})
    ids["admin_objects"].update({"inactivitynotice": notice.pk, "retentionrun": run.pk})
    # a practice subscription that ended, for the DPO's retention pages (no person on it)
    from dsar.models import PracticeSubscriptionEnd

    ended = PracticeSubscriptionEnd.objects.create(
        practice=riverside, ended_on=date(2026, 1, 31), anonymise_on=date(2026, 4, 1)
    )
    ids["admin_objects"]["practicesubscriptionend"] = ended.pk
    # issue 11: carol's published hours and alice's appointment for Rex
    from tests.authz.appointments_world import appointments_world

    ids.update(appointments_world(alice=alice, rex=rex, riverside=riverside, carol=carol))
    own = {p: staff_practice.get(p, riverside.pk) for p in PERSONAS + ADMIN_ONLY_PERSONAS}
    return World(users=users, ids=ids, own_practice=own)
