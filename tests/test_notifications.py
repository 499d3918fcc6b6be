"""What the emails say and to whom: expiry reminders and lifecycle notifications, in both languages."""

import datetime
import io
import logging
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from licensing import lifecycle
from licensing.models import License, LifecycleNotification
from licensing.signals import license_changed

from . import factories
from .outbox_support import (
    OPERATOR_EMAIL,
    REGULATOR_EMAIL,
    D,
    active_license,
    celery_conf,
    regulator_of,
    running_tasks,
    shanghai,
    sweep_at,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)
HAN = re.compile(r"[\u4e00-\u9fff]")
REASON = "Security review of the data platform pending."


def sections(email) -> list[str]:
    return email.body.split("-" * 60)


def test_reminder_names_license_term_end_days_left_what_to_do_and_the_public_link(settings, mailoutbox):
    settings.SITE_URL = "https://registry.example.org"
    grantor = factories.authority(
        name="杭州市数据资源管理局", name_en="Hangzhou Data Resources Administration"
    )
    license = active_license(
        TODAY, TODAY + D(days=12), grantor=grantor, title="Health data <research> & more"
    )
    sweep_at(shanghai(TODAY))
    (email,) = mailoutbox
    link = f"https://registry.example.org/licenses/{license.number}/"
    english, chinese = sections(email)
    assert (email.to, email.cc) == ([OPERATOR_EMAIL], [REGULATOR_EMAIL])
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert f"License {license.number} expires in 12 days" in email.subject
    for text in (english, chinese):
        assert license.number in text
        assert "2026-03-14" in text  # the last day in force
        assert "2026-03-15" in text  # the day it expires
        assert link in text
        assert "12" in text
    assert "Hangzhou Data Resources Administration" in english
    assert "renewal" in english
    assert "杭州市数据资源管理局" in chinese
    assert HAN.search(chinese.replace("杭州市数据资源管理局", ""))
    assert HAN.search(email.subject.split(" / ")[1])
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "Health data &lt;research&gt; &amp; more" in html
    assert 'lang="en"' in html and 'lang="zh-hans"' in html
    assert '"Health data <research> & more"' in english  # plain text is not HTML-escaped


def test_the_default_language_comes_first(settings, mailoutbox):
    settings.LANGUAGE_CODE = "zh-hans"
    active_license(TODAY, TODAY + D(days=1))
    sweep_at(shanghai(TODAY))
    (email,) = mailoutbox
    chinese_subject, english_subject = email.subject.split(" / ")
    assert HAN.search(chinese_subject) and not HAN.search(english_subject)
    assert HAN.search(sections(email)[0])
    assert email.alternatives[0].content.index('lang="zh-hans"') < email.alternatives[0].content.index(
        'lang="en"'
    )


def test_only_active_regulators_of_the_grantor_are_copied(mailoutbox):
    license = active_license(TODAY, TODAY + D(days=3), contacts="a@operator.example\nb@operator.example")
    regulator_of(license.grantor, "second@regulator.example")
    regulator_of(license.grantor, "gone@regulator.example", is_active=False)
    regulator_of(factories.authority("330000"), "province@regulator.example")
    sweep_at(shanghai(TODAY))
    (email,) = mailoutbox
    assert email.to == ["a@operator.example", "b@operator.example"]
    assert email.cc == [REGULATOR_EMAIL, "second@regulator.example"]


def _act(license, action, **kwargs):
    with time_machine.travel(shanghai(TODAY, 11), tick=False), running_tasks():
        return lifecycle.transition(license, action, actor=None, expected_version=license.version, **kwargs)


@pytest.mark.parametrize(
    ("start", "action", "reason", "word", "status"),
    [
        ("active", "suspend", REASON, "suspended", "Suspended"),
        ("suspended", "reinstate", "Review passed.", "reinstated", "Active"),
        ("active", "revoke", "Data used beyond its scope.", "revoked", "Revoked"),
        ("active", "terminate", "Ended early by agreement.", "terminated early", "Terminated"),
        ("granted", "withdraw", "Operator declined.", "withdrawn", "Withdrawn"),
    ],
)
def test_lifecycle_change_emails_the_operator_with_the_reason(
    mailoutbox, start, action, reason, word, status
):
    with time_machine.travel(shanghai(TODAY), tick=False):
        license = factories.license_in(start, operator=factories.operator(contact_emails=OPERATOR_EMAIL))
    regulator_of(license.grantor)
    _act(license, action, reason=reason)
    (email,) = mailoutbox
    assert email.subject.startswith(f"License {license.number}: {word}")
    assert (email.to, email.cc) == ([OPERATOR_EMAIL], [REGULATOR_EMAIL])
    english, chinese = sections(email)
    assert reason in english and reason in chinese
    assert f"Status: {status}" in english
    assert "2026-03-02" in english
    assert f"/licenses/{license.number}/" in english
    assert HAN.search(chinese)
    notification = LifecycleNotification.objects.get()
    assert (notification.event.action, notification.state) == (action, "sent")


def test_grant_is_told_once_even_when_it_activates_at_once(mailoutbox):
    with time_machine.travel(shanghai(TODAY), tick=False):
        license = factories.draft(
            **factories.with_term(
                TODAY - D(days=1), 300, operator=factories.operator(contact_emails=OPERATOR_EMAIL)
            )
        )
    _act(license, "grant")
    license.refresh_from_db()
    assert license.status == "active"
    (email,) = mailoutbox
    assert f"License {license.number}: granted" in email.subject
    assert "you may operate the data" in email.body


def test_renewal_is_told_once_naming_the_successor(mailoutbox):
    license = active_license(TODAY, TODAY + D(days=50))
    with time_machine.travel(shanghai(TODAY), tick=False), running_tasks():
        successor = lifecycle.renew(
            license,
            term_end=TODAY + D(days=400),
            actor=None,
            expected_version=license.version,
            reason="Renewed.",
        )
    (email,) = mailoutbox
    assert f"License {license.number}: renewed" in email.subject
    english = sections(email)[0]
    assert successor.number in english
    assert f"/licenses/{successor.number}/" in english
    assert successor.term_start.isoformat() in english
    assert LifecycleNotification.objects.get().license == license


def test_changes_the_operator_is_not_told_of_send_nothing(mailoutbox):
    with time_machine.travel(shanghai(TODAY), tick=False):
        license = factories.license_in("granted", operator=factories.operator(contact_emails=OPERATOR_EMAIL))
    with time_machine.travel(shanghai(TODAY), tick=False), running_tasks():
        lifecycle.edit(
            license, {"remarks": "Filed."}, actor=None, expected_version=license.version, reason="Note."
        )
    sweep_at(shanghai(TODAY + D(days=1)))  # activates it
    license.refresh_from_db()
    assert license.status == "active"
    assert mailoutbox == []
    assert not LifecycleNotification.objects.exists()


def test_withdrawing_a_listing_without_operator_tells_nobody(mailoutbox):
    with time_machine.travel(shanghai(TODAY), tick=False):
        listing = factories.license_in("listed")
    _act(listing, "withdraw", reason="Listing suspended.")
    assert mailoutbox == []
    assert not LifecycleNotification.objects.exists()


def test_the_outbox_row_is_committed_with_the_change_or_not_at_all(mailoutbox):
    license = active_license(TODAY, TODAY + D(days=300))
    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.transition(license, "suspend", actor=None, reason=REASON, expected_version=license.version)
        assert LifecycleNotification.objects.filter(license=license).count() == 1
        raise RuntimeError("the caller's transaction fails after the change")
    assert not LifecycleNotification.objects.filter(license=license).exists()
    license.refresh_from_db()
    assert license.status == "active"
    assert mailoutbox == []


def test_a_broken_listener_after_commit_does_not_break_the_change(caplog, mailoutbox):
    license = active_license(TODAY, TODAY + D(days=300))

    def broken(*args, **kwargs):
        raise RuntimeError("a cache is broken")

    license_changed.connect(broken, dispatch_uid="broken-test-listener")
    try:
        with caplog.at_level(logging.ERROR):
            _act(license, "suspend", reason=REASON)
    finally:
        license_changed.disconnect(dispatch_uid="broken-test-listener")
    license.refresh_from_db()
    assert license.status == "suspended"
    assert "a cache is broken" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_loading_the_demo_records_tells_nobody(mailoutbox):
    with celery_conf(task_always_eager=True):
        call_command("load_demo", stdout=io.StringIO())
    assert mailoutbox == []
    assert not LifecycleNotification.objects.exists()
    # Acting on a license afterwards is told as usual.
    license = License.objects.filter(status="active", operator__contact_emails__gt="").first()
    with celery_conf(task_always_eager=True):
        lifecycle.transition(license, "suspend", actor=None, reason=REASON, expected_version=license.version)
    assert [email.subject.split(" / ")[0] for email in mailoutbox] == [f"License {license.number}: suspended"]
