"""The vet's client list page (issue 10): the staff member's membership (or 404), one page
of the practice's clients as the lines the page shows, the cursors of the pages either
side and the practice's open record requests — on PostgreSQL in one statement.

The page cost eight queries and ~35 ms a request, most of it building ORM queries and
model instances for 50 rows, against a data floor of one join (bench/http_bench/floor.py
CLIENTS). Here one hand-written statement
- checks the membership (no row: the 404 get_membership answers; nothing else is read),
- walks the practice's grants from the cursor in workspace_client_page's keyset order,
  with its search (a shown name or email, or an animal a grant shares),
- reads each client's grant, name and the animals their grants share (what
  workspace_client_rows reads),
- writes the access-log row naming every client shown (a data-modifying CTE: the very
  ListAccessLog row log_list_reads writes, in the same round trip), and
- counts the open record requests (open_request_count).
Who is a client is access's rule, stated there once as querysets and once as SQL
(GRANTING_FAVORITE_SQL, LIVE_SHARE_SQL). The ORM path (workspace_client_page and
workspace_client_rows, which the API reads) is the reference: tests/practices/
test_client_list_statement.py holds the two to the same lines, cursors and log. The
embedded SQLite reads the page through that ORM path; so does a previous-page cursor's
page of keys (rare), before the statement reads those clients.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection
from django.utils import timezone

from vetpass.accounts.models import User
from vetpass.prepared import prepared_cursor

from ..models import AccessLogGrant, Practice, PracticeMembership, RecordRequest
from . import access
from .access import GRANTING_FAVORITE_SQL, LIVE_SHARE_SQL
from .client_keys import ClientCursor
from .selectors import get_membership, open_request_count
from .workspace_selectors import (
    CLIENTS_PER_PAGE,
    ClientRow,
    workspace_client_page,
    workspace_client_rows,
)

VIEW = "client list"


@dataclass(frozen=True)
class ClientLine:
    """One client as the list shows them: who they are to the practice
    (access.identity_with's answer), their grants, and the animals those grants share as
    (id, name, species name) in (name, id) order."""

    owner_id: int
    name: str
    profile_shared: bool
    email: str
    phone: str
    restricted: bool
    favorite: bool
    some_kinds: bool  # the favorite shares some kinds of record only
    emergency_until: datetime | None  # the longest live emergency share's end
    animals: list[tuple[int, str, str]]


@dataclass(frozen=True)
class ClientListPage:
    membership: PracticeMembership
    lines: list[ClientLine]
    next: ClientCursor | None
    previous: ClientCursor | None
    open_requests: int


def workspace_client_list(
    user: User,
    practice_pk: int,
    *,
    q: str = "",
    cursor: ClientCursor | None = None,
    size: int = CLIENTS_PER_PAGE,
) -> ClientListPage:
    """The page of the client list the user may see at this practice, every client on it
    access-logged (and only those); Http404 when the user is not on its staff now."""
    q = q.strip()
    if connection.vendor != "postgresql" or not _fits(practice_pk, cursor):
        return _through_orm(user, practice_pk, q=q, cursor=cursor, size=size)
    if cursor is not None and not cursor.forward:
        membership = get_membership(user, practice_pk)
        keys = workspace_client_page(membership.practice, q=q, cursor=cursor, size=size)
        found = _statement(
            user,
            practice_pk,
            q=q,
            cursor=None,
            size=size,
            owners=[k["owner_ref"] for k in keys.keys],
        )
        return ClientListPage(
            membership=found.membership,
            lines=found.lines,
            next=keys.next,
            previous=keys.previous,
            open_requests=found.open_requests,
        )
    return _statement(user, practice_pk, q=q, cursor=cursor, size=size)


_BIGINT = 2**63


def _fits(practice_pk: int, cursor: ClientCursor | None) -> bool:
    """Ids a bigint can hold: a URL or an edited cursor may carry any integer, which the
    ORM answers as matching nothing (Django's integer lookups) and PostgreSQL refuses."""
    ids = [practice_pk] + ([cursor.owner_ref] if cursor is not None else [])
    return all(-_BIGINT <= i < _BIGINT for i in ids)


# --- the reference path: the ORM selectors -----------------------------------------


def _line(row: ClientRow) -> ClientLine:
    return ClientLine(
        owner_id=row.owner.pk,
        name=row.name,
        profile_shared=row.profile_shared,
        email=row.email,
        phone=row.phone,
        restricted=row.restricted,
        favorite=row.favorite is not None,
        some_kinds=bool(row.favorite and row.favorite.kinds),
        emergency_until=row.emergency_until,
        animals=[(a.pk, a.name, a.species.name) for a in row.animals],
    )


def _through_orm(
    user: User, practice_pk: int, *, q: str, cursor: ClientCursor | None, size: int
) -> ClientListPage:
    membership = get_membership(user, practice_pk)
    page = workspace_client_page(membership.practice, q=q, cursor=cursor, size=size)
    rows = workspace_client_rows(user, membership.practice, page.keys)  # type: ignore[arg-type]
    return ClientListPage(
        membership=membership,
        lines=[_line(row) for row in rows],
        next=page.next,
        previous=page.previous,
        open_requests=open_request_count(membership.practice),
    )


# --- PostgreSQL: one statement --------------------------------------------------------

_MEMBERSHIP_FIELDS = PracticeMembership._meta.concrete_fields
_PRACTICE_FIELDS = Practice._meta.concrete_fields
_COLUMNS = ",".join(
    [f"m.{f.column}" for f in _MEMBERSHIP_FIELDS] + [f"p.{f.column}" for f in _PRACTICE_FIELDS]
)

_LIKE = "UPPER({col}) LIKE UPPER(%(q)s)"  # Django's icontains (on text columns)
# workspace_client_page's search: a name or email the favorite shares, or the name of an
# animal it shares (all of the owner's, or those it names): the favorite's `hit`; on a
# share, an animal it names.
# (Constant SQL: the search is the %(q)s parameter.)
_FAVORITE_SEARCH = (
    ",(f.share_profile AND EXISTS (SELECT FROM accounts_user u WHERE u.id=f.owner_id"  # noqa: S608
    f" AND ({_LIKE.format(col='u.full_name')} OR {_LIKE.format(col='u.email')})))"
    " OR (f.all_animals AND EXISTS (SELECT FROM records_animal a"
    f" WHERE a.owner_id=f.owner_id AND {_LIKE.format(col='a.name')}))"
    " OR (NOT f.all_animals AND EXISTS (SELECT FROM records_favorite_animals fa"
    " JOIN records_animal a ON a.id=fa.animal_id"
    f" WHERE fa.favorite_id=f.id AND {_LIKE.format(col='a.name')})) AS hit"
)
_SHARE_SEARCH = (
    " AND EXISTS (SELECT FROM records_emergencyshare_animals ea"
    " JOIN records_animal a ON a.id=ea.animal_id"
    f" WHERE ea.emergencyshare_id=e.id AND {_LIKE.format(col='a.name')})"
)
# ClientCursor.beyond, reading forward: after the cursor in (named first, name, owner).
_FAVORITE_AFTER = (
    " AND (f.share_profile<%(c_named)s OR (f.share_profile=%(c_named)s"
    " AND (f.list_name>%(c_name)s OR (f.list_name=%(c_name)s AND f.owner_id>%(c_owner)s))))"
)

# The statement, written compactly: psycopg parses a statement's placeholders on every
# execution when it is longer than 4 kB (it caches shorter ones), which cost more than
# PostgreSQL's planning. `g` and `l` are the practice's granting favorites and live shares
# (access's rule, asked only of a member of its staff), inlined wherever they are read,
# so the list's index is walked from the cursor as before.

# The page's keys, read forward from the cursor: the favorites by the list's index
# (practice, named first, list_name, owner), the clients seen only through shares by owner
# id, merged as workspace_client_page merges them; one more than the page says "more".
_KEYS_FORWARD = (
    "fk AS (SELECT f.owner_id,f.share_profile AS named,f.list_name AS sort_name FROM g f"
    " WHERE {favorite_hit}{favorite_after}"
    " ORDER BY f.share_profile DESC,f.list_name,f.owner_id LIMIT %(size_more)s),"
    "sk AS (SELECT DISTINCT e.owner_id FROM l e WHERE NOT EXISTS (SELECT FROM g f"
    " WHERE f.owner_id=e.owner_id AND {favorite_hit}){share_search}{share_after}"
    " ORDER BY e.owner_id LIMIT %(size_more)s),"
    "keys AS (SELECT owner_id,named,sort_name,row_number() OVER (ORDER BY named DESC,"
    "CASE WHEN named THEN sort_name ELSE '' END,owner_id) AS pos"
    " FROM (SELECT * FROM fk UNION ALL SELECT owner_id,false,'' FROM sk) k),"
)
# The page's keys as given (a previous page, read by workspace_client_page).
_KEYS_GIVEN = (
    "keys AS (SELECT k.owner_id,NULL::boolean AS named,NULL::text AS sort_name,k.pos"
    " FROM unnest(%(owners)s::bigint[]) WITH ORDINALITY AS k(owner_id,pos)"
    " WHERE EXISTS (SELECT FROM member)),"
)
# Each client on the page: their granting favorite, their longest live share; the log row
# naming every one (log_list_reads' row); then the membership and practice, the open
# requests (open_request_count), "more", and the clients with the animals their grants
# share, in (name, id) order as Python sorts them (COLLATE "C": code points) — the page's
# animals in one pass (`sa`), not a subquery per client.
_STATEMENT = (
    "WITH member AS (SELECT id FROM records_practicemembership WHERE user_id=%(user)s"
    " AND practice_id=%(practice)s AND left_at IS NULL),"
    "g AS NOT MATERIALIZED (SELECT *{search} FROM records_favorite f WHERE {favorite}"
    " AND EXISTS (SELECT FROM member)),"
    "l AS NOT MATERIALIZED (SELECT * FROM records_emergencyshare e WHERE {share}"
    " AND EXISTS (SELECT FROM member)),"
    "{keys}"
    "shown AS MATERIALIZED (SELECT k.pos,k.owner_id,k.named,k.sort_name,f.id AS favorite_id,"
    "f.share_profile,f.all_animals,f.kinds,s.id AS share_id,s.expires_at AS until FROM keys k"
    " LEFT JOIN g f ON f.owner_id=k.owner_id LEFT JOIN LATERAL (SELECT e.id,e.expires_at"
    " FROM l e WHERE e.owner_id=k.owner_id ORDER BY e.expires_at DESC,e.id DESC LIMIT 1) s"
    " ON true WHERE k.pos<=%(size)s AND (f.id IS NOT NULL OR s.id IS NOT NULL)),"
    "logged AS (INSERT INTO records_listaccesslog"
    " (viewer_id,practice_id,view,owners,animals,grant_kinds,grant_ids,created_at)"
    " SELECT %(user)s,r.practice_id,%(view)s,array_agg(r.owner_id ORDER BY r.owner_id,r.id),"
    "array_agg(NULL::bigint ORDER BY r.owner_id,r.id),"
    "array_agg(r.kind ORDER BY r.owner_id,r.id)::varchar(20)[],"
    "array_agg(r.id ORDER BY r.owner_id,r.id),%(now)s"
    " FROM (SELECT %(practice)s::bigint AS practice_id,owner_id,CASE WHEN favorite_id IS NULL"
    " THEN %(share_kind)s::text ELSE %(favorite_kind)s::text END AS kind,"
    "COALESCE(favorite_id,share_id) AS id FROM shown) r GROUP BY r.practice_id RETURNING id),"
    # The shown clients' animals, aggregated once (a generic plan, which counts on one
    # client, would aggregate them again for each client).
    "sa AS MATERIALIZED (SELECT x.owner_id,json_agg(json_build_array(a.id,a.name,sp.name)"
    ' ORDER BY a.name COLLATE "C",a.id) AS animals FROM (SELECT sh.owner_id,a.id FROM shown sh'
    " JOIN records_animal a ON a.owner_id=sh.owner_id WHERE sh.all_animals"
    " UNION SELECT sh.owner_id,fa.animal_id FROM shown sh JOIN records_favorite_animals fa"
    " ON fa.favorite_id=sh.favorite_id WHERE NOT sh.all_animals"
    " UNION SELECT sh.owner_id,ea.animal_id FROM shown sh JOIN l e ON e.owner_id=sh.owner_id"
    " JOIN records_emergencyshare_animals ea ON ea.emergencyshare_id=e.id) x"
    " JOIN records_animal a ON a.id=x.id JOIN records_species sp ON sp.id=a.species_id"
    " GROUP BY x.owner_id)"
    "SELECT {columns},"
    "(SELECT count(*) FROM records_recordrequest r WHERE r.practice_id=%(practice)s"
    " AND r.status=%(open)s AND r.favorite_id IN (SELECT id FROM g)),"
    "EXISTS (SELECT FROM keys WHERE pos>%(size)s),"
    "(SELECT json_agg(json_build_array(sh.owner_id,sh.named,sh.sort_name,sh.favorite_id,"
    "sh.share_profile,sh.kinds,u.full_name,u.email,u.phone,u.restricted_at IS NOT NULL,sh.until,"
    "sa.animals) ORDER BY sh.pos)::text"
    " FROM shown sh JOIN accounts_user u ON u.id=sh.owner_id"
    " LEFT JOIN sa ON sa.owner_id=sh.owner_id)"
    " FROM records_practicemembership m JOIN records_practice p ON p.id=m.practice_id"
    " WHERE m.id=(SELECT id FROM member)"
)


@lru_cache(maxsize=16)
def _sql(*, q: bool, after: str, given: bool) -> str:
    """The statement for a search or not, read from a cursor ("named", "unnamed": after a
    named or an unnamed client's key; "" from the start) or for given keys."""
    if given:
        keys = _KEYS_GIVEN
    else:
        # ClientCursor.share_only_beyond, forward: an unnamed cursor's key is ("", id).
        share_after = {"unnamed": " AND e.owner_id>%(c_owner)s", "none": " AND false"}
        keys = _KEYS_FORWARD.format(
            favorite_hit="f.hit" if q else "true",
            share_search=_SHARE_SEARCH if q else "",
            favorite_after=_FAVORITE_AFTER if after else "",
            share_after=share_after.get(after, ""),
        )
    return _STATEMENT.format(
        keys=keys,
        search=_FAVORITE_SEARCH if q and not given else "",
        favorite=GRANTING_FAVORITE_SQL.format(f="f"),
        share=LIVE_SHARE_SQL.format(e="e"),
        columns=_COLUMNS,
    )


def _after(cursor: ClientCursor | None) -> str:
    if cursor is None:
        return ""
    if cursor.named:
        return "named"
    return "unnamed" if cursor.sort_name == "" else "none"


def _statement(
    user: User,
    practice_pk: int,
    *,
    q: str,
    cursor: ClientCursor | None,
    size: int,
    owners: list[int] | None = None,
) -> ClientListPage:
    from django.http import Http404

    params: dict[str, Any] = {
        "user": user.pk,
        "practice": practice_pk,
        "today": timezone.localdate(),
        "now": timezone.now(),
        "size": size,
        "size_more": size + 1,
        "view": VIEW,
        "favorite_kind": AccessLogGrant.FAVORITE.value,
        "share_kind": AccessLogGrant.EMERGENCY_SHARE.value,
        "open": RecordRequest.Status.OPEN.value,
        "q": f"%{connection.ops.prep_for_like_query(q)}%",
        "owners": owners or [],
    }
    if cursor is not None:
        params.update(c_named=cursor.named, c_name=cursor.sort_name, c_owner=cursor.owner_ref)
    with prepared_cursor() as db:
        db.execute(_sql(q=bool(q), after=_after(cursor), given=owners is not None), params)
        found = db.fetchone()
    if found is None:
        raise Http404("No such practice workspace.")
    n = len(_MEMBERSHIP_FIELDS)
    m = len(_MEMBERSHIP_FIELDS) + len(_PRACTICE_FIELDS)
    membership = PracticeMembership.from_db(
        connection.alias, [f.attname for f in _MEMBERSHIP_FIELDS], found[:n]
    )
    membership.practice = Practice.from_db(
        connection.alias, [f.attname for f in _PRACTICE_FIELDS], found[n:m]
    )
    open_requests, more, clients = found[m:]
    rows = json.loads(clients) if clients else []
    lines = [_line_from(practice_pk, row) for row in rows]
    next_cursor = previous = None
    if rows and owners is None:
        first, last = rows[0], rows[-1]
        if more:
            next_cursor = ClientCursor(bool(last[1]), last[2] or "", last[0], True)
        if cursor is not None:
            previous = ClientCursor(bool(first[1]), first[2] or "", first[0], False)
    return ClientListPage(
        membership=membership,
        lines=lines,
        next=next_cursor,
        previous=previous,
        open_requests=open_requests,
    )


def _line_from(practice_pk: int, row: list[Any]) -> ClientLine:
    (owner_id, _named, _sort, favorite_id, share_profile, kinds) = row[:6]
    full_name, email, phone, restricted, until, animals = row[6:]
    shared = favorite_id is not None and bool(share_profile)
    return ClientLine(
        owner_id=owner_id,
        name=(full_name or email) if shared else access.client_label(practice_pk, owner_id),
        profile_shared=shared,
        email=email if shared else "",
        phone=phone if shared else "",
        restricted=bool(restricted),
        favorite=favorite_id is not None,
        some_kinds=favorite_id is not None and bool(kinds),
        emergency_until=datetime.fromisoformat(until) if until else None,
        animals=[(a[0], a[1], a[2]) for a in animals or ()],
    )
