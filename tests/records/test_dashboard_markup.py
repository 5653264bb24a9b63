"""The dashboard's cards and invitations are written by records.pages, not a template loop
(issue 10): the same markup the templates wrote, every text escaped as they escaped it, and
the page read in one query (the cards with their next vaccination due, and the invitations)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import escape

from records import services
from records.models import AnimalAccess, Breed, Permission
from tests.api.files import png
from tests.conftest import client_for
from tests.factories import AnimalFactory, EntryFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = "<b>&'\"</b>"

# What templates/records/_animal_cards.html wrote for the cards before (issue 10).
CARDS_TEMPLATE = """<ul class="cards">{% for card in cards %}
<li class="card">
  <a class="card-link" href="{{ card.url }}">
    {% if card.photo_url %}
    <img class="animal-photo" src="{{ card.photo_url }}" alt="" loading="lazy">
    {% else %}<div class="species-badge" aria-hidden="true">{{ card.species }}</div>{% endif %}
    <h3>{{ card.name }}</h3>
  </a>
  <p class="muted">{{ card.facts }}</p>
  {% if card.shared_by %}<p class="muted">Shared with you by {{ card.shared_by }}</p>{% endif %}
  {% if card.due %}
    <p>Next vaccination: <span data-vaccine-due class="tag {{ card.urgency }}">{{ card.due }}</span>
      <span class="muted">({{ card.product }})</span></p>
  {% else %}<p class="muted">No vaccination due on record.</p>{% endif %}
</li>{% endfor %}</ul>"""


def squeeze(markup: str) -> str:
    """Markup without the whitespace between and around tags (templates leave plenty)."""
    markup = re.sub(r"\s+", " ", markup)
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", markup).strip()


def card_lists(page: str) -> list[str]:
    return [squeeze(m) for m in re.findall(r'<ul class="cards">.*?</ul>', page, re.S)]


def test_the_cards_are_the_markup_the_template_wrote(alice, alice_client, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
    breed = Breed.objects.get(name="Border Collie")
    herd = AnimalFactory(owner=alice, name=f"Flock {HOSTILE}", is_group=True, head_count=12)
    bella = AnimalFactory(
        owner=alice, name="Bella", breed=breed, deceased=True, group=herd, photo=png("b.png")
    )
    zed = AnimalFactory(owner=alice, name="Zed")
    lender = UserFactory(email="lender@example.com", full_name=f"Len {HOSTILE}")
    daisy = AnimalFactory(owner=lender, name="Daisy")
    AnimalAccess.objects.create(animal=daisy, user=alice, permission=Permission.VIEW)
    for animal, due, product in (
        (zed, dt.date(2026, 6, 20), f"Rabisin {HOSTILE}"),
        (herd, dt.date(2026, 5, 1), "Bovilis"),
    ):
        EntryFactory(
            animal=animal,
            kind="vaccination",
            occurred_on=dt.date(2025, 5, 1),
            vaccine_product=product,
            next_due_on=due,
        )

    page = alice_client.get(reverse("records:home")).content.decode()

    def card(animal, **shown):
        return {"url": f"/animals/{animal.pk}/", "name": animal.name, **shown}

    animals = [
        card(
            bella,
            photo_url=f"/animals/{bella.pk}/photo/",
            species="Dog",
            facts="Dog · Border Collie · died",
        ),
        card(daisy, species="Dog", facts="Dog", shared_by=lender.full_name),
        card(
            zed,
            species="Dog",
            facts="Dog",
            due="due soon, 20 Jun 2026",
            urgency="soon",
            product=f"Rabisin {HOSTILE}",
        ),
    ]
    herds = [
        card(
            herd,
            species="Dog",
            facts="Dog · 12 head",
            due="overdue since 1 May 2026",
            urgency="overdue",
            product="Bovilis",
        )
    ]
    template = Template(CARDS_TEMPLATE)
    expected = [squeeze(template.render(Context({"cards": cards}))) for cards in (animals, herds)]
    assert card_lists(page) == expected
    assert HOSTILE not in page and escape(HOSTILE) in page


def test_an_invitation_is_the_markup_the_template_wrote(alice, bob, rex):
    rex.name = f"Rex {HOSTILE}"
    rex.save()
    alice.full_name = f"Alice {HOSTILE}"
    alice.save()
    invitation = services.invitation_create(
        animal=rex, invited_by=alice, email="BOB@example.com", permission="edit"
    )

    page = client_for(bob).get(reverse("records:home")).content.decode()

    answer = reverse("records:invitation_answer", args=[invitation.token])
    assert squeeze(
        f"<li>Alice {escape(HOSTILE)} invited you to view and edit the records of "
        f"<strong>Rex {escape(HOSTILE)}</strong> (Dog). "
        f'<a href="{answer}">Answer the invitation</a></li>'
    ) in squeeze(page)


def test_only_open_invitations_to_the_user_are_shown(alice, bob, rex, time_machine):
    from records.models import CoOwnerInvitation

    time_machine.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC))
    services.invitation_create(
        animal=rex, invited_by=alice, email="bob@example.com", permission="view"
    )
    answered = services.invitation_create(
        animal=AnimalFactory(owner=alice, name="Answered"),
        invited_by=alice,
        email="bob@example.com",
        permission="view",
    )
    CoOwnerInvitation.objects.filter(pk=answered.pk).update(status="declined")
    services.invitation_create(
        animal=AnimalFactory(owner=alice, name="Elsewhere"),
        invited_by=alice,
        email="someone@example.com",
        permission="view",
    )
    bob_client = client_for(bob)

    page = bob_client.get(reverse("records:home")).content.decode()
    assert "Rex" in page and "Answered" not in page and "Elsewhere" not in page

    time_machine.move_to(dt.datetime(2027, 6, 1, 9, tzinfo=dt.UTC))  # long expired
    assert "Invitations for you" not in bob_client.get(reverse("records:home")).content.decode()


def test_the_dashboard_reads_its_cards_and_invitations_in_one_query(alice, alice_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        EntryFactory(
            animal=AnimalFactory(owner=alice),
            kind="vaccination",
            vaccine_product="Nobivac",
            next_due_on=dt.date(2030, 1, 1),
        )
    alice_client.get(reverse("records:home"))  # warm: the session, the account, the policy

    with CaptureQueriesContext(connection) as ctx:
        alice_client.get(reverse("records:home"))

    # The page's own reads (the session and the account may come from the cache or not).
    reads = [q["sql"] for q in ctx.captured_queries if "records_" in q["sql"]]
    assert len(reads) == 1, reads
    assert "records_entry" in reads[0] and "records_coownerinvitation" in reads[0]
