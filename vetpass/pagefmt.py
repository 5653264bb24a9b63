"""Cheap per-row formatting for pages that list many rows (issue 10).

Django's `date` filter and `{% url %}` cost tens of microseconds a call (format lookups,
the active language, the resolver); a timeline of fifty entries called them hundreds of
times per page. These give the same text for the formats our pages use:

- `day_month_year(d)` is `d|date:"j M Y"` ("3 Feb 2026"), `day_month_year(d, long=True)`
  is `d|date:"j F Y"` ("3 February 2026"), with Django's own (translated) month names;
- `link_for(viewname)` reverses a route once and returns a function that builds the link
  for any primary key, so a list of rows costs one reverse, not one per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.urls import reverse
from django.utils.dates import MONTHS, MONTHS_3

# A primary key no row has: reversed once, then replaced by each row's key.
_SENTINEL = 987654321987


def day_month_year(value: dt.date | None, *, long: bool = False) -> str:
    """`value|date:"j M Y"` (or `"j F Y"` with long=True); "" for None, as the filter."""
    if value is None:
        return ""
    month = str(MONTHS[value.month]) if long else str(MONTHS_3[value.month]).title()
    return f"{value.day} {month} {value.year:04d}"


def link_for(viewname: str, *before: object) -> Callable[[object], str]:
    """A function pk -> the URL of `viewname` with args (*before, pk), from one reverse."""
    url = reverse(viewname, args=[*before, _SENTINEL])
    head, sentinel, tail = url.rpartition(str(_SENTINEL))
    if not sentinel:  # pragma: no cover - every route we use takes the key as given
        return lambda pk: reverse(viewname, args=[*before, pk])
    return lambda pk: f"{head}{pk}{tail}"
