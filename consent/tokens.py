"""Signed, single-purpose tokens for links in emails.

An unsubscribe token names one subject and one purpose and nothing else, so it can only
ever turn that one purpose off for that one person. It never expires: the unsubscribe
link in a years-old email must still work (RFC 8058 asks the link to keep working).
A different salt per use means an unsubscribe token is not a pixel token, and vice versa.
"""

from __future__ import annotations

from django.core import signing

UNSUBSCRIBE_SALT = "consent.unsubscribe.v1"
PIXEL_SALT = "consent.pixel.v1"


class BadToken(Exception):
    pass


def _signer(salt: str) -> signing.Signer:
    return signing.Signer(salt=salt)


def unsubscribe_token(subject_key: str, purpose_code: str) -> str:
    return _signer(UNSUBSCRIBE_SALT).sign_object({"s": subject_key, "p": purpose_code})


def unsubscribe_token_read(token: str) -> tuple[str, str]:
    """(subject_key, purpose_code), or BadToken for anything tampered or malformed."""
    try:
        data = _signer(UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise BadToken(str(exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), str):
        raise BadToken("malformed token")
    if not isinstance(data.get("p"), str):
        raise BadToken("malformed token")
    return data["s"], data["p"]


def pixel_token(user_id: int, campaign: str) -> str:
    return _signer(PIXEL_SALT).sign_object({"u": user_id, "c": campaign})


def pixel_token_read(token: str) -> tuple[int, str]:
    try:
        data = _signer(PIXEL_SALT).unsign_object(token)
        return int(data["u"]), str(data["c"])
    except (signing.BadSignature, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise BadToken(str(exc)) from exc
