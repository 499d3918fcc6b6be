"""Request ids: on every response, kept from a trusted proxy when plain, on events and in log lines."""

import logging
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from licensing import lifecycle
from licensing.choices import LicenseStatus
from licensing.models import LicenseEvent
from registry.middleware import RequestIdLogFilter, RequestIdMiddleware, current_request_id
from tests.factories import license_in

HEX32 = re.compile(r"[0-9a-f]{32}")
HEADER = "X-Request-ID"


@pytest.fixture(autouse=True)
def _behind_a_trusted_proxy(settings):
    """Most tests here run as behind a proxy that sets X-Request-ID; the one below runs without."""
    settings.TRUST_REQUEST_ID_HEADER = True


@pytest.mark.django_db
def test_incoming_id_is_ignored_unless_a_trusted_proxy_sets_it(client, settings):
    settings.TRUST_REQUEST_ID_HEADER = False
    response = client.get("/admin/login/", headers={"x-request-id": "forged-id"})
    assert response["X-Request-ID"] != "forged-id"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def _log_record() -> logging.LogRecord:
    return logging.LogRecord("registry.test", logging.INFO, __file__, 1, "hello", None, None)


@pytest.mark.django_db
def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/admin/login/")
    second = client.get("/admin/login/")
    assert first.status_code == 200
    assert HEX32.fullmatch(first[HEADER]), first[HEADER]
    assert HEX32.fullmatch(second[HEADER]), second[HEADER]
    assert first[HEADER] != second[HEADER]


@pytest.mark.django_db
def test_redirects_carry_a_request_id_too(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert HEX32.fullmatch(response[HEADER])


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["abc-123", "A.b_c-9", "x" * 64])
def test_acceptable_incoming_id_is_echoed(client, incoming):
    response = client.get("/admin/login/", headers={HEADER: incoming})
    assert response[HEADER] == incoming


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    [
        "abc 123",
        "abc\nFAKE log line",
        "x" * 65,
        "abc/123",
        "<script>",
        "",
    ],
)
def test_unacceptable_incoming_id_is_replaced(client, incoming):
    response = client.get("/admin/login/", headers={HEADER: incoming})
    assert response.status_code == 200
    assert response[HEADER] != incoming
    assert HEX32.fullmatch(response[HEADER]), response[HEADER]


def test_incoming_id_with_a_trailing_newline_is_replaced():
    view = RequestIdMiddleware(lambda request: HttpResponse("ok"))
    response = view(RequestFactory().get("/", headers={HEADER: "abc\n"}))
    assert HEX32.fullmatch(response[HEADER])


def test_id_is_on_the_request_and_gone_after_it():
    seen = {}

    def view(request):
        seen["attribute"] = request.request_id
        seen["current"] = current_request_id()
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/"))
    assert seen["attribute"] == seen["current"] == response[HEADER]
    assert HEX32.fullmatch(response[HEADER])
    assert current_request_id() == ""


def test_id_is_reset_when_the_view_raises():
    def view(request):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        RequestIdMiddleware(view)(RequestFactory().get("/", headers={HEADER: "failing-1"}))
    assert current_request_id() == ""


@pytest.mark.django_db
def test_event_written_during_a_request_carries_its_id():
    license = license_in("draft")

    def view(request):
        lifecycle.transition(license, "list", actor=None, expected_version=license.version)
        return HttpResponse("listed")

    response = RequestIdMiddleware(view)(RequestFactory().post("/"))
    event = LicenseEvent.objects.filter(license=license).latest("pk")
    assert event.to_status == LicenseStatus.LISTED
    assert HEX32.fullmatch(response[HEADER])
    assert event.request_id == response[HEADER]


@pytest.mark.django_db
def test_event_keeps_the_proxy_id():
    license = license_in("draft")

    def view(request):
        lifecycle.transition(license, "list", actor=None, expected_version=license.version)
        return HttpResponse("listed")

    RequestIdMiddleware(view)(RequestFactory().post("/", headers={HEADER: "edge-7f3a"}))
    event = LicenseEvent.objects.filter(license=license).latest("pk")
    assert event.request_id == "edge-7f3a"


@pytest.mark.django_db
def test_events_outside_a_request_have_no_id():
    assert current_request_id() == ""
    license = license_in("draft")
    lifecycle.transition(license, "list", actor=None, expected_version=license.version)
    events = LicenseEvent.objects.filter(license=license)
    assert [event.action for event in events.order_by("pk")] == ["create", "list"]
    assert {event.request_id for event in events} == {""}


def test_log_filter_inside_a_request():
    captured = {}

    def view(request):
        record = _log_record()
        assert RequestIdLogFilter().filter(record) is True
        captured["request_id"] = record.request_id
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/", headers={HEADER: "log-42"}))
    assert captured["request_id"] == "log-42" == response[HEADER]


def test_log_filter_outside_a_request():
    record = _log_record()
    assert RequestIdLogFilter().filter(record) is True
    assert record.request_id == "-"


def test_log_line_shows_the_request_id(settings):
    """The configured format prints the id the filter sets."""
    formatter = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    lines = {}

    def view(request):
        record = _log_record()
        RequestIdLogFilter().filter(record)
        lines["inside"] = formatter.format(record)
        return HttpResponse("ok")

    RequestIdMiddleware(view)(RequestFactory().get("/", headers={HEADER: "line-1"}))
    outside = _log_record()
    RequestIdLogFilter().filter(outside)
    assert "[line-1] registry.test: hello" in lines["inside"]
    assert "[-] registry.test: hello" in formatter.format(outside)
