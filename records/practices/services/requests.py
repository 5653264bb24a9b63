"""Record requests: a practice answers an owner's request by entering records or by
importing a file (records.practices.record_import validates it first).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vetpass.accounts.models import User

from ...models import (
    PracticeMembership,
    RecordRequest,
)
from ..record_import import ImportResult, RowError, records_import

# --- record requests -----------------------------------------------------------------


@transaction.atomic
def record_request_answer(
    *, record_request: RecordRequest, actor: User, note: str = "", entries_added: int = 0
) -> RecordRequest:
    if record_request.status == RecordRequest.Status.CLOSED:
        raise ValidationError("This request was closed by the owner.")
    record_request.status = RecordRequest.Status.ANSWERED
    record_request.answered_at = timezone.now()
    record_request.answered_by = actor
    if note:
        record_request.note = note
    record_request.entries_added += entries_added
    record_request.save()
    return record_request


@transaction.atomic
def record_request_import(
    *,
    record_request: RecordRequest,
    membership: PracticeMembership,
    content: bytes,
    filename: str,
    dry_run: bool,
) -> ImportResult:
    """Answer a request with a file of records: checked first, imported only when clean,
    and the request marked answered in the same transaction."""
    from ..selectors import request_animals

    if record_request.owner.is_restricted:
        # A restricted owner's records are read-only to practices (Art. 18): nothing is
        # imported, and a dry run says so before the practice prepares anything more.
        return ImportResult(
            errors=[
                RowError(
                    0,
                    "file",
                    "This owner's records are restricted while a data-protection request "
                    "is handled: they are read-only, so nothing can be imported.",
                )
            ]
        )
    animals = request_animals(membership.user, membership, record_request)
    result = records_import(
        content=content,
        filename=filename,
        animals=animals,
        practice=membership.practice,
        author=membership.user,
        dry_run=dry_run,
    )
    if result.imported:
        record_request_answer(
            record_request=record_request,
            actor=membership.user,
            entries_added=result.imported,
        )
    return result
