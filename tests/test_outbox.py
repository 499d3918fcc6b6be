"""Sending what the outbox owes: claims and their lease, failures retried with backoff up to the limit,
emails nobody can receive, and the admin's retry of failed ones."""

import datetime
import smtplib

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from licensing import lifecycle, outbox, reminders
from licensing.models import ExpiryReminder, LifecycleNotification, OutboxState

from .outbox_support import D, active_license, running_tasks, shanghai, sweep_at

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)
T0 = shanghai(TODAY, 9)


@pytest.fixture
def mail_server_down(monkeypatch):
    """The mail server refuses every message while `down["on"]` is true."""
    down = {"on": True, "tries": 0}
    deliver = EmailBackend.send_messages

    def send_messages(self, messages):
        down["tries"] += 1
        if down["on"]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return deliver(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return down


def owed_reminder(end_in_days=5) -> ExpiryReminder:
    license = active_license(TODAY, TODAY + D(days=end_in_days))
    with time_machine.travel(T0, tick=False):
        reminders.create_due_reminders(TODAY, T0)
    return ExpiryReminder.objects.get(license=license)


def test_a_failed_send_is_recorded_and_retried_with_backoff(mail_server_down, mailoutbox):
    reminder = owed_reminder()
    sweep_at(T0)
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.sent_at) == ("pending", 1, None)
    assert "SMTPServerDisconnected" in reminder.last_error
    assert reminder.next_attempt_at == T0 + D(minutes=30)
    assert reminder.claimed_at is None
    assert reminder.recipients == ["ops@operator.example", "bureau@regulator.example"]

    # Not due again yet: an hourly sweep before then leaves it alone.
    assert sweep_at(T0 + D(minutes=29)).enqueued == 0
    assert mail_server_down["tries"] == 1

    mail_server_down["on"] = False
    assert sweep_at(T0 + D(minutes=31)).enqueued == 1
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.last_error) == ("sent", 2, "")
    assert reminder.sent_at == T0 + D(minutes=31)
    assert len(mailoutbox) == 1


def test_the_backoff_doubles_and_the_row_fails_at_the_limit(settings, mail_server_down, mailoutbox):
    settings.LICENSING_SEND_MAX_ATTEMPTS = 3
    reminder = owed_reminder()
    moment = T0
    expected_waits = [D(minutes=30), D(minutes=60)]
    for wait in expected_waits:
        sweep_at(moment)
        reminder.refresh_from_db()
        assert reminder.next_attempt_at == moment + wait
        moment = reminder.next_attempt_at
    sweep_at(moment)
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == ("failed", 3)
    assert "SMTPServerDisconnected" in reminder.last_error
    # Failed rows wait for a regulator: later sweeps leave them alone.
    assert sweep_at(moment + D(days=1)).enqueued == 0
    assert mail_server_down["tries"] == 3
    assert mailoutbox == []


def test_a_claim_is_exclusive_while_its_lease_holds():
    reminder = owed_reminder()
    with time_machine.travel(T0, tick=False):
        first = outbox.claim("expiry_reminder", reminder.pk)
        assert first is not None and first.attempt == 1
        assert outbox.claim("expiry_reminder", reminder.pk) is None
        assert outbox.deliver("expiry_reminder", reminder.pk) == "skipped"


def test_a_worker_that_died_after_claiming_does_not_strand_the_reminder(mailoutbox):
    reminder = owed_reminder()
    with time_machine.travel(T0, tick=False):
        assert outbox.claim("expiry_reminder", reminder.pk) is not None
    # The worker stopped here, between claim and send. Within the lease the sweep leaves the row to it...
    assert sweep_at(T0 + D(minutes=9)).enqueued == 0
    assert mailoutbox == []
    # ...and once the lease has lapsed, the sweep offers it again and it is sent.
    assert sweep_at(T0 + D(minutes=11)).enqueued == 1
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == ("sent", 2)
    assert len(mailoutbox) == 1


def test_claims_that_keep_lapsing_end_as_failed(settings, mailoutbox):
    settings.LICENSING_SEND_MAX_ATTEMPTS = 2
    reminder = owed_reminder()
    moment = T0
    for _ in range(2):
        with time_machine.travel(moment, tick=False):
            assert outbox.claim("expiry_reminder", reminder.pk) is not None
        moment += D(minutes=11)
    with time_machine.travel(moment, tick=False):
        assert outbox.claim("expiry_reminder", reminder.pk) is None
    reminder.refresh_from_db()
    assert reminder.state == "failed"
    assert "stopped before finishing, 2 times" in reminder.last_error
    assert mailoutbox == []


def test_an_email_nobody_can_receive_fails_at_once(mailoutbox):
    license = active_license(TODAY, TODAY + D(days=5), contacts="")
    license.grantor.regulators.all().delete()
    sweep_at(T0)
    reminder = ExpiryReminder.objects.get(license=license)
    assert (reminder.state, reminder.attempts) == ("failed", 1)
    assert "Nobody to send it to" in reminder.last_error
    assert mailoutbox == []


def test_without_operator_contacts_the_regulators_still_get_it(mailoutbox):
    license = active_license(TODAY, TODAY + D(days=5), contacts="")
    sweep_at(T0)
    assert ExpiryReminder.objects.get(license=license).state == "sent"
    assert (mailoutbox[0].to, mailoutbox[0].cc) == ([], ["bureau@regulator.example"])


def test_a_reminder_for_a_license_ended_meanwhile_is_not_sent(mailoutbox):
    reminder = owed_reminder()
    license = reminder.license
    with time_machine.travel(T0, tick=False):
        lifecycle.transition(
            license, "revoke", actor=None, reason="Data used beyond scope.", expected_version=license.version
        )
        assert outbox.deliver("expiry_reminder", reminder.pk) == "not needed"
    reminder.refresh_from_db()
    assert reminder.state == OutboxState.CANCELLED
    assert "no longer in force" in reminder.last_error
    assert mailoutbox == []


def test_an_older_window_still_pending_gives_way_to_the_nearer_one(mailoutbox):
    end = TODAY + D(days=40)
    license = active_license(TODAY, end)
    with time_machine.travel(shanghai(end - D(days=30)), tick=False):
        reminders.create_due_reminders(end - D(days=30), shanghai(end - D(days=30)))
    sweep_at(shanghai(end - D(days=7)))
    assert sorted(ExpiryReminder.objects.filter(license=license).values_list("window_days", "state")) == [
        (7, "sent"),
        (30, "cancelled"),
    ]
    assert len(mailoutbox) == 1


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-only")
    client.force_login(user)
    return client


def test_admin_lists_reminders_by_state_and_retries_failed_ones(
    superuser_client, settings, mail_server_down, mailoutbox
):
    settings.LICENSING_SEND_MAX_ATTEMPTS = 1
    failed = owed_reminder()
    sent = owed_reminder(20)
    sweep_at(T0)
    mail_server_down["on"] = False
    ExpiryReminder.objects.filter(pk=sent.pk).update(state="sent")
    changelist = reverse("admin:licensing_expiryreminder_changelist")

    response = superuser_client.get(changelist + "?state__exact=failed")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ExpiryReminder.objects.get(pk=failed.pk)]
    for state in ("pending", "sent", "cancelled"):
        assert superuser_client.get(changelist + f"?state__exact={state}").status_code == 200

    with time_machine.travel(T0 + D(hours=2), tick=False), running_tasks():
        response = superuser_client.post(
            changelist,
            {"action": "retry_failed", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    texts = [str(message) for message in response.context["messages"]]
    assert "1 failed email will be sent again." in texts
    assert "1 selected email had not failed and was left as it is." in texts
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.sent_at) == ("sent", 1, T0 + D(hours=2))
    assert len(mailoutbox) == 1


def test_license_page_shows_its_reminders_read_only(superuser_client):
    reminder = owed_reminder()
    response = superuser_client.get(reverse("admin:licensing_license_change", args=[reminder.license_id]))
    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is ExpiryReminder)
    assert [form.original for form in inline] == [reminder]
    assert not inline.has_add_permission and not inline.has_change_permission
    assert not inline.has_delete_permission


def test_lifecycle_notifications_have_their_admin_list(superuser_client):
    license = active_license(TODAY, TODAY + D(days=300))
    with running_tasks():
        lifecycle.transition(
            license, "suspend", actor=None, reason="Security review.", expected_version=license.version
        )
    notification = LifecycleNotification.objects.get()
    changelist = reverse("admin:licensing_lifecyclenotification_changelist")
    response = superuser_client.get(changelist + "?state__exact=sent")
    assert list(response.context["cl"].result_list) == [notification]
    response = superuser_client.get(
        reverse("admin:licensing_lifecyclenotification_change", args=[notification.pk])
    )
    assert response.status_code == 200
    assert license.number in response.text
    assert "ops@operator.example" in response.text


@pytest.mark.parametrize(
    ("role", "sees", "offered_retry", "retried"),
    [("inside", True, True, True), ("outside", False, True, False), ("auditor", True, False, False)],
)
def test_reminders_admin_follows_jurisdiction_and_role(
    client, role, sees, offered_retry, retried, mailoutbox
):
    from django.contrib.auth.models import Group

    from licensing.access import AUDITORS_GROUP
    from licensing.models import Regulator

    from . import factories

    hangzhou = factories.authority("330100")
    reminder = owed_reminder()
    ExpiryReminder.objects.filter(pk=reminder.pk).update(state=OutboxState.FAILED)
    license = reminder.license
    license.grantor = hangzhou
    license.save(update_fields=["grantor"])
    user = factories.user(role, is_staff=True)
    if role == "auditor":
        user.groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    else:
        authority = hangzhou if role == "inside" else factories.authority("430000")
        Regulator.objects.create(user=user, authority=authority, contact_email=f"{role}@example.test")
    client.force_login(user)
    changelist = reverse("admin:licensing_expiryreminder_changelist")

    with time_machine.travel(T0 + D(hours=1), tick=False):
        response = client.get(changelist)
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == ([reminder] if sees else [])
        action_form = response.context["action_form"]
        actions = [value for value, _label in action_form.fields["action"].choices] if action_form else []
        assert ("retry_failed" in actions) == offered_retry
        with running_tasks():
            client.post(changelist, {"action": "retry_failed", "_selected_action": [reminder.pk]})
    reminder.refresh_from_db()
    assert reminder.state == ("sent" if retried else "failed")
    assert len(mailoutbox) == (1 if retried else 0)
