"""What the sweep does for registrations: it cancels those whose code expired unrenewed (登记办法 Art. 15),
and records the reminders owed, as outbox rows (RegistrationReminder):

- to the registrant, before the renewal window opens (from RENEWAL_NOTICE_DAYS days before expiry until
  the window opens, 60 days before) and before the code expires (from EXPIRY_NOTICE_DAYS days before);
- to the regulators of the license's grantor, when a deadline of the procedure has passed: acceptance
  within 3 working days of the application (Art. 10), formal review within 20 of the acceptance (Art. 11).

Each reminder is unique per registration, kind and the day it concerns (the expiry, or the day the clock
started), so a second sweep records none again, and a renewal or a restarted clock starts a fresh cycle.
Every selection reads only the rows due (by the indexes on status and day), in key-ordered batches: the
queries grow with what is due, not with all registrations.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from . import cache, emails, outbox, workdays
from .choices import RegistrationEventAction, RegistrationReminderKind, RegistrationStatus
from .dates import local_today
from .models import Registration, RegistrationEvent, RegistrationReminder
from .registrations import ACCEPTANCE_DAYS, RENEWAL_WINDOW_DAYS, REVIEW_DAYS
from .writes import SYSTEM_ACTOR_REPR

BATCH_SIZE = 500
# How many days before expiry the registrant is told that the renewal window opens soon, and that the code
# expires soon.
RENEWAL_NOTICE_DAYS = 90
EXPIRY_NOTICE_DAYS = 14
NOT_RENEWED = "有效期届满未续展，登记注销（登记办法第十五条）。Not renewed before the code expired (Art. 15)."

K, S = RegistrationReminderKind, RegistrationStatus


def _keyset(queryset, *fields):
    """Rows of `queryset` as (pk, *fields), in key order, a batch at a time."""
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk).order_by("pk").values_list("pk", *fields)[:BATCH_SIZE])
        if batch:
            yield batch
        if len(batch) < BATCH_SIZE:
            return
        last_pk = batch[-1][0]


# Cancellation of unrenewed registrations -------------------------------------------------------------


def due_for_cancellation(today: datetime.date):
    return Registration.objects.filter(status=S.ISSUED, expires_on__lt=today)


def cancel_unrenewed(today: datetime.date) -> int:
    """Cancel every issued registration whose code expired before today, each on the day after its last
    valid day, with its event. A batch is one transaction: its rows locked, re-checked under the lock
    (a renewal committed meanwhile keeps its registration), updated together, their events inserted
    together. Returns how many were cancelled."""
    cancelled = 0
    for batch in _keyset(due_for_cancellation(today)):
        with transaction.atomic():
            locked = list(
                due_for_cancellation(today)
                .select_for_update()
                .filter(pk__in=[pk for (pk,) in batch])
                .order_by("pk")
                .values_list("pk", "expires_on")
            )
            if not locked:
                continue
            cache.bump_on_commit()  # the API's cached registrations (a bulk update sends no post_save)
            Registration.objects.filter(pk__in=[pk for pk, _ in locked]).update(
                status=S.CANCELLED,
                ended_on=F("expires_on") + datetime.timedelta(days=1),
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
            RegistrationEvent.objects.bulk_create(
                [
                    RegistrationEvent(
                        registration_id=pk,
                        action=RegistrationEventAction.CANCEL,
                        from_status=S.ISSUED,
                        to_status=S.CANCELLED,
                        reason=NOT_RENEWED,
                        actor=None,
                        actor_repr=SYSTEM_ACTOR_REPR,
                        occurred_on=expires_on + datetime.timedelta(days=1),
                    )
                    for pk, expires_on in locked
                ]
            )
        cancelled += len(locked)
    return cancelled


# Reminders -------------------------------------------------------------------------------------------


def due_for_reminder(kind: RegistrationReminderKind, today: datetime.date):
    """Registrations owed a reminder of `kind` today, each annotated with `key_date` (the day it
    concerns), without one already recorded for that day."""
    D = datetime.timedelta
    if kind == K.RENEWAL_WINDOW:
        rows = Registration.objects.filter(
            status=S.ISSUED,
            expires_on__gt=today + D(days=RENEWAL_WINDOW_DAYS),
            expires_on__lte=today + D(days=RENEWAL_NOTICE_DAYS),
        ).annotate(key_date=F("expires_on"))
    elif kind == K.EXPIRY:
        rows = Registration.objects.filter(
            status=S.ISSUED, expires_on__gte=today, expires_on__lte=today + D(days=EXPIRY_NOTICE_DAYS)
        ).annotate(key_date=F("expires_on"))
    elif kind == K.ACCEPTANCE_OVERDUE:
        rows = Registration.objects.filter(
            status=S.APPLIED, applied_on__lte=workdays.latest_overdue_start(today, ACCEPTANCE_DAYS)
        ).annotate(key_date=F("applied_on"))
    else:
        rows = Registration.objects.filter(
            status=S.UNDER_REVIEW, accepted_on__lte=workdays.latest_overdue_start(today, REVIEW_DAYS)
        ).annotate(key_date=F("accepted_on"))
    recorded = RegistrationReminder.objects.filter(
        registration=OuterRef("pk"), kind=kind, key_date=OuterRef("key_date")
    )
    return rows.filter(~Exists(recorded))


def create_due_reminders(today: datetime.date, now: datetime.datetime) -> int:
    """Record the reminders owed today, pending and due at once. Returns how many were owed.

    A concurrent sweep may record some of the same: the unique constraint makes the second insert do
    nothing (ignore_conflicts), so each reminder exists once."""
    owed = 0
    for kind in RegistrationReminderKind:
        for batch in _keyset(due_for_reminder(kind, today), "key_date"):
            RegistrationReminder.objects.bulk_create(
                [
                    RegistrationReminder(
                        registration_id=pk, kind=kind, key_date=key_date, next_attempt_at=now
                    )
                    for pk, key_date in batch
                ],
                ignore_conflicts=True,
            )
            owed += len(batch)
    return owed


def not_needed(reminder: RegistrationReminder, today: datetime.date) -> str:
    """Why the reminder need not be sent any more (its registration moved on), or "" if it still must be."""
    registration = reminder.registration
    wanted = {
        K.RENEWAL_WINDOW: (S.ISSUED, registration.expires_on),
        K.EXPIRY: (S.ISSUED, registration.expires_on),
        K.ACCEPTANCE_OVERDUE: (S.APPLIED, registration.applied_on),
        K.REVIEW_OVERDUE: (S.UNDER_REVIEW, registration.accepted_on),
    }[reminder.kind]
    if (registration.status, reminder.key_date) != wanted:
        return gettext("The registration has moved on since the reminder was recorded.")
    return ""


# Sending: the outbox kind `registration_reminder` ---------------------------------------------------


def _message(reminder: RegistrationReminder):
    """The reminder's email, or outbox.NotNeeded where its registration has moved on since."""
    reason = not_needed(reminder, local_today())
    if reason:
        raise outbox.NotNeeded(reason)
    return emails.registration_reminder(reminder)


outbox.register(
    "registration_reminder",
    model=RegistrationReminder,
    message=_message,
    related=(
        "registration__license__grantor",
        "registration__license__operator",
        "registration__license__implementing_body",
    ),
)
