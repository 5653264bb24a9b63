"""Date inputs show their value: an <input type="date"> can only display YYYY-MM-DD, so a
date rendered in the site's locale (en-GB, dd/mm/yyyy) shows as an empty box and the form
then fails "Date is required" (issue 7 §2.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from records.forms import entry_form_class
from records.models import Entry, EntryKind, EntrySource
from records.practices import services as svc
from tests.conftest import client_for
from tests.factories import EntryFactory
from tests.html_forms import form_data

NOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def _render(form: forms.BaseForm) -> str:
    return render_to_string("includes/form_fields.html", {"form": form})


@pytest.mark.django_db
def test_owner_entry_form_bound_from_an_instance_shows_iso_dates(rex):
    entry = EntryFactory(
        animal=rex,
        kind=EntryKind.VACCINATION,
        occurred_on=dt.date(2026, 3, 1),
        vaccine_product="Nobivac L4",
        next_due_on=dt.date(2027, 3, 1),
    )
    html = _render(entry_form_class(EntryKind.VACCINATION)(instance=entry))

    assert 'value="2026-03-01"' in html
    assert 'value="2027-03-01"' in html
    assert "01/03/2026" not in html


class _PlainDateForm(forms.Form):
    # Declared the way a form written without the shared accounts.forms.DateInput would be.
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def test_every_type_date_widget_renders_iso_whoever_declared_it():
    html = _render(_PlainDateForm(initial={"day": dt.date(2026, 12, 31)}))

    assert 'type="date"' in html
    assert 'value="2026-12-31"' in html


@pytest.mark.django_db
def test_vets_entry_form_starts_with_todays_date_and_saves_it_unchanged(
    now_favorite, carol, riverside, rex
):
    carol_client = client_for(carol)
    url = reverse("practices:workspace_entry_create", args=[riverside.pk, rex.pk])
    page = carol_client.get(url).content.decode()
    data = form_data(page)
    assert data["occurred_on"] == ["2026-03-10"]

    data["notes"] = ["Bright and alert."]
    response = carol_client.post(url, data)

    assert response.status_code == 302, response.content.decode()
    entry = Entry.objects.get(animal=rex, source=EntrySource.PRACTICE)
    assert entry.occurred_on == dt.date(2026, 3, 10)


@pytest.mark.django_db
def test_owner_edit_entry_form_posted_back_unchanged_keeps_its_dates(alice_client, rex):
    entry = EntryFactory(
        animal=rex,
        kind=EntryKind.VACCINATION,
        occurred_on=dt.date(2026, 3, 1),
        vaccine_product="Nobivac L4",
        next_due_on=dt.date(2027, 3, 1),
    )
    url = reverse("records:entry_edit", args=[entry.pk])
    data = form_data(alice_client.get(url).content.decode())

    response = alice_client.post(url, data)

    assert response.status_code == 302, response.content.decode()
    entry.refresh_from_db()
    assert (entry.occurred_on, entry.next_due_on) == (dt.date(2026, 3, 1), dt.date(2027, 3, 1))


@pytest.fixture
def now_favorite(alice, rex, riverside, carol):
    return svc.favorite_create(owner=alice, practice=riverside)
