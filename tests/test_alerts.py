"""Email alerts, as a reader meets them: the "Get alerts" form, the confirmation email and its link, the
daily digest of changes, one-click unsubscribe from the mail client, and the page that manages them."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings

from licensing import alerts, lifecycle
from licensing.models import AlertDigest, AlertSubscription

from . import factories
from .clock import NOW, TODAY, D
from .outbox_support import running_tasks, sweep_at
from .test_outbox import mail_server_down  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
READER = "reader@example.org"


@pytest.fixture
def license(frozen_clock):
    return factories.license_in("active", title="Metro ridership")


def ask(client, target, key, email=READER, language="en"):
    with running_tasks():
        return client.post("/alerts/", {"email": email, "language": language, "target": target, "key": key})


def mail_to(mailoutbox, address=READER):
    return [email for email in mailoutbox if email.to == [address]]


def link(email, kind) -> str:
    """The path of the email's `kind` link (confirm, unsubscribe, manage)."""
    return urlsplit(re.search(rf"https?://\S+/alerts/{kind}/\S+/", email.body).group(0)).path


def subscribed(client, mailoutbox, frozen_clock, target="license", key=None, license=None):
    """Ask for alerts and follow the confirmation link; the clock moves on a minute."""
    ask(client, target, key if key is not None else license.pk)
    (confirmation,) = mail_to(mailoutbox)
    assert client.post(link(confirmation, "confirm")).status_code == 200
    frozen_clock.shift(D(minutes=1))
    mailoutbox.clear()


def change_three_times(license):
    license = lifecycle.transition(
        license, "suspend", actor=None, reason="Security review.", expected_version=license.version
    )
    license = lifecycle.transition(
        license, "reinstate", actor=None, reason="Review passed.", expected_version=license.version
    )
    return lifecycle.transition(
        license, "suspend", actor=None, reason="A second incident.", expected_version=license.version
    )


def main(response) -> str:
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def test_the_form_is_on_the_license_operator_authority_and_search_pages(client, license):
    for path in (
        f"/licenses/{license.number}/",
        f"/operators/{license.operator.uscc or license.operator.pk}/",
        f"/authorities/{license.grantor.pk}/",
        "/licenses/?q=Metro",
    ):
        page = client.get(path, follow=True).content.decode()
        assert 'action="/alerts/"' in page, path
        assert "Get alerts" in page or "获取提醒" in page, path
    assert 'action="/alerts/"' not in client.get("/licenses/").content.decode()


def test_only_the_confirmation_is_sent_until_its_link_is_followed(client, license, mailoutbox, frozen_clock):
    response = ask(client, "license", license.pk)
    assert response.status_code == 200
    (confirmation,) = mail_to(mailoutbox)
    assert confirmation.subject == "Confirm your email alerts from the license registry"
    assert license.number in confirmation.body
    change_three_times(license)
    sweep_at(NOW + D(hours=1))
    assert mail_to(mailoutbox) == [confirmation]
    assert not AlertDigest.objects.exists()

    # A GET of the link (a mail scanner's) confirms nothing; the button does.
    assert client.get(link(confirmation, "confirm")).status_code == 200
    assert AlertSubscription.objects.get().confirmed_at is None
    assert client.post(link(confirmation, "confirm")).status_code == 200
    assert AlertSubscription.objects.get().active
    # What happened before the confirmation is not told.
    sweep_at(NOW + D(hours=2))
    assert mail_to(mailoutbox) == [confirmation]


def test_the_digest_collects_three_changes_into_one_email_in_the_chosen_language(
    client, license, mailoutbox, frozen_clock
):
    subscribed(client, mailoutbox, frozen_clock, license=license)
    change_three_times(license)
    sweep_at(NOW + D(hours=1))
    (digest,) = mail_to(mailoutbox)
    assert digest.subject == f"3 changes in the license registry: {license.number} “Metro ridership”"
    body = digest.body
    assert body.count(license.number) >= 3
    assert re.search(r"Suspended, effective 29 November 2026.*Reinstated.*Suspended", body, re.S)
    assert "Reason: Security review." in body and "Reason: A second incident." in body
    assert "暂停" not in body  # English only, as asked
    html = digest.alternatives[0][0]
    assert "A second incident." in html

    # At most one a day: a fourth change waits for tomorrow's digest, which tells only it.
    license.refresh_from_db()
    lifecycle.transition(license, "reinstate", actor=None, reason="Fixed.", expected_version=license.version)
    sweep_at(NOW + D(hours=3))
    assert len(mail_to(mailoutbox)) == 1
    sweep_at(NOW + D(days=1))
    latest = mail_to(mailoutbox)[-1]
    assert latest.subject.startswith("1 change in the license registry")
    assert "Reinstated" in latest.body and "Security review." not in latest.body
    assert AlertDigest.objects.count() == 2


def test_a_digest_in_chinese(client, license, mailoutbox, frozen_clock):
    ask(client, "license", license.pk, language="zh-hans")
    (confirmation,) = mail_to(mailoutbox)
    assert "Confirm" not in confirmation.subject
    client.post(link(confirmation, "confirm"))
    frozen_clock.shift(D(minutes=1))
    lifecycle.transition(
        license, "suspend", actor=None, reason="安全审查。", expected_version=license.version
    )
    sweep_at(NOW + D(hours=1))
    digest = mail_to(mailoutbox)[-1]
    assert digest.subject == f"授权登记簿中有1项变化：{license.number} “Metro ridership”"
    assert "2026年11月29日" in digest.body and "安全审查。" in digest.body


def test_the_answer_is_the_same_for_a_new_a_pending_and_a_confirmed_address(
    client, license, mailoutbox, frozen_clock
):
    first = ask(client, "license", license.pk)
    subscribed_already = None
    client.post(link(mail_to(mailoutbox)[0], "confirm"))
    subscribed_already = ask(client, "license", license.pk)
    other = ask(client, "license", license.pk, email="someone.else@example.org")
    assert first.status_code == subscribed_already.status_code == other.status_code == 200
    assert main(first) == main(subscribed_already) == main(other)
    assert READER not in first.content.decode()
    # A confirmed address is not sent another confirmation.
    assert len(mail_to(mailoutbox)) == 1


def test_a_confirmation_link_expires_after_seven_days(client, license, mailoutbox, frozen_clock):
    ask(client, "license", license.pk)
    confirm = link(mail_to(mailoutbox)[0], "confirm")
    frozen_clock.shift(D(days=7, minutes=1))
    response = client.post(confirm)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert AlertSubscription.objects.get().confirmed_at is None
    assert client.post(confirm[:-3] + "xx/").status_code == 400


def test_one_click_unsubscribe_from_the_header_without_a_csrf_token(
    client, license, mailoutbox, frozen_clock
):
    subscribed(client, mailoutbox, frozen_clock, license=license)
    change_three_times(license)
    sweep_at(NOW + D(hours=1))
    (digest,) = mail_to(mailoutbox)
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https?://\S+)>", digest.extra_headers["List-Unsubscribe"]).group(1)
    message = digest.message()
    assert message["List-Unsubscribe"] == f"<{url}>"

    mail_client = Client(enforce_csrf_checks=True)
    # A scanner following the link unsubscribes nobody.
    assert mail_client.get(urlsplit(url).path).status_code == 200
    assert AlertSubscription.objects.get().active
    response = mail_client.post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert AlertSubscription.objects.get().unsubscribed_at is not None
    assert mail_client.post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"}).status_code == 200

    license.refresh_from_db()
    lifecycle.transition(license, "reinstate", actor=None, reason="Fixed.", expected_version=license.version)
    sweep_at(NOW + D(days=1))
    assert len(mail_to(mailoutbox)) == 1


def test_the_manage_page_lists_the_address_alerts_and_ends_one(client, license, mailoutbox, frozen_clock):
    subscribed(client, mailoutbox, frozen_clock, license=license)
    ask(client, "authority", license.grantor.pk)
    manage = link(mail_to(mailoutbox)[0], "manage")
    page = client.get(manage).content.decode()
    assert READER in page and license.number in page and "Waiting for confirmation" in page
    unsubscribe = re.search(r'action="(/alerts/unsubscribe/[^"]+)"', page).group(1)
    assert client.post(unsubscribe).status_code == 200
    assert license.number not in client.get(manage).content.decode()
    assert client.get(manage[:-4] + "abc/").status_code == 400


def test_operator_authority_and_saved_search_alerts(client, license, mailoutbox, frozen_clock):
    other = factories.license_in("active", title="Bus arrivals")
    for index, (target, key) in enumerate(
        [("operator", license.operator.pk), ("authority", license.grantor.pk), ("search", "q=Metro")]
    ):
        address = f"reader{index}@example.org"
        ask(client, target, key, email=address)
        client.post(link(mail_to(mailoutbox, address)[0], "confirm"))
    frozen_clock.shift(D(minutes=1))
    change_three_times(license)
    lifecycle.transition(other, "suspend", actor=None, reason="Other.", expected_version=other.version)
    sweep_at(NOW + D(hours=1))
    operator_digest = mail_to(mailoutbox, "reader0@example.org")[-1]
    assert "3 changes" in operator_digest.subject and other.number not in operator_digest.body
    authority_digest = mail_to(mailoutbox, "reader1@example.org")[-1]
    if other.grantor_id == license.grantor_id:
        assert "4 changes" in authority_digest.subject
    # The same search spelt otherwise is the same subscription.
    ask(client, "search", "q=Metro&status=&page=2", email="reader2@example.org")
    assert AlertSubscription.objects.filter(email="reader2@example.org").count() == 1
    search_digest = mail_to(mailoutbox, "reader2@example.org")[-1]
    assert "3 changes" in search_digest.subject and other.number not in search_digest.body
    assert "/licenses/?q=Metro" in search_digest.body


def test_a_form_naming_nothing_public_is_refused(client, frozen_clock, mailoutbox):
    draft = factories.draft()
    for target, key in (
        ("license", draft.pk),
        ("license", "x"),
        ("operator", 10**9),
        ("nonsense", 1),
        ("search", "page=2"),
    ):
        assert ask(client, target, key).status_code == 400
    assert ask(client, "license", draft.pk, email="not an address").status_code == 400
    assert mailoutbox == []


def test_a_mistyped_address_is_shown_again_with_what_it_follows(client, license, mailoutbox):
    response = ask(client, "license", license.pk, email="reader@")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page and "Metro ridership" in page
    assert f'href="/licenses/{license.number}/"' in page
    alone = client.get("/alerts/", {"target": "search", "key": "q=Metro&page=3"}).content.decode()
    assert 'href="/licenses/?q=Metro"' in alone and 'name="key" value="q=Metro' in alone
    assert mailoutbox == []


@override_settings(ALERT_RATE="2/hour")
def test_sign_ups_are_throttled_per_client(client, license, mailoutbox):
    assert ask(client, "license", license.pk).status_code == 200
    assert ask(client, "license", license.pk, email="b@example.org").status_code == 200
    refused = ask(client, "license", license.pk, email="c@example.org")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


@override_settings(ALERT_CONFIRMATIONS_PER_ADDRESS=2)
def test_an_address_gets_a_few_confirmations_a_day_whoever_asks(license, mailoutbox, frozen_clock):
    answers = {
        ask(Client(REMOTE_ADDR=f"10.0.0.{n}"), target, key).status_code
        for n, (target, key) in enumerate(
            [("license", license.pk), ("license", license.pk), ("authority", license.grantor.pk)]
        )
    }
    assert answers == {200}
    assert len(mail_to(mailoutbox)) == 2
    frozen_clock.shift(D(days=1, minutes=1))
    ask(Client(REMOTE_ADDR="10.0.0.9"), "license", license.pk)
    assert len(mail_to(mailoutbox)) == 3


def test_no_public_page_shows_a_subscribed_address(client, license, mailoutbox, frozen_clock):
    subscribed(client, mailoutbox, frozen_clock, license=license)
    change_three_times(license)
    sweep_at(NOW + D(hours=1))
    for path in (
        f"/licenses/{license.number}/",
        f"/operators/{license.operator.uscc or license.operator.pk}/",
        f"/authorities/{license.grantor.pk}/",
        "/licenses/?q=Metro",
        "/",
        f"/api/v1/licenses/{license.number}/",
        "/api/v1/events/",
        "/feeds/changes.atom",
    ):
        assert READER not in client.get(path, follow=True).content.decode(), path


def test_only_superusers_see_the_subscriptions_in_the_admin_and_retry_a_failed_digest(
    client,
    license,
    mailoutbox,
    frozen_clock,
    world,
    mail_server_down,  # noqa: F811
):
    mail_server_down["on"] = False
    subscribed(client, mailoutbox, frozen_clock, license=license)
    change_three_times(license)
    mail_server_down["on"] = True
    with override_settings(LICENSING_SEND_MAX_ATTEMPTS=1):
        sweep_at(NOW + D(hours=1))
    digest = AlertDigest.objects.get()
    assert digest.state == "failed"

    regulator = Client()
    regulator.force_login(world["users"]["inside"])
    assert regulator.get("/admin/licensing/alertsubscription/").status_code == 403
    assert regulator.get("/admin/licensing/alertdigest/").status_code == 403
    root = Client()
    root.force_login(world["users"]["superuser"])
    assert READER in root.get("/admin/licensing/alertsubscription/").content.decode()
    mail_server_down["on"] = False
    with running_tasks():
        response = root.post(
            "/admin/licensing/alertdigest/",
            {"action": "retry_failed", "_selected_action": [digest.pk]},
        )
    assert response.status_code == 302
    digest.refresh_from_db()
    assert digest.state == "sent"
    assert mail_to(mailoutbox)[-1].subject.startswith("3 changes")


def test_an_idle_sweep_reads_the_subscriptions_once_not_each(
    client, license, mailoutbox, frozen_clock, django_assert_num_queries
):
    for n in range(5):
        AlertSubscription.objects.create(
            email=f"r{n}@example.org", language="en", target="license", target_id=license.pk, confirmed_at=NOW
        )
    frozen_clock.shift(D(minutes=1))
    with django_assert_num_queries(1):
        assert alerts.create_due_digests(TODAY, NOW) == 0
    lifecycle.transition(license, "suspend", actor=None, reason="Review.", expected_version=license.version)
    assert alerts.create_due_digests(TODAY, NOW) == 5
    with django_assert_num_queries(1):
        assert alerts.create_due_digests(TODAY, NOW) == 0
