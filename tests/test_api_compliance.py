"""The API of issue 8: products of a license (reads, writes with the version check), findings (reads with
filters, recording), and `flags` on licenses, operators and the verdict. Every write against every role."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from licensing.models import Finding, License, LicenseEvent, Product

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta
ROLES = ["anonymous", "inside", "outside", "auditor", "national", "superuser"]


@pytest.fixture
def world(world):
    hangzhou = world["hangzhou"]
    nation = factories.authority("100000", name="国家数据局")
    users = {**world["users"], "national": factories.regulator("national", nation)}
    active = factories.license_in("active", grantor=hangzhou, data_domains=["transport"])
    product = factories.priced(active, name="实时公交到站查询接口")
    withdrawn = factories.license_in("withdrawn", grantor=hangzhou)
    draft = factories.draft(grantor=hangzhou)
    return {
        "hangzhou": hangzhou,
        "users": users,
        "active": active,
        "product": product,
        "withdrawn": withdrawn,
        "draft": draft,
    }


def _client(world, role):
    client = APIClient()
    if world["users"][role] is not None:
        client.force_authenticate(world["users"][role])
    return client


def _version(license):
    license.refresh_from_db()
    return license.version


def _product_body(license, **fields):
    return {
        "name": "客流分析报告",
        "product_class": "industry",
        "charging_unit": "per_item",
        "price_cap": "2000",
        "cap_set_on": (TODAY - D(days=10)).isoformat(),
        "cap_document": "杭发改价格〔2026〕3号",
        "actual_price": "1800",
        "prices_posted_on": TODAY.isoformat(),
        "review_cycle_months": 36,
        "version": _version(license),
        **fields,
    }


FINDING = {
    "issuer": "审计署",
    "issuer_en": "National Audit Office",
    "published_on": "2024-07-01",
    "entity_name": "某部所属单位",
    "department": "某部",
    "data_domain": "transport",
    "amount": "145000000.00",
    "systems": ["系统一", "系统二"],
    "source": "审计工作报告",
    "source_urls": ["https://www.audit.gov.cn/example"],
}


def _write(world, operation):
    active, product = world["active"], world["product"]
    if operation == "product_create":
        return "post", f"/api/v1/licenses/{active.number}/products/", _product_body(active)
    if operation == "product_update":
        return (
            "patch",
            f"/api/v1/licenses/{active.number}/products/{product.pk}/",
            {"actual_price": "0.40", "version": _version(active)},
        )
    if operation == "product_on_draft":
        draft = world["draft"]
        return "post", f"/api/v1/licenses/{draft.reference}/products/", _product_body(draft, name="Planned")
    if operation == "finding_create":
        return "post", "/api/v1/findings/", FINDING
    raise AssertionError(operation)


EXPECTED = {
    # operation: anonymous, inside, outside, auditor, national, superuser
    "product_create": [401, 201, 403, 403, 201, 201],
    "product_update": [401, 200, 403, 403, 200, 200],
    "product_on_draft": [401, 201, 404, 403, 201, 201],
    "finding_create": [401, 403, 403, 403, 201, 201],
}
CELLS = [(operation, role) for operation in EXPECTED for role in ROLES]


def _counts():
    return (Product.objects.count(), LicenseEvent.objects.count(), Finding.objects.count())


@pytest.mark.parametrize(("operation", "role"), CELLS, ids=[f"{o}-{r}" for o, r in CELLS])
def test_write_permission_matrix(world, operation, role):
    expected = EXPECTED[operation][ROLES.index(role)]
    method, url, data = _write(world, operation)
    before = _counts()
    product_before = Product.objects.values().get(pk=world["product"].pk)
    response = getattr(_client(world, role), method)(url, data, format="json")
    assert response.status_code == expected, response.json()
    if expected >= 400:
        assert set(response.json()) >= {"detail", "code", "errors"}
        assert _counts() == before
        assert Product.objects.values().get(pk=world["product"].pk) == product_before
    else:
        assert _counts() != before or Product.objects.values().get(pk=world["product"].pk) != product_before


def test_adding_and_repricing_a_product_records_events_and_bumps_the_version(world):
    client = _client(world, "inside")
    license = world["active"]
    created = client.post(
        f"/api/v1/licenses/{license.number}/products/", _product_body(license), format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["license"], body["price_cap"], body["actual_price"], body["flags"]) == (
        license.number,
        "2000.0000",
        "1800.0000",
        [],
    )
    url = f"/api/v1/licenses/{license.number}/products/{body['id']}/"
    raised = client.patch(
        url,
        {
            "actual_price": "2100",
            "price_above_cap_reason": "Cap revision pending.",
            "version": _version(license),
        },
        format="json",
    )
    assert raised.status_code == 200, raised.json()
    assert [flag["code"] for flag in raised.json()["flags"]] == ["price_above_cap"]
    events = client.get(f"/api/v1/licenses/{license.number}/events/").json()["results"]
    assert [event["action"] for event in events][-2:] == ["product", "product"]
    assert events[-1]["changes"]["actual_price"] == ["1800.0000", "2100.0000"]
    assert events[-1]["actor"] == "inside"
    stale = client.patch(url, {"actual_price": "1", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == _version(license)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"actual_price": "-1"}, "actual_price", "invalid"),
        ({"price_cap": "-0.01"}, "price_cap", "invalid"),
        ({"cap_set_on": (TODAY + D(days=1)).isoformat()}, "cap_set_on", "invalid"),
        ({"actual_price": "2500"}, "actual_price", "invalid"),
        ({"review_cycle_months": 48}, "review_cycle_months", "invalid"),
        ({"product_class": "luxury"}, "product_class", "invalid"),
        ({"name": "实时公交到站查询接口"}, "name", "invalid"),
    ],
)
def test_bad_product_input_is_a_400_naming_the_field_and_nothing_written(world, fields, field, code):
    license = world["active"]
    before = (_counts(), _version(license))
    response = _client(world, "inside").post(
        f"/api/v1/licenses/{license.number}/products/", _product_body(license, **fields), format="json"
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == code and field in body["errors"], body
    assert (_counts(), _version(license)) == before


def test_a_future_cap_is_explained(world):
    license = world["active"]
    response = _client(world, "inside").post(
        f"/api/v1/licenses/{license.number}/products/",
        _product_body(license, cap_set_on=(TODAY + D(days=30)).isoformat()),
        format="json",
    )
    assert "not today's cap" in response.json()["errors"]["cap_set_on"][0]


def test_no_product_on_a_withdrawn_license(world):
    license = world["withdrawn"]
    before = _counts()
    response = _client(world, "inside").post(
        f"/api/v1/licenses/{license.number}/products/", _product_body(license), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "license_closed" and "no product can be added" in body["detail"]
    assert _counts() == before


def test_products_are_read_by_anyone_who_may_see_the_license(world):
    anonymous = APIClient()
    license = world["active"]
    rows = anonymous.get(f"/api/v1/licenses/{license.number}/products/").json()
    assert [row["name"] for row in rows] == ["实时公交到站查询接口"]
    assert set(rows[0]) >= {"product_class", "charging_unit", "price_cap", "cap_set_on", "cap_document"}
    assert set(rows[0]) >= {"actual_price", "trial_price", "prices_posted_on", "review_cycle_months", "flags"}
    detail = anonymous.get(f"/api/v1/licenses/{license.number}/products/{world['product'].pk}/")
    assert detail.json()["id"] == world["product"].pk
    assert anonymous.get(f"/api/v1/licenses/{world['draft'].reference}/products/").status_code == 404
    other = factories.priced(factories.license_in("active"))
    assert anonymous.get(f"/api/v1/licenses/{license.number}/products/{other.pk}/").status_code == 404
    unknown = anonymous.get(f"/api/v1/licenses/{license.number}/products/?colour=red")
    assert unknown.status_code == 400 and "colour" in unknown.json()["errors"]


# Flags in the representations ----------------------------------------------------------------------------


def test_license_representations_carry_their_flags_explained(world):
    suspended = factories.license_in("suspended", grantor=world["hangzhou"])
    factories.priced(suspended, name="企业信用报告")
    api = APIClient()
    detail = api.get(f"/api/v1/licenses/{suspended.number}/", HTTP_ACCEPT_LANGUAGE="en").json()
    (flag,) = detail["flags"]
    assert flag["code"] == "unlicensed_charging" and flag["label"] == "Paid product, license not in force"
    assert "企业信用报告" in flag["explanation"] and "suspended" in flag["explanation"]
    assert flag["license"] == suspended.number and flag["product"] == suspended.products.get().pk
    rows = {row["number"]: row["flags"] for row in api.get("/api/v1/licenses/").json()["results"]}
    assert rows[world["active"].number] == [] and [f["code"] for f in rows[suspended.number]] == [
        "unlicensed_charging"
    ]


def test_a_price_change_shows_in_the_cached_public_read_once_committed(
    world, django_capture_on_commit_callbacks
):
    api, license = APIClient(), world["active"]
    url = f"/api/v1/licenses/{license.number}/"
    assert api.get(url).json()["flags"] == []
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world, "inside").patch(
            f"{url}products/{world['product'].pk}/",
            {"actual_price": "5", "price_above_cap_reason": "Temporary.", "version": _version(license)},
            format="json",
        )
    assert response.status_code == 200
    assert [flag["code"] for flag in api.get(url).json()["flags"]] == ["price_above_cap"]


def test_operator_representations_carry_flags_of_products_and_findings(world):
    operator = world["active"].operator
    factories.finding(entity_uscc=operator.uscc, data_domain="health")
    api = APIClient()
    detail = api.get(f"/api/v1/operators/{operator.uscc}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [flag["code"] for flag in detail["flags"]] == ["finding_without_license"]
    assert detail["flags"][0]["finding"] == Finding.objects.get().pk
    listed = {row["uscc"]: row["flags"] for row in api.get("/api/v1/operators/").json()["results"]}
    assert [flag["code"] for flag in listed[operator.uscc]] == ["finding_without_license"]
    # Nested operators (in a license) stay plain: no flags computed per row.
    assert "flags" not in api.get(f"/api/v1/licenses/{world['active'].number}/").json()["operator"]


def test_the_verdict_carries_the_entitys_flags(world):
    operator = world["active"].operator
    factories.priced(world["active"], name="超价产品", price="9", cap="1", price_above_cap_reason="Interim.")
    factories.finding(entity_uscc=operator.uscc, data_domain="education")
    body = APIClient().get("/api/v1/verify/", {"uscc": operator.uscc}).json()
    assert body["headline"] == "licensed" and body["flags_on"] == TODAY.isoformat()
    assert [flag["code"] for flag in body["flags"]] == ["price_above_cap", "finding_without_license"]
    transport = APIClient().get("/api/v1/verify/", {"uscc": operator.uscc, "domain": "transport"}).json()
    assert [flag["code"] for flag in transport["flags"]] == ["price_above_cap"]
    by_name = APIClient().get("/api/v1/verify/", {"name": "某部所属单位"}).json()
    assert by_name["headline"] == "no_license" and by_name["flags"] == []
    factories.finding(entity_name="某部所属单位")
    cache.clear()
    by_name = APIClient().get("/api/v1/verify/", {"name": "某部所属单位"}).json()
    assert [flag["code"] for flag in by_name["flags"]] == ["finding_without_license"]


# Findings -------------------------------------------------------------------------------------------------


@pytest.fixture
def recorded():
    rows = [
        ("交通运输部", "Ministry of Transport", "审计署", "2024-07-01", "transport", "145000000"),
        ("教育部", "Ministry of Education", "审计署", "2024-07-01", "education", "58660000"),
        ("教育部", "Ministry of Education", "某省市场监管局", "2025-03-02", "education", "10"),
    ]
    return [
        factories.finding(
            department=department,
            department_en=department_en,
            issuer=issuer,
            published_on=datetime.date.fromisoformat(day),
            data_domain=domain,
            amount=amount,
        )
        for department, department_en, issuer, day, domain, amount in rows
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [2, 0, 1]),
        ({"issuer": "审计署"}, [0, 1]),
        ({"department": "ministry of education"}, [2, 1]),
        ({"year": "2025"}, [2]),
        ({"domain": "transport"}, [0]),
        ({"q": "交通"}, [0]),
        ({"ordering": "-amount"}, [0, 1, 2]),
    ],
)
def test_findings_list_and_filters(recorded, query, expected):
    body = APIClient().get("/api/v1/findings/", query).json()
    assert [row["id"] for row in body["results"]] == [recorded[index].pk for index in expected]


def test_finding_detail_with_its_flags_and_sources(recorded):
    body = APIClient().get(f"/api/v1/findings/{recorded[0].pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["department"], body["amount"], body["source"]) == (
        "交通运输部",
        "145000000.00",
        "Audit report.",
    )
    assert [flag["code"] for flag in body["flags"]] == ["finding_without_license"]
    assert APIClient().get("/api/v1/findings/999999/").status_code == 404


@pytest.mark.parametrize(
    ("query", "parameter"),
    [({"year": "last"}, "year"), ({"colour": "red"}, "colour"), ({"domain": "x"}, "domain")],
)
def test_bad_finding_filters_are_400s(recorded, query, parameter):
    response = APIClient().get("/api/v1/findings/", query)
    assert response.status_code == 400 and parameter in response.json()["errors"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"source": ""}, "source"),
        ({"source": None}, "source"),
        ({"amount": "-5"}, "amount"),
        ({"published_on": (TODAY + D(days=1)).isoformat()}, "published_on"),
        ({"entity_uscc": "91110000600037341X"}, "entity_uscc"),
        ({"period_start": "2024-01-01", "period_end": "2023-01-01"}, "period_end"),
    ],
)
def test_bad_findings_are_400s_naming_the_field_and_nothing_written(world, fields, field):
    body = {**FINDING, **fields}
    if fields.get("source") is None and "source" in fields:
        body.pop("source")
    response = _client(world, "national").post("/api/v1/findings/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    assert not Finding.objects.exists()


def test_a_recorded_finding_is_linked_and_shown(world):
    ministry = factories.authority("100000", name="某部")
    response = _client(world, "national").post("/api/v1/findings/", FINDING, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["authority"]["id"] == ministry.pk and body["operator"] is None
    assert body["systems"] == ["系统一", "系统二"] and body["source_urls"] == FINDING["source_urls"]
    assert [flag["code"] for flag in body["flags"]] == ["finding_without_license"]


# A constant number of queries ----------------------------------------------------------------------------


def _queries(client, url):
    cache.clear()  # the build, not a cache hit
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_with_flags_cost_the_same_queries_for_few_and_many_rows(world):
    api = APIClient()
    urls = ["/api/v1/licenses/?page_size=200", "/api/v1/operators/?page_size=200", "/api/v1/findings/"]
    factories.finding(entity_uscc=world["active"].operator.uscc)
    few = [_queries(api, url) for url in urls]
    for _ in range(12):
        license = factories.license_in("suspended", grantor=world["hangzhou"])
        factories.priced(license)
        factories.product(license, product_class="public_welfare", actual_price="1")
        factories.finding(entity_uscc=license.operator.uscc, data_domain="education")
    assert License.objects.count() > 12 and Finding.objects.count() == 13
    assert [_queries(api, url) for url in urls] == few


def test_a_national_regulator_sees_drafts_anywhere(world):
    url = f"/api/v1/licenses/{world['draft'].reference}/"
    assert [_client(world, role).get(url).status_code for role in ("outside", "national")] == [404, 200]
