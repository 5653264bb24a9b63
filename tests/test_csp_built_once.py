"""The Content-Security-Policy header is built once per process (vetpass.csp, issue 10) and
is the very header django-csp builds; a response that changes its policy (django-csp's
decorators) or uses a nonce still goes through django-csp."""

from __future__ import annotations

import pytest
from csp.constants import NONCE, NONE, SELF
from csp.decorators import csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from vetpass.csp import CSPMiddleware


def run(view, path="/somewhere/"):
    request = RequestFactory().get(path)
    return request, CSPMiddleware(view)(request)


def test_every_plain_response_gets_django_csps_own_header():
    request, response = run(lambda request: HttpResponse("ok"))

    assert response["Content-Security-Policy"] == build_policy()
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response
    # As django-csp: a nonce asked for after the header was written is an error.
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_view_that_changes_its_policy_gets_the_changed_header():
    @csp_update({"img-src": ["https://maps.example"]})
    def view(request):
        return HttpResponse("ok")

    request, response = run(view)
    expected = DjangoCSPMiddleware(view)(RequestFactory().get("/somewhere/"))

    assert "https://maps.example" in response["Content-Security-Policy"]
    assert response["Content-Security-Policy"] == expected["Content-Security-Policy"]


def test_a_nonce_used_by_the_page_is_in_its_header():
    def view(request):
        return HttpResponse(str(request.csp_nonce))

    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": [SELF], "script-src": [NONCE]}}
    ):
        _, response = run(view)
    nonce = response.content.decode()
    # django-csp writes the directives in no fixed order.
    assert set(response["Content-Security-Policy"].split("; ")) == {
        "default-src 'self'",
        f"script-src 'nonce-{nonce}'",
    }


def test_a_changed_setting_changes_the_header():
    run(lambda request: HttpResponse("ok"))  # built with the project's policy
    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": [NONE]}},
        CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": [SELF]}},
    ):
        _, response = run(lambda request: HttpResponse("ok"))
        assert response["Content-Security-Policy"] == "default-src 'none'"
        assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    _, response = run(lambda request: HttpResponse("ok"))
    assert response["Content-Security-Policy"] == build_policy()
