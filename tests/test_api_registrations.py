"""/api/v1/registrations/: what a query code stands for and its state, public reads, bad input named."""

import pytest
from rest_framework.test import APIClient

from licensing.models import Regulator
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def api():
    return APIClient()


def test_code_answers_what_it_stands_for_and_its_state(api, django_assert_num_queries):
    issued = factories.registration_in("issued")
    factories.registration_in("issued", license=issued.license)
    with django_assert_num_queries(2):  # the count and the page, registrants joined
        response = api.get("/api/v1/registrations/", {"code": issued.code.lower()})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["code"], row["status"], row["name"], row["license"]) == (
        issued.code,
        "issued",
        issued.name,
        issued.license.number,
    )
    assert row["registrant"]["name"] == issued.license.implementing_body.name
    assert row["expires_on"] == issued.expires_on.isoformat()


@pytest.mark.parametrize("code", ["nonsense", "DJ-330100-2026-R000001-0", "D" * 500])
def test_a_code_that_cannot_be_one_is_a_400_naming_it(api, code):
    response = api.get("/api/v1/registrations/", {"code": code})
    assert response.status_code == 400
    assert "code" in response.json()["errors"]


def test_unknown_parameter_is_named(api):
    response = api.get("/api/v1/registrations/", {"colour": "red"})
    assert response.status_code == 400 and "colour" in response.json()["errors"]


def test_public_reads_start_with_the_notice(api):
    shown = factories.registration_in("in_notice")
    hidden = factories.registration_in("applied")
    ids = {row["id"] for row in api.get("/api/v1/registrations/").json()["results"]}
    assert shown.pk in ids and hidden.pk not in ids
    assert api.get(f"/api/v1/registrations/{hidden.pk}/").status_code == 404
    regulator = factories.user()
    Regulator.objects.create(user=regulator, authority=hidden.license.grantor, contact_email="r@example.test")
    api.force_authenticate(regulator)
    assert api.get(f"/api/v1/registrations/{hidden.pk}/").status_code == 200


def test_status_filter_and_no_writes(api):
    factories.registration_in("in_notice")
    rows = api.get("/api/v1/registrations/", {"status": "in_notice"}).json()["results"]
    assert [row["status"] for row in rows] == ["in_notice"]
    assert api.get("/api/v1/registrations/", {"status": "sleeping"}).status_code == 400
    assert api.post("/api/v1/registrations/", {}, format="json").status_code in (401, 403, 405)


def test_the_schema_documents_the_endpoint(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/registrations/" in schema and "notice_ends_estimated" in schema


def test_one_registration_in_one_query(api, django_assert_num_queries):
    reg = factories.registration_in("issued")
    with django_assert_num_queries(1):
        response = api.get(f"/api/v1/registrations/{reg.pk}/")
    assert response.json()["code"] == reg.code


def test_an_anonymous_cached_read_follows_the_procedure(api, django_capture_on_commit_callbacks):
    # Anonymous reads are cached (the API's one base): a step of the procedure must reach them at once.
    from licensing import registrations

    registration = factories.registration_in("in_notice")
    url = f"/api/v1/registrations/{registration.pk}/"
    assert api.get(url).json()["status"] == "in_notice"
    with django_capture_on_commit_callbacks(execute=True):
        registrations.act(
            registration, "cancel", actor=None, expected_version=registration.version, reason="Withdrawn."
        )
    assert api.get(url).json()["status"] == "cancelled"
