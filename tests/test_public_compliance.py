"""The public pages of issue 8: the findings page (totals by department and issuer drawn as SVG bar charts,
each finding linked to its entity), a license's products with caps and prices, and the compliance flags
explained on the license, operator and verify pages."""

import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from licensing import charts, lifecycle, products
from licensing.compliance import format_yuan
from licensing.models import Finding, License
from licensing.sweep import run_sweep

from . import factories
from .clock import NOW, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta
DEPARTMENTS = [
    ("Ministry of Transport", "145,000,000 yuan"),
    ("Ministry of Education", "58,660,000 yuan"),
    ("Ministry of Industry and Information Technology", "24,470,000 yuan"),
    ("State Administration for Market Regulation", "20,250,000 yuan"),
]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    run_sweep()


def _svg(html: str, chart_id: str) -> str:
    start = html.index(f'aria-labelledby="{chart_id}-title')
    return html[start : html.index("</svg>", start)]


def _labels(chart: str) -> list[str]:
    """Each bar's label, its lines joined as a screen reader reads them (a line broken at a space keeps
    it); every line fits the chart's width (no label is clipped)."""
    labels = []
    for text in re.findall(r'<text class="bar-chart__label">(.*?)</text>', chart):
        lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", text)
        assert all(charts._text_width(line.rstrip()) <= charts.WIDTH for line in lines), lines
        labels.append("".join(lines))
    return labels


# The findings page -------------------------------------------------------------------------------------


def test_findings_page_totals_the_audit_office_findings_and_charts_the_four_departments(client, demo):
    page = client.get("/findings/", HTTP_ACCEPT_LANGUAGE="en").text
    assert "248.38 million yuan" in page and "248,380,000 yuan" in page
    assert "Charged without a license, in all the findings on record" in page  # the figure's label
    # Every figure has its source, with a link.
    assert page.count('<p class="figure-sources">') == 3 and 'href="https://www.audit.gov.cn/"' in page
    chart = _svg(page, "chart-department")
    labels = _labels(chart)
    values = re.findall(r'<text class="bar-chart__value"[^>]*>([^<]*)</text>', chart)
    assert list(zip(labels, values, strict=True)) == DEPARTMENTS
    widths = [int(w) for w in re.findall(r'<rect class="bar-chart__bar"[^>]*width="(\d+)"', chart)]
    assert widths == sorted(widths, reverse=True) and widths[0] == charts.WIDTH - charts.VALUE_ROOM
    assert round(widths[1] / widths[0], 2) == round(58.66 / 145, 2)
    # One issuer: a sentence, not a chart of one bar.
    assert "chart-issuer" not in page
    assert "All 4 findings were issued by National Audit Office." in page
    assert "<script" not in page.split('id="findings-heading"')[0].split("<main")[1]  # drawn by the server


def test_findings_page_in_chinese(client, demo):
    page = client.get("/findings/", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "2.48 亿元" in page and "248,380,000 元" in page
    labels = _labels(_svg(page, "chart-department"))
    assert labels == ["交通运输部", "教育部", "工业和信息化部", "国家市场监督管理总局"]
    assert "这些问题通报均由审计署发布。" in page


def test_each_finding_links_to_its_entity_and_explains_its_flag(
    client, demo, django_capture_on_commit_callbacks
):
    page = client.get("/findings/").text
    transport = Finding.objects.get(department="交通运输部")
    item = page[page.index(f'id="finding-{transport.pk}"') :]
    item = item[: item.index("</li>\n    \n    <li") if "</li>\n    \n    <li" in item else len(item)]
    assert f'href="/authorities/{transport.authority_id}/"' in item
    assert "Finding, no license on record" in item
    assert "the registry has no license on record for that entity covering the data domain" in item
    assert "Four public information systems" in item and "National Audit Office, report on" in item
    with django_capture_on_commit_callbacks(execute=True):  # the commit shows on the (cached) page
        operator = factories.operator(name="某数据公司")
        finding = factories.finding(entity_uscc=operator.uscc, entity_name="某数据公司", amount="10")
    page = client.get("/findings/").text
    assert f'href="/operators/{operator.uscc}/">某数据公司</a>' in page
    assert f'id="finding-{finding.pk}"' in page


def test_the_list_narrows_to_a_department_or_an_issuer_and_says_when_nothing_matches(client, demo):
    narrowed = client.get("/findings/", {"department": "教育部"}).text
    shown = re.findall(r'id="finding-(\d+)"', narrowed)
    assert shown == [str(Finding.objects.get(department="教育部").pk)]
    assert "248.38 million yuan" in narrowed  # the totals and charts stay whole
    assert "Show every finding" in narrowed
    assert len(re.findall(r'id="finding-(\d+)"', client.get("/findings/", {"issuer": "审计署"}).text)) == 4
    nothing = client.get("/findings/", {"department": "<b>无此部门</b>"})
    assert nothing.status_code == 200 and "No findings on record here." in nothing.text
    assert "<b>无此部门</b>" not in nothing.text and "&lt;b&gt;无此部门&lt;/b&gt;" in nothing.text


def test_an_empty_register_says_so(client):
    page = client.get("/findings/").text
    assert "0 findings on record" in page and "No findings on record here." in page
    assert "bar-chart__svg" not in page


def test_findings_page_costs_the_same_queries_for_few_and_many(client):
    def build(n):
        for i in range(n):
            operator = factories.operator()
            factories.license_in("active", operator=operator, data_domains=["transport"])
            factories.finding(
                entity_uscc=operator.uscc, department=f"部门{i % 3}", issuer=f"机关{i % 2}", amount="1"
            )

    build(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/findings/").status_code == 200
    build(10)
    cache.clear()  # the page's build, not a hit in the cache of public pages
    with CaptureQueriesContext(connection) as many:
        assert client.get("/findings/").status_code == 200
    assert len(many) == len(few) <= 8, [q["sql"] for q in many.captured_queries]


# Products and flags on the license, operator and verify pages ------------------------------------------


def test_a_flagged_license_page_explains_its_flag_and_shows_caps_and_prices(client):
    license = factories.license_in("suspended", title="Credit data")
    product = factories.priced(
        license, name="企业信用报告", price="30", cap="50", cap_document="湘发改价格〔2026〕1号"
    )
    page = client.get(f"/licenses/{license.number}/", HTTP_ACCEPT_LANGUAGE="en").text
    flags = page[page.index('class="flags"') : page.index("</section>", page.index('class="flags"'))]
    assert "1 compliance flag" in flags and "Paid product, license not in force" in flags
    assert (
        f"“企业信用报告” charges a fee, but license {license.number} is not in force today (suspended)."
        in flags
    )
    assert f'href="#product-{product.pk}"' in flags
    row = page[page.index(f'id="product-{product.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "50.00 yuan" in row and "30.00 yuan" in row and "湘发改价格〔2026〕1号" in row
    assert "Industry (government-guided fee)" in row and "Per call" in row and "36 months" in row


def test_a_license_in_force_with_fair_prices_shows_products_and_no_flags(client):
    license = factories.license_in("active")
    factories.priced(license, name="到站查询")
    factories.product(license, name="开放数据", product_class="public_welfare", actual_price="0")
    page = client.get(f"/licenses/{license.number}/").text
    assert 'class="flags"' not in page
    assert "到站查询" in page and "开放数据" in page and ">Free<" in page
    bare = factories.license_in("active")
    assert "No products or services on record." in client.get(f"/licenses/{bare.number}/").text


def test_a_price_change_shows_in_the_history_naming_the_product(client):
    license = factories.license_in("active")
    product = factories.priced(license, name="到站查询")
    products.update_product(product, {"actual_price": "0.60"}, actor=None, expected_version=license.version)
    page = client.get(f"/licenses/{license.number}/").text
    assert page.count("Products or prices changed") == 2
    assert "Product “到站查询” added." in page
    assert "Product “到站查询” changed: actual price (CNY)" in page


def test_operator_and_verify_pages_show_the_flags_of_products_and_findings(client):
    license = factories.license_in("suspended")
    factories.priced(license, name="企业信用报告")
    operator = license.operator
    finding = factories.finding(entity_uscc=operator.uscc, data_domain="education")
    for url in (f"/operators/{operator.uscc}/", f"/verify/?q={operator.uscc}"):
        page = client.get(url).text
        assert "2 compliance flags" in page, url
        assert "Paid product, license not in force" in page and "Finding, no license on record" in page
        assert f'href="/licenses/{license.number}/#product-' in page
        assert f'href="/findings/#finding-{finding.pk}"' in page


def test_on_the_day_a_license_ends_its_page_has_no_flag_and_the_next_day_it_has(client):
    license = factories.draft(**factories.with_term(TODAY - D(days=30), 30))
    lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    factories.priced(license)
    assert license.term_end == TODAY
    assert 'class="flags"' not in client.get(f"/licenses/{license.number}/").text
    with time_machine.travel(NOW + D(days=1), tick=False):
        page = client.get(f"/licenses/{license.number}/").text
        assert "Paid product, license not in force" in page
        assert f"ended on {TODAY.isoformat()}" in page


def test_product_names_are_escaped(client):
    license = factories.license_in("suspended")
    factories.priced(license, name="<script>alert(1)</script>", cap_document="<img src=x onerror=alert(1)>")
    page = client.get(f"/licenses/{license.number}/").text
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_license_page_costs_the_same_queries_with_many_products(client):
    license = factories.license_in("suspended")
    factories.priced(license)
    cache.clear()  # the page's build, not a hit in the cache of public pages
    with CaptureQueriesContext(connection) as one:
        client.get(f"/licenses/{license.number}/")
    for _ in range(8):
        factories.priced(license)
        factories.product(license, product_class="public_welfare", actual_price="1", prices_posted_on=TODAY)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/licenses/{license.number}/").text
    assert len(many) == len(one)
    # 17 paid products on a suspended license, 8 of them fees on public-welfare products.
    assert "25 compliance flags" in page
    assert License.objects.get(pk=license.pk).products.count() == 17


def test_money_as_readers_write_it():
    with translation.override("en"):
        assert format_yuan(Decimal("1802441200")) == "1,802,441,200 yuan"
        assert format_yuan(Decimal("1802441200"), short=True) == "1.8 billion yuan"
        assert format_yuan(Decimal("248380000"), short=True) == "248.38 million yuan"
        assert format_yuan(Decimal("1500"), short=True) == "1,500.00 yuan"
        assert format_yuan(Decimal("0.0025")) == "0.0025 yuan"
        assert format_yuan(None) == ""
    with translation.override("zh-hans"):
        assert format_yuan(Decimal("1802441200")) == "1,802,441,200 元"
        assert format_yuan(Decimal("1802441200"), short=True) == "18.02 亿元"
        assert format_yuan(Decimal("58660000"), short=True) == "5,866 万元"
        assert format_yuan(Decimal("12.5"), short=True) == "12.50 元"
        assert format_yuan(Decimal("1450000.5")) == "1,450,000.50 元"


def test_a_price_change_shows_on_the_cached_license_page_once_committed(
    client, django_capture_on_commit_callbacks
):
    license = factories.license_in("active")
    product = factories.priced(license, name="到站查询", price="0.50", cap="1.00")
    url = f"/licenses/{license.number}/"
    assert 'class="flags"' not in client.get(url).text
    with django_capture_on_commit_callbacks(execute=True):
        products.update_product(
            product,
            {"actual_price": "1.50", "price_above_cap_reason": "Interim."},
            actor=None,
            expected_version=license.version,
        )
    page = client.get(url).text
    assert "Price above its cap" in page and "1.50 yuan" in page
