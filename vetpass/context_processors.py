import time
from collections.abc import Callable
from html import escape

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

# "Is this person practice staff?" only shows the Workspace link (the workspace itself
# checks membership on every request), so each process keeps the answer for a minute
# instead of asking on every page (issue 10). records forgets a person's answer in this
# process when one of their memberships is saved or deleted (records.apps); other
# processes see it within STAFF_TTL.
STAFF_TTL = 60.0
STAFF_MAX = 10_000
_staff: dict[object, tuple[bool, float]] = {}


def practice_staff_forget(user_id: object = None) -> None:
    """Forget one person's answer (or everyone's) in this process."""
    if user_id is None:
        _staff.clear()
    else:
        _staff.pop(user_id, None)


def _is_practice_staff(user: object) -> bool:
    pk = user.pk  # type: ignore[attr-defined]
    now = time.monotonic()
    known = _staff.get(pk)
    if known is not None and known[1] > now:
        return known[0]
    answer = bool(user.memberships.filter(left_at__isnull=True).exists())  # type: ignore[attr-defined]
    if len(_staff) >= STAFF_MAX:
        _staff.clear()
    _staff[pk] = (answer, now + STAFF_TTL)
    return answer


# The layout's links (templates/base.html), reversed once per process and URL prefix
# instead of thirteen `{% url %}` reversals on every page (issue 10). The same for every
# person: nothing in them depends on who asks.
NAV_ROUTES = {
    "home": ("records:home", ()),
    "animals": ("records:animal_list", ()),
    "reminders": ("records:reminder_list", ()),
    "messages": ("records:conversation_list", ()),
    "favorites": ("practices:favorites", ()),
    "appointments": ("practices:appointments", ()),
    "shares": ("practices:emergency_shares", ()),
    "search": ("practices:search", ()),
    "workspace": ("practices:workspace_home", ()),
    "privacy": ("consent:home", ()),
    "access_log": ("practices:access_log", ()),
    "admin": ("admin:index", ()),
    "profile": ("accounts:profile", ()),
    "logout": ("account_logout", ()),
    "login": ("account_login", ()),
    "signup": ("account_signup", ()),
    "cookies": ("consent:cookies", ()),
    "privacy_policy": ("consent:policy", ("privacy",)),
    "terms": ("consent:policy", ("terms",)),
}
_nav: dict[str, dict[str, str]] = {}


def nav_links() -> dict[str, str]:
    prefix = get_script_prefix()
    links = _nav.get(prefix)
    if links is None:
        links = {key: reverse(name, args=args) for key, (name, args) in NAV_ROUTES.items()}
        _nav[prefix] = links
    return links


# The signed-in layout's menu (templates/base.html), in its order: (link, label, whether
# the link is marked as the current page when it is). Written here in Python, once per
# request, where the template's two dozen lookups and comparisons cost more than the rest
# of the layout (issue 10); tests/test_layout_nav.py holds it to the template it replaced.
_MENU_BEFORE_STAFF = (
    ("home", "Dashboard"),
    ("animals", "Animals"),
    ("reminders", "Due reminders"),
    ("messages", "Messages"),
    ("favorites", "Your practices"),
    ("appointments", "Appointments"),
    ("shares", "Emergency shares"),
    ("search", "Find a practice"),
)
_MENU_AFTER_STAFF = (("privacy", "Privacy centre"), ("access_log", "Who looked at my records"))


def _menu_item(links: dict[str, str], key: str, label: str, path: str, current: bool = True) -> str:
    href = links[key]
    mark = ' aria-current="page"' if current and path == href else ""
    return f'<li><a href="{escape(href)}"{mark}>{label}</a></li>'


def nav_items(request: HttpRequest, user: object, is_staff: Callable[[], bool]) -> SafeString:
    """The signed-in menu's items (the <li>s inside the layout's <ul>), as one safe string."""
    links = nav_links()
    path = request.path
    items = [_menu_item(links, key, label, path) for key, label in _MENU_BEFORE_STAFF]
    if is_staff():
        items.append(_menu_item(links, "workspace", "Workspace", path))
    items += [_menu_item(links, key, label, path) for key, label in _MENU_AFTER_STAFF]
    if getattr(user, "is_dpo", False):
        items.append(_menu_item(links, "admin", "Data protection admin", path, current=False))
    items.append(_menu_item(links, "profile", "Your profile", path))
    items.append(
        f'<li>\n<form method="post" action="{escape(links["logout"])}" class="inline">\n'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        '<button type="submit" class="link">Sign out</button>\n</form>\n</li>'
    )
    return mark_safe("\n".join(items))  # noqa: S308 - every value above is escaped


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)

    def is_practice_staff() -> bool:
        # Only for showing the Workspace link; the workspace itself checks membership.
        if user is None or not user.is_authenticated:
            return False
        return _is_practice_staff(user)

    return {
        "SITE_NAME": "VetPass",
        "DEBUG": settings.DEBUG,
        "is_practice_staff": SimpleLazyObject(is_practice_staff),
        "nav": nav_links(),
        # Called by the template (a callable), only on a signed-in page.
        "nav_items": lambda: nav_items(request, user, is_practice_staff),
    }
