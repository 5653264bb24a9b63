"""Reads of data-subject requests that carry a rule: a person sees only their own."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from vetpass.accounts.models import User

from .models import DataSubjectRequest, Status


def requests_of(user: User) -> QuerySet[DataSubjectRequest]:
    if not user.is_authenticated:
        return DataSubjectRequest.objects.none()
    return DataSubjectRequest.objects.filter(subject=user).order_by("-received_at")


def get_request_of(user: User, reference: str) -> DataSubjectRequest:
    request = requests_of(user).filter(reference=reference).first()
    if request is None:
        raise Http404
    return request


def due_q(**lookup: date) -> Q:
    """Compare the date a case is due now (the extended date once extended), e.g.
    `due_q(lt=today)` for overdue cases."""
    ((op, value),) = lookup.items()
    return Q(status=Status.EXTENDED, **{f"extended_respond_by__{op}": value}) | (
        ~Q(status=Status.EXTENDED) & Q(**{f"respond_by__{op}": value})
    )


def same_person(*, email: str, subject: User | None) -> Q:
    """Requests of one person: by their account, or by the address they gave (in any
    capitals). The rate limits and the duplicate check count with it, so changing the
    case of an address does not make a new person."""
    q = Q(email__iexact=email.strip())
    return q | Q(subject=subject) if subject is not None else q
