"""The sweep: what the registry does by itself, on the calendar.

The sweep (run_full_sweep; beat runs it every LICENSING_SWEEP_INTERVAL_MINUTES, `manage.py sweep` once):
1. activates licenses whose term has started and ends those whose term has passed (run_sweep, through
   transition_due);
2. records the expiry reminders owed for the windows of LICENSING_REMINDER_DAYS
   (reminders.create_due_reminders), and in March the annual disclosure reminders owed
   (disclosure_reminders.create_due); cancels the registrations whose code expired unrenewed and records
   the registrations' reminders (registration_reminders); builds the day's email alert digests
   (alerts.create_due_digests);
3. enqueues a send task for every email owed: new reminders, retries whose time has come, and rows whose
   worker's claim lapsed (outbox.dispatch_due);
4. records when it ran (SweepHeartbeat, last_sweep), for the health check.

It is idempotent and safe to run from several processes at once: licenses are changed through
transition_due, which locks their rows and re-checks their state, so a license another sweep already
moved is skipped, not moved twice; a reminder is unique per license, window and term end, so a second
sweep's insert of it does nothing; and a send task claims its row, so a row enqueued twice is sent once.
Every step reads only what is due, in key-ordered batches: the queries grow with the due rows, not with
all licenses.
"""

import dataclasses
import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import (
    alerts,
    cache,
    disclosure_reminders,
    lifecycle,
    outbox,
    registration_reminders,
    reminders,
    webhooks,
    writes,
)
from .choices import LicenseAction, LicenseStatus
from .dates import local_today
from .exceptions import ActionNotAllowed, LicensingError, NotDue, StaleVersion
from .models import License, LicenseEvent, SweepHeartbeat

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


def run_sweep(today: datetime.date | None = None) -> SweepResult:
    """One pass over everything due. Its queries grow with the number of due licenses, not all licenses."""
    today = today or local_today()
    result = SweepResult()
    # Expire first, so a renewed predecessor ends before its successor activates (in event order); then
    # activate; then expire again what was activated for a term that has already ended as well (after
    # downtime), so that no license is left looking in force.
    for due, action in (
        (License.objects.due_for_expiry(today), LicenseAction.EXPIRE),
        (License.objects.due_for_activation(today), LicenseAction.ACTIVATE),
        (License.objects.due_for_expiry(today), LicenseAction.EXPIRE),
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
    """Move a group of due licenses in one transaction (transition_due's) and count the outcome.

    One commit per group, not one per license: commits (and their flush to disk) were most of a sweep's
    time. Row locks are held only until the group commits, and the cached representations of the group's
    licenses are invalidated together once it has.
    """
    # A license that failed is reported once per sweep, not again by the second expiry pass.
    pks = [pk for pk in pks if pk not in result.failed_ids]
    with cache.bumped_together():
        outcome = transition_due(pks, action)
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


# The whole sweep -----------------------------------------------------------------

HEARTBEAT_NAME = "sweep"


@dataclasses.dataclass
class SweepReport:
    """What one run of the whole sweep did."""

    lifecycle: SweepResult
    reminders: int = 0
    disclosure_reminders: int = 0
    enqueued: int = 0
    registrations_cancelled: int = 0
    registration_reminders: int = 0
    alert_digests: int = 0

    def __str__(self):
        return (
            f"{self.lifecycle}; reminders recorded {self.reminders}, disclosure reminders recorded "
            f"{self.disclosure_reminders}; registrations cancelled {self.registrations_cancelled}, their "
            f"reminders recorded {self.registration_reminders}; alert digests built {self.alert_digests}; "
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
            "disclosure_reminders": self.disclosure_reminders,
            "alert_digests": self.alert_digests,
            "enqueued": self.enqueued,
        }


# Activations and expiries, many licenses at once -----------------------------------------------------


@dataclasses.dataclass
class DueOutcome:
    """What transition_due did: the licenses it moved, as saved, and why it left each of the others."""

    moved: list[License] = dataclasses.field(default_factory=list)
    refused: dict[int, LicensingError] = dataclasses.field(default_factory=dict)


def transition_due(pks: Iterable[int], action: str) -> DueOutcome:
    """Activate or expire the licenses with keys `pks`, whose term made it due, for the registry itself
    (the sweep).

    The rules and what is written are transition()'s; only the queries are shared, so that their number
    grows by the batch, not by the license (the sweep passes 100 at a time). The rows are locked together,
    in key order (two sweeps cannot deadlock); their data domains and live successors are read in one
    query each; each license is checked under the lock; those that pass are written with a
    compare-and-set update per new status (per CAS_BATCH rows) and one insert of their events. A license
    its checks refuse is left as it was and reported in `refused`, and the others still move; a key with
    no license is in neither.

    The compare-and-set cannot miss while the locks hold (PostgreSQL's row locks; SQLite's single
    writer). Should it miss all the same, nothing of the batch is kept and each license goes through
    transition() on its own.

    Each change is recorded on the day the term made it due, whenever this runs: an activation on the
    term's first day, an expiry on the day after its last.
    """
    action = lifecycle.parse_action(action)
    if action not in lifecycle.TERM_ACTIONS:
        raise ValueError(f"transition_due takes the term-driven actions, not {action!r}")
    pks = sorted(set(pks))
    try:
        with transaction.atomic(), webhooks.batch():
            return _transition_batch(pks, action)
    except _BatchContended:
        return _transition_each(pks, action)


class _BatchContended(Exception):
    """A row changed between the batch's lock and its write."""


def _transition_batch(pks: list[int], action: LicenseAction) -> DueOutcome:
    outcome = DueOutcome()
    locked_rows = list(
        License.objects.select_for_update(of=("self",))
        .select_related("grantor")
        .prefetch_related("data_domains")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    renewed = set()
    if action == LicenseAction.EXPIRE:
        # Read under the locks, so that a renewal committed while this waited for them is seen.
        renewed = set(
            License.objects.live_successors()
            .filter(predecessor__in=pks)
            .order_by()
            .values_list("predecessor_id", flat=True)
        )
    lasts = lifecycle.last_public_days(pks)
    changes, events = [], []
    for locked in locked_rows:
        try:
            target = lifecycle.target_status(locked, action, reason="", renewed=locked.pk in renewed)
            lifecycle.check_occurred_on(
                lifecycle.due_on(locked, action), license=locked, action=action, last=lasts.get(locked.pk)
            )
        except LicensingError as error:
            outcome.refused[locked.pk] = error
            continue
        changes.append((locked, target))
        events.append(
            writes.new_event(
                locked,
                action,
                from_status=locked.status,
                to_status=target,
                actor=None,
                occurred_on=lifecycle.due_on(locked, action),
            )
        )
    _save_statuses(changes)
    LicenseEvent.objects.bulk_create(events)
    for (locked, _status), event in zip(changes, events, strict=True):
        writes.announce(locked, [event])
        outcome.moved.append(locked)
    return outcome


def _transition_each(pks: list[int], action: LicenseAction) -> DueOutcome:
    outcome = DueOutcome()
    for license in License.objects.filter(pk__in=pks).order_by("pk"):
        try:
            outcome.moved.append(
                lifecycle.transition(
                    license, action, actor=None, occurred_on=lifecycle.due_on(license, action)
                )
            )
        except LicensingError as error:
            outcome.refused[license.pk] = error
    return outcome


# Rows per compare-and-set update: each row is a condition of its WHERE clause (SQLite refuses an
# expression tree deeper than 1,000).
CAS_BATCH = 500


def _save_statuses(changes: list[tuple[License, LicenseStatus]]) -> None:
    """Set each locked license to its new status, as _save would: an update per status (per CAS_BATCH
    rows), a compare-and-set on every row's version. Raises _BatchContended where a row was not at its
    version."""
    now = timezone.now()
    by_status = defaultdict(list)
    for locked, status in changes:
        by_status[status].append(locked)
    batches = [
        (status, rows[start : start + CAS_BATCH])
        for status, rows in by_status.items()
        for start in range(0, len(rows), CAS_BATCH)
    ]
    for status, rows in batches:
        unchanged = Q(*(Q(pk=row.pk, version=row.version) for row in rows), _connector=Q.OR)
        updated = License.objects.filter(unchanged).update(
            status=status, status_changed_at=now, updated_at=now, version=F("version") + 1
        )
        if updated != len(rows):
            raise _BatchContended()
        for row in rows:
            row.status, row.status_changed_at, row.updated_at = status, now, now
            row.version += 1


def run_full_sweep(now: datetime.datetime | None = None) -> SweepReport:
    """The whole sweep, once (see the module's docstring)."""
    started = timezone.now()
    now = now or started
    today = timezone.localdate(now)
    report = SweepReport(lifecycle=run_sweep(today))
    report.reminders = reminders.create_due_reminders(today, now)
    # Registrations: codes expired unrenewed are cancelled, then their reminders recorded.
    report.registrations_cancelled = registration_reminders.cancel_unrenewed(today)
    report.registration_reminders = registration_reminders.create_due_reminders(today, now)
    report.disclosure_reminders = disclosure_reminders.create_due(today, now)
    report.alert_digests = alerts.create_due_digests(today, now)
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
