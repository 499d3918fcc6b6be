"""Edits, amendments and renewal through the lifecycle service, and the version rule."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from licensing import lifecycle, writes
from licensing.choices import LicenseStatus
from licensing.dates import local_today
from licensing.exceptions import InvalidLicense, LicenseClosed, ReasonRequired, StaleVersion
from licensing.models import License, LicenseEvent

from . import factories

pytestmark = pytest.mark.django_db
S = LicenseStatus
D = datetime.timedelta


def test_draft_edit_records_the_diff():
    license = factories.draft(title="Old title", data_domains=["health"])
    lifecycle.edit(
        license,
        {"title": "New title", "data_domains": ["health", "transport"], "consideration": Decimal("12.50")},
        actor=None,
        expected_version=license.version,
    )
    license.refresh_from_db()
    assert license.title == "New title"
    assert license.version == 2
    assert sorted(license.data_domains.values_list("code", flat=True)) == ["health", "transport"]
    event = license.events.latest("id")
    assert event.action == "edit"
    assert event.changes == {
        "title": ["Old title", "New title"],
        "consideration": [None, "12.50"],
        "data_domains": [["health"], ["health", "transport"]],
    }


def test_edit_that_changes_nothing_writes_nothing():
    license = factories.draft(title="Same")
    lifecycle.edit(license, {"title": "Same"}, actor=None, expected_version=license.version)
    assert license.version == 1
    assert license.events.count() == 1


@pytest.mark.parametrize("status", [S.GRANTED, S.ACTIVE, S.SUSPENDED])
def test_in_force_licenses_change_only_by_amendment_with_reason(status):
    license = factories.license_in(status)
    with pytest.raises(ReasonRequired) as refused:
        lifecycle.edit(license, {"scope": "Wider scope."}, actor=None, expected_version=license.version)
    assert "amendment" in str(refused.value)
    license.refresh_from_db()
    assert license.scope != "Wider scope."
    lifecycle.edit(
        license,
        {"scope": "Wider scope."},
        actor=None,
        expected_version=license.version,
        reason="Agreement §3.",
    )
    event = license.events.latest("id")
    assert (event.action, event.reason, event.from_status, event.to_status) == (
        "amend",
        "Agreement §3.",
        status,
        status,
    )


@pytest.mark.parametrize("status", sorted(S.terminal()))
def test_ended_licenses_cannot_be_edited(status):
    license = factories.license_in(status)
    with pytest.raises(LicenseClosed, match="can no longer be changed"):
        lifecycle.edit(license, {"title": "x"}, actor=None, expected_version=license.version, reason="r")


def test_stale_version_is_refused_and_nothing_written():
    license = factories.license_in(S.ACTIVE)
    seen = license.version
    other_tab = License.objects.get(pk=license.pk)
    lifecycle.transition(other_tab, "suspend", actor=None, reason="First.", expected_version=seen)
    events = LicenseEvent.objects.count()
    with pytest.raises(StaleVersion) as refused:
        lifecycle.transition(license, "revoke", actor=None, reason="Second.", expected_version=seen)
    assert refused.value.current == seen + 1
    assert "changed by someone else since you opened it" in str(refused.value)
    assert "version" in refused.value.errors
    with pytest.raises(StaleVersion):
        lifecycle.edit(license, {"scope": "x"}, actor=None, expected_version=seen, reason="r")
    license.refresh_from_db()
    assert (license.status, license.version) == (S.SUSPENDED, seen + 1)
    assert LicenseEvent.objects.count() == events


def test_term_end_before_start_names_the_field_and_writes_nothing():
    start = local_today()
    licenses, events = License.objects.count(), LicenseEvent.objects.count()
    with pytest.raises(InvalidLicense) as refused:
        factories.draft(term_start=start, term_end=start - D(days=1))
    assert refused.value.errors == {"term_end": ["The term cannot end before it starts."]}
    assert (License.objects.count(), LicenseEvent.objects.count()) == (licenses, events)


def test_term_longer_than_the_maximum_needs_a_reason():
    start = datetime.date(2024, 3, 1)
    ok = factories.draft(term_start=start, term_end=datetime.date(2029, 2, 28))
    assert ok.pk
    with pytest.raises(InvalidLicense) as refused:
        factories.draft(term_start=start, term_end=datetime.date(2029, 3, 1))
    assert list(refused.value.errors) == ["term_exception_reason"]
    assert "2029-02-28" in refused.value.errors["term_exception_reason"][0]
    longer = factories.draft(
        term_start=start, term_end=datetime.date(2034, 2, 28), term_exception_reason="State Council approval."
    )
    assert longer.pk


def test_term_rule_on_29_february_and_configured_maximum(settings):
    start = datetime.date(2024, 2, 29)
    with pytest.raises(InvalidLicense):
        factories.draft(term_start=start, term_end=datetime.date(2029, 2, 28))
    assert factories.draft(term_start=start, term_end=datetime.date(2029, 2, 27)).pk
    settings.LICENSING_MAX_TERM_YEARS = 2
    with pytest.raises(InvalidLicense, match="correct the fields"):
        factories.draft(term_start=datetime.date(2024, 1, 1), term_end=datetime.date(2026, 1, 1))


def test_amendment_cannot_break_the_term_rule():
    license = factories.license_in(S.ACTIVE)
    with pytest.raises(InvalidLicense) as refused:
        lifecycle.edit(
            license,
            {"term_end": license.term_start + D(days=5 * 366)},
            actor=None,
            expected_version=license.version,
            reason="Extension.",
        )
    assert "term_exception_reason" in refused.value.errors
    license.refresh_from_db()
    assert license.events.filter(action="amend").count() == 0


def test_operator_is_required_once_granted():
    license = factories.license_in(S.ACTIVE)
    with pytest.raises(InvalidLicense) as refused:
        lifecycle.edit(license, {"operator": None}, actor=None, expected_version=license.version, reason="r")
    assert "operator" in refused.value.errors


def test_service_fields_cannot_be_set_through_edit():
    license = factories.draft()
    with pytest.raises(InvalidLicense) as refused:
        lifecycle.edit(
            license, {"status": "active", "version": 9}, actor=None, expected_version=license.version
        )
    assert set(refused.value.errors) == {"status", "version"}
    license.refresh_from_db()
    assert (license.status, license.version) == (S.DRAFT, 1)


def test_unknown_data_domain_is_refused():
    with pytest.raises(InvalidLicense) as refused:
        factories.draft(data_domains=["astrology"])
    assert "data_domains" in refused.value.errors


def test_renew_creates_a_granted_successor_that_follows_on():
    license = factories.license_in(S.ACTIVE)
    successor = lifecycle.renew(
        license, term_end=license.term_end + D(days=365), actor=None, expected_version=license.version
    )
    assert successor.status == S.GRANTED
    assert successor.predecessor == license
    assert successor.term_start == license.term_end + D(days=1)
    assert successor.number != license.number
    assert successor.operator == license.operator
    assert list(successor.data_domains.all()) == list(license.data_domains.all())
    license.refresh_from_db()
    assert license.status == S.ACTIVE
    assert license.successor == successor
    assert license.events.latest("id").changes == {"successor": [None, successor.number]}
    assert successor.events.get().changes == {"predecessor": [None, license.number]}


def test_renew_refuses_a_gap_a_second_renewal_and_inactive_licenses():
    license = factories.license_in(S.ACTIVE)
    with pytest.raises(InvalidLicense) as refused:
        lifecycle.renew(
            license,
            term_start=license.term_end + D(days=3),
            term_end=license.term_end + D(days=300),
            actor=None,
            expected_version=license.version,
        )
    assert "term_start" in refused.value.errors
    lifecycle.renew(
        license, term_end=license.term_end + D(days=300), actor=None, expected_version=license.version
    )
    with pytest.raises(LicenseClosed, match="already renewed"):
        lifecycle.renew(
            license, term_end=license.term_end + D(days=300), actor=None, expected_version=license.version
        )
    suspended = factories.license_in(S.SUSPENDED)
    with pytest.raises(Exception, match="cannot be given the action 'renew'"):
        lifecycle.renew(
            suspended,
            term_end=suspended.term_end + D(days=30),
            actor=None,
            expected_version=suspended.version,
        )


def test_an_edit_that_only_restates_a_value_writes_nothing():
    license = factories.draft(consideration=Decimal("100.00"))
    lifecycle.edit(license, {"consideration": "100"}, actor=None, expected_version=license.version)
    assert (license.version, license.events.count()) == (1, 1)


def test_bad_value_in_an_edit_names_the_field():
    license = factories.draft()
    with pytest.raises(InvalidLicense) as refused:
        lifecycle.edit(license, {"consideration": "a lot"}, actor=None, expected_version=license.version)
    assert list(refused.value.errors) == ["consideration"]


def test_a_grant_dated_after_its_term_has_ended_is_refused():
    # Recorded today with no day given, the grant would be dated after the term's last day: a license
    # that never was in force. The regulator is asked for the day it was granted; nothing is written.
    today = local_today()
    license = factories.draft(**factories.with_term(today - D(days=100), 30))
    with pytest.raises(InvalidLicense) as refused:
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    assert "occurred_on" in refused.value.errors
    license.refresh_from_db()
    assert license.status == S.DRAFT
    assert list(license.events.values_list("action", flat=True)) == ["create"]


def test_granting_a_term_that_has_already_ended_records_each_event_on_its_day():
    today = local_today()
    license = factories.draft(**factories.with_term(today - D(days=100), 30))
    granted_on = today - D(days=110)
    lifecycle.transition(
        license, "grant", actor=None, expected_version=license.version, occurred_on=granted_on
    )
    assert license.status == S.EXPIRED
    assert list(license.events.order_by("id").values_list("action", "occurred_on")) == [
        ("create", today),
        ("grant", granted_on),
        ("activate", license.term_start),
        ("expire", license.term_end + D(days=1)),
    ]


def test_a_license_in_force_cannot_have_its_start_moved_into_the_future():
    license = factories.license_in(S.ACTIVE)
    with pytest.raises(InvalidLicense) as refused:
        lifecycle.edit(
            license,
            {"term_start": local_today() + D(days=3)},
            actor=None,
            expected_version=license.version,
            reason="r",
        )
    assert "term_start" in refused.value.errors


def test_a_renewed_license_keeps_its_end_next_to_its_successor():
    license = factories.license_in(S.ACTIVE)
    successor = lifecycle.renew(
        license, term_end=license.term_end + D(days=300), actor=None, expected_version=license.version
    )
    with pytest.raises(InvalidLicense) as refused:
        lifecycle.edit(
            license,
            {"term_end": license.term_end + D(days=30)},
            actor=None,
            expected_version=license.version,
            reason="Extension.",
        )
    assert successor.number in refused.value.errors["term_end"][0]


def test_a_withdrawn_successor_frees_the_predecessor():
    license = factories.license_in(S.ACTIVE)
    first = lifecycle.renew(
        license, term_end=license.term_end + D(days=300), actor=None, expected_version=license.version
    )
    lifecycle.transition(
        first, "withdraw", actor=None, reason="Operator declined.", expected_version=first.version
    )
    assert license.successor is None
    second = lifecycle.renew(
        license, term_end=license.term_end + D(days=200), actor=None, expected_version=license.version
    )
    assert license.successor == second
    lifecycle.transition(
        second, "withdraw", actor=None, reason="Declined again.", expected_version=second.version
    )
    with time_machine.travel(license.term_end + D(days=1), tick=False):
        lifecycle.transition(license, "expire", actor=None, expected_version=license.version)
    assert license.status == S.EXPIRED


def test_the_save_refuses_a_row_changed_under_it(monkeypatch):
    """The compare-and-set in the save holds even if the lock did not (the version is the last guard)."""
    license = factories.license_in(S.ACTIVE)
    stale_copy = License.objects.get(pk=license.pk)
    License.objects.filter(pk=license.pk).update(version=license.version + 1)
    monkeypatch.setattr(writes, "lock", lambda license, expected_version: stale_copy)
    events = LicenseEvent.objects.count()
    with pytest.raises(StaleVersion):
        lifecycle.transition(license, "suspend", actor=None, reason="r")
    license.refresh_from_db()
    assert license.status == S.ACTIVE
    assert LicenseEvent.objects.count() == events
