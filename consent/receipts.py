"""Consent receipts in the Kantara Initiative Consent Receipt Specification v1.1 format.

One receipt per ledger event, so a person can prove what they agreed to (or withdrew),
when, through which screen and under which policy. Field names follow the specification
(version "KI-CR-v1.1.0"); VetPass's own details about the event (action, scope, chain
hash) are under the extension key "vetpass".
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse

from vetpass.accounts.models import User

from .models import Action, Channel, ConsentEvent, LawfulBasis
from .scopes import scope_labels
from .selectors import policy_versions_in_force

KANTARA_VERSION = "KI-CR-v1.1.0"
RECEIPT_NAMESPACE = uuid.UUID("8d0b6a6e-2f4b-4c39-9a3e-6b1f0c7d5e21")

# The controller named on every receipt; override with settings.VETPASS_CONTROLLER.
DEFAULT_CONTROLLER: dict[str, Any] = {
    "piiController": "VetPass Ltd",
    "onBehalf": False,
    "contact": "Data Protection Officer",
    "address": {
        "streetAddress": "1 Harbourside",
        "addressLocality": "Bristol",
        "postalCode": "BS1 5DB",
        "addressCountry": "GB",
    },
    "email": "dpo@vetpass.example",
    "phone": "+44 117 496 0000",
    "piiControllerUrl": "https://vetpass.example/",
}

CONTROLLER_JURISDICTION = "United Kingdom (UK GDPR)"

COLLECTION_METHODS = {
    Channel.WEB: "Web form in the VetPass privacy centre",
    Channel.API: "VetPass mobile app (API)",
    Channel.EMAIL_LINK: "Unsubscribe link in an email",
    Channel.ADMIN: "Recorded by the Data Protection Officer from a paper form or phone call",
    Channel.SYSTEM: "Recorded automatically by VetPass",
}

TERMINATION = (
    "Until you withdraw it: in the privacy centre at any time, or by the unsubscribe link in "
    "any marketing email. Withdrawal takes effect immediately."
)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def receipt_id(event: ConsentEvent) -> str:
    """Stable: the same event always gives the same receipt id."""
    return str(uuid.uuid5(RECEIPT_NAMESPACE, f"{event.pk}:{event.hash}"))


def _policy_url(event: ConsentEvent) -> str:
    version = event.policy_version
    if version is None:
        for in_force in policy_versions_in_force(event.created_at):
            if in_force.document.kind == "privacy":
                version = in_force
    if version is None:
        return absolute_url(reverse("consent:home"))
    return absolute_url(
        reverse("consent:policy_version", args=[version.document.kind, version.version])
    )


def _principal(event: ConsentEvent) -> tuple[str, str]:
    """(piiPrincipalId, jurisdiction)."""
    user = User.objects.filter(pk=event.subject_user_id).first() if event.subject_user_id else None
    if user is not None:
        return user.email, user.get_jurisdiction_display()
    # A person without an account: the controller's own jurisdiction applies.
    return event.subject_key.split(":", 1)[-1], CONTROLLER_JURISDICTION


def receipt_for(event: ConsentEvent) -> dict[str, Any]:
    principal, jurisdiction = _principal(event)
    purpose_entry: dict[str, Any]
    if event.action == Action.ACCEPT_POLICY and event.policy_version is not None:
        version = event.policy_version
        purpose_entry = {
            "purpose": f"Acceptance of the {version.document.title}, version {version.version}",
            "purposeCategory": ["Core function"],
            "consentType": "EXPLICIT",
            "piiCategory": ["Identity", "Contact details"],
            "primaryPurpose": True,
            "termination": "While you hold a VetPass account.",
            "thirdPartyDisclosure": False,
            "thirdPartyName": "",
        }
        service = version.document.title
    else:
        purpose = event.purpose
        assert purpose is not None
        third_party = ""
        if purpose.third_party_disclosure:
            third_party = scope_labels([event.scope]).get(event.scope, "") if event.scope else ""
            third_party = third_party or "Named in the purpose description"
        purpose_entry = {
            "purpose": f"{purpose.name}: {purpose.description}",
            "purposeCategory": [purpose.category] if purpose.category else [],
            "consentType": "EXPLICIT"
            if purpose.lawful_basis == LawfulBasis.CONSENT
            else "IMPLICIT",
            "piiCategory": [c.strip() for c in purpose.pii_categories.split(";") if c.strip()],
            "primaryPurpose": purpose.category == "Core function",
            "termination": TERMINATION,
            "thirdPartyDisclosure": purpose.third_party_disclosure,
            "thirdPartyName": third_party,
        }
        service = "VetPass"
    controller = getattr(settings, "VETPASS_CONTROLLER", DEFAULT_CONTROLLER)
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": jurisdiction,
        "consentTimestamp": int(event.created_at.timestamp()),
        "collectionMethod": COLLECTION_METHODS.get(event.channel, event.channel),  # type: ignore[call-overload]
        "consentReceiptID": receipt_id(event),
        "publicKey": "",
        "language": "en",
        "piiPrincipalId": principal,
        "piiControllers": [controller],
        "policyUrl": _policy_url(event),
        "services": [{"service": service, "purposes": [purpose_entry]}],
        "sensitive": False,
        "spiCat": [],
        "vetpass": {
            "eventId": event.pk,
            "action": event.action,
            "scope": event.scope,
            "channel": event.channel,
            "actorRole": event.actor_role,
            "wording": event.wording,
            "timestamp": event.created_at.isoformat(),
            "sequence": event.sequence,
            "hash": event.hash,
            "prevHash": event.prev_hash,
        },
    }
