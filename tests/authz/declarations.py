"""The declaration the matrix checks: for every route of the URLconf and every operation
of the OpenAPI schema, what each persona gets (vocabulary in tests/authz/vocabulary.py)."""

from __future__ import annotations

from tests.authz.declared_api import API_ROUTES
from tests.authz.declared_web import WEB_ROUTES
from tests.authz.vocabulary import Route

ROUTES: dict[str, Route] = {**WEB_ROUTES, **API_ROUTES}
