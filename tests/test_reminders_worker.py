"""The sweep and the sends through a real Celery worker, on the real Redis and PostgreSQL.

The worker runs in a thread of this process (celery.contrib.testing), consuming from the Redis database of
REDIS_URL; the test database commits (transactional), so the worker's own connections see the rows. Waits
are on the worker's task signals, with a deadline, never on a clock.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from licensing import lifecycle, outbox, reminders
from licensing.dates import local_today
from licensing.models import ExpiryReminder, LifecycleNotification
from licensing.tasks import sweep

from .outbox_support import DEADLINE, D, active_license, celery_conf, live_worker

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker():
    with live_worker() as log:
        yield log


def test_sweep_runs_through_the_broker_and_the_emails_arrive(worker, mailoutbox):
    today = local_today()
    with celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL):
        license = active_license(today, today + D(days=6), notify=True)
        sweep.delay()
        worker.wait_for("licensing.sweep")
        worker.wait_for("licensing.deliver", "sent", count=2)  # the grant and the 7-day reminder
        lifecycle.transition(
            license, "suspend", actor=None, reason="Security review.", expected_version=license.version
        )
        worker.wait_for("licensing.deliver", "sent", count=3)
    subjects = sorted(email.subject.split(" / ")[0] for email in mailoutbox)
    assert subjects == [
        f"License {license.number} expires in 6 days",
        f"License {license.number}: granted",
        f"License {license.number}: suspended",
    ]
    assert ExpiryReminder.objects.get().state == "sent"
    assert set(LifecycleNotification.objects.values_list("state", flat=True)) == {"sent"}


def test_a_worker_stopped_between_claim_and_send_leaves_a_reminder_a_later_sweep_sends(worker, mailoutbox):
    today = local_today()
    license = active_license(today, today + D(days=6), contacts="ops@operator.example", notify=True)
    # A quarter of an hour ago a sweep recorded the reminder and a worker claimed it, then stopped.
    earlier = timezone.now() - D(minutes=settings.LICENSING_SEND_LEASE_MINUTES + 5)
    with time_machine.travel(earlier, tick=False):
        reminders.create_due_reminders(today, earlier)
        reminder = ExpiryReminder.objects.get(license=license)
        assert outbox.claim("expiry_reminder", reminder.pk) is not None
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.sent_at) == ("pending", 1, None)

    with celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL):
        sweep.delay()
        worker.wait_for("licensing.sweep")
        worker.wait_for("licensing.deliver", "sent", count=2)  # the grant's notification, and the reminder
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == ("sent", 2)
    (email,) = [email for email in mailoutbox if "expires in" in email.subject]
    assert email.to == ["ops@operator.example"]
    assert license.number in email.subject
    assert reminder.sent_at > earlier
    assert datetime.timedelta(0) <= timezone.now() - reminder.sent_at < D(seconds=DEADLINE)
