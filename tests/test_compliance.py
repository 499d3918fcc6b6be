"""Compliance flags: each fires where it should and stays silent where it should not, on the right days;
the database's form of the rule agrees with the Python one; and many licenses cost a constant number of
queries."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from licensing import compliance, disclosures, lifecycle, products
from licensing.choices import FlagCode, LicenseParty, LicenseStatus
from licensing.models import Finding, License, Operator
from licensing.sweep import run_sweep

from . import factories
from .clock import TODAY, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


def codes(license, today=None):
    license = compliance.with_products(License.objects.filter(pk=license.pk)).get()
    return [flag.code for flag in compliance.license_flags(license, today)]


# A paid product whose license is not in force ------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "listed", "granted", "suspended"])
def test_paid_product_on_a_license_not_in_force_is_flagged(status):
    license = factories.license_in(status)
    factories.priced(license)
    assert codes(license) == [FlagCode.UNLICENSED_CHARGING]
    (flag,) = compliance.license_flags(compliance.with_products(License.objects.filter(pk=license.pk)).get())
    assert (license.number or license.reference) in flag.explanation
    assert LicenseStatus(status).label.lower() in flag.explanation


@pytest.mark.parametrize(("action", "status"), [("revoke", "revoked"), ("terminate", "terminated")])
def test_a_paid_product_on_an_ended_license_is_flagged_until_its_last_day_is_recorded(action, status):
    license = factories.license_in("active")
    product = factories.priced(license)
    lifecycle.transition(
        license, action, actor=None, reason="For the test.", expected_version=license.version
    )
    assert license.status == status
    assert codes(license) == [FlagCode.UNLICENSED_CHARGING]
    # Of an ended license's products, only the last day offered can still be recorded; then no flag.
    products.update_product(product, {"offered_until": TODAY}, actor=None, expected_version=license.version)
    assert codes(license) == [FlagCode.UNLICENSED_CHARGING]  # offered until today, inclusive
    with at(TODAY + D(days=1)):
        assert codes(license) == []


def test_paid_product_on_an_active_license_in_its_term_is_not_flagged():
    license = factories.license_in("active")
    factories.priced(license)
    assert codes(license) == []


def test_on_the_day_a_license_ends_it_is_still_in_force_and_the_next_day_it_is_not():
    license = factories.draft(**factories.with_term(TODAY - D(days=100), 100))  # ends TODAY + 0
    lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    factories.priced(license)
    assert license.term_end == TODAY
    assert codes(license) == []
    with at(TODAY + D(days=1)):
        # Before the sweep has run the license still says active; its term says it has ended.
        assert codes(license) == [FlagCode.UNLICENSED_CHARGING]
        (flag,) = compliance.license_flags(
            compliance.with_products(License.objects.filter(pk=license.pk)).get()
        )
        assert f"ended on {TODAY.isoformat()}" in flag.explanation
        run_sweep()
        license.refresh_from_db()
        assert license.status == LicenseStatus.EXPIRED
        assert codes(license) == [FlagCode.UNLICENSED_CHARGING]


def test_free_products_and_products_no_longer_offered_are_not_flagged_on_a_suspended_license():
    license = factories.license_in("suspended")
    factories.product(license, product_class="industry", actual_price="0", prices_posted_on=TODAY)
    factories.product(license, product_class="public_welfare")
    factories.priced(license, offered_until=TODAY - D(days=1))
    assert codes(license) == []
    factories.priced(license, offered_until=TODAY)  # offered today, its last day
    assert codes(license) == [FlagCode.UNLICENSED_CHARGING]


# Prices above their caps -----------------------------------------------------------------------------------


def test_price_above_its_cap_is_flagged_with_the_reason_recorded():
    license = factories.license_in("active")
    factories.priced(license, price="1.20", cap="1.00", price_above_cap_reason="Cap under review.")
    (flag,) = compliance.license_flags(compliance.with_products(License.objects.filter(pk=license.pk)).get())
    assert flag.code == FlagCode.PRICE_ABOVE_CAP
    assert "1.20 yuan" in flag.explanation and "1.00 yuan" in flag.explanation
    assert "Cap under review." in flag.explanation


@pytest.mark.parametrize(("price", "cap"), [("1.00", "1.00"), ("0.99", "1.00"), ("5.00", None)])
def test_price_at_or_below_its_cap_or_without_a_cap_is_not_flagged(price, cap):
    license = factories.license_in("active")
    extra = {} if cap else {"cap_set_on": None, "cap_document": ""}
    factories.priced(license, price=price, cap=cap, **extra)
    assert codes(license) == []


# Fees on public-welfare products ---------------------------------------------------------------------------


def test_fee_on_a_public_welfare_product_is_flagged():
    license = factories.license_in("active")
    factories.product(license, product_class="public_welfare", actual_price="0.80", prices_posted_on=TODAY)
    assert codes(license) == [FlagCode.FEE_ON_PUBLIC_WELFARE]


@pytest.mark.parametrize("price", ["0", None])
def test_free_public_welfare_product_is_not_flagged(price):
    license = factories.license_in("active")
    factories.product(license, product_class="public_welfare", actual_price=price)
    assert codes(license) == []


# Prices not posted -----------------------------------------------------------------------------------------


def test_paid_product_with_no_price_on_record_is_flagged():
    license = factories.license_in("active")
    factories.priced(license, price=None, prices_posted_on=None)
    (flag,) = compliance.license_flags(compliance.with_products(License.objects.filter(pk=license.pk)).get())
    assert flag.code == FlagCode.PRICE_NOT_POSTED
    assert "no actual price on record" in flag.explanation


def test_paid_product_whose_price_was_never_posted_is_flagged():
    license = factories.license_in("active")
    factories.priced(license, price="3.00", cap="5.00", prices_posted_on=None)
    (flag,) = compliance.license_flags(compliance.with_products(License.objects.filter(pk=license.pk)).get())
    assert flag.code == FlagCode.PRICE_NOT_POSTED
    assert "3.00 yuan" in flag.explanation


def test_posted_prices_and_free_products_need_no_posting():
    license = factories.license_in("active")
    factories.priced(license)
    factories.product(license, product_class="industry", actual_price="0")
    assert codes(license) == []


def test_one_product_can_raise_several_flags():
    license = factories.license_in("suspended")
    factories.product(license, product_class="public_welfare", actual_price="2")
    assert sorted(codes(license)) == sorted(
        [FlagCode.UNLICENSED_CHARGING, FlagCode.FEE_ON_PUBLIC_WELFARE, FlagCode.PRICE_NOT_POSTED]
    )


# Findings against entities with no license ----------------------------------------------------------------


def _finding_codes(finding):
    return [flag.code for flag in compliance.finding_flags([Finding.objects.get(pk=finding.pk)])[finding.pk]]


def test_finding_against_an_entity_the_registry_does_not_know_is_flagged():
    finding = factories.finding(entity_name="某部所属单位", data_domain="transport")
    assert (finding.operator, finding.authority) == (None, None)
    assert _finding_codes(finding) == [FlagCode.FINDING_WITHOUT_LICENSE]


def test_finding_against_an_operator_licensed_for_that_data_and_period_is_not_flagged():
    license = factories.license_in("active", data_domains=["transport"])
    finding = factories.finding(
        entity_uscc=license.operator.uscc,
        data_domain="transport",
        period_start=TODAY - D(days=300),
        period_end=TODAY - D(days=5),
    )
    assert finding.operator == license.operator
    assert _finding_codes(finding) == []


def test_an_ended_license_still_counts_for_a_finding_in_its_term():
    license = factories.license_in("revoked", data_domains=["transport"])
    finding = factories.finding(entity_uscc=license.operator.uscc, data_domain="transport")
    assert _finding_codes(finding) == []


@pytest.mark.parametrize(
    "case", ["other_domain", "period_before_term", "only_withdrawn_listing", "only_a_draft"]
)
def test_finding_against_an_operator_without_a_license_for_that_data_is_flagged(case):
    operator = factories.operator()
    if case == "other_domain":
        factories.license_in("active", operator=operator, data_domains=["health"])
    elif case == "period_before_term":
        factories.license_in("active", operator=operator, data_domains=["transport"])
    elif case == "only_withdrawn_listing":
        factories.license_in("withdrawn", operator=operator, data_domains=["transport"])
    else:
        factories.draft(operator=operator, data_domains=["transport"])
    finding = factories.finding(
        entity_uscc=operator.uscc,
        data_domain="transport",
        period_start=datetime.date(2018, 6, 1),
        period_end=datetime.date(2023, 12, 31),
    )
    assert _finding_codes(finding) == [FlagCode.FINDING_WITHOUT_LICENSE]
    (flag,) = compliance.operator_flags([operator])[operator.pk]
    assert flag.finding_id == finding.pk
    assert "Transport" in flag.explanation


# Explanations in both languages ---------------------------------------------------------------------------


def test_every_explanation_reads_in_chinese_and_in_english():
    suspended = factories.license_in("suspended")
    factories.product(suspended, product_class="public_welfare", actual_price="2")
    factories.priced(factories.license_in("active"), price="2", cap="1", price_above_cap_reason="理由。")
    factories.priced(factories.license_in("active"), price=None, prices_posted_on=None)
    finding = factories.finding(entity_name="某单位", entity_name_en="A unit", data_domain="education")
    flags = [
        flag
        for license in compliance.with_products(License.objects.all())
        for flag in compliance.license_flags(license)
    ]
    # Annual disclosures overdue, of each party (found by licensing.disclosures: tests/test_disclosures.py).
    flags += [
        compliance.Flag(
            FlagCode.DISCLOSURE_OVERDUE, party, license_number="330100-2025-0001", day=TODAY, year=2025
        )
        for party in LicenseParty.values
    ]
    flags += compliance.finding_flags([finding])[finding.pk]
    assert {flag.code for flag in flags} == set(FlagCode)
    for flag in flags:
        with translation.override("zh-hans"):
            chinese = (flag.label, flag.explanation)
        with translation.override("en"):
            english = (flag.label, flag.explanation)
        assert chinese != english, flag
        assert all(any("\u4e00" <= c <= "\u9fff" for c in text) for text in chinese), chinese
        assert "%(" not in chinese[1] and "%(" not in english[1]
    with translation.override("en"):
        assert "A unit" in flags[-1].explanation and "National Audit Office" in flags[-1].explanation


# The database's form agrees with the Python one ------------------------------------------------------------


def test_the_has_flags_query_agrees_with_the_flags_on_every_day_around_a_term_end():
    ends_today = factories.draft(**factories.with_term(TODAY - D(days=50), 50))
    lifecycle.transition(ends_today, "grant", actor=None, expected_version=ends_today.version)
    factories.priced(ends_today)
    for status in ("active", "suspended", "granted", "listed"):
        license = factories.license_in(status)
        factories.priced(license, offered_until=TODAY + D(days=1))
    clean = factories.license_in("active")
    factories.priced(clean)
    factories.product(clean, product_class="public_welfare")
    over = factories.license_in("active")
    factories.priced(over, price="2", cap="1", price_above_cap_reason="x")
    welfare = factories.license_in("active")
    factories.product(welfare, product_class="public_welfare", actual_price="1", prices_posted_on=TODAY)
    unposted = factories.license_in("active")
    factories.priced(unposted, prices_posted_on=None)
    factories.license_in("active")  # no products at all
    for day in (TODAY - D(days=1), TODAY, TODAY + D(days=1), TODAY + D(days=2), TODAY + D(days=20)):
        with at(day):
            everything = compliance.with_products(License.objects.all())
            by_python = {license.pk for license in everything if compliance.license_flags(license, day)}
            by_query = set(
                compliance.flagged_licenses(License.objects.all(), day).values_list("pk", flat=True)
            )
            assert by_query == by_python, day
            unflagged = set(
                compliance.flagged_licenses(License.objects.all(), day, flagged=False).values_list(
                    "pk", flat=True
                )
            )
            assert unflagged == set(License.objects.values_list("pk", flat=True)) - by_python
    with at(TODAY):
        assert ends_today.pk not in set(
            compliance.flagged_licenses(License.objects.all()).values_list("pk", flat=True)
        )
    with at(TODAY + D(days=1)):
        assert ends_today.pk in set(
            compliance.flagged_licenses(License.objects.all()).values_list("pk", flat=True)
        )


# Many at once: a constant number of queries ---------------------------------------------------------------


def test_operator_flags_take_the_same_queries_for_one_operator_or_many(django_assert_num_queries):
    def build():
        operator = factories.operator()
        license = factories.license_in("suspended", operator=operator, data_domains=["transport"])
        factories.priced(license)
        factories.finding(entity_uscc=operator.uscc, data_domain="health")
        return operator

    first = build()
    with django_assert_num_queries(5):
        assert len(compliance.operator_flags([first])[first.pk]) == 2
    operators = [first] + [build() for _ in range(5)] + list(Operator.objects.filter(licenses=None))
    with django_assert_num_queries(5):
        flags = compliance.operator_flags(operators)
    assert [len(flags[operator.pk]) for operator in operators[:6]] == [2] * 6
    assert all(flags[operator.pk] == [] for operator in operators[6:])


def test_finding_flags_take_the_same_queries_for_one_finding_or_many(django_assert_num_queries):
    operator = factories.operator()
    factories.license_in("active", operator=operator, data_domains=["transport"])
    factories.finding(entity_uscc=operator.uscc, data_domain="transport")
    # The findings, the licenses of the operators they name, and those licenses' data domains.
    with django_assert_num_queries(3):
        compliance.finding_flags(Finding.objects.all())
    for index in range(6):
        other = factories.operator()
        factories.license_in("active", operator=other, data_domains=["health"])
        factories.finding(entity_uscc=other.uscc, data_domain="transport" if index % 2 else "health")
    with django_assert_num_queries(3):
        flags = compliance.finding_flags(Finding.objects.all())
    assert sum(1 for found in flags.values() if found) == 3


# The demo shows every kind of flag -------------------------------------------------------------------------


def test_the_demo_data_shows_every_kind_of_flag():
    call_command("load_demo", stdout=io.StringIO())
    run_sweep()
    shown = {
        flag.code
        for license in compliance.with_products(License.objects.all())
        for flag in compliance.license_flags(license)
    }
    shown |= {
        flag.code for found in compliance.finding_flags(Finding.objects.all()).values() for flag in found
    }
    shown |= {flag.code for flag in disclosures.overdue_flags(License.objects.all())}
    assert shown == set(FlagCode)
    assert Decimal(sum(Finding.objects.values_list("amount", flat=True))) == Decimal("248380000.00")
