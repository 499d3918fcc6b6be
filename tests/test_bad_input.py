"""Bad input answers a 4xx that says what was wrong, never a 500 (issue 14, items 5 to 7 and 9).

- Digits: a parameter that str.isdigit() accepts but int() refuses ("²"), or one too long for int(),
  is a 400 (API) or ignored with a note (pages, admin filters), like any other word.
- Control characters: a NUL (which PostgreSQL refuses to store or compare) or another C0 control
  character (which XML 1.0, hence the feeds, cannot carry) in a path, a query string, a form or a JSON
  body is refused at the edge with a 400 naming the parameter (registry.middleware.InputGuardMiddleware).
- Deep JSON, far dates and date-hierarchy years past the calendar are 400s.
- CSV exports quote a cell a spreadsheet would run as a formula.
"""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from licensing.models import License, Regulator

from . import admin_forms, factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta
CHANGELIST = "admin:licensing_license_changelist"


@pytest.fixture
def hangzhou():
    return factories.authority("330100", name="杭州市数据资源管理局")


@pytest.fixture
def regulator(hangzhou):
    user = factories.user("hz", is_staff=True)
    Regulator.objects.create(user=user, authority=hangzhou, contact_email="hz@example.test")
    return user


@pytest.fixture
def api(regulator):
    client = APIClient()
    client.force_authenticate(regulator)
    return client


@pytest.fixture
def staff(client, regulator):
    client.force_login(regulator)
    return client


def _errors(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["errors"]


# Item 5: digits that are not ASCII digits ---------------------------------------------------------------

# "²" is a digit to str.isdigit() but not to int(); 5,000 ASCII digits are too many for int() (Python
# refuses strings over 4,300 digits); "1e999999999" would make Decimal-based filters build a
# billion-digit number.
NOT_NUMBERS = ["²", "٣", "1" * 5000, "1e999999999", "-1", " 1"]


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/licenses/", "page"),
        ("/api/v1/licenses/", "page_size"),
        ("/api/v1/licenses/", "grantor_id"),
        ("/api/v1/licenses/", "operator_id"),
        ("/api/v1/events/", "limit"),
        ("/api/v1/findings/", "year"),
        ("/api/v1/findings/", "authority_id"),
        ("/api/v1/operators/", "page"),
    ],
)
def test_api_numbers_are_ascii_digits_or_a_400_naming_the_parameter(path, parameter, value):
    factories.license_in("active")
    response = APIClient().get(path, {parameter: value})
    assert response.status_code == 400, response.content[:300]
    assert parameter in _errors(response)


def test_api_numbers_in_range_still_work():
    license = factories.license_in("active")
    api = APIClient()
    assert api.get("/api/v1/licenses/", {"page": "1", "page_size": "200"}).status_code == 200
    found = api.get("/api/v1/licenses/", {"grantor_id": str(license.grantor_id)}).json()["results"]
    assert [row["number"] for row in found] == [license.number]
    assert api.get("/api/v1/events/", {"limit": "500"}).status_code == 200
    assert api.get("/api/v1/findings/", {"year": "2026"}).status_code == 200


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
@pytest.mark.parametrize("path", ["/licenses/", "/findings/", "/"])
def test_public_pages_take_a_non_number_page_as_the_first(client, path, value):
    factories.license_in("active")
    assert client.get(path, {"page": value}).status_code in (200, 404)


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_admin_filters_ignore_what_is_not_a_number(staff, hangzhou, value):
    license = factories.license_in("active", grantor=hangzhou)
    listing = staff.get(reverse(CHANGELIST), {"grantor": value})
    assert listing.status_code in (200, 302)
    findings = staff.get(reverse("admin:licensing_finding_changelist"), {"year": value})
    assert findings.status_code in (200, 302)
    assert license.number in staff.get(reverse(CHANGELIST), {"grantor": str(hangzhou.pk)}).text


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_bulk_action_with_a_version_that_is_not_a_number_changes_nothing(staff, hangzhou, value):
    license = factories.license_in("active", grantor=hangzhou)
    post = {
        "action": "bulk_suspend",
        "_selected_action": [license.pk],
        f"_version_{license.pk}": value,
        "confirm": "yes",
        "reason": "Bulk audit.",
    }
    response = staff.post(reverse(CHANGELIST), post, follow=True)
    assert response.status_code == 200
    assert "its version was not sent" in response.text
    license.refresh_from_db()
    assert license.status == "active"


# Item 6: NUL and other control characters -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/licenses/", {"q": "a\x00b"}, "q"),
        ("/licenses/a\x00b/", {}, "path"),
        ("/findings/", {"department": "a\x00"}, "department"),
        ("/findings/", {"issuer": "a\x00"}, "issuer"),
        ("/operators/a\x00/", {}, "path"),
        ("/verify/", {"q": "阿里\x00健康"}, "q"),
        ("/", {"q\x00": "x"}, "q\x00"),
    ],
)
def test_public_pages_refuse_nul_with_a_400_that_says_so(client, path, params, named):
    factories.license_in("active")
    response = client.get(path, params)
    assert response.status_code == 400
    assert "U+0000" in response.text
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/api/v1/licenses/", {"q": "a\x00b"}, "q"),
        ("/api/v1/licenses/", {"grantor": "33\x00"}, "grantor"),
        ("/api/v1/licenses/", {"operator": "\x00"}, "operator"),
        ("/api/v1/licenses/a\x00b/", {}, "path"),
        ("/api/v1/licenses/a\x00b/events/", {}, "path"),
        ("/api/v1/operators/", {"q": "\x00"}, "q"),
        ("/api/v1/operators/a\x00/", {}, "path"),
        ("/api/v1/authorities/", {"q": "\x00"}, "q"),
        ("/api/v1/findings/", {"department": "a\x00"}, "department"),
        ("/api/v1/verify/", {"name": "a\x00"}, "name"),
        ("/api/v1/events/", {"since": "\x00"}, "since"),
    ],
)
def test_api_refuses_nul_with_a_400_naming_the_parameter(path, params, named):
    factories.license_in("active")
    response = APIClient().get(path, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and named in body["errors"]
    assert "U+0000" in body["errors"][named][0]


@pytest.mark.postgres
def test_admin_search_and_forms_refuse_nul(staff, hangzhou):
    license = factories.draft(grantor=hangzhou)
    assert staff.get(reverse(CHANGELIST), {"q": "a\x00"}).status_code == 400
    change = reverse("admin:licensing_license_change", args=[license.pk])
    response = staff.post(change, admin_forms.admin_form_data(license, title="New\x00title"))
    assert response.status_code == 400 and "title" in response.text
    license.refresh_from_db()
    assert "\x00" not in license.title and license.version == 1


@pytest.mark.postgres
@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "\x1b[31m"])
def test_api_json_bodies_refuse_control_characters_and_write_nothing(api, hangzhou, text):
    before = License.objects.count()
    body = {"title": text, "grantor_id": hangzhou.pk, "data_domains": ["transport"], "scope": "Bus."}
    response = api.post("/api/v1/licenses/", body, format="json")
    assert response.status_code == 400
    assert "title" in _errors(response)
    nested = api.post("/api/v1/licenses/", body | {"title": "ok", "source_urls": [text]}, format="json")
    assert nested.status_code == 400 and "source_urls.0" in _errors(nested)
    key = api.post("/api/v1/licenses/", {**body, "title": "ok", text: 1}, format="json")
    assert key.status_code == 400
    assert License.objects.count() == before


def test_tab_and_newlines_stay_allowed(api, hangzhou):
    body = {
        "title": "Bus data",
        "grantor_id": hangzhou.pk,
        "data_domains": ["transport"],
        "scope": "Line one.\r\n\tLine two.",
    }
    response = api.post("/api/v1/licenses/", body, format="json")
    assert response.status_code == 201, response.json()
    assert License.objects.get(number=response.json()["number"]).scope == "Line one.\r\n\tLine two."


# Item 7: deep JSON, far dates, overflowing years ---------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 200])
def test_deeply_nested_json_is_a_400(api, depth):
    body = "[" * depth + "]" * depth
    response = api.post("/api/v1/licenses/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_nested_as_deep_as_a_real_body_is_accepted(api, hangzhou):
    body = {"title": "ok", "grantor_id": hangzhou.pk, "data_domains": ["transport"], "scope": "Bus."}
    response = api.post("/api/v1/licenses/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("term_start", "term_end"),
    [("9999-12-30", "9999-12-31"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "9999-12-31")],
)
def test_term_near_the_end_of_the_calendar_is_judged_not_a_500(api, hangzhou, term_start, term_end):
    operator = factories.operator()
    body = {
        "title": "Far future",
        "grantor_id": hangzhou.pk,
        "operator_uscc": operator.uscc,
        "data_domains": ["transport"],
        "scope": "Bus.",
        "term_start": term_start,
        "term_end": term_end,
    }
    response = api.post("/api/v1/licenses/", body, format="json")
    assert response.status_code in (201, 400), response.content[:300]
    if term_start == "0001-01-01":
        assert response.status_code == 400 and "term_end" in _errors(response)


def test_max_term_end_near_the_end_of_the_calendar():
    from licensing.dates import max_term_end

    assert max_term_end(datetime.date(9999, 12, 30), 5) == datetime.date(9999, 12, 31)
    assert max_term_end(datetime.date(2024, 2, 29), 5) == datetime.date(2029, 2, 27)


@pytest.mark.parametrize(
    "params",
    [
        {"term_end__year": "99999999999"},
        {"term_end__year": "2026", "term_end__month": "99999999999"},
        {"term_end__year": "2026", "term_end__month": "1", "term_end__day": "99999999999"},
        {"term_end__year": "²"},
        {"term_end__year": "0"},
    ],
    ids=repr,
)
def test_admin_date_hierarchy_out_of_the_calendar_is_a_400(staff, hangzhou, params):
    factories.license_in("active", grantor=hangzhou)
    response = staff.get(reverse(CHANGELIST), params)
    assert response.status_code == 400
    assert "term_end" in response.text


def test_admin_date_hierarchy_in_the_calendar_still_narrows(staff, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    year = str(license.term_end.year)
    assert license.number in staff.get(reverse(CHANGELIST), {"term_end__year": year}).text
    assert license.number not in staff.get(reverse(CHANGELIST), {"term_end__year": "2001"}).text


# Item 9: CSV formula injection -------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_admin_csv_export_defuses_formulas(staff, hangzhou, start):
    operator = factories.operator(name=f'{start}HYPERLINK("http://evil.example")')
    license = factories.license_in("active", grantor=hangzhou, title=f"{start}1+1", operator=operator)
    response = staff.get(reverse("admin:licensing_license_export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    title, operator_name = rows[license.number][1], rows[license.number][5]
    assert title == f"'{start}1+1"
    assert operator_name == f'\'{start}HYPERLINK("http://evil.example")'


def test_csv_quotes_text_only_numbers_stay_numbers():
    from decimal import Decimal

    from licensing.exports import spreadsheet_safe

    assert spreadsheet_safe("Bus data") == "Bus data"
    assert spreadsheet_safe("-1.5") == "'-1.5"
    assert spreadsheet_safe("+86 571 1234") == "'+86 571 1234"
    assert spreadsheet_safe(Decimal("-1.5")) == Decimal("-1.5")
    assert spreadsheet_safe(None) is None


def test_negative_consideration_is_a_400_naming_it_not_a_constraint_failure(api, hangzhou):
    body = {"title": "Bus", "grantor_id": hangzhou.pk, "consideration": "-1"}
    response = api.post("/api/v1/licenses/", body, format="json")
    assert response.status_code == 400 and "consideration" in _errors(response)
    assert not License.objects.exists()


def test_text_fields_take_only_text(api):
    body = {"name": "Ops", "uscc_note": 0, "aliases": ["A", 1]}
    response = api.post("/api/v1/operators/", body, format="json")
    assert response.status_code == 400
    assert set(_errors(response)) == {"uscc_note", "aliases"}


def test_schema_documents_the_bounds_the_server_enforces():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()

    def parameter(path, name):
        found = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return found[0]["schema"]

    assert parameter("/api/v1/events/", "limit") == {"type": "integer", "minimum": 1, "maximum": 500}
    assert parameter("/api/v1/findings/", "year") == {"type": "integer", "minimum": 1, "maximum": 9999}
    for path in ("/api/v1/licenses/", "/api/v1/licenses/{number}/events/"):
        assert parameter(path, "page_size")["minimum"] == 1
        assert parameter(path, "page_size")["maximum"] == 200
        assert parameter(path, "page")["minimum"] == 1
    assert parameter("/api/v1/licenses/", "grantor_id")["minimum"] == 1
    assert parameter("/api/v1/licenses/", "ordering")["minItems"] == 1
    assert parameter("/api/v1/licenses/", "status")["minItems"] == 1
    # And the server refuses what the schema rules out.
    assert APIClient().get("/api/v1/licenses/", {"ordering": ""}).status_code == 400
    assert APIClient().get("/api/v1/events/", {"limit": "501"}).status_code == 400
    assert APIClient().get("/api/v1/findings/", {"year": "10000"}).status_code == 400
