"""Each public page runs a fixed number of queries, whatever the number of rows it shows: the count is
pinned, and measured again with three times the rows, so an N+1 fails here."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from licensing import lifecycle
from licensing.sweep import run_sweep

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


def _queries(client, url) -> int:
    cache.clear()  # the page's build, not a hit in the cache of public pages
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _licenses(n, **fields):
    """n licenses in force, each with its own grantor and operator, two data domains, expiring soon and
    suspended then reinstated (so they have several events with reasons)."""
    made = []
    for i in range(n):
        license = factories.draft(
            grantor=factories.authority("330100"),
            data_domains=["health", "transport"],
            **factories.with_term(TODAY - D(days=10), 30 + i, **fields),
        )
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
        _suspend_and_reinstate(license)
        made.append(license)
    return made


def _suspend_and_reinstate(license, times=1):
    for _ in range(times):
        lifecycle.transition(
            license, "suspend", actor=None, reason="Audit.", expected_version=license.version
        )
        lifecycle.transition(
            license, "reinstate", actor=None, reason="Done.", expected_version=license.version
        )


def test_home(client):
    _licenses(3)
    first = _queries(client, "/")
    _licenses(6)
    # Counts, expiring, lifecycle changes, and the other changes grouped per license and day.
    assert _queries(client, "/") == first == 4


@pytest.mark.parametrize(
    "url",
    [
        "/licenses/",
        "/licenses/?q=Health",
        "/licenses/?status=active&domain=health&division=330100&expires_within=90",
        "/licenses/?status=active&sort=-term_end",
    ],
)
def test_license_list_plain_searched_and_filtered(client, url):
    _licenses(3, title="Health data")
    first = _queries(client, url)
    _licenses(6, title="Health data")
    assert _queries(client, url) == first == 4


def test_findings_page(client):
    for _ in range(3):
        factories.finding(department="交通运输部", amount="100.00", source_urls="https://example.org/report")
    first = _queries(client, "/findings/")
    for _ in range(6):
        factories.finding(department="教育部", amount="50.00", source="Another report.")
    # Totals (overall, by department, by issuer, their sources), and the page of findings with its count.
    assert _queries(client, "/findings/") == first == 6


def test_license_page_with_a_long_history_and_renewal_chain(client):
    license = _licenses(1)[0]
    alone = _queries(client, f"/licenses/{license.number}/")
    _suspend_and_reinstate(license, 3)
    # (One of them the products, for the products table and the compliance flags; one the registrations.)
    assert _queries(client, f"/licenses/{license.number}/") == alone == 6
    # In a line of renewals, one query more (the members of the line), however long the line.
    second = lifecycle.renew(
        license, term_end=license.term_end + D(days=365), actor=None, expected_version=license.version
    )
    in_pair = [_queries(client, f"/licenses/{member.number}/") for member in (license, second)]
    with time_machine.travel(second.term_start, tick=False):
        run_sweep()
        second.refresh_from_db()
        third = lifecycle.renew(
            second, term_end=second.term_end + D(days=365), actor=None, expected_version=second.version
        )
        in_three = [_queries(client, f"/licenses/{member.number}/") for member in (license, second, third)]
    assert in_pair == [7, 7] and in_three == [7, 7, 7]


@pytest.mark.parametrize("url", ["/operators/{uscc}/", "/verify/?q={uscc}"])
def test_operator_and_verify_pages(client, url):
    operator = factories.operator()
    url = url.format(uscc=operator.uscc)
    _licenses(2, operator=operator)
    first = _queries(client, url)
    _licenses(6, operator=operator)
    # The verdict's four, and two for its compliance flags: the licenses' products, findings against it.
    assert _queries(client, url) == first == 6


def test_authority_page(client):
    authority = factories.authority("330100")

    def build(n):
        _licenses(n)  # other authorities' licenses
        for _ in range(n):
            factories.license_in("active", grantor=authority)

    build(3)
    first = _queries(client, f"/authorities/{authority.pk}/")
    build(6)
    # 5, and 1 for the licenses with an annual disclosure overdue (none here; with some, 1 more for their
    # disclosures: tests/test_disclosures.py).
    assert _queries(client, f"/authorities/{authority.pk}/") == first == 6


def test_feeds(client):
    licenses = _licenses(3)
    site = _queries(client, "/feeds/changes.atom")
    one = _queries(client, f"/licenses/{licenses[0].number}/feed.atom")
    _licenses(6)
    _suspend_and_reinstate(licenses[0], 3)
    assert _queries(client, "/feeds/changes.atom") == site == 1
    assert _queries(client, f"/licenses/{licenses[0].number}/feed.atom") == one == 2


def test_anonymous_pages_are_served_from_the_cache_until_a_change(client, django_capture_on_commit_callbacks):
    (license,) = _licenses(1)
    url = f"/licenses/{license.number}/"
    first = client.get(url).content
    with CaptureQueriesContext(connection) as hit:
        assert client.get(url).status_code == 200
    assert len(hit) <= 1, [q["sql"] for q in hit.captured_queries]  # at most the session, never the data
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(
            license, "suspend", actor=None, reason="Cache test.", expected_version=license.version
        )
    changed = client.get(url).content
    assert changed != first and b"Cache test." in changed


def test_a_cached_page_carries_each_visitors_own_csrf_token():
    """Whole pages are cached for anonymous visitors; the language switch's token is still each one's
    own, and switching works from a page that came from the cache."""
    (license,) = _licenses(1)
    url = f"/licenses/{license.number}/"
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(url)
    with CaptureQueriesContext(connection) as hit:
        page_two = second.get(url)
    assert len(hit) == 0
    tokens = [_form_token(page) for page in (page_one, page_two)]
    assert tokens[0] != tokens[1]
    assert all(page.cookies["csrftoken"].value for page in (page_one, page_two))
    assert page_one.content.replace(tokens[0].encode(), b"") == page_two.content.replace(
        tokens[1].encode(), b""
    )
    switched = second.post(
        "/i18n/setlang/", {"language": "en", "next": url, "csrfmiddlewaretoken": tokens[1]}
    )
    assert switched.status_code == 302
    assert b'lang="en"' in second.get(url).content
    forged = first.post("/i18n/setlang/", {"language": "en", "next": url, "csrfmiddlewaretoken": "x" * 64})
    assert forged.status_code == 403


def _form_token(response) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
    assert match, "the language switch has no CSRF token"
    return match.group(1).decode()


def test_license_page_lists_its_published_registrations_in_one_query(client):
    license = factories.registrable_license()
    factories.registration_in("in_notice", license=license)
    one = _queries(client, f"/licenses/{license.number}/")
    factories.registration_in("issued", license=license)
    factories.registration_in(
        "in_notice", license=license, registrant_role="operator", kind="product_service"
    )
    hidden = factories.registration_in("applied", license=license)
    cache.clear()
    response = client.get(f"/licenses/{license.number}/")
    page = response.content.decode()
    assert len(re.findall(r'href="/registrations/[0-9]+/"', page)) == 3
    assert f'href="/registrations/{hidden.pk}/"' not in page  # before its notice, not public
    cache.clear()
    assert _queries(client, f"/licenses/{license.number}/") == one
