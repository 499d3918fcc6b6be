"""Two sweeps at once on PostgreSQL: each license moves once, each reminder exists once, each email goes
out once. Two threads, each with its own database connection, start the sweep together at a barrier."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.db.models import Count

from licensing import lifecycle
from licensing.models import ExpiryReminder, LicenseEvent
from licensing.sweep import run_full_sweep

from . import factories
from .outbox_support import D, active_license, celery_conf, shanghai

TODAY = datetime.date(2026, 3, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_do_everything_once(mailoutbox):
    with celery_conf(task_always_eager=True):
        in_force = [active_license(TODAY - D(days=1), TODAY + D(days=1 + i * 3)) for i in range(30)]
        with time_machine.travel(shanghai(TODAY - D(days=1)), tick=False):
            granted = [factories.license_in("granted") for _ in range(5)]  # their terms start on TODAY
        mailoutbox.clear()  # the grant notifications

        barrier = threading.Barrier(2)
        reports, errors = [], []

        def sweep():
            try:
                barrier.wait(timeout=30)
                reports.append(run_full_sweep())
            except Exception as error:  # reported below, with the thread's own exception
                errors.append(error)
            finally:
                connection.close()

        with time_machine.travel(shanghai(TODAY), tick=False):
            threads = [threading.Thread(target=sweep) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)

    assert errors == []
    assert len(reports) == 2
    assert sum(report.lifecycle.activated for report in reports) == 5
    for license in granted:
        assert LicenseEvent.objects.filter(license=license, action=lifecycle.A.ACTIVATE).count() == 1
    per_license = ExpiryReminder.objects.values("license").annotate(n=Count("id"))
    assert sorted(row["license"] for row in per_license) == sorted(license.pk for license in in_force)
    assert {row["n"] for row in per_license} == {1}
    assert set(ExpiryReminder.objects.values_list("state", "attempts")) == {("sent", 1)}
    assert len(mailoutbox) == 30
    assert len({email.subject for email in mailoutbox}) == 30
