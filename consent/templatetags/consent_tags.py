"""{% cookie_banner %} and {% analytics_scripts %} for templates/base.html."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from consent.cookies import BANNER_WORDING, analytics_allowed, cookie_choice

register = template.Library()


# The banner, written here rather than by an inclusion tag's template: it is on every page
# until the visitor chooses, and the tag's context copy and template cost a tenth of a
# signed-in page (issue 10). Accepting and refusing weigh the same: neither button is the
# primary one.
_BANNER = (
    '<section class="cookie-banner" aria-label="Cookies on VetPass" id="cookie-banner">\n'
    '  <div class="wrap">\n'
    "    <h2>Cookies on VetPass</h2>\n"
    "    <p>{wording}</p>\n"
    '    <form method="post" action="{cookies_url}" class="cookie-banner-form">\n'
    '      <input type="hidden" name="csrfmiddlewaretoken" value="{csrf_token}">\n'
    '      <input type="hidden" name="next" value="{next}">\n'
    '      <button type="submit" name="analytics" value="yes" class="button secondary">'
    "Accept analytics cookies</button>\n"
    '      <button type="submit" name="analytics" value="no" class="button secondary">'
    "Essential cookies only</button>\n"
    '      <a href="{cookies_url}">Cookie settings</a>\n'
    "    </form>\n"
    "  </div>\n"
    "</section>\n"
)


@register.simple_tag(takes_context=True)
def cookie_banner(context: template.Context) -> str:
    """The cookie banner, until the visitor has chosen (consent.cookies.cookie_choice)."""
    request = context.get("request")
    if request is None or cookie_choice(request) is not None:
        return ""
    # The layout's links, reversed once per process (vetpass.context_processors.nav_links).
    nav = context.get("nav") or {}
    return format_html(
        _BANNER,
        wording=BANNER_WORDING,
        cookies_url=nav.get("cookies") or reverse("consent:cookies"),
        csrf_token=str(context.get("csrf_token") or ""),
        next=request.get_full_path(),
    )


@register.simple_tag(takes_context=True)
def analytics_scripts(context: template.Context) -> str:
    """The analytics script, only after the visitor said yes to analytics cookies."""
    request = context.get("request")
    if request is None or not analytics_allowed(request):
        return ""
    return format_html('<script src="{}" defer></script>', static("js/consent-analytics.js"))
