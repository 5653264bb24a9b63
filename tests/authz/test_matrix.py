"""The generated authorisation matrix (issue 7, DESIGN.md rules 1 and 2): every route of
the URLconf and every operation of the OpenAPI schema, for every persona, against the
declaration in tests/authz/declarations.py (declared_web.py, declared_api.py).

Each (route, method, persona) checks the status, that the body names no one the persona
may not know of, that a refused write changed nothing, and that a staff member's or the
DPO's look at an owner's data wrote one access-log row. A route with no declaration, or
a declaration for a route that is gone, fails `test_every_route_is_declared`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve

from tests.authz import vocabulary as d
from tests.authz.declarations import ROUTES
from tests.authz.routes import api_operations, url_patterns
from tests.authz.world import ADMIN_ONLY_PERSONAS, MARKERS, World

# What each persona may never see in a body (MARKERS keys).
FORBIDDEN = {
    "anonymous": ["alice", "biscuit", "vic", "eddie", "bob", "rita"],
    "owner": ["bob", "rita"],
    "coowner_view": ["biscuit", "eddie", "bob", "rita"],
    "coowner_edit": ["biscuit", "vic", "bob", "rita"],
    "other_owner": ["alice", "biscuit", "vic", "eddie", "rita"],
    "fav_staff": ["biscuit", "vic", "eddie", "bob", "rita"],
    "practice_admin": ["biscuit", "vic", "eddie", "bob", "rita"],
    "other_staff": ["alice", "biscuit", "vic", "eddie", "bob", "rita"],
    "leaver": ["alice", "biscuit", "vic", "eddie", "bob", "rita"],
    "share_holder": ["biscuit", "vic", "eddie", "bob", "rita"],
    "share_expired": ["alice", "biscuit", "vic", "eddie", "bob", "rita"],
    "restricted": ["alice", "biscuit", "vic", "eddie", "bob"],
    "dpo": ["alice", "biscuit", "vic", "eddie", "bob", "rita"],
    # DPOs the admin's MFA gate refuses see no one there
    "dpo_no_mfa": ["alice", "biscuit", "vic", "eddie", "bob", "rita"],
    "dpo_mfa_unused": ["alice", "biscuit", "vic", "eddie", "bob", "rita"],
}
# Whose looks are access-logged (rule 2): practice staff and the DPO.
LOGGED = {"fav_staff", "practice_admin", "other_staff", "leaver", "share_holder", "share_expired"}
LOGGED_DPO = LOGGED | {"dpo"}

ADMIN_PERSONAS = ["anonymous", "owner", "practice_admin", "dpo", *ADMIN_ONLY_PERSONAS]
ALLAUTH_PERSONAS = ["anonymous", "owner", "fav_staff", "dpo"]
# Where the admin's MFA gate sends a DPO who has not set up MFA, or not used it to sign in.
MFA_PAGE = {
    "dpo_no_mfa": "/accounts/2fa/totp/activate/",
    "dpo_mfa_unused": "/accounts/2fa/reauthenticate/?next=",
}


# --- routes: what must be declared -------------------------------------------------------


def _key(route: str, name: str) -> str:
    return name or route


def _group(route: str) -> str | None:
    if route.startswith("admin/"):
        return "admin"
    if route.startswith(("accounts/", "_allauth/")):
        return "allauth"
    return None


def test_every_route_is_declared():
    patterns = url_patterns()
    undeclared = [_key(r, n) for r, n in patterns if _group(r) is None and _key(r, n) not in ROUTES]
    assert undeclared == []
    existing = {_key(r, n) for r, n in patterns}
    stale = sorted(k for k in ROUTES if k not in existing)
    assert stale == []


def _schema_op_to_route(method: str, path: str) -> tuple[str, str]:
    concrete = re.sub(r"\{[^}]+\}", "1", path)
    return resolve(concrete).view_name, method


def test_every_api_operation_is_declared():
    missing = []
    for method, path in api_operations():
        name, method = _schema_op_to_route(method, path)
        route = ROUTES.get(name)
        if route is None or method not in route.methods:
            missing.append(f"{method} {path}")
    assert missing == []


def test_every_declared_api_method_is_in_the_schema():
    in_schema = {_schema_op_to_route(m, p) for m, p in api_operations()}
    extra = [
        (name, method)
        for name, route in ROUTES.items()
        if route.kind == d.A and name not in ("api:schema", "api:docs")
        for method in route.methods
        if (name, method) not in in_schema
    ]
    assert extra == []


# --- generic groups: the admin and allauth ---------------------------------------------------


def _admin_url(route: str, w: World) -> str:
    m = re.match(r"admin/(\w+)/(\w+)/", route)
    url = route
    if "<path:object_id>" in route and m:
        url = url.replace("<path:object_id>", str(w.ids["admin_objects"].get(m.group(2), 1)))
    url = url.replace("<id>", str(w.users["owner"].pk))
    if "<int:pk>/act/<str:action>" in url and m:
        url = url.replace("<int:pk>", str(w.ids["admin_objects"].get(m.group(2), 1)))
        url = url.replace("<str:action>", "note")
    url = url.replace("<path:content_type_id>/<path:object_id>", "1/1")
    url = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "records/", url)
    url = url.replace("(?P<url>.*)$", "no-such-page/")
    return "/" + url


def _allauth_url(route: str) -> str:
    url = re.sub(r"<(?:\w+:)?(\w+)>", "x", route)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", "x", url)
    return "/" + url.replace("^", "").replace("$", "")


# The admin is the DPO's (is_staff + is_dpo, not a superuser, TOTP set up and used to sign
# in this session); everyone else is sent to sign in, and a DPO without MFA to allauth's
# MFA pages (to set up an authenticator app, or to confirm a code from it). What the DPO
# may do there:
# - the consent ledger and policies (consent/admin.py), with a paper consent as the one add;
# - read, never change, the data they work cases on (vetpass/accounts/backends.py:
#   people, animals and their records, practices and their staff, favorites, shares,
#   record requests, the access log), each look at a person access-logged (rule 2);
# - their casework (dsar/admin.py);
# - nothing else: schedules, groups, credentials, the outbox answer 403.
CONSENT_MODELS = {"consentevent", "purpose", "policydocument"}
DPO_READS = {
    "practicesubscriptionend",
    "favorite",
    "emergencyshare",
    "accesslog",
    "listaccesslog",  # the access log's list form (issue 10)
    "animal",
    "entry",
    "user",
    "recordrequest",
    "species",
    "breed",
    "practice",
    "practicemembership",
    "joinrequest",
}
# Pages that show no person (reference data, the access log itself: reading it is not
# logged, or every page of it would add a row per row shown).
NOT_A_PERSON = {
    "purpose",
    "policydocument",
    "species",
    "breed",
    "accesslog",
    "listaccesslog",
    # a practice's subscription end and what was done about it: dates and counts
    "practicesubscriptionend",
}
# A practice's page shows its staff: one row per member (Carol, Pam and Lena at Riverside).
PAGE_LOGS = {"practice": 3}
# The DPO's casework (dsar/admin.py): the case file and its action pages, legal holds
# (placed with the add form, lifted by an action); each look at a person's case is logged.
DSAR_MODELS = {"datasubjectrequest", "legalhold"}
# The retention sweep's record (dsar/retention/admin.py): its notices show a person each
# (logged), its runs show counts only.
RETENTION_MODELS = {"inactivitynotice", "retentionrun"}
ADMIN_PAGES = {
    "admin:index": d.OK,
    "admin:login": d.PAGE,
    "admin:logout": d.PAGE,
    "admin:password_change": d.OK,
    "admin:password_change_done": d.OK,
    "admin:autocomplete": d.REFUSED,  # without its parameters
    "admin:jsi18n": d.OK,
    "admin:view_on_site": d.PAGE,
    "admin:app_list": d.PAGE,  # which apps it lists depends on the DPO's reads
    "admin:auth_user_password_change": d.REFUSED,
}


def _admin_expect(route: str, name: str) -> tuple[Any, Any, int]:
    """(outcome for others, DPO outcome, access-log rows for the DPO) for one admin route."""
    if name in ("admin:login", "admin:logout"):
        return d.PAGE, d.PAGE, 0
    if name in ADMIN_PAGES:
        return d.LOGIN, ADMIN_PAGES[name], 0
    m = re.match(r"admin/(\w+)/(\w+)/(.*)$", route)
    if not m:  # the catch-all
        return d.LOGIN, d.NOT_FOUND, 0
    model, rest = m.group(2), m.group(3)
    action = "changelist"
    for a in ("add", "history", "delete", "change"):
        if rest.startswith(f"<path:object_id>/{a}") or rest == f"{a}/":
            action = a
    if rest == "<path:object_id>/":
        return d.LOGIN, d.OK, 0  # redirects to the change page
    if model in DSAR_MODELS:
        if action == "delete" or (action == "add" and model != "legalhold"):
            return d.LOGIN, d.REFUSED, 0
        shows_a_case = action in ("change", "history") or "/act/" in rest
        return d.LOGIN, d.OK, 1 if shows_a_case else (1 if action == "changelist" else 0)
    if model in RETENTION_MODELS:  # read-only: the sweep is the one writer
        if action in ("add", "delete"):
            return d.LOGIN, d.REFUSED, 0
        if model == "retentionrun":
            return d.LOGIN, d.OK, 0
        if action == "changelist":
            return d.LOGIN, d.OK, ("list", model)
        return d.LOGIN, d.OK, 1
    readable = CONSENT_MODELS | DPO_READS
    if model not in readable or action == "delete":
        return d.LOGIN, d.REFUSED, 0
    if action == "add":
        return d.LOGIN, (d.OK if model == "consentevent" else d.REFUSED), 0
    logs: Any = 0
    if action in ("change", "history") and model not in NOT_A_PERSON:
        logs = PAGE_LOGS.get(model, 1)
    elif action == "changelist" and model not in NOT_A_PERSON | set(PAGE_LOGS):
        logs = ("list", model)  # one row per person's object on the page (world.list_logs)
    return d.LOGIN, d.OK, logs


ALLAUTH_HOLES: dict[str, str] = {}


def _cases():
    cases = []
    for route, name in url_patterns():
        key = _key(route, name)
        group = _group(route)
        if group == "admin":
            others, dpo_outcome, logs = _admin_expect(route, name)
            for persona in ADMIN_PERSONAS:
                outcome = dpo_outcome if persona == "dpo" else others
                cases.append((key, route, "admin", "GET", persona, outcome, logs))
        elif group == "allauth":
            for persona in ALLAUTH_PERSONAS:
                outcome: Any = d.PAGE
                if key in ALLAUTH_HOLES and persona != "anonymous":
                    outcome = d.Hole(d.PAGE, ALLAUTH_HOLES[key])
                cases.append((key, route, "allauth", "GET", persona, outcome, 0))
        else:
            decl = ROUTES[key]
            objects = {"": decl.methods, **{k: v[1] for k, v in decl.variants.items()}}
            for variant, methods in objects.items():
                for method, case in methods.items():
                    for persona in d.PERSONAS:
                        cases.append(
                            (
                                f"{key}[{variant}]" if variant else key,
                                route,
                                "declared",
                                method,
                                persona,
                                case.expect[persona],
                                case.logs,
                            )
                        )
    return cases


def _param(key, route, group, method, persona, outcome, logs):
    marks = []
    if isinstance(outcome, d.Hole):
        marks.append(pytest.mark.xfail(strict=True, reason=outcome.reason))
        outcome = outcome.outcome
    test_id = f"{key or route}|{method}|{persona}"
    return pytest.param(key, route, group, method, persona, outcome, logs, id=test_id, marks=marks)


CASES = [_param(*c) for c in _cases()]


# --- one request ------------------------------------------------------------------------


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and whole.group(1) in ids:
            return ids[whole.group(1)]
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _csv() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "records.csv",
        b"animal,kind,date,vaccine_product\n985141000123456,vaccination,2026-01-10,Nobivac DHP\n",
        content_type="text/csv",
    )


def _client(w: World, persona: str) -> Client:
    client = Client()
    if persona in w.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[persona]
    return client


def _send(client: Client, method: str, url: str, case: d.Case | None, ids: dict[str, Any]):
    if method == "GET":
        return client.get(url)
    body = _fill(case.body, ids) if case else None
    if case is not None and case.fmt == "multipart":
        return client.post(url, {"file": _csv(), "dry_run": "true"})
    if method != "POST" or (case is not None and case.fmt == "json"):
        return client.generic(method, url, json.dumps(body or {}), content_type="application/json")
    return client.post(url, body or {})


# Sign-in, and its steps: MFA, and allauth's re-authentication before a sensitive write.
LOGIN_PATHS = ("/accounts/login/", "/admin/login/", "/accounts/2fa/", "/accounts/reauthenticate/")


def _outcome(response, persona: str, method: str, *, web: bool) -> str:
    status = response.status_code
    if web and method == "POST" and status == 200:
        return d.REFUSED  # a web form shown again with its errors; success redirects
    if status >= 500:
        return f"server error {status}"
    if status == 404:
        return d.NOT_FOUND
    if status in (301, 302, 303):
        location = response.get("Location", "")
        if any(location.startswith(p) or p + "?" in location for p in LOGIN_PATHS):
            return d.LOGIN
        return d.OK
    if status in (401, 403) and persona == "anonymous":
        return d.LOGIN
    if status in (400, 403, 405, 409, 410, 422):
        return d.REFUSED
    if 200 <= status < 300:
        return d.OK
    return f"status {status}"


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    from consent.models import ConsentEvent
    from records.models import (
        Animal,
        AnimalAccess,
        ClientRegistration,
        CoOwnerInvitation,
        EmergencyShare,
        Entry,
        Favorite,
        JoinRequest,
        Practice,
        PracticeMembership,
        RecordRequest,
    )
    from vetpass.accounts.models import User

    models = [
        Animal,
        AnimalAccess,
        ClientRegistration,
        CoOwnerInvitation,
        EmergencyShare,
        Entry,
        Favorite,
        JoinRequest,
        Practice,
        PracticeMembership,
        RecordRequest,
        ConsentEvent,
    ]
    snap = {m.__name__: list(m.objects.order_by("pk").values()) for m in models}
    snap["User"] = list(
        User.objects.order_by("pk").values(
            "pk", "email", "full_name", "date_of_birth", "country", "is_active", "restricted_at"
        )
    )
    return snap


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode("utf-8", "replace")


@pytest.mark.django_db
@pytest.mark.parametrize("key,route,group,method,persona,expected,logs", CASES)
def test_route_answers_persona(world, key, route, group, method, persona, expected, logs):
    # The reads logged, from both forms of the log (issue 10: a list page is one row naming
    # every client shown; an object's page an AccessLog row): one per person shown.
    from records.models import AccessRead as AccessLog

    ids = {**world.ids, "practice": world.own_practice[persona]}
    if group == "admin":
        url, case = _admin_url(route, world), None
    elif group == "allauth":
        url, case = _allauth_url(route), None
    else:
        name, _, variant = key.partition("[")
        decl = ROUTES[name]
        if variant:
            url_text, methods = decl.variants[variant.rstrip("]")]
        else:
            url_text, methods = decl.url, decl.methods
        url, case = _fill(url_text, ids), methods[method]

    travel = (
        time_machine.travel(world.ids["expired_at"], tick=False)
        if persona == "share_expired"
        else None
    )
    if travel:
        travel.start()
    try:
        client = _client(world, persona)
        before = _snapshot() if method != "GET" else None
        logged_before = AccessLog.objects.count()
        response = _send(client, method, url, case, ids)
        outcome = _outcome(response, persona, method, web=not url.startswith("/api/"))
        logged = AccessLog.objects.count() - logged_before
        after = _snapshot() if method != "GET" and expected != d.OK else None
    finally:
        if travel:
            travel.stop()

    if (
        group == "admin"
        and expected == d.REFUSED
        and (outcome == d.NOT_FOUND or response.get("Location") == "/admin/")
    ):
        # the DPO may not open it; for a row that does not exist the admin answers 404 or
        # sends them back to its index, which shows nothing either
        outcome = d.REFUSED
    if expected == d.PAGE:
        assert response.status_code < 500, (url, response.status_code)
    else:
        assert outcome == expected, (
            f"{outcome} {response.status_code} {url} {_body(response)[:200]!r}"
        )
    if persona in ADMIN_ONLY_PERSONAS and expected == d.LOGIN:
        # not a bare 403: the DPO is sent to the MFA step they miss
        assert response.get("Location", "").startswith(MFA_PAGE[persona]), response.get("Location")
    if before is not None and after is not None:
        assert after == before, "a refused write changed something"
    text = _body(response)
    forbidden = [] if (group == "admin" and persona == "dpo") else FORBIDDEN[persona]
    shown = [m for who in forbidden for m in MARKERS[who] if m in text]
    assert shown == [], f"{persona} was shown {shown}"
    if persona in LOGGED_DPO or (isinstance(logs, dict) and persona in logs):
        if isinstance(logs, dict):
            logs = logs.get(persona, 0)
        if isinstance(logs, tuple) and outcome == d.OK:  # an admin list: a row per object
            logs = _admin_list_logs(logs[1], world.users[persona])
        expected_rows = logs if outcome == d.OK else 0
        assert logged == expected_rows, f"{logged} access-log rows, expected {expected_rows}"
    else:
        assert logged == 0


def _admin_list_logs(model: str, viewer: Any) -> int:
    """How many rows an admin list page must log: its objects that are some other
    person's data, counted here from the models, not through the admin's own code."""
    from consent.models import ConsentEvent
    from dsar.models import DataSubjectRequest, InactivityNotice, LegalHold
    from records.models import (
        Animal,
        EmergencyShare,
        Entry,
        Favorite,
        JoinRequest,
        PracticeMembership,
        RecordRequest,
    )
    from vetpass.accounts.models import User

    owner_of = {
        "user": (User.objects.all(), "pk"),
        "animal": (Animal.objects.all(), "owner_id"),
        "entry": (Entry.objects.all(), "animal__owner_id"),
        "favorite": (Favorite.objects.all(), "owner_id"),
        "emergencyshare": (EmergencyShare.objects.all(), "owner_id"),
        "recordrequest": (RecordRequest.objects.all(), "owner_id"),
        "practicemembership": (PracticeMembership.objects.all(), "user_id"),
        "joinrequest": (JoinRequest.objects.all(), "user_id"),
        "datasubjectrequest": (DataSubjectRequest.objects.all(), "subject_id"),
        "legalhold": (LegalHold.objects.all(), "subject_id"),
        "inactivitynotice": (InactivityNotice.objects.all(), "owner_id"),
    }
    if model == "consentevent":
        keys = ConsentEvent.objects.values_list("subject_key", flat=True)[:100]
        return sum(1 for k in keys if k.startswith("user:") and k != f"user:{viewer.pk}")
    queryset, owner = owner_of[model]
    owners = list(queryset.values_list(owner, flat=True)[:100])
    return sum(1 for o in owners if o is not None and o != viewer.pk)


def _resolved(outcome: Any) -> str:
    return outcome.outcome if isinstance(outcome, d.Hole) else outcome


@pytest.mark.parametrize(
    "web,api", [(k, r.pair) for k, r in ROUTES.items() if r.pair and r.kind == d.W]
)
def test_web_and_api_give_the_same_answer_for_the_same_object(web, api):
    web_route, api_route = ROUTES[web], ROUTES[api]
    assert api_route.pair == web, "pairs are declared on both sides"
    if web_route.pair_methods:
        web_method, method = web_route.pair_methods
    else:
        method = "GET" if "GET" in api_route.methods else next(iter(api_route.methods))
        web_method = method if method in web_route.methods else "GET"
    web_expect = {p: _resolved(o) for p, o in web_route.methods[web_method].expect.items()}
    api_expect = {p: _resolved(o) for p, o in api_route.methods[method].expect.items()}
    assert web_expect == api_expect
