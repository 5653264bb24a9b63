"""Human names for consent scopes ("practice:12" → "Riverside Vets").

The ledger stores scopes as opaque strings; the app that owns the scoped thing (records,
for practices) registers a labeller in its AppConfig.ready(), so that consent never imports
an app to its right (DESIGN.md rule 9).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

# prefix ("practice") → function taking the ids after the colon, returning {id: label}
_LABELLERS: dict[str, Callable[[list[str]], dict[str, str]]] = {}


def scope_labeller_register(prefix: str, labeller: Callable[[list[str]], dict[str, str]]) -> None:
    _LABELLERS[prefix] = labeller


def scope_labels(scopes: Iterable[str]) -> dict[str, str]:
    """Labels for many scopes at once: one call per prefix, not per scope."""
    by_prefix: dict[str, list[str]] = {}
    for scope in scopes:
        if scope and ":" in scope:
            prefix, ident = scope.split(":", 1)
            by_prefix.setdefault(prefix, []).append(ident)
    labels = {}
    for prefix, idents in by_prefix.items():
        found = _LABELLERS[prefix](idents) if prefix in _LABELLERS else {}
        for ident in idents:
            labels[f"{prefix}:{ident}"] = found.get(ident, f"{prefix.title()} {ident}")
    return labels
