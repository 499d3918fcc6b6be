"""What issue 17 asked of the public pages, as the server renders them (the browser tests check the same
on screen, in both languages and on a phone): recorded text in the reader's language, a withdrawn
listing's starting price, timeline tags, the yes-or-no verdict with the licenses that end soon, the home
page's changes, sorting and filter chips, the QR code of the permanent address, and the API docs."""

import datetime
import re

import pytest
from django.test import override_settings

from licensing import languages, verify
from licensing.languages import CHINESE, ENGLISH

from . import factories
from .clock import NOW as FROZEN_NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
TODAY = FROZEN_NOW.date()
D = datetime.timedelta
BILINGUAL = "应转让方要求暂停挂牌。The listing was suspended at the transferor's request."


def _page(client, path, language="en"):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, path
    return response.text


# Recorded text and its language -----------------------------------------------------------------------------


def test_a_text_is_split_into_runs_of_one_language():
    runs = languages.segments(BILINGUAL)
    assert [(run.language, run.text) for run in runs] == [
        (CHINESE, "应转让方要求暂停挂牌。"),
        (ENGLISH, "The listing was suspended at the transferor's request."),
    ]
    # An English sentence naming a Chinese body is English; a Chinese one with a gloss is Chinese.
    assert (
        languages.language_of("Listed through 衡阳市公共资源交易中心 (Hengyang Trading Center).") == ENGLISH
    )
    assert languages.language_of("挂牌起始价 180,244.12 万元 (starting price)") == CHINESE
    assert languages.language_of("2023-11-10") == ""


def test_a_reader_gets_their_language_where_the_record_has_it_else_the_text_marked_with_its_own():
    assert languages.in_reader_language(BILINGUAL) == "The listing was suspended at the transferor's request."
    chinese_only = languages.for_reader("杭州市医疗健康数据授权运营", ENGLISH)
    assert (
        chinese_only.other_language == CHINESE
        and chinese_only.segments[0].text == "杭州市医疗健康数据授权运营"
    )
    assert languages.for_reader(BILINGUAL, CHINESE).segments[0].text == "应转让方要求暂停挂牌。"


def test_the_license_page_marks_text_recorded_only_in_the_other_language(client):
    license = factories.license_in(
        "active", title="杭州市医疗健康数据授权运营", remarks="Recorded from the notice."
    )
    english = _page(client, f"/licenses/{license.number}/")
    assert (
        '<h1 class="heading-l"><span lang="zh-hans">杭州市医疗健康数据授权运营</span> '
        '<span class="lang-note">(in Chinese)</span></h1>' in english
    )
    assert "Recorded from the notice." in english and '<span lang="en">Recorded' not in english
    chinese = _page(client, f"/licenses/{license.number}/", "zh-hans")
    assert '<h1 class="heading-l">杭州市医疗健康数据授权运营</h1>' in chinese
    note = '<span class="lang-note">（英文）</span>'
    assert f'<span lang="en">Recorded from the notice.</span> {note}' in chinese


def test_names_carry_the_lang_of_their_writing_where_it_is_not_the_pages(client):
    operator = factories.operator(name="之江示例数据科技有限公司", name_en="Zhijiang Example Data")
    english = _page(client, f"/operators/{operator.uscc}/")
    assert '<h1 class="heading-l"><span lang="zh-hans">之江示例数据科技有限公司</span></h1>' in english
    chinese = _page(client, f"/operators/{operator.uscc}/", "zh-hans")
    assert '<h1 class="heading-l">之江示例数据科技有限公司</h1>' in chinese


def test_a_bilingual_reason_shows_the_readers_half(client):
    license = factories._act(factories.license_in("active"), "suspend", reason=BILINGUAL)
    english = _page(client, f"/licenses/{license.number}/")
    chinese = _page(client, f"/licenses/{license.number}/", "zh-hans")
    assert "transferor's request" in english.replace("&#x27;", "'") and "应转让方要求" not in english
    assert "应转让方要求" in chinese and "transferor" not in chinese


# A withdrawn listing's price --------------------------------------------------------------------------------


def test_a_withdrawn_listing_names_its_amount_a_starting_price_never_paid(client):
    license = factories.license_in("withdrawn", consideration="1802441200.00")
    english = _page(client, f"/licenses/{license.number}/")
    assert "<dt>Starting price of the listing</dt>" in english and "<dt>Consideration</dt>" not in english
    assert "1,802,441,200 yuan" in english and "1.8 billion yuan" in english and "never paid" in english
    chinese = _page(client, f"/licenses/{license.number}/", "zh-hans")
    assert "<dt>挂牌起始价</dt>" in chinese and "对价" not in chinese
    assert "1,802,441,200 元" in chinese and "18.02 亿元" in chinese
    granted = factories.license_in("active", consideration="1450000.50")
    page = _page(client, f"/licenses/{granted.number}/", "zh-hans")
    assert "<dt>对价</dt>" in page and "1,450,000.50 元" in page


# The timeline -----------------------------------------------------------------------------------------------


def test_timeline_rows_are_tagged_with_what_happened_not_with_a_status(client):
    license = factories.license_in("expired")
    page = _page(client, f"/licenses/{license.number}/")
    timeline = page[
        page.index('<ol class="timeline">') : page.index("</ol>", page.index('<ol class="timeline">'))
    ]
    assert "status-active" not in timeline and "status-tag" not in timeline
    assert '<span class="event-tag event-tag--activate">Came into force</span>' in timeline
    assert '<span class="event-tag event-tag--expire">Expired</span>' in timeline


# The verdict ------------------------------------------------------------------------------------------------


def test_the_verdict_names_the_licenses_in_force_that_end_soon_soonest_first():
    operator = factories.operator()
    later = factories.license_in("active", operator=operator, term_end=TODAY + D(days=25))
    sooner = factories.license_in("active", operator=operator, term_end=TODAY + D(days=5))
    factories.license_in("active", operator=operator, term_end=TODAY + D(days=200))
    verdict = verify.verdict_for(operator)
    assert [(item.license, days) for item, days in verdict.ending_soon] == [(sooner, 5), (later, 25)]
    assert verdict.until == TODAY + D(days=200)
    assert verdict.licenses[0].license == sooner  # the one to act on first


def test_the_verdict_answers_yes_or_no_first(client):
    operator = factories.operator()
    factories.license_in("active", operator=operator, term_end=TODAY + D(days=5))
    page = _page(client, f"/verify/?q={operator.uscc}&domain=health")
    answer = re.search(r'<p class="verdict__answer">\s*(.*?)\s*</p>', page, re.S).group(1)
    assert answer == "Yes, licensed for health data until 4 December 2026."
    assert f"Result for “{operator.uscc}”" in page
    assert page.index("verdict__answer") < page.index("verdict__soon") < page.index('class="verify-form"')
    assert "ends soon: in 5 days, on 4 December 2026." in page
    page = _page(client, f"/verify/?q={operator.uscc}&domain=transport", "zh-hans")
    answer = re.search(r'<p class="verdict__answer">\s*(.*?)\s*</p>', page, re.S).group(1)
    assert answer == "否：2026年11月29日 没有生效中的交通运输数据授权许可。"


def test_a_verify_error_names_what_to_type(client):
    page = _page(client, "/verify/?q=", "zh-hans")
    assert "请输入运营机构的名称，或其 18 位统一社会信用代码。" in page
    assert "This field is required" not in _page(client, "/verify/?q=")


# The home page, the list ------------------------------------------------------------------------------------


def test_home_shows_lifecycle_changes_and_groups_the_others_per_license_and_day(client):
    license = factories.license_in("active", title="Metro ridership")
    for _ in range(12):
        factories.priced(license)
    page = _page(client, "/")
    changes = page[
        page.index('<ol class="changes">') : page.index("</ol>", page.index('<ol class="changes">'))
    ]
    assert "Came into force" in changes and "Granted" in changes
    assert "Products or prices changed" not in changes
    start = page.index('<ul class="other-changes"')
    other = page[start : page.index("</ul>", start)]
    assert other.count("<li>") == 1 and "Product or price change × 12" in other


def test_the_list_sorts_and_each_filter_in_use_is_a_removable_chip(client):
    late = factories.license_in("active", title="Late", term_end=TODAY + D(days=300))
    early = factories.license_in("active", title="Early", term_end=TODAY + D(days=30))
    page = _page(client, "/licenses/?status=active&sort=term_end")
    assert page.index(early.number) < page.index(late.number)
    page = _page(client, "/licenses/?status=active&sort=-term_end")
    assert page.index(late.number) < page.index(early.number)
    assert '<a href="?status=active&amp;sort=term_end">Last day, soonest first</a>' in page
    page = _page(client, "/licenses/?q=Early&status=active&domain=health")
    chips = re.findall(r'<li class="chip">(.*?) <a href="([^"]*)"', page)
    assert chips == [
        ("Search: “Early”", "?status=active&amp;domain=health"),
        ("Status: Active", "?q=Early&amp;domain=health"),
        ("Data domain: Health", "?q=Early&amp;status=active"),
    ]
    # The empty fields a filter form sends are not carried into the links.
    page = _page(client, "/licenses/?q=&domain=health&division=&page=2")
    assert re.findall(r'<li class="chip">(.*?) <a href="([^"]*)"', page) == [("Data domain: Health", "?")]
    assert "was ignored" in _page(client, "/licenses/?sort=colour")


# The permanent record ---------------------------------------------------------------------------------------


@override_settings(SITE_URL="https://registry.example.org")
def test_the_license_page_carries_a_qr_code_of_its_permanent_address(client):
    license = factories.license_in("active")
    page = _page(client, f"/licenses/{license.number}/")
    address = f"https://registry.example.org/licenses/{license.number}/"
    svg = re.search(r'<svg role="img"[^>]*class="qr-code">.*?</svg>', page, re.S).group(0)
    assert f"<title>QR code of this record&#x27;s permanent address: {address}</title>" in svg.replace(
        "'", "&#x27;"
    )
    assert f'<a class="url" href="{address}">{address}</a>' in page
    assert 'media="print"' in page and "licensing/print.css" in page


# The API docs -----------------------------------------------------------------------------------------------


def test_public_reads_in_the_schema_need_no_credentials_and_writes_do(client):
    schema = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert schema["info"]["title"] == "公共数据授权运营许可登记系统 API"
    assert schema["paths"]["/api/v1/licenses/"]["get"]["security"] == []
    assert schema["paths"]["/api/v1/verify/"]["get"]["security"] == []
    assert {"tokenAuth": []} in schema["paths"]["/api/v1/licenses/"]["post"]["security"]
    assert schema["paths"]["/api/v1/tokens/"]["get"]["security"] != []  # a token's own reads are not public
    english = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["info"]["title"] == "Public-Data Operating License Registry API"


def test_favicon_ico_leads_to_the_sites_icon(client):
    from django.templatetags.static import static

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("licensing/favicon.svg")
