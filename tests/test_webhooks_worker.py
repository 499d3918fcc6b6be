"""Webhook deliveries through real Celery workers, on the real Redis and PostgreSQL, to a local HTTP receiver:
a transition reaches the webhook once, signed; a receiver answering 500 gets it again with the same
Idempotency-Key; and a worker process killed mid-delivery loses nothing (its claim lapses, another worker
delivers it again, same key).

The workers: one a thread of this process (outbox_support.live_worker), one a `celery worker` process of
its own for the test that kills it. Time moves by time-machine (which the thread worker shares), never by
sleeping.
"""

import os
import signal
import subprocess
import sys
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from licensing import lifecycle, notifications, webhooks
from licensing.models import WebhookDelivery
from licensing.tasks import deliver, dispatch_webhooks

from . import factories
from .outbox_support import DEADLINE, D, celery_conf, live_worker
from .webhook_support import Receiver

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    with Receiver().running() as running:
        yield running


@pytest.fixture
def subscribed(receiver):
    """An active license of Hangzhou, its regulator subscribed to its events: (license, webhook's secret)."""
    authority = factories.authority("330100")
    license = factories.license_in("active", grantor=authority)
    owner = factories.regulator("inside", authority)
    _webhook, secret = webhooks.subscribe(owner, receiver.url)
    return license, secret


def suspend(license):
    # The operator's email is not what these tests are about: only webhook deliveries are queued.
    with notifications.suppressed():
        return lifecycle.transition(
            license, "suspend", actor=None, reason="Security review.", expected_version=license.version
        )


def test_a_transition_reaches_the_webhook_once_with_a_valid_signature(subscribed, receiver):
    license, secret = subscribed
    with live_worker() as worker:
        suspend(license)
        # Its send task published a second time (a sweep offering it meanwhile): still delivered once.
        deliver.delay(webhooks.KIND, WebhookDelivery.objects.get().pk)
        worker.wait_for("licensing.deliver", "sent")
        worker.wait_for("licensing.deliver", "skipped")
    (received,) = receiver.received
    assert received.signature_valid(secret)
    delivery = WebhookDelivery.objects.get()
    assert received.headers["Idempotency-Key"] == str(delivery.key)
    assert (delivery.state, delivery.attempts, delivery.response_code) == ("sent", 1, 200)


def test_a_receiver_answering_500_then_200_gets_it_on_retry_with_the_same_key(subscribed, receiver):
    license, secret = subscribed
    receiver.answers = [500]
    with live_worker() as worker:
        suspend(license)
        worker.wait_for("licensing.deliver", "failed")
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.response_code) == ("pending", 500)
        with time_machine.travel(delivery.next_attempt_at + D(seconds=1)):
            dispatch_webhooks.delay()
            worker.wait_for("licensing.deliver", "sent")
    first, second = receiver.received
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == str(delivery.key)
    assert second.signature_valid(secret)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_code) == ("sent", 2, 200)


def _worker_process() -> subprocess.Popen:
    """`celery worker` in a process of its own, on this test's database and broker."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "registry.test_settings",
        "DATABASE_URL": f"postgres://{quote(database['USER'] or '')}:{quote(database['PASSWORD'] or '')}@"
        f"{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true",
        "EMAIL_HOST": "",
    }
    command = [sys.executable, "-m", "celery", "-A", "registry", "worker", "--pool", "solo"]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel", "error"]
    return subprocess.Popen(
        command, env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_a_worker_killed_mid_delivery_loses_nothing(subscribed, receiver):
    license, secret = subscribed
    receiver.holding.set()  # the receiver keeps the first request unanswered
    with celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL) as app:
        app.control.purge()
        process = _worker_process()
        try:
            suspend(license)
            receiver.wait_for(1)
            # Mid-delivery: the request is sent, no answer yet. The worker dies without a word.
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.kill()
            process.wait(timeout=DEADLINE)
    receiver.release()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.sent_at) == ("pending", 1, None)
    assert delivery.claimed_at is not None
    with live_worker() as worker:
        # Within the lease nobody takes it over; once it has lapsed, the dispatcher offers it again.
        dispatch_webhooks.delay()
        worker.wait_for("licensing.dispatch_webhooks", 0)
        lapsed = delivery.claimed_at + D(minutes=settings.LICENSING_SEND_LEASE_MINUTES, seconds=1)
        with time_machine.travel(lapsed):
            dispatch_webhooks.delay()
            worker.wait_for("licensing.deliver", "sent")
    first, second = receiver.received
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == str(delivery.key)
    assert first.body == second.body and second.signature_valid(secret)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    assert delivery.sent_at > delivery.created_at
    assert timezone.now() - delivery.created_at < D(seconds=DEADLINE)
