"""Real browser: the site works at phone width and by keyboard alone.

- At 375×740 the key pages do not scroll sideways, and their heading and main action show.
- Every page checked has one <h1>, the four landmarks, a label for each form control, alt
  text on images; the weight chart has a <title>; urgency tags say it in words too.
- An owner signs in, adds an animal and a weight using the keyboard alone, starting from
  the skip link; the focused element always has a visible focus style; a failed form's
  error summary takes the focus and its links move the focus to the field.

Set VETPASS_SCREENSHOTS=/some/dir to save a screenshot of each page at both widths.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from records import practice_services as svc
from records.models import EntryKind
from tests.e2e.conftest import sign_in
from tests.factories import (
    PASSWORD,
    AnimalFactory,
    EntryFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = os.environ.get("VETPASS_SCREENSHOTS")


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.fixture
def world(e2e_data):
    """Alice with Rex (weights, one overdue and one soon vaccination), favoriting Riverside,
    where Carol is a vet who has opened Rex's record; Hilltop is another practice in town."""
    today = timezone.localdate()
    alice = verified(UserFactory(email="alice@example.com", full_name="Alice Owner"))
    rex = AnimalFactory(owner=alice, name="Rex")
    for days, kg in ((300, "21.5"), (200, "23.0"), (100, "24.2"), (10, "23.8")):
        EntryFactory(
            animal=rex,
            kind=EntryKind.WEIGHT,
            occurred_on=today - dt.timedelta(days=days),
            weight_value=kg,
            weight_unit="kg",
        )
    EntryFactory(
        animal=rex,
        kind=EntryKind.VACCINATION,
        vaccine_product="Nobivac DHP",
        occurred_on=today - dt.timedelta(days=400),
        next_due_on=today - dt.timedelta(days=35),
    )
    EntryFactory(
        animal=rex,
        kind=EntryKind.VACCINATION,
        vaccine_product="Nobivac L4",
        occurred_on=today - dt.timedelta(days=350),
        next_due_on=today + dt.timedelta(days=10),
    )
    riverside = PracticeFactory(name="Riverside Veterinary Surgery and Small Animal Hospital")
    hilltop = PracticeFactory(name="Hilltop Vets")
    carol = verified(UserFactory(email="carol.vet@example.com", full_name="Carol Vet"))
    MembershipFactory(practice=riverside, user=carol)
    svc.favorite_create(owner=alice, practice=riverside, already_client=True)
    return {
        "alice": alice,
        "rex": rex,
        "riverside": riverside,
        "hilltop": hilltop,
        "carol": carol,
    }


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


# One script, run in the page, that reports what is wrong with it.
AUDIT = """() => {
  const vw = window.innerWidth;
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > vw + 1) {
    const wide = [...document.querySelectorAll('body *')]
      .filter(el => el.getBoundingClientRect().right > vw + 1)
      .filter(el => !el.closest('.table-scroll'))
      .slice(0, 5).map(el => el.tagName + '.' + el.className + ' ' + el.getBoundingClientRect().right);
    problems.push('scrolls sideways: ' + doc.scrollWidth + ' > ' + vw + ' ' + wide.join(' | '));
  }
  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) problems.push(h1s.length + ' h1 elements');
  for (const [sel, name] of [['body > header, [role=banner]', 'header'], ['nav', 'nav'],
                              ['main', 'main'], ['body > footer, [role=contentinfo]', 'footer']]) {
    if (!document.querySelector(sel)) problems.push('no ' + name + ' landmark');
  }
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one main');
  const named = el => {
    if (el.getAttribute('aria-label')) return true;
    const by = el.getAttribute('aria-labelledby');
    if (by && by.split(/\\s+/).some(id => (document.getElementById(id) || {}).textContent)) return true;
    if (el.labels && [...el.labels].some(l => l.textContent.trim())) return true;
    if (el.tagName === 'BUTTON') return el.textContent.trim() !== '';
    if (el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type)) return !!el.value;
    return !!el.getAttribute('title');
  };
  for (const el of document.querySelectorAll('input, select, textarea, button')) {
    if (el.type === 'hidden' || el.hidden) continue;
    if (!named(el)) problems.push('no label: ' + el.outerHTML.slice(0, 120));
  }
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push('img without alt: ' + img.src);
  }
  for (const svg of document.querySelectorAll('svg[role=img]')) {
    const title = svg.querySelector('title');
    if (!title || !title.textContent.trim()) problems.push('svg chart without a title');
  }
  const words = {overdue: /overdue/i, soon: /soon/i};
  for (const tag of document.querySelectorAll('[data-vaccine-due].overdue, [data-vaccine-due].soon')) {
    const kind = tag.classList.contains('overdue') ? 'overdue' : 'soon';
    if (!words[kind].test(tag.textContent)) problems.push(kind + ' tag in colour only: ' + tag.textContent.trim());
  }
  return problems;
}"""

IN_VIEW = """(el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.left >= -1 && r.right <= window.innerWidth + 1;
}"""


def check_page(page, name: str, primary: str, width: str) -> None:
    """The page passes the audit; its h1 and its primary action show, within the width."""
    shoot(page, f"{width}-{name}")
    problems = page.evaluate(AUDIT)
    assert problems == [], f"{name} at {width} width: {problems}"
    for selector in ("h1", primary):
        element = page.locator(selector).first
        assert element.is_visible(), f"{name}: {selector} is hidden"
        assert element.evaluate(IN_VIEW), f"{name}: {selector} sticks out of the page"


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_key_pages_fit_the_screen_and_pass_basic_accessibility_checks(
    live_server, e2e_data, world, new_page, width
):
    viewport = PHONE if width == "phone" else DESKTOP
    url = live_server.url
    rex, riverside, hilltop = world["rex"], world["riverside"], world["hilltop"]

    visitor = new_page(viewport=viewport)
    for path, name, primary in (
        ("/", "landing", "main a:has-text('Create an account')"),
        ("/accounts/login/", "sign-in", "main button:has-text('Sign in')"),
        ("/accounts/signup/", "sign-up", "main button[type=submit]"),
    ):
        visitor.goto(url + path)
        check_page(visitor, name, primary, width)

    vet = new_page(viewport=viewport)
    sign_in(vet, live_server, world["carol"].email, PASSWORD)
    vet.click("#cookie-banner button:has-text('Essential cookies only')")
    vet.goto(f"{url}/workspace/{riverside.pk}/animals/{rex.pk}/")  # logged in her access log
    vet.goto(f"{url}/workspace/{riverside.pk}/")
    check_page(vet, "workspace-clients", "main a:has-text('Rex')", width)

    owner = new_page(viewport=viewport)
    sign_in(owner, live_server, world["alice"].email, PASSWORD)
    check_page(owner, "dashboard-with-banner", "main a:has-text('Add an animal or herd')", width)
    owner.click("#cookie-banner button:has-text('Essential cookies only')")
    pages = (
        ("/", "dashboard", "main a:has-text('Add an animal or herd')"),
        (f"/animals/{rex.pk}/", "animal", "main a:has-text('Add a record')"),
        (f"/animals/{rex.pk}/entries/add/?kind=weight", "add-weight", "main button[type=submit]"),
        ("/practices/?q=Bristol", "find-a-practice", "main .cards a"),
        (f"/practices/{hilltop.pk}/favorite/", "favorite-form", "main button[type=submit]"),
        ("/privacy/", "privacy-centre", "main form button"),
        ("/access-log/", "access-log", "main td:has-text('Carol Vet')"),
    )
    for path, name, primary in pages:
        owner.goto(url + path)
        if name == "add-weight":
            owner.fill("input[name=occurred_on]", "")
            owner.click("main button[type=submit]")
            owner.locator(".error-summary").wait_for()
            name = "add-weight-with-errors"
        check_page(owner, name, primary, width)
    owner.goto(f"{url}/animals/{rex.pk}/")
    assert owner.locator("svg[role=img] > title").text_content() == "Weight of Rex"
    assert "overdue" in owner.locator("ol.timeline").inner_text()
