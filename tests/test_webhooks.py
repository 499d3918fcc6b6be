"""Webhooks, as their owner meets them through the API (and regulators in the admin): subscribing (no
request forgery), what a delivery carries (the events API's representation, signed), retries with backoff
until they give up after a day, and a webhook paused, its owner emailed, after three days of failures.
Deliveries run in-process (tasks eager) to a local receiver."""

import datetime
import json

import pytest
from rest_framework.test import APIClient

from licensing import lifecycle, tasks
from licensing.models import WebhookDelivery

from . import factories
from .clock import NOW
from .outbox_support import running_tasks, sweep_at
from .webhook_support import Receiver

pytestmark = [pytest.mark.django_db]
D = datetime.timedelta


@pytest.fixture
def world(world):
    license = factories.license_in("active", grantor=world["hangzhou"])
    return {**world, "license": license}


def client_of(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=factories.api_token_header(user))
    return client


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    with Receiver().running() as running:
        yield running


def subscribe(user, url, **filters) -> dict:
    response = client_of(user).post("/api/v1/webhooks/", {"url": url, **filters}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def suspend(license):
    with running_tasks():
        return lifecycle.transition(
            license, "suspend", actor=None, reason="Security review.", expected_version=license.version
        )


def dispatch():
    with running_tasks():
        return tasks.dispatch_webhooks()


# Subscribing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://192.168.1.20/hook",
        "ftp://93.184.216.34/hook",
        "file:///etc/passwd",
        "gopher://93.184.216.34/",
        "not a url",
    ],
)
def test_a_url_that_is_not_public_http_is_a_400_naming_the_url(world, url):
    response = client_of(world["users"]["inside"]).post("/api/v1/webhooks/", {"url": url}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["url"]


def test_a_public_url_is_subscribed_and_its_secret_shown_once(world):
    user = world["users"]["inside"]
    made = subscribe(user, "https://93.184.216.34/hook", division="3301", actions=["suspend"])
    assert made["secret"].startswith("whsec_") and made["state"] == "active"
    assert (made["division"], made["actions"]) == ("3301", ["suspend"])
    listed = client_of(user).get("/api/v1/webhooks/").json()
    assert [row["id"] for row in listed] == [made["id"]]
    assert (
        "secret" not in listed[0]
        and "secret" not in client_of(user).get(f"/api/v1/webhooks/{made['id']}/").json()
    )


def test_private_addresses_are_accepted_when_the_setting_allows_them(world, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    subscribe(world["users"]["inside"], "http://127.0.0.1:9/hook")
    bad = client_of(world["users"]["inside"]).post(
        "/api/v1/webhooks/", {"url": "ftp://127.0.0.1/"}, format="json"
    )
    assert list(bad.json()["errors"]) == ["url"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("division", "33x"),
        ("grantor", "33"),
        ("actions", ["nope"]),
        ("domain", "weather"),
        ("color", "red"),
        ("operator", "9" * 20),
        ("operator", "91330100MA27XL0000"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(world, field, value):
    response = client_of(world["users"]["inside"]).post(
        "/api/v1/webhooks/", {"url": "https://93.184.216.34/", field: value}, format="json"
    )
    assert response.status_code == 400
    assert [name.split(".")[0] for name in response.json()["errors"]] == [field]


def test_anonymous_gets_401_and_another_users_webhook_is_a_404(world):
    made = subscribe(world["users"]["inside"], "https://93.184.216.34/hook")
    anonymous = client_of(None)
    assert anonymous.get("/api/v1/webhooks/").status_code == 401
    assert (
        anonymous.post("/api/v1/webhooks/", {"url": "https://93.184.216.34/"}, format="json").status_code
        == 401
    )
    other = client_of(world["users"]["outside"])
    base = f"/api/v1/webhooks/{made['id']}/"
    assert other.get(base).status_code == 404
    assert other.get(f"{base}deliveries/").status_code == 404
    assert other.post(f"{base}test/").status_code == 404
    assert other.patch(base, {"state": "paused"}, format="json").status_code == 404
    assert other.delete(base).status_code == 404
    assert other.get("/api/v1/webhooks/").json() == []


# Delivering ----------------------------------------------------------------------------------------


def test_a_transition_reaches_the_webhook_once_signed_as_the_events_api_shows_it(world, receiver):
    user = world["users"]["inside"]
    made = subscribe(user, receiver.url)
    license = suspend(world["license"])
    (received,) = receiver.wait_for(1)
    assert received.signature_valid(made["secret"])
    assert not received.signature_valid("whsec_other")
    feed = client_of(user).get("/api/v1/events/?limit=500").json()["results"]
    (shown,) = [event for event in feed if event["action"] == "suspend"]
    assert json.loads(received.body) == shown
    assert shown["license"] == license.number
    delivery = WebhookDelivery.objects.get()
    assert received.headers["Idempotency-Key"] == str(delivery.key)
    assert received.headers["X-Registry-Event"] == str(shown["id"])
    log = client_of(user).get(f"/api/v1/webhooks/{made['id']}/deliveries/").json()["results"]
    assert [(row["state"], row["response_code"], row["attempts"]) for row in log] == [("sent", 200, 1)]
    assert log[0]["latency_ms"] is not None and log[0]["key"] == str(delivery.key)


def test_filters_and_visibility_decide_what_a_webhook_receives(world, receiver):
    inside, outside = world["users"]["inside"], world["users"]["outside"]
    subscribe(inside, receiver.url, actions=["revoke"])
    subscribe(inside, receiver.url, division="43")
    subscribe(inside, receiver.url, operator=world["license"].operator.uscc.lower(), actions=["suspend"])
    subscribe(outside, receiver.url, license_number=world["license"].number)
    public = factories.user("client")
    subscribe(public, receiver.url)
    draft = factories.draft(grantor=world["hangzhou"])
    with running_tasks():
        lifecycle.edit(draft, {"title": "Renamed"}, actor=None, expected_version=draft.version)
    suspend(world["license"])
    # The operator's webhook and the Hunan regulator's (public events of a license it names), and the
    # public client's (not the draft's edit): three deliveries of the suspension, nothing else.
    assert sorted(WebhookDelivery.objects.values_list("webhook__owner__username", "event__action")) == [
        ("client", "suspend"),
        ("inside", "suspend"),
        ("outside", "suspend"),
    ]
    assert len(receiver.wait_for(3)) == 3


def test_a_receiver_answering_500_gets_it_again_later_with_the_same_key(world, receiver, frozen_clock):
    made = subscribe(world["users"]["inside"], receiver.url)
    receiver.answers = [500]
    receiver.answer_body = b"x" * 5000
    suspend(world["license"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.response_code, delivery.attempts) == ("pending", 500, 1)
    assert len(delivery.response_body) == 1024
    assert delivery.next_attempt_at == NOW + D(seconds=30)
    assert dispatch() == 0  # not due yet
    frozen_clock.shift(D(seconds=30))
    assert dispatch() == 1
    first, second = receiver.wait_for(2)
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == str(delivery.key)
    assert second.signature_valid(made["secret"]) and first.body == second.body
    delivery.refresh_from_db()
    assert (delivery.state, delivery.response_code, delivery.attempts) == ("sent", 200, 2)


def test_retries_back_off_and_give_up_after_24_hours(world, receiver, frozen_clock):
    subscribe(world["users"]["inside"], receiver.url)
    receiver.answers = [503] * 100
    suspend(world["license"])
    delivery = WebhookDelivery.objects.get()
    delays = []
    while delivery.state == "pending":
        delays.append(delivery.next_attempt_at - NOW - sum(delays, D()))
        frozen_clock.move_to(delivery.next_attempt_at)
        dispatch()
        delivery.refresh_from_db()
    assert delays[:4] == [D(seconds=30), D(minutes=1), D(minutes=2), D(minutes=4)]
    assert max(delays) == D(hours=1)
    assert delivery.state == "failed" and "503" in delivery.last_error
    # The last try was at the day's end, not after it.
    assert delivery.claimed_at == delivery.created_at + D(hours=24)
    assert len(receiver.received) == delivery.attempts


def owners_mail(mailoutbox):
    return [email for email in mailoutbox if email.to == ["inside@example.test"]]


def test_a_webhook_failing_for_3_days_is_paused_and_its_owner_emailed(
    world, receiver, frozen_clock, mailoutbox
):
    # A regulator's account has no email of its own: their profile's contact address is used.
    user = world["users"]["inside"]
    assert user.email == "" and user.regulator.contact_email == "inside@example.test"
    made = subscribe(user, receiver.url)
    receiver.answers = [500] * 1000
    license = suspend(world["license"])
    frozen_clock.shift(D(days=2))
    with running_tasks():
        license = lifecycle.transition(
            license, "reinstate", actor=None, reason="Review done.", expected_version=license.version
        )
    assert client_of(user).get(f"/api/v1/webhooks/{made['id']}/").json()["state"] == "active"
    assert owners_mail(mailoutbox) == []
    frozen_clock.shift(D(days=1, seconds=1))
    suspend(license)
    shown = client_of(user).get(f"/api/v1/webhooks/{made['id']}/").json()
    assert shown["state"] == "paused" and shown["paused_at"] is not None
    (email,) = owners_mail(mailoutbox)
    assert email.to == ["inside@example.test"] and receiver.url in email.body
    assert email.subject == "Your webhook has been paused / 您的 webhook 已暂停"
    assert "failed for 3 days" in email.body and "The receiver answered 500." in email.body
    # Paused: no more deliveries, not even of the pending retries.
    count = len(receiver.received)
    frozen_clock.shift(D(hours=2))
    dispatch()
    suspend_count = WebhookDelivery.objects.count()
    assert len(receiver.received) == count
    # Resumed: the failures are forgotten and new events are delivered.
    receiver.answers = []
    resumed = client_of(user).patch(f"/api/v1/webhooks/{made['id']}/", {"state": "active"}, format="json")
    assert resumed.json()["state"] == "active" and resumed.json()["failing_since"] is None
    license.refresh_from_db()
    with running_tasks():
        lifecycle.transition(
            license, "reinstate", actor=None, reason="Done.", expected_version=license.version
        )
    assert WebhookDelivery.objects.count() == suspend_count + 1
    assert receiver.wait_for(count + 1)[-1].headers["X-Registry-Event"] != "test"


def test_send_test_event_through_the_api(world, receiver):
    user = world["users"]["inside"]
    made = subscribe(user, receiver.url)
    with running_tasks():
        response = client_of(user).post(f"/api/v1/webhooks/{made['id']}/test/")
    assert response.status_code == 202
    (received,) = receiver.wait_for(1)
    assert received.headers["X-Registry-Event"] == "test"
    assert json.loads(received.body)["test"] is True and received.signature_valid(made["secret"])
    log = client_of(user).get(f"/api/v1/webhooks/{made['id']}/deliveries/").json()["results"]
    assert [(row["event"], row["state"], row["response_code"]) for row in log] == [(None, "sent", 200)]


def test_deleting_a_webhook_stops_its_deliveries(world, receiver):
    user = world["users"]["inside"]
    made = subscribe(user, receiver.url)
    assert client_of(user).delete(f"/api/v1/webhooks/{made['id']}/").status_code == 204
    suspend(world["license"])
    assert WebhookDelivery.objects.count() == 0 and receiver.received == []


# The admin -----------------------------------------------------------------------------------------


def test_the_admin_shows_a_webhooks_delivery_log_and_sends_a_test_event(world, receiver, client):
    user = world["users"]["inside"]
    made = subscribe(user, receiver.url)
    subscribe(world["users"]["outside"], receiver.url, actions=["revoke"])
    receiver.answers = [500]
    suspend(world["license"])
    client.force_login(user)
    listing = client.get("/admin/licensing/webhook/")
    assert listing.status_code == 200 and listing.context["cl"].result_count == 1
    page = client.get(f"/admin/licensing/webhook/{made['id']}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "The receiver answered 500." in html and made["secret"] not in html
    with running_tasks():
        response = client.post(
            "/admin/licensing/webhook/",
            {"action": "send_test_event", "_selected_action": [made["id"]]},
            follow=True,
        )
    assert "A test event is on its way to 1 webhook" in response.content.decode()
    assert receiver.wait_for(2)[-1].headers["X-Registry-Event"] == "test"
    # A delivery that gave up is sent again, with its key, from the admin.
    failed = WebhookDelivery.objects.get(webhook_id=made["id"], event__isnull=False)
    WebhookDelivery.objects.filter(pk=failed.pk).update(state="failed")
    with running_tasks():
        response = client.post(
            "/admin/licensing/webhook/",
            {"action": "retry_failed", "_selected_action": [made["id"]]},
            follow=True,
        )
    assert "1 failed delivery will be sent again." in response.content.decode()
    assert receiver.wait_for(3)[-1].headers["Idempotency-Key"] == str(failed.key)
    failed.refresh_from_db()
    assert failed.state == "sent"
    assert client.get(f"/admin/licensing/webhook/{made['id'] + 1}/change/").status_code == 404


def test_the_sweeps_expiries_reach_the_webhook_too(world, receiver, frozen_clock):
    others = [factories.license_in("active", grantor=world["hangzhou"]) for _ in range(2)]
    licenses = [world["license"], *others]
    made = subscribe(world["users"]["inside"], receiver.url, actions=["expire"])
    sweep_at(max(license.term_end for license in licenses) + D(days=2))
    numbers = sorted(json.loads(received.body)["license"] for received in receiver.wait_for(3))
    assert numbers == sorted(license.number for license in licenses)
    assert all(received.signature_valid(made["secret"]) for received in receiver.received)


def test_the_address_is_checked_again_before_each_attempt_and_the_request_goes_to_it(
    world, receiver, settings
):
    user = world["users"]["inside"]
    port = receiver.server.server_address[1]
    made = subscribe(user, f"http://localhost:{port}/hook")
    license = suspend(world["license"])
    (received,) = receiver.wait_for(1)
    assert received.headers["Host"] == f"localhost:{port}" and received.signature_valid(made["secret"])
    # The rule tightened since subscribing (as a name that now resolves elsewhere would be): refused.
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with running_tasks():
        lifecycle.transition(
            license, "reinstate", actor=None, reason="Done.", expected_version=license.version
        )
    refused = WebhookDelivery.objects.get(event__action="reinstate")
    assert refused.state == "pending" and "private, loopback or link-local" in refused.last_error
    assert len(receiver.received) == 1


def test_a_webhook_made_paused_receives_nothing_until_resumed(world, receiver):
    user = world["users"]["inside"]
    made = subscribe(user, receiver.url, state="paused")
    assert made["state"] == "paused" and made["paused_at"] is not None
    license = suspend(world["license"])
    assert WebhookDelivery.objects.count() == 0
    client_of(user).patch(f"/api/v1/webhooks/{made['id']}/", {"state": "active"}, format="json")
    with running_tasks():
        lifecycle.transition(
            license, "reinstate", actor=None, reason="Done.", expected_version=license.version
        )
    (received,) = receiver.wait_for(1)
    assert json.loads(received.body)["action"] == "reinstate"


def test_one_user_has_at_most_webhooks_per_user(world, settings):
    settings.WEBHOOKS_PER_USER = 2
    user = world["users"]["inside"]
    for _ in range(2):
        subscribe(user, "https://93.184.216.34/hook")
    response = client_of(user).post("/api/v1/webhooks/", {"url": "https://93.184.216.34/"}, format="json")
    assert response.status_code == 400
    assert "as many as one user may have" in response.json()["errors"]["non_field_errors"][0]
    subscribe(world["users"]["outside"], "https://93.184.216.34/hook")


def test_a_receiver_answering_a_byte_at_a_time_is_cut_off_at_the_timeout(world, receiver, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    receiver.trickle = 0.2  # each byte well within the timeout, the whole answer (~9 s) far beyond it
    subscribe(world["users"]["inside"], receiver.url)
    suspend(world["license"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.response_code, delivery.attempts) == ("pending", None, 1)
    assert 1000 <= delivery.latency_ms < 3000
