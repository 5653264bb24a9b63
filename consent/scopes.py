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


# prefix → function taking ids, returning {id: URL of the page where that scope is managed}.
# A scope with a manager is granted only through that app's own flow (favoriting a practice
# writes the grant together with the registration and the access); the privacy centre can
# turn it off, and links there to turn it on again.
_MANAGERS: dict[str, Callable[[list[str]], dict[str, str]]] = {}


def scope_manager_register(prefix: str, manager: Callable[[list[str]], dict[str, str]]) -> None:
    _MANAGERS[prefix] = manager


def scope_is_managed(scope: str) -> bool:
    return bool(scope) and scope.split(":", 1)[0] in _MANAGERS


def scope_manage_urls(scopes: Iterable[str]) -> dict[str, str]:
    by_prefix: dict[str, list[str]] = {}
    for scope in scopes:
        if scope and ":" in scope:
            prefix, ident = scope.split(":", 1)
            if prefix in _MANAGERS:
                by_prefix.setdefault(prefix, []).append(ident)
    urls = {}
    for prefix, idents in by_prefix.items():
        for ident, url in _MANAGERS[prefix](idents).items():
            urls[f"{prefix}:{ident}"] = url
    return urls
