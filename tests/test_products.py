"""Products and their prices change only through licensing.products: each change an event on the license
with its diff and the version check; bad values refused with the field named and nothing written."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from licensing import lifecycle, products
from licensing.exceptions import InvalidProduct, LicenseClosed, StaleVersion
from licensing.models import LicenseEvent, Product

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


@pytest.fixture
def license():
    return factories.license_in("active")


def _snapshot(license):
    license.refresh_from_db()
    return (license.version, Product.objects.count(), LicenseEvent.objects.count())


def test_adding_a_product_is_an_event_on_the_license_with_the_diff(license):
    actor = factories.user("price-officer")
    version = license.version
    product = products.create_product(
        license,
        actor=actor,
        expected_version=version,
        reason="Listed in the agreement's annex.",
        name="Bus arrivals API",
        product_class="industry",
        charging_unit="per_call",
        price_cap="0.05",
        cap_set_on=TODAY - D(days=10),
        cap_document="杭发改价格〔2026〕1号",
        actual_price="0.03",
        prices_posted_on=TODAY,
        review_cycle_months=36,
    )
    assert license.version == version + 1
    event = license.events.latest("id")
    assert (event.action, event.actor, event.reason) == ("product", actor, "Listed in the agreement's annex.")
    assert event.from_status == event.to_status == "active"
    assert event.changes["product"] == [None, {"id": product.pk, "label": "Bus arrivals API"}]
    assert event.changes["price_cap"] == [None, "0.0500"]
    assert event.changes["actual_price"] == [None, "0.0300"]
    assert event.changes["cap_set_on"] == [None, (TODAY - D(days=10)).isoformat()]


def test_changing_a_price_records_only_what_changed_and_nothing_for_no_change(license):
    product = factories.priced(license, price="0.50", cap="1.00")
    version = license.version
    products.update_product(
        product, {"actual_price": "0.6", "price_cap": "1.00"}, actor=None, expected_version=version
    )
    event = license.events.latest("id")
    assert event.changes == {
        "product": [{"id": product.pk, "label": product.name}] * 2,
        "actual_price": ["0.5000", "0.6000"],
    }
    license.refresh_from_db()
    assert license.version == version + 1
    before = _snapshot(license)
    products.update_product(product, {"actual_price": "0.60"}, actor=None, expected_version=license.version)
    assert _snapshot(license) == before


def test_a_stale_version_is_refused_and_nothing_written(license):
    product = factories.priced(license)
    stale = license.version - 1
    before = _snapshot(license)
    with pytest.raises(StaleVersion):
        products.update_product(product, {"actual_price": "0.10"}, actor=None, expected_version=stale)
    with pytest.raises(StaleVersion):
        products.create_product(
            license, actor=None, expected_version=stale, name="x", product_class="industry"
        )
    assert _snapshot(license) == before
    product.refresh_from_db()
    assert str(product.actual_price) == "0.5000"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"actual_price": "-0.01"}, "actual_price", "greater than or equal to 0"),
        ({"price_cap": "-1"}, "price_cap", "greater than or equal to 0"),
        ({"cap_set_on": TODAY + D(days=1)}, "cap_set_on", "is not today's cap"),
        ({"prices_posted_on": TODAY + D(days=3)}, "prices_posted_on", "not posted yet"),
        ({"actual_price": "1.50"}, "actual_price", "above the cap 1"),
        ({"cap_set_on": None}, "cap_set_on", "needs the date"),
        ({"cap_document": ""}, "cap_document", "needs the document"),
        ({"review_cycle_months": 37}, "review_cycle_months", "less than or equal to 36"),
        ({"review_cycle_months": 0}, "review_cycle_months", "greater than or equal to 1"),
        ({"product_class": "luxury"}, "product_class", "not a valid choice"),
        ({"actual_price": "cheap"}, "actual_price", "decimal"),
        ({"name": ""}, "name", "cannot be blank"),
        ({"colour": "red"}, "colour", "cannot be set here"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(license, fields, field, words):
    values = {
        "name": "Credit report",
        "product_class": "industry",
        "price_cap": "1.00",
        "cap_set_on": TODAY - D(days=5),
        "cap_document": "Doc 1",
        "actual_price": "0.80",
        **fields,
    }
    before = _snapshot(license)
    with pytest.raises(InvalidProduct) as refused:
        products.create_product(license, actor=None, expected_version=license.version, **values)
    assert field in refused.value.errors, refused.value.errors
    assert words in " ".join(refused.value.errors[field])
    assert _snapshot(license) == before


def test_a_price_above_its_cap_is_accepted_with_the_reason_recorded(license):
    product = factories.priced(
        license, price="1.50", cap="1.00", price_above_cap_reason="Interim price, cap under review."
    )
    assert product.actual_price > product.price_cap
    # And the reason cannot be taken away while the price stays above the cap.
    with pytest.raises(InvalidProduct) as refused:
        products.update_product(
            product, {"price_above_cap_reason": ""}, actor=None, expected_version=license.version
        )
    assert "actual_price" in refused.value.errors


def test_a_cap_dated_today_is_todays_cap(license):
    product = factories.priced(license, cap_set_on=TODAY)
    assert product.cap_set_on == TODAY


def test_a_name_is_used_once_per_license(license):
    factories.product(license, name="Credit report")
    with pytest.raises(InvalidProduct) as refused:
        factories.product(license, name="Credit report")
    assert "already has a product with this name" in refused.value.errors["name"][0]
    factories.product(factories.license_in("active"), name="Credit report")  # another license: fine


@pytest.mark.parametrize("status", ["withdrawn", "expired", "revoked", "terminated", "renewed"])
def test_no_product_is_added_to_an_ended_license(status):
    license = factories.license_in(status)
    before = _snapshot(license)
    with pytest.raises(LicenseClosed) as refused:
        products.create_product(
            license, actor=None, expected_version=license.version, name="Late", product_class="industry"
        )
    assert "no product can be added" in str(refused.value)
    assert _snapshot(license) == before


def test_of_an_ended_licenses_products_only_the_last_day_offered_can_be_recorded():
    license = factories.license_in("active")
    product = factories.priced(license)
    lifecycle.transition(license, "revoke", actor=None, reason="Breach.", expected_version=license.version)
    with pytest.raises(LicenseClosed):
        products.update_product(
            product, {"actual_price": "0.10"}, actor=None, expected_version=license.version
        )
    products.update_product(product, {"offered_until": TODAY}, actor=None, expected_version=license.version)
    product.refresh_from_db()
    assert product.offered_until == TODAY
    assert license.events.latest("id").changes["offered_until"] == [None, TODAY.isoformat()]


@pytest.mark.parametrize("status", ["draft", "listed", "granted", "suspended"])
def test_products_may_be_listed_before_and_during_the_term(status):
    license = factories.license_in(status)
    factories.product(license, name="Planned product")
    assert license.products.count() == 1


def test_the_database_refuses_negative_prices_and_unexplained_prices_above_the_cap(license):
    for values in ({"actual_price": -1}, {"price_cap": -1}, {"price_cap": 1, "actual_price": 2}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Product.objects.create(license=license, name=f"Raw {values}", product_class="industry", **values)
