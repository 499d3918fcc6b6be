"""Reminders of annual disclosures: from 1 March to 31 March, one per duty not yet disclosed, to the party
that owes it (the implementing body's regulators, or the operator's contacts), copying the grantor's
regulators. Sent through the outbox, so each is a row first: unique per (license, year, party), so a
second sweep (or two at once) records nothing more and the email goes out once.

Registers the outbox kind `disclosure_reminder`: a reminder is not sent once the disclosure has been
recorded meanwhile (emails.disclosure_reminder builds the message).

The sweep asks for the reminders owed today (create_due); outside March nothing is owed and nothing is
read. In March the query reads the licenses owing last year's disclosures in key-ordered batches that
skip what has a reminder or a disclosure already: the queries grow with the reminders owed, not with all
licenses.
"""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext

from . import disclosures, emails, outbox
from .choices import LicenseParty
from .models import Disclosure, DisclosureReminder, License

BATCH_SIZE = 500
P = LicenseParty


def reminder_year(today: datetime.date) -> int | None:
    """The year whose disclosures are reminded of today (from 1 March to 31 March), or None."""
    year = today.year - 1
    in_window = disclosures.reminders_from(year) <= today <= disclosures.due_on(year)
    return year if in_window and year >= disclosures.FIRST_YEAR else None


def due(year: int):
    """Licenses in force during `year` owed a reminder for one party at least, annotated with `owed_<party>`
    for each party (True where that party is owed one: no disclosure and no reminder yet)."""
    owed = {}
    for party in P.values:
        made = Disclosure.objects.filter(license=OuterRef("pk"), year=year, party=party)
        reminded = DisclosureReminder.objects.filter(license=OuterRef("pk"), year=year, party=party)
        owed[f"owed_{party}"] = ~Exists(made) & ~Exists(reminded)
    any_owed = Q()
    for name in owed:
        any_owed |= Q(**{name: True})
    return License.objects.filter(disclosures.in_force_during_q(year)).annotate(**owed).filter(any_owed)


def create_due(today: datetime.date, now: datetime.datetime) -> int:
    """Record the disclosure reminders owed today, pending and due at once. Returns how many.

    A concurrent sweep may record some of the same ones: the unique constraint makes its insert do
    nothing (ignore_conflicts), so each reminder exists once."""
    year = reminder_year(today)
    if year is None:
        return 0
    owed = 0
    last_pk = 0
    fields = [f"owed_{party}" for party in P.values]
    while True:
        batch = list(due(year).filter(pk__gt=last_pk).order_by("pk").values_list("pk", *fields)[:BATCH_SIZE])
        rows = [
            DisclosureReminder(license_id=row[0], year=year, party=party, next_attempt_at=now)
            for row in batch
            for party, is_owed in zip(P.values, row[1:], strict=True)
            if is_owed
        ]
        if rows:
            DisclosureReminder.objects.bulk_create(rows, ignore_conflicts=True)
        owed += len(rows)
        if len(batch) < BATCH_SIZE:
            return owed
        last_pk = batch[-1][0]


# The outbox kind --------------------------------------------------------------------------------------


def not_needed(reminder: DisclosureReminder) -> str:
    """Why the reminder need not be sent any more, or "" if it still must be."""
    made = Disclosure.objects.filter(license_id=reminder.license_id, year=reminder.year, party=reminder.party)
    if made.exists():
        return gettext("The disclosure has been recorded.")
    if not disclosures.in_force_during(reminder.license, reminder.year):
        return gettext("The license was not in force during %(year)s: it owes no disclosure for it.") % {
            "year": reminder.year
        }
    return ""


def _message(reminder: DisclosureReminder):
    """The reminder's email, or outbox.NotNeeded where it need not be sent any more."""
    reason = not_needed(reminder)
    if reason:
        raise outbox.NotNeeded(reason)
    return emails.disclosure_reminder(reminder)


outbox.register(
    "disclosure_reminder",
    model=DisclosureReminder,
    message=_message,
    related=("license__operator", "license__grantor", "license__implementing_body"),
)
