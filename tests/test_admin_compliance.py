"""The admin of issue 8 as regulators use it: products inline on the license (checked by the products
service), the flags column and the "has flags" filter, and the findings register."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing.access import AUDITORS_GROUP
from licensing.models import Finding, LicenseEvent, Product, Regulator

from . import admin_forms, factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta
CHANGELIST = "admin:licensing_license_changelist"


@pytest.fixture
def hangzhou():
    return factories.authority("330100", name="杭州市数据资源管理局")


def _regulator(client, authority, username):
    user = factories.user(username, is_staff=True)
    Regulator.objects.create(user=user, authority=authority, contact_email=f"{username}@example.test")
    client.force_login(user)
    return user


@pytest.fixture
def regulator(client, hangzhou):
    return _regulator(client, hangzhou, "hz")


def _change(license):
    return reverse("admin:licensing_license_change", args=[license.pk])


NEW_PRODUCT = {
    "name": "客流分析报告",
    "product_class": "industry",
    "charging_unit": "per_item",
    "price_cap": "2000",
    "cap_set_on": (TODAY - D(days=3)).isoformat(),
    "cap_document": "杭发改价格〔2026〕3号",
    "actual_price": "1800",
    "prices_posted_on": TODAY.isoformat(),
    "review_cycle_months": "36",
}


# Products inline ---------------------------------------------------------------------------------------


def test_adding_a_product_in_the_admin_records_it_on_the_license_without_an_amendment(
    client, regulator, hangzhou
):
    license = factories.license_in("active", grantor=hangzhou)
    version = license.version
    data = admin_forms.admin_form_data(license, **admin_forms.product_form_data(license, new=[NEW_PRODUCT]))
    response = client.post(_change(license), data)
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"]
    product = Product.objects.get(license=license)
    assert (product.name, str(product.actual_price)) == ("客流分析报告", "1800.0000")
    event = license.events.latest("id")
    assert (event.action, event.actor) == ("product", regulator)
    license.refresh_from_db()
    assert license.version == version + 1


def test_changing_a_price_in_the_admin_records_the_diff(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    product = factories.priced(license, price="0.50", cap="1.00")
    data = admin_forms.admin_form_data(license)
    data["products-0-actual_price"] = "0.80"
    response = client.post(_change(license), data)
    assert response.status_code == 302
    assert license.events.latest("id").changes["actual_price"] == ["0.5000", "0.8000"]
    product.refresh_from_db()
    assert str(product.actual_price) == "0.8000"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"actual_price": "-1"}, "greater than or equal to 0"),
        ({"price_cap": "-5"}, "greater than or equal to 0"),
        ({"cap_set_on": (TODAY + D(days=2)).isoformat()}, "is not today&#x27;s cap"),
        ({"actual_price": "2500"}, "is above the cap 2,000.00: lower it, or record the reason"),
        ({"review_cycle_months": "40"}, "less than or equal to 36"),
    ],
)
def test_bad_products_are_form_errors_and_nothing_is_written(client, regulator, hangzhou, fields, message):
    license = factories.license_in("active", grantor=hangzhou)
    before = (license.version, Product.objects.count(), LicenseEvent.objects.count())
    row = {**NEW_PRODUCT, **fields}
    response = client.post(
        _change(license),
        admin_forms.admin_form_data(license, **admin_forms.product_form_data(license, new=[row])),
    )
    assert response.status_code == 200
    assert message in response.text
    license.refresh_from_db()
    assert (license.version, Product.objects.count(), LicenseEvent.objects.count()) == before


def test_a_price_above_the_cap_is_accepted_with_the_reason(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    row = {**NEW_PRODUCT, "actual_price": "2500", "price_above_cap_reason": "上限调整中。"}
    response = client.post(
        _change(license),
        admin_forms.admin_form_data(license, **admin_forms.product_form_data(license, new=[row])),
    )
    assert response.status_code == 302
    page = client.get(_change(license)).text
    assert "Price above its cap" in page and "上限调整中。" in page


def test_no_products_can_be_added_to_a_withdrawn_license_in_the_admin(client, regulator, hangzhou):
    license = factories.license_in("withdrawn", grantor=hangzhou)
    page = client.get(_change(license))
    assert page.status_code == 200 and "products-TOTAL_FORMS" in page.text
    assert "products-__prefix__-name" not in page.text  # no row to add
    changeable = client.get(_change(factories.license_in("active", grantor=hangzhou))).text
    assert "products-__prefix__-name" in changeable
    response = client.post(
        _change(license),
        admin_forms.admin_form_data(license, **admin_forms.product_form_data(license, new=[NEW_PRODUCT])),
    )
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_auditors_and_regulators_elsewhere_cannot_change_products(client, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    factories.priced(license, name="实时公交")
    auditor = factories.user("auditor", is_staff=True)
    auditor.groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    client.force_login(auditor)
    page = client.get(_change(license))
    assert page.status_code == 200 and "实时公交" in page.text and 'name="products-0-name"' not in page.text
    data = admin_forms.admin_form_data(license)
    data["products-0-actual_price"] = "0.01"
    assert client.post(_change(license), data).status_code == 403
    _regulator(client, factories.authority("430000", name="湖南省数据局"), "hn")
    assert client.post(_change(license), data).status_code == 404
    assert str(Product.objects.get().actual_price) == "0.5000"


# The change list: flags column and filter --------------------------------------------------------------


def _row(html, number):
    start = html.index(number)
    return html[start : html.index("</tr>", start)]


def test_change_list_shows_flags_and_filters_by_them(client, regulator, hangzhou):
    flagged = factories.license_in("suspended", grantor=hangzhou)
    factories.priced(flagged)
    clean = factories.license_in("active", grantor=hangzhou)
    factories.priced(clean)
    bare = factories.license_in("active", grantor=hangzhou)
    page = client.get(reverse(CHANGELIST)).text
    assert 'class="status-tag flag-tag"' in _row(page, flagged.number)
    assert "Paid product, license not in force" in _row(page, flagged.number)
    assert "flag-tag" not in _row(page, clean.number)
    with_flags = client.get(reverse(CHANGELIST), {"has_flags": "yes"}).text
    assert flagged.number in with_flags and clean.number not in with_flags and bare.number not in with_flags
    without = client.get(reverse(CHANGELIST), {"has_flags": "no"}).text
    assert flagged.number not in without and clean.number in without and bare.number in without


def test_change_page_explains_the_flags(client, regulator, hangzhou):
    license = factories.license_in("suspended", grantor=hangzhou)
    factories.priced(license, name="企业信用报告")
    page = client.get(_change(license)).text
    assert "Compliance flags" in page
    assert "“企业信用报告” charges a fee, but license" in page


def test_change_list_with_products_costs_the_same_queries_for_few_and_many_rows(client, regulator, hangzhou):
    factories.priced(factories.license_in("suspended", grantor=hangzhou))
    url = reverse(CHANGELIST)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(10):
        license = factories.license_in("suspended", grantor=hangzhou)
        factories.priced(license)
        factories.product(license, product_class="public_welfare", actual_price="1")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)


# Findings ----------------------------------------------------------------------------------------------

FINDING_FORM = {
    "issuer": "审计署",
    "issuer_en": "National Audit Office",
    "published_on": "2024-07-01",
    "source": "审计工作报告",
    "source_urls": "",
    "entity_name": "交通运输部所属2家单位",
    "entity_name_en": "",
    "entity_uscc": "",
    "department": "交通运输部",
    "department_en": "Ministry of Transport",
    "operator": "",
    "authority": "",
    "data_domain": "transport",
    "period_start": "2018-06-01",
    "period_end": "2023-12-31",
    "amount": "145000000",
    "systems": "",
    "description": "",
    "origin": "recorded",
}


@pytest.fixture
def national(client):
    return _regulator(client, factories.authority("100000", name="国家数据局"), "nda")


def test_a_national_regulator_records_a_finding_linked_to_its_department(client, national):
    ministry = factories.authority("100000", name="交通运输部")
    response = client.post(reverse("admin:licensing_finding_add"), FINDING_FORM)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    finding = Finding.objects.get()
    assert finding.authority == ministry and finding.amount == 145000000
    listing = client.get(reverse("admin:licensing_finding_changelist")).text
    assert "Finding, no license on record" in listing


def test_a_finding_without_a_source_is_a_form_error(client, national):
    response = client.post(reverse("admin:licensing_finding_add"), {**FINDING_FORM, "source": ""})
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert not Finding.objects.exists()


def test_regulators_below_the_national_level_and_auditors_only_read_findings(client, regulator):
    finding = factories.finding(department="交通运输部")
    assert client.get(reverse("admin:licensing_finding_changelist")).status_code == 200
    assert client.get(reverse("admin:licensing_finding_add")).status_code == 403
    change = reverse("admin:licensing_finding_change", args=[finding.pk])
    assert client.post(change, {**FINDING_FORM, "amount": "1"}).status_code == 403
    finding.refresh_from_db()
    assert finding.amount is None


def test_findings_filter_by_issuer_department_and_year(client, national):
    rows = [
        factories.finding(issuer="审计署", department="交通运输部", published_on=datetime.date(2024, 7, 1)),
        factories.finding(issuer="审计署", department="教育部", published_on=datetime.date(2024, 7, 1)),
        factories.finding(
            issuer="某省市场监管局", department="教育部", published_on=datetime.date(2025, 3, 2)
        ),
    ]
    url = reverse("admin:licensing_finding_changelist")

    def shown(query):
        page = client.get(url, query).text
        return [index for index, row in enumerate(rows) if row.entity_name in page]

    assert shown({}) == [0, 1, 2]
    assert shown({"issuer": "审计署"}) == [0, 1]
    assert shown({"department": "教育部"}) == [1, 2]
    assert shown({"year": "2025"}) == [2]
    page = client.get(url).text
    assert "2025" in page and "2024" in page  # the year filter offers the years there are


def test_findings_list_costs_the_same_queries_for_few_and_many(client, national):
    operator = factories.operator()
    factories.license_in("active", operator=operator, data_domains=["health"])
    factories.finding(entity_uscc=operator.uscc)
    url = reverse("admin:licensing_finding_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(8):
        other = factories.operator()
        factories.license_in("active", operator=other, data_domains=["transport"])
        factories.finding(entity_uscc=other.uscc, data_domain="transport")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)
