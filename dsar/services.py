"""Writes on data-subject requests: intake, the status machine, extension and refusal.

The status machine is a table (TRANSITIONS); `dsar_transition` is the one function that
changes a request's status, and it writes the case event in the same transaction. Every
other way of changing status goes through it, so a refused transition is refused for the
admin, the API and a task alike.

Policy sentences encoded here (see dsar.deadlines for the dates):
- "Extendable once by two further months, only with a reason, and only if the subject is
  told before respond_by" (GDPR Art. 12(3)); CCPA: once by 45 days with notice before day 45.
- "At most two access/know requests per person in 12 months; a third gets a clear refusal
  stating the date the next is possible" (CCPA, both policies).
- "The DPO may refuse a manifestly unfounded or excessive request only with a written
  reason sent to the subject" (GDPR Art. 12(5)).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from records.models import Animal
from vetpass.accounts.models import User

from . import deadlines
from .disclosure import disclosure_refusal
from .models import (
    CCPA_ACCESS_TYPES,
    OPEN_STATUSES,
    CaseEvent,
    CaseEventKind,
    Channel,
    DataSubjectRequest,
    LegalHold,
    RequestType,
    Status,
)
from .selectors import same_person

# The allowed moves of a case; anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.AWAITING_VERIFICATION, Status.VERIFIED, Status.REFUSED}),
    Status.AWAITING_VERIFICATION: frozenset(
        {Status.VERIFIED, Status.CLOSED_UNVERIFIED, Status.REFUSED}
    ),
    Status.VERIFIED: frozenset({Status.IN_PROGRESS, Status.REFUSED}),
    Status.IN_PROGRESS: frozenset({Status.EXTENDED, Status.COMPLETED, Status.REFUSED}),
    Status.EXTENDED: frozenset({Status.COMPLETED, Status.REFUSED}),
    Status.COMPLETED: frozenset(),
    Status.REFUSED: frozenset(),
    Status.CLOSED_UNVERIFIED: frozenset(),
}
CLOSING = frozenset({Status.COMPLETED, Status.REFUSED, Status.CLOSED_UNVERIFIED})


def case_event_record(
    request: DataSubjectRequest,
    kind: str,
    *,
    actor: User | None,
    text: str = "",
    from_status: str = "",
    to_status: str = "",
) -> CaseEvent:
    """One entry on a case's timeline, written by the function that makes the change (the
    status machine here, intake's emails, the DPO's reminders)."""
    return CaseEvent.objects.create(
        request=request,
        kind=kind,
        actor=actor,
        text=text,
        from_status=from_status,
        to_status=to_status,
        at=timezone.now(),
    )


def case_email_send(
    request: DataSubjectRequest, *, subject: str, body: str, actor: User | None
) -> CaseEvent:
    """Email the person who made the request (through the outbox, in the caller's
    transaction) and put it on the case's timeline. The subject line names the case's
    reference, so the admin can show the email's delivery beside the case."""
    if request.reference not in subject:
        subject = f"{subject} ({request.reference})"
    send_mail(subject, body, None, [request.email])
    return case_event_record(request, CaseEventKind.EMAIL, actor=actor, text=subject)


def ccpa_access_refusal(*, email: str, subject: User | None, received: date) -> date | None:
    """The date the next access/know request is possible when this one would be the third
    within 12 months, else None. Counted per person: the account, or the email given."""
    earlier = DataSubjectRequest.objects.filter(type__in=CCPA_ACCESS_TYPES).exclude(
        status__in=[Status.CLOSED_UNVERIFIED, Status.REFUSED]
    )
    earlier = earlier.filter(same_person(email=email, subject=subject))
    dates = [at.date() for at in earlier.values_list("received_at", flat=True)]
    return deadlines.next_access_request_allowed_on(dates, received)


@transaction.atomic
def dsar_create(
    *,
    type: str,  # noqa: A002 - the domain word
    email: str,
    jurisdiction: str,
    channel: str,
    subject: User | None = None,
    name: str = "",
    postcode: str = "",
    details: str = "",
    entered_by: User | None = None,
    received_at: datetime | None = None,
) -> DataSubjectRequest:
    """Open a case with its deadlines computed from receipt. A California access request
    over the limit is refused with the date the next one is possible."""
    errors: dict[str, str] = {}
    if type not in RequestType.values:
        errors["type"] = "Choose the kind of request."
    if channel not in Channel.values:
        errors["channel"] = "Unknown channel."
    if channel == Channel.STAFF and entered_by is None:
        errors["channel"] = "A request entered by staff records who entered it."
    if errors:
        raise ValidationError(errors)
    received_at = received_at or timezone.now()
    received = timezone.localdate(received_at)
    if jurisdiction == "us-ca" and type in CCPA_ACCESS_TYPES:
        next_on = ccpa_access_refusal(email=email, subject=subject, received=received)
        if next_on is not None:
            raise ValidationError(
                {
                    "type": (
                        "You have already made two requests to know what we hold in the last "
                        f"12 months. You can make the next one from {next_on:%d %B %Y}."
                    )
                }
            )
    if type == RequestType.CCPA_DISCLOSURE:
        next_on = disclosure_refusal(email=email, subject=subject, received=received)
        if next_on is not None:
            raise ValidationError(
                {
                    "type": (
                        "You have already asked for this disclosure (California Civil Code "
                        f"1798.83) in {received.year}: it is given once each calendar year. "
                        f"You can ask for the next one from {next_on:%d %B %Y}."
                    )
                }
            )
    dates = deadlines.deadlines_for(jurisdiction, received)
    if type == RequestType.CCPA_OPT_OUT:
        # VETPASS policy: an opt-out of sale or sharing is acted on within 15 days, for
        # everyone (the stricter rule), and that date is not extended.
        act_by = min(dates.respond_by, deadlines.opt_out_act_by(received))
        dates = replace(dates, respond_by=act_by, extended_respond_by=act_by)
    request = DataSubjectRequest(
        type=type,
        email=email,
        jurisdiction=jurisdiction,
        channel=channel,
        subject=subject,
        name=name,
        postcode=postcode,
        details=details,
        entered_by=entered_by,
        received_at=received_at,
        respond_by=dates.respond_by,
        extended_respond_by=dates.extended_respond_by,
        acknowledge_by=dates.acknowledge_by,
    )
    request.full_clean()
    request.save()
    case_event_record(
        request, CaseEventKind.STATUS, actor=entered_by or subject, to_status=Status.RECEIVED
    )
    earlier = (
        DataSubjectRequest.objects.filter(
            same_person(email=email, subject=subject), type=type, status__in=OPEN_STATUSES
        )
        .exclude(pk=request.pk)
        .values_list("reference", flat=True)
    )
    if earlier:
        # Told to the DPO, never acted on: a duplicate is verified on its own.
        case_event_record(
            request,
            CaseEventKind.NOTE,
            actor=None,
            text=f"Possibly a duplicate of {', '.join(earlier)} (open, same type). It is "
            "verified on its own.",
        )
    return request


def transition_check(request: DataSubjectRequest, to: str) -> None:
    """Raise the status machine's refusal when the case cannot move to `to` now."""
    if to not in TRANSITIONS.get(request.status, frozenset()):
        target = Status(to).label.lower() if to in Status.values else repr(to)
        raise ValidationError(
            {
                "status": (
                    f"A case that is {request.get_status_display().lower()} cannot become {target}."
                )
            }
        )


@transaction.atomic
def dsar_transition(
    *, request: DataSubjectRequest, to: str, actor: User | None, text: str = ""
) -> DataSubjectRequest:
    """Apply one allowed move of the status machine and record it; refuse any other. A
    request becomes verified only through dsar_verify, which checks how."""
    if to == Status.VERIFIED:
        raise ValidationError(
            {
                "status": "A request is verified only by a verification (a fresh sign-in, the "
                "emailed link) or by the DPO with the reason it is not needed."
            }
        )
    return _transition(request=request, to=to, actor=actor, text=text)


def _transition(
    *, request: DataSubjectRequest, to: str, actor: User | None, text: str
) -> DataSubjectRequest:
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    transition_check(request, to)
    from_status = request.status
    request.status = to
    fields = ["status"]
    if to in CLOSING:
        request.closed_at = timezone.now()
        fields.append("closed_at")
    request.save(update_fields=fields)
    case_event_record(
        request,
        CaseEventKind.STATUS,
        actor=actor,
        text=text,
        from_status=from_status,
        to_status=to,
    )
    return request


# How a request is verified (§2: "No path — a duplicate, a request entered by staff, an
# agent — skips verification unless the DPO records why"):
# - REAUTHENTICATION: the person's own request, made signed in, after a fresh sign-in;
# - EMAIL_LINK (intake adds what matched): the single-use link sent to the address of a
#   public or staff-entered request, used (dsar.intake.dsar_verify_link);
# - WAIVED: the DPO, with the reason, e.g. an agent's signed authority checked, or a
#   letter with proof of identity on file.
REAUTHENTICATION = "re-authentication"
EMAIL_LINK = "email link"
WAIVED = "waived"
SIGNED_IN_CHANNELS = frozenset({Channel.WEB, Channel.API})
LINK_CHANNELS = frozenset({Channel.PUBLIC_FORM, Channel.STAFF})


def is_dpo(user: User | None) -> bool:
    return bool(
        user is not None and user.is_active and user.is_staff and (user.is_dpo or user.is_superuser)
    )


def verification_refusal(
    request: DataSubjectRequest, *, actor: User | None, method: str, waived_reason: str = ""
) -> dict[str, str] | None:
    """Why this cannot verify the request (field -> message), or None. The one rule every
    path to "verified" passes."""
    if method == WAIVED:
        if not waived_reason.strip():
            return {"verification_waived_reason": "Say why this request skips verification."}
        if not is_dpo(actor):
            return {"verification_waived_reason": "Only the DPO may verify without the checks."}
        return None
    if method == REAUTHENTICATION:
        if (
            request.channel in SIGNED_IN_CHANNELS
            and request.subject_id is not None
            and actor is not None
            and actor.pk == request.subject_id
        ):
            return None
        return {
            "verification_method": "A fresh sign-in verifies only the person's own request, "
            "made while signed in."
        }
    if method.startswith(EMAIL_LINK):
        link_used = request.verification_expires_at is not None and not (
            request.verification_token_hash
        )
        if request.channel in LINK_CHANNELS and actor is None and link_used:
            return None
        return {
            "verification_method": "The emailed link verifies a public or staff-entered "
            "request once it is used; an agent's request needs the DPO to check the authority."
        }
    return {"verification_method": f"Unknown verification method {method!r}."}


@transaction.atomic
def dsar_verify(
    *, request: DataSubjectRequest, actor: User | None, method: str, waived_reason: str = ""
) -> DataSubjectRequest:
    """Mark a request verified. `method` says how (re-authentication, emailed link and
    matched details, ...); "waived" needs the DPO and their reason, which is recorded."""
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    refusal = verification_refusal(request, actor=actor, method=method, waived_reason=waived_reason)
    if refusal is not None:
        raise ValidationError(refusal)
    request = _transition(request=request, to=Status.VERIFIED, actor=actor, text=method)
    request.verified_at = timezone.now()
    request.verification_method = method
    request.verification_waived_reason = waived_reason.strip()
    request.save(update_fields=["verified_at", "verification_method", "verification_waived_reason"])
    return request


@transaction.atomic
def dsar_extend(
    *, request: DataSubjectRequest, actor: User, reason: str, today: date | None = None
) -> DataSubjectRequest:
    """Extend once, with a reason told to the subject, before the first deadline."""
    today = today or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"extension_reason": "Give the reason the subject will be told."})
    if request.type == RequestType.CCPA_OPT_OUT:
        raise ValidationError(
            {
                "extension_reason": (
                    "An opt-out of sale or sharing is not extended: act on it by "
                    f"{request.respond_by:%d %B %Y}."
                )
            }
        )
    received = timezone.localdate(request.received_at)
    if not deadlines.extension_allowed(request.jurisdiction, received, today):
        raise ValidationError(
            {
                "extension_reason": (
                    f"Too late to extend: the subject had to be told before "
                    f"{request.respond_by:%d %B %Y}."
                )
            }
        )
    request = dsar_transition(request=request, to=Status.EXTENDED, actor=actor, text=reason.strip())
    request.extension_reason = reason.strip()
    request.save(update_fields=["extension_reason"])
    # "The controller shall inform the data subject of any such extension ... together
    # with the reasons for the delay" (Art. 12(3)): told now, in the same transaction.
    case_email_send(
        request,
        subject=f"Your request {request.reference}: we need more time",
        body=(
            f"We need more time to answer your request ({request.get_type_display()}).\n\n"
            f"Why: {request.extension_reason}\n\n"
            f"We will answer by {request.extended_respond_by:%d %B %Y}."
        ),
        actor=actor,
    )
    return request


@transaction.atomic
def dsar_refuse(*, request: DataSubjectRequest, actor: User, reason: str) -> DataSubjectRequest:
    """Refuse (manifestly unfounded or excessive) with the written reason sent to the
    subject."""
    if not reason.strip():
        raise ValidationError({"refusal_reason": "Write the reason the subject will be sent."})
    request = dsar_transition(request=request, to=Status.REFUSED, actor=actor, text=reason.strip())
    request.refusal_reason = reason.strip()
    request.save(update_fields=["refusal_reason"])
    case_email_send(
        request,
        subject=f"Your request {request.reference}: we cannot act on it",
        body=(
            f"We cannot act on your request ({request.get_type_display()}).\n\n"
            f"Why: {request.refusal_reason}\n\n"
            "If you disagree, you can complain to the data protection authority where you "
            "live (in the UK the Information Commissioner's Office, ico.org.uk; in "
            "California the California Privacy Protection Agency, cppa.ca.gov) or go to court."
        ),
        actor=actor,
    )
    return request


def _locked_open(request: DataSubjectRequest) -> DataSubjectRequest:
    """The case as it is now, locked for this transaction (two DPOs at once act in turn,
    each on the other's result), and refused when it is closed."""
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError(f"Case {request.reference} is closed.")
    return request


@transaction.atomic
def dsar_assign(
    *, request: DataSubjectRequest, assignee: User | None, actor: User
) -> DataSubjectRequest:
    request = _locked_open(request)
    request.assignee = assignee
    request.save(update_fields=["assignee"])
    case_event_record(
        request,
        CaseEventKind.ASSIGNED,
        actor=actor,
        text=assignee.email if assignee is not None else "unassigned",
    )
    return request


@transaction.atomic
def dsar_note(*, request: DataSubjectRequest, actor: User, text: str) -> CaseEvent:
    if not text.strip():
        raise ValidationError({"text": "Write the note."})
    return case_event_record(request, CaseEventKind.NOTE, actor=actor, text=text.strip())


@transaction.atomic
def dsar_clock_stop(*, request: DataSubjectRequest, actor: User, on: date) -> DataSubjectRequest:
    """UK: the clock waits for identity documents; restarting adds the days back."""
    request = _locked_open(request)
    if request.jurisdiction != "uk":
        raise ValidationError({"clock_stopped_on": "Only UK requests wait for identity documents."})
    if request.clock_stopped_on is not None:
        raise ValidationError({"clock_stopped_on": "The clock has already been stopped."})
    request.clock_stopped_on = on
    request.save(update_fields=["clock_stopped_on"])
    case_event_record(request, CaseEventKind.CLOCK, actor=actor, text=f"stopped on {on:%Y-%m-%d}")
    return request


@transaction.atomic
def dsar_clock_restart(*, request: DataSubjectRequest, actor: User, on: date) -> DataSubjectRequest:
    request = _locked_open(request)
    if request.clock_stopped_on is None or request.clock_restarted_on is not None:
        raise ValidationError({"clock_restarted_on": "The clock is not stopped."})
    if on < request.clock_stopped_on:
        raise ValidationError({"clock_restarted_on": "It cannot restart before it stopped."})
    request.clock_restarted_on = on
    request.respond_by = deadlines.clock_paused(request.respond_by, request.clock_stopped_on, on)
    request.extended_respond_by = deadlines.clock_paused(
        request.extended_respond_by, request.clock_stopped_on, on
    )
    request.save(update_fields=["clock_restarted_on", "respond_by", "extended_respond_by"])
    case_event_record(request, CaseEventKind.CLOCK, actor=actor, text=f"restarted on {on:%Y-%m-%d}")
    return request


# --- legal holds ---------------------------------------------------------------------


def legal_holds_active(subject: User, *, today: date | None = None) -> list[LegalHold]:
    return list(LegalHold.objects.active(today).filter(subject=subject))


@transaction.atomic
def legal_hold_check(
    *, subject: User | None, reason: str, until: date | None, animal: Animal | None
) -> None:
    """What a hold needs, as field errors (the admin's form shows them beside the fields)."""
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Name the claim, investigation or order."
    if until is not None and until < timezone.localdate():
        errors["until"] = "The end date must be today or later."
    if animal is not None and subject is not None and animal.owner_id != subject.pk:
        errors["animal"] = "Choose one of the subject's own animals."
    if errors:
        raise ValidationError(errors)


def legal_hold_place(
    *,
    subject: User,
    reason: str,
    actor: User,
    until: date | None = None,
    animal: Animal | None = None,
) -> LegalHold:
    """A hold on the whole subject (erasure refuses), or with `animal` on that animal and
    its records only (erasure erases the rest and leaves them)."""
    legal_hold_check(subject=subject, reason=reason, until=until, animal=animal)
    return LegalHold.objects.create(
        subject=subject,
        reason=reason.strip(),
        until=until,
        placed_by=actor,
        animal=animal,
        scope=f"{animal.name} (animal {animal.pk}) and its records" if animal else "everything",
    )


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, actor: User) -> LegalHold:
    if hold.lifted_at is not None:
        raise ValidationError({"lifted_at": "This hold was already lifted."})
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor
    # A lifted hold no longer keeps the animal (the database's PROTECT would, forever);
    # what it covered stays in `scope`.
    hold.animal = None
    hold.save(update_fields=["lifted_at", "lifted_by", "animal"])
    return hold
