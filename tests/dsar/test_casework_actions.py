"""The DPO's case buttons call the owning apps' services (issue 8 §4): restrict and lift,
rectify, an objection to direct marketing and a withdrawal of consent on the ledger, and
completion with a reply emailed to the subject. Each records the DPO who acted; the
timeline shows every event and every email."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from consent.models import ActorRole, ConsentEvent
from consent.models import Channel as ConsentChannel
from consent.selectors import consent_given
from consent.sending import marketing_send
from consent.services import consent_grant, subject_key_for
from dsar import casework
from dsar import services as svc
from dsar.admin import ACTIONS
from dsar.models import CaseEventKind, Channel, RequestType, Status
from tests.conftest import mfa_client_for
from tests.dsar.conftest import case_for
from vetpass.accounts.models import RestrictionEvent

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _verified(user, type=RequestType.RESTRICTION, jurisdiction="uk"):  # noqa: A002
    case = case_for(user, NOW, type=type, jurisdiction=jurisdiction)
    return svc.dsar_verify(request=case, actor=user, method="re-authentication")


def _actions(case):
    return list(case.events.filter(kind=CaseEventKind.ACTION).values_list("actor", "text"))


# --- restriction -------------------------------------------------------------------------


def test_the_dpo_restricts_and_lifts_the_subject_through_the_case(alice, dpo):
    case = _verified(alice)
    casework.dsar_restriction_apply(request=case, actor=dpo, reason="Accuracy contested")
    alice.refresh_from_db()
    case.refresh_from_db()
    assert alice.restricted_at is not None
    assert case.status == Status.IN_PROGRESS  # the first action starts the work
    event = RestrictionEvent.objects.get(user=alice)
    assert event.actor == dpo and event.reason == f"{case.reference}: Accuracy contested"
    assert _actions(case) == [(dpo.pk, f"Processing restricted (Art. 18). Reason: {event.reason}")]

    casework.dsar_restriction_lift(request=case, actor=dpo, reason="Accuracy checked")
    alice.refresh_from_db()
    assert alice.restricted_at is None
    assert [a for a, _ in _actions(case)] == [dpo.pk, dpo.pk]


def test_nothing_is_done_on_a_case_before_it_is_verified(alice, dpo):
    case = case_for(alice, NOW, type=RequestType.RESTRICTION)
    with pytest.raises(ValidationError, match="Verify the request first"):
        casework.dsar_restriction_apply(request=case, actor=dpo, reason="Asked")
    alice.refresh_from_db()
    assert alice.restricted_at is None
    assert not RestrictionEvent.objects.exists()
    assert _actions(case) == []


def test_nothing_more_is_done_on_a_closed_case(alice, dpo):
    case = _verified(alice)
    svc.dsar_refuse(request=case, actor=dpo, reason="Manifestly unfounded")
    with pytest.raises(ValidationError, match="refused: nothing more"):
        casework.dsar_marketing_objection(request=case, actor=dpo)
    assert not ConsentEvent.objects.filter(actor_role=ActorRole.DPO).exists()


def test_a_restriction_needs_an_account_and_a_reason(dpo, alice, reference_data):
    no_account = svc.dsar_create(
        type=RequestType.RESTRICTION,
        email="walkin@example.com",
        jurisdiction="uk",
        channel=Channel.STAFF,
        entered_by=dpo,
    )
    svc.dsar_verify(request=no_account, actor=dpo, method="waived", waived_reason="Known")
    with pytest.raises(ValidationError, match="not linked to a VetPass account"):
        casework.dsar_restriction_apply(request=no_account, actor=dpo, reason="Asked")
    case = _verified(alice)
    with pytest.raises(ValidationError):
        casework.dsar_restriction_apply(request=case, actor=dpo, reason="  ")
    alice.refresh_from_db()
    assert alice.restricted_at is None
    assert _actions(case) == []


# --- rectification -------------------------------------------------------------------------


def test_a_rectification_goes_through_the_profile_service_and_names_only_the_field(alice, dpo):
    alice.full_name = "Alice Ownr"
    alice.save()
    case = _verified(alice, type=RequestType.RECTIFICATION)
    casework.dsar_rectify(request=case, actor=dpo, field="full_name", value="Alice Owner")
    alice.refresh_from_db()
    assert alice.full_name == "Alice Owner"
    ((actor, text),) = _actions(case)
    assert actor == dpo.pk
    assert "full_name" in text and "old value → new value" in text
    assert "Alice Ownr" not in text and "Alice Owner" not in text


def test_a_rectification_the_profile_rules_refuse_changes_nothing(alice, dpo):
    alice.country = "GB"
    alice.postcode = "BS1 4DJ"
    alice.save()
    case = _verified(alice, type=RequestType.RECTIFICATION)
    with pytest.raises(ValidationError) as refused:
        casework.dsar_rectify(request=case, actor=dpo, field="postcode", value="not a postcode")
    assert "UK postcode" in str(refused.value.message_dict["value"])
    with pytest.raises(ValidationError, match="year-month-day"):
        casework.dsar_rectify(request=case, actor=dpo, field="date_of_birth", value="17/05/1985")
    with pytest.raises(ValidationError, match="already the value held"):
        casework.dsar_rectify(request=case, actor=dpo, field="postcode", value="BS1 4DJ")
    with pytest.raises(ValidationError):
        casework.dsar_rectify(request=case, actor=dpo, field="email", value="x@example.com")
    alice.refresh_from_db()
    assert alice.postcode == "BS1 4DJ"
    assert _actions(case) == []


def test_a_date_of_birth_is_rectified_from_an_iso_date(alice, dpo):
    case = _verified(alice, type=RequestType.RECTIFICATION)
    casework.dsar_rectify(request=case, actor=dpo, field="date_of_birth", value="1984-02-29")
    alice.refresh_from_db()
    assert alice.date_of_birth == date(1984, 2, 29)


# --- the ledger -----------------------------------------------------------------------------


def test_an_objection_to_direct_marketing_stops_it_at_once(alice, bob, dpo):
    for person in (alice, bob):
        consent_grant(subject=person, purpose="marketing_email", channel=ConsentChannel.WEB)
    case = _verified(alice, type=RequestType.OBJECTION_MARKETING)
    events = casework.dsar_marketing_objection(request=case, actor=dpo)

    codes = {e.purpose.code for e in events}
    assert codes == {"marketing_email", "marketing_sms", "tracking_pixels"}
    assert {(e.actor_id, e.actor_role, e.channel) for e in events} == {
        (dpo.pk, ActorRole.DPO, ConsentChannel.ADMIN)
    }
    assert all(case.reference in e.wording for e in events)
    assert not consent_given(alice, "marketing_email")
    report = marketing_send(subject="Spring offers", body="Hello")
    assert report.recipients == [bob.pk]
    ((actor, text),) = _actions(case)
    assert actor == dpo.pk and "effective now" in text


def test_an_objection_from_a_person_without_an_account_is_keyed_by_the_ledger_hash(dpo):
    case = svc.dsar_create(
        type=RequestType.OBJECTION_MARKETING,
        email="Farmer@Example.com",
        jurisdiction="uk",
        channel=Channel.STAFF,
        entered_by=dpo,
    )
    svc.dsar_verify(request=case, actor=dpo, method="waived", waived_reason="Letter on file")
    casework.dsar_marketing_objection(request=case, actor=dpo)
    keys = set(ConsentEvent.objects.values_list("subject_key", flat=True))
    assert keys == {subject_key_for("farmer@example.com")}
    assert not any("example.com" in k for k in keys)


def test_a_withdrawal_records_the_chosen_purposes_and_notes_those_never_given(alice, dpo):
    consent_grant(subject=alice, purpose="analytics", channel=ConsentChannel.WEB)
    case = _verified(alice, type=RequestType.WITHDRAWAL)
    events = casework.dsar_consent_withdraw(
        request=case, actor=dpo, purposes=["analytics", "research"]
    )
    assert [(e.purpose.code, e.action, e.actor_id) for e in events] == [
        ("analytics", "withdraw", dpo.pk)
    ]
    assert not consent_given(alice, "analytics")
    ((_, text),) = _actions(case)
    assert "De-identified analytics" in text and "Not consented already" in text
    with pytest.raises(ValidationError):
        casework.dsar_consent_withdraw(request=case, actor=dpo, purposes=[])
    with pytest.raises(ValidationError):  # practice sharing ends by unfavoriting, not here
        casework.dsar_consent_withdraw(request=case, actor=dpo, purposes=["practice_sharing"])


def test_a_failed_case_event_leaves_the_ledger_as_it_was(alice, dpo, monkeypatch):
    case = _verified(alice, type=RequestType.OBJECTION_MARKETING)
    before = ConsentEvent.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(casework, "case_event_record", broken)
    with pytest.raises(RuntimeError):
        casework.dsar_marketing_objection(request=case, actor=dpo)
    assert ConsentEvent.objects.count() == before
    case.refresh_from_db()
    assert case.status == Status.VERIFIED


# --- completion, extension and refusal are told to the subject -------------------------------


def test_completing_emails_the_reply_and_records_it_on_the_timeline(alice, dpo):
    case = _verified(alice, type=RequestType.ACCESS)
    case = svc.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=dpo)
    mail.outbox.clear()
    with pytest.raises(ValidationError, match="Write the reply"):
        casework.dsar_complete(request=case, actor=dpo, reply=" ")
    assert mail.outbox == []
    casework.dsar_complete(request=case, actor=dpo, reply="Your data is attached to your account.")
    (sent,) = mail.outbox
    assert sent.to == [alice.email] and case.reference in sent.subject
    assert sent.body == "Your data is attached to your account."
    events = list(case.events.order_by("pk").values_list("kind", "actor", "text"))
    assert events[-2:] == [
        (CaseEventKind.STATUS, dpo.pk, "Your data is attached to your account."),
        (CaseEventKind.EMAIL, dpo.pk, sent.subject),
    ]


def test_completing_needs_the_work_started(alice, dpo):
    case = _verified(alice, type=RequestType.ACCESS)
    with pytest.raises(ValidationError, match="cannot become completed"):
        casework.dsar_complete(request=case, actor=dpo, reply="Done")


def test_an_extension_and_a_refusal_are_emailed_with_their_reasons(alice, bob, dpo):
    case = _verified(alice, type=RequestType.ACCESS)
    case = svc.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=dpo)
    mail.outbox.clear()
    with time_machine.travel(NOW, tick=False):
        svc.dsar_extend(request=case, actor=dpo, reason="Records from three practices")
    other = _verified(bob, type=RequestType.ACCESS)
    svc.dsar_refuse(request=other, actor=dpo, reason="The same request answered last week")
    extended, refused = mail.outbox
    assert extended.to == [alice.email] and "Records from three practices" in extended.body
    assert "02 June 2026" in extended.body  # the extended date, told
    assert refused.to == [bob.email] and "answered last week" in refused.body
    assert "complain" in refused.body
    assert case.events.filter(kind=CaseEventKind.EMAIL, text=extended.subject).exists()


# --- the doors: the case page's buttons --------------------------------------------------------


@pytest.fixture
def dpo_client(dpo):
    return mfa_client_for(dpo)


def _act(client, case, action, data):
    return client.post(f"/admin/dsar/datasubjectrequest/{case.pk}/act/{action}/", data)


def test_the_buttons_call_the_services_and_record_the_dpo(dpo_client, dpo, alice):
    consent_grant(subject=alice, purpose="marketing_email", channel=ConsentChannel.WEB)
    case = _verified(alice)
    page = dpo_client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").content.decode()
    for action in ("restrict", "rectify", "object_marketing", "withdraw_consent", "start"):
        assert f'data-action="{action}"' in page
    # only what applies now: she is not restricted, the case is verified, not started
    for action in ("lift_restriction", "complete", "waive", "send_link", "extend"):
        assert f'data-action="{action}"' not in page
    assert _act(dpo_client, case, "restrict", {"text": "Asked"}).status_code == 302
    page = dpo_client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").content.decode()
    assert 'data-action="lift_restriction"' in page and 'data-action="restrict"' not in page
    assert 'data-action="complete"' in page  # the action started the work
    assert _act(dpo_client, case, "lift_restriction", {"text": "Done"}).status_code == 302
    rectify = _act(dpo_client, case, "rectify", {"field": "town", "value": "Bath"})
    assert rectify.status_code == 302
    assert _act(dpo_client, case, "object_marketing", {}).status_code == 302
    withdraw = _act(dpo_client, case, "withdraw_consent", {"purposes": ["analytics"]})
    assert withdraw.status_code == 302
    assert _act(dpo_client, case, "complete", {"text": "All done."}).status_code == 302
    alice.refresh_from_db()
    case.refresh_from_db()
    assert alice.town == "Bath" and alice.restricted_at is None
    assert not consent_given(alice, "marketing_email")
    assert case.status == Status.COMPLETED
    assert len(_actions(case)) == 5
    assert set(
        case.events.exclude(kind=CaseEventKind.STATUS, to_status=Status.RECEIVED)
        .exclude(kind=CaseEventKind.STATUS, to_status=Status.VERIFIED)
        .values_list("actor", flat=True)
    ) == {dpo.pk}


def test_a_refused_rectification_is_shown_beside_the_field_with_the_input_kept(dpo_client, alice):
    alice.country = "GB"
    alice.save()
    case = _verified(alice, type=RequestType.RECTIFICATION)
    form = dpo_client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/act/rectify/")
    assert form.status_code == 200 and 'name="field"' in form.content.decode()
    response = _act(dpo_client, case, "rectify", {"field": "postcode", "value": "nonsense!"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a UK postcode" in body and 'value="nonsense!"' in body
    assert _actions(case) == []


def test_the_case_page_shows_the_timeline_and_every_email_with_its_delivery(
    dpo_client, dpo, alice, settings
):
    settings.EMAIL_BACKEND = "vetpass.outbox.backends.OutboxBackend"
    case = _verified(alice, type=RequestType.ACCESS)
    _act(dpo_client, case, "object_marketing", {})
    _act(dpo_client, case, "complete", {"text": "Here is your answer."})
    page = dpo_client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").content.decode()
    assert f"Your request {case.reference}: our answer" in page
    assert "queued" in page  # not yet left: the outbox's worker sends it
    assert "Here is your answer." in page  # the reply, on the timeline
    assert "Timeline (every event and every email sent)" in page
    assert "Email sent" in page and "Action taken" in page
    assert "Objection to direct marketing recorded" in page


def test_an_opt_out_case_shows_the_fifteen_day_date_and_is_due_then(dpo_client, alice):
    case = case_for(
        alice,
        datetime(2026, 12, 20, 9, tzinfo=UTC),
        type=RequestType.CCPA_OPT_OUT,
        jurisdiction="us-ca",
    )
    assert case.respond_by == case.extended_respond_by == date(2027, 1, 4)
    page = dpo_client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/change/").content.decode()
    assert "Opt-out of sale or sharing acted on by (15 days)" in page
    assert "04 January 2027" in page
    with pytest.raises(ValidationError, match="not extended"):
        svc.dsar_extend(request=case, actor=alice, reason="Busy", today=date(2026, 12, 21))


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_page_opens_with_its_form(dpo_client, alice, action):
    case = _verified(alice)
    page = dpo_client.get(f"/admin/dsar/datasubjectrequest/{case.pk}/act/{action}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<form" in body and 'type="submit"' in body
    if action == "withdraw_consent":
        assert 'value="analytics"' in body and 'value="practice_sharing"' not in body
