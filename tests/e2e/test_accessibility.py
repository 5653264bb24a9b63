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

from records.models import EntryKind
from records.practices import services as svc
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
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=not name.startswith("keyboard"))


# One script, run in the page, that reports what is wrong with it.
AUDIT = """() => {
  const vw = window.innerWidth;
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > vw + 1) {
    const wide = [...document.querySelectorAll('body *')]
      .filter(el => el.getBoundingClientRect().right > vw + 1)
      .filter(el => !el.closest('.table-scroll'))
      .slice(0, 5)
      .map(el => el.tagName + '.' + el.className + ' ' + el.getBoundingClientRect().right);
    problems.push('scrolls sideways: ' + doc.scrollWidth + ' > ' + vw + ' ' + wide.join(' | '));
  }
  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) problems.push(h1s.length + ' h1 elements');
  for (const [sel, name] of [['body > header, [role=banner]', 'header'], ['nav', 'nav'],
                              ['main', 'main'], ['body > footer, [role=contentinfo]', 'footer']]) {
    if (!document.querySelector(sel)) problems.push('no ' + name + ' landmark');
  }
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one main');
  const navs = document.querySelectorAll('nav');
  if (navs.length > 1 && [...navs].some(n => !n.getAttribute('aria-label'))) {
    problems.push('several nav landmarks, not all named');
  }
  const named = el => {
    if (el.getAttribute('aria-label')) return true;
    const by = el.getAttribute('aria-labelledby');
    const text = id => (document.getElementById(id) || {}).textContent;
    if (by && by.split(/\\s+/).some(text)) return true;
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
  const dues = '[data-vaccine-due].overdue, [data-vaccine-due].soon';
  for (const tag of document.querySelectorAll(dues)) {
    const kind = tag.classList.contains('overdue') ? 'overdue' : 'soon';
    if (!words[kind].test(tag.textContent)) {
      problems.push(kind + ' tag in colour only: ' + tag.textContent.trim());
    }
  }
  return problems;
}"""

IN_VIEW = """(el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.left >= -1 && r.right <= window.innerWidth + 1;
}"""


def check_page(page, name: str, primary: str, width: str) -> None:
    """The page passes the audit; its h1 is on the first screen; it and the primary action
    show, within the width."""
    shoot(page, f"{width}-{name}")
    problems = page.evaluate(AUDIT)
    assert problems == [], f"{name} at {width} width: {problems}"
    top = page.locator("h1").evaluate("(el) => el.getBoundingClientRect().top")
    assert top < page.viewport_size["height"] - 40, f"{name}: the h1 is below the first screen"
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

    # Without JavaScript the main menu stays open: every link shows, and still fits.
    no_js = new_page(viewport=viewport, java_script_enabled=False)
    no_js.goto(url + "/accounts/login/")
    shoot(no_js, f"{width}-sign-in-without-javascript")
    assert no_js.locator("nav[aria-label=Main] a:has-text('Create an account')").is_visible()
    assert no_js.evaluate(AUDIT) == []

    vet = new_page(viewport=viewport)
    sign_in(vet, live_server, world["carol"].email, PASSWORD)
    vet.click("#cookie-banner button:has-text('Essential cookies only')")
    vet.goto(f"{url}/workspace/{riverside.pk}/animals/{rex.pk}/")  # logged in her access log
    vet.goto(f"{url}/workspace/{riverside.pk}/")
    check_page(vet, "workspace-clients", "main a:has-text('Rex')", width)

    owner = new_page(viewport=viewport)
    csp_violations = []
    owner.on(
        "console",
        lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else 0,
    )
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
        ("/privacy/history/", "consent-history", "main a.receipt-link"),
        ("/animals/", "animal-list", "main td a:has-text('Rex')"),
        ("/favorites/", "favorites", "main td a"),
        ("/reminders/", "due-reminders", "main form button"),
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
    if SHOTS:
        owner.locator(".chart svg").screenshot(path=f"{SHOTS}/{width}-chart.png")

    # The main menu: folded behind "Menu" on a phone, a row of links on a desktop.
    dashboard_link = owner.locator("nav[aria-label=Main] a:has-text('Dashboard')")
    if width == "phone":
        assert not dashboard_link.is_visible()
        owner.locator("nav[aria-label=Main] summary").focus()
        owner.keyboard.press("Enter")  # the menu button works from the keyboard too
        shoot(owner, "phone-menu-open")
        assert owner.evaluate(AUDIT) == []
    else:
        assert not owner.locator("nav[aria-label=Main] summary").is_visible()
    dashboard_link.click()
    owner.get_by_role("heading", name="Your animals").wait_for()
    assert csp_violations == []
    assert owner.locator("nav[aria-label=Main] a[aria-current=page]").all_text_contents() == [
        "Dashboard"
    ]


FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
    && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(s.outlineColor);
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const name = el.name || el.id || el.textContent.trim().slice(0, 30);
  return {shown: outline || shadow, what: el.tagName + ' ' + name
    + ' (outline ' + s.outlineStyle + ' ' + s.outlineColor + ', box-shadow ' + s.boxShadow + ')'};
}"""

FOCUSED_MATCHES = """([css, text]) => {
  const el = document.activeElement;
  return !!el && el.matches(css) && (!text || el.textContent.includes(text) || el.value === text);
}"""


def tab_to(page, css: str, text: str | None = None, limit: int = 40) -> None:
    """Press Tab until the focus is on `css` (with `text`), checking every stop shows it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SHOWN)
        assert focus["shown"], f"no visible focus on {focus['what']}"
        if page.evaluate(FOCUSED_MATCHES, [css, text]):
            return
    raise AssertionError(f"Tab never reached {css} {text or ''}")


def from_skip_link(page) -> None:
    """The first Tab on a page lands on the skip link, which moves the focus into <main>."""
    page.wait_for_load_state()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    tab_to(page, "a.skip-link", limit=1)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_an_owner_adds_an_animal_and_a_weight_with_the_keyboard_alone(
    live_server, e2e_data, world, new_page
):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    from_skip_link(page)
    tab_to(page, "input[name=login]")
    page.keyboard.type(world["alice"].email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your animals").wait_for()

    from_skip_link(page)
    tab_to(page, "a", "Add an animal or herd")
    shoot(page, "keyboard-focus-on-a-button-link")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Add an animal").wait_for()
    page.wait_for_load_state()

    # Sent empty: the error summary takes the focus; its link takes the focus to the field.
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.locator(".error-summary").wait_for()
    page.wait_for_load_state()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    tab_to(page, ".error-summary a", limit=1)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.name") == "name"
    assert page.evaluate(FOCUS_SHOWN)["shown"]
    shoot(page, "keyboard-focus-on-the-field-in-error")
    page.keyboard.type("Bramble")
    tab_to(page, "select[name=species]")
    page.keyboard.type("Dog")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Bramble", exact=True).wait_for()

    from_skip_link(page)
    tab_to(page, "a", "Add a record")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Add a record for Bramble").wait_for()
    page.wait_for_load_state()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    tab_to(page, "a.skip-link", limit=1)
    tab_to(page, "nav[aria-label=Main] a", "Find a practice")
    shoot(page, "keyboard-focus-in-the-main-menu")
    tab_to(page, "input[name=kind]")
    for _ in range(12):
        if page.evaluate("() => document.querySelector('input[name=kind]:checked')?.value") == (
            "weight"
        ):
            break
        page.keyboard.press("ArrowDown")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Add a weight").wait_for()
    page.wait_for_load_state()
    tab_to(page, "input[name=weight_value]")
    page.keyboard.type("12.5")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Bramble", exact=True).wait_for()
    assert "12.5 kg" in page.locator("ol.timeline").inner_text()
