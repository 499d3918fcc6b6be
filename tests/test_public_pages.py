"""The public site as a visitor reads it: home, the license list and its filters, a license's page, an
operator's and an authority's page, and the 404s."""

import datetime
import re

import pytest
from django.urls import reverse

from licensing import lifecycle

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


def _page(client, url, expect=200, **params):
    response = client.get(url, params)
    assert response.status_code == expect, response.content.decode()[:2000]
    return response, response.content.decode()


def _without_token(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _granted(start, days, **fields):
    """A license granted today for the term [start, start + days]; in force at once if it has started."""
    license = factories.draft(**factories.with_term(start, days, **fields))
    lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    return license


# Home -------------------------------------------------------------------------------------------------


def test_home_shows_search_counts_expiring_and_latest_changes(client):
    soon = _granted(TODAY - D(days=100), 110, title="Metro ridership data")
    later = _granted(TODAY - D(days=100), 400, title="Bus arrivals data")
    withdrawn = factories.license_in("withdrawn", title="Harbour logistics data")
    factories.draft(title="Secret draft plan")

    _response, html = _page(client, "/")
    assert 'name="q"' in html and reverse("licensing:licenses") in html
    assert "Metro ridership data" in html  # expiring within 90 days, and among the latest changes
    expiring = html.split('id="expiring-heading"')[1].split("</section>")[0]
    assert soon.number in expiring and later.number not in expiring
    assert ">10<" in expiring  # days left
    counts = html.split('id="counts-heading"')[1].split("</section>")[0]
    assert 'status=active">' in counts and "status=draft" not in counts
    changes = html.split('id="changes-heading"')[1].split("</section>")[0]
    assert withdrawn.number in changes and "No operator came forward." in changes
    assert "Secret draft plan" not in html


def test_home_with_nothing_on_record_says_so(client):
    _response, html = _page(client, "/")
    assert "No license in force expires in the next 90 days." in html
    assert "No changes have been recorded yet." in html


# The list ---------------------------------------------------------------------------------------------


def test_list_search_finds_by_operator_name_in_chinese_and_english(client):
    operator = factories.operator(name="阿里健康", name_en="Ali Health")
    license = _granted(
        TODAY - D(days=10), 100, title="杭州市公共数据授权运营（医疗健康领域）", operator=operator
    )
    other = _granted(TODAY - D(days=10), 100, title="Bus data")
    for typed in ("阿里健康", "Ali Health", "ali health", "医疗健康"):
        _response, html = _page(client, "/licenses/", q=typed)
        assert license.number in html and other.number not in html, typed
        assert "1 license" in html, typed


def test_list_filters_by_status_domain_grantor_division_and_expiry(client):
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    xihu = factories.authority("330106", name="西湖区数据局")
    hunan = factories.authority("430000", name="湖南省数据局")
    health = _granted(TODAY - D(days=10), 20, grantor=hangzhou, data_domains=["health"])
    transport = _granted(TODAY - D(days=10), 300, grantor=xihu, data_domains=["transport"])
    suspended = factories.license_in("suspended", grantor=hunan)
    listed = factories.license_in("listed", grantor=hunan)
    all_numbers = {health.number, transport.number, suspended.number, listed.number}

    def shown(**params):
        _response, html = _page(client, "/licenses/", **params)
        assert "Some filters were ignored" not in html, params
        return {number for number in all_numbers if number in html}

    assert shown() == all_numbers
    assert shown(status=["suspended", "listed"]) == {suspended.number, listed.number}
    assert shown(domain="transport") == {transport.number}
    assert shown(grantor=str(hunan.pk)) == {suspended.number, listed.number}
    assert shown(division="330100") == {health.number, transport.number}  # Hangzhou and its districts
    assert shown(division="330106") == {transport.number}
    assert shown(expires_within="30") == {health.number, suspended.number}
    assert shown(expires_within="30", division="330000") == {health.number}


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"status": "bogus"}, "The status “bogus” was ignored"),
        ({"status": "draft"}, "The status “draft” was ignored"),
        ({"domain": "astrology"}, "The data domain “astrology” was ignored"),
        ({"grantor": "abc"}, "The grantor “abc” was ignored"),
        ({"grantor": "999999"}, "The grantor “999999” was ignored"),
        ({"division": "12"}, "The division code “12” was ignored"),
        ({"division": "990000"}, "The division code “990000” was ignored"),
        ({"expires_within": "soon"}, "The expiry window “soon” was ignored"),
        ({"expires_within": "-5"}, "The expiry window “-5” was ignored"),
        ({"expires_within": "99999999999999999999"}, "The expiry window “99999999999999999999” was ignored"),
        ({"page": "x"}, None),
        ({"page": "9999"}, None),
    ],
)
def test_bad_filter_values_are_ignored_with_a_visible_note(client, params, note):
    license = factories.license_in("active")
    _response, html = _page(client, "/licenses/", **params)
    assert license.number in html  # the rest of the list as if the value had not been given
    if note:
        assert "Some filters were ignored" in html
        assert note in html
    else:
        assert "Some filters were ignored" not in html


def test_list_keeps_its_filters_across_pages(client):
    for n in range(25):
        factories.license_in("listed", title=f"Listing {n:02d}")
    factories.license_in("active", title="Metro concession")
    _response, html = _page(client, "/licenses/", status="listed")
    assert "25 licenses" in html and "Page 1 of 2" in html
    assert "?status=listed&amp;page=2" in html
    _response, html = _page(client, "/licenses/", status="listed", page="2")
    assert "Page 2 of 2" in html and "Metro concession" not in html


def test_no_results_is_a_clear_state_with_next_steps(client):
    factories.license_in("active")
    _response, html = _page(client, "/licenses/", q="no such thing anywhere", status="revoked")
    assert "0 licenses" in html and "No licenses match." in html
    assert "clear the filters" in html and reverse("licensing:verify") in html


# A license's page -------------------------------------------------------------------------------------


def test_license_page_shows_the_record_its_parties_and_days_left(client):
    implementing = factories.authority("330100", name="杭州数据集团", uscc="")
    operator = factories.operator(name="之江数据", name_en="Zhijiang Data", contact_emails="secret@op.test")
    license = _granted(
        TODAY - D(days=10),
        40,
        title="Transport data",
        scope="Bus and metro data.",
        operator=operator,
        implementing_body=implementing,
        consideration="1802441200.00",
        consideration_note="starting price",
        legal_basis="浙政办发〔2023〕44号",
        source_urls="https://example.org/notice",
        data_domains=["transport", "health"],
    )
    _response, html = _page(client, f"/licenses/{license.number}/")
    assert "<h1" in html and "Transport data" in html
    assert 'class="status-tag status-active"' in html
    assert "In force: 30 days left; the last day is 29 December 2026." in html
    for fact in (
        operator.name,
        operator.uscc,
        license.grantor.name,
        "杭州数据集团",
        "Bus and metro data.",
        "1,802,441,200 yuan",
        "starting price",
        "浙政办发〔2023〕44号",
        'href="https://example.org/notice"',
        "Transport",
        "Health",
        "19 November 2026",
    ):
        assert fact in html, fact
    assert "secret@op.test" not in html
    timeline = html.split('id="history-heading"')[1]
    assert timeline.index("Came into force") < timeline.index("Granted")  # newest first
    assert f'href="/licenses/{license.number}/feed.atom"' in html


def test_ended_license_says_when_and_how_it_ended(client):
    expired = factories.license_in("expired")
    _response, html = _page(client, f"/licenses/{expired.number}/")
    assert "Expired on 29 November 2026: its term ended on 28 November 2026." in html
    revoked = factories.license_in("revoked")
    _response, html = _page(client, f"/licenses/{revoked.number}/")
    assert "Revoked on 29 November 2026, before the end of its term (9 December 2026)." in html
    assert "Data used beyond the scope." in html


def test_withdrawn_listing_shows_its_reason_and_dates(client):
    license = factories.draft(title="City data franchise", occurred_on=datetime.date(2023, 11, 10))
    lifecycle.transition(
        license, "list", actor=None, expected_version=license.version, occurred_on=datetime.date(2023, 11, 10)
    )
    lifecycle.transition(
        license,
        "withdraw",
        actor=None,
        reason="The listing was suspended at the transferor's request.",
        expected_version=license.version,
        occurred_on=datetime.date(2023, 11, 15),
    )
    _response, html = _page(client, f"/licenses/{license.number}/")
    assert "Withdrawn on 15 November 2023: the license was never granted." in html
    assert html.count("The listing was suspended at the transferor&#x27;s request.") == 2  # panel, timeline
    assert "10 November 2023" in html and "Listed" in html
    assert "Recorded" not in html  # the draft stage is not public


def test_renewal_chain_links_every_license_in_the_line(client):
    first = _granted(TODAY - D(days=300), 320)
    second = lifecycle.renew(
        first, term_end=first.term_end + D(days=365), actor=None, expected_version=first.version
    )
    _response, html = _page(client, f"/licenses/{first.number}/")
    chain = html.split('id="chain-heading"')[1].split("</section>")[0]
    assert first.number in chain and f'href="/licenses/{second.number}/"' in chain
    assert "Renewed by" in html
    _response, html = _page(client, f"/licenses/{second.number}/")
    chain = html.split('id="chain-heading"')[1].split("</section>")[0]
    assert f'href="/licenses/{first.number}/"' in chain and "(this license)" in chain
    assert "Renews" in html


def test_a_license_never_renewed_has_no_chain(client):
    license = factories.license_in("active")
    _response, html = _page(client, f"/licenses/{license.number}/")
    assert 'id="chain-heading"' not in html


def test_demo_records_are_marked_as_invented(client):
    license = factories.license_in("active", origin="demo")
    _response, html = _page(client, f"/licenses/{license.number}/")
    assert "Not a real license." in html


def test_a_draft_answers_404_like_a_number_that_does_not_exist(client):
    draft = factories.draft(title="Unannounced plan")
    # A draft has no number; its reference opens no public page either.
    _draft_response, draft_html = _page(client, f"/licenses/{draft.reference}/", expect=404)
    _missing_response, missing_html = _page(client, "/licenses/330100-2099-0001/", expect=404)
    assert "Unannounced plan" not in draft_html
    assert _without_token(draft_html).replace(draft.reference, "N") == _without_token(
        missing_html
    ).replace("330100-2099-0001", "N")
    _page(client, f"/licenses/{draft.reference}/feed.atom", expect=404)


def test_unknown_number_is_a_helpful_404_with_search_and_suggestions(client):
    license = factories.license_in("active", title="Hangzhou transport data")
    _response, html = _page(client, "/licenses/Hangzhou transport/", expect=404)
    assert "License not found" in html
    assert "No public license has the number “Hangzhou transport”." in html
    assert "330100-2023-0001" in html  # what a number looks like
    assert f'href="/licenses/{license.number}/"' in html  # a license matching what was typed
    assert 'name="q" value="Hangzhou transport"' in html


def test_other_unknown_addresses_get_the_site_404_with_search(client):
    _response, html = _page(client, "/no-such-page/", expect=404)
    assert "Page not found" in html and 'name="q"' in html


# Operators and authorities ---------------------------------------------------------------------------


def test_operator_page_lists_its_licenses_and_whether_one_is_in_force(client):
    operator = factories.operator(
        name="之江数据", contact_emails="private@zhijiang.test", website="https://zj.test"
    )
    in_force = _granted(TODAY - D(days=10), 100, operator=operator)
    revoked = factories.license_in("revoked", operator=operator)
    _response, html = _page(client, f"/operators/{operator.uscc}/")
    assert "<h1" in html and "之江数据" in html and operator.uscc in html
    assert "Licensed" in html and "until 27 February 2027" in html
    assert in_force.number in html and revoked.number in html
    assert "private@zhijiang.test" not in html
    assert 'href="https://zj.test"' in html


def test_operator_addresses_in_other_spellings_redirect_to_the_canonical_one(client):
    operator = factories.operator()
    typed = operator.uscc.lower()
    response = client.get(f"/operators/{typed}/")
    assert response.status_code == 301 and response["Location"] == f"/operators/{operator.uscc}/"
    response = client.get(f"/operators/{operator.pk}/")
    assert response.status_code == 301 and response["Location"] == f"/operators/{operator.uscc}/"


def test_operator_without_uscc_is_found_by_id_and_says_why(client):
    operator = factories.operator(name="阿里健康", uscc="", uscc_note="Not published in the sources.")
    factories.license_in("expired", operator=operator)
    _response, html = _page(client, f"/operators/{operator.pk}/")
    assert "Not published in the sources." in html
    assert "License ended" in html


def test_unknown_operator_and_authority_are_404(client):
    _page(client, "/operators/91330100MA2DEMA01A/", expect=404)
    _page(client, "/operators/999999/", expect=404)
    _page(client, "/operators/not-a-code/", expect=404)
    _page(client, "/authorities/999999/", expect=404)


def test_authority_page_lists_the_public_licenses_it_granted(client):
    authority = factories.authority("330100", name="杭州市数据资源管理局", name_en="Hangzhou Data Office")
    granted = factories.license_in("active", grantor=authority)
    withdrawn = factories.license_in("withdrawn", grantor=authority)
    draft = factories.draft(grantor=authority, title="Not yet public")
    elsewhere = factories.license_in("active")
    _response, html = _page(client, f"/authorities/{authority.pk}/")
    assert "杭州市数据资源管理局" in html and "Hangzhou Data Office" in html and "330100" in html
    assert "Prefecture" in html
    assert granted.number in html and withdrawn.number in html
    assert draft.reference not in html and "Not yet public" not in html and elsewhere.number not in html
    assert "2 licenses granted" in html


# Languages -------------------------------------------------------------------------------------------


def test_pages_speak_chinese_by_default_and_english_on_request(client):
    license = factories.license_in("active")
    response = client.get(f"/licenses/{license.number}/", headers={"Accept-Language": "zh-CN"})
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "生效中" in html and "授权期限" in html and "2026年12月9日" in html
    response = client.get(f"/licenses/{license.number}/", headers={"Accept-Language": "en"})
    html = response.content.decode()
    assert '<html lang="en">' in html and "9 December 2026" in html


def test_language_switcher_sets_the_language_and_returns_to_the_page(client):
    license = factories.license_in("active")
    page = f"/licenses/{license.number}/"
    html = client.get(page, headers={"Accept-Language": "en"}).content.decode()
    assert 'action="/i18n/setlang/"' in html and 'name="language" value="zh-hans"' in html
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    html = client.get(page, headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="zh-hans">' in html and "生效中" in html


def test_static_files_are_served_by_the_application(client):
    response = client.get("/static/licensing/site.css")
    assert response.status_code == 200
    assert b".summary-list" in b"".join(response.streaming_content)


@pytest.mark.postgres
def test_chinese_search_of_the_list_goes_through_the_trigram_indexes(client):
    from django.db import connection
    from django.http import QueryDict

    from licensing.forms import LicenseFilters
    from licensing.views.common import listed_licenses

    operator = factories.operator(name="阿里健康")
    license = _granted(
        TODAY - D(days=10), 100, title="杭州市公共数据授权运营（医疗健康领域）", operator=operator
    )
    _response, html = _page(client, "/licenses/", q="阿里健康")
    assert license.number in html
    queryset = LicenseFilters(QueryDict("q=医疗健康")).apply(listed_licenses())
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The operators' part of the union uses its own trigram indexes once the table is not tiny
    # (tests/test_verify_and_search.py checks them one by one).
    assert "licensing_license_title_trgm" in plan, plan
