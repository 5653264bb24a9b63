"""The DPO's actions on a case (issue 8 §4): restrict and lift, rectify, record an
objection to direct marketing or a withdrawal of consent on the ledger, and complete with
a reply emailed to the subject. Each is one service that calls the owning app's service
(vetpass.accounts, consent) and writes a case event naming the DPO in the same
transaction, so the case's timeline and the change can never disagree.

Rules encoded here:
- A case is acted on only once verified ("No path skips verification unless the DPO
  records why", §2); the first action on a verified case starts the work. Completing
  needs the work started (the status machine), and a reply.
- "An objection to direct marketing stops it at once" (DESIGN.md rule 5; GDPR Art. 21(3)):
  an objection event on every marketing purpose, which the ledger reads at the moment
  anything is sent.
- A rectification's case event names the field changed, never the old or new value: the
  case is kept 24 months, longer than the value it replaced should be.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from consent.models import ActorRole, ConsentEvent, Purpose
from consent.models import Channel as ConsentChannel
from consent.services import consent_object, consent_set
from vetpass.accounts.models import RestrictionEvent, User
from vetpass.accounts.services import (
    PROFILE_FIELDS,
    profile_update,
    restriction_apply,
    restriction_lift,
)

from .disclosure import disclosure_text
from .models import CaseEventKind, DataSubjectRequest, RequestType, Status
from .services import case_email_send, case_event_record, dsar_transition, transition_check

# The statuses in which the DPO acts on a case (verified, and not closed).
WORKABLE = frozenset({Status.VERIFIED, Status.IN_PROGRESS, Status.EXTENDED})
# The Kantara purpose category of direct marketing (consent.reference_data).
MARKETING_CATEGORY = "Marketing"


def _workable(request: DataSubjectRequest, actor: User) -> DataSubjectRequest:
    """The case, locked, in progress: refused before verification and after closing."""
    locked = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in WORKABLE:
        if locked.is_open:
            raise ValidationError(
                "Verify the request first (or verify it without the usual checks, saying "
                "why): nothing is done for a person whose identity is not established."
            )
        raise ValidationError(
            f"This case is {locked.get_status_display().lower()}: nothing more is done on it."
        )
    if locked.status == Status.VERIFIED:
        locked = dsar_transition(
            request=locked, to=Status.IN_PROGRESS, actor=actor, text="Work started."
        )
    return locked


def _account(request: DataSubjectRequest, doing: str) -> User:
    if request.subject is None:
        raise ValidationError(
            f"This request is not linked to a VetPass account: there is no account to {doing}."
        )
    return request.subject


def _action(request: DataSubjectRequest, actor: User, text: str) -> None:
    case_event_record(request, CaseEventKind.ACTION, actor=actor, text=text)


@transaction.atomic
def dsar_restriction_apply(
    *, request: DataSubjectRequest, actor: User, reason: str
) -> RestrictionEvent:
    """Restrict processing of the case's subject (Art. 18), the case named in the
    restriction's history."""
    request = _workable(request, actor)
    subject = _account(request, "restrict")
    event = restriction_apply(
        user=subject,
        reason=f"{request.reference}: {reason.strip()}" if reason.strip() else "",
        actor=actor,
    )
    _action(request, actor, f"Processing restricted (Art. 18). Reason: {event.reason}")
    return event


@transaction.atomic
def dsar_restriction_lift(
    *, request: DataSubjectRequest, actor: User, reason: str
) -> RestrictionEvent:
    request = _workable(request, actor)
    subject = _account(request, "lift a restriction on")
    event = restriction_lift(
        user=subject,
        reason=f"{request.reference}: {reason.strip()}" if reason.strip() else "",
        actor=actor,
    )
    _action(request, actor, f"Restriction lifted. Reason: {event.reason}")
    return event


def _shown(value: object) -> str:
    return "" if value is None else str(value).strip()


@transaction.atomic
def dsar_rectify(*, request: DataSubjectRequest, actor: User, field: str, value: str) -> User:
    """Correct one profile field of the subject through the accounts' own profile service
    (its validation applies); the case event names the field, not the values."""
    request = _workable(request, actor)
    subject = _account(request, "rectify")
    if field not in PROFILE_FIELDS:
        raise ValidationError({"field": "Choose a profile field."})
    if _shown(getattr(subject, field)) == value.strip():
        raise ValidationError({"value": "That is already the value held: nothing to correct."})
    label = profile_field_label(field)
    new: object = value
    if field == "date_of_birth":
        try:
            new = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                {"value": "Enter the date as year-month-day, like 1985-05-17."}
            ) from None
    try:
        profile_update(user=subject, **{field: new})
    except ValidationError as error:
        messages = error.message_dict.get(field) or error.messages
        raise ValidationError({"value": messages}) from None
    _action(
        request,
        actor,
        f"Rectified the subject's {label} ({field}): old value → new value "
        "(the values are not kept on the case).",
    )
    return subject


def profile_field_label(field: str) -> str:
    return str(getattr(User._meta.get_field(field), "verbose_name", field))


def marketing_purposes() -> list[Purpose]:
    return list(Purpose.objects.filter(category=MARKETING_CATEGORY, scoped=False))


def _ledger_subject(request: DataSubjectRequest) -> User | str:
    """The ledger keys a person by their account, or by their address when they have
    none (the ledger itself stores only a keyed hash of it)."""
    return request.subject if request.subject is not None else request.email


@transaction.atomic
def dsar_marketing_objection(*, request: DataSubjectRequest, actor: User) -> list[ConsentEvent]:
    """Record the subject's objection to direct marketing on every marketing purpose:
    effective at once, since every send asks the ledger at the moment it acts."""
    request = _workable(request, actor)
    purposes = marketing_purposes()
    if not purposes:
        raise ValidationError("There is no marketing purpose on the ledger to object to.")
    events = [
        consent_object(
            subject=_ledger_subject(request),
            purpose=purpose,
            channel=ConsentChannel.ADMIN,
            actor=actor,
            actor_role=ActorRole.DPO,
            wording=f"Objection to direct marketing (Art. 21(2)), request {request.reference}.",
        )
        for purpose in purposes
    ]
    names = ", ".join(p.name for p in purposes)
    _action(
        request,
        actor,
        f"Objection to direct marketing recorded on the consent ledger ({names}): effective now.",
    )
    return events


def withdrawable_purposes() -> list[Purpose]:
    """Purposes a withdrawal from the case can name: the unscoped ones resting on consent
    (a practice's sharing ends by unfavoriting it, which also ends the access)."""
    return list(Purpose.objects.filter(lawful_basis="consent", scoped=False))


@transaction.atomic
def dsar_consent_withdraw(
    *, request: DataSubjectRequest, actor: User, purposes: list[str]
) -> list[ConsentEvent]:
    """Record the subject's withdrawal of consent for the named purposes (codes); a
    purpose they had not consented to is noted, not written twice."""
    request = _workable(request, actor)
    allowed = {p.code: p for p in withdrawable_purposes()}
    chosen = [allowed[code] for code in purposes if code in allowed]
    if not chosen or len(chosen) != len(purposes):
        raise ValidationError({"purposes": "Choose the purposes the person withdraws from."})
    events: list[ConsentEvent] = []
    already: list[str] = []
    for purpose in chosen:
        event = consent_set(
            subject=_ledger_subject(request),
            purpose=purpose,
            granted=False,
            channel=ConsentChannel.ADMIN,
            actor=actor,
            actor_role=ActorRole.DPO,
            wording=f"Withdrawal of consent to {purpose.name}, request {request.reference}.",
        )
        if event is None:
            already.append(purpose.name)
        else:
            events.append(event)
    text = "Consent withdrawn on the consent ledger"
    if events:
        text += f": {', '.join(e.purpose.name for e in events if e.purpose is not None)}"
    if already:
        text += f". Not consented already: {', '.join(already)}"
    _action(request, actor, text + ".")
    return events


def reply_required(request: DataSubjectRequest) -> bool:
    """Completing a case needs a written reply, except a 1798.83 disclosure: the
    disclosure itself is the answer, and a reply is optional."""
    return request.type != RequestType.CCPA_DISCLOSURE


def completion_body(request: DataSubjectRequest, reply: str) -> str:
    """The email that closes a case: the DPO's reply, and for a 1798.83 request the
    disclosure itself (dsar.disclosure)."""
    body = reply.strip()
    if request.type == RequestType.CCPA_DISCLOSURE:
        disclosure = disclosure_text(request)
        body = f"{body}\n\n{disclosure}" if body else disclosure
    return body


@transaction.atomic
def dsar_complete(*, request: DataSubjectRequest, actor: User, reply: str) -> DataSubjectRequest:
    """Complete the case with a reply emailed to the subject; the reply is on the
    timeline (the status change) and so is the email."""
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    transition_check(request, Status.COMPLETED)  # work must have started
    if not reply.strip() and reply_required(request):
        raise ValidationError({"text": "Write the reply the subject will be sent."})
    request = dsar_transition(request=request, to=Status.COMPLETED, actor=actor, text=reply.strip())
    case_email_send(
        request,
        subject=f"Your request {request.reference}: our answer",
        body=completion_body(request, reply),
        actor=actor,
    )
    return request
