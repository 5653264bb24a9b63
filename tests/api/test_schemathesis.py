"""schemathesis in `make test` (issue 7 §3.4): the OpenAPI schema mobile clients are
generated from must be what the API really does.

One test per role — an owner (alice, with animals, entries, a favorite, a share) and a vet
(carol, staff of the practice alice favorited) — runs every operation of the schema in
process through the WSGI app, signed in with an X-Session-Token like the app. Each
operation gets a fixed, derandomized handful of valid and invalid requests, and every
response is checked: no server error, a documented status code and content type, a body
that matches the schema, valid requests accepted and invalid ones refused. Each request
runs in a savepoint that is rolled back, so a DELETE does not starve the next request.
"""

from __future__ import annotations

import collections
import contextlib
import time

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi import checks

from tests.api.conftest import path_parameters
from tests.conftest import app_session_token
from vetpass.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

# Requests per operation and mode: 56 operations × 2 modes × at most 3 ≈ 270 requests a
# role (fewer where a mode has nothing to vary), about a minute each on a 2-core machine.
MAX_EXAMPLES = 3
# What must hold for every response: these fail the test.
CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Whether valid requests are accepted and invalid ones refused: reported, not failed on,
# since business rules (a 15-digit microchip, no date in the future) live beyond the schema.
ADVISORY = [checks.positive_data_acceptance, checks.negative_data_rejection]


@contextlib.contextmanager
def _test_connection_kept_open():
    """The WSGI app closes the database connection when a request finishes; Django's test
    client switches that off around each request (and on again after), and so must this
    WSGI client, inside the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    # A fuzzing client is one user sending hundreds of requests a minute; 429 is
    # documented and tested elsewhere (test_api_conventions).
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", None)
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", None)


def _session_token(user, password: str) -> str:
    return app_session_token(user, password)


def _run(token: str, world: dict[str, int]) -> tuple[int, dict[tuple[str, str, str], str]]:
    headers = {"X-Session-Token": token}
    counter = [0]
    problems: dict[tuple[str, str, str], str] = {}
    with _test_connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
        for result in schema.get_all_operations():
            _run_operation(result.ok(), world, headers, problems, counter)
    return counter[0], problems


def _run_operation(operation, world, headers, problems, counter) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    fixed = path_parameters(operation.path, world)
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)
        run = _given(strategy, label, mode, headers, problems, counter)
        # Unsatisfiable: nothing of this operation can be made invalid (no body, no query).
        with contextlib.suppress(Unsatisfiable):
            run()


def _given(strategy, label: str, mode, headers: dict, problems: dict, counter: list[int]):
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        with transaction.atomic():
            response = case.call(headers=headers)
            counter[0] += 1
            for kind, chosen in (("problem", CHECKS), ("advisory", ADVISORY)):
                try:
                    case.validate_response(response, checks=chosen, headers=headers)
                except (Failure, FailureGroup) as exc:
                    failures = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
                    for failure in failures:
                        key = (kind, label, failure.title, str(response.status_code))
                        sent = f"query={case.query} body={str(case.body)[:200]}"
                        problems.setdefault(key, f"{mode.value}: {failure.message[:200]} [{sent}]")
            transaction.set_rollback(True)

    return run


def _report(role: str, requests: int, problems: dict, started: float) -> tuple[str, int]:
    counts = collections.Counter((kind, title) for kind, _label, title, _status in problems)
    failing = sum(n for (kind, _title), n in counts.items() if kind == "problem")
    lines = [
        f"schemathesis as {role}: {requests} requests in {time.monotonic() - started:.0f} s, "
        f"{failing} unique problems, advisory "
        + str({title: n for (kind, title), n in counts.items() if kind == "advisory"})
    ]
    lines += [
        f"  {kind}: {label} [{status}] {title}: {msg}"
        for (kind, label, title, status), msg in sorted(problems.items())
    ]
    return "\n".join(lines), failing


def _check(role: str, token: str, world: dict[str, int], capsys) -> None:
    started = time.monotonic()
    requests, problems = _run(token, world)
    report, failing = _report(role, requests, problems, started)
    with capsys.disabled():
        print("\n" + report)
    assert failing == 0, report


def test_the_api_keeps_to_its_schema_as_an_owner(world, alice, password, capsys):
    _check("owner", _session_token(alice, password), world, capsys)


def test_the_api_keeps_to_its_schema_as_a_vet(world, carol, password, capsys):
    _check("vet", _session_token(carol, password), world, capsys)
