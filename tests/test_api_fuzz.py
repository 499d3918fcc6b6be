"""Schemathesis against the API's own OpenAPI document: generated requests for every operation, with no
5xx and no response that contradicts the schema. Slow: it runs in CI's second pass (RUN_SLOW=1).

Throttling is off for this run (a 429 is documented, but would only end the exploration early), and the
requests are anonymous reads and refused writes against the demo data.
"""

import io

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from licensing.api.throttling import AnonymousReadThrottle
from registry.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def demo_data(monkeypatch):
    monkeypatch.setattr(AnonymousReadThrottle, "allow_request", lambda self, request, view: True)
    # The WSGI app would close the test's database connection at the end of each request (as it
    # should in production); Django's own test client disconnects the same handlers.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    call_command("load_demo", stdout=io.StringIO())
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_schema(case, demo_data):
    # Our validation is stricter than JSON Schema can say (USCC check characters, jurisdictions, real
    # calendar dates), so a schema-valid request may rightly get a 400: that one heuristic is left out.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
