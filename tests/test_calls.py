"""Selection calls that name several operators: recorded, their licenses listed and granted, the call
cancelled (its listed licenses withdrawn with its day and reason, in one transaction), through the API,
the pages and the admin; who may do what; and the verdicts for each operator before and after."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from licensing import calls, lifecycle
from licensing.exceptions import LicensingError
from licensing.models import Call, License, LicenseEvent

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
NOTICED = datetime.date(2026, 3, 2)
CANCELLED = datetime.date(2026, 6, 30)
D = datetime.timedelta
ROLES = ["anonymous", "inside", "outside", "auditor", "superuser"]


@pytest.fixture
def world(world):
    ningbo = factories.authority("330200", name="宁波市大数据发展管理局")
    operators = [factories.operator(name=f"示例数据科技有限公司{i}") for i in range(3)]
    return {**world, "ningbo": ningbo, "operators": operators}


def _client(world, role):
    client = APIClient()
    if world["users"][role] is not None:
        client.force_authenticate(world["users"][role])
    return client


def _new_call(world, **fields) -> Call:
    fields = {
        "title": "杭州市公共数据授权运营遴选公告",
        "noticed_on": NOTICED,
        "grantor": world["hangzhou"],
        "co_grantors": [world["ningbo"]],
        "data_domains": ["transport", "health"],
        "operators_sought": 3,
        **fields,
    }
    return calls.create_call(actor=None, **fields)


def _with_licenses(world, call) -> list[License]:
    return [
        calls.add_license(
            call, actor=None, expected_version=call.version, operator=operator, scope="Bus and clinic data."
        )
        for operator in world["operators"]
    ]


def _grant(license):
    """Give the license a term starting today and grant it: it comes into force at once."""
    lifecycle.edit(
        license,
        {"term_start": TODAY, "term_end": TODAY + D(days=700)},
        actor=None,
        expected_version=license.version,
    )
    lifecycle.transition(license, "grant", actor=None, expected_version=license.version)


def _verdict(client, operator, on=None):
    query = {"uscc": operator.uscc, **({"on": on.isoformat()} if on else {})}
    body = client.get("/api/v1/verify/", query).json()
    return body["headline"], [item["status_on_day"] for item in body["licenses"]]


# The whole story, through the API -----------------------------------------------------------------------


def test_a_call_with_several_operators_from_notice_to_cancellation(world, django_capture_on_commit_callbacks):
    client = _client(world, "inside")
    created = client.post(
        "/api/v1/calls/",
        {
            "title": "杭州市公共数据授权运营遴选公告",
            "noticed_on": NOTICED.isoformat(),
            "grantor_id": world["hangzhou"].pk,
            "co_grantor_ids": [world["ningbo"].pk],
            "data_domains": ["transport"],
            "operators_sought": 2,
            "selection_method": "open_tender",
            "source_urls": ["https://data.hangzhou.gov.cn/notice/1"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    call = created.json()
    assert (call["status"], call["noticed_on"], call["version"]) == ("open", NOTICED.isoformat(), 1)
    assert [a["id"] for a in call["co_grantors"]] == [world["ningbo"].pk]

    for operator in world["operators"]:
        added = client.post(
            f"/api/v1/calls/{call['id']}/licenses/",
            {"operator_uscc": operator.uscc, "scope": "Bus arrivals.", "version": call["version"]},
            format="json",
        )
        assert added.status_code == 201, added.json()
        call = added.json()
    assert [(item["status"], item["operator"]["uscc"]) for item in call["licenses"]] == [
        ("listed", operator.uscc) for operator in world["operators"]
    ]
    licenses = list(License.objects.filter(call_id=call["id"]).order_by("created_at", "id"))
    # Each license carries the call's grantors, domains and method, and was listed on the notice day.
    for license in licenses:
        assert license.grantor == world["hangzhou"]
        assert list(license.co_grantors.all()) == [world["ningbo"]]
        assert list(license.data_domains.values_list("code", flat=True)) == ["transport"]
        assert license.selection_method == "open_tender"
        assert license.number.startswith("330100-2026-")
        listed = license.events.get(action="list")
        assert listed.occurred_on == NOTICED
    # The license's own representation names its call.
    shown = client.get(f"/api/v1/licenses/{licenses[0].number}/").json()
    assert shown["call"] == call["id"]

    # The first operator is granted (its term started in spring).
    chosen, others = licenses[0], licenses[1:]
    edited = client.patch(
        f"/api/v1/licenses/{chosen.number}/",
        {"term_start": "2026-04-01", "term_end": "2029-03-31", "version": shown["version"]},
        format="json",
    )
    assert edited.status_code == 200, edited.json()
    granted = client.post(
        f"/api/v1/licenses/{chosen.number}/transitions/",
        {"action": "grant", "version": edited.json()["version"]},
        format="json",
    )
    assert granted.json()["status"] == "active"

    public = APIClient()
    before = {operator.pk: _verdict(public, operator) for operator in world["operators"]}
    assert before[world["operators"][0].pk] == ("licensed", ["active"])
    for operator in world["operators"][1:]:
        headline, states = before[operator.pk]
        assert headline != "licensed" and states == ["listed"]

    call = client.get(f"/api/v1/calls/{call['id']}/").json()
    # (The cached verdicts are invalidated once the cancellation commits.)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(
            f"/api/v1/calls/{call['id']}/cancel/",
            {"reason": "Too few bids.", "occurred_on": CANCELLED.isoformat(), "version": call["version"]},
            format="json",
        )
    assert cancelled.status_code == 200, cancelled.json()
    body = cancelled.json()
    assert (body["status"], body["cancelled_on"], body["reason"]) == (
        "cancelled",
        "2026-06-30",
        "Too few bids.",
    )
    assert [item["status"] for item in body["licenses"]] == ["active", "withdrawn", "withdrawn"]
    for license in others:
        withdrawal = license.events.get(action="withdraw")
        assert (withdrawal.occurred_on, withdrawal.reason) == (CANCELLED, "Too few bids.")
    assert not chosen.events.filter(action="withdraw").exists()

    # Verdicts: the granted operator is licensed; the others were listed until the call's day, then
    # withdrawn, and never licensed.
    assert _verdict(public, world["operators"][0]) == ("licensed", ["active"])
    for operator in world["operators"][1:]:
        assert _verdict(public, operator, CANCELLED - D(days=1))[1] == ["listed"]
        assert _verdict(public, operator, CANCELLED) == ("withdrawn_only", ["withdrawn"])
        assert _verdict(public, operator) == ("withdrawn_only", ["withdrawn"])


def test_cancellation_is_one_transaction(world, monkeypatch):
    call = _new_call(world)
    licenses = _with_licenses(world, call)
    call.refresh_from_db()
    real = lifecycle.transition
    seen = []

    def second_fails(license, action, **kwargs):
        seen.append(license.pk)
        if len(seen) == 2:
            raise LicensingError("refused")
        return real(license, action, **kwargs)

    monkeypatch.setattr(calls.lifecycle, "transition", second_fails)
    with pytest.raises(LicensingError):
        calls.cancel(
            call, actor=None, expected_version=call.version, reason="Cancelled.", occurred_on=CANCELLED
        )
    assert len(seen) == 2
    assert set(License.objects.filter(call=call).values_list("status", flat=True)) == {"listed"}
    assert not LicenseEvent.objects.filter(license__in=licenses, action="withdraw").exists()
    call.refresh_from_db()
    assert (call.status, call.cancelled_on, call.reason) == ("open", None, "")


def test_a_call_is_awarded_when_its_last_license_is_decided(world):
    call = _new_call(world)
    first, second, third = _with_licenses(world, call)
    lifecycle.transition(second, "withdraw", actor=None, reason="Lost.", expected_version=second.version)
    lifecycle.transition(third, "withdraw", actor=None, reason="Lost.", expected_version=third.version)
    call.refresh_from_db()
    assert call.status == "open"
    _grant(first)
    call.refresh_from_db()
    assert (call.status, call.awarded_on) == ("awarded", TODAY)
    with pytest.raises(LicensingError):
        calls.cancel(call, actor=None, expected_version=call.version, reason="Too late.")


def test_award_explicitly_needs_a_granted_license(world):
    call = _new_call(world)
    first, *_ = _with_licenses(world, call)
    call.refresh_from_db()
    client = _client(world, "inside")
    refused = client.post(f"/api/v1/calls/{call.pk}/award/", {"version": call.version}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()["errors"]
    _grant(first)
    awarded = client.post(
        f"/api/v1/calls/{call.pk}/award/",
        {"version": call.version, "occurred_on": "2026-11-01"},
        format="json",
    )
    assert awarded.status_code == 200, awarded.json()
    assert (awarded.json()["status"], awarded.json()["awarded_on"]) == ("awarded", "2026-11-01")
    # The others stay listed.
    assert [item["status"] for item in awarded.json()["licenses"]] == ["active", "listed", "listed"]


# Who may do what ------------------------------------------------------------------------------------------


def _call_write(world, operation):
    hangzhou = world["hangzhou"]
    if operation == "create":
        body = {"title": "Notice", "noticed_on": NOTICED.isoformat(), "grantor_id": hangzhou.pk}
        return "/api/v1/calls/", body
    call = _new_call(world)
    if operation == "add_license":
        body = {"operator_uscc": world["operators"][0].uscc, "scope": "Bus data.", "version": call.version}
        return f"/api/v1/calls/{call.pk}/licenses/", body
    if operation == "cancel":
        return f"/api/v1/calls/{call.pk}/cancel/", {"reason": "Cancelled.", "version": call.version}
    if operation == "award":
        (license,) = [_with_licenses(world, call)[0]]
        call.refresh_from_db()
        _grant(license)
        return f"/api/v1/calls/{call.pk}/award/", {"version": call.version}
    raise AssertionError(operation)


EXPECTED = {
    # operation: anonymous, inside, outside, auditor, superuser
    "create": [401, 201, 403, 403, 201],
    "add_license": [401, 201, 403, 403, 201],
    "cancel": [401, 200, 403, 403, 200],
    "award": [401, 200, 403, 403, 200],
}
CELLS = [(operation, role) for operation in EXPECTED for role in ROLES]


@pytest.mark.parametrize(("operation", "role"), CELLS, ids=[f"{o}-{r}" for o, r in CELLS])
def test_call_permission_matrix(world, operation, role):
    expected = EXPECTED[operation][ROLES.index(role)]
    url, data = _call_write(world, operation)
    before = (
        list(Call.objects.values_list("pk", "status", "version")),
        License.objects.count(),
        LicenseEvent.objects.count(),
    )
    response = _client(world, role).post(url, data, format="json")
    assert response.status_code == expected, response.json()
    after = (
        list(Call.objects.values_list("pk", "status", "version")),
        License.objects.count(),
        LicenseEvent.objects.count(),
    )
    if expected >= 400:
        assert set(response.json()) >= {"detail", "code", "errors"}
        assert after == before
    else:
        assert after != before


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_calls(world, role):
    call = _new_call(world)
    _with_licenses(world, call)
    client = _client(world, role)
    assert client.get("/api/v1/calls/").json()["count"] == 1
    assert len(client.get(f"/api/v1/calls/{call.pk}/").json()["licenses"]) == 3
    assert client.get("/api/v1/calls/999999/").status_code == 404


def test_stale_version_is_409(world):
    call = _new_call(world)
    client = _client(world, "inside")
    data = {"operator_uscc": world["operators"][0].uscc, "scope": "x", "version": call.version}
    assert client.post(f"/api/v1/calls/{call.pk}/licenses/", data, format="json").status_code == 201
    stale = client.post(
        f"/api/v1/calls/{call.pk}/cancel/", {"reason": "x", "version": call.version}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == call.version + 1
    assert Call.objects.get(pk=call.pk).status == "open"


def test_an_operator_without_a_published_code_is_named_by_its_id(world):
    """A call may name an operator whose code the sources do not publish: by its id, as license writes do."""
    call = _new_call(world)
    uncoded = factories.operator(name="无码示例数据公司", uscc="", uscc_note="Not published in the notice.")
    client = _client(world, "inside")
    data = {"operator_id": uncoded.pk, "scope": "Bus data.", "version": call.version}
    added = client.post(f"/api/v1/calls/{call.pk}/licenses/", data, format="json")
    assert added.status_code == 201, added.json()
    assert [license.operator for license in License.objects.filter(call=call)] == [uncoded]
    neither = client.post(
        f"/api/v1/calls/{call.pk}/licenses/", {"scope": "x", "version": call.version + 1}, format="json"
    )
    assert neither.status_code == 400
    assert "operator_uscc" in neither.json()["errors"]


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("/api/v1/calls/", {"noticed_on": "2026-12-01"}, "noticed_on"),
        ("/api/v1/calls/", {"grantor_id": 999999}, "grantor_id"),
        ("/api/v1/calls/", {"co_grantor_ids": [999999]}, "co_grantor_ids"),
        ("/api/v1/calls/", {"co_grantor_ids": ["LEAD"]}, "co_grantor_ids"),
        ("/api/v1/calls/", {"data_domains": ["weather"]}, "data_domains"),
        ("/api/v1/calls/", {"operators_sought": 0}, "operators_sought"),
        ("/api/v1/calls/", {"source_urls": ["ftp://x"]}, "source_urls"),
        ("/api/v1/calls/", {"noticed": "2026-01-01"}, "noticed"),
        ("{call}licenses/", {"operator_uscc": "91330100MA00000000"}, "operator_uscc"),
        ("{call}licenses/", {"scope": ""}, "scope"),
        ("{call}licenses/", {"operator_id": 999999}, "operator_id"),
        ("{call}licenses/", {"status": "granted"}, "status"),
        ("{call}cancel/", {"reason": ""}, "reason"),
        ("{call}cancel/", {"occurred_on": "2026-11-30"}, "occurred_on"),
        ("{call}cancel/", {"occurred_on": "2026-03-01"}, "occurred_on"),
        ("{call}cancel/", {"occurred_on": "30/06/2026"}, "occurred_on"),
        ("{call}award/", {"reason": "x"}, "reason"),
    ],
)
def test_bad_input_is_400_naming_the_field(world, url, data, field):
    call = _new_call(world)
    base = {
        "/api/v1/calls/": {
            "title": "Notice",
            "noticed_on": NOTICED.isoformat(),
            "grantor_id": world["hangzhou"].pk,
        },
        "{call}licenses/": {
            "operator_uscc": world["operators"][0].uscc,
            "scope": "Bus data.",
            "version": call.version,
        },
        "{call}cancel/": {"reason": "Cancelled.", "version": call.version},
        "{call}award/": {"version": call.version},
    }[url]
    if data.get("co_grantor_ids") == ["LEAD"]:  # the lead grantor named as its own co-grantor
        data = {"co_grantor_ids": [world["hangzhou"].pk]}
    before = (list(Call.objects.values_list("pk", "status", "version")), License.objects.count())
    response = _client(world, "inside").post(
        url.replace("{call}", f"/api/v1/calls/{call.pk}/"), {**base, **data}, format="json"
    )
    assert response.status_code == 400, response.json()
    # (A list's item is named with its index: data_domains.0.)
    assert field in {name.split(".")[0] for name in response.json()["errors"]}, response.json()
    assert (list(Call.objects.values_list("pk", "status", "version")), License.objects.count()) == before


def test_list_filters(world):
    transport = _new_call(world, data_domains=["transport"])
    other = _new_call(world, title="Other", grantor=world["hunan"], co_grantors=[], data_domains=["health"])
    calls.cancel(other, actor=None, expected_version=other.version, reason="x")
    api = APIClient()

    def ids(**query):
        return [row["id"] for row in api.get("/api/v1/calls/", query).json()["results"]]

    assert ids(status="open") == [transport.pk]
    assert ids(status="cancelled") == [other.pk]
    assert ids(domain="health") == [other.pk]
    assert ids(grantor=world["ningbo"].pk) == [transport.pk]  # a co-grantor
    assert ids(grantor=world["hunan"].pk) == [other.pk]
    assert api.get("/api/v1/calls/", {"grantor": "x"}).status_code == 400
    assert api.get("/api/v1/calls/", {"colour": "red"}).status_code == 400


# Pages --------------------------------------------------------------------------------------------------


def test_call_page_and_list(client, world, django_capture_on_commit_callbacks):
    call = _new_call(world, source_urls="https://data.hangzhou.gov.cn/notice/1")
    licenses = _with_licenses(world, call)
    call.refresh_from_db()
    # Cached for anonymous visitors, and invalidated once the cancellation commits.
    assert "Too few bids." not in client.get(f"/calls/{call.pk}/").text
    assert "Cancelled" not in client.get(f"/licenses/{licenses[0].number}/").text
    with django_capture_on_commit_callbacks(execute=True):
        calls.cancel(
            call, actor=None, expected_version=call.version, reason="Too few bids.", occurred_on=CANCELLED
        )
    assert "Cancelled" in client.get(f"/licenses/{licenses[0].number}/").text
    page = client.get(f"/calls/{call.pk}/").text
    assert call.title in page and "Too few bids." in page and "宁波市大数据发展管理局" in page
    assert "30 June 2026" in page and "2 March 2026" in page
    for license, operator in zip(licenses, world["operators"], strict=True):
        assert license.number in page and operator.name in page
    assert "https://data.hangzhou.gov.cn/notice/1" in page
    listing = client.get("/calls/").text
    assert f'href="/calls/{call.pk}/"' in listing
    assert 'href="/calls/"' in client.get("/").text  # in the site's navigation
    license_page = client.get(f"/licenses/{licenses[0].number}/").text
    assert f'href="/calls/{call.pk}/"' in license_page
    assert client.get("/calls/999999/").status_code == 404
    zh = client.get(f"/calls/{call.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "遴选" in zh or "征集" in zh


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_are_constant_in_the_number_of_licenses(client, world):
    call = _new_call(world)
    _with_licenses(world, call)
    api = APIClient()
    first = [_count(client, f"/calls/{call.pk}/"), _count(client, "/calls/"), _count(api, "/api/v1/calls/")]
    more = _new_call(world, title="Second")
    for _ in range(4):
        more.refresh_from_db()
        calls.add_license(
            more, actor=None, expected_version=more.version, operator=factories.operator(), scope="x"
        )
    call.refresh_from_db()
    calls.add_license(
        call, actor=None, expected_version=call.version, operator=factories.operator(), scope="x"
    )
    from django.core.cache import cache

    cache.clear()
    again = [_count(client, f"/calls/{call.pk}/"), _count(client, "/calls/"), _count(api, "/api/v1/calls/")]
    # The call (with its lead grantor), its co-grantors, domains and licenses with their operators; the
    # list pages count their rows first.
    assert again == first == [4, 5, 5]


def test_the_demo_has_one_invented_call_with_three_operators(client):
    from licensing.demo import DEMO_CALL_TITLE, load_demo

    load_demo()
    call = Call.objects.get(title=DEMO_CALL_TITLE)
    assert (call.origin, call.status, call.operators_sought) == ("demo", "open", 2)
    assert [a.division_code for a in call.co_grantors.all()] == ["320000", "340000"]
    licenses = list(License.objects.filter(call=call).order_by("created_at", "id"))
    assert [license.status for license in licenses] == ["active", "withdrawn", "listed"]
    for license in licenses:
        assert license.origin == "demo"
        assert license.events.get(action="list").occurred_on == call.noticed_on < TODAY
        assert license.co_grantors.count() == 2
    # Every act on a past day, as the sources would give it.
    assert not LicenseEvent.objects.filter(license__in=licenses, occurred_on=TODAY).exists()
    page = client.get(f"/calls/{call.pk}/").text
    assert "Not a real call." in page
    # Loading again changes nothing.
    load_demo()
    assert Call.objects.count() == 1 and License.objects.filter(call=call).count() == 3


def test_admin_records_a_call_and_cancels_it(client, world):
    client.force_login(world["users"]["inside"])
    added = client.post(
        "/admin/licensing/call/add/",
        {
            "title": "Admin notice",
            "noticed_on": NOTICED.isoformat(),
            "grantor": world["hangzhou"].pk,
            "co_grantors": [world["hunan"].pk],
            "data_domains": ["transport"],
            "authorization_mode": "",
            "operators_sought": "2",
            "selection_method": "",
            "source_urls": "",
            "remarks": "",
            "origin": "recorded",
        },
    )
    assert added.status_code == 302, added.content
    call = Call.objects.get(title="Admin notice")
    assert [a.pk for a in call.co_grantors.all()] == [world["hunan"].pk]
    _with_licenses(world, call)
    call.refresh_from_db()
    page = client.get(f"/admin/licensing/call/{call.pk}/change/").text
    assert "/outcome/cancel/" in page and License.objects.filter(call=call).first().number in page
    # The co-grantor's jurisdiction sees the call but may not record its outcome; others see nothing.
    client.force_login(world["users"]["outside"])
    assert client.get(f"/admin/licensing/call/{call.pk}/change/").status_code == 200
    assert "/outcome/cancel/" not in client.get(f"/admin/licensing/call/{call.pk}/change/").text
    assert client.get(f"/admin/licensing/call/{call.pk}/outcome/cancel/").status_code == 403
    other = calls.create_call(actor=None, title="Elsewhere", noticed_on=NOTICED, grantor=world["ningbo"])
    assert client.get(f"/admin/licensing/call/{other.pk}/change/").status_code == 404
    # The lead's regulator cancels: a reason is required, then every listed license is withdrawn.
    client.force_login(world["users"]["inside"])
    url = f"/admin/licensing/call/{call.pk}/outcome/cancel/"
    refused = client.post(url, {"version": call.version, "reason": ""})
    assert refused.status_code == 200 and Call.objects.get(pk=call.pk).status == "open"
    done = client.post(url, {"version": call.version, "reason": "Annulled.", "occurred_on": "2026-05-01"})
    assert done.status_code == 302
    call.refresh_from_db()
    assert (call.status, call.cancelled_on) == ("cancelled", datetime.date(2026, 5, 1))
    assert set(License.objects.filter(call=call).values_list("status", flat=True)) == {"withdrawn"}


@pytest.mark.parametrize("value", ["0.5", "1e3", "-1", "99999999999999999999", "x"])
def test_id_filters_take_whole_ids_only(world, value):
    api = APIClient()
    for url, parameter in (("/api/v1/calls/", "grantor"), ("/api/v1/licenses/", "grantor_id")):
        response = api.get(url, {parameter: value})
        assert response.status_code == 400, (url, value)
        assert parameter in response.json()["errors"]
