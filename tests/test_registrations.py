"""Registrations (登记): the working-day calendar, the procedure's state machine, validity and renewal,
query codes and objections, through licensing.registrations as the admin and the API use it."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from licensing import registrations, workdays
from licensing.choices import ObjectionState, RegistrationAction, RegistrationStatus
from licensing.exceptions import (
    InvalidRegistration,
    NotDue,
    ObjectionClosed,
    ReasonRequired,
    RegistrationActionNotAllowed,
    RegistrationStale,
)
from licensing.models import RegistrationEvent
from licensing.registration_codes import CODE_PATTERN, code_error, normalize
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def at(day: datetime.date):
    """Time frozen at 10:00 Beijing time on `day`."""
    moment = datetime.datetime.combine(day, datetime.time(2), tzinfo=datetime.UTC)
    return time_machine.travel(moment, tick=False)


# The calendar ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "weekends_only"),
    [
        # National Day 2025: 1-8 October off; Sunday 28 September and Saturday 11 October worked.
        (datetime.date(2025, 9, 26), datetime.date(2025, 10, 15), datetime.date(2025, 10, 9)),
        # Spring Festival 2026: 15-23 February off; Saturdays 14 and 28 February worked.
        (datetime.date(2026, 2, 12), datetime.date(2026, 3, 3), datetime.date(2026, 2, 25)),
    ],
    ids=["national-day-2025", "spring-festival-2026"],
)
def test_notice_last_day_counts_holidays_and_make_up_saturdays(first, last, weekends_only):
    with at(first):
        reg = factories.registration_in("under_review")
        registrations.act(reg, "start_notice", actor=None, expected_version=reg.version)
    assert reg.notice_ends_on == last
    assert reg.notice_ends_on != weekends_only  # what a weekends-only count would have said
    assert not reg.notice_ends_estimated


def test_make_up_saturday_counts_and_holiday_weekday_does_not():
    assert workdays.is_working_day(datetime.date(2025, 10, 11))  # Saturday, worked
    assert workdays.is_working_day(datetime.date(2026, 2, 28))  # Saturday, worked
    assert not workdays.is_working_day(datetime.date(2025, 10, 6))  # Monday, National Day
    assert not workdays.is_working_day(datetime.date(2026, 2, 17))  # Tuesday, Spring Festival


def test_a_day_in_a_year_the_calendar_does_not_know_is_marked_estimated():
    unknown = workdays.known_years().stop  # the first year after the published ones
    start = datetime.date(unknown, 1, 1)
    day = workdays.nth_working_day_from(start, 10)
    assert day.estimated
    # Weekends only: ten weekdays from 1 January.
    expected = [start + D(days=n) for n in range(31) if (start + D(days=n)).weekday() < 5][9]
    assert day.day == expected
    assert not workdays.nth_working_day_from(datetime.date(2026, 3, 2), 10).estimated


def test_notice_crossing_into_an_unknown_year_is_estimated_on_the_public_page(client):
    last_known = workdays.known_years().stop - 1
    with at(datetime.date(last_known, 12, 24)):
        reg = factories.registration_in("under_review")
        registrations.act(reg, "start_notice", actor=None, expected_version=reg.version)
        assert reg.notice_ends_estimated
        page = client.get(f"/registrations/{reg.pk}/")
    assert "estimated" in page.content.decode()


def test_overdue_threshold_matches_the_deadline():
    today = datetime.date(2025, 10, 10)
    threshold = workdays.latest_overdue_start(today, 3)
    assert workdays.add_working_days(threshold, 3).day < today
    assert workdays.add_working_days(threshold + D(days=1), 3).day >= today


# The state machine ------------------------------------------------------------------------------------

PAIRS = [(status, action) for status in RegistrationStatus for action in RegistrationAction]


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s.value}-{a.value}" for s, a in PAIRS])
def test_every_state_and_action(status, action):
    reg = factories.registration_in(status)
    sources, target = registrations.TRANSITIONS[action]
    day = timezone.localdate()
    if action == RegistrationAction.RENEW and status == RegistrationStatus.ISSUED:
        day = reg.expires_on - D(days=10)  # inside the renewal window
    if action == RegistrationAction.ISSUE and status == RegistrationStatus.IN_NOTICE:
        day = reg.notice_ends_on + D(days=1)  # the notice is over
    with at(day):
        if status not in sources:
            with pytest.raises(RegistrationActionNotAllowed):
                registrations.act(reg, action, actor=None, expected_version=reg.version, reason="r")
            reg.refresh_from_db()
            assert reg.status == status
            return
        registrations.act(reg, action, actor=None, expected_version=reg.version, reason="Because.")
    reg.refresh_from_db()
    assert reg.status == target
    event = RegistrationEvent.objects.filter(registration=reg).last()
    assert (event.action, event.from_status, event.to_status) == (action, status, target)
    assert event.occurred_on == day


def test_reason_is_required_where_the_rule_says():
    reg = factories.registration_in("in_notice")
    with pytest.raises(ReasonRequired):
        registrations.act(reg, "terminate", actor=None, expected_version=reg.version)
    reg.refresh_from_db()
    assert reg.status == "in_notice"


def test_stale_version_is_refused():
    reg = factories.registration()
    with pytest.raises(RegistrationStale):
        registrations.act(reg, "accept", actor=None, expected_version=reg.version + 1)


def test_resubmission_restarts_the_clock():
    reg = factories.registration_in("returned")
    before = reg.applied_on
    registrations.act(reg, "resubmit", actor=None, expected_version=reg.version)
    assert reg.applied_on == timezone.localdate() > before
    assert registrations.acceptance_due(reg).day > timezone.localdate()


def test_code_is_not_issued_before_the_notice_ends_nor_with_an_objection_pending():
    reg = factories.registration_in("in_notice")
    with pytest.raises(NotDue, match="runs until"):
        registrations.act(reg, "issue", actor=None, expected_version=reg.version)
    registrations.file_objection(
        reg,
        name="张三",
        contact="zhang@example.org",
        reasons="Not theirs.",
        evidence=PDF,
        evidence_name="a.pdf",
    )
    with at(reg.notice_ends_on + D(days=1)), pytest.raises(NotDue, match="objection"):
        registrations.act(reg, "issue", actor=None, expected_version=reg.version)


def test_effective_day_cannot_precede_the_previous_step_nor_be_in_the_future():
    reg = factories.registration_in("under_review")
    with pytest.raises(InvalidRegistration) as error:
        registrations.act(
            reg,
            "start_notice",
            actor=None,
            expected_version=reg.version,
            occurred_on=reg.applied_on - D(days=1),
        )
    assert "occurred_on" in error.value.errors
    with pytest.raises(InvalidRegistration):
        registrations.act(
            reg,
            "start_notice",
            actor=None,
            expected_version=reg.version,
            occurred_on=timezone.localdate() + D(1),
        )


def test_application_needs_a_license_in_force_and_its_registrant():
    license = factories.license_in("active")  # no implementing body
    with pytest.raises(InvalidRegistration) as error:
        factories.registration(license)
    assert "registrant_role" in error.value.errors
    with pytest.raises(InvalidRegistration) as error:
        factories.registration(factories.license_in("withdrawn", implementing_body=factories.authority()))
    assert "license" in error.value.errors


# Codes, validity and renewal -------------------------------------------------------------------------


def test_issued_code_follows_the_documented_format_and_is_unique():
    first = factories.registration_in("issued")
    second = factories.registration_in("issued", license=first.license)
    import re

    for reg in (first, second):
        assert re.fullmatch(CODE_PATTERN, reg.code)
        assert code_error(reg.code) is None
        assert code_error(normalize(reg.code.lower())) is None
    assert first.code != second.code
    assert first.code.startswith(f"DJ-{first.license.grantor.division_code}-{first.issued_on.year}-R")


def test_validity_is_three_years_or_the_license_term_if_sooner():
    reg = factories.registration_in("issued")
    assert reg.expires_on == reg.issued_on.replace(year=reg.issued_on.year + 3) - D(days=1)
    short = factories.registrable_license()
    short.term_end = timezone.localdate() + D(days=100)
    type(short).objects.filter(pk=short.pk).update(term_end=short.term_end)
    reg = factories.registration_in("issued", license=short)
    assert reg.expires_on == short.term_end


@pytest.mark.parametrize(("days_before", "allowed"), [(61, False), (60, True), (0, True), (-1, False)])
def test_renewal_window_edges(days_before, allowed):
    long = factories.registrable_license(
        term_end=timezone.localdate() + D(days=7 * 365), term_exception_reason="Approved for seven years."
    )
    reg = factories.registration_in("issued", license=long)
    expires = reg.expires_on
    with at(expires - D(days=days_before)):
        if not allowed:
            with pytest.raises(NotDue):
                registrations.act(reg, "renew", actor=None, expected_version=reg.version)
            return
        registrations.act(reg, "renew", actor=None, expected_version=reg.version)
    # Three years from the day after the old expiry.
    assert reg.expires_on == (expires + D(days=1)).replace(year=expires.year + 3) - D(days=1)
    event = RegistrationEvent.objects.filter(registration=reg).last()
    assert (event.action, event.occurred_on) == ("renew", expires - D(days=days_before))
    assert event.changes == {"expires_on": [expires.isoformat(), reg.expires_on.isoformat()]}


def test_renewal_stops_at_the_license_term_end():
    reg = factories.registration_in("issued")  # the license runs four years
    with at(reg.expires_on - D(days=5)):
        registrations.act(reg, "renew", actor=None, expected_version=reg.version)
    assert reg.expires_on == reg.license.term_end


# Objections ------------------------------------------------------------------------------------------


def test_upholding_an_objection_terminates_the_registration():
    reg = factories.registration_in("in_notice")
    objection = registrations.file_objection(
        reg,
        name="李四",
        contact="li@example.org",
        reasons="Data not theirs.",
        evidence=PDF,
        evidence_name="e.pdf",
    )
    regulator = factories.user(is_superuser=True, is_staff=True)
    registrations.decide_objection(objection, actor=regulator, uphold=True, note="Evidence is convincing.")
    reg.refresh_from_db()
    objection.refresh_from_db()
    assert (reg.status, objection.state) == ("terminated", ObjectionState.UPHELD)
    assert RegistrationEvent.objects.filter(registration=reg).last().reason == "Evidence is convincing."
    with pytest.raises(ObjectionClosed):
        registrations.decide_objection(objection, actor=regulator, uphold=False, note="again")


def test_objection_refused_outside_the_notice_and_for_content_that_is_not_evidence():
    reg = factories.registration_in("issued")
    with pytest.raises(ObjectionClosed):
        registrations.file_objection(
            reg, name="王五", contact="w@example.org", reasons="r", evidence=PDF, evidence_name="e.pdf"
        )
    reg = factories.registration_in("in_notice")
    with pytest.raises(InvalidRegistration) as error:
        registrations.file_objection(
            reg,
            name="王五",
            contact="w@example.org",
            reasons="r",
            evidence=b"MZ\x90\x00",
            evidence_name="e.pdf",
        )
    assert "evidence" in error.value.errors


def test_events_are_append_only():
    from licensing.models.registrations import RegistrationEventImmutableError

    reg = factories.registration()
    event = RegistrationEvent.objects.get(registration=reg)
    with pytest.raises(RegistrationEventImmutableError):
        event.save()
    with pytest.raises(RegistrationEventImmutableError):
        RegistrationEvent.objects.filter(pk=event.pk).update(reason="rewritten")


@pytest.mark.postgres
def test_postgres_refuses_rewriting_a_registration_event_even_in_raw_sql():
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    reg = factories.registration()
    event = RegistrationEvent.objects.get(registration=reg)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE licensing_registrationevent SET reason = 'x' WHERE id = %s", [event.pk])
