"""The sharing-state projection: the consent ledger's latest practice-sharing event for
each (owner, practice), kept in `SharingState` so that the practice side asks "does this
owner share with us now?" with one indexed row instead of a search of the ledger per
favorite (issue 10).

- `sharing_state_record` writes the row in the same transaction as the ledger event (it
  is called from consent.dispatch.consent_recorded, which consent_record sends inside its
  transaction), so the projection never says more than the ledger: rule 4 still holds.
- The ledger stays the source of truth: `ledger_sharing_states` derives the same state
  from the ledger alone, and `sharing_projection_differences` compares the two (the
  `sharing_projection_check` command reports them and, with --repair, rewrites the rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from consent.models import Action, ConsentEvent

from ..models import Favorite, Practice, SharingState
from .access import SHARING_PURPOSE

_USER_PREFIX = "user:"
_PRACTICE_PREFIX = "practice:"


def _pair(subject_key: str, scope: str) -> tuple[int, int] | None:
    """(owner id, practice id) of a practice-sharing event, or None for keys that name
    no account or no practice."""
    if not subject_key.startswith(_USER_PREFIX) or not scope.startswith(_PRACTICE_PREFIX):
        return None
    owner, practice = subject_key[len(_USER_PREFIX) :], scope[len(_PRACTICE_PREFIX) :]
    if not owner.isdigit() or not practice.isdigit():
        return None
    return int(owner), int(practice)


def sharing_state_record(*, event: ConsentEvent) -> None:
    """Project a ledger event: one INSERT … ON CONFLICT for a practice-sharing event of an
    account (nothing for other events, or for a scope naming no practice). A row is only
    replaced by a later event of the same subject (their events are sequenced)."""
    if event.purpose is None or event.purpose.code != SHARING_PURPOSE:
        return
    pair = _pair(event.subject_key, event.scope)
    if pair is None or event.subject_user_id is None:
        return
    owner_id, practice_id = pair
    qn = connection.ops.quote_name
    table = qn(SharingState._meta.db_table)
    practices = qn(Practice._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - names are quoted model metadata
            "(owner_id, practice_id, event_id, sequence, action, granted, updated_at) "
            f"SELECT %s, id, %s, %s, %s, %s, %s FROM {practices} WHERE id = %s "
            "ON CONFLICT (practice_id, owner_id) DO UPDATE SET "
            "event_id = excluded.event_id, sequence = excluded.sequence, "
            "action = excluded.action, granted = excluded.granted, "
            "updated_at = excluded.updated_at "
            f"WHERE {table}.sequence <= excluded.sequence",
            [
                owner_id,
                event.pk,
                event.sequence,
                event.action,
                event.action == Action.GRANT,
                timezone.now(),
                practice_id,
            ],
        )


@dataclass(frozen=True)
class LedgerState:
    event_id: int
    sequence: int
    action: str

    @property
    def granted(self) -> bool:
        return self.action == Action.GRANT


def ledger_sharing_states(
    pairs: set[tuple[int, int]] | None = None,
) -> dict[tuple[int, int], LedgerState]:
    """The state the ledger alone gives for each (owner, practice): its latest
    practice-sharing event. Only pairs whose account and practice exist (the projection
    holds no others); limited to `pairs` when given."""
    events = ConsentEvent.objects.filter(purpose__code=SHARING_PURPOSE)
    if pairs is not None:
        if not pairs:
            return {}
        events = events.filter(
            subject_key__in={f"{_USER_PREFIX}{o}" for o, _ in pairs},
            scope__in={f"{_PRACTICE_PREFIX}{p}" for _, p in pairs},
        )
    rows = events.values_list("subject_key", "scope", "id", "sequence", "action")
    if connection.vendor == "postgresql":
        rows = rows.order_by("subject_key", "scope", "-sequence").distinct("subject_key", "scope")
    else:
        rows = rows.order_by("sequence")
    states: dict[tuple[int, int], LedgerState] = {}
    for subject_key, scope, event_id, sequence, action in rows.iterator(chunk_size=5000):
        pair = _pair(subject_key, scope)
        if pair is None or (pairs is not None and pair not in pairs):
            continue
        states[pair] = LedgerState(event_id=event_id, sequence=sequence, action=action)
    owners = {o for o, _ in states}
    practices = {p for _, p in states}
    from vetpass.accounts.models import User

    known_owners = set(User.objects.filter(pk__in=owners).values_list("pk", flat=True))
    known_practices = set(Practice.objects.filter(pk__in=practices).values_list("pk", flat=True))
    return {
        pair: state
        for pair, state in states.items()
        if pair[0] in known_owners and pair[1] in known_practices
    }


@dataclass(frozen=True)
class Difference:
    owner_id: int
    practice_id: int
    ledger: LedgerState | None
    projection: dict[str, Any] | None

    def __str__(self) -> str:
        def say(state: dict[str, Any] | None) -> str:
            if state is None:
                return "nothing"
            return f"{state['action']} (event {state['event_id']}, granted={state['granted']})"

        ledger = (
            None
            if self.ledger is None
            else {
                "action": self.ledger.action,
                "event_id": self.ledger.event_id,
                "granted": self.ledger.granted,
            }
        )
        return (
            f"owner {self.owner_id}, practice {self.practice_id}: "
            f"ledger says {say(ledger)}, projection says {say(self.projection)}"
        )


def sharing_projection_differences() -> list[Difference]:
    """Every (owner, practice) where the projection does not say what the ledger says:
    over every projected pair and every pair with an active favorite (the pairs the
    practice side reads). A pair the ledger knows but nobody favorites is not required
    to be projected (an erased account's rows go, its ledger stays)."""
    projected: dict[tuple[int, int], dict[str, Any]] = {
        (row["owner_id"], row["practice_id"]): dict(row)
        for row in SharingState.objects.values(
            "owner_id", "practice_id", "event_id", "sequence", "action", "granted"
        ).iterator(chunk_size=5000)
    }
    favorited = set(
        Favorite.objects.filter(ended_at__isnull=True).values_list("owner_id", "practice_id")
    )
    pairs = set(projected) | favorited
    ledger = ledger_sharing_states(pairs)
    differences = []
    for pair in sorted(pairs):
        want, have = ledger.get(pair), projected.get(pair)
        if want is None and have is None:
            continue
        if (
            want is None
            or have is None
            or (want.event_id, want.sequence, want.action, want.granted)
            != (have["event_id"], have["sequence"], have["action"], have["granted"])
        ):
            differences.append(Difference(pair[0], pair[1], want, have))
    return differences


@transaction.atomic
def sharing_projection_repair(differences: list[Difference]) -> int:
    """Rewrite the projection from the ledger for these pairs, set-based (a DELETE for
    pairs the ledger does not know, one upsert for the rest). Returns rows changed."""
    now = timezone.now()
    gone = [d for d in differences if d.ledger is None]
    changed = 0
    for diff in gone:  # rare: a projected pair the ledger never recorded
        changed += SharingState.objects.filter(
            owner_id=diff.owner_id, practice_id=diff.practice_id
        ).delete()[0]
    rows = [
        SharingState(
            owner_id=d.owner_id,
            practice_id=d.practice_id,
            event_id=d.ledger.event_id,
            sequence=d.ledger.sequence,
            action=d.ledger.action,
            granted=d.ledger.granted,
            updated_at=now,
        )
        for d in differences
        if d.ledger is not None
    ]
    SharingState.objects.bulk_create(
        rows,
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["practice", "owner"],
        update_fields=["event_id", "sequence", "action", "granted", "updated_at"],
    )
    return changed + len(rows)
