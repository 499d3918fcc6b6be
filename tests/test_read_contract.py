"""The read contract of every public endpoint, in the spirit of NetBox's per-endpoint test contracts:

- an anonymous reader gets 200;
- a draft (not public) reads as absent: 404 wherever an address names it;
- an unknown query parameter is a 400 naming it in the API (the site's pages ignore one: browsers and
  links add their own);
- the body served to anonymous readers from the cache is the body built afresh, also after a change
  through the services (the cache is invalidated by every committed change a body may show).

The endpoints are listed once, in ENDPOINTS: a new public read joins the contract with one line."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licensing import calls, findings, lifecycle, operators

from . import factories
from .clock import TODAY, D

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def public(world):
    """The world with one public record of each kind, and a draft of the same operator."""
    operator = factories.operator(name="之江示例数据科技有限公司")
    active = factories.license_in("active", grantor=world["hangzhou"], operator=operator)
    factories.priced(active, name="实时公交到站查询接口")
    draft = factories.draft(grantor=world["hangzhou"], operator=operator, title="Unannounced plan")
    finding = findings.record_finding(
        issuer="审计署",
        published_on=TODAY - D(days=100),
        entity_name=operator.name,
        entity_uscc=operator.uscc,
        source="Audit report.",
    )
    call = calls.create_call(
        actor=None,
        title="杭州市公共数据授权运营遴选公告",
        noticed_on=TODAY - D(days=30),
        grantor=world["hangzhou"],
        data_domains=["transport"],
        operators_sought=1,
    )
    return {**world, "operator": operator, "active": active, "draft": draft, "finding": finding, "call": call}


def _license(path=""):
    """The addresses of a license's read: the public license's, and the draft's (by its reference)."""
    return (
        lambda r: f"/api/v1/licenses/{r['active'].number}/{path}",
        lambda r: f"/api/v1/licenses/{r['draft'].reference}/{path}",
    )


# name -> (the address of the read, given the records; the address naming the draft, where the read names
# a license, else None).
ENDPOINTS = {
    "api licenses": (lambda r: "/api/v1/licenses/", None),
    "api license": _license(),
    "api license events": _license("events/"),
    "api license products": _license("products/"),
    "api operators": (lambda r: "/api/v1/operators/", None),
    "api operator": (lambda r: f"/api/v1/operators/{r['operator'].pk}/", None),
    "api authorities": (lambda r: "/api/v1/authorities/", None),
    "api authority": (lambda r: f"/api/v1/authorities/{r['hangzhou'].pk}/", None),
    "api findings": (lambda r: "/api/v1/findings/", None),
    "api finding": (lambda r: f"/api/v1/findings/{r['finding'].pk}/", None),
    "api calls": (lambda r: "/api/v1/calls/", None),
    "api call": (lambda r: f"/api/v1/calls/{r['call'].pk}/", None),
    "api verify": (lambda r: f"/api/v1/verify/?uscc={r['operator'].uscc}", None),
    "api events": (lambda r: "/api/v1/events/", None),
    "home": (lambda r: "/", None),
    "licenses": (lambda r: "/licenses/", None),
    "license": (
        lambda r: f"/licenses/{r['active'].number}/",
        lambda r: f"/licenses/{r['draft'].reference}/",
    ),
    "license feed": (
        lambda r: f"/licenses/{r['active'].number}/feed.atom",
        lambda r: f"/licenses/{r['draft'].reference}/feed.atom",
    ),
    "operator": (lambda r: f"/operators/{r['operator'].uscc}/", None),
    "authority": (lambda r: f"/authorities/{r['hangzhou'].pk}/", None),
    "verify": (lambda r: f"/verify/?uscc={r['operator'].uscc}", None),
    "findings": (lambda r: "/findings/", None),
    "calls": (lambda r: "/calls/", None),
    "call": (lambda r: f"/calls/{r['call'].pk}/", None),
    "changes feed": (lambda r: "/feeds/changes.atom", None),
}
API = [name for name in ENDPOINTS if name.startswith("api ")]
NAMING_A_LICENSE = [name for name, (_read, draft) in ENDPOINTS.items() if draft is not None]

# Changes through the services that public reads show.
CHANGES = {
    "license amended": lambda r: lifecycle.edit(
        r["active"],
        {"title": "医疗健康数据（修订）"},
        actor=None,
        reason="Agreement amended.",
        expected_version=r["active"].version,
    ),
    "operator renamed": lambda r: operators.edit_operator(
        r["operator"], {"name": "之江数据有限公司"}, actor=r["users"]["superuser"]
    ),
    "finding recorded": lambda r: findings.record_finding(
        issuer="审计署",
        published_on=TODAY - D(days=5),
        entity_name=r["operator"].name,
        entity_uscc=r["operator"].uscc,
        source="Second audit report.",
    ),
    "license suspended": lambda r: lifecycle.transition(
        r["active"], "suspend", actor=None, reason="Audit.", expected_version=r["active"].version
    ),
}


def _with(url: str, parameter: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{parameter}"


def _body(response) -> bytes:
    """The response's body without the visitor's own CSRF token (a page's language switch carries one)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_an_anonymous_reader_gets_the_read(client, public, name):
    response = client.get(ENDPOINTS[name][0](public))
    assert response.status_code == 200
    assert public["draft"].title.encode() not in response.content


@pytest.mark.parametrize("name", NAMING_A_LICENSE)
def test_a_draft_reads_as_absent(client, public, name):
    assert client.get(ENDPOINTS[name][1](public)).status_code == 404


@pytest.mark.parametrize("name", API)
def test_the_api_refuses_an_unknown_parameter_by_name(client, public, name):
    response = client.get(_with(ENDPOINTS[name][0](public), "colour=blue"))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["colour"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_cached_body_is_the_body_built_afresh(client, public, name):
    url = ENDPOINTS[name][0](public)
    built = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        served = client.get(url)
    cache.clear()
    fresh = client.get(url)
    assert _body(served) == _body(built) == _body(fresh)
    assert served.status_code == 200
    # The second read was the cache's: it did not touch the database.
    assert len(queries) == 0


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_after_a_change_the_cached_body_is_the_body_built_afresh(
    client, public, name, change, django_capture_on_commit_callbacks
):
    url = ENDPOINTS[name][0](public)
    client.get(url)  # cached
    with django_capture_on_commit_callbacks(execute=True):  # the invalidation runs once a change commits
        CHANGES[change](public)
    served = client.get(url)
    cache.clear()
    assert _body(served) == _body(client.get(url))
