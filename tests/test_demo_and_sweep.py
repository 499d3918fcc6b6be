"""The demo data as `make run` loads it, and the sweep that brings statuses up to date."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from licensing import cache, lifecycle, sweep, writes
from licensing.choices import DivisionLevel, LicenseStatus, RecordOrigin
from licensing.identifiers import is_valid_uscc
from licensing.models import Authority, License, LicenseEvent, Operator
from licensing.sweep import run_sweep

from . import factories
from .clock import TODAY

pytestmark = pytest.mark.django_db
D = datetime.timedelta


@pytest.fixture
def demo():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC), tick=False):
        call_command("load_demo", stdout=io.StringIO())
        run_sweep()
        yield


def test_hangzhou_ali_health_case_as_recorded(demo):
    license = License.objects.get(operator__name_en="Ali Health")
    assert license.grantor.division_code == "330100"
    assert license.origin == RecordOrigin.RECORDED
    assert license.status == LicenseStatus.EXPIRED
    assert (license.term_start, license.term_end) == (datetime.date(2023, 10, 1), datetime.date(2025, 9, 30))
    assert license.term_approximate
    assert "approximate" in license.remarks
    assert license.number == "330100-2023-0001"
    assert [code for code in license.data_domains.values_list("code", flat=True)] == ["health"]
    assert license.source_url_list
    days = list(license.events.values_list("action", "occurred_on"))
    assert days == [
        ("create", datetime.date(2023, 9, 28)),
        ("grant", datetime.date(2023, 10, 1)),
        ("activate", datetime.date(2023, 10, 1)),
        ("expire", datetime.date(2025, 10, 1)),
    ]
    assert license.operator.uscc == ""
    assert "not invent" in license.operator.uscc_note


def test_hengyang_listing_withdrawn_with_the_suspension_as_reason(demo):
    license = License.objects.get(grantor__division_code="430400")
    assert license.status == LicenseStatus.WITHDRAWN
    assert license.operator is None
    assert license.consideration == Decimal("1802441200.00")
    assert "保证金" in license.consideration_note and "Deposit" in license.consideration_note
    events = list(license.events.values_list("action", "occurred_on", "reason"))
    assert [e[:2] for e in events] == [
        ("create", datetime.date(2023, 11, 10)),
        ("list", datetime.date(2023, 11, 10)),
        ("withdraw", datetime.date(2023, 11, 15)),
    ]
    assert "暂停" in events[-1][2] and "suspended" in events[-1][2]


def test_invented_data_is_marked_and_covers_the_states_and_windows(demo):
    invented = License.objects.filter(origin=RecordOrigin.DEMO)
    assert invented.count() >= 12
    statuses = set(invented.values_list("status", flat=True))
    assert statuses >= {
        "draft",
        "listed",
        "granted",
        "active",
        "suspended",
        "expired",
        "renewed",
        "revoked",
        "terminated",
    }
    # One license in force has a term whose end is not published (no days left to count).
    in_force = invented.in_force().filter(term_end__isnull=False)
    assert invented.filter(status="active", term_end__isnull=True).count() == 1
    days_left = sorted((license.term_end - TODAY).days for license in in_force)
    assert any(0 <= d <= 7 for d in days_left)
    assert any(7 < d <= 30 for d in days_left)
    assert any(30 < d <= 90 for d in days_left)
    domains = set(invented.values_list("data_domains__code", flat=True))
    assert len(domains) >= 10
    for operator in Operator.objects.filter(origin=RecordOrigin.DEMO):
        # A code, or (one of them, to show it) a note saying that it is not published: never invented.
        assert is_valid_uscc(operator.uscc) or (not operator.uscc and operator.uscc_note), operator
        assert "示例" in operator.name
    levels = {authority.level for authority in Authority.objects.all()}
    assert levels == set(DivisionLevel)
    renewed = invented.get(status="renewed")
    assert renewed.successor.status == "active"


def test_demo_has_an_invented_registration_in_each_state(demo):
    from licensing.choices import RegistrationStatus
    from licensing.models import Objection, Registration

    shown = Registration.objects.filter(origin=RecordOrigin.DEMO)
    assert sorted(shown.values_list("status", flat=True)) == sorted(RegistrationStatus.values)
    assert all("示例" in name for name in shown.values_list("name", flat=True))
    assert Objection.objects.get().registration.status == RegistrationStatus.IN_NOTICE


def test_loading_again_changes_nothing(demo):
    counts = (
        License.objects.count(),
        LicenseEvent.objects.count(),
        Operator.objects.count(),
        Authority.objects.count(),
    )
    with time_machine.travel(datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC), tick=False):
        call_command("load_demo", stdout=io.StringIO())
    assert counts == (
        License.objects.count(),
        LicenseEvent.objects.count(),
        Operator.objects.count(),
        Authority.objects.count(),
    )


def test_load_demo_command_says_what_it_did(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    second = capsys.readouterr().out
    assert "created 15 authorities, 10 operators and 19 licenses" in first
    assert "created 7 products, 4 findings, 8 registrations and 15 annual disclosures" in first
    assert "created 0 authorities, 0 operators and 0 licenses; 19 licenses were already there" in second
    assert "created 0 products, 0 findings, 0 registrations and 0 annual disclosures" in second


def _granted(start, count):
    """`count` licenses granted for 30 days from `start`, to be activated then."""
    licenses = []
    for _ in range(count):
        license = factories.draft(**factories.with_term(start, 30))
        licenses.append(lifecycle.transition(license, "grant", actor=None, expected_version=license.version))
    return licenses


def test_sweep_activates_and_expires_on_the_right_days_and_is_idempotent():
    start = TODAY + D(days=1)
    with time_machine.travel(TODAY, tick=False):
        granted = factories.draft(**factories.with_term(start, 30))
        lifecycle.transition(granted, "grant", actor=None, expected_version=granted.version)
        assert run_sweep().activated == 0
    with time_machine.travel(start, tick=False):
        result = run_sweep()
        assert (result.activated, result.expired) == (1, 0)
        assert run_sweep().activated == 0
    granted.refresh_from_db()
    assert granted.status == "active"
    assert granted.events.get(action="activate").occurred_on == start
    with time_machine.travel(granted.term_end, tick=False):
        assert run_sweep().expired == 0
    late = granted.term_end + D(days=10)
    with time_machine.travel(late, tick=False):
        assert run_sweep().expired == 1
        assert run_sweep().expired == 0
    granted.refresh_from_db()
    assert granted.status == "expired"
    # Recorded on the day after the last day in force, even though the sweep ran later.
    assert granted.events.get(action="expire").occurred_on == granted.term_end + D(days=1)
    assert granted.events.get(action="expire").actor_repr == writes.SYSTEM_ACTOR_REPR


def test_sweep_ends_a_renewed_license_before_activating_its_successor():
    license = factories.license_in("active")
    successor = lifecycle.renew(
        license, term_end=license.term_end + D(days=100), actor=None, expected_version=license.version
    )
    with time_machine.travel(successor.term_start, tick=False):
        result = run_sweep()
    assert (result.renewed, result.activated) == (1, 1)
    license.refresh_from_db()
    successor.refresh_from_db()
    assert (license.status, successor.status) == ("renewed", "active")
    assert license.events.latest("id").id < successor.events.latest("id").id


def test_sweep_command_prints_what_it_did(capsys):
    call_command("sweep")
    assert (
        "Sweep done: activated 0, expired 0, ended as renewed 0, skipped 0, failed 0."
        in capsys.readouterr().out
    )


def test_sweep_queries_grow_with_due_licenses_not_with_all(django_assert_max_num_queries):
    for _ in range(5):
        factories.license_in("active")
    # One query per pass (expire, activate, expire again), whatever the number of licenses.
    with django_assert_max_num_queries(3):
        assert run_sweep().expired == 0


def test_sweep_queries_grow_by_the_group_of_due_licenses_not_by_the_license(
    monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(sweep, "COMMIT_EVERY", 10)
    with time_machine.travel(TODAY, tick=False):
        _granted(TODAY + D(days=1), 20)
        for _ in range(10):
            factories.license_in("active")
    # 30 due, in 3 groups. Each pass reads its due keys, and once more to find none left: 5. Each group
    # is a transaction (here a savepoint and its release) with the lock, the domains, the last effective
    # days, an update, the events and the active webhooks (8), and an expiring group also reads the
    # successors (9). The invalidation's read of the lines of renewals happens on commit, after the test.
    with time_machine.travel(TODAY + D(days=11), tick=False), django_assert_num_queries(5 + 9 + 8 * 2):
        result = run_sweep()
    assert (result.activated, result.expired) == (20, 10)
    assert License.objects.filter(status="active").count() == 20


def test_a_term_that_started_and_ended_during_downtime_is_activated_and_expired_in_one_sweep():
    with time_machine.travel(TODAY, tick=False):
        license = factories.draft(**factories.with_term(TODAY + D(days=1), 10))
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    with time_machine.travel(TODAY + D(days=30), tick=False):
        result = run_sweep()
    assert (result.activated, result.expired) == (1, 1)
    license.refresh_from_db()
    assert license.status == "expired"
    assert list(license.events.values_list("action", "occurred_on"))[-2:] == [
        ("activate", TODAY + D(days=1)),
        ("expire", TODAY + D(days=12)),
    ]


def test_sweep_goes_on_past_a_record_it_cannot_move_and_reports_it(caplog):
    broken = factories.license_in("active")
    sound = factories.license_in("active")
    License.objects.filter(pk=broken.pk).update(scope="")  # damaged outside the services
    with time_machine.travel(sound.term_end + D(days=1), tick=False):
        result = run_sweep()
    assert (result.expired, result.failed) == (1, 1)
    # Reported once, though the sweep passes over what is due for expiry twice.
    reports = [
        r for r in caplog.records if r.levelname == "ERROR" and f"license {broken.pk}:" in r.getMessage()
    ]
    assert len(reports) == 1
    sound.refresh_from_db()
    broken.refresh_from_db()
    assert (sound.status, broken.status) == ("expired", "active")


def test_a_shorter_maximum_term_does_not_block_later_actions(settings):
    license = factories.draft(**factories.with_term(TODAY - D(days=10), 3 * 365))
    lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    settings.LICENSING_MAX_TERM_YEARS = 2
    lifecycle.transition(license, "suspend", actor=None, reason="Audit.", expected_version=license.version)
    with time_machine.travel(license.term_end + D(days=1), tick=False):
        assert run_sweep().expired == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweep_invalidates_a_group_of_licenses_together_once_it_has_committed(monkeypatch):
    start = TODAY + D(days=1)
    with time_machine.travel(TODAY, tick=False):
        starting = _granted(start, 3)
    invalidated = []

    def record(licenses):
        # What the database holds when the invalidation is made: the group must have committed by then.
        pks = [license.pk for license in licenses]
        invalidated.append(sorted(License.objects.filter(pk__in=pks).values_list("pk", "status")))

    monkeypatch.setattr(cache, "_bump_licenses", record)
    with time_machine.travel(start, tick=False):
        assert run_sweep().activated == 3
    assert invalidated == [sorted((license.pk, "active") for license in starting)]


@pytest.mark.django_db(transaction=True)
def test_what_the_sweep_changes_shows_at_once_in_cached_reads(client, django_assert_max_num_queries):
    """The sweep invalidates its licenses' cached pages a commit group at a time, in one query for
    their lines of renewals, not one per license; the statuses show as soon as the group commits."""
    start = TODAY + D(days=1)
    with time_machine.travel(TODAY, tick=False):
        starting = _granted(start, 3)
        renewed = factories.license_in("active")
        successor = lifecycle.renew(
            renewed, term_end=renewed.term_end + D(days=100), actor=None, expected_version=renewed.version
        )
    with time_machine.travel(start, tick=False):
        for license in starting:
            assert client.get(f"/api/v1/licenses/{license.number}/").json()["status"] == "granted"
        assert client.get(f"/licenses/{successor.number}/").status_code == 200
        run_sweep()
        for license in starting:
            assert client.get(f"/api/v1/licenses/{license.number}/").json()["status"] == "active"
    with time_machine.travel(successor.term_start, tick=False):
        page = client.get(f"/licenses/{successor.number}/", HTTP_ACCEPT_LANGUAGE="en").text
        assert "Ended as renewed" not in page
        with django_assert_max_num_queries(30):
            assert run_sweep().renewed == 1
        # The predecessor ended as renewed: its successor's page shows that in the line of renewals.
        assert client.get(f"/licenses/{successor.number}/", HTTP_ACCEPT_LANGUAGE="en").text != page
