"""The emergency share's length limit is said before it is enforced (issue 7 §2.8): the web
form's hint and the API schema's help text both give 1 to 720 hours and the default 72."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_web_form_hints_at_the_limit_beside_the_hours(alice, rex):
    html = client_for(alice).get("/emergency-shares/").content.decode()

    assert '<p class="hint" id="id_hours-hint">From 1 to 720 hours (30 days); 72 unless' in html
    assert 'aria-describedby="id_hours-hint"' in html
    assert 'min="1"' in html and 'max="720"' in html


def test_the_api_schema_gives_the_limit():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    hours = next(
        body["properties"]["hours"]
        for body in components.values()
        if "hours" in body.get("properties", {})
    )

    assert "from 1 to 720 (30 days); 72 if left out" in hours["description"]
