"""Helpers for the outbox tests (reminders, notifications, webhooks): licenses with contacts, the sweep run
as a worker would run it, the Celery app pointed at the broker a test needs, and a live worker."""

import contextlib
import datetime
import threading

import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.test import TestCase

from licensing import lifecycle, notifications
from licensing.models import Regulator
from licensing.sweep import run_full_sweep
from registry.celery import app as celery_app

from . import factories
from .clock import shanghai

D = datetime.timedelta
OPERATOR_EMAIL = "ops@operator.example"
REGULATOR_EMAIL = "bureau@regulator.example"


def regulator_of(authority, email=REGULATOR_EMAIL, **user_fields) -> Regulator:
    return Regulator.objects.create(
        user=factories.user(**user_fields), authority=authority, contact_email=email
    )


def active_license(
    today: datetime.date, term_end: datetime.date, *, contacts=OPERATOR_EMAIL, notify=False, **fields
):
    """A license in force from the first day of `today`'s year until `term_end`, with a regulator at its
    grantor. Made at `today`, so the grant activates it at once. Set-up tells nobody, unless `notify`.
    (Not in force the year before: it owes no annual disclosure, whose reminders go out in March; those
    are tests/test_disclosures.py's.)"""
    quiet = notifications.suppressed() if not notify else contextlib.nullcontext()
    with time_machine.travel(shanghai(today), tick=False), quiet:
        license = factories.draft(
            term_start=datetime.date(today.year, 1, 1),
            term_end=term_end,
            term_exception_reason="Long test term.",
            operator=factories.operator(contact_emails=contacts),
            **fields,
        )
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    regulator_of(license.grantor)
    license.refresh_from_db()
    return license


@contextlib.contextmanager
def celery_conf(**conf):
    """The Celery app with `conf` changed for the block; its connection pools are rebuilt on both sides,
    so that a changed broker URL takes effect and does not outlive the block."""
    saved = {key: celery_app.conf[key] for key in conf}
    celery_app.conf.update(conf)
    _reset_pools()
    try:
        yield celery_app
    finally:
        celery_app.conf.update(saved)
        _reset_pools()


def _reset_pools():
    # Dropped, not closed: kombu shares pools per broker address across apps, and the next publish to
    # this address would find a closed one.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def running_tasks():
    """Tasks run in-process, and on-commit callbacks run when the block ends, as after a real commit.

    The test database wraps each test in a transaction that never commits; this is how the tests see
    what a committed change sets off.
    """
    with celery_conf(task_always_eager=True), TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        yield callbacks


def sweep_at(moment: datetime.datetime):
    """The whole sweep at `moment` (frozen), with the sends it enqueues run in-process."""
    with time_machine.travel(moment, tick=False), running_tasks():
        return run_full_sweep()


# A closed port: nothing listens there, so every connection is refused at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


# How long a test waits for a live worker to finish a task.
DEADLINE = 60


class TaskLog:
    """The tasks the worker finished, with their results, and a way to wait for one."""

    def __init__(self):
        self.done: list[tuple[str, object]] = []
        self._changed = threading.Condition()

    def __call__(self, sender=None, retval=None, **kwargs):
        with self._changed:
            self.done.append((sender.name, retval))
            self._changed.notify_all()

    def wait_for(self, name, retval=None, count=1):
        def seen():
            return sum(1 for n, r in self.done if n == name and (retval is None or r == retval)) >= count

        with self._changed:
            assert self._changed.wait_for(seen, timeout=DEADLINE), (
                f"worker did not finish {name}: {self.done}"
            )


@contextlib.contextmanager
def live_worker():
    """A worker (a thread of this process, celery.contrib.testing) on the broker of REDIS_URL, with an
    empty queue; yields the log of the tasks it finishes. Tasks published in the block go to it."""
    log = TaskLog()
    task_postrun.connect(log, weak=False)
    try:
        with celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL) as app:
            app.control.purge()
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
                yield log
            app.control.purge()
    finally:
        task_postrun.disconnect(log)
