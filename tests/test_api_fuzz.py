"""Schemathesis against the API's own OpenAPI document: generated requests for every operation, with no
5xx and no response that contradicts the schema. Slow: it runs in CI's second pass (RUN_SLOW=1).

Throttling is off for these runs (a 429 is documented, but would only end the exploration early). The
first run is anonymous: reads, and writes refused. The second writes as a regulator of Hangzhou, whose
jurisdiction holds licenses in the demo data, with an API token (factories.api_token_header): every
POST and PATCH, on a real active license of its own.
"""

import io

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from licensing.api.throttling import AnonymousReadThrottle
from licensing.models import Authority, License, Regulator
from registry.wsgi import application

from . import factories

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


@pytest.fixture
def regulator_header(demo_data):
    """A regulator of Hangzhou (330100), which holds licenses in the demo data, by API token."""
    hangzhou = Authority.objects.get(division_code="330100")
    assert License.objects.filter(grantor=hangzhou, status="active").exists()
    user = User.objects.create_user("fuzz-regulator", is_staff=True)
    Regulator.objects.create(user=user, authority=hangzhou, contact_email="fuzz@example.test")
    return {"hangzhou": hangzhou, "Authorization": factories.api_token_header(user)}


@pytest.mark.slow
@pytest.mark.django_db
@schema.include(method=["POST", "PATCH"]).parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_writes_as_a_regulator_match_the_schema(case, regulator_header):
    # The license and product in the path are real ones of the regulator's jurisdiction, so that the
    # generated bodies reach the lifecycle service rather than a 404.
    license = (
        License.objects.filter(grantor=regulator_header["hangzhou"], status="active", products__isnull=False)
        .order_by("number")
        .first()
        or License.objects.filter(grantor=regulator_header["hangzhou"], status="active")
        .order_by("number")
        .first()
    )
    parameters = case.path_parameters or {}
    if "number" in parameters:
        parameters["number"] = license.number
    if "product_id" in parameters and license.products.exists():
        parameters["product_id"] = license.products.order_by("id").first().pk
    case.call_and_validate(
        headers={"Authorization": regulator_header["Authorization"]},
        excluded_checks=[positive_data_acceptance],
    )
