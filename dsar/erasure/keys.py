"""The keyed hashes and the signing key of erasure (settings.ERASURE_SIGNING_KEY).

One secret: the Ed25519 private key that signs certificates, whose bytes also key the
HMACs (separated by a label), so that an erased address can be recognised but not read
back, and a tombstone address is unique without naming anyone."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ERASED_DOMAIN = "erased.invalid"


def _secret() -> bytes:
    return bytes.fromhex(settings.ERASURE_SIGNING_KEY)


def keyed_hash(value: str, *, label: str) -> str:
    return hmac.new(_secret(), f"{label}:{value}".encode(), hashlib.sha256).hexdigest()


def email_hash(email: str) -> str:
    """What the erased-subject register stores for an address (case-insensitive)."""
    return keyed_hash(email.strip().lower(), label="erased-subject")


def is_erased_value(value: str) -> bool:
    return value.endswith(f"@{ERASED_DOMAIN}") or value.startswith("hmac:")


def erased_value(value: str, *, email: bool, row: object = "") -> str:
    """The replacement of one value: a unique address that names no one, or `hmac:<hex>`.
    The row's id is hashed in, so the same address erased twice (a person who came back
    and was erased again) gives two different tombstones. An already erased value is
    returned unchanged, so running erasure again is a no-op."""
    if is_erased_value(value):
        return value
    digest = keyed_hash(f"{row}:{value.strip().lower()}", label="erased-value")
    return f"erased-{digest[:40]}@{ERASED_DOMAIN}" if email else f"hmac:{digest}"


def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_secret())


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_hex() -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
