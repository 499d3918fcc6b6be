"""Helpers for the reminders and notifications tests: licenses with contacts, the sweep run as a worker
would run it, and the Celery app pointed at the broker a test needs."""

import contextlib
import datetime

import time_machine
from django.test import TestCase

from licensing import lifecycle, notifications
from licensing.models import Regulator
from licensing.sweep import run_full_sweep
from registry.celery import app as celery_app

from . import factories

D = datetime.timedelta
OPERATOR_EMAIL = "ops@operator.example"
REGULATOR_EMAIL = "bureau@regulator.example"


def shanghai(day: datetime.date, hour: int = 9, minute: int = 0, second: int = 0) -> datetime.datetime:
    """A moment of `day` in Asia/Shanghai (UTC+8, no daylight saving), as an aware UTC datetime."""
    local = datetime.datetime(day.year, day.month, day.day, hour, minute, second)
    return (local - D(hours=8)).replace(tzinfo=datetime.UTC)


def regulator_of(authority, email=REGULATOR_EMAIL, **user_fields) -> Regulator:
    return Regulator.objects.create(
        user=factories.user(**user_fields), authority=authority, contact_email=email
    )


def active_license(
    today: datetime.date, term_end: datetime.date, *, contacts=OPERATOR_EMAIL, notify=False, **fields
):
    """A license in force from a year before `today` until `term_end`, with a regulator at its grantor.
    Made at `today`, so the grant activates it at once. Set-up tells nobody, unless `notify`."""
    quiet = notifications.suppressed() if not notify else contextlib.nullcontext()
    with time_machine.travel(shanghai(today), tick=False), quiet:
        license = factories.draft(
            term_start=today - D(days=365),
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
