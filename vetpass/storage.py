"""The static files storage in production (STORAGES["staticfiles"] when DEBUG is off)."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

# Names come from the templates' {% static %} tags and the code: a few dozen. The bound only
# keeps a caller passing arbitrary names from growing the table without end.
URLS_KEPT = 1000


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's manifest storage, each file's URL worked out once per process instead
    of on every page (issue 10: a manifest lookup, a quote and a urljoin per {% static %}).
    The manifest does not change while a process runs (collectstatic runs before it
    starts), so neither does the answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: Any, force: bool = False) -> str:
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except (KeyError, TypeError):
            url = super().url(name)
            if isinstance(name, str) and len(self._urls) < URLS_KEPT:
                self._urls[name] = url
            return url
