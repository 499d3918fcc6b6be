"""Email alerts through a real Celery worker, on the real Redis and PostgreSQL: the confirmation and the
digest are sent by the worker, two sweeps at once build one digest, and a worker stopped mid-delivery
leaves a digest a later sweep sends once. Waits are on the worker's task signals
(tests/test_reminders_worker)."""

import re
import threading
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from licensing import alerts, lifecycle, outbox
from licensing.dates import local_today
from licensing.models import AlertDigest, AlertItem, AlertSubscription
from licensing.tasks import sweep

from . import factories
from .outbox_support import D, celery_conf
from .test_reminders_worker import worker  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
READER = "reader@example.org"


def to_reader(mailoutbox):
    return [email for email in mailoutbox if email.to == [READER]]


def path_of(email, kind):
    return urlsplit(re.search(rf"https?://\S+/alerts/{kind}/\S+/", email.body).group(0)).path


def subscribe(worker, mailoutbox, license, *, confirm=True):  # noqa: F811
    """Ask for alerts on the license's page form; the worker sends the confirmation; follow it."""
    client = Client()
    data = {"email": READER, "language": "en", "target": "license", "key": license.pk}
    assert client.post("/alerts/", data).status_code == 200
    worker.wait_for("licensing.deliver", "sent")
    (confirmation,) = to_reader(mailoutbox)
    if confirm:
        assert client.post(path_of(confirmation, "confirm")).status_code == 200
    return confirmation


def change_three_times(license):
    for action, reason in (("suspend", "Security review."), ("reinstate", "Passed."), ("suspend", "Again.")):
        license = lifecycle.transition(
            license, action, actor=None, reason=reason, expected_version=license.version
        )
    return license


def test_the_worker_sends_the_confirmation_then_one_digest_of_three_changes(worker, mailoutbox):  # noqa: F811
    license = factories.license_in("active")
    with celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL):
        subscribe(worker, mailoutbox, license)
        change_three_times(license)
        sweep.delay()
        worker.wait_for("licensing.sweep")
        worker.wait_for("licensing.deliver", "sent", count=2)
        # A second sweep the same day builds nothing more.
        sweep.delay()
        worker.wait_for("licensing.sweep", count=2)
    _confirmation, digest = to_reader(mailoutbox)
    assert digest.subject == f"3 changes in the license registry: {license.number} “{license.title}”"
    assert re.search(r"Suspended.*Reinstated.*Suspended", digest.body, re.S)
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert AlertDigest.objects.get().state == "sent"


def test_an_unconfirmed_address_gets_the_confirmation_only(worker, mailoutbox):  # noqa: F811
    license = factories.license_in("active")
    with celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL):
        subscribe(worker, mailoutbox, license, confirm=False)
        change_three_times(license)
        sweep.delay()
        worker.wait_for("licensing.sweep")
    assert len(to_reader(mailoutbox)) == 1
    assert not AlertDigest.objects.exists()


def test_one_click_unsubscribe_from_the_header_stops_the_digests(worker, mailoutbox):  # noqa: F811
    license = factories.license_in("active")
    with celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL):
        confirmation = subscribe(worker, mailoutbox, license)
        url = re.fullmatch(r"<(\S+)>", confirmation.extra_headers["List-Unsubscribe"]).group(1)
        response = Client(enforce_csrf_checks=True).post(
            urlsplit(url).path, {"List-Unsubscribe": "One-Click"}
        )
        assert response.status_code == 200
        change_three_times(license)
        sweep.delay()
        worker.wait_for("licensing.sweep")
    assert len(to_reader(mailoutbox)) == 1
    assert AlertSubscription.objects.get().unsubscribed_at is not None
    assert not AlertDigest.objects.exists()


def test_two_sweeps_at_once_build_one_digest_and_tell_each_change_once(db):
    license = factories.license_in("active")
    subscription = AlertSubscription.objects.create(
        email=READER, language="en", target="license", target_id=license.pk, confirmed_at=timezone.now()
    )
    change_three_times(license)
    start, built = threading.Barrier(2), []

    def build():
        try:
            start.wait()
            built.append(alerts.create_due_digests(local_today(), timezone.now()))
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(built) == [0, 1]
    assert AlertDigest.objects.filter(subscription=subscription).count() == 1
    assert AlertItem.objects.filter(subscription=subscription).count() == 3


def test_a_worker_stopped_mid_delivery_leaves_a_digest_a_later_sweep_sends(worker, mailoutbox):  # noqa: F811
    license = factories.license_in("active")
    AlertSubscription.objects.create(
        email=READER, language="en", target="license", target_id=license.pk, confirmed_at=timezone.now()
    )
    change_three_times(license)
    # A quarter of an hour ago a sweep built the digest and a worker claimed it, then stopped.
    earlier = timezone.now() - D(minutes=settings.LICENSING_SEND_LEASE_MINUTES + 5)
    with time_machine.travel(earlier, tick=False):
        assert alerts.create_due_digests(local_today(), earlier) == 1
        digest = AlertDigest.objects.get()
        assert outbox.claim("alert_digest", digest.pk) is not None

    with celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL):
        sweep.delay()
        worker.wait_for("licensing.sweep")
        worker.wait_for("licensing.deliver", "sent")
    digest.refresh_from_db()
    assert (digest.state, digest.attempts) == ("sent", 2)
    (email,) = to_reader(mailoutbox)
    assert email.subject.startswith("3 changes")
    assert AlertDigest.objects.count() == 1
