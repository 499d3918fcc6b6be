"""Issue 8 in a real browser, against the demo data as `make run` loads it: the findings page draws its
chart (without JavaScript) with the four departments of the 2024 audit, and a flagged license page
explains its flag and leads to the product that raised it."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from licensing.models import License
from licensing.sweep import run_sweep

pytestmark = pytest.mark.django_db(transaction=True)
DEPARTMENTS = [
    "Ministry of Transport",
    "Ministry of Education",
    "Ministry of Industry and Information Technology",
    "State Administration for Market Regulation",
]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    run_sweep()


@pytest.fixture
def no_script_page(browser):
    """A page of a browser with JavaScript switched off: the chart must not need it."""
    context = browser.new_context(
        java_script_enabled=False, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


def test_the_findings_page_charts_the_four_departments_without_javascript(live_server, no_script_page, demo):
    page = no_script_page
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Findings").click()
    expect(page).to_have_url(f"{live_server.url}/findings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Findings: charging for public data")
    expect(page.locator(".totals__amount")).to_have_text("248.38 million yuan")

    chart = page.get_by_role("img", name="Amounts found, by department")
    expect(chart).to_be_visible()
    expect(chart.locator("text.bar-chart__label")).to_have_text(DEPARTMENTS)
    expect(chart.locator("text.bar-chart__value")).to_have_text(
        ["145,000,000 yuan", "58,660,000 yuan", "24,470,000 yuan", "20,250,000 yuan"]
    )
    # The bars are drawn to scale, largest first, and each is visible on the page.
    widths = [bar.bounding_box()["width"] for bar in chart.locator("rect.bar-chart__bar").all()]
    assert widths == sorted(widths, reverse=True) and widths[-1] > 10
    assert abs(widths[1] / widths[0] - 58.66 / 145) < 0.02
    # One issuer only: a sentence says so, rather than a chart of one bar.
    expect(page.locator(".single-issuer")).to_contain_text("National Audit Office")

    # The department's row narrows the list to its finding, which links to its entity.
    page.get_by_role("table", name="Findings by department").get_by_role(
        "link", name="Ministry of Education"
    ).click()
    findings = page.locator(".finding")
    expect(findings).to_have_count(1)
    expect(findings).to_contain_text("Two units under the Ministry of Education")
    expect(findings).to_contain_text("Finding, no license on record")
    findings.get_by_role("link", name="教育部所属2家单位").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("教育部")


def test_a_flagged_license_page_explains_its_flag(live_server, page, demo):
    license = License.objects.get(title="湖南省市场主体公共数据授权运营（示例）")
    page.goto(f"{live_server.url}/licenses/?q=湖南省市场主体")
    page.get_by_role("link", name=license.title).click()
    expect(page).to_have_url(f"{live_server.url}/licenses/{license.number}/")
    flags = page.get_by_role("region", name="1 compliance flag")
    expect(flags).to_be_visible()
    expect(flags.locator(".flag-tag")).to_have_text("Paid product, license not in force")
    expect(flags).to_contain_text(
        f"“企业信用报告（示例）” charges a fee, but license {license.number} is not in force today "
        "(suspended). Charging for public data needs a license in force."
    )
    flags.get_by_role("link", name="See the product").click()
    product = license.products.get()
    expect(page).to_have_url(f"{live_server.url}/licenses/{license.number}/#product-{product.pk}")
    row = page.locator(f"#product-{product.pk}")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("50.00 yuan")
    expect(row).to_contain_text("30.00 yuan")
    expect(row.locator(".flag-tag")).to_have_text("Paid product, license not in force")
