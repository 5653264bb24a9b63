"""Who may use each web and API view of the practice side (DESIGN.md rule 1).

Personas: the owner (alice), another owner (bob), staff of the favorited practice
(carol, Riverside), staff of another practice (dave, Hilltop), a staff member who left
Riverside (lena), and an emergency-share holder (erin, Harbour) before and after the share
expires; and anonymous. Objects a persona may not know exist answer 404, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import client_for

PERSONAS = [
    "owner",
    "other_owner",
    "fav_staff",
    "other_staff",
    "left_staff",
    "share_holder",
    "share_expired",
    "anonymous",
]
SIGNED_IN = set(PERSONAS) - {"anonymous"}


@dataclass
class World:
    users: dict[str, Any]
    own_practice: dict[str, int]
    riverside: int
    rex: int
    favorite: int
    share: int
    request: int


@pytest.fixture
def world(
    favorite,
    record_request,
    emergency_share,
    alice,
    bob,
    carol,
    dave,
    lena,
    erin,
    rex,
    tom,
    riverside,
    hilltop,
    harbour,
):
    users = {
        "owner": alice,
        "other_owner": bob,
        "fav_staff": carol,
        "other_staff": dave,
        "left_staff": lena,
        "share_holder": erin,
        "share_expired": erin,
        "anonymous": None,
    }
    own = {
        "owner": riverside.pk,
        "other_owner": riverside.pk,
        "fav_staff": riverside.pk,
        "other_staff": hilltop.pk,
        "left_staff": riverside.pk,
        "share_holder": harbour.pk,
        "share_expired": harbour.pk,
        "anonymous": riverside.pk,
    }
    return World(
        users, own, riverside.pk, rex.pk, favorite.pk, emergency_share.pk, record_request.pk
    )


def _csv():
    return SimpleUploadedFile(
        "records.csv",
        b"animal,kind,date,vaccine_product\n985141000123456,vaccination,2026-01-10,Nobivac DHP\n",
        content_type="text/csv",
    )


# (id, web or api, method, url(world, persona), personas allowed, status when allowed, body)
VIEWS: list[tuple[str, str, str, Any, set[str], int, Any]] = [
    # the owner's own objects
    (
        "favorite detail",
        "web",
        "get",
        lambda w, p: f"/favorites/{w.favorite}/",
        {"owner"},
        200,
        None,
    ),
    (
        "favorite remove page",
        "web",
        "get",
        lambda w, p: f"/favorites/{w.favorite}/remove/",
        {"owner"},
        200,
        None,
    ),
    (
        "favorite remove",
        "web",
        "post",
        lambda w, p: f"/favorites/{w.favorite}/remove/",
        {"owner"},
        302,
        {},
    ),
    (
        "share revoke",
        "web",
        "post",
        lambda w, p: f"/emergency-shares/{w.share}/revoke/",
        {"owner"},
        302,
        {},
    ),
    (
        "api favorite detail",
        "api",
        "get",
        lambda w, p: f"/api/v1/favorites/{w.favorite}/",
        {"owner"},
        200,
        None,
    ),
    (
        "api favorite delete",
        "api",
        "delete",
        lambda w, p: f"/api/v1/favorites/{w.favorite}/",
        {"owner"},
        200,
        None,
    ),
    (
        "api share revoke",
        "api",
        "post",
        lambda w, p: f"/api/v1/emergency-shares/{w.share}/revoke/",
        {"owner"},
        200,
        {},
    ),
    (
        "favorite change page",
        "web",
        "get",
        lambda w, p: f"/favorites/{w.favorite}/change/",
        {"owner"},
        200,
        None,
    ),
    (
        "favorite change",
        "web",
        "post",
        lambda w, p: f"/favorites/{w.favorite}/change/",
        {"owner"},
        302,
        {"which": "all", "kinds": ["vaccination"]},
    ),
    (
        "api favorite change",
        "api",
        "patch",
        lambda w, p: f"/api/v1/favorites/{w.favorite}/",
        {"owner"},
        200,
        {"kinds": ["vaccination"]},
    ),
    # an animal through the persona's own practice
    (
        "workspace animal",
        "web",
        "get",
        lambda w, p: f"/workspace/{w.own_practice[p]}/animals/{w.rex}/",
        {"fav_staff", "share_holder"},
        200,
        None,
    ),
    (
        "workspace add entry page",
        "web",
        "get",
        lambda w, p: f"/workspace/{w.own_practice[p]}/animals/{w.rex}/entries/new/",
        {"fav_staff", "share_holder"},
        200,
        None,
    ),
    (
        "workspace add entry",
        "web",
        "post",
        lambda w, p: f"/workspace/{w.own_practice[p]}/animals/{w.rex}/entries/new/",
        {"fav_staff", "share_holder"},
        302,
        {"kind": "examination", "occurred_on": "2026-03-02", "notes": "Bright, alert."},
    ),
    (
        "api workspace animal",
        "api",
        "get",
        lambda w, p: f"/api/v1/workspace/{w.own_practice[p]}/animals/{w.rex}/",
        {"fav_staff", "share_holder"},
        200,
        None,
    ),
    (
        "api workspace add entry",
        "api",
        "post",
        lambda w, p: f"/api/v1/workspace/{w.own_practice[p]}/animals/{w.rex}/entries/",
        {"fav_staff", "share_holder"},
        201,
        {"kind": "clinical_note", "occurred_on": "2026-03-02", "notes": "Seen."},
    ),
    # Riverside's workspace
    (
        "workspace clients",
        "web",
        "get",
        lambda w, p: f"/workspace/{w.riverside}/",
        {"fav_staff"},
        200,
        None,
    ),
    (
        "request queue",
        "web",
        "get",
        lambda w, p: f"/workspace/{w.riverside}/requests/",
        {"fav_staff"},
        200,
        None,
    ),
    (
        "request detail",
        "web",
        "get",
        lambda w, p: f"/workspace/{w.riverside}/requests/{w.request}/",
        {"fav_staff"},
        200,
        None,
    ),
    (
        "request answer",
        "web",
        "post",
        lambda w, p: f"/workspace/{w.riverside}/requests/{w.request}/",
        {"fav_staff"},
        302,
        {"answer": "1", "note": "All added."},
    ),
    (
        "redeem page",
        "web",
        "get",
        lambda w, p: f"/workspace/{w.riverside}/redeem/",
        {"fav_staff"},
        200,
        None,
    ),
    (
        "leave page",
        "web",
        "get",
        lambda w, p: f"/workspace/{w.riverside}/leave/",
        {"fav_staff"},
        200,
        None,
    ),
    (
        "staff list (admins only)",
        "web",
        "get",
        lambda w, p: f"/workspace/{w.riverside}/staff/",
        set(),
        200,
        None,
    ),
    (
        "api clients",
        "api",
        "get",
        lambda w, p: f"/api/v1/workspace/{w.riverside}/clients/",
        {"fav_staff"},
        200,
        None,
    ),
    (
        "api requests",
        "api",
        "get",
        lambda w, p: f"/api/v1/workspace/{w.riverside}/requests/",
        {"fav_staff"},
        200,
        None,
    ),
    (
        "api request answer",
        "api",
        "post",
        lambda w, p: f"/api/v1/workspace/{w.riverside}/requests/{w.request}/answer/",
        {"fav_staff"},
        200,
        {"note": "Done."},
    ),
    (
        "api request import",
        "api",
        "post-file",
        lambda w, p: f"/api/v1/workspace/{w.riverside}/requests/{w.request}/import/",
        {"fav_staff"},
        200,
        None,
    ),
    (
        "api redeem",
        "api",
        "post",
        lambda w, p: f"/api/v1/workspace/{w.riverside}/emergency-shares/redeem/",
        {"fav_staff"},
        400,
        {"code": "WRONGCODE1"},
    ),
    # pages everyone signed in may open (what they show is checked below)
    ("find a practice", "web", "get", lambda w, p: "/practices/?q=Riverside", SIGNED_IN, 200, None),
    (
        "favorite form",
        "web",
        "get",
        lambda w, p: f"/practices/{w.riverside}/favorite/",
        SIGNED_IN,
        200,
        None,
    ),
    (
        "api find a practice",
        "api",
        "get",
        lambda w, p: "/api/v1/practices/?q=Bristol",
        SIGNED_IN,
        200,
        None,
    ),
]


def _request(client: Client, kind: str, method: str, url: str, body: Any):
    if method == "post-file":
        return client.post(url, {"file": _csv(), "dry_run": "true"})
    if kind == "api" and method in ("post", "delete", "patch"):
        return getattr(client, method)(url, body or {}, content_type="application/json")
    if method == "post":
        return client.post(url, body or {})
    return client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "view_id,kind,method,url,allowed,ok_status,body", VIEWS, ids=[v[0] for v in VIEWS]
)
def test_each_view_answers_each_persona(
    world, persona, view_id, kind, method, url, allowed, ok_status, body, time_machine
):
    if persona == "share_expired":
        time_machine.shift(timedelta(hours=73))
    user = world.users[persona]
    client = client_for(user) if user else Client()
    response = _request(client, kind, method, url(world, persona), body)
    if persona == "anonymous":
        if kind == "web":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 401
    elif persona in allowed:
        assert response.status_code == ok_status, getattr(response, "content", b"")[:500]
    else:
        assert response.status_code == 404


# List pages: everyone signed in gets 200, and only the right people see alice's data.
LISTS = [
    ("favorites", "web", "/favorites/", "Riverside Vets", {"owner"}),
    ("api favorites", "api", "/api/v1/favorites/", "Riverside Vets", {"owner"}),
    ("emergency shares", "web", "/emergency-shares/", "Rex", {"owner"}),
    ("api emergency shares", "api", "/api/v1/emergency-shares/", "expires_at", {"owner"}),
    ("access log", "web", "/access-log/", "Carol Vet", {"owner"}),
    ("api access log", "api", "/api/v1/access-log/", "Carol Vet", {"owner"}),
    ("api record requests", "api", "/api/v1/record-requests/", "Riverside Vets", {"owner"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(SIGNED_IN))
@pytest.mark.parametrize("list_id,kind,url,marker,who_sees", LISTS, ids=[v[0] for v in LISTS])
def test_lists_show_an_owners_data_only_to_them(
    world, persona, list_id, kind, url, marker, who_sees, carol, time_machine
):
    # carol reads Rex's record once, so alice's access log has a row naming her
    client_for(carol).get(f"/workspace/{world.riverside}/animals/{world.rex}/")
    if persona == "share_expired":
        time_machine.shift(timedelta(hours=73))
    response = client_for(world.users[persona]).get(url)
    assert response.status_code == 200
    assert (marker in response.content.decode()) == (persona in who_sees)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(SIGNED_IN))
@pytest.mark.parametrize("kind", ["web", "api"])
def test_workspace_client_list_shows_alice_only_to_practices_she_shares_with(
    world, persona, kind, time_machine
):
    if persona == "share_expired":
        time_machine.shift(timedelta(hours=73))
    practice = world.own_practice[persona]
    url = f"/workspace/{practice}/" if kind == "web" else f"/api/v1/workspace/{practice}/clients/"
    response = client_for(world.users[persona]).get(url)
    staff_now = {"fav_staff", "other_staff", "share_holder", "share_expired"}
    if persona not in staff_now:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    # Alice is listed where she shares; her name only where her favorite shares her
    # profile — an emergency share shows her animals under a label (issue 7 §1.7).
    assert ("Rex" in body) == (persona in {"fav_staff", "share_holder"})
    assert ("Alice Owner" in body) == (persona == "fav_staff")
    assert ("name not shared" in body) == (persona == "share_holder")
