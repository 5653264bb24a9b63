"""{% cookie_banner %} and {% analytics_scripts %} for templates/base.html."""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from consent.cookies import BANNER_WORDING, analytics_allowed, cookie_choice

register = template.Library()


@register.inclusion_tag("consent/_cookie_banner.html", takes_context=True)
def cookie_banner(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"show_banner": False}
    if cookie_choice(request) is not None:
        return {"show_banner": False}
    # The layout's links, reversed once per process (vetpass.context_processors.nav_links).
    nav = context.get("nav") or {}
    return {
        "show_banner": True,
        "wording": BANNER_WORDING,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
        "cookies_url": nav.get("cookies") or reverse("consent:cookies"),
    }


@register.simple_tag(takes_context=True)
def analytics_scripts(context: template.Context) -> str:
    """The analytics script, only after the visitor said yes to analytics cookies."""
    request = context.get("request")
    if request is None or not analytics_allowed(request):
        return ""
    return format_html('<script src="{}" defer></script>', static("js/consent-analytics.js"))
