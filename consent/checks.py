"""RFC 8058 asks for an HTTPS unsubscribe URI: the links in marketing email are built from
SITE_URL, so outside DEBUG it must be https."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register()
def site_url_is_https(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.DEBUG or settings.SITE_URL.startswith("https://"):
        return []
    return [
        Warning(
            "SITE_URL is not https: List-Unsubscribe links in marketing email must be HTTPS "
            "(RFC 8058), and mail providers ignore one-click unsubscribe otherwise.",
            hint="Set SITE_URL=https://… in the environment.",
            id="consent.W001",
        )
    ]
