"""A data-subject request is a case with an explicit status machine: one function applies
a move and writes the case event; every other move is refused."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from dsar import services as svc
from dsar.models import CaseEvent, CaseEventKind, Channel, DataSubjectRequest, RequestType, Status
from tests.dsar.conftest import case_for

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 1, 31, 9, tzinfo=UTC)


@pytest.fixture
def case(alice):
    return case_for(alice, NOW)


def _walk(case, actor, *statuses):
    for status in statuses:
        if status == Status.VERIFIED:  # only a verification verifies: alice's fresh sign-in
            case = svc.dsar_verify(request=case, actor=case.subject, method="re-authentication")
        else:
            case = svc.dsar_transition(request=case, to=status, actor=actor)
    return case


def test_a_new_case_has_a_reference_its_deadlines_and_a_first_event(case, alice):
    assert case.reference.startswith("DSR-")
    assert case.status == Status.RECEIVED
    assert case.respond_by == date(2026, 2, 28)
    assert case.extended_respond_by == date(2026, 4, 30)
    event = case.events.get()
    assert (event.kind, event.to_status, event.actor) == (
        CaseEventKind.STATUS,
        Status.RECEIVED,
        alice,
    )


def test_the_allowed_path_to_completion_records_every_move(case, dpo, alice):
    case = svc.dsar_verify(request=case, actor=alice, method="re-authentication")
    case = _walk(case, dpo, Status.IN_PROGRESS, Status.COMPLETED)
    assert case.closed_at is not None
    assert list(case.events.values_list("from_status", "to_status")) == [
        ("", Status.RECEIVED),
        (Status.RECEIVED, Status.VERIFIED),
        (Status.VERIFIED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.COMPLETED),
    ]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ((), Status.COMPLETED),  # not verified
        ((), Status.IN_PROGRESS),
        ((Status.AWAITING_VERIFICATION,), Status.IN_PROGRESS),
        ((Status.VERIFIED,), Status.EXTENDED),
        ((Status.VERIFIED, Status.IN_PROGRESS, Status.COMPLETED), Status.IN_PROGRESS),
        ((Status.REFUSED,), Status.VERIFIED),
        ((Status.AWAITING_VERIFICATION, Status.CLOSED_UNVERIFIED), Status.VERIFIED),
        ((), "nonsense"),
    ],
)
def test_every_other_move_is_refused_and_changes_nothing(case, dpo, path, refused):
    case = _walk(case, dpo, *path)
    events = CaseEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        svc.dsar_transition(request=case, to=refused, actor=dpo)
    assert "status" in error.value.message_dict
    case.refresh_from_db()
    assert case.status == (path[-1] if path else Status.RECEIVED)
    assert CaseEvent.objects.count() == events


def test_case_events_are_never_updated(case):
    event = case.events.get()
    event.text = "changed"
    with pytest.raises(TypeError):
        event.save()


def test_skipping_verification_needs_the_dpos_reason(case, dpo):
    with pytest.raises(ValidationError):
        svc.dsar_verify(request=case, actor=dpo, method="waived", waived_reason="  ")
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
    case = svc.dsar_verify(
        request=case, actor=dpo, method="waived", waived_reason="Known to us by letter"
    )
    assert case.verification_waived_reason == "Known to us by letter"


def test_an_extension_needs_a_reason_and_must_be_told_before_the_deadline(case, dpo):
    case = _walk(case, dpo, Status.VERIFIED, Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        svc.dsar_extend(request=case, actor=dpo, reason="", today=date(2026, 2, 10))
    with pytest.raises(ValidationError) as late:
        svc.dsar_extend(request=case, actor=dpo, reason="Complex", today=date(2026, 3, 3))
    assert "Too late" in late.value.message_dict["extension_reason"][0]
    case = svc.dsar_extend(request=case, actor=dpo, reason="Complex", today=date(2026, 2, 27))
    assert case.status == Status.EXTENDED
    assert case.due_on == date(2026, 4, 30)
    with pytest.raises(ValidationError):  # once only
        svc.dsar_extend(request=case, actor=dpo, reason="Again", today=date(2026, 2, 27))


def test_a_refusal_needs_a_written_reason(case, dpo):
    with pytest.raises(ValidationError):
        svc.dsar_refuse(request=case, actor=dpo, reason="")
    case = svc.dsar_refuse(request=case, actor=dpo, reason="Manifestly excessive: 40 a day")
    assert (case.status, case.refusal_reason) == (Status.REFUSED, "Manifestly excessive: 40 a day")


def test_a_request_entered_by_staff_records_who_entered_it(alice):
    with pytest.raises(ValidationError):
        svc.dsar_create(
            type=RequestType.ERASURE, email=alice.email, jurisdiction="uk", channel=Channel.STAFF
        )
    assert not DataSubjectRequest.objects.exists()


def test_a_third_ccpa_access_request_in_12_months_is_refused_with_the_next_date(alice):
    def ask(when):
        return case_for(alice, when, type=RequestType.CCPA_KNOW_CATEGORIES, jurisdiction="us-ca")

    ask(datetime(2026, 2, 10, 12, tzinfo=UTC))
    ask(datetime(2026, 6, 1, 12, tzinfo=UTC))
    with pytest.raises(ValidationError) as third:
        ask(datetime(2026, 9, 1, 12, tzinfo=UTC))
    assert "10 February 2027" in third.value.message_dict["type"][0]
    assert DataSubjectRequest.objects.count() == 2
    ask(datetime(2027, 2, 10, 12, tzinfo=UTC))


def test_the_uk_clock_stops_for_identity_documents_and_adds_the_days_back(case, dpo):
    svc.dsar_clock_stop(request=case, actor=dpo, on=date(2026, 2, 2))
    case = svc.dsar_clock_restart(request=case, actor=dpo, on=date(2026, 2, 9))
    assert case.respond_by == date(2026, 2, 28) + timedelta(days=7)
    assert case.events.filter(kind=CaseEventKind.CLOCK).count() == 2


def test_the_ccpa_limit_counts_a_person_however_they_write_their_address(db):
    import time_machine

    def ask(when, email):
        with time_machine.travel(when, tick=False):
            return svc.dsar_create(
                type=RequestType.CCPA_KNOW_CATEGORIES,
                email=email,
                jurisdiction="us-ca",
                channel=Channel.PUBLIC_FORM,
                name="Pat Walker",
            )

    ask(datetime(2026, 2, 10, 12, tzinfo=UTC), "pat@example.com")
    ask(datetime(2026, 6, 1, 12, tzinfo=UTC), "Pat@Example.com")
    with pytest.raises(ValidationError):
        ask(datetime(2026, 9, 1, 12, tzinfo=UTC), "PAT@EXAMPLE.COM")
