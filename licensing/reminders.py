"""What is due, and the sweep that does it.

The sweep (run_full_sweep; beat runs it every LICENSING_SWEEP_INTERVAL_MINUTES, `manage.py sweep` once):
1. activates licenses whose term has started and ends those whose term has passed (run_sweep);
2. records the expiry reminders owed for the windows of LICENSING_REMINDER_DAYS (create_due_reminders);
3. enqueues a send task for every email owed: new reminders, retries whose time has come, and rows whose
   worker's claim lapsed (outbox.dispatch_due);
4. records when it ran (SweepHeartbeat), for the health check.

It is idempotent and safe to run from several processes at once: licenses are changed through
lifecycle.transition_due, which locks their rows and re-checks their state, so a license another sweep
already moved is skipped, not moved twice; a reminder is unique per license, window and term end, so a second
sweep's insert of it does nothing; and a send task claims its row, so a row enqueued twice is sent once.
Every step reads only what is due, in key-ordered batches: the queries grow with the due rows, not with
all licenses.
"""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from . import cache, lifecycle, outbox, registration_reminders
from .choices import LicenseAction, LicenseStatus
from .dates import local_today
from .exceptions import ActionNotAllowed, NotDue, StaleVersion
from .models import ExpiryReminder, License, SweepHeartbeat

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
COMMIT_EVERY = 100


@dataclasses.dataclass
class SweepResult:
    activated: int = 0
    expired: int = 0
    renewed: int = 0
    skipped: int = 0
    # Licenses the sweep could not move because of the record itself; each counted (and tried) once.
    failed_ids: set = dataclasses.field(default_factory=set)

    @property
    def failed(self) -> int:
        return len(self.failed_ids)

    def __str__(self):
        return (
            f"activated {self.activated}, expired {self.expired}, ended as renewed {self.renewed}, "
            f"skipped {self.skipped}, failed {self.failed}"
        )


def due_for_activation(today: datetime.date):
    return License.objects.filter(status=LicenseStatus.GRANTED, term_start__lte=today)


def due_for_expiry(today: datetime.date):
    return License.objects.filter(
        Q(status=LicenseStatus.ACTIVE) | Q(status=LicenseStatus.SUSPENDED), term_end__lt=today
    )


def run_sweep(today: datetime.date | None = None) -> SweepResult:
    """One pass over everything due. Its queries grow with the number of due licenses, not all licenses."""
    today = today or local_today()
    result = SweepResult()
    # Expire first, so a renewed predecessor ends before its successor activates (in event order); then
    # activate; then expire again what was activated for a term that has already ended as well (after
    # downtime), so that no license is left looking in force.
    for due, action in (
        (due_for_expiry(today), LicenseAction.EXPIRE),
        (due_for_activation(today), LicenseAction.ACTIVATE),
        (due_for_expiry(today), LicenseAction.EXPIRE),
    ):
        for group in _in_groups(due):
            _move(group, action, result)
    return result


def _in_groups(queryset):
    """The keys of due licenses in key order, in groups of COMMIT_EVERY (keyset pagination, so moved rows
    do not shift pages)."""
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not batch:
            return
        for start in range(0, len(batch), COMMIT_EVERY):
            yield batch[start : start + COMMIT_EVERY]
        last_pk = batch[-1]


def _move(pks: list[int], action: LicenseAction, result: SweepResult) -> None:
    """Move a group of due licenses in one transaction (lifecycle.transition_due's) and count the outcome.

    One commit per group, not one per license: commits (and their flush to disk) were most of a sweep's
    time. Row locks are held only until the group commits, and the cached representations of the group's
    licenses are invalidated together once it has.
    """
    # A license that failed is reported once per sweep, not again by the second expiry pass.
    pks = [pk for pk in pks if pk not in result.failed_ids]
    with cache.bumped_together():
        outcome = lifecycle.transition_due(pks, action)
    for license in outcome.moved:
        if license.status == LicenseStatus.ACTIVE:
            result.activated += 1
        elif license.status == LicenseStatus.RENEWED:
            result.renewed += 1
        else:
            result.expired += 1
    for pk, error in outcome.refused.items():
        if isinstance(error, (StaleVersion, ActionNotAllowed, NotDue)):
            # Another process got there first, or the license changed since it was selected.
            logger.info("sweep skipped %s (%s): %s", pk, action, error)
            result.skipped += 1
        else:
            # The record itself stands in the way: someone must look at it, and the sweep goes on.
            logger.error("sweep could not %s license %s: %s %s", action, pk, error, error.errors)
            result.failed_ids.add(pk)


# Expiry reminders and the whole sweep -----------------------------------------------------------------

HEARTBEAT_NAME = "sweep"


@dataclasses.dataclass
class SweepReport:
    """What one run of the whole sweep did."""

    lifecycle: SweepResult
    reminders: int = 0
    enqueued: int = 0
    registrations_cancelled: int = 0
    registration_reminders: int = 0

    def __str__(self):
        return (
            f"{self.lifecycle}; reminders recorded {self.reminders}; registrations cancelled "
            f"{self.registrations_cancelled}, their reminders recorded {self.registration_reminders}; "
            f"emails enqueued {self.enqueued}"
        )

    def as_dict(self) -> dict:
        moved = self.lifecycle
        return {
            "activated": moved.activated,
            "expired": moved.expired,
            "renewed": moved.renewed,
            "skipped": moved.skipped,
            "failed": moved.failed,
            "reminders": self.reminders,
            "registrations_cancelled": self.registrations_cancelled,
            "registration_reminders": self.registration_reminders,
            "enqueued": self.enqueued,
        }


def due_for_reminder(today: datetime.date):
    """Licenses in force that are owed an expiry reminder today, annotated with its `window`.

    The window is the nearest one the license has reached (the smallest of LICENSING_REMINDER_DAYS not
    below its days left), so a license that passed several windows while the sweep was not running gets
    one reminder, not a burst. A reminder for that window or a nearer one, for the same term end, means
    nothing is owed; an amended term end starts a fresh cycle. A license already renewed gets no more:
    its successor has reminders of its own (unless that successor was withdrawn or revoked before it took
    over, which leaves the license to expire after all).
    """
    windows = sorted(settings.LICENSING_REMINDER_DAYS)
    window = Case(
        *(When(term_end__lte=today + datetime.timedelta(days=days), then=Value(days)) for days in windows),
        output_field=IntegerField(),
    )
    reminded = ExpiryReminder.objects.filter(
        license=OuterRef("pk"), term_end=OuterRef("term_end"), window_days__lte=OuterRef("window")
    )
    renewed = License.objects.live_successors_of(OuterRef("pk"))
    return (
        License.objects.filter(
            status__in=[LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED],
            term_end__gte=today,
            term_end__lte=today + datetime.timedelta(days=windows[-1]),
        )
        .annotate(window=window)
        .filter(~Exists(reminded), ~Exists(renewed))
    )


def create_due_reminders(today: datetime.date, now: datetime.datetime) -> int:
    """Record the reminders owed today, pending and due at once. Returns how many were owed.

    A concurrent sweep may record some of the same reminders: the unique constraint on (license, window,
    term end) makes the second insert do nothing (ignore_conflicts), so each reminder exists once.
    """
    owed = 0
    last_pk = 0
    while True:
        batch = list(
            due_for_reminder(today)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "term_end", "window")[:BATCH_SIZE]
        )
        if batch:
            ExpiryReminder.objects.bulk_create(
                [
                    ExpiryReminder(license_id=pk, window_days=window, term_end=term_end, next_attempt_at=now)
                    for pk, term_end, window in batch
                ],
                ignore_conflicts=True,
            )
        owed += len(batch)
        if len(batch) < BATCH_SIZE:
            return owed
        last_pk = batch[-1][0]


def run_full_sweep(now: datetime.datetime | None = None) -> SweepReport:
    """The whole sweep, once (see the module's docstring)."""
    started = timezone.now()
    now = now or started
    today = timezone.localdate(now)
    report = SweepReport(lifecycle=run_sweep(today))
    report.reminders = create_due_reminders(today, now)
    # Registrations (licensing.registration_reminders), called through the module so the bench can time them.
    report.registrations_cancelled = registration_reminders.cancel_unrenewed(today)
    report.registration_reminders = registration_reminders.create_due_reminders(today, now)
    report.enqueued = outbox.dispatch_due(now)
    SweepHeartbeat.objects.bulk_create(
        [
            SweepHeartbeat(
                name=HEARTBEAT_NAME, started_at=started, finished_at=timezone.now(), summary=report.as_dict()
            )
        ],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["started_at", "finished_at", "summary"],
    )
    logger.info("sweep done: %s", report)
    return report


def last_sweep() -> SweepHeartbeat | None:
    """The record of the sweep's last finished run, or None if it never ran."""
    return SweepHeartbeat.objects.filter(name=HEARTBEAT_NAME).first()
