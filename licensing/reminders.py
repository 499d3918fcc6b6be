"""What is owed: the expiry reminders of licenses whose term ends soon, and the outbox kind that sends them.

A license in force is owed a reminder when its term end comes within one of LICENSING_REMINDER_DAYS; the
sweep records them (create_due_reminders) and the outbox sends them (the `expiry_reminder` kind,
registered below), unless by then the reminder is no longer needed (reminder_not_needed).
"""

import datetime

from django.conf import settings
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils.translation import gettext

from . import emails, outbox
from .choices import LicenseStatus
from .dates import local_today
from .models import ExpiryReminder, License

BATCH_SIZE = 500


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
        License.objects.expiring_within(windows[-1], today)
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


def reminder_not_needed(reminder: ExpiryReminder, today: datetime.date) -> str:
    """Why the reminder need not be sent any more, or "" if it still must be."""
    license = reminder.license
    if license.status not in LicenseStatus.in_force():
        return gettext("The license is no longer in force (%(status)s).") % {
            "status": license.get_status_display()
        }
    if license.term_end != reminder.term_end:
        return gettext("The term end was changed to %(day)s; the new term has reminders of its own.") % {
            "day": license.term_end.isoformat() if license.term_end else "-"
        }
    if reminder.term_end < today:
        return gettext("The term has ended.")
    successor = License.objects.live_successors_of(license).values_list("number", flat=True).first()
    if successor:
        return gettext("The license was renewed by %(number)s.") % {"number": successor}
    nearer = ExpiryReminder.objects.filter(
        license=license, term_end=reminder.term_end, window_days__lt=reminder.window_days
    )
    if nearer.exists():
        return gettext("A reminder for a nearer window replaced it.")
    return ""


def _message(reminder: ExpiryReminder):
    """The reminder's email, or outbox.NotNeeded where it need not be sent any more."""
    today = local_today()
    reason = reminder_not_needed(reminder, today)
    if reason:
        raise outbox.NotNeeded(reason)
    return emails.expiry_reminder(reminder, today)


outbox.register(
    "expiry_reminder",
    model=ExpiryReminder,
    message=_message,
    related=("license__operator", "license__grantor"),
)
