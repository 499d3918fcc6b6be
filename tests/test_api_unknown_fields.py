"""Every API write refuses a field it does not know, naming it, and writes nothing: a misspelt field must
never be dropped silently (a record written with a default in its place)."""

import datetime

import pytest
from rest_framework.test import APIClient

from licensing.models import Finding, License, LicenseEvent, Operator, Regulator

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def setting():
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    national = factories.authority("100000", name="国家数据局")
    user = factories.user("regulator")
    Regulator.objects.create(user=user, authority=national, contact_email="r@example.test")
    client = APIClient()
    client.force_authenticate(user)
    active = factories.license_in("active", grantor=hangzhou)
    return {"client": client, "hangzhou": hangzhou, "active": active}


def _writes(setting):
    license = setting["active"]
    yield "post", "/api/v1/licenses/", {"title": "Bus data", "grantor_id": setting["hangzhou"].pk}
    yield "patch", f"/api/v1/licenses/{license.number}/", {"version": license.version, "reason": "x"}
    yield (
        "post",
        f"/api/v1/licenses/{license.number}/renew/",
        {"term_end": str(license.term_end + datetime.timedelta(days=365)), "version": license.version},
    )
    yield (
        "post",
        f"/api/v1/licenses/{license.number}/products/",
        {"name": "Health API", "product_class": "public_welfare", "version": license.version},
    )
    yield (
        "post",
        f"/api/v1/licenses/{license.number}/transitions/",
        {"action": "suspend", "reason": "Audit.", "version": license.version},
    )
    yield "post", "/api/v1/operators/", {"name": "新运营公司", "uscc_note": "Not published."}
    yield (
        "post",
        "/api/v1/findings/",
        {"issuer": "审计署", "published_on": "2024-06-25", "entity_name": "某单位", "source": "Report."},
    )


def _counts():
    return (
        License.objects.count(),
        LicenseEvent.objects.count(),
        Operator.objects.count(),
        Finding.objects.count(),
    )


@pytest.mark.parametrize("index", range(7))
def test_an_unknown_field_is_a_400_naming_it_and_nothing_is_written(setting, index):
    method, path, body = list(_writes(setting))[index]
    before = _counts()
    version = License.objects.get(pk=setting["active"].pk).version
    response = getattr(setting["client"], method)(path, {**body, "ocurred_on": "2022-09-29"}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"]["ocurred_on"] == ["Unknown field: this write does not take it."]
    assert _counts() == before
    assert License.objects.get(pk=setting["active"].pk).version == version


def test_the_same_write_without_the_unknown_field_goes_through(setting):
    """The control for the test above: its bodies are otherwise valid writes."""
    client = setting["client"]
    for method, path, body in _writes(setting):
        if "version" in body:
            body = {**body, "version": License.objects.get(pk=setting["active"].pk).version}
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code in (200, 201), (path, response.json())


def test_an_unknown_field_is_named_beside_the_errors_of_known_ones(setting):
    response = setting["client"].post("/api/v1/licenses/", {"grantr_id": 1}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) >= {"grantr_id", "title", "grantor_id"}
