"""The transition table, as a regulator meets it: every (state, action) pair is allowed or refused."""

import datetime

import pytest
import time_machine

from licensing import lifecycle, writes
from licensing.choices import LicenseAction, LicenseStatus
from licensing.dates import local_today
from licensing.exceptions import ActionNotAllowed, ReasonRequired, UnknownAction
from licensing.models import LicenseEvent

from . import factories

pytestmark = pytest.mark.django_db

S, A = LicenseStatus, LicenseAction

# The README's lifecycle table ("How a license changes"), written out apart from lifecycle.TRANSITIONS.
EXPECTED = {
    (S.DRAFT, A.LIST): S.LISTED,
    (S.DRAFT, A.GRANT): S.GRANTED,
    (S.LISTED, A.GRANT): S.GRANTED,
    (S.GRANTED, A.ACTIVATE): S.ACTIVE,
    (S.ACTIVE, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.REINSTATE): S.ACTIVE,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.LISTED, A.WITHDRAW): S.WITHDRAWN,
    (S.GRANTED, A.WITHDRAW): S.WITHDRAWN,
    (S.GRANTED, A.REVOKE): S.REVOKED,
    (S.ACTIVE, A.REVOKE): S.REVOKED,
    (S.SUSPENDED, A.REVOKE): S.REVOKED,
    (S.ACTIVE, A.TERMINATE): S.TERMINATED,
    (S.SUSPENDED, A.TERMINATE): S.TERMINATED,
    (S.ACTIVE, A.EXPIRE): S.EXPIRED,
    (S.SUSPENDED, A.EXPIRE): S.EXPIRED,
}
ALL_PAIRS = [(status, action) for status in S for action in A]


def _prepare(status, action):
    """A license in `status`; drafts and listings about to be granted get an operator and a future term."""
    license = factories.license_in(status)
    if action == A.GRANT and status in (S.DRAFT, S.LISTED):
        start = local_today() + datetime.timedelta(days=3)
        changes = {
            "operator": factories.operator(),
            "term_start": start,
            "term_end": start + datetime.timedelta(days=30),
        }
        lifecycle.edit(license, changes, actor=None, expected_version=license.version)
    return license


def _day_when_due(license, action):
    """Activation is due on the first day of the term, expiry on the day after its last."""
    if action == A.ACTIVATE and license.term_start:
        return license.term_start
    if action == A.EXPIRE and license.term_end:
        return license.term_end + datetime.timedelta(days=1)
    return local_today()


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS, ids=[f"{s.value}-{a.value}" for s, a in ALL_PAIRS])
def test_every_state_and_action(status, action):
    license = _prepare(status, action)
    assert license.status == status
    version, events = license.version, license.events.count()
    with time_machine.travel(_day_when_due(license, action), tick=False):
        if (status, action) in EXPECTED:
            lifecycle.transition(
                license, action, actor=None, reason="Reason given.", expected_version=version
            )
            license.refresh_from_db()
            assert license.status == EXPECTED[status, action]
            assert license.version == version + 1
            event = license.events.order_by("-id").first()
            assert (event.action, event.from_status, event.to_status) == (action, status, license.status)
            assert event.reason == "Reason given."
        else:
            with pytest.raises(ActionNotAllowed) as refused:
                lifecycle.transition(
                    license, action, actor=None, reason="Reason given.", expected_version=version
                )
            license.refresh_from_db()
            assert license.status == status
            assert license.version == version
            assert license.events.count() == events
            allowed = [a for (s, a) in EXPECTED if s == status]
            assert refused.value.allowed == allowed
            message = str(refused.value)
            assert repr(str(action)) in message
            for name in allowed:
                assert name in message
            if not allowed:
                assert "no action is allowed" in message


def test_expire_ends_as_renewed_where_a_successor_exists():
    license = factories.license_in(S.RENEWED)
    assert license.status == S.RENEWED
    assert license.successor.status == S.GRANTED
    assert license.events.order_by("-id").first().to_status == S.RENEWED


@pytest.mark.parametrize("action", sorted(lifecycle.REASON_REQUIRED))
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_reason_is_required(action, reason):
    source = next(s for (s, a) in EXPECTED if a == action)
    license = factories.license_in(source)
    version, events = license.version, LicenseEvent.objects.count()
    with pytest.raises(ReasonRequired) as refused:
        lifecycle.transition(license, action, actor=None, reason=reason, expected_version=version)
    assert "reason" in refused.value.errors
    assert "Give a reason" in str(refused.value)
    license.refresh_from_db()
    assert (license.status, license.version) == (source, version)
    assert LicenseEvent.objects.count() == events


def test_reason_is_optional_for_list_and_grant():
    license = factories.license_in(S.DRAFT)
    lifecycle.transition(license, "list", actor=None, expected_version=license.version)
    assert license.status == S.LISTED
    assert license.events.get(action="list").reason == ""


def test_unknown_action_names_the_field_and_writes_nothing():
    license = factories.license_in(S.ACTIVE)
    version, events = license.version, LicenseEvent.objects.count()
    with pytest.raises(UnknownAction) as refused:
        lifecycle.transition(license, "explode", actor=None, expected_version=license.version)
    assert "action" in refused.value.errors
    assert "'explode' is not a license action" in str(refused.value)
    license.refresh_from_db()
    assert (license.status, license.version) == (S.ACTIVE, version)
    assert LicenseEvent.objects.count() == events


def test_grant_of_a_started_term_activates_at_once_with_two_events():
    today = local_today()
    license = factories.draft(**factories.with_term(today - datetime.timedelta(days=2)))
    lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    assert license.status == S.ACTIVE
    assert license.version == 3
    actions = list(license.events.values_list("action", "from_status", "to_status", "occurred_on"))
    assert actions == [
        ("create", "", "draft", today),
        ("grant", "draft", "granted", today),
        ("activate", "granted", "active", today),
    ]


def test_historical_grant_records_the_real_days():
    license = factories.draft(**factories.with_term(datetime.date(2023, 10, 1), 730))
    lifecycle.transition(
        license, "grant", actor=None, expected_version=license.version, occurred_on=datetime.date(2023, 9, 20)
    )
    days = dict(license.events.values_list("action", "occurred_on"))
    assert days["grant"] == datetime.date(2023, 9, 20)
    assert days["activate"] == datetime.date(2023, 10, 1)


def test_activation_and_expiry_are_refused_before_they_are_due():
    granted = factories.license_in(S.GRANTED)
    active = factories.license_in(S.ACTIVE)
    with pytest.raises(Exception, match="has not started yet"):
        lifecycle.transition(granted, "activate", actor=None, expected_version=granted.version)
    with pytest.raises(Exception, match="has not ended yet"):
        lifecycle.transition(active, "expire", actor=None, expected_version=active.version)
    granted.refresh_from_db()
    active.refresh_from_db()
    assert (granted.status, active.status) == (S.GRANTED, S.ACTIVE)


def test_grant_needs_an_operator_and_a_term():
    license = factories.license_in(S.LISTED)
    with pytest.raises(Exception) as refused:
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    # The term's end may be left out: it is then not published (tests/test_terms_and_parties.py).
    assert set(refused.value.errors) == {"operator", "term_start"}
    assert "needs this" in refused.value.errors["operator"][0]
    license.refresh_from_db()
    assert license.status == S.LISTED


def test_list_needs_domains_and_scope():
    license = factories.draft(data_domains=[], scope="")
    with pytest.raises(Exception) as refused:
        lifecycle.transition(license, "list", actor=None, expected_version=license.version)
    assert set(refused.value.errors) == {"data_domains", "scope"}


def test_actor_is_recorded_and_frozen():
    regulator = factories.user("zhang", first_name="Zhang", last_name="Wei")
    license = factories.license_in(S.ACTIVE)
    lifecycle.transition(
        license, "suspend", actor=regulator, reason="Audit.", expected_version=license.version
    )
    event = license.events.get(action="suspend")
    assert event.actor == regulator
    assert event.actor_repr == "zhang (Zhang Wei)"
    regulator.username = "renamed"
    regulator.save()
    event.refresh_from_db()
    assert event.actor_repr == "zhang (Zhang Wei)"
    assert license.events.get(action="create").actor_repr == writes.SYSTEM_ACTOR_REPR
