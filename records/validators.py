"""Validators shared by the web forms, the API and the services (they all call full_clean)."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils import timezone

_ISO_CHIP = re.compile(r"^\d{15}$")
_OLD_CHIP = re.compile(r"^[0-9A-Za-z]{9,10}$")


def normalise_microchip(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate_microchip(value: str) -> None:
    """ISO 11784/11785 chips carry 15 digits; older (AVID, FECAVA) chips 9 or 10 characters."""
    chip = normalise_microchip(value)
    if not chip:
        return
    if _ISO_CHIP.match(chip) or (_OLD_CHIP.match(chip) and len(chip) != 15):
        return
    raise ValidationError(
        "Enter a 15-digit ISO microchip number, or the 9 or 10 characters of an older chip.",
        code="microchip",
    )


def validate_not_future(value: date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError("This date cannot be in the future.", code="future")


def validate_positive(value: object) -> None:
    if value is not None and value <= 0:  # type: ignore[operator]
        raise ValidationError("Enter a number greater than zero.", code="not_positive")


DOCUMENT_TYPES = {
    # extension: (content type, magic bytes)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
}


def validate_document(file: UploadedFile | FieldFile) -> None:
    """PDF or image only, checked by extension and by the file's first bytes; at most 10 MB."""
    if not file:
        return
    limit = settings.MAX_UPLOAD_BYTES
    size = getattr(file, "size", 0) or 0
    if size > limit:
        raise ValidationError(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is {limit // 1024 // 1024} MB.",
            code="too_large",
        )
    name = (getattr(file, "name", "") or "").lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext not in DOCUMENT_TYPES:
        raise ValidationError(
            "Upload a PDF or an image (PNG, JPEG, GIF or WebP).", code="file_type"
        )
    _content_type, magics = DOCUMENT_TYPES[ext]
    pos = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(pos)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(
            "The file's contents do not match its type: upload a real PDF or image.",
            code="file_content",
        )


def validate_photo(file: UploadedFile | FieldFile) -> None:
    if not file:
        return
    name = (getattr(file, "name", "") or "").lower()
    if name.endswith(".pdf"):
        raise ValidationError("A photo must be an image.", code="file_type")
    validate_document(file)
