"""The public site in a real browser, against the demo data as `make run` loads it: searching in Chinese
and English, the two recorded cases, verifying an operator, languages, and a phone-sized screen.

On CI's second pass this runs on PostgreSQL, where Chinese search goes through the trigram indexes; the
view tests run the same searches on SQLite."""

import io
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from licensing.models import Operator
from licensing.sweep import run_sweep

pytestmark = pytest.mark.django_db(transaction=True)
HANGZHOU = "330100-2023-0001"
HENGYANG = "430400-2023-0001"
SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "license-page.png"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    run_sweep()


def _search_from_home(page, base_url, text):
    page.goto(f"{base_url}/")
    page.get_by_role("searchbox", name="Search licenses").fill(text)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(f"{base_url}/licenses/?q={urllib.parse.quote_plus(text)}")


@pytest.mark.parametrize("text", ["阿里健康", "Ali Health"])
def test_search_finds_the_hangzhou_license_which_has_expired(live_server, page, demo, text):
    _search_from_home(page, live_server.url, text)
    results = page.locator(".results")
    expect(results.locator(".result")).to_have_count(1)
    expect(results).to_contain_text(HANGZHOU)
    results.get_by_role("link", name="杭州市公共数据授权运营（医疗健康领域）").click()
    expect(page).to_have_url(f"{live_server.url}/licenses/{HANGZHOU}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("杭州市公共数据授权运营（医疗健康领域）")
    panel = page.locator(".status-panel")
    expect(panel.locator(".status-tag")).to_have_text("Expired")
    expect(panel).to_contain_text("Expired on 1 October 2025: its term ended on 30 September 2025.")
    expect(page.locator(".summary-list")).to_contain_text("Ali Health")
    expect(page.locator(".summary-list")).to_contain_text("Approximate: the sources give the month")


def test_hengyang_listing_shows_withdrawn_with_its_reason_and_dates(live_server, page, demo):
    page.goto(f"{live_server.url}/licenses/?q=衡阳")
    page.get_by_role("link", name="衡阳市政务数据和智慧城市数据特许经营权出让").click()
    panel = page.locator(".status-panel")
    expect(panel.locator(".status-tag")).to_have_text("Withdrawn")
    expect(panel).to_contain_text("Withdrawn on 15 November 2023: the license was never granted.")
    expect(panel).to_contain_text("应转让方要求")
    expect(panel).to_contain_text("suspended on 2023-11-15 at the transferor's request")
    expect(page.locator(".summary-list")).to_contain_text("¥1,802,441,200.00")
    timeline = page.locator(".timeline__item")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(0)).to_contain_text("Withdrawn")
    expect(timeline.nth(0)).to_contain_text("15 November 2023")
    expect(timeline.nth(1)).to_contain_text("Listed")
    expect(timeline.nth(1)).to_contain_text("10 November 2023")


def test_verify_by_a_uscc_typed_in_lower_case_and_full_width(live_server, page, demo):
    operator = Operator.objects.get(name="之江示例数据科技有限公司")
    full_width = operator.uscc.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Verify an operator").click()
    page.get_by_label("Name or unified social credit code (USCC)").fill(full_width)
    page.get_by_role("button", name="Verify", exact=True).click()
    result = page.locator(".verdict-result")
    expect(result.locator(".verdict__headline")).to_have_text("Licensed")
    expect(result.locator(".operators")).to_contain_text("之江示例数据科技有限公司")
    expect(result.locator(".operators")).to_contain_text(operator.uscc)
    result.get_by_role("link", name="之江示例数据科技有限公司").click()
    expect(page).to_have_url(f"{live_server.url}/operators/{operator.uscc}/")


def test_bad_verify_input_gets_an_error_summary_that_leads_to_the_field(live_server, page, demo):
    page.goto(f"{live_server.url}/verify/")
    page.get_by_role("button", name="Verify", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    summary.get_by_role("link", name="This field is required.").click()
    expect(page.get_by_label("Name or unified social credit code (USCC)")).to_be_focused()


def test_language_switcher_turns_the_site_to_chinese_and_back(live_server, page, demo):
    page.goto(f"{live_server.url}/licenses/{HANGZHOU}/")
    page.get_by_role("button", name="简体中文").click()
    expect(page).to_have_url(f"{live_server.url}/licenses/{HANGZHOU}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".status-panel .status-tag")).to_have_text("已到期")
    expect(page.locator(".status-panel")).to_contain_text("2025年10月1日")
    page.get_by_role("button", name="English").click()
    expect(page.locator(".status-panel .status-tag")).to_have_text("Expired")


def test_keyboard_users_can_skip_to_the_content(live_server, page, demo):
    page.goto(f"{live_server.url}/licenses/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


@pytest.mark.parametrize(
    "path", [f"/licenses/{HANGZHOU}/", f"/licenses/{HENGYANG}/", "/licenses/", "/", "/verify/?q=Ali+Health"]
)
def test_a_phone_sized_screen_never_scrolls_sideways(live_server, browser, demo, path):
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(f"{live_server.url}{path}")
    widths = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{path} is {widths[0]}px wide on a {widths[1]}px screen"
    context.close()


def test_filters_fold_away_on_a_phone_and_stay_open_on_a_desktop(live_server, browser, page, demo):
    page.goto(f"{live_server.url}/licenses/")
    expect(page.get_by_label("Data domain")).to_be_visible()
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/licenses/")
    expect(phone.get_by_label("Data domain")).to_be_hidden()
    phone.get_by_text("Filter licenses").click()
    phone.get_by_label("Data domain").select_option("health")
    phone.get_by_role("button", name="Apply filters").click()
    expect(phone.locator(".results")).to_contain_text(HANGZHOU)
    expect(phone.get_by_label("Data domain")).to_be_visible()  # filters in use stay open
    context.close()


def test_screenshot_of_a_license_page_for_the_readme(live_server, page, demo):
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(f"{live_server.url}/licenses/{HENGYANG}/")
    expect(page.locator(".status-panel")).to_be_visible()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 20_000
