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
from .exceptions import LicensingError
from .models import License

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclasses.dataclass
class SweepResult:
    activated: int = 0
    expired: int = 0
    renewed: int = 0
    skipped: int = 0

    def __str__(self):
        return (
            f"activated {self.activated}, expired {self.expired}, ended as renewed {self.renewed}, "
            f"skipped {self.skipped}"
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
    # Expire first: a renewed predecessor then ends before its successor activates, in event order.
    for license in _in_batches(due_for_expiry(today)):
        moved = _move(
            license, LicenseAction.EXPIRE, occurred_on=license.term_end + datetime.timedelta(days=1)
        )
        if moved is None:
            result.skipped += 1
        elif moved.status == LicenseStatus.RENEWED:
            result.renewed += 1
        else:
            result.expired += 1
    for license in _in_batches(due_for_activation(today)):
        moved = _move(license, LicenseAction.ACTIVATE, occurred_on=license.term_start)
        if moved is None:
            result.skipped += 1
        else:
            result.activated += 1
    return result


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


def _move(license: License, action: LicenseAction, *, occurred_on) -> License | None:
    try:
        return lifecycle.transition(license, action, actor=None, occurred_on=occurred_on)
    except LicensingError as error:
        # Another process got there first, or the license changed since it was selected.
        logger.info("sweep skipped %s (%s): %s", license.pk, action, error)
        return None
