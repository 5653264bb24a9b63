# ruff: noqa: E501 - the old template, line for line
"""The signed-in menu written in Python (vetpass.context_processors.nav_items, issue 10)
is the markup the layout's template wrote: the same links, labels, order, current-page
marks and sign-out form, for owners, practice staff and the DPO, on every menu page."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from tests.factories import MembershipFactory, UserFactory
from vetpass import context_processors
from vetpass.context_processors import nav_items, nav_links

pytestmark = pytest.mark.django_db

# templates/base.html's menu before issue 10 moved it into Python, word for word.
TEMPLATE = """
<li><a href="{{ nav.home }}"{% if request.path == nav.home %} aria-current="page"{% endif %}>Dashboard</a></li>
<li><a href="{{ nav.animals }}"{% if request.path == nav.animals %} aria-current="page"{% endif %}>Animals</a></li>
<li><a href="{{ nav.reminders }}"{% if request.path == nav.reminders %} aria-current="page"{% endif %}>Due reminders</a></li>
<li><a href="{{ nav.messages }}"{% if request.path == nav.messages %} aria-current="page"{% endif %}>Messages</a></li>
<li><a href="{{ nav.favorites }}"{% if request.path == nav.favorites %} aria-current="page"{% endif %}>Your practices</a></li>
<li><a href="{{ nav.appointments }}"{% if request.path == nav.appointments %} aria-current="page"{% endif %}>Appointments</a></li>
<li><a href="{{ nav.shares }}"{% if request.path == nav.shares %} aria-current="page"{% endif %}>Emergency shares</a></li>
<li><a href="{{ nav.search }}"{% if request.path == nav.search %} aria-current="page"{% endif %}>Find a practice</a></li>
{% if is_practice_staff %}<li><a href="{{ nav.workspace }}"{% if request.path == nav.workspace %} aria-current="page"{% endif %}>Workspace</a></li>{% endif %}
<li><a href="{{ nav.privacy }}"{% if request.path == nav.privacy %} aria-current="page"{% endif %}>Privacy centre</a></li>
<li><a href="{{ nav.access_log }}"{% if request.path == nav.access_log %} aria-current="page"{% endif %}>Who looked at my records</a></li>
{% if user.is_dpo %}<li><a href="{{ nav.admin }}">Data protection admin</a></li>{% endif %}
<li><a href="{{ nav.profile }}"{% if request.path == nav.profile %} aria-current="page"{% endif %}>Your profile</a></li>
<li>
  <form method="post" action="{{ nav.logout }}" class="inline">
    <input type="hidden" name="csrfmiddlewaretoken" value="{{ csrf_token }}"><button type="submit" class="link">Sign out</button>
  </form>
</li>
"""

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def _normal(html: str) -> str:
    """Whitespace between tags is not part of the page; a CSRF token is new each time."""
    html = CSRF.sub(r'\1TOKEN"', html)
    return re.sub(r">\s+<", "><", html.strip())


def _both(user, path: str, staff: bool) -> tuple[str, str]:
    request = RequestFactory().get(path)
    request.user = user
    expected = Template(TEMPLATE).render(
        Context(
            {
                "nav": nav_links(),
                "request": request,
                "user": user,
                "is_practice_staff": staff,
                "csrf_token": "x",
            }
        )
    )
    return _normal(str(nav_items(request, user, lambda: staff))), _normal(expected)


MENU_PATHS = ["home", "animals", "reminders", "messages", "favorites", "appointments"]
MENU_PATHS += ["shares", "search", "workspace", "privacy", "access_log", "admin", "profile"]


@pytest.mark.parametrize("page", MENU_PATHS + ["elsewhere"])
@pytest.mark.parametrize(("staff", "dpo"), [(False, False), (True, False), (True, True)])
def test_the_menu_is_the_templates_menu(page, staff, dpo):
    user = UserFactory(is_dpo=dpo)
    path = nav_links().get(page, "/somewhere/else/")
    got, expected = _both(user, path, staff)
    assert got == expected
    marked = page not in ("elsewhere", "admin") and (page != "workspace" or staff)
    assert got.count('aria-current="page"') == int(marked)


def test_the_sign_out_form_carries_the_requests_csrf_token():
    user = UserFactory()
    request = RequestFactory().get("/")
    request.user = user
    html = str(nav_items(request, user, lambda: False))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token and len(token.group(1)) == 64
    assert request.META["CSRF_COOKIE"]  # get_token: the cookie is set on the response


def test_a_signed_in_page_shows_the_menu_and_the_workspace_link_only_to_staff(client):
    owner = UserFactory()
    client.force_login(owner)
    page = client.get(nav_links()["animals"]).content.decode()
    assert f'<a href="{nav_links()["animals"]}" aria-current="page">Animals</a>' in page
    assert "Workspace</a>" not in page
    vet = MembershipFactory().user
    context_processors.practice_staff_forget()
    client.force_login(vet)
    page = client.get(nav_links()["animals"]).content.decode()
    assert f'<a href="{nav_links()["workspace"]}">Workspace</a>' in page
    assert page.count('name="csrfmiddlewaretoken"') >= 1
