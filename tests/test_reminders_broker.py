"""With the broker unreachable, changes, the admin and the sweep still answer; failed enqueues are logged,
and the first sweep after the broker returns sends what is owed.

The app is pointed at a closed port for the test (the shared Redis server is never stopped). The test
database commits here, so on-commit enqueues happen inside the request or call that causes them.
"""

import datetime
import logging
import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from licensing import lifecycle
from licensing.models import ExpiryReminder, LifecycleNotification, OutboxState
from licensing.sweep import last_sweep, run_full_sweep

from .outbox_support import UNREACHABLE_BROKER, D, active_license, celery_conf, shanghai

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = datetime.date(2026, 3, 2)


def test_broker_down_nothing_fails_and_the_next_sweep_sends_what_is_owed(client, caplog, mailoutbox):
    caplog.set_level(logging.ERROR, logger="licensing.outbox")
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-only")
    client.force_login(user)
    with celery_conf(task_always_eager=False, broker_url=UNREACHABLE_BROKER):
        # A grant (its notification cannot be enqueued) and a suspension, as the admin or API would make them.
        license = active_license(TODAY, TODAY + D(days=5), notify=True)
        started = time.monotonic()
        with time_machine.travel(shanghai(TODAY, 10), tick=False):
            lifecycle.transition(
                license, "suspend", actor=user, reason="Security review.", expected_version=license.version
            )
        assert time.monotonic() - started < 10, "an unreachable broker must not hold the caller for long"
        assert caplog.text.count("could not enqueue lifecycle_notification") == 2

        # The admin answers, and an action that enqueues gives its message instead of an error page.
        with time_machine.travel(shanghai(TODAY, 10, 30), tick=False):
            for page in (
                reverse("admin:licensing_license_change", args=[license.pk]),
                reverse("admin:licensing_expiryreminder_changelist"),
                reverse("admin:licensing_lifecyclenotification_changelist"),
            ):
                assert client.get(page).status_code == 200, page
            failed = LifecycleNotification.objects.order_by("pk").first()
            LifecycleNotification.objects.filter(pk=failed.pk).update(state=OutboxState.FAILED)
            response = client.post(
                reverse("admin:licensing_lifecyclenotification_changelist"),
                {"action": "retry_failed", "_selected_action": [failed.pk]},
                follow=True,
            )
        assert response.status_code == 200
        assert "1 failed email will be sent again." in [str(m) for m in response.context["messages"]]
        assert caplog.text.count("could not enqueue lifecycle_notification") == 3

        # The sweep records the reminder owed and logs what it could not enqueue.
        with time_machine.travel(shanghai(TODAY, 11), tick=False):
            report = run_full_sweep()
        assert (report.reminders, report.enqueued) == (1, 3)
        assert last_sweep().finished_at == shanghai(TODAY, 11)
    assert mailoutbox == []
    assert set(LifecycleNotification.objects.values_list("state", flat=True)) == {"pending"}
    assert ExpiryReminder.objects.get().state == "pending"

    # The broker is back (here: tasks run in-process): the next sweep sends everything owed, once.
    with celery_conf(task_always_eager=True), time_machine.travel(shanghai(TODAY, 12), tick=False):
        report = run_full_sweep()
        assert report.enqueued == 3
        assert run_full_sweep().enqueued == 0
    subjects = sorted(email.subject.split(" / ")[0] for email in mailoutbox)
    assert subjects == [
        f"License {license.number} expires in 5 days",
        f"License {license.number}: granted",
        f"License {license.number}: suspended",
    ]
    assert set(LifecycleNotification.objects.values_list("state", flat=True)) == {"sent"}
    assert ExpiryReminder.objects.get().state == "sent"
