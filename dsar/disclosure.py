"""California Civil Code §1798.83 ("Shine the Light"): a customer may ask, once a
calendar year, what personal information a business disclosed in the immediately
preceding calendar year to third parties for those third parties' direct-marketing
purposes, the categories, and the names and addresses of those third parties.

VetPass discloses nobody's personal information to third parties for their direct
marketing: the answer says so, for the year it covers. It is built from the ledger's
purposes (consent.Purpose: its Kantara category and whether it discloses to a third
party), so a marketing purpose that disclosed to third parties would show up in it
rather than be contradicted by it. The answer is emailed when the case completes
(dsar.casework.dsar_complete); a second request in the same calendar year is refused
at intake with the date the next one is possible (dsar.services.dsar_create).
"""

from __future__ import annotations

from datetime import date

from consent.models import Purpose
from vetpass.accounts.models import User

from .models import DataSubjectRequest, RequestType, Status
from .selectors import same_person

MARKETING_CATEGORY = "Marketing"


def disclosure_year(received: date) -> int:
    """The calendar year the disclosure covers: the one before the request (§1798.83(a))."""
    return received.year - 1


def disclosure_refusal(*, email: str, subject: User | None, received: date) -> date | None:
    """The date the next disclosure request is possible when this person already made one
    this calendar year, else None (counted per person: the account, or the email given;
    refused and unverified requests do not count)."""
    earlier = DataSubjectRequest.objects.filter(
        type=RequestType.CCPA_DISCLOSURE, received_at__year=received.year
    ).exclude(status__in=[Status.CLOSED_UNVERIFIED, Status.REFUSED])
    earlier = earlier.filter(same_person(email=email, subject=subject))
    if not earlier.exists():
        return None
    return date(received.year + 1, 1, 1)


def _categories(purposes: list[Purpose]) -> list[str]:
    seen: dict[str, None] = {}
    for purpose in purposes:
        for category in purpose.pii_categories.split(";"):
            if category.strip():
                seen.setdefault(category.strip(), None)
    return list(seen)


def disclosure_text(request: DataSubjectRequest) -> str:
    """The §1798.83 answer for the request's person and the year it covers."""
    from django.utils import timezone

    year = disclosure_year(timezone.localdate(request.received_at))
    to_marketers = list(
        Purpose.objects.filter(category=MARKETING_CATEGORY, third_party_disclosure=True)
    )
    shared = list(
        Purpose.objects.filter(third_party_disclosure=True).exclude(category=MARKETING_CATEGORY)
    )
    lines = [
        f"California Civil Code section 1798.83 disclosure for calendar year {year}.",
        "",
    ]
    if not to_marketers:
        lines += [
            "VetPass does not disclose personal information to third parties for their "
            "direct-marketing purposes. In "
            f"{year} we disclosed no personal information about you to any third party for "
            "its direct-marketing purposes.",
            "Categories of personal information disclosed for third parties' direct "
            "marketing: none.",
        ]
    else:
        names = ", ".join(p.name for p in to_marketers)
        lines += [
            f"In {year} personal information was disclosed to third parties for their "
            f"direct-marketing purposes only where you agreed to it ({names}).",
            "Categories of personal information disclosed: "
            + ", ".join(_categories(to_marketers))
            + ".",
        ]
    if shared:
        lines += [
            "",
            "We share personal information with third parties only for purposes you choose, "
            "and never for their own marketing: "
            + "; ".join(f"{p.name} ({p.pii_categories})" for p in shared)
            + ".",
        ]
    lines += [
        "",
        "You may ask for this disclosure once each calendar year.",
    ]
    return "\n".join(lines)
