"""sweep.transition_due, the sweep's way to activate and expire many licenses at once: the same rules
and records as transition(), in a number of queries that does not grow with the licenses."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from licensing import lifecycle, sweep
from licensing.choices import LicenseAction, LicenseStatus
from licensing.exceptions import ActionNotAllowed, InvalidLicense, NotDue, StaleVersion, UnknownAction
from licensing.models import License, LicenseEvent

from . import factories
from .clock import TODAY

pytestmark = pytest.mark.django_db

S, A = LicenseStatus, LicenseAction
D = datetime.timedelta
TERM_PAIRS = [(status, action) for status in S for action in sorted(lifecycle.TERM_ACTIONS)]


def _due_day(license, action):
    if action == A.ACTIVATE:
        return license.term_start or TODAY
    return license.term_end + D(days=1) if license.term_end else TODAY


def _record_of(license):
    """What a reader sees of a license after a change: its state and its newest event."""
    license.refresh_from_db()
    event = license.events.order_by("-id").first()
    return (
        license.status,
        license.version,
        license.status_changed_at,
        license.updated_at,
        event.action,
        event.from_status,
        event.to_status,
        event.occurred_on,
        event.created_at,
        event.actor_id,
        event.actor_repr,
        event.reason,
        event.changes,
        event.request_id,
        license.events.count(),
    )


@pytest.mark.parametrize(
    ("status", "action"), TERM_PAIRS, ids=[f"{s.value}-{a.value}" for s, a in TERM_PAIRS]
)
def test_the_same_outcome_and_record_as_transition(status, action):
    with time_machine.travel(TODAY, tick=False):
        one, other = factories.license_in(status), factories.license_in(status)
    with time_machine.travel(_due_day(one, action) + D(days=3), tick=False):
        try:
            lifecycle.transition(one, action, actor=None, occurred_on=_due_day(one, action))
        except lifecycle.LicensingError as error:
            refusal = type(error)
        else:
            refusal = None
        outcome = sweep.transition_due([other.pk], action)
    if refusal is None:
        assert [moved.pk for moved in outcome.moved] == [other.pk]
        assert outcome.refused == {}
        assert _record_of(other) == _record_of(one)
        assert outcome.moved[0].status == other.status
        assert outcome.moved[0].version == other.version
    else:
        assert outcome.moved == []
        assert type(outcome.refused[other.pk]) is refusal
        assert _record_of(other) == _record_of(one)


def test_a_refused_license_is_left_as_it_was_and_the_others_move():
    with time_machine.travel(TODAY, tick=False):
        licenses = [factories.license_in(S.ACTIVE) for _ in range(3)]
        not_yet = factories.license_in(S.ACTIVE, term_end=TODAY + D(days=60))
    broken = licenses[1]
    License.objects.filter(pk=broken.pk).update(scope="")  # damaged outside the services
    before = _record_of(broken)
    with time_machine.travel(licenses[0].term_end + D(days=1), tick=False):
        outcome = sweep.transition_due([license.pk for license in [*licenses, not_yet]], A.EXPIRE)
    assert sorted(moved.pk for moved in outcome.moved) == [licenses[0].pk, licenses[2].pk]
    assert set(outcome.refused) == {broken.pk, not_yet.pk}
    assert isinstance(outcome.refused[broken.pk], InvalidLicense)
    assert "scope" in outcome.refused[broken.pk].errors
    assert isinstance(outcome.refused[not_yet.pk], NotDue)
    assert _record_of(broken) == before
    assert {License.objects.get(pk=pk).status for pk in (licenses[0].pk, licenses[2].pk)} == {S.EXPIRED}


def test_expiry_ends_as_renewed_only_where_a_live_successor_took_over():
    with time_machine.travel(TODAY, tick=False):
        renewed, abandoned, plain = (factories.license_in(S.ACTIVE) for _ in range(3))
        for license in (renewed, abandoned):
            lifecycle.renew(
                license, term_end=license.term_end + D(days=100), actor=None, expected_version=license.version
            )
        withdrawn = abandoned.successor
        lifecycle.transition(
            withdrawn,
            A.WITHDRAW,
            actor=None,
            reason="Declined by the operator.",
            expected_version=withdrawn.version,
        )
    with time_machine.travel(plain.term_end + D(days=1), tick=False):
        outcome = sweep.transition_due([plain.pk, abandoned.pk, renewed.pk], A.EXPIRE)
    assert {moved.pk: moved.status for moved in outcome.moved} == {
        renewed.pk: S.RENEWED,
        abandoned.pk: S.EXPIRED,
        plain.pk: S.EXPIRED,
    }
    ending = renewed.events.order_by("-id").first()
    assert (ending.action, ending.from_status, ending.to_status, ending.occurred_on) == (
        A.EXPIRE,
        S.ACTIVE,
        S.RENEWED,
        renewed.term_end + D(days=1),
    )


def _queries_to_expire(count):
    with time_machine.travel(TODAY, tick=False):
        licenses = [factories.license_in(S.ACTIVE) for _ in range(count)]
        lifecycle.renew(
            licenses[0], term_end=TODAY + D(days=300), actor=None, expected_version=licenses[0].version
        )
    with time_machine.travel(TODAY + D(days=11), tick=False), CaptureQueriesContext(connection) as queries:
        outcome = sweep.transition_due([license.pk for license in licenses], A.EXPIRE)
    assert len(outcome.moved) == count
    return len(queries)


def test_queries_do_not_grow_with_the_licenses():
    # Savepoint, lock, domains, successors, the last effective days, an update per new status (renewed,
    # expired), events, the active webhooks (once for the batch), release.
    assert _queries_to_expire(3) == _queries_to_expire(30) == 10


def test_a_large_batch_is_written_a_chunk_at_a_time(monkeypatch):
    monkeypatch.setattr(sweep, "CAS_BATCH", 2)
    with time_machine.travel(TODAY, tick=False):
        licenses = [factories.license_in(S.GRANTED) for _ in range(5)]
    with (
        time_machine.travel(licenses[0].term_start, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        outcome = sweep.transition_due([license.pk for license in licenses], A.ACTIVATE)
    assert len(outcome.moved) == 5
    assert sum(query["sql"].startswith("UPDATE") for query in queries.captured_queries) == 3
    assert set(
        License.objects.filter(pk__in=[license.pk for license in licenses]).values_list("status", flat=True)
    ) == {S.ACTIVE}
    assert LicenseEvent.objects.filter(action=A.ACTIVATE).count() == 5


def test_a_row_changed_under_the_lock_sends_each_license_through_transition(monkeypatch):
    """The compare-and-set still guards the batch: where a row's version moves between the lock and the
    write, nothing of the batch is kept and each license goes through transition() on its own. A row that
    keeps changing is reported stale there, and the others move."""
    with time_machine.travel(TODAY, tick=False):
        licenses = [factories.license_in(S.GRANTED) for _ in range(3)]
    raced = licenses[1]
    target = lifecycle.target_status

    def racing_target(locked, *args, **kwargs):
        if locked.pk == raced.pk:  # another writer, ignoring the lock
            License.objects.filter(pk=raced.pk).update(version=F("version") + 1)
        return target(locked, *args, **kwargs)

    monkeypatch.setattr(lifecycle, "target_status", racing_target)
    with time_machine.travel(licenses[0].term_start, tick=False):
        outcome = sweep.transition_due([license.pk for license in licenses], A.ACTIVATE)
    assert sorted(moved.pk for moved in outcome.moved) == [licenses[0].pk, licenses[2].pk]
    assert isinstance(outcome.refused[raced.pk], StaleVersion)
    for license in licenses:
        license.refresh_from_db()
    assert [license.status for license in licenses] == [S.ACTIVE, S.GRANTED, S.ACTIVE]
    assert [license.events.filter(action=A.ACTIVATE).count() for license in licenses] == [1, 0, 1]


def test_only_term_actions_are_taken_in_bulk():
    license = factories.license_in(S.ACTIVE)
    with pytest.raises(ValueError, match="term-driven actions"):
        sweep.transition_due([license.pk], A.SUSPEND)
    with pytest.raises(UnknownAction):
        sweep.transition_due([license.pk], "close")
    refused = sweep.transition_due([license.pk], A.ACTIVATE).refused
    assert isinstance(refused[license.pk], ActionNotAllowed)


@pytest.mark.postgres
def test_batch_events_carry_their_transaction_for_the_change_feed():
    with time_machine.travel(TODAY, tick=False):
        licenses = [factories.license_in(S.GRANTED) for _ in range(3)]
    with time_machine.travel(licenses[0].term_start, tick=False):
        sweep.transition_due([license.pk for license in licenses], A.ACTIVATE)
    txids = set(LicenseEvent.objects.filter(action=A.ACTIVATE).values_list("txid", flat=True))
    assert len(txids) == 1
    assert None not in txids


def _until_another_backend_waits_for_my_lock(attempts=100_000):
    """Return once another connection is queued behind a lock this one holds. (pg_locks, as it is now:
    pg_stat_activity would show this transaction the snapshot it took first.)"""
    with connection.cursor() as cursor:
        for _ in range(attempts):
            cursor.execute(
                "SELECT 1 FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if cursor.fetchone():
                return
    raise AssertionError("no other connection came to wait for the lock")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_renewal_committed_while_the_batch_waits_for_its_lock_ends_the_license_as_renewed():
    with time_machine.travel(TODAY, tick=False):
        license = factories.license_in(S.ACTIVE)
    outcomes, errors = [], []

    def expire():
        try:
            outcomes.append(sweep.transition_due([license.pk], A.EXPIRE))
        except Exception as error:  # reported below, with the thread's own exception
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(license.term_end + D(days=1), tick=False):
        with transaction.atomic():  # the renewal holds the license's row lock until this commits
            lifecycle.renew(
                license, term_end=license.term_end + D(days=100), actor=None, expected_version=license.version
            )
            worker = threading.Thread(target=expire)
            worker.start()
            _until_another_backend_waits_for_my_lock()
        worker.join(timeout=60)
    assert errors == []
    assert [(moved.pk, moved.status) for moved in outcomes[0].moved] == [(license.pk, S.RENEWED)]
