"""The vocabulary of the matrix's declarations (tests/authz/declared_web.py and
declared_api.py): for every route and schema operation, what each persona gets.

Outcomes (a closed vocabulary):
- OK       2xx, or a redirect that is not to sign-in (a web form's "done" redirect)
- NOT_FOUND 404: what the persona may not know exists, and writes they may not make on it
- LOGIN    anonymous (or not allowed into the admin): a redirect to sign-in, or 401/403
- REFUSED  a write the persona may know of but not make: 400/403/405, nothing changed
- PAGE     any answer below 500 (allauth's own pages, whose answer depends on its state)

A case whose right answer is not today's carries `Hole(outcome, reason)`: the test for
that case is a strict xfail until the fix on another branch lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.authz.world import PERSONAS

OK = "ok"
NOT_FOUND = "404"
LOGIN = "login"
REFUSED = "refused"
PAGE = "page"

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
OWNER_SIDE = ["owner", "coowner_view", "coowner_edit"]
STAFF = ["fav_staff", "other_staff", "leaver", "practice_admin", "share_holder", "share_expired"]
# who sees alice's Rex through a practice now
REX_STAFF = ["fav_staff", "practice_admin", "share_holder"]
RIVERSIDE_NOW = ["fav_staff", "practice_admin"]
PRACTICE_STAFF_NOW = ["fav_staff", "other_staff", "practice_admin", "share_holder", "share_expired"]


@dataclass(frozen=True)
class Hole:
    """The right outcome for a case today's code gets wrong (strict xfail)."""

    outcome: str
    reason: str


def who(
    ok: list[str] = (),  # type: ignore[assignment]
    refused: list[str] = (),  # type: ignore[assignment]
    default: str = NOT_FOUND,
    **holes: Hole | str,
) -> dict[str, Any]:
    out: dict[str, Any] = {p: default for p in PERSONAS}
    out["anonymous"] = LOGIN
    for p in ok:
        out[p] = OK
    for p in refused:
        out[p] = REFUSED
    out.update(holes)
    return out


EVERYONE_SIGNED_IN = who(ok=SIGNED_IN)
# A Riverside list shows alice (one access-log row); the other practices' lists are empty.
RIVERSIDE_ONE = {"fav_staff": 1, "practice_admin": 1}
# alice is a client of Riverside and, by her emergency share, of Harbour.
CLIENT_LIST_ONE = {"fav_staff": 1, "practice_admin": 1, "share_holder": 1}
EVERYONE = {p: OK for p in PERSONAS}
# A public page whose every look is logged, whoever looks (a certificate link, issue 11).
EVERYONE_LOGGED = {p: 1 for p in PERSONAS}


@dataclass
class Case:
    """One method of one route: expected outcome per persona, the body a write sends, and
    how many access-log rows a staff member or the DPO gets when the answer is OK."""

    expect: dict[str, Any]
    body: Any = None
    logs: int | dict[str, int] = 0  # per persona when it differs (a list shows 0 or more)
    fmt: str = "form"  # form, json, multipart


@dataclass
class Route:
    url: str  # formatted with the world's ids and {practice}: the persona's own practice
    methods: dict[str, Case]
    pair: str | None = None  # the route of the other door exposing the same object
    kind: str = "web"  # web, api
    # The methods compared by the web/API pair test, when not GET on both.
    pair_methods: tuple[str, str] | None = None
    # More objects behind the same route: label -> (url, methods).
    variants: dict[str, tuple[str, dict[str, Case]]] = field(default_factory=dict)


def entry_body(**kw: Any) -> dict[str, Any]:
    return {"kind": "clinical_note", "occurred_on": "2026-01-10", "notes": "Matrix note.", **kw}


# Staff redeeming the code rita made before her restriction (after expiry it is refused anyway).
REDEEM_RESTRICTED = {
    p: REFUSED for p in ["fav_staff", "other_staff", "practice_admin", "share_holder"]
}

# What alice's animal Rex answers on the owner-side doors.
# Staff of a practice Rex is shared with see him through the same selector (logged).
REX_READ = who(ok=OWNER_SIDE + REX_STAFF)
REX_EDIT = who(ok=["owner", "coowner_edit"], coowner_view=NOT_FOUND)
REX_OWNER_ONLY = who(ok=["owner"])
# Rex's owner-written entry, on the owner side.
ENTRY_READ = who(ok=OWNER_SIDE + REX_STAFF)
ENTRY_EDIT = who(ok=["owner", "coowner_edit"])

W = "web"
A = "api"
