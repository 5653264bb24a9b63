"""Cheap per-row formatting for pages that list many rows (issue 10).

Django's `date` filter and `{% url %}` cost tens of microseconds a call (format lookups,
the active language, the resolver); a timeline of fifty entries called them hundreds of
times per page. These give the same text for the formats our pages use:

- `day_month_year(d)` is `d|date:"j M Y"` ("3 Feb 2026"), `day_month_year(d, long=True)`
  is `d|date:"j F Y"` ("3 February 2026"), with Django's own (translated) month names;
- `link_for(viewname)` reverses a route once (per process) and returns a function that
  builds the link for any primary key, so a list of rows costs no reverse per row;
- `day_month_year_of()` is day_month_year with the month names looked up once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.translation import get_language

# A primary key no row has: reversed once, then replaced by each row's key.
_SENTINEL = 987654321987


def day_month_year(value: dt.date | None, *, long: bool = False) -> str:
    """`value|date:"j M Y"` (or `"j F Y"` with long=True); "" for None, as the filter."""
    if value is None:
        return ""
    return f"{value.day} {_month_name(value.month, long)} {value.year:04d}"


def day_month_year_of(*, long: bool = False) -> Callable[[dt.date | None], str]:
    """day_month_year with the month names looked up once, not once per date: for a page
    of rows. The names are Django's for the active language, as the filter's."""
    names = _month_names(get_language(), long)
    return lambda value: (
        "" if value is None else f"{value.day} {names[value.month]} {value.year:04d}"
    )


def _month_name(month: int, long: bool) -> str:
    return str(MONTHS[month]) if long else str(MONTHS_3[month]).title()


@lru_cache(maxsize=32)
def _month_names(language: str | None, long: bool) -> tuple[str, ...]:
    # Keyed by the language the lazy names are resolved in; a process has few.
    return ("", *(_month_name(month, long) for month in range(1, 13)))


def link_for(viewname: str, *before: object) -> Callable[[object], str]:
    """A function pk -> the URL of `viewname` with args (*before, pk). The route is
    reversed once per process (and script prefix): the URLconf does not change while a
    process runs."""
    head, tail = link_parts(viewname, *before)
    return lambda pk: f"{head}{pk}{tail}"


def link_parts(viewname: str, *before: object, request: Any = None) -> tuple[str, str]:
    """The URL of `viewname` with args (*before, pk) as (text before pk, text after), for
    writing many such links (in Python or in SQL) without a reverse() each: the route is
    reversed once per process (and script prefix). With a request, absolute, as
    request.build_absolute_uri writes it."""
    head, tail = _link_parts(get_script_prefix(), get_urlconf(), viewname, before)
    if tail is None:  # pragma: no cover - every route we use takes the key as given
        raise ValueError(f"{viewname} does not write its last argument into the URL")
    if request is None:
        return head, tail
    url = request.build_absolute_uri(f"{head}{_SENTINEL}{tail}")
    head, _, tail = url.rpartition(str(_SENTINEL))
    return head, tail


@lru_cache(maxsize=1024)
def _link_parts(
    script_prefix: str, urlconf: object, viewname: str, before: tuple[object, ...]
) -> tuple[str, str | None]:
    url = reverse(viewname, urlconf=urlconf, args=[*before, _SENTINEL])  # type: ignore[arg-type]
    head, sentinel, tail = url.rpartition(str(_SENTINEL))
    return (head, tail) if sentinel else (url, None)


def url_of(viewname: str) -> str:
    """reverse(viewname) of a route without arguments, reversed once per process (and
    script prefix), as link_for."""
    return _url(get_script_prefix(), get_urlconf(), viewname)


@lru_cache(maxsize=256)
def _url(script_prefix: str, urlconf: object, viewname: str) -> str:
    return reverse(viewname, urlconf=urlconf)  # type: ignore[arg-type]
