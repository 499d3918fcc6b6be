"""The change feed's cursor, and the OpenAPI document."""

import threading

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from rest_framework.test import APIClient

from licensing import event_cursor, lifecycle
from licensing.models import Domain, LicenseEvent

from . import factories

pytestmark = pytest.mark.django_db


def _follow(client, limit=2):
    """Every event the feed gives, following next_cursor until it has no more."""
    seen, cursor = [], None
    for _ in range(100):
        params = {"limit": limit} | ({"since": cursor} if cursor else {})
        body = client.get("/api/v1/events/", params).json()
        seen += [event["id"] for event in body["results"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return seen, cursor
    raise AssertionError("the feed did not end")


def test_following_the_cursor_gives_every_public_event_once_in_order():
    licenses = [factories.license_in("active") for _ in range(3)]
    draft = factories.draft()
    seen, cursor = _follow(APIClient())
    public = list(LicenseEvent.objects.exclude(to_status="draft").order_by("id").values_list("id", flat=True))
    assert seen == public
    assert not set(draft.events.values_list("id", flat=True)) & set(seen)
    lifecycle.transition(licenses[0], "suspend", actor=None, reason="r", expected_version=licenses[0].version)
    more = APIClient().get("/api/v1/events/", {"since": cursor}).json()
    assert [event["action"] for event in more["results"]] == ["suspend"]


def test_auditors_follow_drafts_too():
    from django.contrib.auth.models import Group

    draft = factories.draft()
    auditor = factories.user()
    auditor.groups.add(Group.objects.get_or_create(name="Auditors")[0])
    client = APIClient()
    client.force_authenticate(auditor)
    seen, _cursor = _follow(client)
    assert draft.events.get().id in seen


def test_the_feed_selects_by_license_operator_grantor_division_domain_and_actions():
    hangzhou = factories.authority("330100", name="杭州")
    wuhan = factories.authority("420100", name="武汉")
    followed = factories.license_in("active", grantor=hangzhou)
    other = factories.license_in("active", grantor=wuhan)
    for license in (followed, other):
        lifecycle.transition(license, "suspend", actor=None, reason="r", expected_version=license.version)

    def licenses_of(params):
        body = APIClient().get("/api/v1/events/", {"limit": 500, **params}).json()
        return {(event["license"], event["action"]) for event in body["results"]}

    everything = licenses_of({})
    assert {number for number, _action in everything} == {followed.number, other.number}
    for params in (
        {"license_number": followed.number},
        {"operator": followed.operator.uscc.lower()},  # any form, as the license list takes it
        {"grantor": "330100"},
        {"division": "33"},
    ):
        assert {number for number, _action in licenses_of(params)} == {followed.number}, params
    assert licenses_of({"actions": "suspend"}) == {(followed.number, "suspend"), (other.number, "suspend")}
    assert licenses_of({"actions": "suspend", "division": "42"}) == {(other.number, "suspend")}
    domain = followed.data_domains.get().pk
    other.data_domains.set(Domain.objects.exclude(pk=domain)[:1])
    assert {number for number, _action in licenses_of({"domain": domain})} == {followed.number}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "garbage!"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"x": "1"}, "x"),
        ({"actions": "suspend,nope"}, "actions"),
        ({"operator": "9" * 20}, "operator"),
        ({"grantor": "33"}, "grantor"),
        ({"division": "3x"}, "division"),
        ({"domain": "weather"}, "domain"),
    ],
)
def test_bad_feed_parameters(params, field):
    response = APIClient().get("/api/v1/events/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_committing_late_is_not_skipped():
    first, second = factories.license_in("active"), factories.license_in("active")
    _seen, cursor = _follow(APIClient())
    written, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                lifecycle.transition(
                    first, "suspend", actor=None, reason="slow", expected_version=first.version
                )
                written.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(timeout=30)
    # A later transaction commits first; a reader comes by while the first is still open.
    lifecycle.transition(second, "suspend", actor=None, reason="fast", expected_version=second.version)
    during = APIClient().get("/api/v1/events/", {"since": cursor}).json()
    release.set()
    thread.join(timeout=30)
    after = APIClient().get("/api/v1/events/", {"since": during["next_cursor"]}).json()
    reasons = [event["reason"] for event in during["results"] + after["results"]]
    assert sorted(reasons) == ["fast", "slow"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_in_another_database_does_not_hold_the_feed_back():
    import psycopg

    license = factories.license_in("active")
    _seen, cursor = _follow(APIClient())
    settings = connections["default"].settings_dict
    elsewhere = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname="postgres"
    )
    try:
        # Open, with a transaction id, before the event is written; still open when the feed is read.
        elsewhere.execute("SELECT pg_current_xact_id()")
        lifecycle.transition(license, "suspend", actor=None, reason="now", expected_version=license.version)
        body = APIClient().get("/api/v1/events/", {"since": cursor}).json()
    finally:
        elsewhere.rollback()
        elsewhere.close()
    assert [event["reason"] for event in body["results"]] == ["now"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_that_begins_while_a_reader_pages_holds_the_horizon_back():
    import psycopg

    settings = connections["default"].settings_dict
    writer = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname=settings["NAME"]
    )
    try:
        with transaction.atomic():  # one reader's transaction, reading twice (as a request paging might)
            event_cursor._horizon()
            writer_id = writer.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()[0]
            horizon, _own = event_cursor._horizon()
    finally:
        writer.rollback()
        writer.close()
    assert horizon <= writer_id


@pytest.mark.parametrize(
    ("xid", "next_id", "full"),
    [(100, 2**32 + 500, 2**32 + 100), (2**32 - 10, 2**32 + 5, 2**32 - 10), (7, 9, 7)],
)
def test_a_running_transaction_id_is_read_in_the_epoch_it_belongs_to(xid, next_id, full):
    assert event_cursor._widened(xid, next_id) == full


def test_cursor_round_trip():
    cursor = event_cursor.Cursor(123456789, 42)
    assert event_cursor.Cursor.decode(cursor.encode()) == cursor


def test_the_openapi_document_is_valid_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in (
        "/api/v1/licenses/",
        "/api/v1/licenses/{number}/transitions/",
        "/api/v1/verify/",
        "/api/v1/events/",
        "/api/v1/webhooks/{id}/deliveries/",
        "/api/v1/webhooks/{id}/test/",
    ):
        assert path in text
    for parameter in ("expires_before", "division", "operator_id", "page_size"):
        assert f"name: {parameter}" in text


def test_docs_page_loads_its_files_locally():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html and "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
