"""The admin as a regulator sees it in a real browser, on a desktop (1366 px) and a phone (390 px), in
Chinese and English, against the demo data as `make run` loads it (issue 17): the change list fits, the
timeline is folded at the top in the reader's language, final actions look and read as final, a stale
page leads to the current version, the action pages carry the admin's breadcrumbs, and the dashboard
counts the licenses with compliance flags. The change list and change page screenshots in docs/ are
taken here."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from licensing import compliance, lifecycle
from licensing.dates import local_today
from licensing.models import License
from licensing.sweep import run_sweep

from .. import factories
from . import screenshots

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password-42"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENS = [
    pytest.param("zh-hans", DESKTOP, id="zh-hans-1366"),
    pytest.param("en", DESKTOP, id="en-1366"),
    pytest.param("zh-hans", PHONE, id="zh-hans-390"),
    pytest.param("en", PHONE, id="en-390"),
]
# The demo's active Hangzhou license with a price above its cap: flags, products, a renewal to offer.
FLAGGED = "330100-2024-0001"
DANGER_RED = "rgb(186, 33, 33)"  # Django's --delete-button-bg
WORDS = {
    "zh-hans": {
        "revoke": "撤销",
        "renew": "续期",
        "confirm_revoke": "确认：撤销",
        "final": "此操作无法撤销。",
        "revoked_for_good": "该授权许可被永久撤销",
        "open_current": "打开版本 {} 并重新操作",
        "stale": "此后已被他人修改",
        "reason": "理由",
        "now_revoked": "已撤销",
        "flagged_link": "今日有合规标记的授权许可",
        "product_changed": "产品“",
        "date_filter": "按授权期限截止日筛选",
        "public_page": "公开页面",
    },
    "en": {
        "revoke": "Revoke",
        "renew": "Renew",
        "confirm_revoke": "Confirm: Revoke",
        "final": "This cannot be undone.",
        "revoked_for_good": "The license is revoked for good",
        "open_current": "Open version {} and start again",
        "stale": "changed by someone else since",
        "reason": "Reason",
        "now_revoked": "Revoked",
        "flagged_link": "Licenses with compliance flags today",
        "product_changed": "Product “",
        "date_filter": "Filter by term end",
        "public_page": "Public page",
    },
}


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())
    run_sweep()
    factories.user("root", is_staff=True, is_superuser=True, password=PASSWORD)


def _open(browser, base_url, language, viewport):
    # A browser 8 hours from the registry's time zone: the date fields add their time-zone note.
    context = browser.new_context(locale="en-US", viewport=viewport, timezone_id="UTC")
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    page = context.new_page()
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#license-dashboard")).to_be_visible()
    return page


def _within(page, locator, width):
    box = locator.bounding_box()
    assert box is not None and box["width"] > 0, locator
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (locator, box)


def _no_horizontal_scroll(page):
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


@pytest.mark.parametrize(("language", "viewport"), SCREENS)
def test_change_list_fits_and_speaks_the_language(live_server, browser, demo, language, viewport):
    page = _open(browser, live_server.url, language, viewport)
    page.goto(f"{live_server.url}/admin/licensing/license/")
    row = page.locator("#result_list tbody tr", has_text=FLAGGED)
    expect(row).to_have_count(1)
    _no_horizontal_scroll(page)
    results = page.locator(".results")
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table overflows its box"
    # Every column of the row, days left and flags included, is on screen without scrolling sideways.
    for cell in ("field-identifier_column", "field-term_end_column", "field-days_left", "field-flags_column"):
        _within(page, row.locator(f".{cell}"), viewport["width"])
    expect(row.locator(".field-flags_column .flag-tag")).to_be_visible()
    expect(row.locator(".field-days_left")).to_contain_text(re.compile(r"\d"))
    # Django's own strings in the reader's language.
    expect(page.locator("#date-hierarchy-label")).to_have_text(WORDS[language]["date_filter"])
    body = page.locator("body").inner_text()
    if language == "zh-hans":
        assert "Filter by" not in body and "Select an option" not in body
        expect(page.locator("select[name=action] option").first).to_have_text("- 请选择 -")
    if language == "en" and viewport == DESKTOP:
        # The licenses in force, flags and days left in view.
        page.get_by_role("link", name="Active", exact=True).click()
        expect(page).to_have_url(re.compile(r"status__exact=active"))
        screenshots.take(page, "admin-change-list.png", full_page=False)


@pytest.mark.parametrize(("language", "viewport"), SCREENS)
def test_change_page_has_the_timeline_folded_at_the_top(live_server, browser, demo, language, viewport):
    license = License.objects.get(number=FLAGGED)
    page = _open(browser, live_server.url, language, viewport)
    page.goto(f"{live_server.url}/admin/licensing/license/{license.pk}/change/")
    timeline = page.locator("details#timeline")
    expect(timeline).not_to_have_attribute("open", "")
    expect(timeline.locator(".license-timeline")).to_be_hidden()
    first_fieldset = page.locator("fieldset.module").first
    assert timeline.bounding_box()["y"] < first_fieldset.bounding_box()["y"]
    assert timeline.bounding_box()["y"] < 2 * viewport["height"], "the timeline is not near the top"
    timeline.locator("summary").click()
    expect(timeline.locator(".license-timeline li").first).to_be_visible()
    text = timeline.inner_text()
    assert WORDS[language]["product_changed"] in text
    if language == "zh-hans":
        for raw in ("product_class", "price_cap", "actual_price", "registry (automatic)"):
            assert raw not in text, raw
        assert "登记系统（自动）" in text
        # The admin scripts' strings too (its JavaScript catalogue).
        note = page.locator(".timezonewarning").first
        expect(note).to_contain_text("注意：请按 Asia/Shanghai 时区输入时间")
    _within(page, timeline.locator("summary"), viewport["width"])
    # Final actions look like it; renewal does not.
    revoke = page.locator(".license-actions").get_by_role("link", name=WORDS[language]["revoke"], exact=True)
    renew = page.locator(".license-actions").get_by_role("link", name=WORDS[language]["renew"], exact=True)
    expect(revoke).to_have_css("background-color", DANGER_RED)
    assert renew.evaluate("e => getComputedStyle(e).backgroundColor") != DANGER_RED
    # Django's History (form edits only) leads to the timeline; the public page is a link away.
    expect(page.locator(".object-tools a")).to_have_text(WORDS[language]["public_page"])
    if language == "en" and viewport == DESKTOP:
        page.evaluate("window.scrollTo(0, 0)")
        screenshots.take(page, "admin-change-page.png", full_page=False)


@pytest.mark.parametrize(("language", "viewport"), SCREENS)
def test_revoking_names_the_consequence_and_a_stale_page_leads_to_the_current_version(
    live_server, browser, demo, language, viewport
):
    words = WORDS[language]
    license = License.objects.get(number=FLAGGED)
    page = _open(browser, live_server.url, language, viewport)
    page.goto(f"{live_server.url}/admin/licensing/license/{license.pk}/change/")
    page.locator(".license-actions").get_by_role("link", name=words["revoke"], exact=True).click()
    # The admin's breadcrumbs, styled as on its own pages.
    crumbs = page.locator("nav ol.breadcrumbs")
    expect(crumbs.locator("li")).to_have_count(5)
    expect(crumbs.locator("li").nth(3)).to_have_text(FLAGGED)
    # Django's breadcrumb bar: its dark background, the items in a row.
    assert crumbs.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(38, 75, 93)"
    assert crumbs.locator("li").first.evaluate("e => getComputedStyle(e).display") == "inline-block"
    consequence = page.locator("#consequence")
    expect(consequence).to_contain_text(words["final"])
    expect(consequence).to_contain_text(words["revoked_for_good"])
    # The date picker shows today, in either language.
    expect(page.locator("input[name=occurred_on]")).to_have_value(local_today().isoformat())
    confirm = page.get_by_role("button", name=words["confirm_revoke"])
    expect(confirm).to_have_css("background-color", DANGER_RED)
    _within(page, confirm, viewport["width"])
    _no_horizontal_scroll(page)
    # Someone else changes the license meanwhile.
    seen = license.version
    lifecycle.edit(license, {"remarks": "Checked."}, actor=None, expected_version=seen, reason="Other desk.")
    current = License.objects.get(pk=license.pk).version
    assert current != seen
    page.get_by_label(words["reason"], exact=True).fill("Unlicensed charging confirmed by the audit.")
    confirm.click()
    notice = page.locator(".stale-version")
    expect(notice).to_contain_text(words["stale"])
    # Reloading this address would send the old version again: the page links to the current one.
    assert page.url.endswith(f"?version={seen}")
    page.get_by_role("link", name=words["open_current"].format(current)).click()
    expect(page).to_have_url(re.compile(rf"\?version={current}$"))
    expect(page.locator(".stale-version")).to_have_count(0)
    page.get_by_label(words["reason"], exact=True).fill("Unlicensed charging confirmed by the audit.")
    page.get_by_role("button", name=words["confirm_revoke"]).click()
    expect(page.locator(".messagelist")).to_contain_text(FLAGGED)
    expect(page.locator(".license-summary .status-tag").first).to_have_text(words["now_revoked"])
    license.refresh_from_db()
    assert license.status == "revoked"


@pytest.mark.parametrize(("language", "viewport"), SCREENS)
def test_dashboard_counts_the_licenses_with_flags_and_fits(live_server, browser, demo, language, viewport):
    flagged = compliance.flagged_licenses(License.objects.all()).count()
    assert flagged > 0
    page = _open(browser, live_server.url, language, viewport)
    module = page.locator("#license-flags")
    expect(module.locator("td.count")).to_have_text(str(flagged))
    for box in page.locator(".license-dashboard").all():
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), box.get_attribute("id")
    _no_horizontal_scroll(page)
    module.get_by_role("link", name=WORDS[language]["flagged_link"]).click()
    expect(page).to_have_url(re.compile(r"has_flags=yes"))
    expect(page.locator("#result_list tbody tr")).to_have_count(flagged)


@pytest.mark.parametrize(("language", "viewport"), SCREENS)
def test_calls_domain_filter_has_no_bare_dash(live_server, browser, demo, language, viewport):
    page = _open(browser, live_server.url, language, viewport)
    page.goto(f"{live_server.url}/admin/licensing/call/")
    filters = page.locator("#changelist-filter")
    choices = [text.strip() for text in filters.locator("li a").all_inner_texts()]
    assert "-" not in choices and "" not in choices, choices
    assert ("未列明" if language == "zh-hans" else "None listed") in choices
    _no_horizontal_scroll(page)
