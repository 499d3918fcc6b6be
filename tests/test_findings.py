"""The findings register: what a finding needs, how it is linked to the entity it names, the totals, and
the 2024 National Audit Office findings in the demo data."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from licensing import findings
from licensing.exceptions import InvalidFinding
from licensing.models import Finding

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


BASE = {
    "issuer": "审计署",
    "published_on": datetime.date(2024, 7, 1),
    "entity_name": "某部所属单位",
    "source": "Audit report on 2023.",
}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"source": ""}, "source"),
        ({"source": "   "}, "source"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"period_start": datetime.date(2023, 1, 1), "period_end": datetime.date(2022, 1, 1)}, "period_end"),
        ({"published_on": TODAY + D(days=1)}, "published_on"),
        ({"period_start": datetime.date(2025, 1, 1)}, "period_start"),
        ({"entity_uscc": "91110000600037341X"}, "entity_uscc"),
        ({"source_urls": "not an address"}, "source_urls"),
        ({"data_domain": "astrology"}, "data_domain"),
        ({"entity_name": ""}, "entity_name"),
    ],
)
def test_bad_findings_are_refused_naming_the_field_and_nothing_is_written(fields, field):
    with pytest.raises(InvalidFinding) as refused:
        findings.record_finding(**{**BASE, **fields})
    assert field in refused.value.errors, refused.value.errors
    assert not Finding.objects.exists()


def test_a_finding_without_a_source_says_it_needs_one():
    with pytest.raises(InvalidFinding) as refused:
        findings.record_finding(**{**BASE, "source": ""})
    assert "needs its source" in " ".join(refused.value.errors["source"])


def test_the_entity_is_linked_to_an_operator_by_uscc_in_any_form():
    operator = factories.operator(name="之江示例数据科技有限公司")
    typed = " ".join(operator.uscc.lower())
    finding = findings.record_finding(**{**BASE, "entity_name": "Some other name", "entity_uscc": typed})
    assert finding.entity_uscc == operator.uscc
    assert finding.operator == operator and finding.authority is None


def test_the_entity_is_linked_to_an_operator_by_a_name_or_alias_in_any_writing():
    operator = factories.operator(name="阿里健康（杭州）", aliases="Alibaba Health")
    assert findings.record_finding(**{**BASE, "entity_name": "阿里健康(杭州)"}).operator == operator
    assert (
        findings.record_finding(**{**BASE, "entity_name": "x", "entity_name_en": "ALIBABA  HEALTH"}).operator
        == operator
    )
    assert findings.record_finding(**{**BASE, "entity_name": "阿里"}).operator is None


def test_the_entity_is_linked_to_its_department_when_that_is_a_registered_authority():
    ministry = factories.authority("100000", name="交通运输部", name_en="Ministry of Transport")
    finding = findings.record_finding(
        **{**BASE, "entity_name": "交通运输部所属2家单位", "department": "交通运输部"}
    )
    assert finding.authority == ministry
    english = findings.record_finding(
        **{**BASE, "entity_name": "x", "department_en": "ministry of transport"}
    )
    assert english.authority == ministry
    assert findings.record_finding(**{**BASE, "department": "教育部"}).authority is None


def test_changing_the_entity_links_it_again_unless_a_link_was_given():
    first = factories.operator(name="Alpha Data Co")
    second = factories.operator(name="Beta Data Co")
    finding = findings.record_finding(**{**BASE, "entity_name": "Alpha Data Co"})
    assert finding.operator == first
    findings.update_finding(finding, {"description": "More detail."})
    assert Finding.objects.get(pk=finding.pk).operator == first
    findings.update_finding(finding, {"entity_name": "Beta Data Co"})
    assert Finding.objects.get(pk=finding.pk).operator == second
    findings.update_finding(finding, {"entity_name": "Gamma", "operator": first})
    assert Finding.objects.get(pk=finding.pk).operator == first


def test_totals_by_department_and_issuer_largest_first():
    for department, issuer, amount in [
        ("交通运输部", "审计署", "100"),
        ("交通运输部", "审计署", "45"),
        ("教育部", "审计署", "58.66"),
        ("教育部", "某省市场监管局", "1"),
        ("", "某省市场监管局", None),
    ]:
        factories.finding(department=department, issuer=issuer, amount=Decimal(amount) if amount else None)
    totals = findings.totals()
    assert (totals.amount, totals.count) == (Decimal("204.66"), 5)
    assert [(t.name, t.amount, t.count) for t in totals.by_department] == [
        ("交通运输部", Decimal("145.00"), 2),
        ("教育部", Decimal("59.66"), 2),
        ("", Decimal("0"), 1),
    ]
    assert [(t.name, t.amount, t.count) for t in totals.by_issuer] == [
        ("审计署", Decimal("203.66"), 3),
        ("某省市场监管局", Decimal("1.00"), 2),
    ]
    assert findings.totals(Finding.objects.filter(department="教育部")).amount == Decimal("59.66")


def test_the_demo_has_the_2024_audit_office_findings_as_recorded():
    call_command("load_demo", stdout=io.StringIO())
    rows = {
        finding.department_en: finding
        for finding in Finding.objects.select_related("authority").filter(issuer_en="National Audit Office")
    }
    assert {name: row.amount for name, row in rows.items()} == {
        "Ministry of Transport": Decimal("145000000.00"),
        "Ministry of Education": Decimal("58660000.00"),
        "Ministry of Industry and Information Technology": Decimal("24470000.00"),
        "State Administration for Market Regulation": Decimal("20250000.00"),
    }
    totals = findings.totals()
    assert totals.amount == Decimal("248380000.00") and totals.count == 4
    for row in rows.values():
        assert row.source and row.origin == "recorded" and row.dates_approximate
        assert row.authority is not None and row.authority.name == row.department
        assert row.entity_uscc == "" and row.operator is None  # not invented
        assert (row.period_start, row.period_end) == (datetime.date(2018, 6, 1), datetime.date(2023, 12, 31))
    assert "four public information systems" in rows["Ministry of Transport"].systems.lower()
    call_command("load_demo", stdout=io.StringIO())
    assert Finding.objects.count() == 4
