"""Schemathesis against the API's own OpenAPI document: generated requests for every operation, with no
5xx and no response that contradicts the schema. Slow: it runs in CI's second pass (RUN_SLOW=1).

Throttling is off for this run (a 429 is documented, but would only end the exploration early), and the
requests are anonymous reads and refused writes against the demo data.
"""

import io

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from licensing.api.throttling import AnonymousReadThrottle
from registry.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def demo_data(django_db_blocker, monkeypatch):
    monkeypatch.setattr(AnonymousReadThrottle, "allow_request", lambda self, request, view: True)
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_schema(case, demo_data):
    # Our validation is stricter than JSON Schema can say (USCC check characters, jurisdictions, real
    # calendar dates), so a schema-valid request may rightly get a 400: that one heuristic is left out.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
