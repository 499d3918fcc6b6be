"""The sweep's part for registrations: unrenewed codes cancelled, reminders to the registrant and to the
regulators recorded exactly once across two sweeps, and queries that grow with what is due only."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from licensing import emails, registration_reminders, registrations
from licensing.models import RegistrationEvent, RegistrationReminder
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


def moment(day: datetime.date) -> datetime.datetime:
    """10:00 Beijing time on `day`."""
    return datetime.datetime.combine(day, datetime.time(2), tzinfo=datetime.UTC)


def at(day: datetime.date):
    return time_machine.travel(moment(day), tick=False)


def sweep():
    """The registrations' part of the sweep, as the whole sweep runs it."""
    today, now = timezone.localdate(), timezone.now()
    return registration_reminders.cancel_unrenewed(today), registration_reminders.create_due_reminders(
        today, now
    )


def reminders_of(reg):
    return sorted(RegistrationReminder.objects.filter(registration=reg).values_list("kind", "key_date"))


def test_unrenewed_registration_is_cancelled_once_on_the_day_after_expiry():
    reg = factories.registration_in("issued")
    renewed = factories.registration_in("issued", license=reg.license)
    with at(renewed.expires_on - D(days=30)):
        registrations.act(renewed, "renew", actor=None, expected_version=renewed.version)
    with at(reg.expires_on):
        assert sweep()[0] == 0  # its last valid day
    with at(reg.expires_on + D(days=3)):
        first, second = sweep()[0], sweep()[0]
    assert (first, second) == (1, 0)
    reg.refresh_from_db()
    renewed.refresh_from_db()
    assert (reg.status, reg.ended_on) == ("cancelled", reg.expires_on + D(days=1))
    assert renewed.status == "issued"
    events = RegistrationEvent.objects.filter(registration=reg, action="cancel")
    assert [(e.occurred_on, e.actor_id) for e in events] == [(reg.expires_on + D(days=1), None)]
    assert "Art. 15" in events.get().reason


def test_registrant_reminders_before_the_window_and_before_expiry_exactly_once():
    reg = factories.registration_in("issued")
    expires = reg.expires_on
    with at(expires - D(days=91)):
        sweep()
    assert reminders_of(reg) == []
    with at(expires - D(days=90)):
        sweep()
        sweep()
    assert reminders_of(reg) == [("renewal_window", expires)]
    with at(expires - D(days=60)):  # the window is open: no new window reminder
        sweep()
    with at(expires - D(days=14)):
        sweep()
        sweep()
    assert reminders_of(reg) == [("expiry", expires), ("renewal_window", expires)]


def test_a_renewal_starts_a_fresh_cycle():
    reg = factories.registration_in("issued")
    with at(reg.expires_on - D(days=14)):
        sweep()
        registrations.act(reg, "renew", actor=None, expected_version=reg.version)
    with at(reg.expires_on - D(days=14)):
        sweep()
    assert [kind for kind, _day in reminders_of(reg)].count("expiry") == 2


def test_regulator_reminders_when_a_deadline_has_passed_exactly_once():
    # Applied on Friday 26 September 2025: acceptance was due by the 3rd working day after it, Tuesday
    # 30 September (Sunday 28 September was worked; the National Day holiday follows).
    with at(datetime.date(2025, 9, 26)):
        late = factories.registration(factories.registrable_license())
    with at(datetime.date(2025, 9, 30)):
        sweep()
    assert reminders_of(late) == []
    with at(datetime.date(2025, 10, 9)):  # the first working day after the holiday
        sweep()
        sweep()
    assert reminders_of(late) == [("acceptance_overdue", datetime.date(2025, 9, 26))]
    with at(datetime.date(2025, 10, 9)):
        registrations.act(late, "accept", actor=None, expected_version=late.version)
    # Formal review: 20 working days from 9 October.
    due = registrations.review_due(late).day
    with at(due):
        sweep()
    assert len(reminders_of(late)) == 1
    with at(due + D(days=1)):
        sweep()
        sweep()
    assert reminders_of(late)[-1] == ("review_overdue", datetime.date(2025, 10, 9))
    assert len(reminders_of(late)) == 2


@pytest.mark.parametrize("not_due", [2, 12])
def test_the_sweep_reads_only_what_is_due(django_assert_num_queries, not_due):
    # Registrations not due cost nothing: the same queries for 2 of them as for 12.
    for _ in range(not_due):
        factories.registration_in("issued")
    due = [factories.registration_in("applied") for _ in range(3)]
    # The cancellation's selection, one selection per kind of reminder, one insert for the kind due.
    with at(timezone.localdate() + D(days=10)), django_assert_num_queries(1 + 4 + 1):
        sweep()
    assert all(reminders_of(reg) for reg in due)


def test_synthetic_registrations_for_the_bench_are_due_as_said():
    from licensing import synthetic

    today = timezone.localdate()
    synthetic.generate(50, today)
    due = synthetic.generate_registrations(2000, today)
    assert due == {"cancellation": 6, "reminder": 6, "overdue": 8}
    cancelled, reminded = sweep()
    assert (cancelled, reminded) == (6, 6 + 8)
    assert sweep() == (0, 0)


def test_reminder_emails_name_the_registration_and_reach_the_right_people():
    from licensing.models import Regulator

    license = factories.registrable_license(operator=factories.operator(contact_emails="ops@example.org"))
    regulator = factories.user()
    Regulator.objects.create(user=regulator, authority=license.grantor, contact_email="reg@example.test")
    issued = factories.registration_in("issued", license=license, registrant_role="operator")
    late = factories.registration_in("applied", license=license)
    with at(issued.expires_on - D(days=14)):
        sweep()
    with at(issued.expires_on - D(days=14)):
        expiry = RegistrationReminder.objects.get(registration=issued, kind="expiry")
        message = emails.registration_reminder(expiry)
        assert (message.to, message.cc) == (["ops@example.org"], ["reg@example.test"])
        assert issued.code in message.subject and issued.expires_on.isoformat() in message.body
        assert f"/registrations/{issued.pk}/" in message.body
        overdue = RegistrationReminder.objects.get(registration=late, kind="acceptance_overdue")
        message = emails.registration_reminder(overdue)
        assert (message.to, message.cc) == (["reg@example.test"], [])
        assert late.name in message.subject
        assert "acceptance overdue" in message.subject and "受理" in message.subject


def test_the_whole_sweep_cancels_and_reminds_once_across_two_runs():
    from licensing.sweep import run_full_sweep

    cancelled = factories.registration_in("issued")
    late = factories.registration_in("applied")
    with at(cancelled.expires_on + D(days=1)):
        first, second = run_full_sweep(), run_full_sweep()
    assert (first.registrations_cancelled, second.registrations_cancelled) == (1, 0)
    assert first.registration_reminders >= 1 and second.registration_reminders == 0
    assert reminders_of(late) == [("acceptance_overdue", late.applied_on)]
    assert RegistrationEvent.objects.filter(registration=cancelled, action="cancel").count() == 1


def test_reminders_are_emailed_exactly_once_across_two_sweeps(mailoutbox):
    from licensing.models import Regulator
    from tests.outbox_support import sweep_at

    license = factories.registrable_license(operator=factories.operator(contact_emails="ops@example.org"))
    regulator = factories.user()
    Regulator.objects.create(user=regulator, authority=license.grantor, contact_email="reg@example.test")
    issued = factories.registration_in("issued", license=license, registrant_role="operator")
    for _ in range(2):
        sweep_at(moment(issued.expires_on - D(days=90)))
    with at(issued.expires_on - D(days=14)):
        late = factories.registration(license)
    for _ in range(2):  # the expiry window, and the acceptance of `late` overdue
        sweep_at(moment(issued.expires_on - D(days=7)))
    subjects = [message.subject for message in mailoutbox]
    assert len(subjects) == 3, subjects
    assert sum("renewal may be filed" in subject for subject in subjects) == 1
    assert sum("expires after" in subject for subject in subjects) == 1
    assert sum("acceptance overdue" in subject and late.name in subject for subject in subjects) == 1
    assert set(RegistrationReminder.objects.values_list("state", flat=True)) == {"sent"}


def test_a_reminder_whose_registration_moved_on_is_not_sent(mailoutbox):
    from tests.outbox_support import sweep_at

    late = factories.registration_in("applied")
    later = timezone.localdate() + D(days=10)
    with at(later):
        registration_reminders.create_due_reminders(later, timezone.now())
        registrations.act(late, "accept", actor=None, expected_version=late.version)
    sweep_at(moment(later))
    assert mailoutbox == []
    assert RegistrationReminder.objects.get().state == "cancelled"
