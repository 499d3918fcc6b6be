"""Expiry reminders with frozen time: each window fires once, catch-up, renewal, amended term ends, the
Asia/Shanghai day boundary, the sweep's record of its runs, and its query counts."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from licensing import lifecycle, notifications, outbox, reminders
from licensing.models import ExpiryReminder, License, OutboxState
from licensing.sweep import last_sweep, run_full_sweep

from . import factories
from .outbox_support import OPERATOR_EMAIL, REGULATOR_EMAIL, D, active_license, shanghai, sweep_at

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


def windows_of(license, term_end=None):
    rows = ExpiryReminder.objects.filter(license=license).order_by("created_at", "id")
    if term_end is not None:
        rows = rows.filter(term_end=term_end)
    return [(row.window_days, row.state) for row in rows]


def test_each_window_fires_once_on_its_day(mailoutbox):
    end = TODAY + D(days=100)
    license = active_license(TODAY, end)
    sent_on_days_left = []
    for offset in range(101):
        day = TODAY + D(days=offset)
        before = len(mailoutbox)
        sweep_at(shanghai(day))
        sent_on_days_left += [(end - day).days] * (len(mailoutbox) - before)
    assert sent_on_days_left == [90, 30, 7]
    assert windows_of(license) == [(90, "sent"), (30, "sent"), (7, "sent")]
    for email in mailoutbox:
        assert email.to == [OPERATOR_EMAIL]
        assert email.cc == [REGULATOR_EMAIL]
        assert license.number in email.subject


def test_sweep_run_twice_sends_nothing_new(mailoutbox):
    license = active_license(TODAY, TODAY + D(days=25))
    first = sweep_at(shanghai(TODAY))
    assert (first.reminders, first.enqueued, len(mailoutbox)) == (1, 1, 1)
    for moment in (shanghai(TODAY), shanghai(TODAY, 10), shanghai(TODAY + D(days=1))):
        again = sweep_at(moment)
        assert (again.reminders, again.enqueued) == (0, 0)
    assert len(mailoutbox) == 1
    assert windows_of(license) == [(30, "sent")]


def test_catch_up_after_downtime_sends_one_reminder_for_the_nearest_window(mailoutbox):
    end = TODAY + D(days=100)
    license = active_license(TODAY, end)
    sweep_at(shanghai(end - D(days=90)))
    assert windows_of(license) == [(90, "sent")]
    # No sweep for two months: the 30-day window passes unseen, and only the 7-day one is owed now.
    sweep_at(shanghai(end - D(days=5)))
    assert windows_of(license) == [(90, "sent"), (7, "sent")]
    assert len(mailoutbox) == 2
    assert "5 days" in mailoutbox[-1].subject
    for day in range(4, -1, -1):
        sweep_at(shanghai(end - D(days=day)))
    assert len(mailoutbox) == 2


def test_a_license_activated_inside_a_window_gets_that_window_only(mailoutbox):
    start = TODAY + D(days=3)
    with time_machine.travel(shanghai(TODAY), tick=False):
        license = factories.draft(
            **factories.with_term(start, 20, operator=factories.operator(contact_emails=OPERATOR_EMAIL))
        )
        with notifications.suppressed():  # set-up: only the reminder's email is counted below
            lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    sweep_at(shanghai(TODAY))
    assert windows_of(license) == []  # granted, not yet in force
    sweep_at(shanghai(start))
    license.refresh_from_db()
    assert license.status == "active"
    assert windows_of(license) == [(30, "sent")]
    assert len(mailoutbox) == 1


def test_renewal_restarts_the_cycle_and_the_predecessor_gets_no_more(mailoutbox):
    end = TODAY + D(days=40)
    license = active_license(TODAY, end)
    sweep_at(shanghai(end - D(days=30)))
    assert windows_of(license) == [(30, "sent")]
    with time_machine.travel(shanghai(end - D(days=20)), tick=False):
        successor = lifecycle.renew(
            license, term_end=end + D(days=365), actor=None, expected_version=license.version
        )
    for day in (7, 3, 0):
        sweep_at(shanghai(end - D(days=day)))
    assert windows_of(license) == [(30, "sent")]
    sweep_at(shanghai(end + D(days=1)))
    license.refresh_from_db()
    successor.refresh_from_db()
    assert (license.status, successor.status) == ("renewed", "active")
    assert windows_of(successor) == []
    sweep_at(shanghai(successor.term_end - D(days=90)))
    assert windows_of(successor) == [(90, "sent")]
    assert successor.number in mailoutbox[-1].subject
    # Two reminders (one per cycle) and the notice of the renewal itself.
    assert len(mailoutbox) == 3
    assert ExpiryReminder.objects.filter(license__in=[license, successor], state="sent").count() == 2


def test_a_pending_reminder_of_a_license_renewed_meanwhile_is_not_sent(mailoutbox):
    end = TODAY + D(days=6)
    license = active_license(TODAY, end)
    with time_machine.travel(shanghai(TODAY), tick=False):
        run_full_sweep()  # records the reminder; its send task never ran (the test transaction never commits)
        successor = lifecycle.renew(
            license, term_end=end + D(days=365), actor=None, expected_version=license.version
        )
        reminder = ExpiryReminder.objects.get(license=license)
        assert outbox.deliver("expiry_reminder", reminder.pk) == "not needed"
    reminder.refresh_from_db()
    assert reminder.state == OutboxState.CANCELLED
    assert successor.number in reminder.last_error
    assert mailoutbox == []


def test_amended_term_end_starts_a_fresh_cycle(mailoutbox):
    end = TODAY + D(days=30)
    license = active_license(TODAY, end)
    sweep_at(shanghai(end - D(days=7)))
    assert windows_of(license) == [(7, "sent")]
    new_end = end + D(days=60)
    with time_machine.travel(shanghai(end - D(days=6)), tick=False):
        lifecycle.edit(
            license,
            {"term_end": new_end},
            actor=None,
            expected_version=license.version,
            reason="Term extended by supplementary agreement.",
        )
    sweep_at(shanghai(end - D(days=6)))
    # 66 days left of the new term: its cycle starts with the 90-day window.
    assert windows_of(license, new_end) == [(90, "sent")]
    sweep_at(shanghai(new_end - D(days=30)))
    sweep_at(shanghai(new_end - D(days=7)))
    assert windows_of(license, new_end) == [(90, "sent"), (30, "sent"), (7, "sent")]
    assert windows_of(license, end) == [(7, "sent")]
    assert len(mailoutbox) == 4
    assert new_end.isoformat() in mailoutbox[-1].body


def test_a_reminder_for_the_old_term_end_is_not_sent_after_an_amendment(mailoutbox):
    end = TODAY + D(days=20)
    license = active_license(TODAY, end)
    with time_machine.travel(shanghai(TODAY), tick=False):
        run_full_sweep()
        lifecycle.edit(
            license,
            {"term_end": end + D(days=200)},
            actor=None,
            expected_version=license.version,
            reason="Term extended.",
        )
        reminder = ExpiryReminder.objects.get(license=license, term_end=end)
        assert outbox.deliver("expiry_reminder", reminder.pk) == "not needed"
    reminder.refresh_from_db()
    assert reminder.state == OutboxState.CANCELLED
    assert (end + D(days=200)).isoformat() in reminder.last_error
    assert mailoutbox == []


def test_activation_happens_at_midnight_in_shanghai_not_utc(mailoutbox):
    start = datetime.date(2026, 12, 1)
    with time_machine.travel(shanghai(start - D(days=5)), tick=False):
        license = factories.draft(**factories.with_term(start, 200))
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    sweep_at(shanghai(start - D(days=1), 23, 59, 59))
    license.refresh_from_db()
    assert license.status == "granted"
    # 2026-11-30 16:00 UTC: still the 30th in UTC, already 1 December in Shanghai.
    moment = shanghai(start, 0, 0, 0)
    assert moment == datetime.datetime(2026, 11, 30, 16, 0, tzinfo=datetime.UTC)
    sweep_at(moment)
    license.refresh_from_db()
    assert license.status == "active"
    assert license.events.get(action="activate").occurred_on == start


def test_expiry_happens_at_midnight_in_shanghai_after_the_last_day(mailoutbox):
    end = datetime.date(2026, 12, 31)
    license = active_license(end - D(days=100), end)
    sweep_at(shanghai(end, 23, 59, 59))
    license.refresh_from_db()
    assert license.status == "active"
    sweep_at(shanghai(end + D(days=1), 0, 0, 0))
    license.refresh_from_db()
    assert license.status == "expired"
    assert license.events.get(action="expire").occurred_on == end + D(days=1)


def test_a_window_opens_at_midnight_in_shanghai(mailoutbox):
    end = datetime.date(2026, 12, 31)
    license = active_license(end - D(days=20), end)
    sweep_at(shanghai(end - D(days=20)))
    assert windows_of(license) == [(30, "sent")]
    sweep_at(shanghai(end - D(days=8), 23, 59, 59))
    assert windows_of(license) == [(30, "sent")]
    sweep_at(shanghai(end - D(days=7), 0, 0, 0))
    assert windows_of(license) == [(30, "sent"), (7, "sent")]
    assert "7 days" in mailoutbox[-1].subject


def test_last_day_reminder_says_so(mailoutbox):
    end = TODAY + D(days=40)
    license = active_license(TODAY, end)
    sweep_at(shanghai(end))
    assert windows_of(license) == [(7, "sent")]
    assert "today is its last day in force" in mailoutbox[0].subject


def test_windows_follow_the_setting(settings, mailoutbox):
    settings.LICENSING_REMINDER_DAYS = [60, 14]
    end = TODAY + D(days=70)
    license = active_license(TODAY, end)
    for offset in range(71):
        sweep_at(shanghai(TODAY + D(days=offset)))
    assert windows_of(license) == [(60, "sent"), (14, "sent")]


def test_licenses_not_in_force_get_no_reminders(mailoutbox):
    with time_machine.travel(shanghai(TODAY), tick=False):
        for status in ("draft", "listed", "withdrawn", "revoked", "terminated"):
            factories.license_in(status)
        suspended = factories.license_in("suspended")
    sweep_at(shanghai(TODAY))
    assert list(ExpiryReminder.objects.values_list("license_id", flat=True)) == [suspended.pk]


def test_sweep_records_when_it_ran():
    assert last_sweep() is None
    moment = shanghai(TODAY, 10)
    sweep_at(moment)
    record = last_sweep()
    assert (record.started_at, record.finished_at) == (moment, moment)
    assert record.summary["reminders"] == 0
    later = shanghai(TODAY, 11)
    active_license(TODAY, TODAY + D(days=3))
    sweep_at(later)
    record = last_sweep()
    assert record.finished_at == later
    assert record.summary["reminders"] == 1
    assert type(record).objects.count() == 1


def test_sweep_command_runs_the_whole_sweep_and_says_what_it_did(mailoutbox):
    active_license(TODAY, TODAY + D(days=3))
    out = io.StringIO()
    with time_machine.travel(shanghai(TODAY), tick=False):
        call_command("sweep", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Sweep done: activated 0, expired 0, ended as renewed 0, skipped 0")
    assert lines[1:] == ["Reminders recorded 1; emails enqueued 1."]
    assert last_sweep() is not None


def test_idle_sweep_queries_do_not_grow_with_licenses(django_assert_max_num_queries):
    for _ in range(3):
        active_license(TODAY, TODAY + D(days=400))
    with time_machine.travel(shanghai(TODAY), tick=False), django_assert_max_num_queries(19):
        run_full_sweep()
    for _ in range(20):
        active_license(TODAY, TODAY + D(days=400))
    # Expiry (twice: before and after activation), activation, reminders, disclosure reminders (TODAY is
    # in March, when they are owed), the alert digests, seven outbox kinds and the heartbeat: one query
    # each; the registrations' cancellation and four kinds of reminders, one each.
    with time_machine.travel(shanghai(TODAY), tick=False), django_assert_max_num_queries(19):
        run_full_sweep()


def test_sweep_queries_grow_with_due_reminders_by_the_batch(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(reminders, "BATCH_SIZE", 5)
    monkeypatch.setattr(outbox, "BATCH_SIZE", 5)
    for days in range(12):
        active_license(TODAY, TODAY + D(days=days * 7))
    for _ in range(10):
        active_license(TODAY, TODAY + D(days=400))
    # 12 reminders owed: reminders 3 reads + 3 inserts; outbox 3 reads of reminders + 1 of notifications
    # + 1 of registration reminders + 1 of disclosure reminders + 2 of alerts (confirmations, digests)
    # + 1 of webhook deliveries; disclosure reminders 1 read (none owed: TODAY is in March, but the
    # licenses were not in force last year); expiry 2 and activation 1; the heartbeat 1; registrations 5
    # (none due); alert digests 1 (no subscription). The send tasks run after the commit, outside.
    with time_machine.travel(shanghai(TODAY), tick=False), django_assert_num_queries(26):
        report = run_full_sweep()
    assert (report.reminders, report.enqueued) == (12, 12)
    assert License.objects.count() == 22


def test_reminders_resume_when_the_successor_is_withdrawn_before_it_takes_over(mailoutbox):
    end = TODAY + D(days=40)
    license = active_license(TODAY, end)
    with time_machine.travel(shanghai(TODAY), tick=False):
        successor = lifecycle.renew(
            license, term_end=end + D(days=365), actor=None, expected_version=license.version
        )
    sweep_at(shanghai(end - D(days=30)))
    assert windows_of(license) == []
    with time_machine.travel(shanghai(end - D(days=20)), tick=False):
        lifecycle.transition(
            successor,
            "withdraw",
            actor=None,
            reason="Agreement not signed.",
            expected_version=successor.version,
        )
    sweep_at(shanghai(end - D(days=20)))
    assert windows_of(license) == [(30, "sent")]
