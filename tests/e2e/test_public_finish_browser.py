"""The public site as a new user meets it, in both languages, on a 1366 px desktop and a 390 px phone
(the `visitor` fixture): money as readers write it, recorded text in the reader's language or marked with
its own, a timeline that says what happened, a verdict that answers yes or no first, figures with their
sources, the home page's changes, sorting and filter chips, the printable record with its QR code, the
API docs, and an accessibility check (axe-core) of every public page.

The tests take the screenshots in docs/ that the README shows."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from licensing.models import Authority, Call, Operator

from . import screenshots

pytestmark = pytest.mark.django_db(transaction=True)
HANGZHOU = "330100-2023-0001"  # expired
HENGYANG = "430400-2023-0001"  # listed, then withdrawn
ENDS_IN_5_DAYS = "330100-2024-0001"  # 之江's, in force


def _says(visitor, chinese: str, english: str) -> str:
    return chinese if visitor.chinese else english


def _no_sideways_scroll(page) -> None:
    width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{page.url} is {width}px wide on a {screen}px screen"


# Money, labels and languages on a license page --------------------------------------------------------------


def test_a_withdrawn_listing_shows_its_starting_price_as_readers_write_money(visitor, demo):
    page = visitor.page
    visitor.goto(f"/licenses/{HENGYANG}/")
    amount = page.locator(".summary-list__row", has=page.locator(".consideration"))
    expect(amount.locator("dt")).to_have_text(_says(visitor, "挂牌起始价", "Starting price of the listing"))
    expect(amount.locator(".money")).to_have_text(_says(visitor, "1,802,441,200 元", "1,802,441,200 yuan"))
    expect(amount).to_contain_text(_says(visitor, "18.02 亿元", "1.8 billion yuan"))
    expect(amount).to_contain_text(
        _says(visitor, "挂牌在授予前已撤回", "The listing was withdrawn before any grant")
    )
    expect(page.locator("main")).not_to_contain_text(_says(visitor, "对价", "Consideration"))
    _no_sideways_scroll(page)


def test_recorded_text_is_in_the_readers_language_or_says_which_language_it_is_in(visitor, demo):
    page = visitor.page
    visitor.goto(f"/licenses/{HENGYANG}/")
    title = page.get_by_role("heading", level=1)
    reason = page.locator(".status-panel__reason")
    remarks = page.locator(
        ".summary-list__row", has=page.get_by_text("Remarks" if not visitor.chinese else "备注")
    )
    if visitor.chinese:
        # The title and the reason exist in Chinese: shown as they are, the English version left out.
        expect(title).to_have_text("衡阳市政务数据和智慧城市数据特许经营权出让")
        expect(reason).to_contain_text("应转让方要求")
        expect(reason).not_to_contain_text("transferor's request")
        # The remarks of a recorded case are in both languages: the Chinese half.
        expect(remarks).to_contain_text("经衡阳市公共资源交易中心挂牌")
        expect(remarks).not_to_contain_text("Listed through")
    else:
        # The title exists in Chinese only: marked as such.
        expect(title.locator('[lang="zh-hans"]')).to_have_text("衡阳市政务数据和智慧城市数据特许经营权出让")
        expect(title.locator(".lang-note")).to_have_text("(in Chinese)")
        expect(reason).to_contain_text("at the transferor's request")
        expect(reason).not_to_contain_text("应转让方要求")
        expect(remarks).to_contain_text("Listed through")
        expect(remarks.locator(".lang-note")).to_have_count(0)


def test_the_timeline_tags_rows_with_what_happened_not_a_status_that_no_longer_holds(visitor, demo):
    page = visitor.page
    visitor.goto(f"/licenses/{HANGZHOU}/")
    expect(page.locator(".status-panel .status-tag")).to_have_text(_says(visitor, "已到期", "Expired"))
    timeline = page.locator(".timeline")
    # The license has expired: no row carries an "in force" status tag.
    expect(timeline.locator(".status-tag")).to_have_count(0)
    expect(timeline.locator(".event-tag--activate")).to_have_text(_says(visitor, "已生效", "Came into force"))
    expect(timeline.locator(".event-tag--expire")).to_have_text(_says(visitor, "已到期", "Expired"))


# The printable record ---------------------------------------------------------------------------------------


def test_the_license_page_has_a_qr_code_of_its_permanent_address_and_prints_as_a_record(visitor, demo):
    page = visitor.page
    visitor.goto(f"/licenses/{HENGYANG}/")
    record = page.locator(".permanent-record")
    address = f"{settings.SITE_URL}/licenses/{HENGYANG}/"
    expect(record.locator("svg.qr-code")).to_be_visible()
    expect(record.locator("svg.qr-code title")).to_contain_text(address)
    expect(record.get_by_role("link", name=address)).to_be_visible()
    print_button = record.get_by_role("button", name=_says(visitor, "打印本记录", "Print this record"))
    expect(print_button).to_be_visible()
    if visitor.screen == "desktop" and not visitor.chinese:
        page.emulate_media(media="screen")
        screenshots.take(page, "license-page.png")
    page.emulate_media(media="print")
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator(".language-switcher")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(record.locator("svg.qr-code")).to_be_visible()
    expect(record.locator(".print-only")).to_be_visible()
    if visitor.screen == "desktop" and not visitor.chinese:
        screenshots.take(page, "license-print.png")


# The verdict ------------------------------------------------------------------------------------------------


def _verify(visitor, text: str, domain: str = "") -> None:
    page = visitor.page
    visitor.goto("/verify/")
    page.get_by_label(
        _says(visitor, "名称或统一社会信用代码", "Name or unified social credit code (USCC)")
    ).fill(text)
    if domain:
        page.get_by_label(_says(visitor, "数据领域（选填）", "Data domain (optional)")).select_option(domain)
    page.get_by_role("button", name=_says(visitor, "核验", "Verify"), exact=True).click()


def test_the_verdict_says_yes_first_then_which_licenses_end_soon_above_the_fold(visitor, demo):
    page = visitor.page
    _verify(visitor, "之江示例数据科技有限公司")
    answer = page.locator(".verdict__answer")
    expect(answer).to_have_text(
        re.compile(_says(visitor, r"^\s*是：已获授权，有效期至", r"^\s*Yes, licensed until"))
    )
    soon = page.locator(".verdict__soon li").first
    expect(soon).to_contain_text(ENDS_IN_5_DAYS)
    expect(soon).to_contain_text(_says(visitor, "还剩 5 天", "in 5 days"))
    # The answer and the license that ends soon are on the first screen, on a phone too.
    expect(answer).to_be_in_viewport()
    expect(soon).to_be_in_viewport()
    if visitor.screen == "phone" and not visitor.chinese:
        screenshots.take(page, "verify-verdict-phone.png", full_page=False)
    if visitor.screen == "desktop" and visitor.chinese:
        screenshots.take(page, "verify-verdict.png", full_page=False)


def test_the_verdict_says_no_plainly_for_a_domain_without_a_license_in_force(visitor, demo):
    page = visitor.page
    _verify(visitor, "Ali Health", domain="health")
    answer = page.locator(".verdict__answer")
    expect(answer).to_have_text(
        re.compile(
            _says(
                visitor,
                r"^\s*否：.*没有生效中的医疗健康数据授权许可",
                r"^\s*No license in force for health data on",
            )
        )
    )
    expect(answer).to_be_in_viewport()


def test_a_verify_error_says_what_to_type(visitor, demo):
    page = visitor.page
    visitor.goto("/verify/")
    page.get_by_role("button", name=_says(visitor, "核验", "Verify"), exact=True).click()
    message = _says(
        visitor,
        "请输入运营机构的名称，或其 18 位统一社会信用代码。",
        "Enter the operator's name, or its 18-character USCC.",
    )
    page.locator(".error-summary").get_by_role("link", name=message).click()
    expect(
        page.get_by_label(
            _says(visitor, "名称或统一社会信用代码", "Name or unified social credit code (USCC)")
        )
    ).to_be_focused()


def test_the_operator_page_says_first_which_license_ends_soon(visitor, demo):
    page = visitor.page
    operator = Operator.objects.get(name="之江示例数据科技有限公司")
    visitor.goto(f"/operators/{operator.uscc}/")
    panel = page.locator(".verdict")
    expect(panel.locator(".verdict__soon li")).to_have_count(2)  # 5 and 25 days left
    expect(panel.locator(".verdict__soon li").first).to_contain_text(ENDS_IN_5_DAYS)
    expect(panel.locator(".verdict__soon")).to_be_in_viewport()
    # Its licenses list the one ending soonest first.
    expect(page.locator("#licenses-heading + .results .result").first).to_contain_text(ENDS_IN_5_DAYS)
    _no_sideways_scroll(page)
    if visitor.screen == "desktop" and not visitor.chinese:
        screenshots.take(page, "operator-page.png")


# Findings ---------------------------------------------------------------------------------------------------


def test_findings_figures_have_labels_sources_and_no_clipped_chart_labels(visitor, demo):
    page = visitor.page
    visitor.goto("/findings/")
    totals = page.locator(".totals")
    expect(totals.locator(".totals__label")).to_be_visible()
    expect(totals.locator(".totals__amount")).to_have_text(_says(visitor, "2.48 亿元", "248.38 million yuan"))
    # Every figure (the total, and each table and chart) cites its source with a link.
    sources = page.locator(".figure-sources a[href='https://www.audit.gov.cn/']")
    expect(sources).to_have_count(3)
    # One issuer: a sentence says so; there is no chart of a single bar.
    expect(page.locator("#chart-issuer-title")).to_have_count(0)
    expect(page.locator("#by-issuer-heading + p")).to_contain_text(
        _says(visitor, "审计署", "National Audit Office")
    )
    # Each label, as the browser draws it, fits inside the chart.
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('.bar-chart__svg')].flatMap(svg => {
            const width = svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('.bar-chart__label tspan')]
              .filter(t => t.getBBox().x + t.getBBox().width > width).map(t => t.textContent);
        })"""
    )
    assert overflow == []
    _no_sideways_scroll(page)


# The home page, the list ------------------------------------------------------------------------------------


def test_home_lists_lifecycle_changes_first_and_groups_the_rest(visitor, demo):
    page = visitor.page
    visitor.goto("/")
    changes = page.locator(".changes .change")
    expect(changes.first).to_be_visible()
    tags = changes.locator(".event-tag").all_inner_texts()
    assert tags and not [tag for tag in tags if tag in ("Products or prices changed", "产品或价格已变更")]
    grouped = page.locator(".other-changes li")
    expect(grouped.first).to_contain_text(_says(visitor, "产品或价格变更", "Product or price change"))
    _no_sideways_scroll(page)


def test_the_list_sorts_and_each_filter_in_use_is_a_chip_that_removes_it(visitor, demo):
    page = visitor.page
    visitor.goto("/licenses/?status=active&domain=transport")
    chips = page.locator(".chips .chip")
    expect(chips).to_have_count(2)
    expect(chips.nth(1)).to_contain_text(_says(visitor, "数据领域：交通运输", "Data domain: Transport"))
    count_before = page.locator(".results .result").count()
    chips.nth(1).get_by_role("link").click()
    expect(page).to_have_url(f"{visitor.base}/licenses/?status=active")
    expect(page.locator(".chips .chip")).to_have_count(1)
    assert page.locator(".results .result").count() >= count_before
    page.get_by_role("link", name=_says(visitor, "截止日（最早的在前）", "Last day, soonest first")).click()
    expect(page).to_have_url(f"{visitor.base}/licenses/?status=active&sort=term_end")
    # Each result's last day (a term with an unpublished end has only its start, and sorts last).
    days = page.locator(".results .result").evaluate_all(
        "rs => rs.map(r => r.querySelectorAll('time')).filter(t => t.length == 2).map(t => t[1].dateTime)"
    )
    assert days == sorted(days) and len(days) >= 2
    expect(page.locator(".sort [aria-current]")).to_have_count(1)
    _no_sideways_scroll(page)


def test_every_page_has_a_favicon(visitor, demo):
    page = visitor.page
    visitor.goto("/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(f"{visitor.base}{href}")
    assert response.ok and "svg" in response.headers["content-type"]


# The API docs -----------------------------------------------------------------------------------------------


def test_api_docs_show_public_reads_without_a_lock_in_the_readers_language(visitor):
    page = visitor.page
    visitor.goto("/api/docs/")
    title = _says(visitor, "公共数据授权运营许可登记系统 API", "Public-Data Operating License Registry API")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(title)
    read = page.locator(".opblock-get", has=page.get_by_text("/api/v1/licenses/", exact=True)).first
    write = page.locator(".opblock-post", has=page.get_by_text("/api/v1/licenses/", exact=True)).first
    expect(read).to_be_visible()
    expect(read.locator(".authorization__btn")).to_have_count(0)
    expect(write.locator(".authorization__btn")).to_have_count(1)


# Accessibility ----------------------------------------------------------------------------------------------

AXE = Axe()


def _public_pages() -> list[str]:
    operator = Operator.objects.get(name="之江示例数据科技有限公司")
    return [
        "/",
        "/licenses/",
        "/licenses/?status=active&domain=transport&sort=term_end",
        f"/licenses/{HENGYANG}/",
        f"/licenses/{HANGZHOU}/",
        "/licenses/999999-2000-0001/",  # not found
        "/verify/",
        "/verify/?q=",
        "/verify/?q=Ali+Health&domain=health",
        f"/operators/{operator.uscc}/",
        f"/authorities/{Authority.objects.get(division_code='330100').pk}/",
        "/findings/",
        "/calls/",
        f"/calls/{Call.objects.order_by('pk').first().pk}/",
    ]


def test_no_public_page_has_a_serious_or_critical_accessibility_violation(visitor, demo):
    page = visitor.page
    problems = []
    for path in _public_pages():
        visitor.goto(path)
        results = AXE.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
    assert problems == []
