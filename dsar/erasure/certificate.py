"""The signed erasure certificate: the case, the time and the manifest (counts only) as
canonical JSON, signed with Ed25519 (settings.ERASURE_SIGNING_KEY)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature

from dsar.models import DataSubjectRequest, ErasureCertificate

from . import keys


def canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def certificate_issue(
    *, case: DataSubjectRequest, manifest: dict[str, Any], subject_hash: str, at: datetime
) -> ErasureCertificate:
    payload = canonical(
        {
            "reference": case.reference,
            "request_id": case.pk,
            "erased_at": at.isoformat(),
            "subject_hash": subject_hash,
            "manifest": manifest,
        }
    )
    return ErasureCertificate.objects.create(
        reference=case.reference,
        request=case,
        payload=payload,
        signature=keys.signing_key().sign(payload.encode()).hex(),
        public_key=keys.public_key_hex(),
        created_at=at,
    )


def certificate_problems(certificate: ErasureCertificate) -> list[str]:
    """Empty when the certificate is genuine: signed by our key over exactly this payload,
    for this case."""
    problems = []
    if certificate.public_key != keys.public_key_hex():
        problems.append("it names a public key that is not VetPass's erasure key")
    try:
        keys.public_key().verify(bytes.fromhex(certificate.signature), certificate.payload.encode())
    except (InvalidSignature, ValueError):
        problems.append("the signature does not match the payload")
    try:
        reference = json.loads(certificate.payload).get("reference")
    except ValueError:
        reference = None
    if reference != certificate.reference:
        problems.append("the payload is for another case")
    return problems
