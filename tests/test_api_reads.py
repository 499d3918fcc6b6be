"""Contract tests of the API's reads: what a client gets, filters, errors, ETags, CORS, throttling."""

import datetime

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from licensing import lifecycle
from licensing.api.filters import LicenseFilter
from licensing.api.throttling import AnonymousReadThrottle
from licensing.models import License

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world():
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局", name_en="Hangzhou Data Bureau")
    hunan = factories.authority("430000", name="湖南省数据局")
    ali = factories.operator(name="阿里健康", name_en="Ali Health", aliases="Alibaba Health")
    active = _granted(hangzhou, ali, TODAY - D(days=10), 20, data_domains=["health"], title="医疗健康数据")
    later = _granted(hunan, factories.operator(), TODAY - D(days=10), 400, data_domains=["transport"])
    draft = factories.draft(grantor=hangzhou, title="Secret draft")
    return {
        "hangzhou": hangzhou,
        "hunan": hunan,
        "ali": ali,
        "active": active,
        "later": later,
        "draft": draft,
    }


def _granted(grantor, operator, start, days, **fields):
    license = factories.draft(
        grantor=grantor, operator=operator, term_start=start, term_end=start + D(days=days), **fields
    )
    lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    return license


def _numbers(response):
    return {row["number"] for row in response.json()["results"]}


def test_license_detail_names_things_plainly(api, world):
    license = world["active"]
    response = api.get(f"/api/v1/licenses/{license.number}/")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == license.number
    assert body["status"] == "active"
    assert body["term_start"] == license.term_start.isoformat()
    assert body["version"] == license.version
    assert body["grantor"]["division_code"] == "330100"
    assert body["operator"]["uscc"] == world["ali"].uscc
    assert body["data_domains"] == ["health"]
    assert "contact_emails" not in body["operator"]


def test_drafts_are_404_for_the_public(api, world):
    assert api.get(f"/api/v1/licenses/{world['draft'].reference}/").status_code == 404
    assert world["draft"].reference not in str(api.get("/api/v1/licenses/").json())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=active", {"active", "later"}),
        ("status=active&status=draft", {"active", "later"}),
        ("division=33", {"active"}),
        ("division=330000", {"active"}),
        ("division=100000", {"active", "later"}),
        ("domain=transport", {"later"}),
        ("expires_before=2026-12-31", {"active"}),
        ("expires_after=2027-01-01", {"later"}),
        ("q=阿里健康", {"active"}),
        ("q=ali health", {"active"}),
        ("q=医疗", {"active"}),
    ],
)
def test_license_filters(api, world, query, expected):
    response = api.get(f"/api/v1/licenses/?{query}")
    assert response.status_code == 200, response.json()
    assert _numbers(response) == {world[key].number for key in expected}


def test_filters_by_ids_and_uscc_in_any_form(api, world):
    code = world["ali"].uscc
    typed = " ".join(code.lower())
    assert _numbers(api.get("/api/v1/licenses/", {"operator": typed})) == {world["active"].number}
    assert _numbers(api.get("/api/v1/licenses/", {"operator_id": world["ali"].pk})) == {
        world["active"].number
    }
    assert _numbers(api.get("/api/v1/licenses/", {"grantor_id": world["hunan"].pk})) == {
        world["later"].number
    }
    assert _numbers(api.get("/api/v1/licenses/", {"grantor": "430000"})) == {world["later"].number}


def test_a_page_past_the_last_is_a_404_naming_the_page(api, world):
    response = api.get("/api/v1/licenses/?page=99")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_ordering_and_pagination(api, world):
    body = api.get("/api/v1/licenses/?ordering=-term_end&page_size=1").json()
    assert body["count"] == 2
    assert body["results"][0]["number"] == world["later"].number
    assert "page=2" in body["next"]


def test_cached_pages_link_to_the_host_they_were_asked_on(world, settings):
    """Pagination links are absolute, so an anonymous body cached for one host is not served on another."""
    settings.ALLOWED_HOSTS = ["a.example.org", "b.example.org"]
    client = APIClient()
    for host in ("a.example.org", "b.example.org", "a.example.org"):
        body = client.get("/api/v1/licenses/?page_size=1", HTTP_HOST=host).json()
        assert body["next"].startswith(f"http://{host}/api/v1/licenses/"), body["next"]


def test_ordering_breaks_ties_by_key_so_pages_neither_skip_nor_repeat(api, world):
    for _ in range(3):  # three licenses with one term end: ties for the ordering asked for
        factories.license_in("active")
    ordered = LicenseFilter(QueryDict("ordering=-term_end"), queryset=License.objects.all()).qs
    assert ordered.query.order_by == ("-term_end", "id")
    everything = {row["number"] for row in api.get("/api/v1/licenses/?page_size=100").json()["results"]}
    seen = []
    for page in range(1, len(everything) + 1):
        body = api.get(f"/api/v1/licenses/?ordering=term_end&page_size=1&page={page}").json()
        seen += [row["number"] for row in body["results"]]
    assert sorted(seen) == sorted(everything)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("bogus=1", "bogus"),
        ("ordering=,", "ordering"),
        ("ordering=number&ordering=,", "ordering"),
        ("status=sleeping", "status"),
        ("expires_before=yesterday", "expires_before"),
        ("division=33a", "division"),
        ("grantor_id=x", "grantor_id"),
        ("page=0", "page"),
        ("page_size=500", "page_size"),
        ("ordering=secret", "ordering"),
        ("domain=astrology", "domain"),
    ],
)
def test_bad_parameters_are_400s_naming_the_parameter(api, world, query, parameter):
    response = api.get(f"/api/v1/licenses/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"detail", "code", "errors"}
    assert parameter in body["errors"], body


def test_list_costs_the_same_queries_for_1_and_for_100_rows(api, world):
    def queries():
        cache.clear()  # the build, not a cache hit
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/licenses/?page_size=200").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(98):
        _granted(world["hangzhou"], factories.operator(), TODAY - D(days=1), 30)
    assert queries() == few


def test_public_reads_are_cached_until_a_change_commits(api, world, django_capture_on_commit_callbacks):
    url = f"/api/v1/licenses/{world['active'].number}/"
    first = api.get(url).json()
    with CaptureQueriesContext(connection) as hit:
        assert api.get(url).json() == first
    assert len(hit) == 0
    license = world["active"]
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(
            license, "suspend", actor=None, reason="Audit.", expected_version=license.version
        )
    assert api.get(url).json()["status"] == "suspended"


@pytest.mark.parametrize("case", ["detail", "list", "verify"])
def test_a_read_from_the_cache_answers_exactly_as_the_first(api, world, case):
    path = {
        "detail": f"/api/v1/licenses/{world['active'].number}/",
        "list": "/api/v1/licenses/?status=active&page_size=50",
        "verify": f"/api/v1/verify/?uscc={world['ali'].uscc}",
    }[case]
    first = api.get(path, HTTP_ACCEPT_LANGUAGE="en")
    with CaptureQueriesContext(connection) as hit:
        again = api.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert len(hit) == 0
    assert (again.status_code, again.content) == (first.status_code, first.content) == (200, first.content)
    for header in ("Content-Type", "Allow", "ETag", "Vary", "Content-Language"):
        assert again.get(header) == first.get(header), header
    assert ("ETag" in again) == (case == "detail")
    if case == "detail":
        revalidated = api.get(path, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=first["ETag"])
        assert (revalidated.status_code, revalidated["ETag"]) == (304, first["ETag"])


def test_a_cached_read_still_refuses_a_format_the_api_does_not_give(api, world):
    path = f"/api/v1/licenses/{world['active'].number}/"
    assert api.get(path).status_code == 200  # now cached
    assert api.get(path, HTTP_ACCEPT="application/xml").status_code == 406
    assert api.get(path, HTTP_ACCEPT="text/html,*/*;q=0.8").status_code == 200


def test_signed_in_reads_are_not_answered_from_the_anonymous_cache(api, world):
    path = "/api/v1/licenses/?status=draft"
    assert api.get(path).json()["results"] == []  # now cached for anonymous clients
    superuser = factories.user(is_superuser=True)
    api.force_login(superuser)
    assert [row["reference"] for row in api.get(path).json()["results"]] == [world["draft"].reference]
    api.logout()
    by_token = api.get(path, HTTP_AUTHORIZATION=factories.api_token_header(superuser)).json()["results"]
    assert [row["reference"] for row in by_token] == [world["draft"].reference]


def test_an_anonymous_license_read_costs_one_query_when_built(api, world):
    """The compiled query of public_license_values; products are read only for a license that has
    some (and then in one more query)."""
    for license in (world["active"], world["later"]):
        cache.clear()
        with CaptureQueriesContext(connection) as built:
            assert api.get(f"/api/v1/licenses/{license.number}/").status_code == 200
        assert len(built) == 1, [q["sql"] for q in built.captured_queries]
    factories.priced(world["active"], price="2.00", cap="1.50", price_above_cap_reason="Interim.")
    cache.clear()
    with CaptureQueriesContext(connection) as with_products:
        flags = api.get(f"/api/v1/licenses/{world['active'].number}/").json()["flags"]
    assert len(with_products) == 2
    assert [flag["code"] for flag in flags] == ["price_above_cap"]


def test_a_change_to_one_license_leaves_the_others_cached(api, world, django_capture_on_commit_callbacks):
    active, later = world["active"], world["later"]
    for license in (active, later):
        api.get(f"/api/v1/licenses/{license.number}/")
    assert api.get(f"/licenses/{later.number}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(active, "suspend", actor=None, reason="Audit.", expected_version=active.version)
    with CaptureQueriesContext(connection) as untouched:
        assert api.get(f"/api/v1/licenses/{later.number}/").json()["status"] == "active"
        assert api.get(f"/licenses/{later.number}/").status_code == 200
    assert len(untouched) == 0
    assert api.get(f"/api/v1/licenses/{active.number}/").json()["status"] == "suspended"
    listed = api.get("/api/v1/licenses/?status=suspended").json()["results"]
    assert [row["number"] for row in listed] == [active.number]


def test_a_renewal_shows_at_once_on_the_licenses_it_follows(api, world, django_capture_on_commit_callbacks):
    first = world["active"]
    with django_capture_on_commit_callbacks(execute=True):
        second = lifecycle.renew(
            first, term_end=TODAY + D(days=400), actor=None, expected_version=first.version
        )
    url = f"/api/v1/licenses/{first.number}/"
    assert api.get(url).json()["successor"] == second.number
    assert 'id="chain-heading"' in api.get(f"/licenses/{first.number}/").text  # its line of renewals
    with django_capture_on_commit_callbacks(execute=True):  # the successor withdrawn: no renewal after all
        lifecycle.transition(second, "withdraw", actor=None, reason="Error.", expected_version=second.version)
    assert api.get(url).json()["successor"] is None
    assert 'id="chain-heading"' not in api.get(f"/licenses/{first.number}/").text


def test_events_of_a_license(api, world):
    body = api.get(f"/api/v1/licenses/{world['active'].number}/events/").json()
    # The public reads no draft-stage event (the creation): access.sees_event_details.
    assert [event["action"] for event in body["results"]] == ["grant", "activate"]
    assert set(body["results"][0]) >= {
        "action",
        "from_status",
        "to_status",
        "reason",
        "occurred_on",
        "created_at",
    }


def test_operator_by_uscc_in_any_form_and_search(api, world):
    code = world["ali"].uscc
    full_width = code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}).lower()
    response = api.get(f"/api/v1/operators/{full_width}/")
    assert response.status_code == 200
    assert response.json()["name"] == "阿里健康"
    assert "contact_emails" not in response.json()
    assert api.get("/api/v1/operators/91110000600037341L/").status_code == 404
    names = [row["name"] for row in api.get("/api/v1/operators/", {"q": "alibaba"}).json()["results"]]
    assert names == ["阿里健康"]


def test_authorities(api, world):
    body = api.get("/api/v1/authorities/?division=43").json()
    assert [row["name"] for row in body["results"]] == ["湖南省数据局"]
    detail = api.get(f"/api/v1/authorities/{world['hangzhou'].pk}/").json()
    assert detail["level"] == "prefecture"


def test_verify_gives_the_same_verdict_as_the_domain(api, world):
    body = api.get("/api/v1/verify/", {"uscc": world["ali"].uscc.lower()}).json()
    assert body["headline"] == "licensed"
    assert body["until"] == world["active"].term_end.isoformat()
    assert [row["number"] for row in body["licenses"]] == [world["active"].number]
    assert (
        api.get("/api/v1/verify/", {"name": "Ali Health", "domain": "transport"}).json()["headline"]
        == "no_license"
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({}, "uscc"),
        ({"uscc": "123"}, "uscc"),
        ({"name": "x", "on": "soon"}, "on"),
        ({"name": "x", "color": "red"}, "color"),
        ({"name": "x", "on": ""}, "on"),
    ],
)
def test_verify_bad_input(api, query, parameter):
    response = api.get("/api/v1/verify/", query)
    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_etag_changes_with_what_the_representation_depends_on(api, world, django_capture_on_commit_callbacks):
    url = f"/api/v1/licenses/{world['active'].number}/"
    first = api.get(url, HTTP_ACCEPT_LANGUAGE="en")
    etag = first["ETag"]
    assert "Accept-Language" in first["Vary"]
    assert api.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")["ETag"] != etag
    operator = world["ali"]
    operator.website = "https://example.org"
    with django_capture_on_commit_callbacks(execute=True):  # the commit invalidates cached bodies
        operator.save()
    changed = api.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    world["hangzhou"].name_en = "Hangzhou Data Resources Administration"
    with django_capture_on_commit_callbacks(execute=True):
        world["hangzhou"].save()
    assert api.get(url, HTTP_ACCEPT_LANGUAGE="en")["ETag"] != changed["ETag"]


def test_cross_origin_reads_are_allowed_and_writes_are_not(api, world):
    read = api.get("/api/v1/licenses/", HTTP_ORIGIN="https://elsewhere.example")
    assert read["Access-Control-Allow-Origin"] == "*"
    preflight = api.options(
        "/api/v1/licenses/",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")


def test_unknown_api_address_is_a_json_404(api, settings):
    settings.DEBUG = False
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_reads_are_throttled_with_retry_after(api, world, monkeypatch):
    monkeypatch.setattr(AnonymousReadThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    cache.clear()
    codes = [api.get("/api/v1/authorities/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = api.get("/api/v1/authorities/")
    assert int(last["Retry-After"]) > 0
    assert last.json()["code"] == "throttled"
    api.force_authenticate(factories.user())
    assert api.get("/api/v1/authorities/").status_code == 200  # signed-in clients are not throttled
    cache.clear()


def test_throttling_fails_open_when_the_cache_is_down(api, world, monkeypatch, caplog):
    unreachable = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    monkeypatch.setattr(AnonymousReadThrottle, "cache", unreachable)
    response = api.get("/api/v1/authorities/")
    assert response.status_code == 200
    assert "not throttled" in caplog.text


def test_the_lean_read_path_gives_exactly_what_the_serializer_describes(api, world):
    from licensing.api.representations import (
        license_representation,
        license_values,
        public_license_values,
        with_domains,
        with_flags,
    )
    from licensing.api.serializers import LicenseSerializer
    from licensing.api.views import _license_queryset
    from licensing.models import License

    renewed = factories.license_in(
        "renewed", consideration="1802441200.00", source_urls="https://a.example/1"
    )
    # Products that raise flags: a price above its cap, and a paid product before the term starts.
    factories.priced(world["active"], price="2.00", cap="1.50", price_above_cap_reason="Interim.")
    factories.priced(renewed.successor, price="0.0025", cap="0.01")
    licenses = [world["active"], world["later"], world["draft"], renewed, renewed.successor]
    for license in licenses:
        with_serializer = LicenseSerializer(_license_queryset().get(pk=license.pk)).data
        (row,) = with_flags(with_domains(license_values(License.objects.filter(pk=license.pk))))
        lean = license_representation(row)
        assert lean == dict(with_serializer), license.number
        # The query compiled once for anonymous reads gives the same row, and nothing for a draft.
        compiled = public_license_values(license.number)
        assert compiled == (
            [] if license.status == "draft" else list(license_values(License.objects.filter(pk=license.pk)))
        )
    assert [flag["code"] for flag in lean["flags"]] == ["unlicensed_charging"]


def test_every_public_resource_reads_through_the_one_base():
    """Resources open to anyone read through PublicReadViewSet (cache, ETag, permissions, the page of
    flags); each says only what it lists and how it shows a page, never its own list()."""
    from licensing.api.base import PublicReads, PublicReadViewSet
    from licensing.api.urls import router

    public = {prefix: viewset for prefix, viewset, _ in router.registry if issubclass(viewset, PublicReads)}
    assert set(public) >= {"licenses", "operators", "authorities", "findings", "calls"}
    for prefix, viewset in public.items():
        assert issubclass(viewset, PublicReadViewSet), prefix
        # (extend_schema_view wraps the inherited list for its schema, keeping its name.)
        assert viewset.list.__qualname__ == "PublicReadViewSet.list", prefix


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("TRACE", "/api/v1/authorities/", 405),  # no such method: 405 for everyone, not a 401
        ("PUT", "/api/v1/licenses/", 405),
        ("DELETE", "/api/v1/registrations/1/", 405),
        ("POST", "/api/v1/licenses/", 401),  # a write the resource has: the credentials come first
        ("POST", "/api/v1/disclosures/", 401),
    ],
)
def test_an_anonymous_client_learns_which_methods_exist(client, method, path, status):
    assert client.generic(method, path).status_code == status
