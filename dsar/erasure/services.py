"""Erasure of a data subject, run as a case (issue 8 §6): preview, then one atomic run
that erases through the map's engine, registers the keyed hash of the address, signs the
certificate, writes the files to delete, notifies the practices and completes the case.
Stored files are deleted after commit; the list is written in the transaction, so a crash
in between is finished by the next run or by `erasure_files_sweep`."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dsar import services as cases
from dsar.models import (
    OPEN_STATUSES,
    CaseEventKind,
    Channel,
    DataSubjectRequest,
    ErasedSubject,
    ErasureCertificate,
    LegalHold,
    PendingFileDeletion,
    RequestType,
    Status,
)
from dsar.personal_data_map import Person
from vetpass.accounts.models import Jurisdiction, User

from . import engine, keys
from .certificate import certificate_issue
from .notices import notices_send, practices_with_access
from .preview import erasure_plan_preview

__all__ = ["erasure_plan_preview"]

logger = logging.getLogger(__name__)

ERASURE_TYPES = frozenset({RequestType.ERASURE, RequestType.CCPA_DELETE})


def person_for(case: DataSubjectRequest) -> Person:
    user = case.subject
    if user is None and case.email:
        user = User.objects.filter(email__iexact=case.email.strip()).first()
    return Person.of(email=case.email or (user.email if user else ""), user=user)


def holds_for(person: Person) -> tuple[list[LegalHold], list[LegalHold]]:
    """(holds on the whole subject, which block; holds scoped to one animal)."""
    if person.user is None:
        return [], []
    active = cases.legal_holds_active(person.user)
    return [h for h in active if h.animal_id is None], [h for h in active if h.animal_id]


def has_live_account(person: Person) -> bool:
    """An account that uses the address now (not an erased tombstone): someone who signed
    up again after being erased is a new person, whom erasure must reach."""
    return person.user is not None and not keys.is_erased_value(person.user.email)


def erased_subject_for(email: str) -> ErasedSubject | None:
    """The erased-subject register's row for the address, if the person was erased and
    has not come back with a new account. Where mail is sent to a person on VetPass's
    own initiative, this says not to."""
    erased = ErasedSubject.objects.filter(email_hash=keys.email_hash(email)).first()
    if erased is None:
        return None
    user = User.objects.filter(email__iexact=email.strip()).first()
    return None if has_live_account(Person.of(email=email, user=user)) else erased


def erasure_preview(*, case: DataSubjectRequest) -> dict[str, Any]:
    person = person_for(case)
    erased = erased_subject_for(person.email) if person.email else None
    whole, scoped = holds_for(person)
    preview = erasure_plan_preview(person, whole_holds=whole, scoped_holds=scoped)
    return {"reference": case.reference, "already_erased": erased is not None, **preview}


def erasure_files_sweep() -> int:
    """Delete the stored files of finished erasures; safe to run any time, twice, or
    after a crash (a missing file is already gone)."""
    done = []
    for pk, name in PendingFileDeletion.objects.order_by("pk").values_list("pk", "name"):
        default_storage.delete(name)
        done.append(pk)
    PendingFileDeletion.objects.filter(pk__in=done).delete()
    return len(done)


def blocked_error(holds: list[LegalHold]) -> ValidationError:
    names = "; ".join(
        f"legal hold #{h.pk} ({h.reason}, {'until ' + str(h.until) if h.until else 'until lifted'})"
        for h in holds
    )
    return ValidationError(f"Erasure is blocked by {names}.")


def _complete_as_already_erased(
    case: DataSubjectRequest, actor: User | None, reference: str
) -> None:
    """A new request for someone erased before is answered by that erasure: the case says
    so and is completed, not left on the DPO's queue until it is overdue."""
    if case.status == Status.VERIFIED:
        case = cases.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=actor)
    if case.status in (Status.IN_PROGRESS, Status.EXTENDED):
        cases.case_event_record(
            case, CaseEventKind.NOTE, actor=actor, text=f"Already erased under {reference}."
        )
        cases.dsar_transition(request=case, to=Status.COMPLETED, actor=actor, text="erased")


@transaction.atomic
def erasure_case_open(*, person: Person, operator: User, reason: str) -> DataSubjectRequest:
    """The open erasure case for the person, or a new one entered by the operator; verified
    with the operator's reason (the DPO's waiver), in one transaction: a refusal leaves no
    half-opened case behind."""
    who = Q(email__iexact=person.email)
    if person.user is not None:
        who |= Q(subject=person.user)
    case = (
        DataSubjectRequest.objects.filter(who, type__in=ERASURE_TYPES, status__in=OPEN_STATUSES)
        .order_by("received_at", "pk")
        .first()
    )
    if case is None:
        case = cases.dsar_create(
            type=RequestType.ERASURE,
            email=person.email,
            jurisdiction=person.user.jurisdiction if person.user else Jurisdiction.OTHER,
            channel=Channel.STAFF,
            subject=person.user,
            details=reason,
            entered_by=operator,
        )
    if case.status in (Status.RECEIVED, Status.AWAITING_VERIFICATION):
        case = cases.dsar_verify(
            request=case, actor=operator, method=cases.WAIVED, waived_reason=reason
        )
    return case


@transaction.atomic
def erasure_run(*, case: DataSubjectRequest, actor: User | None) -> ErasureCertificate:
    case = DataSubjectRequest.objects.select_for_update().get(pk=case.pk)
    if case.type not in ERASURE_TYPES:
        raise ValidationError("Only an erasure request runs an erasure.")
    done = ErasureCertificate.objects.filter(request=case).first()
    if done is not None:  # this case already ran: nothing more to do
        transaction.on_commit(erasure_files_sweep, robust=True)
        return done
    person = person_for(case)
    if not person.email:
        raise ValidationError("The case names no address to erase.")
    subject_hash = keys.email_hash(person.email)
    already = ErasedSubject.objects.filter(email_hash=subject_hash).first()
    if already is not None and not has_live_account(person):
        transaction.on_commit(erasure_files_sweep, robust=True)
        certificate = ErasureCertificate.objects.filter(reference=already.reference).first()
        if certificate is None:
            raise ValidationError(f"This person was already erased (case {already.reference}).")
        _complete_as_already_erased(case, actor, already.reference)
        return certificate
    whole, scoped = holds_for(person)
    if whole:
        raise blocked_error(whole)
    if case.status == Status.VERIFIED:
        case = cases.dsar_transition(request=case, to=Status.IN_PROGRESS, actor=actor)
    if case.status not in (Status.IN_PROGRESS, Status.EXTENDED):
        raise ValidationError(
            f"A case that is {case.get_status_display().lower()} cannot run an erasure; "
            "verify it first."
        )
    now = timezone.now()
    practices = practices_with_access(person)
    client_number = person.user.pk if person.user is not None else None
    manifest = engine.erase_rows(
        [person], held_animals=[h.animal_id for h in scoped if h.animal_id is not None]
    )
    PendingFileDeletion.objects.bulk_create(
        [PendingFileDeletion(request=case, name=name) for name in manifest.files]
    )
    ErasedSubject.objects.update_or_create(
        email_hash=subject_hash,
        defaults={"request": case, "reference": case.reference, "erased_at": now},
    )
    summary = {**manifest.as_dict(), "practices_notified": len(practices)}
    certificate = certificate_issue(case=case, manifest=summary, subject_hash=subject_hash, at=now)
    notices_send(case=case, practices=practices, client_number=client_number)
    deleted = sum(t.get("deleted", 0) for t in summary["tables"].values())
    cases.case_event_record(
        case,
        CaseEventKind.NOTE,
        actor=actor,
        text=(
            f"Erasure run: {deleted} rows deleted in {len(summary['tables'])} tables, "
            f"{summary['files']} stored files to delete, {len(practices)} practices notified; "
            "certificate signed."
        ),
    )
    cases.dsar_transition(request=case, to=Status.COMPLETED, actor=actor, text="erased")
    transaction.on_commit(erasure_files_sweep, robust=True)
    logger.info("erasure %s: %s rows deleted", case.reference, deleted)
    return certificate
