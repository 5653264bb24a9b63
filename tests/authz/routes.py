"""The routes the matrix must cover, read from the running site rather than written down:
every pattern of `vetpass.urls` (web, API, allauth, admin) and every operation of the
OpenAPI schema the mobile clients are generated from."""

from __future__ import annotations

from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _walk(patterns, prefix: str, namespace: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            out += _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = p.name or ""
            full = f"{namespace}:{name}" if namespace and name else name
            out.append((prefix + str(p.pattern), full))
    return out


@cache
def url_patterns() -> tuple[tuple[str, str], ...]:
    """(route, name) of every URL pattern; route is the pattern text from the root."""
    return tuple(_walk(get_resolver().url_patterns, "", ""))


@cache
def api_operations() -> tuple[tuple[str, str], ...]:
    """(METHOD, path) of every operation in /api/v1/schema/, generated in process."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return tuple(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in HTTP_METHODS
    )
