"""What is due, and the sweep that does it: activating licenses whose term has started and ending those
whose term has passed (expiry reminders join here with the reminders work).

The sweep is idempotent and safe to run from several processes at once: each license is changed through
lifecycle.transition, which locks the row and re-checks its state, so a license another sweep already
moved is skipped, not moved twice.
"""

import dataclasses
import datetime
import logging

from django.db.models import Q

from . import lifecycle
from .choices import LicenseAction, LicenseStatus
from .dates import local_today
from .exceptions import ActionNotAllowed, LicensingError, NotDue, StaleVersion
from .models import License

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


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
    _expire_due(today, result)
    for license in _in_batches(due_for_activation(today)):
        moved = _move(license, LicenseAction.ACTIVATE, occurred_on=license.term_start, result=result)
        if moved is not None:
            result.activated += 1
    _expire_due(today, result)
    return result


def _expire_due(today: datetime.date, result: SweepResult) -> None:
    for license in _in_batches(due_for_expiry(today)):
        if license.pk in result.failed_ids:
            continue
        ended_on = license.term_end + datetime.timedelta(days=1)
        moved = _move(license, LicenseAction.EXPIRE, occurred_on=ended_on, result=result)
        if moved is None:
            continue
        if moved.status == LicenseStatus.RENEWED:
            result.renewed += 1
        else:
            result.expired += 1


def _in_batches(queryset):
    """Due licenses in key order, a batch at a time (keyset pagination, so moved rows do not shift pages)."""
    last_pk = 0
    while True:
        batch = list(
            queryset.filter(pk__gt=last_pk).order_by("pk").only("pk", "term_start", "term_end")[:BATCH_SIZE]
        )
        if not batch:
            return
        yield from batch
        last_pk = batch[-1].pk


def _move(license: License, action: LicenseAction, *, occurred_on, result: SweepResult) -> License | None:
    try:
        return lifecycle.transition(license, action, actor=None, occurred_on=occurred_on)
    except (StaleVersion, ActionNotAllowed, NotDue) as error:
        # Another process got there first, or the license changed since it was selected.
        logger.info("sweep skipped %s (%s): %s", license.pk, action, error)
        result.skipped += 1
    except LicensingError as error:
        # The record itself stands in the way: someone must look at it, and the sweep goes on.
        logger.error("sweep could not %s license %s: %s %s", action, license.pk, error, error.errors)
        result.failed_ids.add(license.pk)
    return None
